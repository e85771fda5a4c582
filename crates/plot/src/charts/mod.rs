//! Charts for comparison reports: line charts (with a band for the spread over seeds) and small
//! multiples of them, a table of scores as a labelled heatmap, bar panels, a forest plot of
//! effects with their intervals, and a matrix image (the positional encoding).

use plotters::coord::Shift;
use plotters::prelude::*;

/// Twelve distinguishable colours: matplotlib's tab10, then black and dark gold.
pub const PALETTE: [RGBColor; 12] = [
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
    RGBColor(0, 0, 0),
    RGBColor(170, 130, 0),
];

/// A figure that can draw itself on any plotters backend.
pub(crate) trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String>;
}

pub(crate) fn text_err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Tick labels: whole numbers as such, others with up to two decimals.
pub(crate) fn tick(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        let text = format!("{x:.2}");
        text.trim_end_matches('0').to_string()
    }
}

/// `1234567` → `1.23M`, `12345` → `12.3k`, `12.345` → `12.3`.
pub(crate) fn short(v: f64) -> String {
    match v.abs() {
        a if a >= 1e6 => format!("{:.2}M", v / 1e6),
        a if a >= 1e4 => format!("{:.1}k", v / 1e3),
        a if a >= 100.0 => format!("{v:.0}"),
        0.0 => "0".to_string(),
        _ => format!("{v:.1}"),
    }
}

/// A vertical colour scale `height` pixels tall with its top-left corner at `(x, top)`:
/// `colour(t)` from `t = 1` at the top to `t = 0` at the bottom, each `(t, label)` written
/// beside the bar at its height.
pub(crate) fn colour_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, top): (i32, i32),
    height: i32,
    colour: impl Fn(f32) -> RGBColor,
    labels: &[(f32, String)],
) -> Result<(), String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    for k in 0..height {
        let t = 1.0 - k as f32 / height as f32;
        area.draw(&Rectangle::new([(x, top + k), (x + 16, top + k + 1)], colour(t).filled())).map_err(text_err)?;
    }
    area.draw(&Rectangle::new([(x, top), (x + 16, top + height)], BLACK)).map_err(text_err)?;
    let style = TextStyle::from((crate::FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (t, label) in labels {
        let y = top + ((1.0 - t) * height as f32).round() as i32;
        area.draw(&Text::new(label.clone(), (x + 22, y), style.clone())).map_err(text_err)?;
    }
    Ok(())
}

mod bars;
mod forest;
mod line;
mod matrix;
mod panels;
mod score_table;

pub use bars::{BarPanels, Bars, bar_panels};
pub use forest::{Forest, ForestRow, forest};
pub use line::{LineChart, Series, line_chart};
pub use matrix::{MatrixImage, matrix_image};
pub use panels::{LinePanel, LinePanels, line_panels};
pub use score_table::{ScoreTable, score_table};

#[cfg(test)]
mod tests {
    use super::line::covering_counts;
    use super::*;

    fn dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("s2s-charts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_forest_plot_draws_each_row_with_its_label_and_note() {
        let dir = dir();
        let row = |label: &str, interval, note: &str| ForestRow {
            label: label.into(),
            interval,
            note: note.into(),
            colour: 2,
        };
        let rows = [
            row("1  rnn vs ann", Some((51.0, 48.0, 55.0)), "supported"),
            row("5b  encdec vs birnn", None, "counted"),
            row("2a  lstm vs rnn", Some((-3.0, -8.0, 1.0)), "not supported"),
        ];
        let chart = Forest { title: "claims", x_label: "delta", rows: &rows };
        forest(&dir.join("forest.png"), &chart).unwrap();
        forest(&dir.join("forest.svg"), &chart).unwrap();
        let svg = std::fs::read_to_string(dir.join("forest.svg")).unwrap();
        for text in ["1  rnn vs ann", "5b  encdec vs birnn", "counted", "not supported", "delta"] {
            assert!(svg.contains(text), "{text}");
        }
        let outside = [row("x", Some((9.0, 1.0, 2.0)), "")];
        assert!(forest(&dir.join("bad.svg"), &Forest { rows: &outside, ..chart }).is_err());
        assert!(forest(&dir.join("bad.svg"), &Forest { rows: &[], ..chart }).is_err());
    }

    #[test]
    fn log_axis_ticks_keep_two_significant_digits() {
        let ticks: Vec<String> = [0.02, 0.25, 0.3, 1.0, 1.5, 2.0, 20.0].map(super::line::significant).to_vec();
        assert_eq!(ticks, ["0.02", "0.25", "0.3", "1", "1.5", "2", "20"]);
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
            log_y: false,
        };
        line_chart(&dir.join("lines.png"), &chart).unwrap();
        line_chart(&dir.join("lines.svg"), &chart).unwrap();
        let svg = std::fs::read_to_string(dir.join("lines.svg")).unwrap();
        assert!(svg.contains("validation loss") && svg.contains("luong") && svg.contains("epoch"));
        let buckets: Vec<String> = ["1-4", "5-9", "10-14"].map(String::from).to_vec();
        // A log axis labels its ticks with the values themselves, one per half-decade from
        // below the lowest value to above the highest; a zero (a loss written as 0.000000) is
        // left out, not drawn at minus infinity.
        let losses =
            [Series { points: vec![(10.0, 2.0), (20.0, 0.5), (25.0, 0.04), (30.0, 0.0)], ..Default::default() }];
        let logged = LineChart { series: &losses, log_y: true, ..chart };
        line_chart(&dir.join("log.svg"), &logged).unwrap();
        let svg = std::fs::read_to_string(dir.join("log.svg")).unwrap();
        let ticks = ["0.032", "0.1", "0.32", "1", "3.2"];
        assert!(ticks.iter().all(|tick| svg.contains(&format!("\n{tick}\n"))), "{svg}");
        assert!(!svg.contains("\n0.01\n") && !svg.contains("\n0.056\n"), "ticks on half-decades only: {svg}");
        let faint = [Series { points: vec![(0.0, 1.0), (1.0, 2.0)], faint: vec![1.0], ..Default::default() }];
        line_chart(&dir.join("faint.svg"), &LineChart { series: &faint, ..chart }).unwrap();
        let svg = std::fs::read_to_string(dir.join("faint.svg")).unwrap();
        assert!(svg.contains("opacity=\"0.3"), "the segment to a faint point is drawn faint: {svg}");
        let chart = LineChart { x_labels: Some(&buckets), ..chart };
        line_chart(&dir.join("buckets.svg"), &chart).unwrap();
        assert!(std::fs::read_to_string(dir.join("buckets.svg")).unwrap().contains("5-9"));

        let rows: Vec<String> = vec!["encdec".into(), "luong".into()];
        let columns: Vec<String> = vec!["negation (12)".into(), "question".into()];
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
        let svg = std::fs::read_to_string(dir.join("table.svg")).unwrap();
        assert!(svg.contains("37.5") && svg.contains("\nnegation\n") && svg.contains("\n(12)\n"), "{svg}");
        let short_values = vec![vec![Some(1.0)]];
        assert!(score_table(&dir.join("bad.png"), &ScoreTable { values: &short_values, ..table }).is_err());

        let panels = vec![
            Bars { title: "parameters".into(), values: vec![Some(367_476.0), Some(1_200_000.0)] },
            Bars { title: "peak memory (MiB)".into(), values: vec![Some(120.0), None] },
        ];
        let bars = BarPanels {
            title: "cost",
            categories: &rows,
            styles: &[(2, false), (2, true)],
            panels: &panels,
            per_row: 2,
        };
        bar_panels(&dir.join("cost.png"), &bars).unwrap();
        bar_panels(&dir.join("cost.svg"), &bars).unwrap();
        let svg = std::fs::read_to_string(dir.join("cost.svg")).unwrap();
        assert!(svg.contains("1.20M"), "{svg}");
        assert!(svg.contains("opacity=\"0.35"), "the variant's bar is drawn light: {svg}");

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
