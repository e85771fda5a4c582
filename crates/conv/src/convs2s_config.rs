//! The `[model]` section of `--arch convs2s`.

use seq2seq_model::validate::{ConfigIssue, ModelConfig, count, dropout, issue, width};
use serde::{Deserialize, Serialize};

/// The `[model]` section of `--arch convs2s`: fairseq's small IWSLT model (`fconv_iwslt_de_en`:
/// 4 encoder and 3 decoder layers of kernel 3) at half its width, for a toy task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConvS2SConfig {
    /// Width `d` of the embeddings, of every convolution and of the attention.
    pub channels: usize,
    /// Centred gated convolution layers over the source.
    pub encoder_layers: usize,
    /// Causal gated convolution layers over the target, each followed by its own attention.
    pub decoder_layers: usize,
    /// Words a kernel spans, `k`, in the encoder (centred: an odd kernel) and the decoder.
    pub kernel_size: usize,
    /// Positions with a learned vector (later ones share the last).
    pub max_positions: usize,
    pub dropout: f64,
}

impl Default for ConvS2SConfig {
    fn default() -> Self {
        Self { channels: 128, encoder_layers: 4, decoder_layers: 3, kernel_size: 3, max_positions: 256, dropout: 0.1 }
    }
}

impl ConvS2SConfig {
    /// ```text
    /// R = 1 + (k − 1) · L
    /// ```
    /// the source words one encoder output sees (centred), and the target words, itself
    /// included, that one decoder output sees (causal); attention reaches the whole source.
    pub fn receptive_field(&self, layers: usize) -> usize {
        1 + (self.kernel_size - 1) * layers
    }
}

impl ModelConfig for ConvS2SConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("channels", self.channels)?;
        count("kernel_size", self.kernel_size, 3, 31)?;
        if self.kernel_size % 2 == 0 {
            return Err(issue(
                "kernel_size",
                self.kernel_size,
                "an odd kernel (the encoder reads as many words on each side of a slot)",
            ));
        }
        count("encoder_layers", self.encoder_layers, 1, crate::config::MAX_LAYERS)?;
        count("decoder_layers", self.decoder_layers, 1, crate::config::MAX_LAYERS)?;
        count("max_positions", self.max_positions, 1, 1 << 20)?;
        dropout("dropout", self.dropout)
    }
}
