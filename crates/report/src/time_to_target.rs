//! Claim 7's third part: seconds to a validation target, labelled with the hardware that
//! trained each run. What a student waits for, beside the counted steps (7a) and the timed
//! steps (7b); a time, not a verdict: it holds for this machine and this way of running.

use crate::document::Block;
use crate::plots::TARGET_ACCURACY;
use crate::runs::{ArchRuns, Stat};

/// One row per architecture: how many seeds reached the target, their seconds and epochs to it,
/// and what trained them.
pub fn blocks(groups: &[ArchRuns]) -> Vec<Block> {
    if groups.is_empty() {
        return vec![];
    }
    let header = ["arch", "seeds that reached it", "seconds to it", "epochs to it", "seconds per epoch", "hardware"];
    vec![
        Block::Heading(
            3,
            format!("Claim 7: seconds to {TARGET_ACCURACY:.0} % validation token accuracy, on this hardware"),
        ),
        Block::Paragraph(format!(
            "Training seconds (the epochs' batches, as each run's clock counted them; evaluation not counted) until \
             the end of the first epoch whose validation token accuracy reached {TARGET_ACCURACY:.0} %: the mean over \
             the seeds that reached it, lowest–highest in brackets. The hardware column is what each run recorded: \
             processor, backend, threads. Runs trained side by side share the machine (see the settings above), so \
             compare the rows of one report, not the reports of two machines."
        )),
        Block::Table { header: header.iter().map(|h| h.to_string()).collect(), rows: groups.iter().map(row).collect() },
    ]
}

/// `mean [low–high]` over seeds, or the mean alone for one seed.
fn spread(stat: &Stat, decimals: usize) -> String {
    if stat.runs > 1 {
        format!("{:.*} [{:.*}–{:.*}]", decimals, stat.mean, decimals, stat.low, decimals, stat.high)
    } else {
        format!("{:.*}", decimals, stat.mean)
    }
}

fn row(group: &ArchRuns) -> Vec<String> {
    let seconds = group.stat(|r| r.seconds_to(TARGET_ACCURACY));
    let epochs = group.stat(|r| r.epochs_to(TARGET_ACCURACY).map(|e| e as f64));
    let seconds = match &seconds {
        Some(s) => spread(s, 1),
        None => {
            match group.stat(|r| r.split("valid").iter().filter_map(|m| m.get("token_accuracy")).reduce(f64::max)) {
                Some(best) => format!("not reached (best {:.1} %)", best.high),
                None => "not reached".into(),
            }
        }
    };
    let mut hardware: Vec<&str> =
        group.runs.iter().map(|r| r.test.hardware.as_str()).filter(|h| !h.is_empty()).collect();
    hardware.sort();
    hardware.dedup();
    vec![
        group.arch.clone(),
        format!("{} of {}", epochs.map_or(0, |e| e.runs), group.runs.len()),
        seconds,
        epochs.map_or("—".into(), |e| spread(&e, 1)),
        group.stat(|r| Some(r.seconds_per_epoch())).map_or("—".into(), |s| format!("{:.1}", s.mean)),
        if hardware.is_empty() { "not recorded (a run older than the label)".into() } else { hardware.join("; ") },
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use seq2seq_train::{RunConfig, TestReport};

    use super::*;
    use crate::runs::{EpochMetrics, Run};

    /// A run whose validation accuracy per epoch is `accuracies`, one epoch every 10 seconds.
    fn run(accuracies: &[f64], hardware: &str) -> Run {
        let test: TestReport = serde_json::from_value(serde_json::json!({
            "arch": "lstm", "task": "toy-fi", "parameters": 10, "epochs_trained": accuracies.len(),
            "best_epoch": 1, "train_seconds": 10.0 * accuracies.len() as f64, "hardware": hardware,
            "overall": {"sentences": 1, "loss": 1.0, "perplexity": 1.0, "token_accuracy": 1.0,
                        "free_running_accuracy": 1.0, "exact_match": 1.0, "bleu": 1.0, "chrf": 1.0},
            "exact_match_under_15": 0.0, "alignment_accuracy": null, "by_length": [], "by_phenomenon": [],
            "demo": null, "samples": []
        }))
        .unwrap();
        let metrics = accuracies
            .iter()
            .enumerate()
            .map(|(e, &accuracy)| EpochMetrics {
                epoch: e + 1,
                split: "valid".into(),
                values: BTreeMap::from([
                    ("token_accuracy".to_string(), accuracy),
                    ("elapsed_seconds".to_string(), 10.0 * (e + 1) as f64),
                ]),
            })
            .collect();
        Run { dir: PathBuf::new(), config: RunConfig::default(), test, metrics, probes: None, saliency: None }
    }

    #[test]
    fn seconds_count_to_the_end_of_the_first_epoch_at_the_target_over_the_seeds_that_reached_it() {
        let group = ArchRuns {
            arch: "lstm".into(),
            runs: vec![
                run(&[50.0, 91.0, 95.0], "CPU A, flex, 1 thread"),
                run(&[50.0, 80.0, 90.0], "CPU A, flex, 1 thread"),
                run(&[40.0, 60.0, 70.0], "CPU B, flex, 2 threads"),
            ],
        };
        let row = row(&group);
        assert_eq!(row[1], "2 of 3");
        assert_eq!(row[2], "25.0 [20.0–30.0]", "epoch 2 (20 s) and epoch 3 (30 s)");
        assert_eq!(row[3], "2.5 [2.0–3.0]");
        assert_eq!(row[4], "10.0", "one epoch every 10 seconds");
        assert_eq!(row[5], "CPU A, flex, 1 thread; CPU B, flex, 2 threads");
    }

    #[test]
    fn a_run_below_the_target_says_so_with_its_best_and_an_old_run_has_no_label() {
        let group = ArchRuns { arch: "rnn".into(), runs: vec![run(&[50.0, 71.5, 60.0], "")] };
        let row = row(&group);
        assert_eq!(row[1], "0 of 1");
        assert_eq!(row[2], "not reached (best 71.5 %)");
        assert_eq!(row[3], "—");
        assert!(row[5].starts_with("not recorded"), "{}", row[5]);
    }
}
