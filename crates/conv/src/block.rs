//! One gated convolution layer with its scaled residual (Gehring et al. 2017, section 3.2), and
//! its gate alone for the decoder's layers.

use burn::module::Module;
use burn::nn::PaddingConfig1d;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::tensor::activation::glu;
use burn::tensor::{Device, Tensor};
use seq2seq_model::dropout::Dropout;

use crate::Context;

/// `√½`: keeps the variance of `h` as residual layers add up.
pub(crate) const SQRT_HALF: f64 = std::f64::consts::FRAC_1_SQRT_2;

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
    /// `(left, right)` zero padding of a layer of kernel `k` and dilation `δ`, so that it keeps
    /// every slot: the `(k − 1)·δ` words a kernel spans besides the one it writes, all on the left
    /// (causal: output `t` reads `t − (k − 1)·δ … t`) or half on each side (centred).
    pub fn padding(kernel_size: usize, dilation: usize, context: Context) -> (usize, usize) {
        // BEGIN SOLUTION conv-block
        let span = (kernel_size - 1) * dilation;
        match context {
            Context::Causal => (span, 0),
            Context::Centred => (span / 2, span / 2),
        }
        // END SOLUTION conv-block
    }

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
        // BEGIN SOLUTION conv-block
        let gated = self.gate(dropout.forward(h.clone() * mask.unsqueeze_dim::<3>(2)));
        (gated + h) * SQRT_HALF
        // END SOLUTION conv-block
    }

    /// ```text
    /// a ⊙ σ(b),  [a ; b] = W ∗ x + c
    /// ```
    /// at every slot, the zero padding included: `x` `[batch, slots, d]` → `[batch, slots, d]`.
    pub fn gate(&self, x: Tensor<3>) -> Tensor<3> {
        // BEGIN SOLUTION conv-block
        glu(self.convolve(x), 2)
        // END SOLUTION conv-block
    }

    /// The gate at the last slot of `window` `[rows, (k − 1)·δ + 1, d]` alone, without padding:
    /// one causal output from the words it reads (a decoder's step) → `[rows, 1, d]`.
    pub fn gate_last(&self, window: Tensor<3>) -> Tensor<3> {
        glu(self.convolve_padded(window, (0, 0)), 2)
    }

    /// `W ∗ x + c` with this layer's zero padding: `x` `[batch, slots, d]` → `[batch, slots, 2d]`,
    /// what burn's `Conv1d::forward` computes in `[batch, channels, slots]`.
    pub fn convolve(&self, x: Tensor<3>) -> Tensor<3> {
        let padding = match self.conv.padding {
            PaddingConfig1d::Explicit(left, right) => (left, right),
            PaddingConfig1d::Valid => (0, 0),
            // As many slots out as in (stride 1): the field's reach split, the extra word right.
            PaddingConfig1d::Same => {
                let reach = (self.conv.kernel_size - 1) * self.conv.dilation;
                (reach / 2, reach - reach / 2)
            }
        };
        self.convolve_padded(x, padding)
    }

    /// ```text
    /// (W ∗ x)_t = Σ_j W_j · x_{t + j·δ} + c,   j = 0 … k − 1,  x zero-padded by (left, right)
    ///           = [x_t ; x_{t+δ} ; … ; x_{t+(k−1)·δ}] · [W_0 ; W_1 ; … ; W_{k−1}]ᵀ + c
    /// ```
    /// A convolution is one linear layer applied to each window of `k` words laid side by side:
    /// `x` `[batch, slots, d]` → `[batch, slots + left + right − (k − 1)·δ, 2d]`. (One matrix
    /// product over every window: its gradients are matrix products too, where a convolution's
    /// backward pass on the CPU is not.)
    fn convolve_padded(&self, x: Tensor<3>, (left, right): (usize, usize)) -> Tensor<3> {
        let [batch, slots, d] = x.dims();
        let (k, dilation) = (self.conv.kernel_size, self.conv.dilation);
        let device = x.device();
        let zeros = |words: usize| (words > 0).then(|| Tensor::zeros([batch, words, d], &device));
        let parts = [zeros(left), Some(x), zeros(right)];
        let padded = Tensor::cat(parts.into_iter().flatten().collect(), 1); // [batch, left + slots + right, d]
        let out = left + slots + right - (k - 1) * dilation;
        let windows: Vec<Tensor<3>> = (0..k).map(|j| padded.clone().narrow(1, j * dilation, out)).collect();
        let windows = Tensor::cat(windows, 2).reshape([batch * out, k * d]); // [batch·out, k·d]
        let weight = self.conv.weight.val(); // [2d, d, k]
        let width = weight.dims()[0];
        let weight = weight.permute([2, 1, 0]).reshape([k * d, width]); // [k·d, 2d], row j·d + i
        let bias = self.conv.bias.as_ref().map(|bias| bias.val().unsqueeze_dim::<2>(0)); // [1, 2d]
        let product = windows.matmul(weight);
        let product = match bias {
            Some(bias) => product + bias,
            None => product,
        };
        product.reshape([batch, out, width])
    }

    /// Words the kernel reads before the one it writes, `(k − 1)·δ`: what a causal step keeps.
    pub fn span(&self) -> usize {
        (self.conv.kernel_size - 1) * self.conv.dilation
    }
}
