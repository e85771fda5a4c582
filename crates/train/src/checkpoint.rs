//! Checkpoints: the model's burnpack bytes plus a small JSON header with their length and
//! checksum, both written atomically, so a missing or truncated checkpoint is reported as such.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use seq2seq_data::fsutil::write_atomic;
use serde::{Deserialize, Serialize};

use crate::TrainError;
use crate::run_dir::{CHECKPOINT_FILE, MODEL_FILE, write_file};

/// The header layout this workbench writes and the newest it reads. Headers from before the field
/// existed read as format 1.
pub const FORMAT: u32 = 1;

fn first_format() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    #[serde(default = "first_format")]
    pub format: u32,
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
    let meta = CheckpointMeta {
        format: FORMAT,
        arch: arch.into(),
        epoch,
        valid_loss,
        bytes: bytes.len(),
        checksum: fnv1a(&bytes),
    };
    let json = serde_json::to_vec_pretty(&meta).expect("metadata serialises");
    write_file(dir, CHECKPOINT_FILE, &json)
}

/// Reads the header of the checkpoint in `dir`.
pub fn read_meta(dir: &Path) -> Result<CheckpointMeta, TrainError> {
    let meta_path = dir.join(CHECKPOINT_FILE);
    let missing =
        |path: PathBuf| TrainError::Checkpoint { path, message: "missing: has this run finished an epoch?".into() };
    if !meta_path.exists() {
        return Err(missing(meta_path));
    }
    let text = std::fs::read(&meta_path).map_err(|e| TrainError::io(&meta_path, e))?;
    parse_meta(&text).map_err(|message| TrainError::Checkpoint { path: meta_path, message })
}

/// Parses a header, refusing one written by a newer workbench (its layout may mean other things).
fn parse_meta(text: &[u8]) -> Result<CheckpointMeta, String> {
    let meta: CheckpointMeta = serde_json::from_slice(text).map_err(|e| format!("unreadable header: {e}"))?;
    if meta.format > FORMAT {
        return Err(format!(
            "written by a newer workbench (checkpoint format {}; this one reads formats up to {FORMAT}): \
             update the workbench to open it",
            meta.format
        ));
    }
    Ok(meta)
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
    model.try_load_record(record).map_err(|e| fail(misfit(&e.to_string())))
}

/// Says which file to suspect when the weights do not fit the model that `config.toml` and the
/// vocabularies describe, keeping burn's first mismatch (its message lists every tensor).
fn misfit(burn_message: &str) -> String {
    let first = burn_message.split("\", \"").next().unwrap_or(burn_message);
    let first = first.rsplit("[\"").next().unwrap_or(first).trim_end_matches(['"', ']']);
    format!(
        "does not fit the model that config.toml and vocab.src.txt / vocab.tgt.txt describe ({first}): \
         was one of them edited or replaced after training?"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OLD_HEADER: &str = r#"{"arch": "luong", "epoch": 2, "valid_loss": 3.5, "bytes": 10, "checksum": "00"}"#;

    #[test]
    fn a_header_from_before_the_format_field_reads_as_format_one() {
        let meta = parse_meta(OLD_HEADER.as_bytes()).unwrap();
        assert_eq!((meta.format, meta.arch.as_str(), meta.epoch), (1, "luong", 2));
    }

    #[test]
    fn a_newer_format_is_refused_with_both_versions() {
        let newer = OLD_HEADER.replace("{", &format!("{{\"format\": {},", FORMAT + 1));
        let message = parse_meta(newer.as_bytes()).unwrap_err();
        assert!(
            message.contains(&format!("format {}", FORMAT + 1)) && message.contains("newer workbench"),
            "{message}"
        );
        let current = OLD_HEADER.replace("{", &format!("{{\"format\": {FORMAT},"));
        assert_eq!(parse_meta(current.as_bytes()).unwrap().format, FORMAT);
    }

    #[test]
    fn a_misfit_names_the_files_and_the_first_mismatch_only() {
        let burn = r#"Record validation error: Apply errors: ["source_embedding.weight: shape mismatch, expected Shape { dims: [20, 128] } but record has Shape { dims: [70, 128] }", "decoder.weight: shape mismatch"]"#;
        let message = misfit(burn);
        assert!(message.contains("vocab.src.txt") && message.contains("config.toml"), "{message}");
        assert!(
            message.contains("source_embedding.weight: shape mismatch") && message.contains("[70, 128]"),
            "{message}"
        );
        assert!(!message.contains("decoder.weight"), "{message}");
    }

    proptest! {

        // A fixed seed: every run (and CI) tries the same cases; the cases that once failed are kept in proptest-regressions/.

        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(1994), ..Default::default() })]

        /// Any bytes at all: a header or a message, never a panic.
        #[test]
        fn any_bytes_give_a_header_or_a_message(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Err(message) = parse_meta(&bytes) {
                prop_assert!(!message.is_empty());
            }
        }

        /// Every header this workbench writes reads back as itself.
        #[test]
        fn written_headers_read_back(arch in "[a-z]{1,12}", epoch in 0usize..10_000, loss in 0.0f64..1e6,
                                     bytes in 0usize..1 << 40, checksum in "[0-9a-f]{16}") {
            let meta = CheckpointMeta { format: FORMAT, arch, epoch, valid_loss: loss, bytes, checksum };
            let text = serde_json::to_vec_pretty(&meta).unwrap();
            prop_assert_eq!(parse_meta(&text).unwrap(), meta);
        }

        /// Headers that parse as JSON objects with wrong field types still give a message.
        #[test]
        fn mistyped_fields_give_a_message(epoch in "[a-z\"\\[\\]{}0-9.-]{0,8}") {
            let text = OLD_HEADER.replace("\"epoch\": 2", &format!("\"epoch\": {epoch}"));
            if let Err(message) = parse_meta(text.as_bytes()) {
                prop_assert!(message.starts_with("unreadable header") || message.contains("newer"), "{}", message);
            }
        }
    }
}
