//! Plots for the workbench, drawn with plotters into PNG or SVG (chosen by the file's
//! extension). Text uses DejaVu Sans, embedded through the `dejavu` crate, so PNGs render the
//! same on a machine without any system fonts.

mod charts;
mod heatmap;

pub use charts::{
    BarPanels, Bars, Forest, ForestRow, LineChart, LinePanel, LinePanels, MatrixImage, PALETTE, ScoreTable, Series,
    bar_panels, forest, line_chart, line_panels, matrix_image, score_table,
};
pub use heatmap::{Panel, attention_grid, attention_heatmap};

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::style::FontStyle;

/// The font family name every plot uses.
pub const FONT: &str = "sans-serif";

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("{path}: expected a .png or .svg file name")]
    Format { path: PathBuf },
    #[error("{path}: {message}")]
    Draw { path: PathBuf, message: String },
    #[error("{0}")]
    Input(String),
}

/// Registers the embedded font once per process.
pub(crate) fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .unwrap_or_else(|_| panic!("the embedded DejaVu Sans font is valid"));
        plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold())
            .unwrap_or_else(|_| panic!("the embedded DejaVu Sans Bold font is valid"));
    });
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Png,
    Svg,
}

pub(crate) fn format_of(path: &Path) -> Result<Format, PlotError> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        _ => Err(PlotError::Format { path: path.to_path_buf() }),
    }
}

/// Where to draw before the atomic rename: beside the target, same extension.
pub(crate) fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{}.{name}", std::process::id()))
}

/// Draws `figure` into `path` (PNG or SVG by extension), atomically: drawn beside it, renamed.
pub(crate) fn render(path: &Path, figure: &impl charts::Figure) -> Result<(), PlotError> {
    use plotters::prelude::{BitMapBackend, IntoDrawingArea, SVGBackend};
    let format = format_of(path)?;
    register_fonts();
    let size = figure.size();
    let tmp = temporary_path(path);
    let drawn = match format {
        Format::Png => figure.draw(BitMapBackend::new(&tmp, size).into_drawing_area()),
        Format::Svg => figure.draw(SVGBackend::new(&tmp, size).into_drawing_area()),
    };
    let fail = |message: String| PlotError::Draw { path: path.to_path_buf(), message };
    drawn.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })?;
    std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))
}
