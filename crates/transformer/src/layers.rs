//! The encoder and decoder layers (Vaswani et al. 2017, §3.1, §3.3).
//!
//! Every sub-layer (attention or feed-forward) is wrapped in a residual connection and a layer
//! norm. The paper normalises after the residual sum (post-norm):
//! `x + Dropout(Sublayer(x))` → `LayerNorm(·)`; pre-norm (`norm_first`) normalises the
//! sub-layer's input instead, `x + Dropout(Sublayer(LayerNorm(x)))`, which trains more stably
//! without warm-up and needs a final norm after the last layer.

use burn::module::Module;
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::Device;
use burn::tensor::Tensor;
use burn::tensor::activation::relu;
use seq2seq_model::dropout::{Dropout, DropoutConfig};

use crate::attention::MultiHeadAttention;

/// `FFN(x) = max(0, x W_1 + b_1) W_2 + b_2`, applied to every position separately.
#[derive(Module, Debug)]
pub struct FeedForward {
    pub inner: Linear,
    pub outer: Linear,
    pub dropout: Dropout,
}

impl FeedForward {
    pub fn new(d_model: usize, d_ff: usize, dropout: f64, device: &Device) -> Self {
        FeedForward {
            inner: LinearConfig::new(d_model, d_ff).init(device),
            outer: LinearConfig::new(d_ff, d_model).init(device),
            dropout: DropoutConfig::new(dropout).init(),
        }
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.outer.forward(self.dropout.forward(relu(self.inner.forward(x)))) // [batch, length, d_model]
    }
}

/// One residual connection with its layer norm, post-norm or pre-norm.
#[derive(Module, Debug)]
pub struct Residual {
    pub norm: LayerNorm,
    pub dropout: Dropout,
    pub norm_first: bool,
}

impl Residual {
    fn new(d_model: usize, dropout: f64, norm_first: bool, device: &Device) -> Self {
        Residual {
            norm: LayerNormConfig::new(d_model).init(device),
            dropout: DropoutConfig::new(dropout).init(),
            norm_first,
        }
    }

    /// What the sub-layer reads: `LayerNorm(x)` with pre-norm, `x` itself with post-norm.
    pub fn input(&self, x: Tensor<3>) -> Tensor<3> {
        if self.norm_first { self.norm.forward(x) } else { x }
    }

    /// `LayerNorm(x + Dropout(out))` with post-norm, `x + Dropout(out)` with pre-norm.
    pub fn output(&self, x: Tensor<3>, out: Tensor<3>) -> Tensor<3> {
        let sum = x + self.dropout.forward(out);
        if self.norm_first { sum } else { self.norm.forward(sum) }
    }
}

#[derive(Module, Debug)]
pub struct EncoderLayer {
    pub self_attention: MultiHeadAttention,
    pub feed_forward: FeedForward,
    pub attention_residual: Residual,
    pub feed_forward_residual: Residual,
}

impl EncoderLayer {
    pub fn new(d_model: usize, heads: usize, d_ff: usize, dropout: f64, norm_first: bool, device: &Device) -> Self {
        EncoderLayer {
            self_attention: MultiHeadAttention::new(d_model, heads, device),
            feed_forward: FeedForward::new(d_model, d_ff, dropout, device),
            attention_residual: Residual::new(d_model, dropout, norm_first, device),
            feed_forward_residual: Residual::new(d_model, dropout, norm_first, device),
        }
    }

    /// Self-attention as one fused operation (see [`MultiHeadAttention::with_fused`]).
    pub fn with_fused(self, fused: bool) -> Self {
        Self { self_attention: self.self_attention.with_fused(fused), ..self }
    }

    /// `x` `[batch, src_len, d_model]`, `padding` the source's padding bias. Returns the new
    /// states and the self-attention weights `[batch, heads, src_len, src_len]`.
    pub fn forward(&self, x: Tensor<3>, padding: Tensor<4>) -> (Tensor<3>, Tensor<4>) {
        let input = self.attention_residual.input(x.clone());
        let (attended, weights) = self.self_attention.forward(input.clone(), input, Some(padding));
        let x = self.attention_residual.output(x, attended);
        let out = self.feed_forward.forward(self.feed_forward_residual.input(x.clone()));
        (self.feed_forward_residual.output(x, out), weights)
    }
}

/// Keys and values (`[batch, heads, length, d_k]` each) that a decoder layer attends over.
pub type KeysValues = (Tensor<4>, Tensor<4>);

/// What a decoder layer returns besides its output.
pub struct DecoderAttention {
    /// Self-attention keys and values of every target position so far (the cache to keep).
    pub self_keys_values: KeysValues,
    /// `[batch, heads, new positions, target positions so far]`.
    pub self_weights: Tensor<4>,
    /// `[batch, heads, new positions, src_len]`.
    pub cross_weights: Tensor<4>,
}

#[derive(Module, Debug)]
pub struct DecoderLayer {
    pub self_attention: MultiHeadAttention,
    pub cross_attention: MultiHeadAttention,
    pub feed_forward: FeedForward,
    pub self_attention_residual: Residual,
    pub cross_attention_residual: Residual,
    pub feed_forward_residual: Residual,
}

impl DecoderLayer {
    pub fn new(d_model: usize, heads: usize, d_ff: usize, dropout: f64, norm_first: bool, device: &Device) -> Self {
        DecoderLayer {
            self_attention: MultiHeadAttention::new(d_model, heads, device),
            cross_attention: MultiHeadAttention::new(d_model, heads, device),
            feed_forward: FeedForward::new(d_model, d_ff, dropout, device),
            self_attention_residual: Residual::new(d_model, dropout, norm_first, device),
            cross_attention_residual: Residual::new(d_model, dropout, norm_first, device),
            feed_forward_residual: Residual::new(d_model, dropout, norm_first, device),
        }
    }

    /// Self- and cross-attention as fused operations (see [`MultiHeadAttention::with_fused`]).
    pub fn with_fused(self, fused: bool) -> Self {
        Self {
            self_attention: self.self_attention.with_fused(fused),
            cross_attention: self.cross_attention.with_fused(fused),
            ..self
        }
    }

    /// The decoder layer on new target positions `y` `[batch, new, d_model]`.
    ///
    /// `past`: the cached self-attention keys and values of earlier positions (none when the
    /// whole target is fed at once, as in training); `causal`: the bias that hides later
    /// positions (needed only when several positions are new). `encoder` holds this layer's
    /// cross-attention keys and values of the encoder output, `padding` the source's bias.
    pub fn forward(
        &self,
        y: Tensor<3>,
        past: Option<KeysValues>,
        causal: Option<Tensor<4>>,
        encoder: &KeysValues,
        padding: Tensor<4>,
    ) -> (Tensor<3>, DecoderAttention) {
        // Masked self-attention over the target so far.
        let input = self.self_attention_residual.input(y.clone());
        let (new_keys, new_values) = self.self_attention.keys_values(input.clone());
        let (keys, values) = match past {
            Some((keys, values)) => (Tensor::cat(vec![keys, new_keys], 2), Tensor::cat(vec![values, new_values], 2)),
            None => (new_keys, new_values),
        };
        let (attended, self_weights) = self.self_attention.attend(input, keys.clone(), values.clone(), causal);
        let y = self.self_attention_residual.output(y, attended);
        // Cross-attention: queries from the decoder, keys and values from the encoder.
        let input = self.cross_attention_residual.input(y.clone());
        let (attended, cross_weights) =
            self.cross_attention.attend(input, encoder.0.clone(), encoder.1.clone(), Some(padding));
        let y = self.cross_attention_residual.output(y, attended);
        let out = self.feed_forward.forward(self.feed_forward_residual.input(y.clone()));
        let y = self.feed_forward_residual.output(y, out);
        (y, DecoderAttention { self_keys_values: (keys, values), self_weights, cross_weights })
    }
}
