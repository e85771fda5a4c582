//! Attention heatmaps: source tokens along the top, generated tokens down the side, one cell
//! per weight, with a colour scale.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{FONT, Format, PlotError, format_of, register_fonts, temporary_path};

const CELL: i32 = 34;
const CHAR: i32 = 9;

/// White → deep blue as the weight goes 0 → 1.
fn colour(weight: f32) -> RGBColor {
    let w = weight.clamp(0.0, 1.0);
    let mix = |from: f32, to: f32| (from + (to - from) * w).round() as u8;
    RGBColor(mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0))
}

struct Layout {
    left: i32,
    top: i32,
    grid_w: i32,
    grid_h: i32,
}

fn draw<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    layout: &Layout,
    title: &str,
    source: &[String],
    generated: &[String],
    weights: &[Vec<f32>],
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let Layout { left, top, grid_w, grid_h } = *layout;
    area.fill(&WHITE).map_err(err)?;
    let title_style = TextStyle::from((FONT, 18).into_font()).color(&BLACK);
    area.draw(&Text::new(title.to_string(), (10, 10), title_style)).map_err(err)?;
    let label = TextStyle::from((FONT, 14).into_font()).color(&BLACK);
    for (j, token) in source.iter().enumerate() {
        let x = left + CELL * j as i32 + CELL / 2;
        let style = label.clone().transform(FontTransform::Rotate270).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(token.clone(), (x, top - 6), style)).map_err(err)?;
    }
    for (i, token) in generated.iter().enumerate() {
        let y = top + CELL * i as i32 + CELL / 2;
        let style = label.clone().pos(Pos::new(HPos::Right, VPos::Center));
        area.draw(&Text::new(token.clone(), (left - 6, y), style)).map_err(err)?;
        for (j, &w) in weights[i].iter().enumerate() {
            let (x0, y0) = (left + CELL * j as i32, top + CELL * i as i32);
            area.draw(&Rectangle::new([(x0, y0), (x0 + CELL, y0 + CELL)], colour(w).filled())).map_err(err)?;
            area.draw(&Rectangle::new([(x0, y0), (x0 + CELL, y0 + CELL)], RGBColor(220, 220, 220))).map_err(err)?;
        }
    }
    // Colour scale: 1 at the top, 0 at the bottom.
    let (bar_x, bar_h) = (left + grid_w + 24, grid_h.max(100));
    for k in 0..bar_h {
        let w = 1.0 - k as f32 / bar_h as f32;
        area.draw(&Rectangle::new([(bar_x, top + k), (bar_x + 16, top + k + 1)], colour(w).filled())).map_err(err)?;
    }
    area.draw(&Rectangle::new([(bar_x, top), (bar_x + 16, top + bar_h)], BLACK)).map_err(err)?;
    for (value, y) in [(1.0, top), (0.5, top + bar_h / 2), (0.0, top + bar_h)] {
        let style = label.clone().pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(format!("{value:.1}"), (bar_x + 22, y), style)).map_err(err)?;
    }
    area.present().map_err(err)
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
    if weights.is_empty() || source.is_empty() {
        return Err(PlotError::Input("no attention weights to draw".into()));
    }
    if weights.len() != generated.len() || weights.iter().any(|row| row.len() != source.len()) {
        return Err(PlotError::Input(format!(
            "attention of {} rows for {} generated tokens and {} source tokens",
            weights.len(),
            generated.len(),
            source.len()
        )));
    }
    let format = format_of(path)?;
    register_fonts();
    let longest = |tokens: &[String]| tokens.iter().map(|t| t.chars().count()).max().unwrap_or(1) as i32;
    let left = 20 + CHAR * longest(generated);
    let top = 60 + CHAR * longest(source);
    let grid_w = CELL * source.len() as i32;
    let grid_h = CELL * generated.len() as i32;
    let width = (left + grid_w + 110).max(360) as u32;
    let height = (top + grid_h + 30).max(200) as u32;
    let tmp = temporary_path(path);
    let layout = Layout { left, top, grid_w, grid_h };
    let drawn = match format {
        Format::Png => draw(
            BitMapBackend::new(&tmp, (width, height)).into_drawing_area(),
            &layout,
            title,
            source,
            generated,
            weights,
        ),
        Format::Svg => {
            draw(SVGBackend::new(&tmp, (width, height)).into_drawing_area(), &layout, title, source, generated, weights)
        }
    };
    let fail = |message: String| PlotError::Draw { path: path.to_path_buf(), message };
    drawn.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })?;
    std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))
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
        assert!(text.contains("suomessa") && text.contains("finland"));
        assert!(attention_heatmap(&dir.join("a.txt"), "x", &source, &generated, &weights).is_err());
        assert!(attention_heatmap(&png, "x", &source, &generated[..2], &weights).is_err());
    }
}
