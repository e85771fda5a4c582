//! What a training step costs in arithmetic: each architecture counts its forward products for a
//! [`StepShape`] (claim 7b reads achieved GFLOP/s from them).

/// The shape of one training step, for counting its arithmetic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepShape {
    /// Sentences in the batch.
    pub batch: usize,
    /// Source tokens per sentence.
    pub source_len: usize,
    /// Target tokens per sentence (`<eos>` included): the decoder's steps.
    pub target_len: usize,
    pub target_vocab: usize,
}

/// `2·m·k·n`: the floating-point operations (multiplies and adds) of an `[m, k] × [k, n]`
/// product.
pub fn matmul_flops(m: usize, k: usize, n: usize) -> f64 {
    2.0 * m as f64 * k as f64 * n as f64
}

/// A training step's operations from its forward products: the backward pass computes two
/// products per forward one (the gradients of both operands), so forward + backward ≈ 3 ×
/// forward (Kaplan et al. 2020's `6N` per token for a dense model). Element-wise work and
/// the optimiser are left out: the products dominate.
pub fn training_flops(forward_flops: f64) -> f64 {
    3.0 * forward_flops
}
