//! The LSTM (Hochreiter & Schmidhuber 1997): a memory cell `c_t` that gates decide to keep,
//! overwrite or expose, so information and gradients survive many steps — the fix for the
//! simple RNN's vanishing gradients. The GRU (Cho et al. 2014) is here too, as a cell option.
//!
//! The model of this crate reads left to right only and, like every position-wise model (see
//! `seq2seq_model::positionwise`), emits one target token per source slot: it must decide
//! output `t` before it has read the words after `t`. The BiRNN adds the other direction.
//!
//! [`cell`] holds the cells every later recurrent architecture uses.

pub mod cell;
mod model;

pub use cell::{Cell, CellKind, GruCell, LstmCell, State};
pub use model::{Lstm, LstmConfig};

#[cfg(test)]
mod masking_tests;
#[cfg(test)]
mod tests;
