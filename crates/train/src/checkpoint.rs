//! Checkpoints: the model's burnpack bytes plus a small JSON header with their length and
//! checksum, both written atomically, so a missing or truncated checkpoint is reported as such.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use seq2seq_data::fsutil::write_atomic;
use serde::{Deserialize, Serialize};

use crate::TrainError;

pub const MODEL_FILE: &str = "model.bpk";
pub const META_FILE: &str = "checkpoint.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub arch: String,
    pub epoch: usize,
    pub valid_loss: f64,
    pub bytes: usize,
    /// FNV-1a 64 of the model file, hex.
    pub checksum: String,
}

fn fnv1a(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{hash:016x}")
}

/// Saves `model` into `dir` (model file first, then the header that vouches for it).
pub fn save<M: Module>(model: &M, dir: &Path, arch: &str, epoch: usize, valid_loss: f64) -> Result<(), TrainError> {
    let path = dir.join(MODEL_FILE);
    let bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| TrainError::Checkpoint { path: path.clone(), message: e.to_string() })?;
    write_atomic(&path, &bytes).map_err(|e| TrainError::io(&path, e))?;
    let meta = CheckpointMeta { arch: arch.into(), epoch, valid_loss, bytes: bytes.len(), checksum: fnv1a(&bytes) };
    let meta_path = dir.join(META_FILE);
    let json = serde_json::to_vec_pretty(&meta).expect("metadata serialises");
    write_atomic(&meta_path, &json).map_err(|e| TrainError::io(&meta_path, e))
}

/// Reads the header of the checkpoint in `dir`.
pub fn read_meta(dir: &Path) -> Result<CheckpointMeta, TrainError> {
    let meta_path = dir.join(META_FILE);
    let missing =
        |path: PathBuf| TrainError::Checkpoint { path, message: "missing: has this run finished an epoch?".into() };
    if !meta_path.exists() {
        return Err(missing(meta_path));
    }
    let text = std::fs::read(&meta_path).map_err(|e| TrainError::io(&meta_path, e))?;
    serde_json::from_slice(&text)
        .map_err(|e| TrainError::Checkpoint { path: meta_path, message: format!("unreadable header: {e}") })
}

/// Loads the checkpoint in `dir` into `model` (built with the run's config).
pub fn load<M: Module>(model: M, dir: &Path, arch: &str) -> Result<M, TrainError> {
    let meta = read_meta(dir)?;
    let path = dir.join(MODEL_FILE);
    let fail = |message: String| TrainError::Checkpoint { path: path.clone(), message };
    if meta.arch != arch {
        return Err(fail(format!("holds a `{}` model, not `{arch}`", meta.arch)));
    }
    let bytes = std::fs::read(&path).map_err(|e| TrainError::io(&path, e))?;
    if bytes.len() != meta.bytes {
        return Err(fail(format!("truncated or altered: {} bytes, expected {}", bytes.len(), meta.bytes)));
    }
    if fnv1a(&bytes) != meta.checksum {
        return Err(fail("corrupted: checksum does not match checkpoint.json".into()));
    }
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes)).map_err(|e| fail(e.to_string()))?;
    model.try_load_record(record).map_err(|e| fail(format!("does not fit the model of config.toml: {e}")))
}
