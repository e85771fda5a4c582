//! RNN encoder-decoder (Sutskever et al. 2014; Cho et al. 2014): a recurrent encoder reads the
//! source into one fixed-length context vector, and a recurrent decoder writes the translation
//! from it, one token at a time — so the output is free of the input's length and word order,
//! which the position-wise models (ANN, RNN, LSTM, BiRNN) are not. The cells (LSTM, GRU,
//! Elman) come from `seq2seq-lstm`.

mod model;

pub use model::{EncDecConfig, EncoderDecoder};
pub use seq2seq_lstm::CellKind;

#[cfg(test)]
mod tests;
