//! `workbench eval`: a trained run on a task's test split or on a TSV file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use seq2seq_data::fsutil::write_atomic;
use seq2seq_data::{DataConfig, Example, Splits};
use seq2seq_train::Backend;

use super::search::SearchArgs;
use super::trained_run::{open, print_test_report};

#[derive(Args)]
pub struct EvalArgs {
    #[arg(long)]
    run: PathBuf,
    /// Task whose test split to use [default: the run's].
    #[arg(long, conflicts_with = "data")]
    task: Option<String>,
    /// A `source<TAB>target` file: every pair is evaluated.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Write the report (JSON) here as well as printing a summary, and beside it what it scored,
    /// one sentence per line: `NAME.src.txt`, `NAME.ref.txt` and `NAME.hyp.txt` (for NAME.json),
    /// so that another scorer (sacreBLEU) can score the translations again.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Backend [default: the run's].
    #[arg(long)]
    backend: Option<Backend>,
    #[command(flatten)]
    search: SearchArgs,
}

pub fn run(args: EvalArgs) -> Result<()> {
    let EvalArgs { run, task, data, report, backend, search } = args;
    let translator = open(&run, backend)?;
    let search = search.search(translator.as_ref())?;
    let examples: Vec<Example> = match (&task, &data) {
        (_, Some(path)) => seq2seq_data::tsv::read_pairs(path, translator.config().data.lowercase)?
            .into_iter()
            .map(|(source, target)| Example { source, target, ..Example::default() })
            .collect(),
        (task, None) => {
            let mut config: DataConfig = translator.config().data.clone();
            if let Some(task) = task {
                config.task = task.clone();
            }
            Splits::build(&config, translator.config().seed)?.test
        }
    };
    let evaluated = translator.evaluate(&examples, &search)?;
    print_test_report(&evaluated.report);
    if let Some(path) = report {
        let json = serde_json::to_vec_pretty(&evaluated.report)?;
        write_atomic(&path, &json).with_context(|| format!("writing {}", path.display()))?;
        for (kind, sentences) in
            [("src", &evaluated.sources), ("ref", &evaluated.references), ("hyp", &evaluated.hypotheses)]
        {
            let file = path.with_extension(format!("{kind}.txt"));
            let text: String = sentences.iter().map(|s| format!("{s}\n")).collect();
            write_atomic(&file, text.as_bytes()).with_context(|| format!("writing {}", file.display()))?;
        }
        println!(
            "report: {}; sentences beside it: {}",
            path.display(),
            path.with_extension("{src,ref,hyp}.txt").display()
        );
    }
    Ok(())
}
