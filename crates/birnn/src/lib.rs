//! The bidirectional RNN (Schuster & Paliwal 1997): one recurrent network reads the slots left
//! to right, another right to left, and each slot's output sees both,
//! `h_t = [→h_t ; ←h_t]`. Now output `t` can depend on words after `t` — but, like every
//! position-wise model (see `seq2seq_model::positionwise`), output `t` is still tied to slot `t`:
//! the alignment between source and target positions is fixed, and the output cannot be much
//! shorter or longer than the input, nor reordered freely. Freeing the output from the input's
//! positions is what the encoder-decoder does.

mod model;

pub use model::{BiRnn, BiRnnConfig};

#[cfg(test)]
mod tests;
