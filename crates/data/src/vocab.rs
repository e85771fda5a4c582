//! Vocabularies: token ↔ id, with the special tokens every model shares.

use std::collections::HashMap;
use std::path::Path;

use crate::DataError;
use crate::fsutil::write_atomic;

/// Special tokens, always the first ids of every vocabulary in this order.
pub const PAD: usize = 0;
pub const SOS: usize = 1;
pub const EOS: usize = 2;
pub const UNK: usize = 3;
/// Slot filler of the position-wise models (one output per input position).
pub const BLANK: usize = 4;
pub const SPECIALS: [&str; 5] = ["<pad>", "<sos>", "<eos>", "<unk>", "<blank>"];

#[derive(Clone, Debug, PartialEq)]
pub struct Vocab {
    tokens: Vec<String>,
    index: HashMap<String, usize>,
}

impl Vocab {
    /// Builds a vocabulary from token sequences: specials first, then tokens by falling
    /// frequency (ties alphabetical, so the ids are deterministic).
    pub fn build<'a>(sequences: impl IntoIterator<Item = &'a [String]>, min_freq: usize) -> Self {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for seq in sequences {
            for token in seq {
                *counts.entry(token.as_str()).or_default() += 1;
            }
        }
        let mut by_freq: Vec<(&str, usize)> =
            counts.into_iter().filter(|&(t, c)| c >= min_freq && !SPECIALS.contains(&t)).collect();
        by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        Self::from_tokens(SPECIALS.iter().map(|s| s.to_string()).chain(by_freq.into_iter().map(|(t, _)| t.to_string())))
    }

    fn from_tokens(tokens: impl IntoIterator<Item = String>) -> Self {
        let tokens: Vec<String> = tokens.into_iter().collect();
        let index = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i)).collect();
        Self { tokens, index }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn id(&self, token: &str) -> usize {
        self.index.get(token).copied().unwrap_or(UNK)
    }

    pub fn token(&self, id: usize) -> &str {
        self.tokens.get(id).map_or(SPECIALS[UNK], String::as_str)
    }

    pub fn encode(&self, tokens: &[String]) -> Vec<usize> {
        tokens.iter().map(|t| self.id(t)).collect()
    }

    /// Tokens of `ids` up to the first `<eos>`, special tokens other than `<unk>` left out.
    pub fn decode(&self, ids: &[usize]) -> Vec<String> {
        ids.iter()
            .take_while(|&&id| id != EOS)
            .filter(|&&id| id == UNK || id >= SPECIALS.len())
            .map(|&id| self.token(id).to_string())
            .collect()
    }

    /// Writes one token per line, atomically.
    pub fn save(&self, path: &Path) -> Result<(), DataError> {
        let mut text = self.tokens.join("\n");
        text.push('\n');
        write_atomic(path, text.as_bytes()).map_err(|e| DataError::io(path, e))
    }

    /// Reads a vocabulary written by [`Vocab::save`]; checks the special tokens and duplicates.
    pub fn load(path: &Path) -> Result<Self, DataError> {
        let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
        let tokens: Vec<String> = text.lines().map(str::to_string).collect();
        for (i, special) in SPECIALS.iter().enumerate() {
            if tokens.get(i).map(String::as_str) != Some(*special) {
                return Err(DataError::Line {
                    path: path.to_path_buf(),
                    line: i + 1,
                    message: format!("expected the special token `{special}`"),
                });
            }
        }
        let vocab = Self::from_tokens(tokens);
        if vocab.index.len() != vocab.tokens.len() {
            let dup = vocab.tokens.iter().enumerate().find(|(i, t)| vocab.index[*t] != *i);
            let (line, token) = dup.map(|(i, t)| (i + 1, t.clone())).unwrap_or_default();
            return Err(DataError::Line {
                path: path.to_path_buf(),
                line,
                message: format!("duplicate token `{token}`"),
            });
        }
        Ok(vocab)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn build_encode_decode_save_load() {
        let seqs = [toks("a b b c"), toks("b c")];
        let vocab = Vocab::build(seqs.iter().map(Vec::as_slice), 1);
        assert_eq!(vocab.len(), SPECIALS.len() + 3);
        assert_eq!(vocab.token(SPECIALS.len()), "b");
        let ids = vocab.encode(&toks("a z c"));
        assert_eq!(ids[1], UNK);
        let mut with_eos = ids.clone();
        with_eos.extend([EOS, vocab.id("a")]);
        assert_eq!(vocab.decode(&with_eos), toks("a <unk> c"));

        let path = std::env::temp_dir().join(format!("s2s-vocab-{}.txt", std::process::id()));
        vocab.save(&path).unwrap();
        assert_eq!(Vocab::load(&path).unwrap(), vocab);
        std::fs::write(&path, "<pad>\n<sos>\n").unwrap();
        let err = Vocab::load(&path).unwrap_err().to_string();
        assert!(err.contains(":3") && err.contains("<eos>"), "{err}");
    }
}
