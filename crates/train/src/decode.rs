//! Greedy autoregressive decoding, shared by every model with a decoder: the model supplies one
//! step (previous tokens in, next-token logits and optional attention weights out), this loop
//! feeds back the argmax, stops each sentence at `<eos>` and collects tokens and weights.

use burn::tensor::{Int, Tensor, TensorData};
use seq2seq_data::Batch;
use seq2seq_data::vocab::{EOS, SOS};

use crate::Generation;

/// One decoder step: `previous` `[batch]` → logits `[batch, vocab]` and, when the model
/// attends, the weights `[batch, src_len]`.
pub type StepOutput = (Tensor<2>, Option<Tensor<2>>);

/// Greedy decoding of at most `max_len` tokens per sentence of `batch`.
pub fn greedy(batch: &Batch, max_len: usize, mut step: impl FnMut(Tensor<1, Int>) -> StepOutput) -> Generation {
    let n = batch.size();
    let device = batch.source.device();
    let mut previous = Tensor::<1, Int>::from_data(TensorData::new(vec![SOS as i64; n], [n]), &device);
    let mut tokens: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut attention: Vec<Vec<Vec<f32>>> = vec![Vec::new(); n];
    let mut attends = false;
    let mut finished = vec![false; n];
    for _ in 0..max_len {
        let (logits, weights) = step(previous);
        let predicted: Tensor<1, Int> = logits.argmax(1).reshape([n]);
        let ids: Vec<i64> = predicted.clone().try_into_vec_as::<i64>().expect("int ids");
        let rows: Option<Vec<f32>> = weights.map(|w| w.try_into_vec_as::<f32>().expect("float weights"));
        attends |= rows.is_some();
        for (k, &id) in ids.iter().enumerate() {
            if finished[k] {
                continue;
            }
            if let Some(rows) = &rows {
                let src_len = rows.len() / n;
                attention[k].push(rows[k * src_len..k * src_len + batch.source_lengths[k]].to_vec());
            }
            if id as usize == EOS {
                finished[k] = true;
            } else {
                tokens[k].push(id as usize);
            }
        }
        if finished.iter().all(|&f| f) {
            break;
        }
        previous = predicted;
    }
    Generation { tokens, attention: attends.then_some(attention) }
}
