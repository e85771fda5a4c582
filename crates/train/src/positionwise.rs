//! Helpers for the position-wise models (ANN, RNN, LSTM, BiRNN), which have no decoder: they
//! emit one output per input position. The source is padded with `<blank>` slots up to the
//! output length — the longer of source and target (with its `<eos>`) while training, the source
//! length plus a slack when translating — and the model predicts the target token, `<eos>` or
//! `<pad>` at each slot. This is how such networks tag sequences, and exactly why they cannot
//! change length freely or reorder words: output `t` must be decided from what the network has
//! read by position `t`.

use burn::tensor::{Bool, Int, Tensor, TensorData};
use seq2seq_data::Batch;
use seq2seq_data::vocab::{BLANK, EOS, PAD};

use crate::Generation;

/// Slots per sentence while training: `max(source length, target length + <eos>)`.
pub fn training_slots(batch: &Batch) -> Vec<usize> {
    batch.source_lengths.iter().zip(&batch.target_lengths).map(|(&s, &t)| s.max(t)).collect()
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
            let id = if t < source.len() { source[t] } else if t < count { BLANK } else { PAD };
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

/// Teacher-forced logits aligned with `batch.target_output`, from a position-wise model's
/// logits over training slots `[batch, slots, vocab]`.
pub fn align_to_targets(batch: &Batch, logits: Tensor<3>) -> Tensor<3> {
    let steps = batch.target_output.dims()[1];
    logits.narrow(1, 0, steps)
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
