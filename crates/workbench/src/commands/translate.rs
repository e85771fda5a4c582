//! `workbench translate`: sentences through a trained run, and its attention heatmap.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use seq2seq_train::Backend;

use super::search::SearchArgs;
use super::trained_run::open;
use crate::figures;

#[derive(Args)]
pub struct TranslateArgs {
    /// Run directory written by `workbench train`.
    #[arg(long)]
    run: PathBuf,
    #[command(flatten)]
    search: SearchArgs,
    /// Backend [default: the run's].
    #[arg(long)]
    backend: Option<Backend>,
    /// Write the attention heatmap of the (one) sentence here: FILE.png or FILE.svg.
    #[arg(long, value_name = "FILE")]
    attention: Option<PathBuf>,
    /// Source sentences.
    #[arg(required = true)]
    sentences: Vec<String>,
}

pub fn run(args: TranslateArgs) -> Result<()> {
    let TranslateArgs { run, search, backend, attention, sentences } = args;
    if attention.is_some() && sentences.len() != 1 {
        bail!("--attention draws one sentence's heatmap: give exactly one sentence, not {}", sentences.len());
    }
    let translator = open(&run, backend)?;
    let translations = translator.translate(&sentences, &search.search(translator.as_ref())?)?;
    let trained_max_len = translator.config().data.max_len;
    for (n, translation) in translations.iter().enumerate() {
        println!("{}", translation.text);
        if !translation.unknown_tokens.is_empty() {
            let unknown = translation.unknown_tokens.join(", ");
            eprintln!("note: sentence {}: not in the run's vocabulary, read as <unk>: {unknown}", n + 1);
        }
        if translation.source_tokens.len() > trained_max_len {
            eprintln!(
                "note: sentence {}: {} tokens, longer than any this run trained on (max_len = {trained_max_len})",
                n + 1,
                translation.source_tokens.len()
            );
        }
    }
    if let Some(path) = attention {
        let written = figures::draw_attention(&path, translator.as_ref(), &sentences[0], &translations[0], true)?;
        if written.is_empty() {
            bail!(
                "the `{}` model has no attention weights to draw (bahdanau, luong and transformer have)",
                translator.config().arch
            );
        }
        for (file, _) in written {
            eprintln!("attention: {}", file.display());
        }
    }
    Ok(())
}
