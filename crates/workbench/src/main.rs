//! `workbench`: train, translate with and evaluate the sequence models of seq2seq-workbench.

mod bench;
mod checks;
mod compare;
mod coursework;
#[cfg(test)]
mod decoder_tests;
mod exercises;
mod figures;
#[cfg(test)]
mod fused_tests;
mod interrupt;
mod kit;
#[cfg(test)]
mod learning_tests;
mod memory;
mod parallel_timing;
mod probe_plan;
mod registry;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use seq2seq_data::{DataConfig, Example, Splits, Task};
use seq2seq_train::decode::Search;
use seq2seq_train::registry::run_config;
use seq2seq_train::{Backend, RunConfig, TestReport, TrainOptions};

#[global_allocator]
static HEAP: memory::CountingAllocator = memory::CountingAllocator::new();

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
    /// GPU through wgpu; needs a build with `--features wgpu`.
    Wgpu,
    /// GPU through CUDA; needs a build with `--features cuda`.
    Cuda,
}

impl From<BackendArg> for Backend {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Flex => Backend::Flex,
            BackendArg::Ndarray => Backend::Ndarray,
            BackendArg::Wgpu => Backend::Wgpu,
            BackendArg::Cuda => Backend::Cuda,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// List the architectures and tasks.
    List,
    /// Train every architecture of a comparison on the same data, then write its report
    /// (report.md, report.html, plots/ with CSV). Finished runs are kept: rerun to resume.
    Compare {
        /// Comparison config (TOML) [default: experiments/compare.toml, built in].
        #[arg(long)]
        config: Option<PathBuf>,
        /// Report directory [default: reports/NAME, or reports/NAME-quick with --quick].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Runs per architecture (seeds `seed`, `seed + 1`, …); overrides `seeds`.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20))]
        seeds: Option<u32>,
        /// Runs trained at once; overrides `jobs`.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
        jobs: Option<u32>,
        /// Only these architectures (comma-separated); overrides `archs`.
        #[arg(long, value_delimiter = ',')]
        archs: Option<Vec<String>>,
        /// Runs per probe (0: no probe runs); overrides `probe_seeds`.
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=compare::MAX_PROBE_SEEDS as i64))]
        probe_seeds: Option<u32>,
        /// A first look in about a minute: 600 short pairs and two epochs per run.
        #[arg(long)]
        quick: bool,
        /// Stop every run once epoch N is saved; rerunning the comparison resumes them.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        stop_after_epoch: Option<u64>,
    },
    /// Redraw a report's plots and text from run directories, without training.
    Plot {
        /// Run directories, or comparison directories (their runs/).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where the report goes [default: the one comparison directory given].
        #[arg(long)]
        out: Option<PathBuf>,
        /// The report's name [default: the output directory's name].
        #[arg(long)]
        name: Option<String>,
    },
    /// Train an architecture on a task.
    Train {
        /// Architecture (see `workbench list`); overrides the config's `arch`.
        #[arg(long)]
        arch: Option<String>,
        /// Task: toy-fi, copy, reverse, sort, agreement, agreement-attract, latch, reorder, length,
        /// free-order, free-length or tsv:PATH; overrides `data.task`.
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
        /// Backend (flex, ndarray; wgpu, cuda in builds with that feature); overrides `backend`.
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
        /// Continue the run interrupted in --out from its last finished epoch (same config).
        #[arg(long, requires = "out", conflicts_with = "overwrite")]
        resume: bool,
        /// Stop once epoch N is saved, leaving a run that --resume finishes (exits with status 2).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        stop_after_epoch: Option<u64>,
    },
    /// Translate sentences with a trained run (greedy decoding or beam search).
    Translate {
        /// Run directory written by `workbench train`.
        #[arg(long)]
        run: PathBuf,
        #[command(flatten)]
        search: SearchArgs,
        /// Backend [default: the run's].
        #[arg(long, value_enum)]
        backend: Option<BackendArg>,
        /// Write the attention heatmap of the (one) sentence here: FILE.png or FILE.svg.
        #[arg(long, value_name = "FILE")]
        attention: Option<PathBuf>,
        /// Source sentences.
        #[arg(required = true)]
        sentences: Vec<String>,
    },
    /// Training and generation throughput per architecture on synthetic batches at the default
    /// model sizes (median of timed steps), optionally beside PyTorch twins of the same models.
    Bench {
        /// Only these architectures (comma-separated) [default: all].
        #[arg(long, value_delimiter = ',')]
        archs: Option<Vec<String>>,
        /// Backend.
        #[arg(long, value_enum, default_value = "flex")]
        backend: BackendArg,
        /// Threads of the CPU backend's pool (and of PyTorch).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
        threads: u32,
        /// Timed training steps per architecture.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
        repeats: u32,
        /// Skip the sweep of step time against sentence length.
        #[arg(long)]
        no_lengths: bool,
        /// Run the readable recurrent cells (`fused = false`) instead of the fused operation.
        #[arg(long)]
        readable: bool,
        /// Also time the PyTorch twins (bench/pytorch/bench.py) with this Python, in the same run.
        #[arg(long, value_name = "PYTHON")]
        pytorch: Option<PathBuf>,
        /// Time each architecture (and its twin) this many times, alternating; tokens/s and the
        /// ratio are the medians over rounds.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
        rounds: u32,
        /// Write every figure here (JSON).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the printed table here (Markdown).
        #[arg(long)]
        table: Option<PathBuf>,
    },
    /// Coursework: list the exercises, make a student kit, check or grade solutions.
    Exercise {
        #[command(subcommand)]
        action: coursework::ExerciseCommand,
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
    interrupt::install();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            // 130: the shell's code for a command ended by Ctrl-C.
            ExitCode::from(if interrupt::requested() { 130 } else { 2 })
        }
    }
}

/// The error and its causes, each once: a library error that already quotes its cause (`path:
/// No such file`) is not followed by the cause again.
fn message(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1).map(|cause| cause.to_string()) {
        if !text.ends_with(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    text
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
        Command::Train {
            arch,
            task,
            config,
            out,
            epochs,
            seed,
            backend,
            score,
            quick,
            overwrite,
            resume,
            stop_after_epoch,
        } => {
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
            let architecture = registry::find(&run_config.arch)?;
            let source = config.as_ref().map_or("the built-in defaults".into(), |p| p.display().to_string());
            run_config.data.task().with_context(|| format!("config ({source}), `[data] task` or --task"))?;
            // The config as written is checked before `--quick` shrinks it: a quick look must not
            // quietly repair settings the full run would refuse.
            architecture.check(&run_config).with_context(|| format!("config ({source})"))?;
            if quick {
                run_config.make_quick();
                architecture.check(&run_config).with_context(|| format!("config ({source}) with --quick"))?;
            }
            let out = match out {
                Some(dir) => {
                    let holds_run = dir.join("config.toml").exists();
                    if holds_run && !overwrite && !resume {
                        bail!("{} already holds a run; choose another --out or pass --overwrite", dir.display());
                    }
                    if resume && holds_run && !seq2seq_train::trainer::resumable(&dir) {
                        bail!(
                            "--resume: the run in {} is finished (nothing to resume); pass --overwrite to train it again",
                            dir.display()
                        );
                    }
                    dir
                }
                None => fresh_run_dir(&run_config),
            };
            eprintln!("training {} on {} → {}", run_config.arch, run_config.data.task, out.display());
            let options = TrainOptions {
                resume,
                stop_after_epoch: stop_after_epoch.map(|n| n as usize),
                interrupted: Some(interrupt::requested),
            };
            let summary = architecture.train(&run_config, &out, options)?;
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
                let written = figures::draw_attention(&path, translator.as_ref(), &sentences[0], &translations[0])?;
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
        Command::Compare { config, out, seeds, jobs, archs, probe_seeds, quick, stop_after_epoch } => {
            let mut config = match &config {
                Some(path) => compare::CompareConfig::from_file(path)?,
                None => compare::CompareConfig::parse(compare::BUILT_IN, Path::new("experiments/compare.toml"))?,
            };
            if let Some(seeds) = seeds {
                config.seeds = seeds as usize;
            }
            if let Some(jobs) = jobs {
                config.jobs = jobs as usize;
            }
            if let Some(probe_seeds) = probe_seeds {
                config.probe_seeds = probe_seeds as usize;
            }
            if let Some(archs) = archs {
                for arch in &archs {
                    registry::find(arch).context("--archs")?;
                }
                config.archs = archs;
            }
            let out = out.unwrap_or_else(|| {
                PathBuf::from("reports").join(if quick {
                    format!("{}-quick", config.name)
                } else {
                    config.name.clone()
                })
            });
            compare::compare(&config, &out, quick, stop_after_epoch)?;
            println!("report: {}", out.join("report.md").display());
            Ok(())
        }
        Command::Plot { dirs, out, name } => {
            let runs = compare::run_dirs(&dirs)?;
            let out = match (out, dirs.as_slice()) {
                (Some(out), _) => out,
                (None, [one]) if one.join("runs").is_dir() => one.clone(),
                (None, _) => bail!("--out: where should the report of several directories go?"),
            };
            // A comparison's own directory keeps how it was made: redraw it whole.
            let made = match dirs.as_slice() {
                [one] if *one == out => compare::Made::load(&out)?.unwrap_or_default(),
                _ => compare::Made::default(),
            };
            let name = name
                .or((!made.name.is_empty()).then_some(made.name))
                .unwrap_or_else(|| out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            compare::write_report(&out, &name, &runs, made.settings, made.wall_seconds)?;
            println!("report: {}", out.join("report.md").display());
            Ok(())
        }
        Command::Bench { archs, backend, threads, repeats, no_lengths, readable, pytorch, rounds, json, table } => {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads as usize)
                .build_global()
                .context("--threads: the thread pool was already started")?;
            let archs = match archs {
                Some(archs) => archs,
                None => registry::architectures().iter().map(|a| a.name.to_string()).collect(),
            };
            for arch in &archs {
                registry::find(arch).context("--archs")?;
            }
            let mut settings = seq2seq_train::bench::BenchSettings {
                backend: backend.into(),
                repeats: repeats as usize,
                ..Default::default()
            };
            if no_lengths {
                settings.lengths.clear();
            }
            let request = bench::BenchRequest {
                archs,
                settings,
                threads: threads as usize,
                python: pytorch,
                rounds: rounds as usize,
                readable,
            };
            let report = bench::run(&request, &HEAP)?;
            let text = bench::table(&report);
            print!("{text}");
            if let Some(path) = table {
                seq2seq_data::fsutil::write_atomic(&path, text.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if let Some(path) = json {
                bench::write_json(&path, &report)?;
            }
            Ok(())
        }
        Command::Exercise { action } => coursework::run(action),
        Command::Eval { run, task, data, report, backend, search } => {
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
