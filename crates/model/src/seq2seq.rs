//! The seam between the architecture crates and the training crate: what a model is.

use std::fmt::Debug;

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use seq2seq_data::Batch;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::decode::Search;
use crate::validate::ModelConfig;

/// Sizes a model is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelDims {
    pub source_vocab: usize,
    pub target_vocab: usize,
}

/// What autoregressive generation returns for a batch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Generation {
    /// Generated target ids per sentence, without `<sos>` / `<eos>`.
    pub tokens: Vec<Vec<usize>>,
    /// Attention weights, when the model has them: per sentence, one row per generated token
    /// (the `<eos>` step included), one weight per source position.
    pub attention: Option<Vec<Vec<Vec<f32>>>>,
}

/// Which attention an [`AttentionMap`] shows: its rows (queries) and columns (keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttentionKind {
    /// Source positions attending to source positions.
    EncoderSelf,
    /// Target positions (`<sos>` + generated) attending to earlier target positions.
    DecoderSelf,
    /// Target positions attending to source positions.
    Cross,
}

impl AttentionKind {
    pub fn name(self) -> &'static str {
        match self {
            AttentionKind::EncoderSelf => "encoder self-attention",
            AttentionKind::DecoderSelf => "decoder self-attention",
            AttentionKind::Cross => "cross-attention",
        }
    }
}

/// One head's weights while translating one sentence: one row per query, one weight per key.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionMap {
    pub kind: AttentionKind,
    /// From 0.
    pub layer: usize,
    pub head: usize,
    pub weights: Vec<Vec<f32>>,
}

/// Every architecture implements this; the training crate knows nothing else about it.
///
/// Encoder-decoders produce one output per target step. Position-wise models (ANN, RNN, LSTM,
/// BiRNN, conv) produce one output per (padded) source position, which is made as long as the target.
pub trait Seq2Seq: Module + Clone + Debug + Send + Sync + 'static {
    /// The architecture's `[model]` section; it checks its own ranges ([`ModelConfig`]) before
    /// a model is built.
    type Config: Serialize + DeserializeOwned + Default + Clone + Debug + PartialEq + ModelConfig;

    /// Builds a freshly initialised model on `device`.
    fn init(config: &Self::Config, dims: ModelDims, device: &Device) -> Self;

    /// Logits for every target position, `[batch, tgt_len, target_vocab]`, aligned with
    /// `batch.target_output`. `teacher_forcing[t]` says whether step `t` is fed the gold previous
    /// token (else the model's own prediction); models without a decoder ignore it.
    fn forward(&self, batch: &Batch, teacher_forcing: &[bool]) -> Tensor<3>;

    /// Whether the model generates token by token (has a decoder that [`Search`] can search
    /// over). Position-wise models emit all outputs at once and ignore the beam width.
    const AUTOREGRESSIVE: bool = true;

    /// Generation of at most `search.max_len` tokens per sentence, greedy or by beam search;
    /// only the source side of `batch` is read. Decoder models call
    /// [`decode`](crate::decode::decode) with their [`Decoder`](crate::decode::Decoder).
    fn generate(&self, batch: &Batch, search: &Search) -> Generation;

    /// Every attention map (per layer and head) of translating the one sentence in `batch` into
    /// `generated` (ids without `<sos>` / `<eos>`); models with several layers or heads of
    /// attention override it. Query rows are the output steps (`generated` + `<eos>`), or the
    /// source positions for encoder self-attention.
    fn attention_maps(&self, _batch: &Batch, _generated: &[usize]) -> Vec<AttentionMap> {
        Vec::new()
    }

    /// The embedding of source tokens, for the probes' gradient saliency
    /// (the trainer's `saliency`); models that do not expose one give `None`.
    fn source_embedding(&self) -> Option<&burn::nn::Embedding> {
        None
    }
}
