//! What every [`Seq2Seq`] owes the search and the report, as one check each architecture's tests
//! run on a small untrained model of their own: padding a sentence changes neither its translation
//! nor its attention, beam search of width 1 is greedy search, and each attention row is a
//! distribution over the sentence's real words, one row per output step.

use burn::tensor::Device;
use seq2seq_data::{Batch, EncodedPair};

use crate::decode::Search;
use crate::{Generation, Seq2Seq};

/// Longest translation the check generates.
const MAX_LEN: usize = 6;

/// `short` is translated alone and beside `long`, which pads it (greedy, beam width 1 and a
/// beam of 3); `attention`: whether the model returns attention weights. Panics naming the first
/// broken promise.
pub fn search_ignores_padding(
    model: &impl Seq2Seq,
    short: &EncodedPair,
    long: &EncodedPair,
    attention: bool,
    device: &Device,
) {
    assert!(short.source.len() < long.source.len(), "`long` must be longer than `short` to pad it");
    let both = Batch::new(&[short, long], device);
    let alone = Batch::new(&[short], device);

    let greedy = model.generate(&both, &Search::greedy(MAX_LEN));
    assert_eq!(greedy.attention.is_some(), attention, "attention weights returned: {}", greedy.attention.is_some());
    if let Some(attention) = &greedy.attention {
        for (k, pair) in [short, long].iter().enumerate() {
            assert_eq!(attention[k].len(), (greedy.tokens[k].len() + 1).min(MAX_LEN), "one row per output step");
            for row in &attention[k] {
                assert_eq!(row.len(), pair.source.len(), "a row covers the real source words only");
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4, "a row sums to 1: {row:?}");
            }
        }
    }
    let greedy_alone = model.generate(&alone, &Search::greedy(MAX_LEN));
    assert_eq!(greedy_alone.tokens[0], greedy.tokens[0], "padding changed a greedy translation");
    assert_same_weights(&greedy_alone, &greedy, 1, "padding changed the attention");

    let width_one = model.generate(&both, &Search::beam(MAX_LEN, 1, 0.0));
    assert_eq!(width_one.tokens, greedy.tokens, "beam search of width 1 is greedy search");
    assert_same_weights(&width_one, &greedy, 2, "beam search of width 1 keeps greedy search's weights");

    let beam = |batch: &Batch| model.generate(batch, &Search::beam(MAX_LEN, 3, 0.6));
    let (wide, wide_alone) = (beam(&both), beam(&alone));
    assert_eq!(wide.tokens[0], wide_alone.tokens[0], "padding changed a beam translation");
    if let Some(attention) = &wide.attention {
        for (k, rows) in attention.iter().enumerate() {
            assert_eq!(rows.len(), (wide.tokens[k].len() + 1).min(MAX_LEN), "beam search: one row per output step");
        }
    }
}

/// The attention rows of the first `sentences` sentences of `a` and `b` agree to 1e-5 (both
/// without attention agree trivially).
fn assert_same_weights(a: &Generation, b: &Generation, sentences: usize, what: &str) {
    assert_eq!(a.attention.is_some(), b.attention.is_some(), "{what}: weights on one side only");
    if let (Some(a), Some(b)) = (&a.attention, &b.attention) {
        let flat = |weights: &[Vec<Vec<f32>>]| -> Vec<f32> { weights[..sentences].concat().concat() };
        let (a, b) = (flat(a), flat(b));
        assert_eq!(a.len(), b.len(), "{what}: {} weights against {}", a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-5), "{what}: {a:?} against {b:?}");
    }
}
