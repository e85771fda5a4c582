//! The sinusoidal positional encoding the Transformer adds to its embeddings (its table comes
//! from the transformer crate), drawn for the report.

use std::path::Path;

use anyhow::{Context, Result};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_plot::MatrixImage;
use seq2seq_report::Figure;

/// The sinusoidal positional encoding the Transformer adds to its embeddings, as an image and CSV.
pub fn positional_encoding(plots: &Path, d_model: usize) -> Result<Figure> {
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
    Ok(Figure {
        path: "plots/positional-encoding.png".into(),
        caption:
            "the sinusoidal positional encoding: sin on even, cos on odd dimensions, wavelengths from 2π to 10000·2π"
                .into(),
    })
}
