//! ConvS2S's decoder layer: a causal gated convolution, then its own attention over the source
//! (Gehring et al. 2017, section 3.3: "multi-step attention" — every layer attends).

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Int, Tensor};
use seq2seq_model::dropout::Dropout;

use crate::block::SQRT_HALF;
use crate::{Context, ConvBlock};

/// What every decoder layer attends to, computed once per batch by the encoder.
#[derive(Clone, Debug)]
pub struct EncodedSource {
    /// `z_j`, the encoder's top layer: the keys, `[batch, src_len, d]`.
    pub keys: Tensor<3>,
    /// `√m · √½ (z_j + e_j)`: the values carry the input embeddings too (the encoder's
    /// "point information"), scaled by the sentence's length `m`; `[batch, src_len, d]`.
    pub values: Tensor<3>,
    /// `0` at real source words, `−10⁹` at padding: `[batch, 1, src_len]`.
    pub bias: Tensor<3>,
}

impl EncodedSource {
    /// Keeps rows `rows` (beam search's hypotheses).
    pub fn select(&self, rows: Tensor<1, Int>) -> Self {
        EncodedSource {
            keys: self.keys.clone().select(0, rows.clone()),
            values: self.values.clone().select(0, rows.clone()),
            bias: self.bias.clone().select(0, rows),
        }
    }
}

/// One layer's attention, queried by the layer's convolution output `h_i` and the target
/// embedding `g_i` of its position.
#[derive(Module, Debug)]
pub struct ConvAttention {
    /// `W_d, b_d`: `[d, d]`.
    pub query: Linear,
    /// `W_o, b_o`: `[d, d]`, back to the layer's width.
    pub output: Linear,
}

impl ConvAttention {
    pub fn new(d: usize, device: &Device) -> Self {
        ConvAttention { query: LinearConfig::new(d, d).init(device), output: LinearConfig::new(d, d).init(device) }
    }

    /// ```text
    /// d_i  = √½ (W_d h_i + b_d + g_i)
    /// a_ij = softmax_j(d_i · z_j)                       padding masked
    /// c_i  = Σ_j a_ij · √m · √½ (z_j + e_j)
    /// out  = √½ (W_o c_i + b_o + h_i)
    /// ```
    /// `h`, `g` `[batch, tgt, d]` → `out` `[batch, tgt, d]` and `a` `[batch, tgt, src_len]`.
    pub fn forward(&self, h: Tensor<3>, g: Tensor<3>, source: &EncodedSource) -> (Tensor<3>, Tensor<3>) {
        let query = (self.query.forward(h.clone()) + g) * SQRT_HALF; // [batch, tgt, d]
        let scores = query.matmul(source.keys.clone().swap_dims(1, 2)) + source.bias.clone(); // [batch, tgt, src]
        let weights = softmax(scores, 2);
        let context = weights.clone().matmul(source.values.clone()); // [batch, tgt, d]
        ((self.output.forward(context) + h) * SQRT_HALF, weights)
    }
}

/// ```text
/// h_i^l = √½ (attend(GLU(W^l ∗ [h_{i−k+1}^{l−1} … h_i^{l−1}] + c^l)) + h_i^{l−1})
/// ```
/// the window ending at `i`: a decoder output never reads a later target word.
#[derive(Module, Debug)]
pub struct ConvDecoderLayer {
    /// Zero padding `k − 1` words on the left only.
    pub block: ConvBlock,
    pub attention: ConvAttention,
}

impl ConvDecoderLayer {
    pub fn new(d: usize, kernel_size: usize, device: &Device) -> Self {
        let block = ConvBlock::new(d, kernel_size, 1, ConvBlock::padding(kernel_size, 1, Context::Causal), device);
        ConvDecoderLayer { block, attention: ConvAttention::new(d, device) }
    }

    /// Every target position at once: `x` (the layer's input) and `g` `[batch, tgt, d]` →
    /// the layer's output `[batch, tgt, d]` and its attention `[batch, tgt, src_len]`.
    pub fn forward(
        &self,
        x: Tensor<3>,
        g: Tensor<3>,
        source: &EncodedSource,
        dropout: &Dropout,
    ) -> (Tensor<3>, Tensor<3>) {
        let gated = self.block.gate(dropout.forward(x.clone()));
        let (attended, weights) = self.attention.forward(gated, g, source);
        ((attended + x) * SQRT_HALF, weights)
    }

    /// One new position: `x`, `g` `[rows, 1, d]` and the layer's `k − 1` previous inputs
    /// `window` `[rows, k − 1, d]` (zeros before the first word, as the padding) → the output
    /// `[rows, 1, d]`, its attention `[rows, 1, src_len]` and the window for the next step.
    pub fn step(
        &self,
        x: Tensor<3>,
        g: Tensor<3>,
        window: Tensor<3>,
        source: &EncodedSource,
    ) -> (Tensor<3>, Tensor<3>, Tensor<3>) {
        let span = self.block.span();
        let read = Tensor::cat(vec![window, x.clone()], 1); // [rows, k, d]
        let gated = self.block.gate_last(read.clone());
        let (attended, weights) = self.attention.forward(gated, g, source);
        ((attended + x) * SQRT_HALF, weights, read.narrow(1, 1, span))
    }
}
