//! Scaled dot-product attention for every (sentence, head) pair at once, on plain `f32` slices
//! (Vaswani et al. 2017, §3.2.1):
//!
//! ```text
//! S = Q Kᵀ / √d_k + bias        P = softmax_rows(S)        O = P V
//! ```
//!
//! The readable version (`seq2seq-transformer`'s `scaled_dot_product_attention`) is five tensor
//! operations, and burn's autodiff runs its softmax as five more (max, subtract, exp, sum,
//! divide), each with a backward step and a tensor of `[batch, heads, queries, keys]`. Here the
//! scores, bias, softmax and weighted sum are one pass per pair, and the backward pass is written
//! out from the weights the forward pass keeps:
//!
//! ```text
//! ∂V = Pᵀ ∂O      ∂P = ∂O Vᵀ      ∂S = P ⊙ (∂P − rowsum(P ⊙ ∂P))
//! ∂Q = ∂S K / √d_k                 ∂K = ∂Sᵀ Q / √d_k
//! ```
//!
//! The bias (padding, causal) is a constant: it gets no gradient.

use crate::activation::exp;
use crate::matmul::{Strides, matmul_strided};

/// The sizes of one call. `query` (and the context) are laid out `[batch, queries, heads,
/// depth]`, `key` and `value` `[batch, keys, heads, depth]`: the projections' own layout, before
/// the heads are split off, so that neither splitting nor merging them copies anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub batch: usize,
    pub heads: usize,
    pub queries: usize,
    pub keys: usize,
    pub depth: usize,
}

impl Dims {
    /// Where head `pair % heads` of sentence `pair / heads` starts in a `[batch, len, heads,
    /// depth]` tensor; its `[len, depth]` matrix is laid out by [`rows`](Self::rows).
    fn head(&self, pair: usize, len: usize) -> usize {
        let (b, h) = (pair / self.heads, pair % self.heads);
        (b * len * self.heads + h) * self.depth
    }

    /// One head's `[len, depth]` matrix inside `[batch, len, heads, depth]`, and its transpose.
    fn rows(&self) -> (Strides, Strides) {
        let row = self.heads * self.depth;
        (Strides { row, column: 1 }, Strides { row: 1, column: row })
    }
}

/// The additive bias, `values` laid out as `shape`, broadcast to `[batch, heads, queries, keys]`
/// (a dimension of 1 repeats: the padding bias is `[batch, 1, 1, keys]`, the causal one
/// `[1, 1, queries, keys]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Bias {
    pub values: Vec<f32>,
    pub shape: [usize; 4],
}

impl Bias {
    /// The strides that read `values` as `[batch, heads, queries, keys]`: 0 along a broadcast
    /// dimension.
    fn strides(&self) -> [usize; 4] {
        let mut strides = [0; 4];
        let mut stride = 1;
        for axis in (0..4).rev() {
            strides[axis] = if self.shape[axis] == 1 { 0 } else { stride };
            stride *= self.shape[axis];
        }
        strides
    }
}

/// What the backward pass needs: the inputs and the weights `P` `[batch, heads, queries, keys]`.
#[derive(Clone, Debug)]
pub struct Saved {
    pub dims: Dims,
    query: Vec<f32>,
    key: Vec<f32>,
    value: Vec<f32>,
    pub weights: Vec<f32>,
}

/// `softmax` of one row in place: `p_j = e^{s_j − m} / Σ_j' e^{s_j' − m}`, `m = max_j s_j` (so
/// that no exponent overflows; a masked score, `m − 10⁹`, gets exactly 0).
fn softmax_in_place(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in row.iter_mut() {
        *s = exp(*s - max);
        sum += *s;
    }
    let inverse = 1.0 / sum;
    for p in row.iter_mut() {
        *p *= inverse;
    }
}

/// Returns the context `O` `[batch, queries, heads, depth]` and what the backward pass needs
/// (the weights `P` among it).
pub fn forward(dims: Dims, query: Vec<f32>, key: Vec<f32>, value: Vec<f32>, bias: Option<&Bias>) -> (Vec<f32>, Saved) {
    let Dims { batch, heads, queries: q, keys: k, depth: d } = dims;
    assert_eq!(query.len(), batch * q * heads * d, "query size");
    assert!(key.len() == batch * k * heads * d && value.len() == key.len(), "key and value sizes");
    let scale = 1.0 / (d as f32).sqrt();
    let strides = bias.map(Bias::strides);
    let mut weights = vec![0.0; batch * heads * q * k];
    let mut context = vec![0.0; batch * q * heads * d];
    let ((rows, transposed), dense) = (dims.rows(), Strides::dense(q, k, false));
    for pair in 0..batch * heads {
        let (b, h) = (pair / heads, pair % heads);
        let (at_q, at_k) = (dims.head(pair, q), dims.head(pair, k));
        let scores = &mut weights[pair * q * k..][..q * k]; // [queries, keys]
        matmul_strided(q, d, k, (&query[at_q..], rows), (&key[at_k..], transposed), (&mut *scores, dense)); // Q Kᵀ
        for i in 0..q {
            let row = &mut scores[i * k..][..k];
            row.iter_mut().for_each(|s| *s *= scale);
            if let (Some(bias), Some([sb, sh, si, sj])) = (bias, strides) {
                let at = b * sb + h * sh + i * si;
                row.iter_mut().enumerate().for_each(|(j, s)| *s += bias.values[at + j * sj]);
            }
            softmax_in_place(row);
        }
        matmul_strided(q, k, d, (&*scores, dense), (&value[at_k..], rows), (&mut context[at_q..], rows)); // P V
    }
    (context, Saved { dims, query, key, value, weights })
}

/// The gradients of `query`, `key` and `value` (in their layouts), given the context's gradient
/// `[batch, queries, heads, depth]`.
pub fn backward(saved: &Saved, grad_context: &[f32]) -> [Vec<f32>; 3] {
    let dims = saved.dims;
    let Dims { batch, heads, queries: q, keys: k, depth: d } = dims;
    let scale = 1.0 / (d as f32).sqrt();
    let mut d_query = vec![0.0; batch * q * heads * d];
    let mut d_key = vec![0.0; batch * k * heads * d];
    let mut d_value = vec![0.0; batch * k * heads * d];
    let mut d_scores = vec![0.0; q * k]; // ∂P, then ∂S, of one pair
    let (dense, dense_transposed) = (Strides::dense(q, k, false), Strides::dense(k, q, true));
    let (rows, transposed) = dims.rows();
    for pair in 0..batch * heads {
        let (at_q, at_k) = (dims.head(pair, q), dims.head(pair, k));
        let weights = &saved.weights[pair * q * k..][..q * k];
        let grad = (&grad_context[at_q..], rows);
        matmul_strided(k, q, d, (weights, dense_transposed), grad, (&mut d_value[at_k..], rows)); // Pᵀ ∂O
        matmul_strided(q, d, k, grad, (&saved.value[at_k..], transposed), (&mut d_scores, dense)); // ∂O Vᵀ
        for (row, p) in d_scores.chunks_exact_mut(k).zip(weights.chunks_exact(k)) {
            let dot: f32 = row.iter().zip(p).map(|(g, p)| g * p).sum();
            for (g, p) in row.iter_mut().zip(p) {
                *g = p * (*g - dot) * scale;
            }
        }
        let d_scores = (&d_scores[..], dense);
        matmul_strided(q, k, d, d_scores, (&saved.key[at_k..], rows), (&mut d_query[at_q..], rows)); // ∂S K
        let d_scores_transposed = (d_scores.0, dense_transposed);
        matmul_strided(k, q, d, d_scores_transposed, (&saved.query[at_q..], rows), (&mut d_key[at_k..], rows)); // ∂Sᵀ Q
    }
    [d_query, d_key, d_value]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_gradients, values};

    const MASKED: f32 = -1.0e9;

    /// Two sentences, two heads, three queries over four keys; the second sentence's last key is
    /// padding.
    fn case() -> (Dims, [Vec<f32>; 3], Bias) {
        let dims = Dims { batch: 2, heads: 2, queries: 3, keys: 4, depth: 5 };
        let inputs = [values(60, 1), values(80, 2), values(80, 3)];
        let bias = Bias { values: vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, MASKED], shape: [2, 1, 1, 4] };
        (dims, inputs, bias)
    }

    #[test]
    fn weights_and_context_match_loops_and_padding_gets_zero() {
        let (dims, [q, k, v], bias) = case();
        let (context, saved) = forward(dims, q.clone(), k.clone(), v.clone(), Some(&bias));
        // Laid out [batch, len, heads, depth].
        let (at_q, at_k) = (
            |b: usize, i: usize, h: usize| ((b * 3 + i) * 2 + h) * 5,
            |b: usize, j: usize, h: usize| ((b * 4 + j) * 2 + h) * 5,
        );
        for (b, h, i) in [(0, 1, 2), (1, 0, 1), (1, 1, 0)] {
            let pair = b * 2 + h;
            let score = |j: usize| -> f64 {
                let dot: f64 = (0..5).map(|c| (q[at_q(b, i, h) + c] * k[at_k(b, j, h) + c]) as f64).sum();
                dot / 5f64.sqrt() + if b == 1 && j == 3 { MASKED as f64 } else { 0.0 }
            };
            let total: f64 = (0..4).map(|j| score(j).exp()).sum();
            for j in 0..4 {
                let p = score(j).exp() / total;
                let got = saved.weights[(pair * 3 + i) * 4 + j];
                assert!((got as f64 - p).abs() < 1e-6, "weight ({b},{h},{i},{j}): {got} vs {p}");
            }
            for c in 0..5 {
                let o: f64 = (0..4).map(|j| score(j).exp() / total * v[at_k(b, j, h) + c] as f64).sum();
                let got = context[at_q(b, i, h) + c];
                assert!((got as f64 - o).abs() < 1e-5, "context ({b},{h},{i},{c}): {got} vs {o}");
            }
        }
        for pair in 2..4 {
            for i in 0..3 {
                assert_eq!(saved.weights[(pair * 3 + i) * 4 + 3], 0.0, "the padded key gets exactly 0");
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (dims, inputs, padding) = case();
        let causal = Bias {
            values: (0..12).map(|n| if n % 4 > n / 4 + 1 { MASKED } else { 0.0 }).collect(),
            shape: [1, 1, 3, 4],
        };
        for bias in [None, Some(&padding), Some(&causal)] {
            let weights = values(60, 4);
            let loss = |inputs: &[Vec<f32>; 3]| -> f64 {
                let [q, k, v] = inputs.clone();
                let (context, _) = forward(dims, q, k, v, bias);
                context.iter().zip(&weights).map(|(o, w)| (*o as f64) * (*w as f64)).sum()
            };
            let [q, k, v] = inputs.clone();
            let analytic = backward(&forward(dims, q, k, v, bias).1, &weights);
            assert_gradients(inputs.clone(), &analytic, loss);
            if bias == Some(&padding) {
                // The padded key (sentence 1, key 3, both heads: [70, 80)) gets no gradient.
                assert!(analytic[1][70..80].iter().chain(&analytic[2][70..80]).all(|g| *g == 0.0));
                assert!(analytic[1][60..70].iter().any(|g| *g != 0.0), "a real key does");
            }
        }
    }
}
