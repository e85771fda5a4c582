//! A matrix drawn as an image with its colour scale (the positional encoding).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, colour_scale, text_err, tick};
use crate::{FONT, PlotError, render};

/// A matrix of values in `[-1, 1]` as an image (blue negative, red positive), e.g. the
/// positional encoding: rows along y, columns along x.
pub struct MatrixImage<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub values: &'a [Vec<f32>],
}

/// Blue at −1, white at 0, red at +1.
fn diverging(value: f32) -> RGBColor {
    let v = value.clamp(-1.0, 1.0);
    let mix = |a: f32, b: f32, t: f32| (a + (b - a) * t).round() as u8;
    if v >= 0.0 {
        RGBColor(mix(255.0, 178.0, v), mix(255.0, 24.0, v), mix(255.0, 43.0, v))
    } else {
        RGBColor(mix(255.0, 33.0, -v), mix(255.0, 102.0, -v), mix(255.0, 172.0, -v))
    }
}

/// Width of the colour scale's column, right of the image.
const SCALE: u32 = 80;

impl Figure for MatrixImage<'_> {
    fn size(&self) -> (u32, u32) {
        (900 + SCALE, 520)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        let (width, height) = area.dim_in_pixel();
        let (area, scale) = area.split_horizontally((width - SCALE) as i32);
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
                Rectangle::new([(j as f64, i as f64), (j as f64 + 1.0, i as f64 + 1.0)], diverging(v).filled())
            })
        });
        chart.draw_series(cells).map_err(text_err)?;
        // The colour scale: +1 at the top, −1 at the bottom.
        let labels = [(1.0, "+1".to_string()), (0.5, "0".to_string()), (0.0, "−1".to_string())];
        colour_scale(&scale, (8, 60), height as i32 - 130, |t| diverging(2.0 * t - 1.0), &labels)?;
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
