//! Data for seq2seq-workbench: the toy translation tasks, real corpora, tokenizers,
//! vocabularies, batches and masks. Every architecture trains on what this crate produces.

pub mod batch;
mod error;
pub mod free_forms;
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
pub use prepare::{Codec, Prepared, Sentences};
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
    /// Every valid translation, `target` first, where there are several (`free-order`,
    /// `free-length`); empty when `target` is the only one. A translation equal to any of them is
    /// right, and training sees the source once with each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

impl Example {
    /// Number of source words.
    pub fn source_len(&self) -> usize {
        self.source.split_whitespace().count()
    }

    /// The training examples of this source: one per valid translation (the canonical one keeps
    /// the word alignment, the others have none).
    pub fn variants(self) -> Vec<Example> {
        if self.references.len() <= 1 {
            return vec![self];
        }
        let mut variants = vec![self.clone()];
        variants.extend(self.references[1..].iter().map(|target| Example {
            target: target.clone(),
            alignment: vec![],
            ..self.clone()
        }));
        variants
    }

    /// Whether `translation` is one of the valid translations.
    pub fn accepts(&self, translation: &str) -> bool {
        translation == self.target || self.references.iter().any(|r| r == translation)
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
