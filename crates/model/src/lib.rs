//! The seam of seq2seq-workbench: what an architecture crate implements ([`Seq2Seq`], and
//! [`Decoder`](decode::Decoder) when it generates token by token) and the pieces every
//! architecture shares — greedy and beam search, the position-wise layout of the taggers,
//! dropout, `[model]` range checks, the arithmetic a training step costs, and the per-token
//! loss an untrained model is checked against, and the promises to search every architecture's
//! tests check ([`contract`]). Architectures
//! depend on this crate only; the trainer depends on it too and never names an architecture.

pub mod contract;
pub mod decode;
pub mod dropout;
pub mod flops;
pub mod positionwise;
pub mod scheduled_sampling;
mod seq2seq;
pub mod token_loss;
pub mod validate;

pub use seq2seq::{AttentionKind, AttentionMap, Generation, ModelDims, Seq2Seq};
pub use validate::{ConfigIssue, ModelConfig};
