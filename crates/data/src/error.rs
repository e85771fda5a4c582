use std::path::PathBuf;

/// Everything that can go wrong while reading or preparing data. Each variant names the file,
/// line or field, and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(
        "unknown task `{0}`: expected one of toy-fi, copy, reverse, sort, agreement, agreement-attract, latch, position, reorder, length, free-order, free-length, tsv:PATH"
    )]
    UnknownTask(String),
    #[error("unknown tokenizer `{0}`: expected one of word, char, bpe, wordpiece")]
    UnknownTokenizer(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Line { path: PathBuf, line: usize, message: String },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("data setting `{field}`: {message}")]
    Setting { field: &'static str, message: String },
    #[error("subword tokenizer: {0}")]
    Subword(String),
}

impl DataError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io { path: path.into(), source }
    }
}
