//! Bar panels: one panel per measure, one bar per model.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Figure, PALETTE, short, text_err};
use crate::{FONT, PlotError, render};

/// One panel of [`bar_panels`]: a value per category (`None`: not measured).
pub struct Bars {
    pub title: String,
    pub values: Vec<Option<f64>>,
}

/// Bar charts side by side, sharing the categories (e.g. one panel per cost measure).
pub struct BarPanels<'a> {
    pub title: &'a str,
    pub categories: &'a [String],
    /// Each category's [`PALETTE`] index, and whether it is drawn light with an outline (a
    /// variant of the category before it); empty: the palette in order.
    pub styles: &'a [(usize, bool)],
    pub panels: &'a [Bars],
    pub per_row: usize,
}

impl Figure for BarPanels<'_> {
    fn size(&self) -> (u32, u32) {
        let per_row = self.per_row.clamp(1, self.panels.len().max(1));
        let rows = self.panels.len().div_ceil(per_row);
        let panel_width = (130 + 86 * self.categories.len()).max(420);
        ((panel_width * per_row) as u32, (50 + 340 * rows) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        let area = area.titled(self.title, (FONT, 20)).map_err(text_err)?;
        let per_row = self.per_row.clamp(1, self.panels.len().max(1));
        let rows = self.panels.len().div_ceil(per_row);
        let cells = area.split_evenly((rows, per_row));
        let n = self.categories.len();
        for (panel, cell) in self.panels.iter().zip(cells) {
            let top = panel.values.iter().flatten().copied().fold(0.0f64, f64::max);
            let top = if top > 0.0 { top * 1.15 } else { 1.0 };
            let mut chart = ChartBuilder::on(&cell)
                .caption(&panel.title, (FONT, 18))
                .margin(8)
                .x_label_area_size(56)
                .y_label_area_size(64)
                .build_cartesian_2d(0f64..n as f64, 0f64..top)
                .map_err(text_err)?;
            let categories = self.categories;
            let label = |x: &f64| {
                let k = (x - 0.5).round();
                if (x - 0.5 - k).abs() < 1e-6 && k >= 0.0 {
                    categories.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(2 * n + 1)
                .x_label_formatter(&label)
                .y_label_formatter(&|y| short(*y))
                .x_label_style(
                    TextStyle::from((FONT, 14).into_font())
                        .transform(FontTransform::Rotate90)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )
                .label_style((FONT, 14))
                .draw()
                .map_err(text_err)?;
            for (k, value) in panel.values.iter().enumerate() {
                let (index, light) = self.styles.get(k).copied().unwrap_or((k, false));
                let colour = PALETTE[index % PALETTE.len()];
                match value {
                    Some(v) => {
                        let corners = [(k as f64 + 0.15, 0.0), (k as f64 + 0.85, *v)];
                        let fill = if light { colour.mix(0.35).filled() } else { colour.filled() };
                        chart.draw_series(std::iter::once(Rectangle::new(corners, fill))).map_err(text_err)?;
                        if light {
                            let outline = Rectangle::new(corners, colour.stroke_width(2));
                            chart.draw_series(std::iter::once(outline)).map_err(text_err)?;
                        }
                        let style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
                        chart
                            .draw_series(std::iter::once(Text::new(short(*v), (k as f64 + 0.5, *v), style)))
                            .map_err(text_err)?;
                    }
                    None => {
                        let style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
                        chart
                            .draw_series(std::iter::once(Text::new("n/a".to_string(), (k as f64 + 0.5, 0.0), style)))
                            .map_err(text_err)?;
                    }
                }
            }
        }
        area.present().map_err(text_err)
    }
}

pub fn bar_panels(path: &Path, bars: &BarPanels<'_>) -> Result<(), PlotError> {
    if bars.panels.is_empty() || bars.panels.iter().any(|p| p.values.len() != bars.categories.len()) {
        return Err(PlotError::Input(format!("{}: one value per category in every panel", bars.title)));
    }
    render(path, bars)
}
