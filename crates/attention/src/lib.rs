//! Attention for RNN encoder-decoders. The plain encoder-decoder squeezes the whole source into
//! one fixed-length vector; with attention the decoder looks at every encoder state at every
//! step and weighs them:
//!
//! ```text
//! e_tj = score(decoder state, h_j)          one score per source position j
//! α_tj = softmax_j(e_tj)                    padded positions get weight 0
//! c_t  = Σ_j α_tj h_j                       a fresh context vector for every step
//! ```
//!
//! [`Bahdanau`] (Bahdanau, Cho & Bengio 2014) scores with the *previous* decoder state through a
//! small feed-forward network and feeds `c_t` into the recurrent cell; [`Luong`] (Luong, Pham &
//! Manning 2015) scores with the *current* state (`dot`, `general` or `concat`) and mixes `c_t`
//! into an attentional hidden state `h̃_t = tanh(W_c [c_t ; h_t])` that makes the prediction.
//! Both return the weights `α` of every generated token.

pub mod attention;
mod bahdanau;
mod luong;

pub use attention::{AdditiveScore, Score, ScoreKind, context, masked_softmax};
pub use bahdanau::{Bahdanau, BahdanauConfig};
pub use luong::{Luong, LuongConfig};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod weights_tests;
