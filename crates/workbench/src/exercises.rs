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
        id: "bleu",
        title: "Corpus BLEU as sacreBLEU computes it",
        sheet: "exercises/14-bleu.md",
        file: "crates/train/src/metrics.rs",
        hint: "clipped n-gram matches and totals for n = 1..4 summed over the corpus, exponential smoothing of zero counts, brevity penalty exp(1 − r/c)",
        checks: &[Check {
            package: "seq2seq-train",
            test: "metrics::tests::bleu_matches_sacrebleu",
            what: "corpus scores sacreBLEU 2.x printed for the same sentences",
        }],
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

/// The lines between `exercise`'s markers in `text` (markers excluded), with their line range.
pub fn region<'a>(text: &'a str, exercise: &Exercise) -> Option<(usize, usize, Vec<&'a str>)> {
    let (begin, end) = markers(exercise.id);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == begin)?;
    let stop = start + lines[start..].iter().position(|l| l.trim() == end)?;
    Some((start, stop, lines[start + 1..stop].to_vec()))
}

/// Reads `exercise`'s region under `root`.
pub fn status(root: &Path, exercise: &Exercise) -> Result<Status> {
    let path = root.join(exercise.file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let Some((_, _, body)) = region(&text, exercise) else {
        let (begin, end) = markers(exercise.id);
        bail!("{}: no `{begin}` … `{end}` region (the markers must stay in place)", path.display());
    };
    let todo = format!("todo!(\"exercise {}:", exercise.id);
    Ok(if body.iter().any(|l| l.contains(&todo)) { Status::ToDo } else { Status::Written })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    #[test]
    fn every_exercise_has_its_region_sheet_and_checks_in_the_workspace() {
        let mut ids: Vec<&str> = EXERCISES.iter().map(|e| e.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), EXERCISES.len(), "ids are unique");
        for exercise in EXERCISES {
            assert_eq!(status(workspace(), exercise).unwrap(), Status::Written, "{}", exercise.id);
            assert!(workspace().join(exercise.sheet).exists(), "{}: no sheet {}", exercise.id, exercise.sheet);
            assert!(!exercise.checks.is_empty(), "{}", exercise.id);
            for check in exercise.checks {
                let crate_dir = workspace().join("crates").join(check.package.trim_start_matches("seq2seq-"));
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
        let (start, stop, body) = region(&text, exercise).unwrap();
        assert_eq!((start, stop, body.len()), (1, 3, 1));
        assert!(body[0].contains("todo!(\"exercise elman-step:"));
        assert!(region(&text, find("bleu").unwrap()).is_none());
        assert!(find("nonsense").unwrap_err().to_string().contains("elman-step"));
    }
}
