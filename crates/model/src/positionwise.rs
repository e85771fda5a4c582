//! Helpers for the position-wise models (ANN, RNN, LSTM, BiRNN, conv), which have no decoder: they
//! emit one output per input position. The source is padded with `<blank>` slots up to the
//! output length — the source length plus a slack, or the target length (with its `<eos>`) when
//! that is longer while training — and the model predicts the target token or `<eos>` at each
//! slot. Training and translation thus see the same layout (a bidirectional model reads the
//! blanks after the source too). This is how such networks tag sequences, and exactly why they cannot
//! change length freely or reorder words: output `t` must be decided from what the network has
//! read by position `t`.

use std::fmt::Debug;

use burn::module::Module;
use burn::nn::Embedding;
use burn::tensor::{Bool, Device, Int, Tensor, TensorData};
use seq2seq_data::Batch;
use seq2seq_data::vocab::{BLANK, EOS, PAD};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::decode::Search;
use crate::{Generation, ModelConfig, ModelDims, Seq2Seq};

/// Slots per sentence while training: `max(source length + slack, target length + <eos>)`.
pub fn training_slots(batch: &Batch, slack: usize) -> Vec<usize> {
    batch.source_lengths.iter().zip(&batch.target_lengths).map(|(&s, &t)| (s + slack).max(t)).collect()
}

/// Slots per sentence when translating: the source length plus `slack`.
pub fn inference_slots(batch: &Batch, slack: usize) -> Vec<usize> {
    batch.source_lengths.iter().map(|&s| s + slack).collect()
}

/// The slot inputs `[batch, slots]`: source tokens, then `<blank>` up to each sentence's slot
/// count, then `<pad>`; and the mask `[batch, slots]`, true at real slots.
pub fn slot_inputs(batch: &Batch, slots: &[usize]) -> (Tensor<2, Int>, Tensor<2, Bool>) {
    let width = slots.iter().copied().max().unwrap_or(1).max(1);
    let n = slots.len();
    let mut ids = Vec::with_capacity(n * width);
    let mut mask = Vec::with_capacity(n * width);
    for (source, &count) in batch.source_ids.iter().zip(slots) {
        for t in 0..width {
            let id = if t < source.len() {
                source[t]
            } else if t < count {
                BLANK
            } else {
                PAD
            };
            ids.push(id as i64);
            mask.push(t < count);
        }
    }
    let device = batch.source.device();
    (
        Tensor::from_data(TensorData::new(ids, [n, width]), &device),
        Tensor::from_data(TensorData::new(mask, [n, width]), &device),
    )
}

/// A model that emits one output per slot — a tagger. It writes its construction and its slots'
/// logits; [`Seq2Seq`] comes with it (below): teacher-forced logits and translation read the same
/// slots, and there is no decoder to search over.
pub trait SlotModel: Module + Clone + Debug + Send + Sync + 'static {
    /// The architecture's `[model]` section (as [`Seq2Seq::Config`]).
    type Config: Serialize + DeserializeOwned + Default + Clone + Debug + PartialEq + ModelConfig;

    /// Builds a freshly initialised model on `device` ([`Seq2Seq::init`]).
    fn build(config: &Self::Config, dims: ModelDims, device: &Device) -> Self;

    /// Logits of every slot, `[batch, slots, target_vocab]`, from slot inputs `[batch, slots]`
    /// and their mask (true at real slots).
    fn slot_logits(&self, inputs: Tensor<2, Int>, mask: Tensor<2, Bool>) -> Tensor<3>;

    /// Output slots beyond the source length when translating.
    fn slack(&self) -> usize;

    /// Wait-k: slots read before the first output, so output `t` is read at slot `t + k` and a
    /// left-to-right model has seen `k` words past it (Ma et al. 2019). 0: output `t` at slot `t`.
    fn delay(&self) -> usize {
        0
    }

    /// The source embedding, for the probes' gradient saliency ([`Seq2Seq::source_embedding`]).
    fn embedding(&self) -> Option<&Embedding> {
        None
    }
}

impl<M: SlotModel> Seq2Seq for M {
    type Config = M::Config;

    fn init(config: &M::Config, dims: ModelDims, device: &Device) -> Self {
        M::build(config, dims, device)
    }

    /// Every slot at once; there is no previous token to feed, gold or not.
    fn forward(&self, batch: &Batch, _teacher_forcing: &[bool]) -> Tensor<3> {
        forward(self, batch)
    }

    /// No decoder: every slot is read at once.
    const AUTOREGRESSIVE: bool = false;

    fn generate(&self, batch: &Batch, _search: &Search) -> Generation {
        generate(self, batch)
    }

    fn source_embedding(&self) -> Option<&Embedding> {
        self.embedding()
    }
}

/// `slots` widened by the model's delay: `k` more slots, the first `k` outputs left unread.
fn delayed(slots: Vec<usize>, delay: usize) -> Vec<usize> {
    slots.into_iter().map(|s| s + delay).collect()
}

/// Teacher-forced logits aligned with `batch.target_output`: the slots' logits, cut to the
/// target length (slots beyond it only exist because the source is longer).
/// With a delay `k`, output `t` is slot `t + k`'s.
pub fn forward<M: SlotModel>(model: &M, batch: &Batch) -> Tensor<3> {
    let delay = model.delay();
    let (inputs, mask) = slot_inputs(batch, &delayed(training_slots(batch, model.slack()), delay));
    let steps = batch.target_output.dims()[1];
    model.slot_logits(inputs, mask).narrow(1, delay, steps) // [batch, steps, target_vocab]
}

/// Translation: `source length + slack` slots, read up to the first `<eos>` (there is nothing
/// to search over: every slot's output is its argmax).
pub fn generate<M: SlotModel>(model: &M, batch: &Batch) -> Generation {
    let (slots, delay) = (inference_slots(batch, model.slack()), model.delay());
    let (inputs, mask) = slot_inputs(batch, &delayed(slots.clone(), delay));
    let logits = model.slot_logits(inputs, mask); // [batch, slots + delay, target_vocab]
    let width = logits.dims()[1];
    read_slots(logits.narrow(1, delay, width - delay), &slots)
}

/// Reads each sentence's slots left to right up to the first `<eos>` or `<pad>`.
pub fn read_slots(logits: Tensor<3>, slots: &[usize]) -> Generation {
    let [batch, width, _] = logits.dims();
    let predicted: Vec<i64> = logits.argmax(2).try_into_vec_as::<i64>().expect("int ids");
    let tokens = (0..batch)
        .map(|b| {
            predicted[b * width..b * width + slots[b].min(width)]
                .iter()
                .map(|&id| id as usize)
                .take_while(|&id| id != EOS && id != PAD)
                .collect()
        })
        .collect();
    Generation { tokens, attention: None }
}
