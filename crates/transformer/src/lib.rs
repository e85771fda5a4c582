//! The Transformer of Vaswani et al. (2017), "Attention Is All You Need": no recurrence at all.
//! Every position attends to every other position in one step, so a whole sentence is
//! processed in parallel, and the path between any two words is one attention hop long.
//!
//! ```text
//! x_0 = √d_model · emb(tokens) + PE(positions)
//! encoder layer:  a = Norm(x + MultiHead(x, x, x))            self-attention
//!                 x' = Norm(a + FFN(a))                        FFN(a) = max(0, a W_1 + b_1) W_2 + b_2
//! decoder layer:  a = Norm(y + MultiHead(y, y, y; causal))     masked self-attention
//!                 b = Norm(a + MultiHead(a, enc, enc))          cross-attention over the encoder
//!                 y' = Norm(b + FFN(b))
//! output:         p(y_t | y_<t, x) = softmax(y_t W_out)        W_out tied to emb optionally
//! ```
//!
//! Files: [`attention`] (scaled dot-product and multi-head attention), [`positions`] (the
//! sinusoidal encoding), [`layers`] (feed-forward, encoder and decoder layers), `model.rs` (the
//! whole model, training forward pass and cached generation).

pub mod attention;
pub mod layers;
mod model;
pub mod positions;

pub use model::{PositionKind, Transformer, TransformerConfig};

#[cfg(test)]
mod attention_tests;
#[cfg(test)]
mod tests;
