//! Fused operations with hand-written backward passes — the fast path of the recurrent cells and
//! of attention.
//!
//! The architecture crates keep their cells written from tensor operations, to be read against
//! the equations; with `fused = true` (the default) they call [`recurrent_layer`] instead, which
//! computes the same layer in one operation: one `h W_h` product per step, the activated gates
//! kept for the backward pass, and backpropagation through time written out by hand
//! ([`recurrence`]). Bahdanau's additive score ([`additive_scores`]) and the Transformer's
//! scaled dot-product attention ([`scaled_dot_product_attention`], [`attention`]) get the same
//! treatment. Tests check each kernel against finite differences here, and against the readable
//! code, outputs and gradients, here and in the architecture crates.

pub mod activation;
pub mod additive;
pub mod attention;
mod fused;
mod matmul;
mod op;
pub mod recurrence;
#[cfg(test)]
mod testing;

pub use fused::{additive_scores, recurrent_layer, scaled_dot_product_attention};
pub use recurrence::Recurrence;
