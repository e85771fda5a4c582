//! Subword tokenizers for real corpora, trained on the training split with Hugging Face's
//! `tokenizers`: byte-pair encoding (Sennrich et al. 2016) with SentencePiece-style `▁` word
//! markers, and WordPiece (Schuster & Nakajima 2012, as in BERT) with `##` continuations.

use std::path::Path;

use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::TrainerWrapper;
use tokenizers::models::bpe::{BPE, BpeTrainerBuilder};
use tokenizers::models::wordpiece::{WordPiece, WordPieceTrainerBuilder};
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::pre_tokenizers::whitespace::Whitespace;
use tokenizers::{AddedToken, Decoder, Tokenizer as HfTokenizer};

use crate::fsutil::write_atomic;
use crate::vocab::SPECIALS;
use crate::{DataError, TokenizerKind};

const UNK: &str = SPECIALS[crate::vocab::UNK];

/// A trained subword tokenizer.
#[derive(Clone, Debug)]
pub struct Subword {
    kind: TokenizerKind,
    inner: HfTokenizer,
}

fn subword_error(e: impl std::fmt::Display) -> DataError {
    DataError::Subword(e.to_string())
}

impl Subword {
    /// Learns a vocabulary of about `vocab_size` subwords from `texts`.
    pub fn train(kind: TokenizerKind, texts: &[String], vocab_size: usize) -> Result<Self, DataError> {
        let unk = vec![AddedToken::from(UNK.to_string(), true)];
        let (mut inner, mut trainer) = match kind {
            TokenizerKind::Bpe => {
                let model = BPE::builder().unk_token(UNK.into()).build().map_err(subword_error)?;
                let mut inner = HfTokenizer::new(model);
                let metaspace = Metaspace::new('▁', PrependScheme::Always, true);
                inner.with_pre_tokenizer(Some(metaspace.clone())).with_decoder(Some(metaspace));
                let trainer =
                    BpeTrainerBuilder::new().show_progress(false).vocab_size(vocab_size).special_tokens(unk).build();
                (inner, TrainerWrapper::from(trainer))
            }
            TokenizerKind::WordPiece => {
                let model = WordPiece::builder().unk_token(UNK.into()).build().map_err(subword_error)?;
                let mut inner = HfTokenizer::new(model);
                inner.with_pre_tokenizer(Some(Whitespace {})).with_decoder(Some(WordPieceDecoder::default()));
                let trainer = WordPieceTrainerBuilder::new()
                    .show_progress(false)
                    .vocab_size(vocab_size)
                    .special_tokens(unk)
                    .build();
                (inner, TrainerWrapper::from(trainer))
            }
            other => return Err(DataError::Subword(format!("`{other}` is not a subword tokenizer"))),
        };
        inner.train(&mut trainer, texts.iter()).map_err(subword_error)?;
        Ok(Self { kind, inner })
    }

    pub fn kind(&self) -> TokenizerKind {
        self.kind
    }

    pub fn tokenize(&self, text: &str) -> Vec<String> {
        match self.inner.encode(text, false) {
            Ok(encoding) => encoding.get_tokens().to_vec(),
            Err(_) => vec![UNK.to_string()],
        }
    }

    pub fn detokenize(&self, tokens: &[String]) -> String {
        let decoder = self.inner.get_decoder().expect("subword tokenizers are built with a decoder");
        decoder.decode(tokens.to_vec()).unwrap_or_else(|_| tokens.join(" ")).trim().to_string()
    }

    /// Writes the tokenizer as Hugging Face JSON, atomically.
    pub fn save(&self, path: &Path) -> Result<(), DataError> {
        let json = self.inner.to_string(false).map_err(subword_error)?;
        write_atomic(path, json.as_bytes()).map_err(|e| DataError::io(path, e))
    }

    pub fn load(kind: TokenizerKind, path: &Path) -> Result<Self, DataError> {
        let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
        let inner = HfTokenizer::from_bytes(&bytes)
            .map_err(|e| DataError::File { path: path.to_path_buf(), message: format!("not a tokenizer file: {e}") })?;
        Ok(Self { kind, inner })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<String> {
        let words =
            ["talo", "talossa", "taloon", "talosta", "kissa", "kissalla", "koira", "koiralla", "suomessa", "suomeen"];
        (0..300).map(|i| format!("{} {} {}", words[i % 10], words[(i * 3 + 1) % 10], words[(i * 7 + 2) % 10])).collect()
    }

    #[test]
    fn bpe_and_wordpiece_split_words_into_known_pieces_and_round_trip() {
        for kind in [TokenizerKind::Bpe, TokenizerKind::WordPiece] {
            let tokenizer = Subword::train(kind, &corpus(), 40).unwrap();
            let text = "kissa talossa suomeen";
            let tokens = tokenizer.tokenize(text);
            assert!(tokens.len() >= 3, "{kind}: {tokens:?}");
            assert_eq!(tokenizer.detokenize(&tokens), text, "{kind}: {tokens:?}");
            // An unseen word still splits into subwords rather than one unknown token.
            let unseen = tokenizer.tokenize("kissatalo");
            assert!(unseen.len() > 1 && !unseen.contains(&UNK.to_string()), "{kind}: {unseen:?}");

            let path = std::env::temp_dir().join(format!("s2s-subword-{}-{kind}.json", std::process::id()));
            tokenizer.save(&path).unwrap();
            assert_eq!(Subword::load(kind, &path).unwrap().tokenize(text), tokens);
        }
    }
}
