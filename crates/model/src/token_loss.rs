//! The mean cross-entropy per target token, padding left out, computed with burn's own loss:
//! what every architecture's tests check an untrained model against. A model that starts
//! near-uniform costs about `ln V` per token; one that does not will train badly.

use burn::nn::loss::CrossEntropyLoss;
use burn::tensor::{Int, Tensor};
use seq2seq_data::vocab::PAD;

/// `−(1/N) Σ log p(yₜ)` over the `N` non-padding targets, from logits `[batch, steps, vocab]`
/// and targets `[batch, steps]`.
pub fn token_cross_entropy(logits: Tensor<3>, targets: Tensor<2, Int>) -> f64 {
    let [batch, steps, vocab] = logits.dims();
    let loss = CrossEntropyLoss::new(Some(PAD), &logits.device());
    loss.forward(logits.reshape([batch * steps, vocab]), targets.reshape([batch * steps])).into_scalar::<f64>()
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    /// Uniform logits cost exactly `ln V`; a confident right answer costs about 0; padded
    /// targets count for nothing, whatever their logits say.
    #[test]
    fn uniform_logits_cost_ln_v_and_padding_is_left_out() {
        let device = Device::flex();
        let (good, bad) = (3_i64, 1_i64);
        let mut logits = vec![0.0_f32; 2 * 4];
        logits[4 + good as usize] = 50.0; // second step: confident and right
        let targets = Tensor::<2, Int>::from_data(TensorData::new(vec![bad, good], [1, 2]), &device);
        let both = token_cross_entropy(Tensor::from_data(TensorData::new(logits.clone(), [1, 2, 4]), &device), targets);
        assert!((both - 4f64.ln() / 2.0).abs() < 1e-5, "{both}");
        let padded = Tensor::<2, Int>::from_data(TensorData::new(vec![bad, PAD as i64], [1, 2]), &device);
        let first = token_cross_entropy(Tensor::from_data(TensorData::new(logits, [1, 2, 4]), &device), padded);
        assert!((first - 4f64.ln()).abs() < 1e-5, "{first}");
    }
}
