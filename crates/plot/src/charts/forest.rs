//! A forest plot: one row per effect, its estimate with its interval along one axis, a label on
//! the left and a note on the right (the claims' summary: Δ with its 95 % interval and verdict).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Figure, PALETTE, text_err, tick};
use crate::{FONT, PlotError, render};

/// One row of a [`Forest`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ForestRow {
    /// Left of the axis.
    pub label: String,
    /// `(estimate, low, high)`; `None`: the row has only its note.
    pub interval: Option<(f64, f64, f64)>,
    /// Right of the axis (e.g. the verdict).
    pub note: String,
    /// Index into [`PALETTE`] of the marker and the note.
    pub colour: usize,
}

/// Rows top to bottom; the axis spans every interval and zero (drawn as a line).
pub struct Forest<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub rows: &'a [ForestRow],
}

const ROW: u32 = 30;
const NOTES: u32 = 250;
const PLOT: u32 = 440;

impl Forest<'_> {
    /// The label column, as wide as the longest label needs (about 8 px a character).
    fn labels_width(&self) -> u32 {
        let longest = self.rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0) as u32;
        (24 + 8 * longest).max(120)
    }
}

impl Figure for Forest<'_> {
    fn size(&self) -> (u32, u32) {
        (self.labels_width() + PLOT + NOTES, 110 + ROW * self.rows.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        area.draw(&Text::new(self.title, (10, 10), (FONT, 19).into_font())).map_err(text_err)?;
        let (top, rows) = (50, self.rows.len() as i32);
        let body = area.margin(top as u32, 0, 0, 0);
        let label_width = self.labels_width() as i32;
        let (labels, rest) = body.split_horizontally(label_width);
        let (plot, notes) = rest.split_horizontally(PLOT as i32);
        let ends = self.rows.iter().filter_map(|r| r.interval).flat_map(|(e, l, h)| [e, l, h]).chain([0.0]);
        let (lo, hi) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = ((hi - lo) * 0.05).max(1.0);
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(16)
            .x_label_area_size(44)
            .build_cartesian_2d((lo - pad)..(hi + pad), rows as f64..0f64)
            .map_err(text_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .disable_y_axis()
            .x_desc(self.x_label)
            .x_label_formatter(&|x| tick(*x))
            .label_style((FONT, 14))
            .draw()
            .map_err(text_err)?;
        let zero = vec![(0.0, 0.0), (0.0, rows as f64)];
        chart.draw_series(DashedLineSeries::new(zero, 5, 4, BLACK.stroke_width(1))).map_err(text_err)?;
        // Each row's middle, in the label and note columns' pixels (they share the plot's top).
        let base = labels.get_base_pixel().1;
        let ys: Vec<i32> = (0..self.rows.len()).map(|k| chart.backend_coord(&(0.0, k as f64 + 0.5)).1 - base).collect();
        let left = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        for (k, row) in self.rows.iter().enumerate() {
            let colour = PALETTE[row.colour % PALETTE.len()];
            let y = ys[k];
            labels.draw(&Text::new(row.label.as_str(), (label_width - 10, y), left.clone())).map_err(text_err)?;
            let note = TextStyle::from((FONT, 14).into_font()).color(&colour).pos(Pos::new(HPos::Left, VPos::Center));
            notes.draw(&Text::new(row.note.as_str(), (6, y), note)).map_err(text_err)?;
            if let Some((estimate, low, high)) = row.interval {
                let y = k as f64 + 0.5;
                let whisker = PathElement::new(vec![(low, y), (high, y)], colour.stroke_width(3));
                chart.draw_series(std::iter::once(whisker)).map_err(text_err)?;
                chart.draw_series(std::iter::once(Circle::new((estimate, y), 5, colour.filled()))).map_err(text_err)?;
            }
        }
        area.present().map_err(text_err)
    }
}

pub fn forest(path: &Path, forest: &Forest<'_>) -> Result<(), PlotError> {
    if forest.rows.is_empty() {
        return Err(PlotError::Input(format!("{}: no rows to draw", forest.title)));
    }
    if let Some(row) = forest.rows.iter().find(|r| r.interval.is_some_and(|(e, l, h)| !(l <= e && e <= h))) {
        return Err(PlotError::Input(format!(
            "{}: `{}`'s estimate lies outside its interval",
            forest.title, row.label
        )));
    }
    render(path, forest)
}
