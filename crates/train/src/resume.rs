//! Resumable runs. After every epoch the trainer leaves in `out/resume/` the model and the
//! optimizer as they are and where the learning loop stands, so that a run stopped at any
//! moment continues from the end of its last finished epoch exactly as if it had never stopped.
//! Every file is written atomically: a run killed while saving keeps the previous epoch's state.

use std::path::Path;

use burn::optim::ModuleOptimizer;
use seq2seq_data::fsutil::write_atomic;
use serde::{Deserialize, Serialize};

use crate::run_dir::{MetricsRow, OPTIMIZER_FILE, RESUME_DIR, RESUME_STATE_FILE, write_file};
use crate::{RunConfig, TrainError, checkpoint};
use seq2seq_model::Seq2Seq;

/// Where the learning loop stands after an epoch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoopState {
    /// The last finished epoch (0 before the first).
    pub epoch: usize,
    /// Optimizer steps taken (the learning-rate schedule's clock).
    pub step: usize,
    /// The best validation loss so far and its epoch.
    pub best: Option<(usize, f64)>,
    /// Epochs since the best one (early stopping counts them).
    pub bad_epochs: usize,
    pub train_seconds: f64,
    pub train_tokens: usize,
    /// `metrics.csv` so far.
    pub rows: Vec<MetricsRow>,
}

impl LoopState {
    /// Records an epoch's validation loss; true when it is the best so far.
    pub fn improves(&mut self, epoch: usize, valid_loss: f64) -> bool {
        let improved = self.best.is_none_or(|(_, best)| valid_loss < best);
        if improved {
            self.best = Some((epoch, valid_loss));
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        improved
    }

    /// Whether early stopping has ended the run (`patience` 0: never).
    pub fn stopped_early(&self, patience: usize) -> bool {
        patience > 0 && self.bad_epochs >= patience
    }
}

/// What `resume/state.json` holds: the config the run was trained with, and the loop's state.
#[derive(Serialize, Deserialize)]
struct ResumeState {
    /// The run's config (TOML): a resume must train the same thing.
    config: String,
    #[serde(flatten)]
    progress: LoopState,
}

/// The run interrupted in `out`: its model, optimizer and loop state, after checking that it
/// was trained with `config`; the fresh `model` and `optimizer` and no state when there is
/// nothing to resume.
pub fn restore<M: Seq2Seq>(
    out: &Path,
    config: &RunConfig,
    model: M,
    optimizer: ModuleOptimizer,
) -> Result<(M, ModuleOptimizer, Option<LoopState>), TrainError> {
    let (dir, path) = (out.join(RESUME_DIR), out.join(RESUME_DIR).join(RESUME_STATE_FILE));
    if !path.exists() {
        return Ok((model, optimizer, None));
    }
    let text = std::fs::read(&path).map_err(|e| TrainError::io(&path, e))?;
    let state: ResumeState = serde_json::from_slice(&text)
        .map_err(|e| TrainError::Checkpoint { path: path.clone(), message: format!("unreadable resume state: {e}") })?;
    // Compared as settings: a state written before a key existed reads as its default.
    if !RunConfig::from_toml(&state.config).is_ok_and(|old| old.same_run(config)) {
        let differences = RunConfig::from_toml(&state.config).map(|old| old.differences(config)).unwrap_or_default();
        return Err(TrainError::Run {
            path: out.to_path_buf(),
            message: format!(
                "cannot resume: the interrupted run was trained with another config ({}); resume it with the same \
                 settings, or pass --overwrite to start again",
                if differences.is_empty() { "its config.toml differs".to_string() } else { differences.join(", ") }
            ),
        });
    }
    let model = checkpoint::load(model, &dir, &config.arch)?;
    let optimizer_path = dir.join(OPTIMIZER_FILE);
    let bytes = std::fs::read(&optimizer_path).map_err(|e| TrainError::io(&optimizer_path, e))?;
    let optimizer = optimizer
        .from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
        .map_err(|e| TrainError::Checkpoint { path: optimizer_path, message: e.to_string() })?;
    Ok((model, optimizer, Some(state.progress)))
}

/// Saves what a resume needs after an epoch: the model and optimizer as they are now, and the
/// loop's state.
pub fn save<M: Seq2Seq>(
    out: &Path,
    config: &RunConfig,
    model: &M,
    optimizer: &ModuleOptimizer,
    progress: &LoopState,
    valid_loss: f64,
) -> Result<(), TrainError> {
    let dir = out.join(RESUME_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| TrainError::io(&dir, e))?;
    checkpoint::save(model, &dir, &config.arch, progress.epoch, valid_loss)?;
    let optimizer_path = dir.join(OPTIMIZER_FILE);
    let bytes = optimizer
        .into_bytes()
        .map_err(|e| TrainError::Checkpoint { path: optimizer_path.clone(), message: e.to_string() })?;
    write_atomic(&optimizer_path, &bytes).map_err(|e| TrainError::io(&optimizer_path, e))?;
    let state = ResumeState { config: config.to_toml(), progress: progress.clone() };
    let json = serde_json::to_vec(&state).expect("resume state serialises");
    write_file(&dir, RESUME_STATE_FILE, &json)
}

/// A finished run has nothing to resume.
pub fn clear(out: &Path) -> Result<(), TrainError> {
    let dir = out.join(RESUME_DIR);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| TrainError::io(&dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_epoch_and_early_stopping_are_counted() {
        let mut state = LoopState::default();
        assert!(state.improves(1, 2.0) && state.improves(2, 1.5));
        assert!(!state.improves(3, 1.5) && !state.improves(4, 1.7));
        assert_eq!((state.best, state.bad_epochs), (Some((2, 1.5)), 2));
        assert!(state.stopped_early(2) && !state.stopped_early(3) && !state.stopped_early(0));
        assert!(state.improves(5, 1.0));
        assert_eq!(state.bad_epochs, 0);
    }

    #[test]
    fn the_state_file_keeps_its_layout() {
        // Runs interrupted before this module existed wrote these keys at the top level.
        let json = r#"{"config":"x","epoch":3,"step":30,"best":[2,1.5],"bad_epochs":1,"train_seconds":4.0,"train_tokens":99,"rows":[]}"#;
        let state: ResumeState = serde_json::from_str(json).unwrap();
        assert_eq!((state.progress.epoch, state.progress.step, state.progress.best), (3, 30, Some((2, 1.5))));
        let again: serde_json::Value = serde_json::to_value(&state).unwrap();
        assert_eq!(again, serde_json::from_str::<serde_json::Value>(json).unwrap());
    }

    /// A resumed run compares each new validation loss with the best one read back from
    /// state.json: that float must come back bit for bit, or early stopping could decide
    /// otherwise than in an uninterrupted run (found by the checkpoint header's property test:
    /// serde_json without `float_roundtrip` read 109091.33203265417 back one unit lower).
    #[test]
    fn losses_read_back_bit_for_bit() {
        let mut state = ResumeState { config: String::new(), progress: LoopState::default() };
        for loss in [109091.33203265417, 0.1 + 0.2, 2.0f64.sqrt(), f64::MIN_POSITIVE, 1.0 / 3.0] {
            state.progress.best = Some((1, loss));
            let again: ResumeState = serde_json::from_slice(&serde_json::to_vec(&state).unwrap()).unwrap();
            assert_eq!(again.progress.best.unwrap().1.to_bits(), loss.to_bits(), "{loss:e}");
        }
    }
}
