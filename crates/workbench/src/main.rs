//! `workbench`: train, translate with and evaluate the sequence models of seq2seq-workbench.

mod registry;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use seq2seq_data::{DataConfig, Example, Splits, Task};
use seq2seq_plot::Panel;
use seq2seq_train::decode::Search;
use seq2seq_train::registry::run_config;
use seq2seq_train::{AttentionKind, AttentionMap, Backend, RunConfig, TestReport};

#[derive(Parser)]
#[command(name = "workbench", version, about = "Train the lineage of sequence models on one translation task")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
    Flex,
    Ndarray,
}

impl From<BackendArg> for Backend {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Flex => Backend::Flex,
            BackendArg::Ndarray => Backend::Ndarray,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// List the architectures and tasks.
    List,
    /// Train an architecture on a task.
    Train {
        /// Architecture (see `workbench list`); overrides the config's `arch`.
        #[arg(long)]
        arch: Option<String>,
        /// Task: toy-fi, copy, reverse, sort or tsv:PATH; overrides `data.task`.
        #[arg(long)]
        task: Option<String>,
        /// Experiment config (TOML), e.g. experiments/encdec.toml.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Run directory [default: runs/ARCH-TASK, numbered if taken].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Most epochs; overrides `training.epochs`.
        #[arg(long)]
        epochs: Option<usize>,
        /// Seed; overrides `seed`.
        #[arg(long)]
        seed: Option<u64>,
        /// CPU backend; overrides `backend`.
        #[arg(long, value_enum)]
        backend: Option<BackendArg>,
        /// Luong's score function; sets `model.score`.
        #[arg(long, value_parser = ["dot", "general", "concat"])]
        score: Option<String>,
        /// A seconds-long smoke run: a small data set and two epochs.
        #[arg(long)]
        quick: bool,
        /// Replace the run already in --out.
        #[arg(long)]
        overwrite: bool,
    },
    /// Translate sentences with a trained run (greedy decoding or beam search).
    Translate {
        /// Run directory written by `workbench train`.
        #[arg(long)]
        run: PathBuf,
        #[command(flatten)]
        search: SearchArgs,
        /// CPU backend [default: the run's].
        #[arg(long, value_enum)]
        backend: Option<BackendArg>,
        /// Write the attention heatmap of the (one) sentence here: FILE.png or FILE.svg.
        #[arg(long, value_name = "FILE")]
        attention: Option<PathBuf>,
        /// Source sentences.
        #[arg(required = true)]
        sentences: Vec<String>,
    },
    /// Evaluate a trained run on a task's test split or on a TSV file.
    Eval {
        #[arg(long)]
        run: PathBuf,
        /// Task whose test split to use [default: the run's].
        #[arg(long, conflicts_with = "data")]
        task: Option<String>,
        /// A `source<TAB>target` file: every pair is evaluated.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Write the report (JSON) here as well as printing a summary.
        #[arg(long)]
        report: Option<PathBuf>,
        #[arg(long, value_enum)]
        backend: Option<BackendArg>,
        #[command(flatten)]
        search: SearchArgs,
    },
}

#[derive(Args, Debug)]
struct SearchArgs {
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
    fn search(&self, translator: &dyn seq2seq_train::Translator) -> Result<Search> {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::List => {
            println!("architectures:");
            for arch in registry::architectures() {
                println!("  {:<12} {}", arch.name, arch.summary);
            }
            println!("tasks:");
            for (name, summary) in Task::NAMES {
                println!("  {name:<12} {summary}");
            }
            Ok(())
        }
        Command::Train { arch, task, config, out, epochs, seed, backend, score, quick, overwrite } => {
            let mut run_config = match &config {
                Some(path) => RunConfig::from_file(path)?,
                None => RunConfig::default(),
            };
            if let Some(arch) = arch {
                run_config.arch = arch;
            }
            if let Some(task) = task {
                run_config.data.task = task;
            }
            if let Some(epochs) = epochs {
                run_config.training.epochs = epochs;
            }
            if let Some(seed) = seed {
                run_config.seed = seed;
            }
            if let Some(backend) = backend {
                run_config.backend = backend.into();
            }
            if let Some(score) = score {
                if run_config.arch != "luong" {
                    bail!("--score is Luong's score function; it needs --arch luong, not `{}`", run_config.arch);
                }
                run_config.model.insert("score".into(), toml::Value::String(score));
            }
            if quick {
                run_config.make_quick();
            }
            let architecture = registry::find(&run_config.arch)?;
            run_config.data.task()?;
            let out = match out {
                Some(dir) => {
                    if dir.join("config.toml").exists() && !overwrite {
                        bail!("{} already holds a run; choose another --out or pass --overwrite", dir.display());
                    }
                    dir
                }
                None => fresh_run_dir(&run_config),
            };
            eprintln!("training {} on {} → {}", run_config.arch, run_config.data.task, out.display());
            let summary = architecture.train(&run_config, &out)?;
            print_report(&summary.report);
            println!("run directory: {}", summary.dir.display());
            Ok(())
        }
        Command::Translate { run, search, backend, attention, sentences } => {
            if attention.is_some() && sentences.len() != 1 {
                bail!("--attention draws one sentence's heatmap: give exactly one sentence, not {}", sentences.len());
            }
            let translator = open(&run, backend)?;
            let translations = translator.translate(&sentences, &search.search(translator.as_ref())?)?;
            for translation in &translations {
                println!("{}", translation.text);
            }
            if let Some(path) = attention {
                let t = &translations[0];
                let Some(weights) = &t.attention else {
                    bail!(
                        "the `{}` model has no attention weights to draw (bahdanau and luong have)",
                        translator.config().arch
                    );
                };
                let mut generated = t.tokens.clone();
                if weights.len() > generated.len() {
                    generated.push("<eos>".into());
                }
                let arch = &translator.config().arch;
                let maps = translator.attention_maps(t);
                let what = if maps.is_empty() { "attention" } else { "cross-attention (last layer, mean of heads)" };
                let title = format!("{arch} {what}: {}", sentences[0]);
                seq2seq_plot::attention_heatmap(&path, &title, &t.source_tokens, &generated, weights)?;
                eprintln!("attention heatmap: {}", path.display());
                for written in draw_attention_maps(&path, arch, &sentences[0], t, &generated, &maps)? {
                    eprintln!("attention heads: {}", written.display());
                }
            }
            Ok(())
        }
        Command::Eval { run, task, data, report, backend, search } => {
            let translator = open(&run, backend)?;
            let search = search.search(translator.as_ref())?;
            let examples: Vec<Example> = match (&task, &data) {
                (_, Some(path)) => seq2seq_data::tsv::read_pairs(path, translator.config().data.lowercase)?
                    .into_iter()
                    .map(|(source, target)| Example { source, target, tags: vec![], alignment: vec![] })
                    .collect(),
                (task, None) => {
                    let mut config: DataConfig = translator.config().data.clone();
                    if let Some(task) = task {
                        config.task = task.clone();
                    }
                    Splits::build(&config, translator.config().seed)?.test
                }
            };
            let result = translator.evaluate(&examples, &search)?;
            print_report(&result);
            if let Some(path) = report {
                let json = serde_json::to_vec_pretty(&result)?;
                seq2seq_data::fsutil::write_atomic(&path, &json)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(())
        }
    }
}

/// One grid per kind of attention (rows: layers, columns: heads), beside `path`:
/// `NAME-encoder-self.png`, `NAME-decoder-self.png`, `NAME-cross.png`.
fn draw_attention_maps(
    path: &Path,
    arch: &str,
    sentence: &str,
    translation: &seq2seq_train::Translation,
    outputs: &[String],
    maps: &[AttentionMap],
) -> Result<Vec<PathBuf>> {
    let inputs: Vec<String> =
        std::iter::once("<sos>".to_string()).chain(translation.tokens.iter().cloned()).take(outputs.len()).collect();
    let source = &translation.source_tokens;
    let mut written = Vec::new();
    for (kind, suffix, rows, columns) in [
        (AttentionKind::EncoderSelf, "encoder-self", source, source),
        (AttentionKind::DecoderSelf, "decoder-self", &outputs.to_vec(), &inputs),
        (AttentionKind::Cross, "cross", &outputs.to_vec(), source),
    ] {
        let of_kind: Vec<&AttentionMap> = maps.iter().filter(|m| m.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        let titles: Vec<String> =
            of_kind.iter().map(|m| format!("layer {} · head {}", m.layer + 1, m.head + 1)).collect();
        // A translation cut off at the length limit has no <eos> step: drop the extra row.
        let weights: Vec<Vec<Vec<f32>>> = of_kind
            .iter()
            .map(|m| {
                m.weights.iter().take(rows.len()).map(|row| row[..columns.len().min(row.len())].to_vec()).collect()
            })
            .collect();
        let panels: Vec<Panel> =
            titles.iter().zip(&weights).map(|(title, weights)| Panel { title, rows, columns, weights }).collect();
        let heads = of_kind.iter().map(|m| m.head + 1).max().unwrap_or(1);
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let extension = path.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let file = path.with_file_name(format!("{stem}-{suffix}.{extension}"));
        let title = format!("{arch} {} per layer and head: {sentence}", kind.name());
        seq2seq_plot::attention_grid(&file, &title, &panels, heads)?;
        written.push(file);
    }
    Ok(written)
}

fn open(run: &Path, backend: Option<BackendArg>) -> Result<Box<dyn seq2seq_train::Translator>> {
    let config = run_config(run)?;
    let architecture = registry::find(&config.arch)?;
    Ok(architecture.open(run, backend.map(Into::into))?)
}

/// `runs/ARCH-TASK`, or `runs/ARCH-TASK-2`, … if taken.
fn fresh_run_dir(config: &RunConfig) -> PathBuf {
    let task: String =
        config.data.task.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let base = PathBuf::from("runs").join(format!("{}-{}", config.arch, task));
    let mut dir = base.clone();
    let mut n = 2;
    while dir.exists() {
        dir = PathBuf::from(format!("{}-{n}", base.display()));
        n += 1;
    }
    dir
}

fn print_report(report: &TestReport) {
    let o = &report.overall;
    println!(
        "{} on {}: exact match {:.1}%  BLEU {:.2}  chrF {:.2}  token accuracy {:.1}%  perplexity {:.3}  ({} sentences, {} parameters)",
        report.arch,
        report.task,
        o.exact_match,
        o.bleu,
        o.chrf,
        o.token_accuracy,
        o.perplexity,
        o.sentences,
        report.parameters
    );
    println!("exact match by source length:");
    for g in &report.by_length {
        println!("  {:>7} words: {:6.1}%  BLEU {:6.2}  ({} sentences)", g.group, g.exact_match, g.bleu, g.sentences);
    }
    if !report.by_phenomenon.is_empty() {
        println!("exact match by phenomenon:");
        for g in &report.by_phenomenon {
            println!("  {:>10}: {:6.1}%  BLEU {:6.2}  ({} sentences)", g.group, g.exact_match, g.bleu, g.sentences);
        }
    }
    if let Some(demo) = &report.demo {
        println!(
            "demo: {}\n   → {}  ({})",
            demo.source,
            demo.hypothesis,
            if demo.correct { "correct" } else { "wrong" }
        );
    }
}
