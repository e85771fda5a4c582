//! Scaled dot-product attention and multi-head attention (Vaswani et al. 2017, §3.2).
//!
//! ```text
//! Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V
//! MultiHead(Q, K, V) = Concat(head_1, …, head_h) W^O,   head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
//! ```
//!
//! Masks enter as an additive bias on the scores: 0 where a query may look, [`MASKED`] where it
//! may not (padding, or future positions in the decoder), so that those weights are exactly 0.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::softmax;
use burn::tensor::{Bool, Device, Tensor, TensorData};

/// The score added where attention is not allowed; `exp(MASKED)` underflows to 0.
pub const MASKED: f32 = -1.0e9;

/// `softmax(Q Kᵀ / √d_k + bias) V`.
///
/// `query` `[batch, heads, queries, d_k]`, `key` and `value` `[batch, heads, keys, d_k]`, `bias`
/// broadcastable to `[batch, heads, queries, keys]`. Returns the context
/// `[batch, heads, queries, d_k]` and the weights `[batch, heads, queries, keys]`.
pub fn scaled_dot_product_attention(
    query: Tensor<4>,
    key: Tensor<4>,
    value: Tensor<4>,
    bias: Option<Tensor<4>>,
) -> (Tensor<4>, Tensor<4>) {
    // BEGIN SOLUTION scaled-dot-product
    let [batch, heads, queries, d_k] = query.dims();
    let keys = key.dims()[2];
    let scores = query.matmul(key.swap_dims(2, 3)) / (d_k as f32).sqrt(); // [batch, heads, queries, keys]
    let scores = match bias {
        Some(bias) => scores + bias.expand([batch, heads, queries, keys]),
        None => scores,
    };
    let weights = softmax(scores, 3);
    (weights.clone().matmul(value), weights)
    // END SOLUTION scaled-dot-product
}

/// The bias that hides padded keys: `mask` `[batch, keys]` (true at real tokens) →
/// `[batch, 1, 1, keys]`.
pub fn padding_bias(mask: Tensor<2, Bool>) -> Tensor<4> {
    // BEGIN SOLUTION scaled-dot-product
    let [batch, keys] = mask.dims();
    let real = mask.float(); // 1 at real tokens, 0 at padding
    ((real - 1.0) * -MASKED).reshape([batch, 1, 1, keys])
    // END SOLUTION scaled-dot-product
}

/// The decoder's causal bias `[1, 1, length, length]`: position `t` sees positions `≤ t` only.
pub fn causal_bias(length: usize, device: &Device) -> Tensor<4> {
    // BEGIN SOLUTION scaled-dot-product
    let values: Vec<f32> = (0..length * length).map(|k| if k % length > k / length { MASKED } else { 0.0 }).collect();
    Tensor::from_data(TensorData::new(values, [1, 1, length, length]), device)
    // END SOLUTION scaled-dot-product
}

#[derive(Module, Debug)]
pub struct MultiHeadAttention {
    /// `W^Q`, `W^K`, `W^V` for all heads at once: `[d_model, heads · d_k]`.
    pub query: Linear,
    pub key: Linear,
    pub value: Linear,
    /// `W^O`: `[heads · d_k, d_model]`.
    pub output: Linear,
    pub heads: usize,
    /// Run [`scaled_dot_product_attention`] as one fused operation (see [`with_fused`](Self::with_fused)).
    pub fused: bool,
}

impl MultiHeadAttention {
    /// (Like the paper, no dropout inside attention: the layers apply it to each sub-layer's
    /// output.)
    pub fn new(d_model: usize, heads: usize, device: &Device) -> Self {
        assert!(d_model.is_multiple_of(heads), "d_model ({d_model}) must be a multiple of heads ({heads})");
        let linear = || LinearConfig::new(d_model, d_model).init(device);
        MultiHeadAttention { query: linear(), key: linear(), value: linear(), output: linear(), heads, fused: false }
    }

    /// With `fused`, [`attention`](Self::attention) computes [`scaled_dot_product_attention`] as
    /// one operation with a hand-written backward pass (`seq2seq_kernels`) on an autodiff device
    /// of a CPU backend (training); same numbers to float tolerance. The weights it returns then
    /// carry no gradient (no loss reads them). Without autodiff (generation, evaluation, the
    /// attention plots) it keeps the readable operations: one query a step is too small a product
    /// for a kernel per head to pay off.
    pub fn with_fused(self, fused: bool) -> Self {
        Self { fused, ..self }
    }

    /// [`scaled_dot_product_attention`], fused where asked for, training, and the backend is
    /// covered.
    pub fn attention(
        &self,
        query: Tensor<4>,
        keys: Tensor<4>,
        values: Tensor<4>,
        bias: Option<Tensor<4>>,
    ) -> (Tensor<4>, Tensor<4>) {
        if self.fused
            && query.device().is_autodiff()
            && let Some(out) =
                seq2seq_kernels::scaled_dot_product_attention(query.clone(), keys.clone(), values.clone(), bias.clone())
        {
            return out;
        }
        scaled_dot_product_attention(query, keys, values, bias)
    }

    /// `[batch, length, d_model]` → `[batch, heads, length, d_k]`.
    fn split_heads(&self, x: Tensor<3>) -> Tensor<4> {
        // BEGIN SOLUTION multi-head
        let [batch, length, d_model] = x.dims();
        x.reshape([batch, length, self.heads, d_model / self.heads]).swap_dims(1, 2)
        // END SOLUTION multi-head
    }

    /// The keys `K W^K` and values `V W^V` of `x` `[batch, length, d_model]`, split into heads;
    /// a decoder computes them once per source (cross-attention) or caches them per position.
    pub fn keys_values(&self, x: Tensor<3>) -> (Tensor<4>, Tensor<4>) {
        (self.split_heads(self.key.forward(x.clone())), self.split_heads(self.value.forward(x)))
    }

    /// Attention of `x` `[batch, queries, d_model]` over already projected keys and values.
    /// Returns `[batch, queries, d_model]` and the weights `[batch, heads, queries, keys]`.
    pub fn attend(
        &self,
        x: Tensor<3>,
        keys: Tensor<4>,
        values: Tensor<4>,
        bias: Option<Tensor<4>>,
    ) -> (Tensor<3>, Tensor<4>) {
        // BEGIN SOLUTION multi-head
        let [batch, queries, d_model] = x.dims();
        let query = self.split_heads(self.query.forward(x));
        let (context, weights) = self.attention(query, keys, values, bias);
        let concatenated = context.swap_dims(1, 2).reshape([batch, queries, d_model]); // Concat(head_1, …, head_h)
        (self.output.forward(concatenated), weights)
        // END SOLUTION multi-head
    }

    /// `MultiHead(x, memory, memory)`: queries from `x`, keys and values from `memory`.
    pub fn forward(&self, x: Tensor<3>, memory: Tensor<3>, bias: Option<Tensor<4>>) -> (Tensor<3>, Tensor<4>) {
        let (keys, values) = self.keys_values(memory);
        self.attend(x, keys, values, bias)
    }
}
