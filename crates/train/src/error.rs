use std::path::PathBuf;

use seq2seq_data::DataError;

/// Errors of the training crate: each names the file or field and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{file}: {message}")]
    Config { file: String, message: String },
    #[error("setting `{field}`: expected {expected}")]
    Setting { field: &'static str, expected: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("checkpoint {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },
    #[error("run directory {path}: {message}")]
    Run { path: PathBuf, message: String },
    #[error(transparent)]
    Model(#[from] seq2seq_model::validate::ConfigIssue),
    #[error("{0}")]
    Input(String),
}

impl TrainError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrainError::Io { path: path.into(), source }
    }
    pub fn setting(field: &'static str, expected: &str) -> Self {
        TrainError::Setting { field, expected: expected.into() }
    }
}
