//! Fused operations with hand-written backward passes — the fast path of the recurrent cells.
//!
//! The architecture crates keep their cells written from tensor operations, to be read against
//! the equations; with `fused = true` (the default) they call [`recurrent_layer`] instead, which
//! computes the same layer in one operation: one `h W_h` product per step, the activated gates
//! kept for the backward pass, and backpropagation through time written out by hand
//! ([`recurrence`]). Bahdanau's additive score gets the same treatment ([`additive_scores`]). Tests check it against finite differences here and against the readable
//! cells, outputs and gradients, in `seq2seq-lstm` and `seq2seq-rnn`.

pub mod activation;
pub mod additive;
mod fused;
mod op;
pub mod recurrence;

pub use fused::{additive_scores, recurrent_layer};
pub use recurrence::Recurrence;
