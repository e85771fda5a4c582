//! Attention figures of one translation: the heatmap, and one grid per kind of attention for
//! models with several layers or heads (the Transformer).

use std::path::{Path, PathBuf};

use anyhow::Result;
use seq2seq_model::AttentionKind;
use seq2seq_plot::Panel;
use seq2seq_train::{Translation, Translator};

/// The per-layer, per-head grids, and the file-name suffix of each.
pub const GRIDS: [(AttentionKind, &str); 3] = [
    (AttentionKind::EncoderSelf, "encoder-self"),
    (AttentionKind::DecoderSelf, "decoder-self"),
    (AttentionKind::Cross, "cross"),
];

/// The row labels of an attention map with `rows` rows over a translation of `tokens`: one per
/// output step, `<eos>` included; a translation cut off at the length limit has no `<eos>` step.
pub fn output_rows(tokens: &[String], rows: usize) -> Vec<String> {
    let mut outputs = tokens.to_vec();
    if rows > outputs.len() {
        outputs.push("<eos>".into());
    }
    outputs
}

/// Draws `translation`'s attention into `path` (PNG or SVG) and, with `grids`, for models with
/// several layers or heads, `STEM-encoder-self.EXT`, `STEM-decoder-self.EXT` and `STEM-cross.EXT`
/// beside it.
/// Returns each file with a caption; nothing when the model has no attention weights.
pub fn draw_attention(
    path: &Path,
    translator: &dyn Translator,
    sentence: &str,
    translation: &Translation,
    grids: bool,
) -> Result<Vec<(PathBuf, String)>> {
    let Some(weights) = &translation.attention else { return Ok(vec![]) };
    let arch = &translator.config().arch;
    let outputs = output_rows(&translation.tokens, weights.len());
    let maps = translator.attention_maps(translation);
    let what = match maps.iter().map(|m| m.head).max() {
        None => "attention",
        Some(0) => "cross-attention (last layer)",
        Some(_) => "cross-attention (last layer, mean of heads)",
    };
    seq2seq_plot::attention_heatmap(
        path,
        &format!("{arch} {what}: {sentence}"),
        &translation.source_tokens,
        &outputs,
        weights,
    )?;
    let mut written = vec![(path.to_path_buf(), format!("`{arch}`: {what} on `{sentence}`"))];
    if !grids {
        return Ok(written);
    }
    let inputs: Vec<String> =
        std::iter::once("<sos>".to_string()).chain(translation.tokens.iter().cloned()).take(outputs.len()).collect();
    let source = &translation.source_tokens;
    for (kind, suffix) in GRIDS {
        let (rows, columns) = match kind {
            AttentionKind::EncoderSelf => (source, source),
            AttentionKind::DecoderSelf => (&outputs, &inputs),
            AttentionKind::Cross => (&outputs, source),
        };
        let of_kind: Vec<_> = maps.iter().filter(|m| m.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        let titles: Vec<String> =
            of_kind.iter().map(|m| format!("layer {} · head {}", m.layer + 1, m.head + 1)).collect();
        let weights: Vec<Vec<Vec<f32>>> = of_kind
            .iter()
            .map(|m| {
                m.weights.iter().take(rows.len()).map(|row| row[..columns.len().min(row.len())].to_vec()).collect()
            })
            .collect();
        let panels: Vec<Panel> =
            titles.iter().zip(&weights).map(|(title, weights)| Panel { title, rows, columns, weights }).collect();
        let heads = of_kind.iter().map(|m| m.head + 1).max().unwrap_or(1);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let extension = path.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let file = path.with_file_name(format!("{stem}-{suffix}.{extension}"));
        let title = format!("{arch} {} per layer and head: {sentence}", kind.name());
        seq2seq_plot::attention_grid(&file, &title, &panels, heads)?;
        written.push((file, format!("`{arch}`: {} per layer and head", kind.name())));
    }
    Ok(written)
}
