//! Autoregressive decoding, shared by every model with a decoder: greedy search and beam search.
//! The model supplies a [`Decoder`] — one step (previous tokens in, next-token logits and
//! optional attention weights out) and a way to keep or copy rows of its state — and these
//! loops do the searching, stop each sentence at `<eos>` and collect tokens and weights.

use burn::nn::Embedding;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Bool, Int, Tensor, TensorData};
use seq2seq_data::Batch;
use seq2seq_data::vocab::{EOS, SOS};

use crate::Generation;

/// One decoder step's output: logits `[rows, vocab]` and, when the model attends, the weights
/// `[rows, src_len]`.
pub type StepOutput = (Tensor<2>, Option<Tensor<2>>);

/// A model's decoder, primed with an encoded batch: one row per hypothesis.
pub trait Decoder {
    /// Feeds `previous` `[rows]` and advances every row's state by one token.
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput;
    /// Keeps the rows `rows` `[new_rows]` of every per-row tensor (state, encoder outputs, masks),
    /// in that order; a row may be kept several times (beam search copies hypotheses).
    fn select_rows(&mut self, rows: Tensor<1, Int>);
}

/// Embeds one token per row, `[rows]` → `[rows, embedding]`: a decoder's input at one step.
pub fn embed_step(embedding: &Embedding, tokens: Tensor<1, Int>) -> Tensor<2> {
    let [rows] = tokens.dims();
    let embedded: Tensor<3> = embedding.forward(tokens.unsqueeze_dim(1)); // [rows, 1, embedding]
    let [_, _, size] = embedded.dims();
    embedded.reshape([rows, size])
}

/// Keeps rows `rows` of a mask. (burn-flex 0.22.1 loses the Bool dtype when selecting from a
/// Bool tensor, and a later `bool_not` panics; selecting as Int avoids it.)
pub fn select_mask(mask: Tensor<2, Bool>, rows: Tensor<1, Int>) -> Tensor<2, Bool> {
    mask.int().select(0, rows).equal_elem(1)
}

/// How to search for translations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Search {
    /// Most tokens per translation (`<eos>` not counted).
    pub max_len: usize,
    /// Beam search, or greedy search when `None`.
    pub beam: Option<Beam>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Beam {
    /// Hypotheses kept per sentence; width 1 finds what greedy search finds.
    pub width: usize,
    /// `α` of the length penalty `((5 + |y|) / 6)^α` (Wu et al., 2016) that a finished
    /// hypothesis' log-probability is divided by; 0 ranks by log-probability alone, larger
    /// values favour longer translations.
    pub length_penalty: f32,
}

impl Search {
    pub fn greedy(max_len: usize) -> Self {
        Search { max_len, beam: None }
    }

    pub fn beam(max_len: usize, width: usize, length_penalty: f32) -> Self {
        Search { max_len, beam: Some(Beam { width, length_penalty }) }
    }

    /// The same search with at most `max_len` tokens.
    pub fn capped(self, max_len: usize) -> Self {
        Search { max_len: self.max_len.min(max_len), ..self }
    }
}

impl std::fmt::Display for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.beam {
            None => write!(f, "greedy"),
            Some(beam) => write!(f, "beam {}, length penalty {}", beam.width, beam.length_penalty),
        }
    }
}

/// Decodes `batch` with `decoder`, greedy or by beam search as `search` says.
pub fn decode(batch: &Batch, search: &Search, decoder: &mut impl Decoder) -> Generation {
    match search.beam {
        None => greedy(batch, search.max_len, decoder),
        Some(options) => beam(batch, search.max_len, options, decoder),
    }
}

/// Greedy decoding: at every step, the most probable next token.
pub fn greedy(batch: &Batch, max_len: usize, decoder: &mut impl Decoder) -> Generation {
    let n = batch.size();
    let device = batch.source.device();
    let mut previous = Tensor::<1, Int>::from_data(TensorData::new(vec![SOS as i64; n], [n]), &device);
    let mut tokens: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut attention: Vec<Vec<Vec<f32>>> = vec![Vec::new(); n];
    let mut attends = false;
    let mut finished = vec![false; n];
    for _ in 0..max_len {
        let (logits, weights) = decoder.step(previous);
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

/// A partial or finished translation.
#[derive(Clone, Debug, Default)]
struct Hypothesis {
    tokens: Vec<usize>,
    attention: Vec<Vec<f32>>,
    /// `log p(y | x)` so far.
    log_prob: f32,
}

/// `log p(y | x) / ((5 + |y|) / 6)^α`, with `|y|` counting `<eos>`.
fn normalized(log_prob: f32, length: usize, alpha: f32) -> f32 {
    // BEGIN SOLUTION beam-search
    log_prob / ((5.0 + length as f32) / 6.0).powf(alpha)
    // END SOLUTION beam-search
}

/// Beam search: every sentence keeps the `width` most probable partial translations; each step
/// extends all of them by every token and keeps the best `width` extensions. A hypothesis that
/// emits `<eos>` among the best `width` is finished; a sentence is done once it has `width`
/// finished hypotheses (or at `max_len`), and its best one under the length penalty wins.
pub fn beam(batch: &Batch, max_len: usize, options: Beam, decoder: &mut impl Decoder) -> Generation {
    // BEGIN SOLUTION beam-search
    let (n, width) = (batch.size(), options.width.max(1));
    let device = batch.source.device();
    let rows_tensor = |rows: &[usize]| {
        Tensor::<1, Int>::from_data(TensorData::new(rows.iter().map(|&r| r as i64).collect(), [rows.len()]), &device)
    };
    // Row `b·width + k` holds hypothesis `k` of sentence `b`; at first only `k = 0` is alive.
    let copies: Vec<usize> = (0..n * width).map(|row| row / width).collect();
    decoder.select_rows(rows_tensor(&copies));
    let mut alive: Vec<Option<Hypothesis>> =
        (0..n * width).map(|row| (row % width == 0).then(Hypothesis::default)).collect();
    let mut finished: Vec<Vec<Hypothesis>> = vec![Vec::new(); n];
    let mut done = vec![false; n];
    let mut attends = false;
    let mut previous: Vec<usize> = vec![SOS; n * width];
    for _ in 0..max_len {
        let (logits, weights) = decoder.step(rows_tensor(&previous));
        let [_, vocab] = logits.dims();
        let log_probs: Vec<f32> = log_softmax(logits, 1).try_into_vec_as::<f32>().expect("float log-probs");
        let weights: Option<Vec<f32>> = weights.map(|w| w.try_into_vec_as::<f32>().expect("float weights"));
        attends |= weights.is_some();
        let mut parents: Vec<usize> = (0..n * width).collect();
        let mut next_alive: Vec<Option<Hypothesis>> = vec![None; n * width];
        for b in 0..n {
            if done[b] {
                continue;
            }
            // Every extension of every live hypothesis, best first.
            let mut candidates: Vec<(f32, usize, usize)> = Vec::new(); // (log-prob, row, token)
            for row in b * width..(b + 1) * width {
                let Some(hypothesis) = &alive[row] else { continue };
                let scores = &log_probs[row * vocab..(row + 1) * vocab];
                candidates.extend(scores.iter().enumerate().map(|(t, &lp)| (hypothesis.log_prob + lp, row, t)));
            }
            // Only the best 2·width can matter: each live row has one `<eos>` extension, so at
            // most `width` of them are skipped before `width` hypotheses are kept.
            let best_first = |x: &(f32, usize, usize), y: &(f32, usize, usize)| {
                y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2))
            };
            let needed = (2 * width).min(candidates.len());
            if needed < candidates.len() {
                candidates.select_nth_unstable_by(needed, best_first);
                candidates.truncate(needed);
            }
            candidates.sort_by(best_first);
            let mut kept = 0;
            for (rank, &(log_prob, row, token)) in candidates.iter().enumerate() {
                if kept == width {
                    break;
                }
                let parent = alive[row].as_ref().expect("candidates come from live rows");
                let mut attention = parent.attention.clone();
                if let Some(weights) = &weights {
                    let src_len = weights.len() / (n * width);
                    attention.push(weights[row * src_len..row * src_len + batch.source_lengths[b]].to_vec());
                }
                if token == EOS {
                    if rank < width {
                        finished[b].push(Hypothesis { tokens: parent.tokens.clone(), attention, log_prob });
                    }
                    continue;
                }
                let mut tokens = parent.tokens.clone();
                tokens.push(token);
                let slot = b * width + kept;
                parents[slot] = row;
                previous[slot] = token;
                next_alive[slot] = Some(Hypothesis { tokens, attention, log_prob });
                kept += 1;
            }
            done[b] = finished[b].len() >= width;
        }
        alive = next_alive;
        if done.iter().all(|&d| d) {
            break;
        }
        decoder.select_rows(rows_tensor(&parents));
    }
    let mut tokens = Vec::with_capacity(n);
    let mut attention = Vec::with_capacity(n);
    for b in 0..n {
        // Sentences cut off at `max_len` also rank their unfinished hypotheses.
        let unfinished = alive[b * width..(b + 1) * width].iter().flatten().filter(|_| !done[b]).cloned();
        let best = finished[b]
            .drain(..)
            .map(|h| (normalized(h.log_prob, h.tokens.len() + 1, options.length_penalty), h))
            .chain(unfinished.map(|h| (normalized(h.log_prob, h.tokens.len(), options.length_penalty), h)))
            .max_by(|x, y| x.0.total_cmp(&y.0))
            .map(|(_, h)| h)
            .unwrap_or_default();
        tokens.push(best.tokens);
        attention.push(best.attention);
    }
    Generation { tokens, attention: attends.then_some(attention) }
    // END SOLUTION beam-search
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;
    use seq2seq_data::EncodedPair;

    /// A bigram "model": the next token's probabilities depend only on the previous token.
    struct Bigram {
        table: Vec<Vec<f32>>,
        selections: usize,
    }

    impl Decoder for Bigram {
        fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
            let ids: Vec<i64> = previous.clone().try_into_vec_as::<i64>().unwrap();
            let vocab = self.table[0].len();
            let logits: Vec<f32> = ids.iter().flat_map(|&id| self.table[id as usize].iter().map(|p| p.ln())).collect();
            (Tensor::from_data(TensorData::new(logits, [ids.len(), vocab]), &previous.device()), None)
        }

        fn select_rows(&mut self, _rows: Tensor<1, Int>) {
            self.selections += 1;
        }
    }

    const A: usize = 5;
    const B: usize = 6;

    /// After `<sos>`: A 0.6, B 0.4. After A: `<eos>` only 0.3, the rest spread. After B: `<eos>`.
    /// Greedy takes A (best 0.6 · 0.3 = 0.18); the best translation is B (0.4 · 1.0).
    fn bigram() -> Bigram {
        let mut table = vec![vec![1e-6f32; 8]; 8];
        table[SOS][A] = 0.6;
        table[SOS][B] = 0.4;
        table[A][EOS] = 0.3;
        table[A][A] = 0.25;
        table[A][B] = 0.25;
        table[A][7] = 0.2;
        table[B][EOS] = 1.0;
        table[7][EOS] = 1.0;
        Bigram { table, selections: 0 }
    }

    fn one_sentence() -> Batch {
        let pair = EncodedPair::new(0, vec![5, 6], vec![]);
        Batch::new(&[&pair], &Device::flex())
    }

    #[test]
    fn beam_search_finds_the_translation_greedy_misses() {
        let batch = one_sentence();
        let greedy_tokens = decode(&batch, &Search::greedy(10), &mut bigram()).tokens;
        assert_eq!(greedy_tokens, vec![vec![A]]);
        let mut decoder = bigram();
        assert_eq!(decode(&batch, &Search::beam(10, 2, 0.0), &mut decoder).tokens, vec![vec![B]]);
        assert!(decoder.selections >= 2, "beam search copies rows: {}", decoder.selections);
    }

    #[test]
    fn beam_width_one_is_greedy_and_length_penalty_favours_longer_translations() {
        let batch = one_sentence();
        assert_eq!(decode(&batch, &Search::beam(10, 1, 0.0), &mut bigram()).tokens, vec![vec![A]]);
        // `B <eos>` has p = 0.55 (2 tokens), `A 7 <eos>` has 0.45 (3 tokens).
        let mut table = vec![vec![1e-6f32; 8]; 8];
        table[SOS][B] = 0.55;
        table[SOS][A] = 0.45;
        table[B][EOS] = 1.0;
        table[A][7] = 1.0;
        table[7][EOS] = 1.0;
        let model = || Bigram { table: table.clone(), selections: 0 };
        assert_eq!(decode(&batch, &Search::beam(10, 2, 0.0), &mut model()).tokens, vec![vec![B]]);
        // ln 0.45 / (8/6)^30 ≈ −0.00014 beats ln 0.55 / (7/6)^30 ≈ −0.0059.
        assert_eq!(decode(&batch, &Search::beam(10, 2, 30.0), &mut model()).tokens, vec![vec![A, 7]]);
    }

    /// A model whose next token depends on each sentence and everything its row generated: its
    /// state is one `(sentence, history)` per row, so a beam search that does not copy and
    /// reorder the rows as its hypotheses move feeds it the wrong history.
    struct Histories {
        rows: Vec<(usize, Vec<usize>)>,
    }

    const C: usize = 7;
    const D: usize = 8;

    /// `p(next | sentence, history)`. Sentence 0's best translation is `B C` (0.4 · 0.9), though
    /// `A` leads after one token (0.5); sentence 1's is `A B` (0.45 · 0.95), though `C` leads
    /// (0.5). Both win from their beam's second row, so the rows swap at step 2. Any history not
    /// listed continues with `D`.
    fn next(sentence: usize, history: &[usize]) -> Vec<f32> {
        let listed: &[(usize, f32)] = match (sentence, history) {
            (0, []) => &[(A, 0.5), (B, 0.4)],
            (0, [A]) | (1, [C]) => &[(EOS, 0.2), (A, 0.2), (B, 0.2), (C, 0.2), (D, 0.2)],
            (0, [B]) => &[(C, 0.9)],
            (0, [B, C]) | (1, [A, B]) => &[(EOS, 1.0)],
            (1, []) => &[(C, 0.5), (A, 0.45)],
            (1, [A]) => &[(B, 0.95)],
            _ => &[(D, 0.9), (EOS, 0.1)],
        };
        let mut p = vec![1e-6f32; 9];
        for &(token, probability) in listed {
            p[token] = probability;
        }
        p
    }

    impl Decoder for Histories {
        fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
            let ids: Vec<i64> = previous.clone().try_into_vec_as::<i64>().unwrap();
            assert_eq!(ids.len(), self.rows.len(), "one previous token per row");
            let mut logits = Vec::new();
            for ((sentence, history), &id) in self.rows.iter_mut().zip(&ids) {
                if id as usize != SOS {
                    history.push(id as usize);
                }
                logits.extend(next(*sentence, history).iter().map(|p| p.ln()));
            }
            (Tensor::from_data(TensorData::new(logits, [ids.len(), 9]), &previous.device()), None)
        }

        fn select_rows(&mut self, rows: Tensor<1, Int>) {
            let rows: Vec<i64> = rows.try_into_vec_as::<i64>().unwrap();
            self.rows = rows.iter().map(|&r| self.rows[r as usize].clone()).collect();
        }
    }

    /// A beam search under check.
    type BeamSearch = fn(&Batch, usize, Beam, &mut Histories) -> Generation;

    /// Two sentences in one batch, width 2: each ends with its own best translation, which
    /// needs the decoder's rows copied per sentence and reordered after the hypotheses.
    fn check_beam_reorders_rows(search: BeamSearch) {
        let pairs = [EncodedPair::new(0, vec![5, 6], vec![]), EncodedPair::new(1, vec![6, 5, 7], vec![])];
        let batch = Batch::new(&[&pairs[0], &pairs[1]], &Device::flex());
        let mut decoder = Histories { rows: vec![(0, vec![]), (1, vec![])] };
        let found = search(&batch, 6, Beam { width: 2, length_penalty: 0.0 }, &mut decoder).tokens;
        assert_eq!(found[0], vec![B, C], "sentence 1: its best translation, B C (tokens {B} {C})");
        assert_eq!(found[1], vec![A, B], "sentence 2: its best translation, A B (tokens {A} {B})");
    }

    #[test]
    fn beam_search_keeps_each_hypothesis_with_its_own_decoder_state() {
        check_beam_reorders_rows(|batch, max_len, options, decoder| beam(batch, max_len, options, decoder));
    }

    // BEGIN TEACHER ONLY: beam searches that lose track of their rows
    /// The right beam search with one of two mistakes in what it asks of the decoder: the first
    /// `select_rows` (one copy per hypothesis) replaced by `copies(row, rows)`, or the later ones
    /// (the reordering after each step) dropped.
    struct Misrouted<'a> {
        inner: &'a mut Histories,
        copies: Option<fn(usize, usize) -> usize>,
        reorders: bool,
        calls: usize,
    }

    impl Decoder for Misrouted<'_> {
        fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
            self.inner.step(previous)
        }

        fn select_rows(&mut self, rows: Tensor<1, Int>) {
            self.calls += 1;
            let asked: Vec<i64> = rows.clone().try_into_vec_as::<i64>().unwrap();
            let n = asked.len();
            let routed: Vec<i64> = match (self.calls, self.copies) {
                (1, Some(copies)) => (0..n).map(|row| copies(row, n) as i64).collect(),
                (1, None) => asked,
                _ if self.reorders => asked,
                _ => (0..n as i64).collect(), // the hypotheses move, their states stay
            };
            self.inner.select_rows(Tensor::from_data(TensorData::new(routed, [n]), &rows.device()));
        }
    }

    #[test]
    #[should_panic(expected = "its best translation")]
    fn the_check_catches_a_beam_that_never_reorders_the_state() {
        check_beam_reorders_rows(|batch, max_len, options, decoder| {
            let mut misrouted = Misrouted { inner: decoder, copies: None, reorders: false, calls: 0 };
            beam(batch, max_len, options, &mut misrouted)
        });
    }

    #[test]
    #[should_panic(expected = "its best translation")]
    fn the_check_catches_rows_copied_across_sentences() {
        // Row r of n·width copies sentence r mod n instead of r / width.
        check_beam_reorders_rows(|batch, max_len, options, decoder| {
            let copies: fn(usize, usize) -> usize = |row, rows| row % (rows / 2);
            let mut misrouted = Misrouted { inner: decoder, copies: Some(copies), reorders: true, calls: 0 };
            beam(batch, max_len, options, &mut misrouted)
        });
    }
    // END TEACHER ONLY

    #[test]
    fn normalisation_follows_wu_et_al() {
        assert_eq!(normalized(-2.0, 1, 0.0), -2.0);
        assert!((normalized(-2.0, 7, 1.0) - (-1.0)).abs() < 1e-6, "((5+7)/6)^1 = 2");
    }
}
