//! Charts for comparison reports: line charts (with a band for the spread over seeds), a table
//! of scores as a labelled heatmap, bar panels, and a matrix image (the positional encoding).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{FONT, PlotError, render};

/// Ten distinguishable colours (matplotlib's tab10).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// A figure that can draw itself on any plotters backend.
pub(crate) trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String>;
}

fn text_err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

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
}

/// For each series, how many later-drawn series pass through each of its points. Where later
/// lines cover a line (two models both at 100 %), it is drawn 2 px wider per covering line
/// underneath them, so each shows as a coloured edge around the next instead of vanishing.
fn covering_counts(series: &[Series]) -> Vec<Vec<u32>> {
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
}

impl Figure for LineChart<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        let xs = self.series.iter().flat_map(|s| s.points.iter().map(|p| p.0).chain(s.band.iter().map(|b| b.0)));
        let ys =
            self.series.iter().flat_map(|s| s.points.iter().map(|p| p.1).chain(s.band.iter().flat_map(|b| [b.1, b.2])));
        let all_whole = self.series.iter().flat_map(|s| &s.points).all(|p| (p.0 - p.0.round()).abs() < 1e-9);
        let (x0, x1) = bounds(xs);
        let (y0, y1) = self.y_range.unwrap_or_else(|| bounds(ys));
        let pad = ((y1 - y0) * 0.03).max(1e-9);
        let (x0, x1) = if self.x_labels.is_some() { (x0 - 0.3, x1 + 0.3) } else { (x0, x1) };
        let mut chart = ChartBuilder::on(&area)
            .caption(self.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
            .map_err(text_err)?;
        let labels = self.x_labels;
        let format_x = |x: &f64| match labels {
            Some(labels) if (x - x.round()).abs() < 1e-6 && x.round() >= 0.0 => {
                labels.get(x.round() as usize).cloned().unwrap_or_default()
            }
            Some(_) => String::new(),
            None => tick(*x),
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(self.x_label).y_desc(self.y_label).label_style((FONT, 14)).x_label_formatter(&format_x);
        let whole_ticks = |x: &f64| if (x - x.round()).abs() < 1e-6 { tick(*x) } else { String::new() };
        if let Some(labels) = labels {
            mesh.x_labels(labels.len() + 2);
        } else if all_whole && x1 - x0 <= 30.0 {
            // Epochs: a tick on every whole number, and no fractional labels.
            mesh.x_labels((x1 - x0) as usize + 1).x_label_formatter(&whole_ticks);
        }
        mesh.draw().map_err(text_err)?;
        let covering = covering_counts(self.series);
        for (s, covered) in self.series.iter().zip(&covering) {
            let colour = PALETTE[s.colour % PALETTE.len()];
            if s.band.len() > 1 {
                let outline: Vec<(f64, f64)> =
                    s.band.iter().map(|b| (b.0, b.2)).chain(s.band.iter().rev().map(|b| (b.0, b.1))).collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(outline, colour.mix(0.18).filled())))
                    .map_err(text_err)?;
            }
            for (pair, counts) in s.points.windows(2).zip(covered.windows(2)) {
                let under = counts[0].min(counts[1]);
                if under > 0 {
                    let wide = colour.stroke_width(2 + 2 * under);
                    chart.draw_series(LineSeries::new(pair.to_vec(), wide)).map_err(text_err)?;
                }
            }
            let style = colour.stroke_width(2);
            let drawn = if s.dashed {
                chart.draw_series(DashedLineSeries::new(s.points.clone(), 7, 5, style)).map_err(text_err)?
            } else {
                chart.draw_series(LineSeries::new(s.points.clone(), style)).map_err(text_err)?
            };
            let dashed = s.dashed;
            drawn.label(s.name.clone()).legend(move |(x, y)| {
                let end = if dashed { x + 9 } else { x + 22 };
                PathElement::new(vec![(x, y), (end, y)], colour.stroke_width(2))
            });
            let markers =
                s.points.iter().zip(covered).map(|(&p, &n)| Circle::new(p, 3 + 2 * n as i32, colour.filled()));
            chart.draw_series(markers).map_err(text_err)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, 13))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(text_err)?;
        area.present().map_err(text_err)
    }
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

/// A table of scores as a heatmap: one row per `rows` entry, one column per `columns` entry,
/// each cell coloured by its value (`0 ..= max`) and labelled with it; `None` cells are blank.
pub struct ScoreTable<'a> {
    pub title: &'a str,
    pub rows: &'a [String],
    pub columns: &'a [String],
    pub values: &'a [Vec<Option<f64>>],
    pub max: f64,
}

const SCORE_CELL: (i32, i32) = (92, 34);

impl Figure for ScoreTable<'_> {
    fn size(&self) -> (u32, u32) {
        let left = 24 + 9 * self.rows.iter().map(|r| r.chars().count()).max().unwrap_or(1) as i32;
        let width = left + SCORE_CELL.0 * self.columns.len() as i32 + 30;
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
            area.draw(&Text::new(column.clone(), (left + w * j as i32 + w / 2, top - 16), style)).map_err(text_err)?;
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

/// One panel of [`bar_panels`]: a value per category (`None`: not measured).
pub struct Bars {
    pub title: String,
    pub values: Vec<Option<f64>>,
}

/// Bar charts side by side, sharing the categories (e.g. one panel per cost measure).
pub struct BarPanels<'a> {
    pub title: &'a str,
    pub categories: &'a [String],
    pub panels: &'a [Bars],
    pub per_row: usize,
}

impl Figure for BarPanels<'_> {
    fn size(&self) -> (u32, u32) {
        let per_row = self.per_row.clamp(1, self.panels.len().max(1));
        let rows = self.panels.len().div_ceil(per_row);
        let panel_width = (130 + 62 * self.categories.len()).max(420);
        ((panel_width * per_row) as u32, (50 + 330 * rows) as u32)
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
                .caption(&panel.title, (FONT, 15))
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
                    TextStyle::from((FONT, 12).into_font())
                        .transform(FontTransform::Rotate90)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )
                .label_style((FONT, 12))
                .draw()
                .map_err(text_err)?;
            for (k, value) in panel.values.iter().enumerate() {
                let colour = PALETTE[k % PALETTE.len()];
                match value {
                    Some(v) => {
                        let bar = Rectangle::new([(k as f64 + 0.15, 0.0), (k as f64 + 0.85, *v)], colour.filled());
                        chart.draw_series(std::iter::once(bar)).map_err(text_err)?;
                        let style = TextStyle::from((FONT, 11).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
                        chart
                            .draw_series(std::iter::once(Text::new(short(*v), (k as f64 + 0.5, *v), style)))
                            .map_err(text_err)?;
                    }
                    None => {
                        let style = TextStyle::from((FONT, 11).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
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

/// Tick labels: whole numbers as such, others with up to two decimals.
fn tick(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        let text = format!("{x:.2}");
        text.trim_end_matches('0').to_string()
    }
}

/// `1234567` → `1.23M`, `12345` → `12.3k`, `12.345` → `12.3`.
fn short(v: f64) -> String {
    match v.abs() {
        a if a >= 1e6 => format!("{:.2}M", v / 1e6),
        a if a >= 1e4 => format!("{:.1}k", v / 1e3),
        a if a >= 100.0 => format!("{v:.0}"),
        0.0 => "0".to_string(),
        _ => format!("{v:.1}"),
    }
}

pub fn bar_panels(path: &Path, bars: &BarPanels<'_>) -> Result<(), PlotError> {
    if bars.panels.is_empty() || bars.panels.iter().any(|p| p.values.len() != bars.categories.len()) {
        return Err(PlotError::Input(format!("{}: one value per category in every panel", bars.title)));
    }
    render(path, bars)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("s2s-charts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn lines_covered_by_later_lines_are_counted_point_by_point() {
        let line = |points: &[(f64, f64)]| Series { points: points.to_vec(), ..Default::default() };
        let series = [line(&[(1.0, 100.0), (2.0, 100.0)]), line(&[(1.0, 50.0), (2.0, 100.0)]), line(&[(1.0, 100.0)])];
        assert_eq!(covering_counts(&series), vec![vec![1, 1], vec![0, 0], vec![0]]);
        assert_eq!(covering_counts(&[line(&[(1.0, 1.0)]), line(&[(1.0, 2.0)])]), vec![vec![0], vec![0]]);
    }

    #[test]
    fn every_chart_writes_png_and_svg_with_its_labels() {
        let dir = dir();
        let series = vec![
            Series {
                name: "encdec".into(),
                points: vec![(1.0, 2.0), (2.0, 1.0), (3.0, 0.5)],
                band: vec![(1.0, 1.8, 2.2), (2.0, 0.9, 1.1), (3.0, 0.4, 0.6)],
                ..Default::default()
            },
            Series {
                name: "luong".into(),
                points: vec![(1.0, 1.5), (2.0, 0.6)],
                dashed: true,
                colour: 1,
                ..Default::default()
            },
        ];
        let chart = LineChart {
            title: "validation loss",
            x_label: "epoch",
            y_label: "loss",
            series: &series,
            x_labels: None,
            y_range: None,
        };
        line_chart(&dir.join("lines.png"), &chart).unwrap();
        line_chart(&dir.join("lines.svg"), &chart).unwrap();
        let svg = std::fs::read_to_string(dir.join("lines.svg")).unwrap();
        assert!(svg.contains("validation loss") && svg.contains("luong") && svg.contains("epoch"));
        let buckets: Vec<String> = ["1-4", "5-9", "10-14"].map(String::from).to_vec();
        let chart = LineChart { x_labels: Some(&buckets), ..chart };
        line_chart(&dir.join("buckets.svg"), &chart).unwrap();
        assert!(std::fs::read_to_string(dir.join("buckets.svg")).unwrap().contains("5-9"));

        let rows: Vec<String> = vec!["encdec".into(), "luong".into()];
        let columns: Vec<String> = vec!["negation".into(), "question".into()];
        let values = vec![vec![Some(37.5), Some(100.0)], vec![Some(90.0), None]];
        let table = ScoreTable {
            title: "exact match by phenomenon",
            rows: &rows,
            columns: &columns,
            values: &values,
            max: 100.0,
        };
        score_table(&dir.join("table.png"), &table).unwrap();
        score_table(&dir.join("table.svg"), &table).unwrap();
        assert!(std::fs::read_to_string(dir.join("table.svg")).unwrap().contains("37.5"));
        let short_values = vec![vec![Some(1.0)]];
        assert!(score_table(&dir.join("bad.png"), &ScoreTable { values: &short_values, ..table }).is_err());

        let panels = vec![
            Bars { title: "parameters".into(), values: vec![Some(367_476.0), Some(1_200_000.0)] },
            Bars { title: "peak memory (MiB)".into(), values: vec![Some(120.0), None] },
        ];
        let bars = BarPanels { title: "cost", categories: &rows, panels: &panels, per_row: 2 };
        bar_panels(&dir.join("cost.png"), &bars).unwrap();
        bar_panels(&dir.join("cost.svg"), &bars).unwrap();
        assert!(std::fs::read_to_string(dir.join("cost.svg")).unwrap().contains("1.20M"));

        let values: Vec<Vec<f32>> = (0..20).map(|p| (0..16).map(|d| ((p * d) as f32 * 0.1).sin()).collect()).collect();
        let image =
            MatrixImage { title: "positional encoding", x_label: "dimension", y_label: "position", values: &values };
        matrix_image(&dir.join("pe.png"), &image).unwrap();
        assert_eq!(&std::fs::read(dir.join("pe.png")).unwrap()[1..4], b"PNG");
        assert!(matrix_image(&dir.join("pe.png"), &MatrixImage { values: &[], ..image }).is_err());
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(1_234_567.0), "1.23M");
        assert_eq!(short(12_345.0), "12.3k");
        assert_eq!(short(123.4), "123");
        assert_eq!(short(12.34), "12.3");
    }
}
