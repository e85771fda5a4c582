//! The formulation ceiling of a position-wise model: the share of test sentences it could
//! translate exactly *at best*, given only what its layout lets each slot see. Target word `j`
//! is emitted at slot `j`; a left-to-right model has read source words `0..=j` by then (`0..=j+k`
//! with a delay of `k`), the ANN the words within its window, a conv stack its receptive field
//! (centred: half of it on each side; causal: the words up to the slot), a BiRNN all of them; and no model emits more words than it has
//! slots (source length + slack). Computed from the gold word alignments of the test split, so
//! nobody reads a ceiling as a capability. It is an upper bound: agreement controllers outside
//! the aligned words can lower it further.

use seq2seq_data::{Example, Splits};

use crate::claims::Reach;
use crate::runs::Run;

/// What a position-wise architecture's slot sees; `None` for models with a decoder.
pub fn reach(run: &Run) -> Option<Reach> {
    let setting = |key: &str, default: i64| run.config.model.get(key).and_then(|v| v.as_integer()).unwrap_or(default);
    match run.config.arch.as_str() {
        "ann" => Some(Reach::Window(setting("window", 2))),
        "rnn" | "lstm" => Some(match setting("delay", 0) {
            0 => Reach::Left,
            k => Reach::Ahead(k),
        }),
        "birnn" => Some(Reach::Both),
        "conv" => {
            let text = |key: &str| run.config.model.get(key).and_then(|v| v.as_str());
            let field =
                receptive_field(setting("kernel_size", 0), setting("layers", 0), text("dilation")? == "doubling");
            Some(if text("context")? == "causal" { Reach::Back(field - 1) } else { Reach::Window((field - 1) / 2) })
        }
        _ => None,
    }
}

/// A conv stack's receptive field from its run's resolved `[model]` settings,
/// `R = 1 + (k − 1)·Σ_l δ_l` with `δ_l = 2^l` when the dilations double (the conv crate's
/// `ConvConfig::receptive_field`, which the report does not link).
fn receptive_field(kernel_size: i64, layers: i64, doubling: bool) -> i64 {
    1 + (kernel_size - 1) * (0..layers).map(|l| if doubling { 1 << l } else { 1 }).sum::<i64>()
}

/// Whether every target word's aligned source words are in view from its slot, and the
/// translation fits the slots.
pub fn answerable(example: &Example, reach: Reach, slack: usize) -> bool {
    let fits = example.alignment.len() <= example.source_len() + slack;
    fits && example
        .alignment
        .iter()
        .enumerate()
        .all(|(slot, sources)| sources.iter().all(|&s| reach.sees(slot as i64 - s as i64)))
}

/// The ceiling (%) of `run` on its test split, for position-wise models on tasks with gold
/// alignments.
pub fn formulation_ceiling(run: &Run) -> Option<f64> {
    let reach = reach(run)?;
    let slack = run.config.model.get("slack").and_then(|v| v.as_integer()).unwrap_or(0).max(0) as usize;
    let test = Splits::build(&run.config.data, run.config.seed).ok()?.test;
    if test.is_empty() || test.iter().any(|e| e.alignment.is_empty()) {
        return None;
    }
    let answerable = test.iter().filter(|e| answerable(e, reach, slack)).count();
    Some(100.0 * answerable as f64 / test.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(source: &str, alignment: Vec<Vec<usize>>) -> Example {
        Example { source: source.into(), alignment, ..Example::default() }
    }

    #[test]
    fn slots_see_what_their_layout_lets_them_see() {
        // `in finland` → `suomessa`: target word 0 needs source word 1, one ahead of its slot.
        let locative = example("in finland", vec![vec![0, 1]]);
        assert!(!answerable(&locative, Reach::Left, 4));
        assert!(answerable(&locative, Reach::Window(2), 4));
        assert!(answerable(&locative, Reach::Both, 4));
        // Word for word is answerable from the left.
        assert!(answerable(&example("a b c", vec![vec![0], vec![1], vec![2]]), Reach::Left, 0));
        // A delay of one word makes the locative answerable from the left.
        assert!(answerable(&locative, Reach::Ahead(1), 4));
        // Reversal: the last word first — only the BiRNN sees it, the window not at distance 3.
        let reverse = example("a b c d", vec![vec![3], vec![2], vec![1], vec![0]]);
        assert!(answerable(&reverse, Reach::Both, 0) && !answerable(&reverse, Reach::Window(2), 0));
        // Longer than the slots: unanswerable whatever the model sees.
        let long = example("a", vec![vec![0], vec![0], vec![0]]);
        assert!(!answerable(&long, Reach::Both, 1) && answerable(&long, Reach::Both, 2));
        // A causal field of 3 words sees the word two back, not three back, never one ahead.
        let back = example("a b c d", vec![vec![0], vec![0], vec![0], vec![0]]);
        assert!(!answerable(&back, Reach::Back(2), 0));
        assert!(answerable(&example("a b c", vec![vec![0], vec![0], vec![0]]), Reach::Back(2), 0));
        assert!(!answerable(&locative, Reach::Back(8), 4));
    }

    #[test]
    fn a_conv_stack_sees_its_receptive_field() {
        assert_eq!(receptive_field(3, 4, false), 9);
        assert_eq!(receptive_field(3, 5, true), 63);
        assert_eq!(receptive_field(2, 3, true), 8);
    }
}
