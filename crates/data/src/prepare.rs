//! From a data config to encoded splits: build the task, tokenize, build the vocabularies.

use std::path::Path;

use crate::{DataConfig, DataError, EncodedPair, Example, Splits, Tokenizer, Vocab};

pub const SOURCE_VOCAB_FILE: &str = "vocab.src.txt";
pub const TARGET_VOCAB_FILE: &str = "vocab.tgt.txt";

/// Tokenizers and vocabularies of both sides: all a model needs to read and write text.
#[derive(Clone, Debug)]
pub struct Codec {
    pub source_tokenizer: Tokenizer,
    pub target_tokenizer: Tokenizer,
    pub source_vocab: Vocab,
    pub target_vocab: Vocab,
}

impl Codec {
    pub fn encode_source(&self, text: &str) -> Vec<usize> {
        self.source_vocab.encode(&self.source_tokenizer.tokenize(text))
    }

    pub fn encode_target(&self, text: &str) -> Vec<usize> {
        self.target_vocab.encode(&self.target_tokenizer.tokenize(text))
    }

    /// Target ids → text (up to `<eos>`).
    pub fn decode_target(&self, ids: &[usize]) -> String {
        self.target_tokenizer.detokenize(&self.target_vocab.decode(ids))
    }

    /// The reference as the model sees it: tokenized and joined back.
    pub fn normalize_target(&self, text: &str) -> String {
        self.target_tokenizer.detokenize(&self.target_tokenizer.tokenize(text))
    }

    pub fn encode(&self, examples: &[Example]) -> Vec<EncodedPair> {
        examples
            .iter()
            .enumerate()
            .map(|(index, e)| EncodedPair {
                index,
                source: self.encode_source(&e.source),
                target: self.encode_target(&e.target),
            })
            .collect()
    }

    pub fn save(&self, dir: &Path) -> Result<(), DataError> {
        self.source_vocab.save(&dir.join(SOURCE_VOCAB_FILE))?;
        self.target_vocab.save(&dir.join(TARGET_VOCAB_FILE))
    }

    /// Loads the vocabularies a run saved; the tokenizers come from its config.
    pub fn load(dir: &Path, config: &DataConfig) -> Result<Self, DataError> {
        let tokenizer = Tokenizer::new(config.tokenizer_kind()?);
        Ok(Self {
            source_tokenizer: tokenizer.clone(),
            target_tokenizer: tokenizer,
            source_vocab: Vocab::load(&dir.join(SOURCE_VOCAB_FILE))?,
            target_vocab: Vocab::load(&dir.join(TARGET_VOCAB_FILE))?,
        })
    }
}

/// A task's splits, ready for training.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub splits: Splits,
    pub codec: Codec,
    pub train: Vec<EncodedPair>,
    pub valid: Vec<EncodedPair>,
    pub test: Vec<EncodedPair>,
}

impl Prepared {
    pub fn build(config: &DataConfig, seed: u64) -> Result<Self, DataError> {
        let splits = Splits::build(config, seed)?;
        let tokenizer = Tokenizer::new(config.tokenizer_kind()?);
        let source_tokens: Vec<Vec<String>> = splits.train.iter().map(|e| tokenizer.tokenize(&e.source)).collect();
        let target_tokens: Vec<Vec<String>> = splits.train.iter().map(|e| tokenizer.tokenize(&e.target)).collect();
        let codec = Codec {
            source_tokenizer: tokenizer.clone(),
            target_tokenizer: tokenizer,
            source_vocab: Vocab::build(source_tokens.iter().map(Vec::as_slice), 1),
            target_vocab: Vocab::build(target_tokens.iter().map(Vec::as_slice), 1),
        };
        Ok(Self {
            train: codec.encode(&splits.train),
            valid: codec.encode(&splits.valid),
            test: codec.encode(&splits.test),
            splits,
            codec,
        })
    }
}
