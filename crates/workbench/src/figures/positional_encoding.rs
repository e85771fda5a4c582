//! The sinusoidal positional encoding the Transformer adds to its embeddings (its table comes
//! from the transformer crate), drawn for the report.

use std::path::Path;

use anyhow::{Context, Result};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_plot::{LineChart, MatrixImage, Series};
use seq2seq_report::Figure;

/// Dimensions drawn as lines: a sine and its cosine, then ever longer wavelengths (dimensions 0
/// and 1 turn once every 2π ≈ 6 positions, too fast to read at whole positions).
const DIMENSIONS: [usize; 5] = [6, 7, 16, 32, 64];

/// The sinusoidal positional encoding the Transformer adds to its embeddings: the whole table as
/// an image with its colour scale, a few dimensions as lines against the position, and the CSV.
pub fn positional_encoding(plots: &Path, d_model: usize) -> Result<Vec<Figure>> {
    let device = burn::tensor::Device::flex();
    let positions = 50;
    let table = seq2seq_transformer::positions::sinusoidal(0, positions, d_model, &device);
    let values: Vec<f32> = table.into_data().try_to_vec::<f32>().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let rows: Vec<Vec<f32>> = values.chunks(d_model).map(<[f32]>::to_vec).collect();
    let title = format!("sinusoidal positional encoding (d_model = {d_model})");
    let image = MatrixImage { title: &title, x_label: "dimension", y_label: "position", values: &rows };
    for ext in ["png", "svg"] {
        seq2seq_plot::matrix_image(&plots.join(format!("positional-encoding.{ext}")), &image)?;
    }
    let mut text = format!("position,{}\n", (0..d_model).map(|d| format!("d{d}")).collect::<Vec<_>>().join(","));
    for (p, row) in rows.iter().enumerate() {
        text.push_str(&format!("{p},{}\n", row.iter().map(|v| format!("{v:.6}")).collect::<Vec<_>>().join(",")));
    }
    let csv = plots.join("positional-encoding.csv");
    write_atomic(&csv, text.as_bytes()).with_context(|| format!("writing {}", csv.display()))?;
    let image = Figure {
        path: "plots/positional-encoding.png".into(),
        caption:
            "the sinusoidal positional encoding: sin on even, cos on odd dimensions, wavelengths from 2π to 10000·2π"
                .into(),
    };
    Ok(vec![image, dimensions(plots, &rows, d_model)?])
}

/// The wavelength of dimension `dim`, in positions: `2π · 10000^(2i / d_model)`, `i = ⌊dim / 2⌋`.
fn wavelength(dim: usize, d_model: usize) -> f64 {
    std::f64::consts::TAU * 10_000f64.powf(2.0 * (dim / 2) as f64 / d_model as f64)
}

/// `PE(pos, dim)` against `pos` for the dimensions of [`DIMENSIONS`] the model has: each a
/// sinusoid of its [`wavelength`].
fn dimensions(plots: &Path, rows: &[Vec<f32>], d_model: usize) -> Result<Figure> {
    let drawn: Vec<usize> = DIMENSIONS.into_iter().filter(|&dim| dim < d_model).collect();
    let series: Vec<Series> = drawn
        .iter()
        .enumerate()
        .map(|(colour, &dim)| {
            let wavelength = wavelength(dim, d_model);
            let wave = if dim % 2 == 0 { "sin" } else { "cos" };
            Series {
                name: format!("dimension {dim} ({wave}, wavelength {wavelength:.1} positions)"),
                points: rows.iter().enumerate().map(|(pos, row)| (pos as f64, f64::from(row[dim]))).collect(),
                colour,
                ..Default::default()
            }
        })
        .collect();
    let title = format!("positional encoding: a few dimensions against the position (d_model = {d_model})");
    let chart = LineChart {
        title: &title,
        x_label: "position",
        y_label: "PE(position, dimension)",
        series: &series,
        x_labels: None,
        y_range: Some((-1.0, 1.0)),
        log_y: false,
    };
    for ext in ["png", "svg"] {
        seq2seq_plot::line_chart(&plots.join(format!("positional-encoding-dimensions.{ext}")), &chart)?;
    }
    let mut text = format!("position,{}\n", drawn.iter().map(|d| format!("d{d}")).collect::<Vec<_>>().join(","));
    for (pos, row) in rows.iter().enumerate() {
        text.push_str(&format!(
            "{pos},{}\n",
            drawn.iter().map(|&d| format!("{:.6}", row[d])).collect::<Vec<_>>().join(",")
        ));
    }
    let csv = plots.join("positional-encoding-dimensions.csv");
    write_atomic(&csv, text.as_bytes()).with_context(|| format!("writing {}", csv.display()))?;
    Ok(Figure {
        path: "plots/positional-encoding-dimensions.png".into(),
        caption: format!(
            "the positional encoding, dimension by dimension: low dimensions turn fast, high ones slowly (the \
             highest drawn, dimension {}, over about {:.0} positions; the model's last, near 10000·2π, hardly at \
             all) — together they give every position its own pattern",
            drawn.last().copied().unwrap_or(0),
            drawn.last().map_or(0.0, |&dim| wavelength(dim, d_model))
        ),
    })
}
