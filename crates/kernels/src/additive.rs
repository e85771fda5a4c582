//! Bahdanau's additive alignment score over every source position at once, on plain `f32`
//! slices: `e_bs = v · tanh(k_bs + q_b)`, with `k = U h` (the projected encoder states, computed
//! once per sentence) and `q = W s` (the projected decoder state, once per step).
//!
//! The readable version (`seq2seq-attention`'s `AdditiveScore`) takes four tensor operations
//! whose backward recomputes `tanh` over `[batch, source, attention]` at every decoder step; this
//! keeps `tanh` from the forward pass.

use crate::activation::tanh_into;

/// The sizes of one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub batch: usize,
    pub source: usize,
    pub attention: usize,
}

/// What the backward pass needs: `tanh(k + q)` `[batch, source, attention]` and `v`.
#[derive(Clone, Debug)]
pub struct Saved {
    pub dims: Dims,
    activated: Vec<f32>,
    v: Vec<f32>,
}

/// `keys` `[batch, source, attention]`, `query` `[batch, attention]`, `v` `[attention]` →
/// scores `[batch, source]`.
pub fn forward(dims: Dims, keys: &[f32], query: &[f32], v: &[f32]) -> (Vec<f32>, Saved) {
    let Dims { batch, source, attention: a } = dims;
    let mut activated = vec![0.0; batch * source * a];
    let mut scores = vec![0.0; batch * source];
    let mut sum = vec![0.0; a];
    for b in 0..batch {
        let q = &query[b * a..][..a];
        for s in 0..source {
            let at = (b * source + s) * a;
            for ((out, key), q) in sum.iter_mut().zip(&keys[at..at + a]).zip(q) {
                *out = key + q;
            }
            let t = &mut activated[at..at + a];
            tanh_into(&sum, t);
            scores[b * source + s] = t.iter().zip(v).map(|(t, v)| t * v).sum();
        }
    }
    (scores, Saved { dims, activated, v: v.to_vec() })
}

/// The gradients of `keys`, `query` and `v`, given the scores' gradient `[batch, source]`:
/// `∂k = g · v ⊙ (1 − t²)`, `∂q = Σ_s ∂k`, `∂v = Σ_{b,s} g · t`.
pub fn backward(saved: &Saved, grad_scores: &[f32]) -> [Vec<f32>; 3] {
    let Dims { batch, source, attention: a } = saved.dims;
    let mut d_keys = vec![0.0; batch * source * a];
    let mut d_query = vec![0.0; batch * a];
    let mut d_v = vec![0.0; a];
    for b in 0..batch {
        for s in 0..source {
            let g = grad_scores[b * source + s];
            let at = (b * source + s) * a;
            let t = &saved.activated[at..at + a];
            let dk = &mut d_keys[at..at + a];
            for i in 0..a {
                dk[i] = g * saved.v[i] * (1.0 - t[i] * t[i]);
                d_v[i] += g * t[i];
            }
            for (dq, dk) in d_query[b * a..][..a].iter_mut().zip(dk.iter()) {
                *dq += dk;
            }
        }
    }
    [d_keys, d_query, d_v]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_gradients, values};

    #[test]
    fn scores_and_gradients_match_hand_and_finite_differences() {
        let dims = Dims { batch: 2, source: 3, attention: 4 };
        let (keys, query, v) = (values(24, 1), values(8, 2), values(4, 3));
        let (scores, saved) = forward(dims, &keys, &query, &v);
        // By hand: score[1, 2] = Σ_a v_a tanh(k[1,2,a] + q[1,a]).
        let hand: f32 = (0..4).map(|a| v[a] * (keys[(3 + 2) * 4 + a] + query[4 + a]).tanh()).sum();
        assert!((scores[5] - hand).abs() < 1e-6, "{} vs {hand}", scores[5]);
        // Loss Σ w ⊙ scores, against central differences.
        let weights = values(6, 4);
        let loss = |k: &[f32], q: &[f32], v: &[f32]| -> f64 {
            forward(dims, k, q, v).0.iter().zip(&weights).map(|(s, w)| (*s as f64) * (*w as f64)).sum()
        };
        assert_gradients([keys, query, v], &backward(&saved, &weights), |[k, q, v]| loss(k, q, v));
    }
}
