//! Score functions, the masked softmax and the context vector.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{softmax, tanh};
use burn::tensor::{Bool, Device, Tensor};
use seq2seq_kernels::additive_scores;
use serde::{Deserialize, Serialize};

/// `α = softmax(scores)` over source positions, with padded positions (mask false) set to
/// weight 0 before normalising. `scores`, `mask`: `[batch, src_len]`.
pub fn masked_softmax(scores: Tensor<2>, mask: Tensor<2, Bool>) -> Tensor<2> {
    // BEGIN SOLUTION attention-weights
    softmax(scores.mask_fill(mask.bool_not(), -1.0e9), 1)
    // END SOLUTION attention-weights
}

/// `c = Σ_j α_j h_j`: `weights` `[batch, src_len]`, `values` `[batch, src_len, d]` → `[batch, d]`.
pub fn context(weights: Tensor<2>, values: Tensor<3>) -> Tensor<2> {
    // BEGIN SOLUTION attention-weights
    let [batch, _, d] = values.dims();
    weights.unsqueeze_dim::<3>(1).matmul(values).reshape([batch, d]) // [batch, 1, d] → [batch, d]
    // END SOLUTION attention-weights
}

/// Additive (Bahdanau / Luong's `concat`) score: `e_j = vᵀ tanh(W q + U h_j)`.
#[derive(Module, Debug)]
pub struct AdditiveScore {
    /// `W`: `[d_query, attention]`.
    pub query: Linear,
    /// `U`: `[d_key, attention]`, applied once to all encoder states.
    pub key: Linear,
    /// `v`: `[attention, 1]`.
    pub v: Linear,
    /// Compute [`scores`](Self::scores) as one fused operation (`seq2seq_kernels::additive_scores`,
    /// which keeps `tanh` for the backward pass) instead of the tensor operations below.
    pub fused: bool,
}

impl AdditiveScore {
    /// The readable score; see [`with_fused`](Self::with_fused).
    pub fn new(d_query: usize, d_key: usize, attention: usize, device: &Device) -> Self {
        Self {
            query: LinearConfig::new(d_query, attention).with_bias(false).init(device),
            key: LinearConfig::new(d_key, attention).init(device),
            v: LinearConfig::new(attention, 1).with_bias(false).init(device),
            fused: false,
        }
    }

    pub fn with_fused(self, fused: bool) -> Self {
        Self { fused, ..self }
    }

    /// `U h_j` for every source position, `[batch, src_len, attention]` (computed once).
    pub fn keys(&self, encoder_states: Tensor<3>) -> Tensor<3> {
        self.key.forward(encoder_states)
    }

    /// `e_j = vᵀ tanh(W q + U h_j)`: `query` `[batch, d_query]`, `keys` from [`Self::keys`] →
    /// `[batch, src_len]`.
    pub fn scores(&self, query: Tensor<2>, keys: Tensor<3>) -> Tensor<2> {
        let [batch, src_len, _] = keys.dims();
        let [_, _, attention] = keys.dims();
        let projected_query = self.query.forward(query); // [batch, attention]
        // (`W` before `v`, in both paths: burn initialises a parameter when it is first used.)
        if self.fused {
            let v = self.v.weight.val().reshape([attention]);
            if let Some(scores) = additive_scores(keys.clone(), projected_query.clone(), v) {
                return scores;
            }
        }
        // BEGIN SOLUTION additive-score
        let projected_query = projected_query.unsqueeze_dim::<3>(1); // [batch, 1, attention]
        self.v.forward(tanh(keys + projected_query)).reshape([batch, src_len])
        // END SOLUTION additive-score
    }
}

/// Luong's score functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreKind {
    /// `h_tᵀ h̄_s`
    Dot,
    /// `h_tᵀ W_a h̄_s`
    #[default]
    General,
    /// `v_aᵀ tanh(W_a [h_t ; h̄_s])`
    Concat,
}

/// Luong's score, told apart by which weights it has: none (`dot`), `W_a` (`general`), or an
/// additive network (`concat`).
#[derive(Module, Debug)]
pub struct Score {
    pub general: Option<Linear>,
    pub concat: Option<AdditiveScore>,
}

impl Score {
    pub fn new(kind: ScoreKind, hidden: usize, device: &Device) -> Self {
        match kind {
            ScoreKind::Dot => Score::dot(),
            ScoreKind::General => Score::general(LinearConfig::new(hidden, hidden).with_bias(false).init(device)),
            ScoreKind::Concat => Score::concat(AdditiveScore::new(hidden, hidden, hidden, device)),
        }
    }

    pub fn dot() -> Self {
        Score { general: None, concat: None }
    }

    pub fn general(w: Linear) -> Self {
        Score { general: Some(w), concat: None }
    }

    pub fn concat(additive: AdditiveScore) -> Self {
        Score { general: None, concat: Some(additive) }
    }

    /// The `concat` score as one fused operation (see [`AdditiveScore::with_fused`]).
    pub fn with_fused(self, fused: bool) -> Self {
        Score { concat: self.concat.map(|c| c.with_fused(fused)), ..self }
    }

    /// What the score compares the decoder state with, computed once per sentence:
    /// `h̄_s` (dot), `h̄_s W_a` (general) or `U h̄_s` (concat). `[batch, src_len, ·]`.
    pub fn keys(&self, encoder_states: Tensor<3>) -> Tensor<3> {
        // BEGIN SOLUTION luong-scores
        match (&self.general, &self.concat) {
            (Some(w), _) => w.forward(encoder_states),
            (_, Some(additive)) => additive.keys(encoder_states),
            _ => encoder_states,
        }
        // END SOLUTION luong-scores
    }

    /// Scores of the decoder state `[batch, hidden]` against every source position, `[batch, src_len]`.
    pub fn scores(&self, state: Tensor<2>, keys: Tensor<3>) -> Tensor<2> {
        match &self.concat {
            Some(additive) => additive.scores(state, keys),
            None => {
                // BEGIN SOLUTION luong-scores
                let [batch, src_len, _] = keys.dims();
                keys.matmul(state.unsqueeze_dim::<3>(2)).reshape([batch, src_len]) // [batch, src_len, 1] → [batch, src_len]
                // END SOLUTION luong-scores
            }
        }
    }
}
