//! Masked cross-entropy over target tokens, with optional label smoothing.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Bool, Int, Tensor};

/// Mean over real target tokens (mask true) of
/// `-[(1-ε)·log p(y) + ε·(1/V)·Σ_v log p(v)]` (Szegedy et al. 2016 label smoothing).
///
/// `logits`: `[batch, tgt_len, vocab]`, `targets` and `mask`: `[batch, tgt_len]`. Returns `[1]`.
pub fn masked_cross_entropy(
    logits: Tensor<3>,
    targets: Tensor<2, Int>,
    mask: Tensor<2, Bool>,
    label_smoothing: f64,
) -> Tensor<1> {
    // BEGIN SOLUTION cross-entropy
    let log_probs = log_softmax(logits, 2); // [batch, tgt_len, vocab]
    let gold: Tensor<2> = log_probs.clone().gather(2, targets.unsqueeze_dim(2)).squeeze_dim(2);
    let mut per_token = gold.neg(); // [batch, tgt_len]
    if label_smoothing > 0.0 {
        let uniform: Tensor<2> = log_probs.mean_dim(2).squeeze_dim(2).neg();
        per_token = per_token.mul_scalar(1.0 - label_smoothing) + uniform.mul_scalar(label_smoothing);
    }
    let mask = mask.float();
    let tokens = mask.clone().sum();
    (per_token * mask).sum() / tokens
    // END SOLUTION cross-entropy
}

/// Teacher-forced token accuracy: `(correct, total)` over real target tokens.
pub fn token_accuracy(logits: Tensor<3>, targets: Tensor<2, Int>, mask: Tensor<2, Bool>) -> (usize, usize) {
    let predicted: Tensor<2, Int> = logits.argmax(2).squeeze_dim(2);
    let correct = predicted.equal(targets).bool_and(mask.clone()).int().sum().into_scalar::<i64>();
    let total = mask.int().sum().into_scalar::<i64>();
    (correct as usize, total as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn matches_hand_computed_values_and_ignores_padding() {
        let device = Device::flex();
        // One sentence, two real tokens and one padded position.
        let logits = Tensor::<3>::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 1.0, 0.0, 0.0, 5.0, -5.0, 9.0], [1, 3, 3]),
            &device,
        );
        let targets = Tensor::<2, Int>::from_data(TensorData::new(vec![2i64, 0, 1], [1, 3]), &device);
        let mask = Tensor::<2, Bool>::from_data(TensorData::new(vec![true, true, false], [1, 3]), &device);
        let lse = |xs: [f64; 3]| xs.iter().map(|x| x.exp()).sum::<f64>().ln();
        let nll0 = lse([1.0, 2.0, 3.0]) - 3.0;
        let nll1 = lse([1.0, 0.0, 0.0]) - 1.0;
        let loss = masked_cross_entropy(logits.clone(), targets.clone(), mask.clone(), 0.0).into_scalar::<f64>();
        assert!((loss - (nll0 + nll1) / 2.0).abs() < 1e-5, "{loss}");

        let eps = 0.1;
        let smooth0 = lse([1.0, 2.0, 3.0]) - 2.0; // -(1/V) Σ log p
        let smooth1 = lse([1.0, 0.0, 0.0]) - 1.0 / 3.0;
        let expected = ((1.0 - eps) * nll0 + eps * smooth0 + (1.0 - eps) * nll1 + eps * smooth1) / 2.0;
        let loss = masked_cross_entropy(logits.clone(), targets.clone(), mask.clone(), eps).into_scalar::<f64>();
        assert!((loss - expected).abs() < 1e-5, "{loss} vs {expected}");

        assert_eq!(token_accuracy(logits, targets, mask), (2, 2));
    }
}
