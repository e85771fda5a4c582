//! The run directory: what a training run leaves behind, the only place its file names are
//! spelled, and what "finished" and "resumable" mean.
//!
//! ```text
//! runs/rnn-seed42/
//! ├── config.toml        the config it was trained with, every default filled in
//! ├── vocab.src.txt      the vocabularies (one token per line, id = line number)
//! ├── vocab.tgt.txt
//! ├── metrics.csv        one row per epoch and split (MetricsRow)
//! ├── model.bpk          the best model (lowest validation loss)
//! ├── checkpoint.json    its header: architecture, epoch, validation loss, format, checksum
//! ├── test.json          the test report, written last: with the two above, the run is finished
//! ├── test.{src,ref,hyp}.txt   the test sentences, their references and the translations
//! ├── probes.jsonl       per-item probe margins (probe tasks only)
//! ├── saliency.json      gradient saliency before and after training (probe tasks only)
//! └── resume/            while a run is interrupted: model.bpk, checkpoint.json, optimizer.bpk, state.json
//! ```

use std::path::Path;

use seq2seq_data::fsutil::write_atomic;
pub use seq2seq_data::prepare::{SOURCE_VOCAB_FILE, TARGET_VOCAB_FILE};
use serde::{Deserialize, Serialize};

use crate::TrainError;

pub const CONFIG_FILE: &str = "config.toml";
pub const METRICS_FILE: &str = "metrics.csv";
pub const MODEL_FILE: &str = "model.bpk";
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
pub const TEST_FILE: &str = "test.json";
pub const TEST_SOURCES_FILE: &str = "test.src.txt";
pub const TEST_REFERENCES_FILE: &str = "test.ref.txt";
pub const TEST_TRANSLATIONS_FILE: &str = "test.hyp.txt";
pub const PROBES_FILE: &str = "probes.jsonl";
pub const SALIENCY_FILE: &str = "saliency.json";
/// Where an interrupted run keeps what it needs to continue (removed when it ends).
pub const RESUME_DIR: &str = "resume";
pub const RESUME_STATE_FILE: &str = "state.json";
pub const OPTIMIZER_FILE: &str = "optimizer.bpk";

/// Whether `dir` holds a run, finished or not (it has its config).
pub fn holds_run(dir: &Path) -> bool {
    dir.join(CONFIG_FILE).exists()
}

/// Whether `dir` holds a run's results: its test report (what reports read; a committed
/// baseline keeps its results without its models).
pub fn has_results(dir: &Path) -> bool {
    dir.join(TEST_FILE).exists()
}

/// Whether the run in `dir` is finished: its test report and its best model are written, so a
/// comparison keeps it instead of training it again.
pub fn finished(dir: &Path) -> bool {
    [TEST_FILE, MODEL_FILE, CHECKPOINT_FILE].iter().all(|file| dir.join(file).exists())
}

/// Whether `dir` holds an interrupted run that `--resume` continues.
pub fn resumable(dir: &Path) -> bool {
    dir.join(RESUME_DIR).join(RESUME_STATE_FILE).exists()
}

/// One row of `metrics.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsRow {
    pub epoch: usize,
    pub split: String,
    pub loss: f64,
    pub perplexity: f64,
    pub token_accuracy: f64,
    pub exact_match: f64,
    pub bleu: f64,
    pub chrf: f64,
    /// Training seconds since the start, at the end of this epoch.
    pub elapsed_seconds: f64,
    /// Target tokens per second: training throughput on `train` rows, evaluation on `valid`.
    pub tokens_per_second: f64,
    pub learning_rate: f64,
    pub teacher_forcing: f64,
    /// Token accuracy of the model's own (greedy) translations, position by position; compare
    /// with the teacher-forced `token_accuracy` to see exposure bias.
    pub free_running_accuracy: f64,
}

impl MetricsRow {
    pub const HEADER: &'static str = "epoch,split,loss,perplexity,token_accuracy,exact_match,bleu,chrf,elapsed_seconds,tokens_per_second,learning_rate,teacher_forcing,free_running_accuracy";

    fn csv(&self) -> String {
        format!(
            "{},{},{:.6},{:.4},{:.4},{:.4},{:.4},{:.4},{:.3},{:.1},{:.6e},{:.4},{:.4}",
            self.epoch,
            self.split,
            self.loss,
            self.perplexity,
            self.token_accuracy,
            self.exact_match,
            self.bleu,
            self.chrf,
            self.elapsed_seconds,
            self.tokens_per_second,
            self.learning_rate,
            self.teacher_forcing,
            self.free_running_accuracy
        )
    }
}

/// Writes `metrics.csv` into `dir`: the header, then one line per row.
pub fn write_metrics(dir: &Path, rows: &[MetricsRow]) -> Result<(), TrainError> {
    let mut text = String::from(MetricsRow::HEADER);
    text.push('\n');
    for row in rows {
        text.push_str(&row.csv());
        text.push('\n');
    }
    write_file(dir, METRICS_FILE, text.as_bytes())
}

/// Writes one of the run's files atomically, naming it in the error.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), TrainError> {
    let path = dir.join(name);
    write_atomic(&path, bytes).map_err(|e| TrainError::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run is finished only with its report and its best model; an interrupted one (config and
    /// resume state, no report) is resumable and not finished.
    #[test]
    fn finished_and_resumable_read_the_files_a_run_leaves() {
        let dir = std::env::temp_dir().join(format!("s2s-run-dir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(RESUME_DIR)).unwrap();
        assert!(!holds_run(&dir) && !finished(&dir) && !resumable(&dir) && !has_results(&dir));
        write_file(&dir, CONFIG_FILE, b"arch = \"rnn\"\n").unwrap();
        write_file(&dir.join(RESUME_DIR), RESUME_STATE_FILE, b"{}").unwrap();
        assert!(holds_run(&dir) && resumable(&dir) && !finished(&dir));
        for file in [TEST_FILE, MODEL_FILE] {
            write_file(&dir, file, b"{}").unwrap();
        }
        assert!(has_results(&dir) && !finished(&dir), "no checkpoint header: not finished");
        write_file(&dir, CHECKPOINT_FILE, b"{}").unwrap();
        assert!(finished(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn metrics_rows_follow_the_header() {
        let dir = std::env::temp_dir().join(format!("s2s-run-dir-metrics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let row = MetricsRow {
            epoch: 3,
            split: "valid".into(),
            loss: 1.5,
            perplexity: 1.5f64.exp(),
            token_accuracy: 80.0,
            exact_match: 50.0,
            bleu: 40.0,
            chrf: 60.0,
            elapsed_seconds: 12.3456,
            tokens_per_second: 1000.0,
            learning_rate: 1e-3,
            teacher_forcing: 1.0,
            free_running_accuracy: 75.0,
        };
        write_metrics(&dir, &[row]).unwrap();
        let text = std::fs::read_to_string(dir.join(METRICS_FILE)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].split(',').count(), lines[1].split(',').count());
        assert!(lines[1].starts_with("3,valid,1.500000,4.4817,80.0000"), "{}", lines[1]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
