//! The Elman RNN (Elman 1990): one hidden state carried left to right,
//! `h_t = tanh(x_t W_x + h_{t−1} W_h + b)`.
//!
//! It has no decoder. As every position-wise model of the workbench, it reads the source padded
//! with `<blank>` slots and emits one target token per slot (see
//! `seq2seq_model::positionwise`): output `t` can use the words up to `t` only, and the whole
//! sentence's memory must squeeze through one vector that is rewritten at every step — so
//! information from far back fades (vanishing gradients), which is what the LSTM fixes.

mod cell;
mod model;

pub use cell::ElmanCell;
pub use model::{Rnn, RnnConfig};

#[cfg(test)]
mod tests;
