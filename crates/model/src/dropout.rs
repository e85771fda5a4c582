//! Dropout (Srivastava et al. 2014) with a fast mask, a drop-in for `burn::nn::Dropout`.
//!
//! ```text
//! dropout(x) = x ⊙ m / (1 − p),   m_i ~ Bernoulli(1 − p), only while training
//! ```
//!
//! burn's `Dropout` draws each element's coin from the device's seeded ChaCha generator, one
//! sampler call per element (~10 ns; a sixth of a Transformer training step here), then scales
//! in a second operation. This one draws a single seed from the same device generator per call —
//! so a seeded device still gives the same masks, run after run and across a resume — flips the
//! coins with SplitMix64 (two per 64-bit draw) and folds `1 / (1 − p)` into the mask: one
//! multiplication, whose backward is the gradient times the same mask. Its fields are burn's, and
//! the training flag is not saved, so checkpoints read the same with either.

use burn::module::{Flag, Module, Param};
use burn::tensor::{Distribution, Tensor, TensorData};

/// `DropoutConfig::new(p).init()`, as with burn's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DropoutConfig {
    pub prob: f64,
}

impl DropoutConfig {
    pub fn new(prob: f64) -> Self {
        DropoutConfig { prob }
    }

    /// `prob` is checked before a model is built (`ModelConfig::validate`: in `[0, 1)`).
    pub fn init(&self) -> Dropout {
        debug_assert!((0.0..1.0).contains(&self.prob), "dropout probability {} outside [0, 1)", self.prob);
        Dropout { prob: self.prob, training: Param::from_bool(true) }
    }
}

#[derive(Module, Debug)]
pub struct Dropout {
    /// The probability `p` of zeroing an element while training.
    pub prob: f64,
    /// Whether to behave as during training (burn's flag; cleared by `freeze`).
    pub training: Param<Flag>,
}

impl Dropout {
    /// `[..., any]` → the same shape. The identity when not training: on a device without
    /// autodiff (`model.valid()`), with the flag cleared, or with `p = 0`.
    pub fn forward<const D: usize>(&self, input: Tensor<D>) -> Tensor<D> {
        let device = input.device();
        if !self.training.is_enabled() || !device.is_autodiff() || self.prob == 0.0 {
            return input;
        }
        // One seed from the device's generator: two uniform draws of 24 bits each.
        let draws = Tensor::<1>::random([2], Distribution::Uniform(0.0, 1.0), &device).into_data();
        let draws = draws.try_to_vec::<f32>().expect("f32 draws");
        let seed = draws.iter().fold(0u64, |seed, &u| (seed << 24) | (u * 16_777_216.0) as u64);
        let shape = input.shape();
        let mask = scaled_mask(shape.num_elements(), 1.0 - self.prob, seed);
        input * Tensor::from_data(TensorData::new(mask, shape), &device)
    }
}

/// `len` values, each `1 / keep` with probability `keep` and 0 otherwise.
fn scaled_mask(len: usize, keep: f64, seed: u64) -> Vec<f32> {
    let threshold = (keep * 4_294_967_296.0) as u64; // P(a 32-bit coin < threshold) = keep
    let scale = (1.0 / keep) as f32;
    let mut state = seed;
    let mut mask = Vec::with_capacity(len + 1);
    while mask.len() < len {
        let bits = splitmix64(&mut state);
        for coin in [bits & 0xFFFF_FFFF, bits >> 32] {
            mask.push(if coin < threshold { scale } else { 0.0 });
        }
    }
    mask.truncate(len);
    mask
}

/// Steele, Lea & Flood's SplitMix64 (2014): a 64-bit state stepped by the golden ratio, mixed.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn zeroes_a_share_p_and_scales_the_rest_by_one_over_one_minus_p() {
        let device = Device::flex().autodiff();
        device.seed(7);
        let out = values(DropoutConfig::new(0.3).init().forward(Tensor::<2>::ones([200, 500], &device)));
        let zeros = out.iter().filter(|&&v| v == 0.0).count() as f64 / out.len() as f64;
        // 100,000 coins: the standard error of the share is 0.0014.
        assert!((zeros - 0.3).abs() < 0.01, "share zeroed {zeros}");
        assert!(out.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.7).abs() < 1e-6));
        let mean = out.iter().map(|&v| v as f64).sum::<f64>() / out.len() as f64;
        assert!((mean - 1.0).abs() < 0.02, "expectation kept: {mean}");
    }

    #[test]
    // (That a seeded device gives the same masks is checked where one process owns the device's
    // generator: the binary's same-seed and resume tests. Tests here share it across threads.)
    fn the_gradient_is_the_mask_and_each_call_draws_a_new_one() {
        let device = Device::flex().autodiff();
        let dropout = DropoutConfig::new(0.5).init();
        let x = Tensor::<2>::ones([8, 16], &device).require_grad();
        let out = dropout.forward(x.clone());
        let grads = out.clone().sum().backward();
        let (out, grad) = (values(out), values(x.grad(&grads).unwrap()));
        assert_eq!(out, grad, "d sum(x ⊙ m) / dx = m, and x = 1");
        assert!(out.contains(&0.0) && out.contains(&2.0));
        let again = values(dropout.forward(Tensor::<2>::ones([8, 16], &device)));
        assert_ne!(again, out, "each call draws a new mask");
    }

    #[test]
    fn the_identity_outside_training() {
        let input = Tensor::<2>::random([4, 5], Distribution::Default, &Device::flex());
        let dropout = DropoutConfig::new(0.5).init();
        assert_eq!(values(dropout.forward(input.clone())), values(input.clone()), "no autodiff: inference");
        let device = Device::flex().autodiff();
        let tracked = Tensor::<2>::from_data(input.to_data(), &device);
        assert_eq!(values(DropoutConfig::new(0.0).init().forward(tracked.clone())), values(tracked));
        assert_eq!(dropout.num_params(), 0, "no parameters to save");
    }

    #[test]
    fn the_mask_keeps_each_element_with_probability_keep() {
        for keep in [0.5, 0.9] {
            let mask = scaled_mask(40_001, keep, 11);
            assert_eq!(mask.len(), 40_001);
            let kept = mask.iter().filter(|&&v| v > 0.0).count() as f64 / mask.len() as f64;
            assert!((kept - keep).abs() < 0.01, "keep {keep}: {kept}");
        }
        assert_eq!(scaled_mask(99, 0.5, 5), scaled_mask(99, 0.5, 5), "a seed fixes the mask");
        assert_ne!(scaled_mask(99, 0.5, 5), scaled_mask(99, 0.5, 6));
    }
}
