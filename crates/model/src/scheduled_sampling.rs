//! Scheduled sampling (Bengio et al. 2015): while training, a decoder step is fed either the gold
//! previous token (teacher forcing) or the model's own previous prediction, so that it learns to
//! continue from its own mistakes as it must when translating. The trainer draws the choice per
//! step (`teacher_forcing[t]`); the decoders read it here.

use burn::nn::{Embedding, Linear};
use burn::tensor::{Int, Tensor};

use crate::decode::embed_step;
use crate::dropout::Dropout;

/// Whether step `t` reads the gold previous token: always at the first step (`<sos>`), and
/// wherever `teacher_forcing` says so or says nothing.
pub fn feeds_gold(teacher_forcing: &[bool], t: usize) -> bool {
    t == 0 || teacher_forcing.get(t).copied().unwrap_or(true)
}

/// The model's own previous prediction, embedded as the next step's input:
///
/// ```text
/// ŷ_{t−1} = argmax softmax(W_o f_{t−1} + b_o),   x_t = dropout(E ŷ_{t−1})
/// ```
///
/// from the previous step's output features `f_{t−1}` `[batch, features]`; `[batch, emb]`.
pub fn embed_own_prediction(
    output: &Linear,
    previous: Tensor<2>,
    embedding: &Embedding,
    dropout: &Dropout,
) -> Tensor<2> {
    let batch = previous.dims()[0];
    let predicted: Tensor<1, Int> = output.forward(previous).argmax(1).reshape([batch]);
    dropout.forward(embed_step(embedding, predicted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_step_and_an_unspecified_step_feed_gold() {
        let choice = [false, false, true];
        assert!(feeds_gold(&choice, 0), "<sos> is always gold");
        assert!(!feeds_gold(&choice, 1) && feeds_gold(&choice, 2));
        assert!(feeds_gold(&choice, 3) && feeds_gold(&[], 5), "no choice made: teacher forcing");
    }
}
