//! The `[model]` section of `--arch conv`, and the receptive field it gives.

use seq2seq_model::validate::{ConfigIssue, ModelConfig, count, dropout, issue, width};
use serde::{Deserialize, Serialize};

/// Which words a layer reads around slot `t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    /// Words `t − (k − 1)·δ … t`: output `t` never sees a word after it (a left-to-right reader).
    Causal,
    /// `(k − 1)·δ / 2` words on each side of `t` (an odd kernel), as the ANN's window.
    #[default]
    Centred,
}

/// The dilation of each layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dilation {
    /// `δ_l = 1`: the field grows by `k − 1` words a layer.
    #[default]
    None,
    /// `δ_l = 2^l`: the field doubles a layer.
    Doubling,
}

/// What is added to the embeddings to say where a word is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Positions {
    /// Nothing: the model knows *what* it sees, not where.
    #[default]
    None,
    /// A learned vector per position (up to `max_positions`; later ones share the last).
    Learned,
    /// The Transformer's fixed sinusoids (`seq2seq_transformer::positions`).
    Sinusoidal,
}

/// The `[model]` section of `--arch conv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConvConfig {
    /// Width `d` of the embeddings and of every layer.
    pub channels: usize,
    /// Gated convolution layers `L`.
    pub layers: usize,
    /// Words a kernel spans, `k`.
    pub kernel_size: usize,
    pub dilation: Dilation,
    pub context: Context,
    pub positions: Positions,
    /// Positions with a learned vector (`positions = "learned"`).
    pub max_positions: usize,
    pub dropout: f64,
    /// Output slots beyond the source length when translating.
    pub slack: usize,
}

impl Default for ConvConfig {
    fn default() -> Self {
        Self {
            channels: 128,
            layers: 4,
            kernel_size: 3,
            dilation: Dilation::None,
            context: Context::Centred,
            positions: Positions::None,
            max_positions: 256,
            dropout: 0.1,
            slack: 4,
        }
    }
}

/// The most layers a stack may have; dilations double at most this many times.
pub const MAX_LAYERS: usize = 32;
const MAX_DOUBLING_LAYERS: usize = 16;

impl ConvConfig {
    /// `δ_l` of layer `l` (from 0).
    pub fn dilation_of(&self, layer: usize) -> usize {
        match self.dilation {
            Dilation::None => 1,
            Dilation::Doubling => 1 << layer,
        }
    }

    /// ```text
    /// R = 1 + (k − 1) · Σ_l δ_l
    /// ```
    /// the words one output can see.
    pub fn receptive_field(&self) -> usize {
        1 + (self.kernel_size - 1) * (0..self.layers).map(|l| self.dilation_of(l)).sum::<usize>()
    }

    /// `(left, right)` zero padding of layer `l`: the words it reads before and after a slot.
    pub fn padding_of(&self, layer: usize) -> (usize, usize) {
        crate::ConvBlock::padding(self.kernel_size, self.dilation_of(layer), self.context)
    }
}

impl ModelConfig for ConvConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("channels", self.channels)?;
        count("kernel_size", self.kernel_size, 1, 31)?;
        if self.context == Context::Centred && self.kernel_size % 2 == 0 {
            return Err(issue(
                "kernel_size",
                self.kernel_size,
                "an odd kernel with context = \"centred\" (as many words on each side)",
            ));
        }
        let most = if self.dilation == Dilation::Doubling { MAX_DOUBLING_LAYERS } else { MAX_LAYERS };
        count("layers", self.layers, 1, most)?;
        if self.dilation == Dilation::Doubling && self.kernel_size == 1 {
            return Err(issue(
                "dilation",
                "\"doubling\"",
                "\"none\" with kernel_size = 1: a kernel of one word has nothing to spread",
            ));
        }
        count("max_positions", self.max_positions, 1, 1 << 20)?;
        dropout("dropout", self.dropout)?;
        count("slack", self.slack, 0, 1024)
    }
}
