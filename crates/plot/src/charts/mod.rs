//! Charts for comparison reports: line charts (with a band for the spread over seeds), a table
//! of scores as a labelled heatmap, bar panels, and a matrix image (the positional encoding).

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

mod bars;
mod line;
mod matrix;
mod score_table;

pub use bars::{BarPanels, Bars, bar_panels};
pub use line::{LineChart, Series, line_chart};
pub use matrix::{MatrixImage, matrix_image};
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
