//! One gated convolution layer with its scaled residual (Gehring et al. 2017, section 3.2).

use burn::module::Module;
use burn::nn::PaddingConfig1d;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::tensor::activation::glu;
use burn::tensor::{Device, Tensor};
use seq2seq_model::dropout::Dropout;

/// `√½`: keeps the variance of `h` as residual layers add up.
const SQRT_HALF: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// ```text
/// [a ; b] = W ∗ dropout(m ⊙ h) + c        [batch, slots, 2d]
/// out     = √½ · (a ⊙ σ(b) + h)            [batch, slots, d]
/// ```
///
/// `m` zeroes the padded slots, so that a padded sentence reads its end exactly as the zero
/// padding at any sentence's edge.
#[derive(Module, Debug)]
pub struct ConvBlock {
    /// `W, c`: `[2d, d, k]` and `[2d]`; zero padding `(left, right)` keeps every slot.
    pub conv: Conv1d,
}

impl ConvBlock {
    /// A layer of `channels` with kernel `kernel_size`, dilation `dilation` and zero padding
    /// `(left, right)` words.
    pub fn new(channels: usize, kernel_size: usize, dilation: usize, padding: (usize, usize), device: &Device) -> Self {
        let conv = Conv1dConfig::new(channels, 2 * channels, kernel_size)
            .with_dilation(dilation)
            .with_padding(PaddingConfig1d::Explicit(padding.0, padding.1))
            .init(device);
        ConvBlock { conv }
    }

    /// `h` `[batch, slots, d]` and its mask `[batch, slots]` (1 at real slots) → `[batch, slots, d]`.
    pub fn forward(&self, h: Tensor<3>, mask: Tensor<2>, dropout: &Dropout) -> Tensor<3> {
        let input = dropout.forward(h.clone() * mask.unsqueeze_dim::<3>(2)).swap_dims(1, 2); // [batch, d, slots]
        let gated = glu(self.conv.forward(input), 1).swap_dims(1, 2); // [batch, slots, d]
        (gated + h) * SQRT_HALF
    }
}
