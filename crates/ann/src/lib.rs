//! A feed-forward network with no memory (the "ANN" row of the evolution table): each output
//! slot sees only a fixed window of source embeddings around it, through a multilayer
//! perceptron,
//!
//! ```text
//! z_t = [e_{t−w} ; … ; e_t ; … ; e_{t+w}]          (zeros beyond the sentence)
//! h_t = ReLU(W_h z_t + b_h)
//! p(y_t | x_{t−w … t+w}) = softmax(W_o h_t + b_o)
//! ```
//!
//! Like every position-wise model (see `seq2seq_model::positionwise`) it emits one target token
//! per source slot. With no sequence context at all, nothing outside the window can influence
//! a word: subject–verb agreement across a relative clause or a question's verb-first word order
//! are out of its reach.

mod model;

pub use model::{Ann, AnnConfig};

#[cfg(test)]
mod tests;
