//! Line charts: one line per series, a shaded band for the spread over seeds.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{Figure, PALETTE, text_err, tick};
use crate::{FONT, PlotError, render};

/// One line of a [`line_chart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// `(x, low, high)`: drawn as a shaded band (e.g. the spread over seeds).
    pub band: Vec<(f64, f64, f64)>,
    pub dashed: bool,
    /// Index into [`PALETTE`].
    pub colour: usize,
    /// x positions whose points rest on too few items to read much into (e.g. buckets under 30
    /// sentences): drawn faint, with hollow markers, and so are the segments that reach them.
    pub faint: Vec<f64>,
}

impl Series {
    fn is_faint(&self, x: f64) -> bool {
        self.faint.iter().any(|f| (f - x).abs() < 1e-9)
    }
}

/// Pixels of a line drawn under a later one that covers it.
const COVERED_WIDTH: u32 = 6;

/// For each series, how many later-drawn series pass through each of its points. Where a later
/// line covers a line (two models both at 100 %), the covered one is drawn [`COVERED_WIDTH`]
/// wide underneath (its marker larger), so it shows as a coloured edge around the line on top
/// instead of vanishing; where several lie on one another, the edge is the one drawn last but
/// the top (a bucket drawn faint keeps thin lines).
pub(super) fn covering_counts(series: &[Series]) -> Vec<Vec<u32>> {
    let same = |p: &(f64, f64), q: &(f64, f64)| (p.0 - q.0).abs() < 1e-9 && (p.1 - q.1).abs() < 1e-9;
    series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let later = &series[i + 1..];
            s.points
                .iter()
                .map(|p| later.iter().filter(|l| l.points.iter().any(|q| same(p, q))).count() as u32)
                .collect()
        })
        .collect()
}

/// A line chart; `x_labels` names the integer x positions (categories) when given.
pub struct LineChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: &'a [Series],
    pub x_labels: Option<&'a [String]>,
    /// Fixed y range (e.g. 0–100 for percentages); fitted to the data when `None`.
    pub y_range: Option<(f64, f64)>,
    /// A logarithmic y axis (losses falling over decades); values at or below zero are left out.
    pub log_y: bool,
}

impl Figure for LineChart<'_> {
    fn size(&self) -> (u32, u32) {
        (900 + self.legend_width(), 560)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        let (width, _) = area.dim_in_pixel();
        let (plot, legend) = area.split_horizontally(width.saturating_sub(self.legend_width()) as i32);
        self.draw_plot(&plot, 20)?;
        draw_legend(&legend, self.series)?;
        area.present().map_err(text_err)
    }
}

impl LineChart<'_> {
    /// The chart without its legend on `area`, its title in `title_size` pixels.
    pub(super) fn draw_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title_size: u32,
    ) -> Result<(), String> {
        // A log axis is drawn as log10(y) on a linear one, its ticks labelled with y itself.
        let logged: Vec<Series>;
        let series = if self.log_y {
            logged = self.series.iter().map(log10).collect();
            &logged[..]
        } else {
            self.series
        };
        let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0).chain(s.band.iter().map(|b| b.0)));
        let ys = series.iter().flat_map(|s| s.points.iter().map(|p| p.1).chain(s.band.iter().flat_map(|b| [b.1, b.2])));
        let (x0, x1) = bounds(xs);
        let (x0, x1) = if self.x_labels.is_some() { (x0 - 0.3, x1 + 0.3) } else { (x0, x1) };
        let y_range = self.y_range.map(|(lo, hi)| if self.log_y { (lo.log10(), hi.log10()) } else { (lo, hi) });
        let (y0, y1) = y_range.unwrap_or_else(|| bounds(ys));
        // A fitted log axis runs from the half-decade below its lowest value to the one above its
        // highest, with a tick on each, so every point lies between two labelled ticks.
        let (y0, y1, y_ticks) = if self.log_y && self.y_range.is_none() {
            let (low, high) = ((y0 * 2.0).floor() / 2.0, (y1 * 2.0).ceil() / 2.0);
            let high = if high > low { high } else { low + 0.5 };
            // Under four half-decades, finer steps (0.1 or 0.2 of a decade) keep values readable.
            let half_decades = ((high - low) * 2.0).round() as usize + 1;
            (low, high, Some(if half_decades >= 4 { half_decades } else { 6 }))
        } else {
            (y0, y1, None)
        };
        let pad = ((y1 - y0) * 0.03).max(1e-9);
        let mut chart = ChartBuilder::on(area)
            .caption(self.title, (FONT, title_size))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
            .map_err(text_err)?;
        self.plot(&mut chart, series, x1 - x0, y_ticks)
    }
}

/// `series` with every y replaced by its log10; points at or below zero are left out (a loss
/// written as 0.000000), and band edges there drop to the lowest positive value drawn.
fn log10(series: &Series) -> Series {
    let floor = series.points.iter().map(|p| p.1).filter(|y| *y > 0.0).fold(f64::INFINITY, f64::min);
    let log = |y: f64| if y > 0.0 { y.log10() } else { floor.log10() };
    Series {
        points: series.points.iter().filter(|p| p.1 > 0.0).map(|&(x, y)| (x, y.log10())).collect(),
        band: if floor.is_finite() {
            series.band.iter().map(|&(x, lo, hi)| (x, log(lo), log(hi))).collect()
        } else {
            vec![]
        },
        ..series.clone()
    }
}

impl LineChart<'_> {
    /// The mesh, bands, lines and markers of `series` (already in log10 on a log axis) on
    /// `chart`, whose x axis spans `x_span`, with `y_ticks` labels on the y axis where given.
    fn plot<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        series: &[Series],
        x_span: f64,
        y_ticks: Option<usize>,
    ) -> Result<(), String> {
        let all_whole = series.iter().flat_map(|s| &s.points).all(|p| (p.0 - p.0.round()).abs() < 1e-9);
        let labels = self.x_labels;
        let format_x = |x: &f64| match labels {
            Some(labels) if (x - x.round()).abs() < 1e-6 && x.round() >= 0.0 => {
                labels.get(x.round() as usize).cloned().unwrap_or_default()
            }
            Some(_) => String::new(),
            None => tick(*x),
        };
        let two_digits = |y: &f64| significant(10f64.powf(*y));
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(self.x_label).y_desc(self.y_label).label_style((FONT, 14)).x_label_formatter(&format_x);
        if self.log_y {
            mesh.y_label_formatter(&two_digits);
        }
        if let Some(ticks) = y_ticks {
            mesh.y_labels(ticks);
        }
        let whole_ticks = |x: &f64| if (x - x.round()).abs() < 1e-6 { tick(*x) } else { String::new() };
        if let Some(labels) = labels {
            mesh.x_labels(labels.len() + 2);
        } else if all_whole && x_span <= 30.0 {
            // Epochs: a tick on every whole number, and no fractional labels.
            mesh.x_labels(x_span as usize + 1).x_label_formatter(&whole_ticks);
        }
        mesh.draw().map_err(text_err)?;
        let covering = covering_counts(series);
        for (s, covered) in series.iter().zip(&covering) {
            let colour = PALETTE[s.colour % PALETTE.len()];
            if s.band.len() > 1 {
                let outline: Vec<(f64, f64)> =
                    s.band.iter().map(|b| (b.0, b.2)).chain(s.band.iter().rev().map(|b| (b.0, b.1))).collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(outline, colour.mix(0.18).filled())))
                    .map_err(text_err)?;
            }
            for (pair, counts) in s.points.windows(2).zip(covered.windows(2)) {
                let faint = s.is_faint(pair[0].0) || s.is_faint(pair[1].0);
                if counts[0].min(counts[1]) > 0 && !faint {
                    let wide = colour.stroke_width(COVERED_WIDTH);
                    chart.draw_series(LineSeries::new(pair.to_vec(), wide)).map_err(text_err)?;
                }
            }
            for pair in s.points.windows(2) {
                let faint = s.is_faint(pair[0].0) || s.is_faint(pair[1].0);
                let style = if faint { colour.mix(0.3).stroke_width(2) } else { colour.stroke_width(2) };
                if s.dashed {
                    chart.draw_series(DashedLineSeries::new(pair.to_vec(), 7, 5, style)).map_err(text_err)?;
                } else {
                    chart.draw_series(LineSeries::new(pair.to_vec(), style)).map_err(text_err)?;
                }
            }
            let markers = s.points.iter().zip(covered).map(|(&p, &n)| {
                let style = if s.is_faint(p.0) { colour.mix(0.5).stroke_width(1) } else { colour.filled() };
                Circle::new(p, if n > 0 { 5 } else { 3 }, style)
            });
            chart.draw_series(markers).map_err(text_err)?;
        }
        Ok(())
    }

    /// The legend's column, right of the plot, as wide as the longest name needs: a legend
    /// never covers the data.
    fn legend_width(&self) -> u32 {
        let longest = self.series.iter().map(|s| s.name.chars().count()).max().unwrap_or(0) as u32;
        (52 + 7 * longest).clamp(120, 440)
    }
}

/// One row per series: its line (dashed or solid) with a marker, and its name. A dashed line's
/// gaps lie clear of the marker, so that it reads as dashed.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, series: &[Series]) -> Result<(), String> {
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[s.colour % PALETTE.len()];
        let y = 56 + 22 * k as i32;
        let segments = if s.dashed { vec![(2, 8), (12, 15), (21, 24), (28, 34)] } else { vec![(2, 34)] };
        for (from, to) in segments {
            area.draw(&PathElement::new(vec![(from, y), (to, y)], colour.stroke_width(2))).map_err(text_err)?;
        }
        area.draw(&Circle::new((18, y), 3, colour.filled())).map_err(text_err)?;
        area.draw(&Text::new(s.name.clone(), (42, y - 8), (FONT, 13))).map_err(text_err)?;
    }
    Ok(())
}

/// The legend as one row across `area` at height `y`, centred: each series' line and name.
pub(super) fn draw_legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
    y: i32,
) -> Result<(), String> {
    let widths: Vec<i32> = series.iter().map(|s| 40 + 8 * s.name.chars().count() as i32).collect();
    let (width, _) = area.dim_in_pixel();
    let mut x = (width as i32 - widths.iter().sum::<i32>()) / 2;
    for (s, w) in series.iter().zip(&widths) {
        let colour = PALETTE[s.colour % PALETTE.len()];
        let segments = if s.dashed { vec![(0, 9), (15, 24)] } else { vec![(0, 24)] };
        for (from, to) in segments {
            area.draw(&PathElement::new(vec![(x + from, y), (x + to, y)], colour.stroke_width(3))).map_err(text_err)?;
        }
        area.draw(&Text::new(s.name.clone(), (x + 30, y - 8), (FONT, 15))).map_err(text_err)?;
        x += w;
    }
    Ok(())
}

/// A log axis's tick: two significant digits at most (`0.02`, `0.3`, `2`, `20`).
pub(super) fn significant(y: f64) -> String {
    let decimals = (1.0 - y.abs().log10().floor()).max(0.0) as usize;
    let text = format!("{y:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    match (lo.is_finite(), hi > lo) {
        (true, true) => (lo, hi),
        (true, false) => (lo - 1.0, lo + 1.0),
        _ => (0.0, 1.0),
    }
}

/// Writes a line chart to `path` (`.png` or `.svg`).
pub fn line_chart(path: &Path, chart: &LineChart<'_>) -> Result<(), PlotError> {
    if chart.series.iter().all(|s| s.points.is_empty()) {
        return Err(PlotError::Input(format!("{}: no points to draw", chart.title)));
    }
    render(path, chart)
}
