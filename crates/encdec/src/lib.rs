//! RNN encoder-decoder (Sutskever et al. 2014; Cho et al. 2014): a recurrent encoder reads the
//! source into one fixed-length context vector, and a recurrent decoder writes the translation
//! from it, one token at a time. LSTM and GRU cells are written from tensor operations in
//! [`cell`] and checked against burn's own `Lstm` and `Gru`.

pub mod cell;
mod model;

pub use cell::{Cell, CellKind, State};
pub use model::{EncDecConfig, EncoderDecoder};

#[cfg(test)]
mod tests;
