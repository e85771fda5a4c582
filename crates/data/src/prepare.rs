//! From a data config to encoded splits: build the task, tokenize, build the vocabularies.

use std::path::Path;

use crate::subword::Subword;
use crate::{DataConfig, DataError, EncodedPair, Example, Splits, Tokenizer, Vocab};

pub const SOURCE_VOCAB_FILE: &str = "vocab.src.txt";
pub const TARGET_VOCAB_FILE: &str = "vocab.tgt.txt";
pub const SOURCE_TOKENIZER_FILE: &str = "tokenizer.src.json";
pub const TARGET_TOKENIZER_FILE: &str = "tokenizer.tgt.json";

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

    /// The examples as ids; with `decisive_items_only`, the loss of each pair that has decisive
    /// items scores only their target positions (see [`crate::Task::scores_decisive_items_only`]).
    pub fn encode(&self, examples: &[Example], decisive_items_only: bool) -> Vec<EncodedPair> {
        examples
            .iter()
            .enumerate()
            .map(|(index, e)| EncodedPair {
                index,
                source: self.encode_source(&e.source),
                target: self.encode_target(&e.target),
                scored_positions: (decisive_items_only && !e.probes.is_empty())
                    .then(|| e.probes.iter().map(|p| p.target_index).collect()),
            })
            .collect()
    }

    /// Saves the vocabularies (and trained subword tokenizers) into a run directory.
    pub fn save(&self, dir: &Path) -> Result<(), DataError> {
        for (tokenizer, file) in
            [(&self.source_tokenizer, SOURCE_TOKENIZER_FILE), (&self.target_tokenizer, TARGET_TOKENIZER_FILE)]
        {
            if let Tokenizer::Subword(subword) = tokenizer {
                subword.save(&dir.join(file))?;
            }
        }
        self.source_vocab.save(&dir.join(SOURCE_VOCAB_FILE))?;
        self.target_vocab.save(&dir.join(TARGET_VOCAB_FILE))
    }

    /// Loads what [`Codec::save`] wrote; the tokenizer kind comes from the run's config.
    pub fn load(dir: &Path, config: &DataConfig) -> Result<Self, DataError> {
        let kind = config.tokenizer_kind()?;
        let tokenizer = |file: &str| -> Result<Tokenizer, DataError> {
            Ok(if kind.is_subword() {
                Tokenizer::Subword(Box::new(Subword::load(kind, &dir.join(file))?))
            } else {
                Tokenizer::build(kind, &[], 0)?
            })
        };
        Ok(Self {
            source_tokenizer: tokenizer(SOURCE_TOKENIZER_FILE)?,
            target_tokenizer: tokenizer(TARGET_TOKENIZER_FILE)?,
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

/// The sentences of one split as a model reads them (`pairs`: ids) and as people do
/// (`examples`: text, every valid translation, probe items), with the codec between the two.
#[derive(Clone, Copy)]
pub struct Sentences<'a> {
    pub pairs: &'a [EncodedPair],
    pub examples: &'a [Example],
    pub codec: &'a Codec,
}

impl Prepared {
    /// The validation split's sentences.
    pub fn valid_sentences(&self) -> Sentences<'_> {
        Sentences { pairs: &self.valid, examples: &self.splits.valid, codec: &self.codec }
    }

    /// The test split's sentences.
    pub fn test_sentences(&self) -> Sentences<'_> {
        Sentences { pairs: &self.test, examples: &self.splits.test, codec: &self.codec }
    }

    pub fn build(config: &DataConfig, seed: u64) -> Result<Self, DataError> {
        let splits = Splits::build(config, seed)?;
        let kind = config.tokenizer_kind()?;
        let texts = |side: fn(&Example) -> &String| splits.train.iter().map(side).cloned().collect::<Vec<_>>();
        let source_tokenizer = Tokenizer::build(kind, &texts(|e| &e.source), config.subword_vocab_size)?;
        let target_tokenizer = Tokenizer::build(kind, &texts(|e| &e.target), config.subword_vocab_size)?;
        let source_tokens: Vec<Vec<String>> =
            splits.train.iter().map(|e| source_tokenizer.tokenize(&e.source)).collect();
        let target_tokens: Vec<Vec<String>> =
            splits.train.iter().map(|e| target_tokenizer.tokenize(&e.target)).collect();
        let codec = Codec {
            source_tokenizer,
            target_tokenizer,
            source_vocab: Vocab::build(source_tokens.iter().map(Vec::as_slice), 1),
            target_vocab: Vocab::build(target_tokens.iter().map(Vec::as_slice), 1),
        };
        let decisive_only = config.task()?.scores_decisive_items_only();
        Ok(Self {
            train: codec.encode(&splits.train, decisive_only),
            valid: codec.encode(&splits.valid, decisive_only),
            test: codec.encode(&splits.test, decisive_only),
            splits,
            codec,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latch_scores_only_its_answer_and_other_tasks_every_token() {
        let config = |task: &str| DataConfig {
            task: task.into(),
            train_size: 50,
            valid_size: 10,
            test_size: 10,
            ..DataConfig::default()
        };
        let latch = Prepared::build(&config("latch"), 3).unwrap();
        for (pairs, examples) in [(&latch.train, &latch.splits.train), (&latch.test, &latch.splits.test)] {
            for pair in pairs {
                let answer = examples[pair.index].probes[0].target_index;
                assert_eq!(pair.scored_positions, Some(vec![answer]));
                // The answer is the last word, the `?`'s slot; `<eos>` follows it unscored.
                assert_eq!(answer + 1, pair.target.len());
            }
        }
        for task in ["agreement", "toy-fi", "copy"] {
            let data = Prepared::build(&config(task), 3).unwrap();
            assert!(data.train.iter().all(|p| p.scored_positions.is_none()), "{task}");
        }
    }

    /// Subword tokenizers on real English–Finnish text (`../shared/corpora/`; required under CI).
    #[test]
    fn subword_tokenizers_on_the_shared_tatoeba_sample() {
        let Some(path) = crate::shared_corpus::tatoeba() else { return };
        for tokenizer in ["bpe", "wordpiece"] {
            let config = DataConfig {
                task: format!("tsv:{}", path.display()),
                train_size: 0,
                valid_size: 100,
                test_size: 100,
                min_len: 1,
                max_len: 40,
                tokenizer: tokenizer.into(),
                subword_vocab_size: 800,
                ..DataConfig::default()
            };
            let data = Prepared::build(&config, 5).unwrap();
            let vocab = data.codec.target_vocab.len();
            assert!(vocab > 300 && vocab <= 800 + crate::vocab::SPECIALS.len(), "{tokenizer}: {vocab}");
            // Finnish words are split into pieces: more target tokens than words.
            let words: usize = data.splits.train.iter().map(|e| e.target.split_whitespace().count()).sum();
            let pieces: usize = data.train.iter().map(|p| p.target.len()).sum();
            assert!(pieces > words, "{tokenizer}: {pieces} pieces for {words} words");
            let unknown = data.test.iter().flat_map(|p| &p.target).filter(|&&id| id == crate::vocab::UNK).count();
            let total: usize = data.test.iter().map(|p| p.target.len()).sum();
            assert!(unknown * 50 < total, "{tokenizer}: {unknown} of {total} test pieces unknown");

            let dir = std::env::temp_dir().join(format!("s2s-codec-{}-{tokenizer}", std::process::id()));
            data.codec.save(&dir).unwrap();
            let loaded = Codec::load(&dir, &config).unwrap();
            for e in data.splits.test.iter().take(20) {
                assert_eq!(loaded.encode_target(&e.target), data.codec.encode_target(&e.target));
            }
            if tokenizer == "bpe" {
                let e = &data.splits.test[0];
                let ids = loaded.encode_target(&e.target);
                assert_eq!(loaded.decode_target(&ids), loaded.normalize_target(&e.target));
            }
        }
    }
}
