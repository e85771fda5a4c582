//! Data for seq2seq-workbench: the toy translation tasks, real corpora, tokenizers,
//! vocabularies, batches and masks. Every architecture trains on what this crate produces.

pub mod batch;
mod error;
pub mod fsutil;
pub mod minimal_pairs;
pub mod prepare;
pub mod probes;
#[cfg(test)]
mod shared_corpus;
pub mod subword;
pub mod tasks;
pub mod tokenizer;
pub mod toy_fi;
pub mod tsv;
pub mod vocab;

pub use batch::{Batch, Batcher, EncodedPair};
pub use error::DataError;
pub use prepare::{Codec, Prepared};
pub use probes::ProbeItem;
pub use tasks::{DataConfig, Splits, Task};
pub use tokenizer::{Tokenizer, TokenizerKind};
pub use vocab::Vocab;

use serde::{Deserialize, Serialize};

/// One sentence pair with what evaluation needs to break results down.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Source sentence, words separated by single spaces.
    pub source: String,
    /// Reference translation.
    pub target: String,
    /// Phenomenon tags (see [`toy_fi::TAGS`]); empty for corpora.
    pub tags: Vec<String>,
    /// Gold word alignment: for each target word, the source word positions it translates.
    /// Empty when unknown (real corpora).
    pub alignment: Vec<Vec<usize>>,
    /// Decisive items of probe tasks (see [`probes`]); empty elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<ProbeItem>,
}

impl Example {
    /// Number of source words.
    pub fn source_len(&self) -> usize {
        self.source.split_whitespace().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Examples written before probes existed still read, and examples without items write no
    /// `probes` key, so older run directories and reports keep loading.
    #[test]
    fn examples_without_probe_items_read_and_write_as_before() {
        let old = r#"{"source":"a b","target":"x","tags":["lexical"],"alignment":[[0,1]]}"#;
        let example: Example = serde_json::from_str(old).unwrap();
        assert!(example.probes.is_empty());
        assert_eq!(serde_json::to_string(&example).unwrap(), old);
    }
}
