//! Fused operations with hand-written backward passes — the fast path of the recurrent cells.
//!
//! The architecture crates keep their cells written from tensor operations, to be read against
//! the equations; with `fused = true` (the default) they call [`recurrent_layer`] instead, which
//! computes the same layer in one operation: one `h W_h` product per step, the activated gates
//! kept for the backward pass, and backpropagation through time written out by hand
//! ([`recurrence`]). Tests check it against finite differences here and against the readable
//! cells, outputs and gradients, in `seq2seq-lstm` and `seq2seq-rnn`.

pub mod activation;
mod op;
pub mod recurrence;

pub use op::recurrent_layer;
pub use recurrence::Recurrence;
