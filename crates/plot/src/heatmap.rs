//! Attention heatmaps: source tokens along the top, generated tokens down the side, one cell
//! per weight, with a colour scale.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::Figure;
use crate::{FONT, PlotError, render};

const CELL: i32 = 34;
const SMALL_CELL: i32 = 24;
const CHAR: i32 = 9;

/// White → deep blue as the weight goes 0 → 1.
pub(crate) fn colour(weight: f32) -> RGBColor {
    let w = weight.clamp(0.0, 1.0);
    let mix = |from: f32, to: f32| (from + (to - from) * w).round() as u8;
    RGBColor(mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0))
}

/// One heatmap: one row per query token, one column per key token.
#[derive(Clone, Copy, Debug)]
pub struct Panel<'a> {
    /// Drawn above the panel (may be empty).
    pub title: &'a str,
    pub rows: &'a [String],
    pub columns: &'a [String],
    pub weights: &'a [Vec<f32>],
}

impl Panel<'_> {
    fn check(&self) -> Result<(), PlotError> {
        if self.weights.is_empty() || self.columns.is_empty() {
            return Err(PlotError::Input(format!("{}: no attention weights to draw", self.title)));
        }
        if self.weights.len() != self.rows.len() || self.weights.iter().any(|row| row.len() != self.columns.len()) {
            return Err(PlotError::Input(format!(
                "{}attention of {} rows for {} row labels and {} column labels",
                if self.title.is_empty() { String::new() } else { format!("{}: ", self.title) },
                self.weights.len(),
                self.rows.len(),
                self.columns.len()
            )));
        }
        Ok(())
    }
}

fn longest(tokens: &[String]) -> i32 {
    tokens.iter().map(|t| t.chars().count()).max().unwrap_or(1) as i32
}

/// What an attention map's axes are, said once under the figure's title.
const AXES: &str = "rows: queries (the words attending) · columns: keys (the words attended to) · a row sums to 1";

/// Pixels above the first row of panels: the title and the line naming the axes.
const PANELS_TOP: i32 = 58;

/// Where a panel's pieces go, relative to its top-left corner.
#[derive(Clone, Copy)]
struct Layout {
    cell: i32,
    /// Room for row labels, and for rotated column labels (plus the panel title).
    left: i32,
    top: i32,
    /// The size of one panel, labels included.
    width: i32,
    height: i32,
    /// Room under a panel's heatmap.
    bottom: i32,
}

impl Layout {
    fn of(panels: &[Panel<'_>], cell: i32) -> Layout {
        let max = |f: &dyn Fn(&Panel<'_>) -> i32| panels.iter().map(f).max().unwrap_or(1);
        let left = 20 + CHAR * max(&|p| longest(p.rows));
        let titled = panels.iter().any(|p| !p.title.is_empty());
        let top = if titled { 28 } else { 0 } + 14 + CHAR * max(&|p| longest(p.columns));
        let width = left + cell * max(&|p| p.columns.len() as i32) + 20;
        // A panel's bottom margin as wide as its title's room, so that a title sits nearer its
        // own heatmap than the one above.
        let bottom = if titled { 40 } else { 16 };
        let height = top + cell * max(&|p| p.rows.len() as i32) + bottom;
        Layout { cell, left, top, width, height, bottom }
    }
}

struct Grid<'a> {
    title: &'a str,
    panels: &'a [Panel<'a>],
    per_row: usize,
    layout: Layout,
}

impl Figure for Grid<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.per_row) as i32;
        let width = (10 + self.layout.width * self.per_row as i32 + 90).max(360);
        let width = width.max(CHAR * self.title.chars().count() as i32 + 20);
        // The axes' line is in a smaller font: about 7 pixels a character.
        let width = width.max(7 * AXES.chars().count() as i32 + 20);
        (width as u32, (PANELS_TOP + self.layout.height * rows + 20).max(200) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        draw(area, self.title, self.panels, self.per_row, self.layout)
    }
}

fn draw<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Panel<'_>],
    per_row: usize,
    layout: Layout,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    area.fill(&WHITE).map_err(err)?;
    let title_style = TextStyle::from((FONT, 18).into_font()).color(&BLACK);
    area.draw(&Text::new(title.to_string(), (10, 10), title_style)).map_err(err)?;
    let axes = TextStyle::from((FONT, 14).into_font()).color(&RGBColor(90, 90, 90));
    area.draw(&Text::new(AXES, (10, 34), axes)).map_err(err)?;
    let label = TextStyle::from((FONT, 14).into_font()).color(&BLACK);
    let subtitle = TextStyle::from((FONT, 15).into_font()).color(&BLACK);
    let Layout { cell, left, top, width, height, bottom } = layout;
    for (k, panel) in panels.iter().enumerate() {
        let (x, y) = (10 + width * (k % per_row) as i32, PANELS_TOP + height * (k / per_row) as i32);
        // Just above its own column labels.
        let title_y = y + top - 14 - CHAR * longest(panel.columns) - 20;
        area.draw(&Text::new(panel.title.to_string(), (x + left, title_y.max(y)), subtitle.clone())).map_err(err)?;
        let (left, top) = (x + left, y + top);
        for (j, token) in panel.columns.iter().enumerate() {
            let cx = left + cell * j as i32 + cell / 2;
            let style = label.clone().transform(FontTransform::Rotate270).pos(Pos::new(HPos::Left, VPos::Center));
            area.draw(&Text::new(token.clone(), (cx, top - 6), style)).map_err(err)?;
        }
        for (i, token) in panel.rows.iter().enumerate() {
            let cy = top + cell * i as i32 + cell / 2;
            let style = label.clone().pos(Pos::new(HPos::Right, VPos::Center));
            area.draw(&Text::new(token.clone(), (left - 6, cy), style)).map_err(err)?;
            for (j, &w) in panel.weights[i].iter().enumerate() {
                let (x0, y0) = (left + cell * j as i32, top + cell * i as i32);
                area.draw(&Rectangle::new([(x0, y0), (x0 + cell, y0 + cell)], colour(w).filled())).map_err(err)?;
                area.draw(&Rectangle::new([(x0, y0), (x0 + cell, y0 + cell)], RGBColor(220, 220, 220))).map_err(err)?;
            }
        }
    }
    // Colour scale, right of the panels: 1 at the top, 0 at the bottom.
    let columns = per_row.min(panels.len()) as i32;
    let (bar_x, bar_top, bar_h) = (10 + width * columns + 10, PANELS_TOP + top, (height - top - bottom).max(100));
    let labels = [(1.0, "1.0".to_string()), (0.5, "0.5".to_string()), (0.0, "0.0".to_string())];
    crate::charts::colour_scale(&area, (bar_x, bar_top), bar_h, colour, &labels)?;
    area.present().map_err(err)
}

/// Writes `panels` as a grid of heatmaps, `per_row` to a row, with one colour scale, to `path`
/// (`.png` or `.svg`), atomically.
pub fn attention_grid(path: &Path, title: &str, panels: &[Panel<'_>], per_row: usize) -> Result<(), PlotError> {
    if panels.is_empty() {
        return Err(PlotError::Input("no attention maps to draw".into()));
    }
    for panel in panels {
        panel.check()?;
    }
    let per_row = per_row.clamp(1, panels.len());
    let layout = Layout::of(panels, if panels.len() == 1 { CELL } else { SMALL_CELL });
    render(path, &Grid { title, panels, per_row, layout })
}

/// Writes the heatmap of `weights` (one row per generated token, one column per source token)
/// to `path` (`.png` or `.svg`), atomically.
pub fn attention_heatmap(
    path: &Path,
    title: &str,
    source: &[String],
    generated: &[String],
    weights: &[Vec<f32>],
) -> Result<(), PlotError> {
    attention_grid(path, title, &[Panel { title: "", rows: generated, columns: source, weights }], 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn writes_png_and_svg_with_labels() {
        let dir = std::env::temp_dir().join(format!("s2s-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = tokens("tourists visit finland");
        let generated = tokens("turistit vierailevat suomessa <eos>");
        let weights = vec![vec![0.9, 0.05, 0.05], vec![0.1, 0.8, 0.1], vec![0.0, 0.1, 0.9], vec![0.3, 0.3, 0.4]];
        let png = dir.join("a.png");
        attention_heatmap(&png, "attention", &source, &generated, &weights).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let svg = dir.join("a.svg");
        attention_heatmap(&svg, "attention", &source, &generated, &weights).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("suomessa") && text.contains("finland") && text.contains(AXES), "{text}");
        assert!(attention_heatmap(&dir.join("a.txt"), "x", &source, &generated, &weights).is_err());
        assert!(attention_heatmap(&png, "x", &source, &generated[..2], &weights).is_err());
        // A grid of panels, e.g. one per head.
        let panels: Vec<Panel> = (0..4)
            .map(|_| Panel { title: "layer 1 · head 1", rows: &generated, columns: &source, weights: &weights })
            .collect();
        let grid = dir.join("grid.svg");
        attention_grid(&grid, "heads", &panels, 2).unwrap();
        assert_eq!(std::fs::read_to_string(&grid).unwrap().matches("layer 1 · head 1").count(), 4);
        attention_grid(&dir.join("grid.png"), "heads", &panels, 2).unwrap();
        assert!(attention_grid(&grid, "x", &[], 2).is_err());
    }
}
