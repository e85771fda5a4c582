//! `--beam` and `--length-penalty`, as `translate` and `eval` read them.

use anyhow::{Result, bail};
use clap::Args;
use seq2seq_model::decode::Search;
use seq2seq_train::Translator;

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Beam search with this many hypotheses per sentence (models with a decoder only)
    /// [default: greedy search].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
    beam: Option<u32>,
    /// Length penalty α of beam search: scores are divided by ((5 + length) / 6)^α; 0 ranks by
    /// probability alone, larger values favour longer translations.
    #[arg(long, default_value_t = 0.0, value_parser = non_negative)]
    length_penalty: f32,
}

impl SearchArgs {
    /// Greedy search, or beam search when `--beam` asks for it and the model can be searched.
    pub fn search(&self, translator: &dyn Translator) -> Result<Search> {
        let max_len = translator.config().training.max_output_len;
        let Some(width) = self.beam else {
            if self.length_penalty != 0.0 {
                bail!("--length-penalty ranks beam search's hypotheses: it needs --beam N");
            }
            return Ok(Search::greedy(max_len));
        };
        if !translator.autoregressive() {
            bail!(
                "--beam {width}: the `{}` model emits one output per position and has no decoder to search",
                translator.config().arch
            );
        }
        Ok(Search::beam(max_len, width as usize, self.length_penalty))
    }
}

fn non_negative(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!("expected a number ≥ 0, got `{text}`")),
    }
}
