//! A matrix drawn as an image (the positional encoding).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, text_err, tick};
use crate::{FONT, PlotError, render};

/// A matrix of values in `[-1, 1]` as an image (blue negative, red positive), e.g. the
/// positional encoding: rows along y, columns along x.
pub struct MatrixImage<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub values: &'a [Vec<f32>],
}

impl Figure for MatrixImage<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 520)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        let (rows, columns) = (self.values.len(), self.values.first().map_or(0, Vec::len));
        let mut chart = ChartBuilder::on(&area)
            .caption(self.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..columns as f64, rows as f64..0f64)
            .map_err(text_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .label_style((FONT, 14))
            .draw()
            .map_err(text_err)?;
        let cells = self.values.iter().enumerate().flat_map(|(i, row)| {
            row.iter().enumerate().map(move |(j, &v)| {
                let v = v.clamp(-1.0, 1.0);
                let mix = |a: f32, b: f32, t: f32| (a + (b - a) * t).round() as u8;
                let colour = if v >= 0.0 {
                    RGBColor(mix(255.0, 178.0, v), mix(255.0, 24.0, v), mix(255.0, 43.0, v))
                } else {
                    RGBColor(mix(255.0, 33.0, -v), mix(255.0, 102.0, -v), mix(255.0, 172.0, -v))
                };
                Rectangle::new([(j as f64, i as f64), (j as f64 + 1.0, i as f64 + 1.0)], colour.filled())
            })
        });
        chart.draw_series(cells).map_err(text_err)?;
        area.present().map_err(text_err)
    }
}

pub fn matrix_image(path: &Path, image: &MatrixImage<'_>) -> Result<(), PlotError> {
    let columns = image.values.first().map_or(0, Vec::len);
    if columns == 0 || image.values.iter().any(|r| r.len() != columns) {
        return Err(PlotError::Input(format!("{}: expected a non-empty rectangular matrix", image.title)));
    }
    render(path, image)
}
