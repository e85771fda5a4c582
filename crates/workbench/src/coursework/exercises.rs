//! The coursework's exercises. Each names a piece of the workbench's own code that a student
//! writes — a *solution region* in the real source, between `// BEGIN SOLUTION id` and
//! `// END SOLUTION id` — and the tests that check it against an independent reference (burn's
//! own modules, finite differences, hand-computed values, figures sacreBLEU computed). The
//! workbench runs those very implementations, so its normal test suite exercises the solutions;
//! `workbench exercise kit` cuts them out (`kit.rs`), `workbench exercise check` runs the checks
//! (`checks.rs`).

use std::path::Path;

use anyhow::{Context, Result, bail};

/// One test that checks an exercise: its package and full path, and what it compares.
#[derive(Debug)]
pub struct Check {
    pub package: &'static str,
    pub test: &'static str,
    pub what: &'static str,
}

#[derive(Debug)]
pub struct Exercise {
    pub id: &'static str,
    pub title: &'static str,
    /// The exercise sheet, from the workspace root.
    pub sheet: &'static str,
    /// The source file holding the solution region, from the workspace root.
    pub file: &'static str,
    /// What the kit says in place of the solution.
    pub hint: &'static str,
    pub checks: &'static [Check],
}

/// The exercises, in the order of the evolution.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        id: "ann-windows",
        title: "The ANN's window: each slot's embedding beside its neighbours'",
        sheet: "exercises/01-ann-windows.md",
        file: "crates/ann/src/model.rs",
        hint: "zero the padded slots, pad `window` zero vectors at both ends, then concatenate the 2w+1 shifted views along the last axis",
        checks: &[
            Check {
                package: "seq2seq-ann",
                test: "tests::windows_are_embeddings_side_by_side_with_zero_edges",
                what: "hand-built embeddings: each slot's window, zeros past the edges",
            },
            Check {
                package: "seq2seq-ann",
                test: "tests::an_output_sees_its_window_and_nothing_else",
                what: "changing a word moves exactly the outputs whose window holds it",
            },
            Check {
                package: "seq2seq-ann",
                test: "tests::padding_is_invisible",
                what: "a padded sentence gives the outputs of the sentence alone",
            },
        ],
    },
    Exercise {
        id: "elman-step",
        title: "Elman's recurrent step",
        sheet: "exercises/02-elman-step.md",
        file: "crates/rnn/src/cell.rs",
        hint: "`projected` already holds x_t W_x + b; add the recurrent term h_{t-1} W_h and squash",
        checks: &[
            Check {
                package: "seq2seq-rnn",
                test: "tests::elman_cell_matches_burn_rnn_both_directions",
                what: "outputs against burn's `Rnn` with the same weights, both directions",
            },
            Check {
                package: "seq2seq-rnn",
                test: "tests::elman_gradient_matches_finite_differences",
                what: "∂loss/∂W_h by autodiff against central finite differences",
            },
        ],
    },
    Exercise {
        id: "lstm-step",
        title: "The LSTM step: three gates, a candidate and the memory cell",
        sheet: "exercises/03-lstm-gru-step.md",
        file: "crates/lstm/src/cell.rs",
        hint: "add h W_h to the projected input, split the gates [i, f, o | g], then c' = f⊙c + i⊙g and h' = o⊙tanh(c')",
        checks: &[Check {
            package: "seq2seq-lstm",
            test: "tests::lstm_cell_matches_burn_lstm",
            what: "every output and the final memory cell against burn's `Lstm` with the same weights",
        }],
    },
    Exercise {
        id: "gru-step",
        title: "The GRU step: reset and update gates",
        sheet: "exercises/03-lstm-gru-step.md",
        file: "crates/lstm/src/cell.rs",
        hint: "split x and h W_h + b_h into [r, z, n] each; n = tanh(x_n + r⊙h_n); h' = (1−z)⊙n + z⊙h",
        checks: &[Check {
            package: "seq2seq-lstm",
            test: "tests::gru_cell_matches_burn_gru",
            what: "every output against burn's `Gru` with the same weights",
        }],
    },
    Exercise {
        id: "masked-run",
        title: "A padded batch: padding never reaches the state",
        sheet: "exercises/04-masked-run.md",
        file: "crates/lstm/src/cell.rs",
        hint: "blend old and new state with the step's mask m ([batch, 1], 1 at real tokens): s = s_old + m ⊙ (s_new − s_old), for the hidden state and, when there is one, the memory cell",
        checks: &[
            Check {
                package: "seq2seq-lstm",
                test: "masking_tests::masked_update_keeps_the_old_state_of_padded_rows_only",
                what: "two rows by hand: the real one takes its new hidden state and memory, the padded one keeps both",
            },
            Check {
                package: "seq2seq-lstm",
                test: "tests::padding_never_reaches_the_state",
                what: "sentences of 4 and 7 words in one batch end in the hidden state and memory of each alone (LSTM and GRU)",
            },
        ],
    },
    Exercise {
        id: "birnn-states",
        title: "The BiRNN: a backward pass over padded sentences, and both directions side by side",
        sheet: "exercises/05-birnn-states.md",
        file: "crates/birnn/src/model.rs",
        hint: "run forward_cell left to right and backward_cell right to left (reverse = true) over the same embeddings and mask, each from a zero state, then concatenate the two [batch, slots, hidden] outputs on the last axis",
        checks: &[
            Check {
                package: "seq2seq-birnn",
                test: "tests::both_directions_match_burn_bilstm",
                what: "every slot's [→h ; ←h] against burn's `BiLstm` with the same weights",
            },
            Check {
                package: "seq2seq-birnn",
                test: "tests::padding_is_masked_out_of_both_directions",
                what: "a short sentence padded in a batch gives its outputs and translation alone",
            },
        ],
    },
    Exercise {
        id: "decoder-step",
        title: "The encoder-decoder's decoder step, the context fed to every step",
        sheet: "exercises/06-decoder-step.md",
        file: "crates/encdec/src/model.rs",
        hint: "step_input: [emb(y_{t−1}) ; c] along the last axis when feed_context, else the embedding alone; decoder_step: step layer 0 from `projected`, then each higher layer from the (dropped-out) hidden state below, projected with its own project_inputs; return the top layer's hidden state",
        checks: &[Check {
            package: "seq2seq-encdec",
            test: "tests::decoder_steps_match_the_whole_target_layers",
            what: "greedy steps against the teacher-forced layers run over the whole target (1 or 2 layers, context fed or not)",
        }],
    },
    Exercise {
        id: "attention-weights",
        title: "Attention weights: the masked softmax and the context vector",
        sheet: "exercises/07-bahdanau-attention.md",
        file: "crates/attention/src/attention.rs",
        hint: "masked_softmax: fill the padded scores (mask false) with a large negative number, then softmax over the source axis; context: weights [batch, 1, src_len] times values [batch, src_len, d], reshaped to [batch, d]",
        checks: &[
            Check {
                package: "seq2seq-attention",
                test: "tests::masked_positions_get_zero_weight_and_rows_sum_to_one",
                what: "hand-computed softmax; a padded position scored 50 gets exactly 0",
            },
            Check {
                package: "seq2seq-attention",
                test: "tests::context_is_the_weighted_sum",
                what: "the weighted sum of two value vectors, by hand",
            },
            Check {
                package: "seq2seq-attention",
                test: "weights_tests::context_matches_loops_on_a_batch_of_two",
                what: "one context vector per sentence, by loops, for two sentences of 3 and 2 positions",
            },
        ],
    },
    Exercise {
        id: "additive-score",
        title: "Bahdanau's additive score",
        sheet: "exercises/07-bahdanau-attention.md",
        file: "crates/attention/src/attention.rs",
        hint: "`keys` already holds U h_j [batch, src_len, attention] and `projected_query` W q [batch, attention]: broadcast the query over the source axis, add, tanh, apply v, and drop the last axis",
        checks: &[
            Check {
                package: "seq2seq-attention",
                test: "tests::additive_score_by_hand",
                what: "vᵀ tanh(W q + U h_j) on a hand-computed example",
            },
            Check {
                package: "seq2seq-attention",
                test: "weights_tests::additive_scores_match_loops_on_a_batch_of_two",
                what: "every score of a batch of two, by loops, with query, key and attention sizes 3, 4 and 5",
            },
        ],
    },
    Exercise {
        id: "luong-scores",
        title: "Luong's scores: dot, general and concat",
        sheet: "exercises/08-luong-scores.md",
        file: "crates/attention/src/attention.rs",
        hint: "keys: h̄_s for dot, h̄_s W_a for general, the additive score's own keys for concat; scores: a batched product of the keys [batch, src_len, d] with the state as a column [batch, d, 1]",
        checks: &[Check {
            package: "seq2seq-attention",
            test: "tests::luong_dot_and_general_scores_by_hand",
            what: "dot and general scores by hand; concat's keys are the additive score's",
        }],
    },
    Exercise {
        id: "conv-block",
        title: "A gated convolution layer: zero padding, dilation, the receptive field",
        sheet: "exercises/15-conv-block.md",
        file: "crates/conv/src/block.rs",
        hint: "padding: the kernel spans (k − 1)·δ words besides the one it writes, all on the left when causal, half on each side when centred; gate: self.convolve(x) is W ∗ x + c with the layer's padding, [batch, slots, 2d], and GLU splits its 2d channels (axis 2) into a ⊙ σ(b); forward: zero the padded slots (mask), dropout, gate, then √½ · (gate + h)",
        checks: &[
            Check {
                package: "seq2seq-conv",
                test: "tests::padding_keeps_every_slot_and_hides_the_future_when_causal",
                what: "hand-counted zero padding, causal and centred, dilated",
            },
            Check {
                package: "seq2seq-conv",
                test: "tests::the_block_matches_a_hand_computed_gated_convolution",
                what: "a gated convolution computed by loops, causal and centred, dilation 1 and 2, a padded sentence",
            },
            Check {
                package: "seq2seq-conv",
                test: "tests::the_gradient_matches_finite_differences",
                what: "∂loss/∂kernel by autodiff against central finite differences",
            },
            Check {
                package: "seq2seq-conv",
                test: "tests::each_output_sees_exactly_its_receptive_field",
                what: "changing a word moves exactly the outputs whose receptive field R holds it",
            },
            Check {
                package: "seq2seq-conv",
                test: "tests::padding_never_reaches_a_sentence",
                what: "a padded sentence gives the outputs of the sentence alone",
            },
        ],
    },
    Exercise {
        id: "scaled-dot-product",
        title: "Scaled dot-product attention with padding and causal biases",
        sheet: "exercises/09-scaled-dot-product.md",
        file: "crates/transformer/src/attention.rs",
        hint: "scores = Q Kᵀ / √d_k (+ the bias, expanded to [batch, heads, queries, keys]), softmax over the keys, weights · V; the padding bias is 0 at real keys and MASKED at padding, shaped [batch, 1, 1, keys]; the causal bias is MASKED above the diagonal",
        checks: &[
            Check {
                package: "seq2seq-transformer",
                test: "tests::scaled_dot_product_attention_by_hand",
                what: "weights and context by hand, and a padded key that gets exactly 0",
            },
            Check {
                package: "seq2seq-transformer",
                test: "attention_tests::scaled_dot_product_attention_matches_loops_on_non_square_inputs",
                what: "weights, context and shapes against loops: 2 sentences, 2 heads, 3 queries, 4 keys, d_k 5, a padded key",
            },
            Check {
                package: "seq2seq-transformer",
                test: "attention_tests::causal_bias_gives_later_positions_exactly_zero_weight",
                what: "equal scores under the causal bias: even weight up to each position, exactly 0 after",
            },
        ],
    },
    Exercise {
        id: "multi-head",
        title: "Multi-head attention: splitting into heads and merging them",
        sheet: "exercises/10-multi-head.md",
        file: "crates/transformer/src/attention.rs",
        hint: "split: reshape [batch, length, d_model] to [batch, length, heads, d_k] and swap the length and head axes; attend: project and split the queries, self.attention (which calls your scaled_dot_product_attention), swap back, reshape to [batch, queries, d_model], apply W^O",
        checks: &[
            Check {
                package: "seq2seq-transformer",
                test: "tests::multi_head_attention_matches_burns_with_copied_weights",
                what: "context and weights against burn's `MultiHeadAttention` with the same weights, padding included",
            },
            Check {
                package: "seq2seq-transformer",
                test: "tests::attention_gradients_match_finite_differences",
                what: "∂loss/∂input by autodiff against central finite differences, causal bias on",
            },
        ],
    },
    Exercise {
        id: "positional-encoding",
        title: "Sinusoidal positional encoding",
        sheet: "exercises/11-positional-encoding.md",
        file: "crates/transformer/src/positions.rs",
        hint: "dimensions 2i and 2i+1 share the wavelength 10000^(2i/d_model): sin on even, cos on odd",
        checks: &[Check {
            package: "seq2seq-transformer",
            test: "tests::sinusoids_match_burns_positional_encoding_and_the_formula",
            what: "against burn's `PositionalEncoding`, hand-computed entries, and an offset start",
        }],
    },
    Exercise {
        id: "cross-entropy",
        title: "Label-smoothed cross-entropy over real tokens only",
        sheet: "exercises/12-cross-entropy.md",
        file: "crates/train/src/loss.rs",
        hint: "log_softmax over the vocabulary, gather the gold log-probabilities, mix in the mean log-probability with weight ε, average over mask-true tokens",
        checks: &[Check {
            package: "seq2seq-train",
            test: "loss::tests::matches_hand_computed_values_and_ignores_padding",
            what: "hand-computed losses with and without label smoothing; padding ignored",
        }],
    },
    Exercise {
        id: "beam-search",
        title: "Beam search with the GNMT length penalty",
        sheet: "exercises/13-beam-search.md",
        file: "crates/model/src/decode.rs",
        hint: "keep `width` hypotheses per sentence (row b·width + k); each step, extend every live one by every token with its log-probability, keep the best `width` that are not <eos> (an <eos> among the best `width` finishes a hypothesis), copy the decoder's rows to the parents (select_rows); rank finished ones by log p / ((5 + |y|) / 6)^α",
        checks: &[
            Check {
                package: "seq2seq-model",
                test: "decode::tests::normalisation_follows_wu_et_al",
                what: "the length penalty of Wu et al. (2016) by hand",
            },
            Check {
                package: "seq2seq-model",
                test: "decode::tests::beam_search_finds_the_translation_greedy_misses",
                what: "a bigram model where the greedy choice loses: beam 2 finds the more probable translation",
            },
            Check {
                package: "seq2seq-model",
                test: "decode::tests::beam_width_one_is_greedy_and_length_penalty_favours_longer_translations",
                what: "width 1 is greedy; a strong length penalty picks the longer hypothesis",
            },
            Check {
                package: "seq2seq-model",
                test: "decode::tests::beam_search_keeps_each_hypothesis_with_its_own_decoder_state",
                what: "two sentences whose best translations start second: the decoder's rows copied per sentence and reordered with their hypotheses",
            },
        ],
    },
    Exercise {
        id: "bleu",
        title: "Corpus BLEU as sacreBLEU computes it",
        sheet: "exercises/14-bleu.md",
        file: "crates/train/src/metrics.rs",
        hint: "clipped n-gram matches and totals for n = 1..4 summed over the corpus, exponential smoothing of zero counts, brevity penalty exp(1 − r/c)",
        checks: &[
            Check {
                package: "seq2seq-train",
                test: "metrics::tests::bleu_matches_sacrebleu",
                what: "corpus scores sacreBLEU 2.x printed for the same sentences",
            },
            Check {
                package: "seq2seq-train",
                test: "metrics::tests::bleu_smooths_clips_and_sums_over_the_corpus_as_sacrebleu_does",
                what: "sacreBLEU's scores where an order has no match, a word repeats, a corpus has two sentences",
            },
        ],
    },
];

/// The exercise called `id`, or an error listing them.
pub fn find(id: &str) -> Result<&'static Exercise> {
    EXERCISES.iter().find(|e| e.id == id).with_context(|| {
        let ids: Vec<&str> = EXERCISES.iter().map(|e| e.id).collect();
        format!("no exercise `{id}`: expected one of {}", ids.join(", "))
    })
}

/// The line that opens exercise `id`'s region, and the one that closes it.
pub fn markers(id: &str) -> (String, String) {
    (format!("// BEGIN SOLUTION {id}"), format!("// END SOLUTION {id}"))
}

/// What the kit writes in place of a solution; its presence means "not done yet".
pub fn placeholder(exercise: &Exercise) -> String {
    // The hint is a format string inside `todo!`: braces doubled, quotes and backslashes escaped.
    let hint = exercise.hint.replace('\\', "\\\\").replace('"', "\\\"").replace('{', "{{").replace('}', "}}");
    format!("todo!(\"exercise {}: {hint}\")", exercise.id)
}

/// Where an exercise stands in a checkout.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// The region holds code (the full workspace, or a student's answer).
    Written,
    /// The region still holds the kit's `todo!()`.
    ToDo,
}

/// A solution region: the line numbers of its two markers and the lines between them.
pub type Region<'a> = (usize, usize, Vec<&'a str>);

/// Every region of `exercise` in `text`, in order (an exercise may span several functions of
/// its file, e.g. the masked softmax and the context vector), each with its line range.
pub fn regions<'a>(text: &'a str, exercise: &Exercise) -> Vec<Region<'a>> {
    let (begin, end) = markers(exercise.id);
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = lines[from..].iter().position(|l| l.trim() == begin).map(|p| from + p) {
        let Some(stop) = lines[start..].iter().position(|l| l.trim() == end).map(|p| start + p) else { break };
        found.push((start, stop, lines[start + 1..stop].to_vec()));
        from = stop + 1;
    }
    found
}

/// Reads `exercise`'s region under `root`.
pub fn status(root: &Path, exercise: &Exercise) -> Result<Status> {
    let path = root.join(exercise.file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let found = regions(&text, exercise);
    if found.is_empty() {
        let (begin, end) = markers(exercise.id);
        bail!("{}: no `{begin}` … `{end}` region (the markers must stay in place)", path.display());
    }
    let todo = format!("todo!(\"exercise {}:", exercise.id);
    let to_do = found.iter().any(|(_, _, body)| body.iter().any(|l| l.contains(&todo)));
    Ok(if to_do { Status::ToDo } else { Status::Written })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::workspace_root;

    #[test]
    fn every_exercise_has_its_region_sheet_and_checks_in_the_workspace() {
        let mut ids: Vec<&str> = EXERCISES.iter().map(|e| e.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), EXERCISES.len(), "ids are unique");
        for exercise in EXERCISES {
            assert_eq!(status(workspace_root(), exercise).unwrap(), Status::Written, "{}", exercise.id);
            assert!(workspace_root().join(exercise.sheet).exists(), "{}: no sheet {}", exercise.id, exercise.sheet);
            assert!(!exercise.checks.is_empty(), "{}", exercise.id);
            for check in exercise.checks {
                let crate_dir = workspace_root().join("crates").join(check.package.trim_start_matches("seq2seq-"));
                assert!(crate_dir.join("Cargo.toml").exists(), "{}: no package {}", exercise.id, check.package);
            }
        }
    }

    #[test]
    fn a_region_is_found_between_its_markers_and_a_placeholder_reads_as_to_do() {
        let exercise = find("elman-step").unwrap();
        let text = format!(
            "fn step() {{\n    // BEGIN SOLUTION elman-step\n    {}\n    // END SOLUTION elman-step\n}}\n",
            placeholder(exercise)
        );
        let (start, stop, body) = regions(&text, exercise).remove(0);
        assert_eq!((start, stop, body.len()), (1, 3, 1));
        assert!(body[0].contains("todo!(\"exercise elman-step:"));
        assert!(regions(&text, find("bleu").unwrap()).is_empty());
        let twice = format!("{text}// BEGIN SOLUTION elman-step\nlet a = 1;\n// END SOLUTION elman-step\n");
        let both = regions(&twice, exercise);
        assert_eq!(both.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(), vec![(1, 3), (5, 7)]);
        assert!(find("nonsense").unwrap_err().to_string().contains("elman-step"));
    }
}
