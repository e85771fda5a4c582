//! Convolutions over a sentence (the "CNN" row of the evolution table): the ANN's window,
//! stacked. Each layer is a gated convolution with a residual connection (Gehring et al. 2017):
//!
//! ```text
//! [a ; b] = W_l ∗ h_{l−1} + c_l             kernel k, dilation δ_l, 2d output channels
//! h_l     = √½ · (a ⊙ σ(b) + h_{l−1})        GLU, then the scaled residual
//! p(y_t | x) = softmax(W_o h_L,t + b_o)
//! ```
//!
//! Output `t` sees only its *receptive field*, `R = 1 + (k − 1)·Σ_l δ_l` words: the `R` words up to
//! `t` (causal) or `(R − 1)/2` on each side (centred). Context costs layers — `O(n/k)` of them to
//! span `n` words — unless the dilations double (`δ_l = 2^l`, `O(log_k n)`, Kalchbrenner et al.
//! 2016). And a convolution detects *what* pattern occurs, not *where*: without positions added
//! to the embeddings, only the zero padding at the sentence's edges tells it where it is.
//!
//! `conv` is a tagger like `ann` and `birnn` (see `seq2seq_model::positionwise`): one output per
//! source slot, so it cannot reorder or change length. `convs2s` is the translation model built
//! from the same layers (Gehring et al. 2017): a centred stack over the source, a causal stack
//! over the target, and in every decoder layer an attention over the source — the
//! convolutional answer to the RNN encoder-decoder, before the Transformer.

mod block;
mod config;
mod convs2s;
mod convs2s_config;
mod convs2s_layers;
mod model;

pub use block::ConvBlock;
pub use config::{Context, ConvConfig, Dilation, Positions};
pub use convs2s::ConvS2S;
pub use convs2s_config::ConvS2SConfig;
pub use convs2s_layers::{ConvAttention, ConvDecoderLayer, EncodedSource};
pub use model::Conv;

#[cfg(test)]
mod convs2s_tests;
#[cfg(test)]
mod tests;
