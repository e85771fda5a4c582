//! A table of scores drawn as a labelled heatmap.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Figure, colour_scale, text_err};
use crate::{FONT, PlotError, render};

/// A table of scores as a heatmap: one row per `rows` entry, one column per `columns` entry,
/// each cell coloured by its value (`0 ..= max`) and labelled with it; `None` cells are blank. A
/// column's bracket (`agreement (316)`: its sample size) goes on a second line.
pub struct ScoreTable<'a> {
    pub title: &'a str,
    pub rows: &'a [String],
    pub columns: &'a [String],
    pub values: &'a [Vec<Option<f64>>],
    pub max: f64,
}

const SCORE_CELL: (i32, i32) = (92, 34);
/// Width of the colour scale's column, right of the cells.
const SCALE: i32 = 80;

impl Figure for ScoreTable<'_> {
    fn size(&self) -> (u32, u32) {
        let left = 24 + 9 * self.rows.iter().map(|r| r.chars().count()).max().unwrap_or(1) as i32;
        let width = left + SCORE_CELL.0 * self.columns.len() as i32 + 30 + SCALE;
        let height = 90 + SCORE_CELL.1 * self.rows.len() as i32 + 20;
        (width.max(9 * self.title.chars().count() as i32 + 30) as u32, height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        let left = 24 + 9 * self.rows.iter().map(|r| r.chars().count()).max().unwrap_or(1) as i32;
        let top = 90;
        let (w, h) = SCORE_CELL;
        area.draw(&Text::new(self.title.to_string(), (10, 10), (FONT, 18).into_font())).map_err(text_err)?;
        let centred = Pos::new(HPos::Center, VPos::Center);
        for (j, column) in self.columns.iter().enumerate() {
            let style = TextStyle::from((FONT, 14).into_font()).pos(centred);
            let x = left + w * j as i32 + w / 2;
            // `agreement (316)`: the bracket on a line of its own, under the name.
            match column.split_once(" (") {
                Some((name, count)) => {
                    area.draw(&Text::new(name.to_string(), (x, top - 34), style.clone())).map_err(text_err)?;
                    area.draw(&Text::new(format!("({count}"), (x, top - 16), style)).map_err(text_err)?;
                }
                None => area.draw(&Text::new(column.clone(), (x, top - 16), style)).map_err(text_err)?,
            }
        }
        for (i, row) in self.rows.iter().enumerate() {
            let y = top + h * i as i32;
            let style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
            area.draw(&Text::new(row.clone(), (left - 8, y + h / 2), style)).map_err(text_err)?;
            for (j, value) in self.values[i].iter().enumerate() {
                let x = left + w * j as i32;
                let fraction = value.map(|v| (v / self.max).clamp(0.0, 1.0) as f32).unwrap_or(0.0);
                let fill = crate::heatmap::colour(fraction);
                area.draw(&Rectangle::new([(x, y), (x + w, y + h)], fill.filled())).map_err(text_err)?;
                area.draw(&Rectangle::new([(x, y), (x + w, y + h)], RGBColor(200, 200, 200))).map_err(text_err)?;
                if let Some(v) = value {
                    let ink = if fraction > 0.55 { WHITE } else { BLACK };
                    let style = TextStyle::from((FONT, 14).into_font()).color(&ink).pos(centred);
                    area.draw(&Text::new(format!("{v:.1}"), (x + w / 2, y + h / 2), style)).map_err(text_err)?;
                }
            }
        }
        // The colour scale beside the cells: `max` at the top, 0 at the bottom.
        let x = left + w * self.columns.len() as i32 + 20;
        let height = (h * self.rows.len() as i32).max(60);
        let labels = [(1.0, format!("{:.0}", self.max)), (0.5, format!("{:.0}", self.max / 2.0)), (0.0, "0".into())];
        colour_scale(&area, (x, top), height, crate::heatmap::colour, &labels)?;
        area.present().map_err(text_err)
    }
}

pub fn score_table(path: &Path, table: &ScoreTable<'_>) -> Result<(), PlotError> {
    if table.values.len() != table.rows.len() || table.values.iter().any(|r| r.len() != table.columns.len()) {
        return Err(PlotError::Input(format!("{}: values do not match the row and column labels", table.title)));
    }
    if table.rows.is_empty() || table.columns.is_empty() {
        return Err(PlotError::Input(format!("{}: nothing to draw", table.title)));
    }
    render(path, table)
}
