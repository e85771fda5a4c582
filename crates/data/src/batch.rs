//! Batches: padding, length masks, optional length bucketing.

use burn::tensor::{Bool, Device, Int, Tensor, TensorData};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::vocab::{EOS, PAD, SOS};

/// A sentence pair as ids (no `<sos>` / `<eos>`), with its position in its split.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedPair {
    pub index: usize,
    pub source: Vec<usize>,
    pub target: Vec<usize>,
    /// The target positions the training loss scores; `None`: every target token and `<eos>`.
    /// Only tasks whose answer is one token among placeholders set it (the latch, see
    /// [`crate::Task::scores_decisive_items_only`]).
    pub scored_positions: Option<Vec<usize>>,
}

impl EncodedPair {
    /// A pair whose loss scores every target token.
    pub fn new(index: usize, source: Vec<usize>, target: Vec<usize>) -> Self {
        Self { index, source, target, scored_positions: None }
    }
}

/// A padded batch. `target_input` is `<sos> y1 … yn`, `target_output` is `y1 … yn <eos>`.
#[derive(Clone, Debug)]
pub struct Batch {
    /// `[batch, src_len]`, padded with `<pad>`.
    pub source: Tensor<2, Int>,
    /// `[batch, src_len]`, true at real tokens.
    pub source_mask: Tensor<2, Bool>,
    pub source_lengths: Vec<usize>,
    /// The source ids, unpadded (for models that lay out their own inputs).
    pub source_ids: Vec<Vec<usize>>,
    /// `[batch, tgt_len]`.
    pub target_input: Tensor<2, Int>,
    /// `[batch, tgt_len]`.
    pub target_output: Tensor<2, Int>,
    /// `[batch, tgt_len]`, true at real tokens (the `<eos>` included).
    pub target_mask: Tensor<2, Bool>,
    /// Target lengths including `<eos>`.
    pub target_lengths: Vec<usize>,
    /// `[batch, tgt_len]`, true where the loss scores a token: `target_mask`, narrowed to the
    /// pairs' `scored_positions` where they have them.
    pub loss_mask: Tensor<2, Bool>,
    /// True entries of `loss_mask`: what the loss averages over.
    pub scored_tokens: usize,
    /// Positions of the pairs in their split.
    pub indices: Vec<usize>,
}

fn padded(rows: &[Vec<usize>], width: usize) -> (Vec<i64>, Vec<bool>) {
    let mut ids = Vec::with_capacity(rows.len() * width);
    let mut mask = Vec::with_capacity(rows.len() * width);
    for row in rows {
        for i in 0..width {
            ids.push(row.get(i).map_or(PAD as i64, |&t| t as i64));
            mask.push(i < row.len());
        }
    }
    (ids, mask)
}

impl Batch {
    pub fn new(pairs: &[&EncodedPair], device: &Device) -> Self {
        let sources: Vec<Vec<usize>> = pairs.iter().map(|p| p.source.clone()).collect();
        let inputs: Vec<Vec<usize>> = pairs.iter().map(|p| [&[SOS][..], &p.target].concat()).collect();
        let outputs: Vec<Vec<usize>> = pairs.iter().map(|p| [&p.target[..], &[EOS]].concat()).collect();
        let n = pairs.len();
        let src_len = sources.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let tgt_len = outputs.iter().map(Vec::len).max().unwrap_or(1);
        let (src, src_mask) = padded(&sources, src_len);
        let (tgt_in, _) = padded(&inputs, tgt_len);
        let (tgt_out, tgt_mask) = padded(&outputs, tgt_len);
        // Real target tokens (`<eos>` at `target.len()`), narrowed to the scored positions.
        let scored = |p: &EncodedPair, i: usize| {
            i <= p.target.len() && p.scored_positions.as_ref().is_none_or(|s| s.contains(&i))
        };
        let loss_mask: Vec<bool> = pairs.iter().flat_map(|&p| (0..tgt_len).map(move |i| scored(p, i))).collect();
        let scored_tokens = loss_mask.iter().filter(|&&m| m).count();
        let int = |v: Vec<i64>, w: usize| Tensor::<2, Int>::from_data(TensorData::new(v, [n, w]), device);
        let bool = |v: Vec<bool>, w: usize| Tensor::<2, Bool>::from_data(TensorData::new(v, [n, w]), device);
        Batch {
            source: int(src, src_len),
            source_mask: bool(src_mask, src_len),
            source_lengths: sources.iter().map(Vec::len).collect(),
            source_ids: sources.clone(),
            target_input: int(tgt_in, tgt_len),
            target_output: int(tgt_out, tgt_len),
            target_mask: bool(tgt_mask, tgt_len),
            target_lengths: outputs.iter().map(Vec::len).collect(),
            loss_mask: bool(loss_mask, tgt_len),
            scored_tokens,
            indices: pairs.iter().map(|p| p.index).collect(),
        }
    }

    pub fn size(&self) -> usize {
        self.indices.len()
    }

    /// Real target tokens in the batch (`<eos>` included): what the loss averages over.
    pub fn target_tokens(&self) -> usize {
        self.target_lengths.iter().sum()
    }
}

/// Cuts a split into batches of pair indices.
#[derive(Clone, Debug)]
pub struct Batcher {
    pub batch_size: usize,
    /// Group pairs of similar source length (less padding).
    pub bucketing: bool,
}

impl Batcher {
    /// Batches for one epoch. With `shuffle_seed`, the order is shuffled deterministically (and
    /// with bucketing, pairs are sorted by length within pools of 50 batches first); without it
    /// (evaluation), pairs are taken in order, or by length with bucketing.
    pub fn batches(&self, pairs: &[EncodedPair], shuffle_seed: Option<u64>) -> Vec<Vec<usize>> {
        let size = self.batch_size.max(1);
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        let key = |&i: &usize| (pairs[i].source.len(), pairs[i].target.len());
        match shuffle_seed {
            Some(seed) => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                order.shuffle(&mut rng);
                if self.bucketing {
                    for pool in order.chunks_mut(size * 50) {
                        pool.sort_by_key(key);
                    }
                }
                let mut batches: Vec<Vec<usize>> = order.chunks(size).map(<[usize]>::to_vec).collect();
                batches.shuffle(&mut rng);
                batches
            }
            None => {
                if self.bucketing {
                    order.sort_by_key(key);
                }
                order.chunks(size).map(<[usize]>::to_vec).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(index: usize, source: &[usize], target: &[usize]) -> EncodedPair {
        EncodedPair::new(index, source.to_vec(), target.to_vec())
    }

    #[test]
    fn batch_pads_and_masks() {
        let device = Device::flex();
        let a = pair(0, &[7, 8, 9], &[10]);
        let b = pair(1, &[7], &[10, 11, 12]);
        let batch = Batch::new(&[&a, &b], &device);
        let src: Vec<i64> = batch.source.clone().try_into_vec_as::<i64>().unwrap();
        assert_eq!(src, [7, 8, 9, 7, 0, 0]);
        let tin: Vec<i64> = batch.target_input.clone().try_into_vec_as::<i64>().unwrap();
        assert_eq!(tin, [1, 10, 0, 0, 1, 10, 11, 12]);
        let tout: Vec<i64> = batch.target_output.clone().try_into_vec_as::<i64>().unwrap();
        assert_eq!(tout, [10, 2, 0, 0, 10, 11, 12, 2]);
        let mask: Vec<bool> = batch.target_mask.clone().into_data().try_to_vec::<bool>().unwrap();
        assert_eq!(mask, [true, true, false, false, true, true, true, true]);
        assert_eq!(batch.target_tokens(), 6);
        assert_eq!(batch.source_lengths, [3, 1]);
        let loss_mask: Vec<bool> = batch.loss_mask.clone().into_data().try_to_vec::<bool>().unwrap();
        assert_eq!((loss_mask, batch.scored_tokens), (mask, 6), "no scored positions: the loss scores every token");
    }

    #[test]
    fn scored_positions_narrow_the_loss_mask() {
        let device = Device::flex();
        let a = EncodedPair { scored_positions: Some(vec![2]), ..pair(0, &[7, 8, 9], &[4, 4, 10]) };
        let b = pair(1, &[7], &[10]);
        let batch = Batch::new(&[&a, &b], &device);
        let mask: Vec<bool> = batch.target_mask.clone().into_data().try_to_vec::<bool>().unwrap();
        assert_eq!(mask, [true, true, true, true, true, true, false, false]);
        let loss_mask: Vec<bool> = batch.loss_mask.clone().into_data().try_to_vec::<bool>().unwrap();
        assert_eq!(loss_mask, [false, false, true, false, true, true, false, false]);
        assert_eq!((batch.scored_tokens, batch.target_tokens()), (3, 6));
    }

    #[test]
    fn batches_cover_every_pair_once_and_are_seeded() {
        let pairs: Vec<_> = (0..103).map(|i| pair(i, &vec![1; 1 + i % 17], &[1])).collect();
        let batcher = Batcher { batch_size: 8, bucketing: true };
        let a = batcher.batches(&pairs, Some(3));
        assert_eq!(a, batcher.batches(&pairs, Some(3)));
        assert_ne!(a, batcher.batches(&pairs, Some(4)));
        let mut all: Vec<usize> = a.concat();
        all.sort();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        let eval = batcher.batches(&pairs, None);
        let lens: Vec<usize> = eval.concat().iter().map(|&i| pairs[i].source.len()).collect();
        assert!(lens.windows(2).all(|w| w[0] <= w[1]));
    }
}
