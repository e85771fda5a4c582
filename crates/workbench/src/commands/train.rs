//! `workbench train`: one architecture on one task, into a run directory.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use seq2seq_train::{Backend, RunConfig, TrainOptions, run_dir};

use super::trained_run::print_test_report;
use crate::{interrupt, registry};

#[derive(Args)]
pub struct TrainArgs {
    /// Architecture (see `workbench list`); overrides the config's `arch`.
    #[arg(long)]
    arch: Option<String>,
    /// Task: toy-fi, copy, reverse, sort, agreement, agreement-attract, latch, position, reorder, length,
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
    /// Backend: flex; ndarray, wgpu, cuda in builds with that feature. Overrides `backend`.
    #[arg(long)]
    backend: Option<Backend>,
    /// The GPU a GPU backend trains on, from 0. Overrides `device`.
    #[arg(long, value_name = "N")]
    device: Option<usize>,
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
}

impl TrainArgs {
    /// The config file (or the defaults) with every command-line override applied.
    fn run_config(&self) -> Result<RunConfig> {
        let mut config = match &self.config {
            Some(path) => RunConfig::from_file(path)?,
            None => RunConfig::default(),
        };
        if let Some(arch) = &self.arch {
            config.arch = arch.clone();
        }
        if let Some(task) = &self.task {
            config.data.task = task.clone();
        }
        if let Some(epochs) = self.epochs {
            config.training.epochs = epochs;
        }
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if let Some(backend) = self.backend {
            config.backend = backend;
        }
        if let Some(device) = self.device {
            config.device = Some(device);
        }
        if let Some(score) = &self.score {
            if config.arch != "luong" {
                bail!("--score is Luong's score function; it needs --arch luong, not `{}`", config.arch);
            }
            config.model.insert("score".into(), toml::Value::String(score.clone()));
        }
        Ok(config)
    }

    /// `--out`, after checking that it may be written (or resumed); a fresh directory without it.
    fn out(&self, config: &RunConfig) -> Result<PathBuf> {
        let Some(dir) = self.out.clone() else { return Ok(fresh_run_dir(config)) };
        let holds_run = run_dir::holds_run(&dir);
        if holds_run && !self.overwrite && !self.resume {
            bail!("{} already holds a run; choose another --out or pass --overwrite", dir.display());
        }
        if self.resume && holds_run && !run_dir::resumable(&dir) {
            bail!(
                "--resume: the run in {} is finished (nothing to resume); pass --overwrite to train it again",
                dir.display()
            );
        }
        Ok(dir)
    }
}

pub fn run(args: TrainArgs) -> Result<()> {
    let mut config = args.run_config()?;
    let architecture = registry::find(&config.arch)?;
    let source = args.config.as_ref().map_or("the built-in defaults".into(), |p| p.display().to_string());
    config.data.task().with_context(|| format!("config ({source}), `[data] task` or --task"))?;
    // The config as written (with the overrides) is checked before `--quick` shrinks it, and
    // again after: a quick look must not quietly repair settings the full run would refuse.
    architecture.check(&config).with_context(|| format!("config ({source})"))?;
    if args.quick {
        config.make_quick();
        architecture.check(&config).with_context(|| format!("config ({source}) with --quick"))?;
    }
    let out = args.out(&config)?;
    eprintln!("training {} on {} → {}", config.arch, config.data.task, out.display());
    let options = TrainOptions {
        resume: args.resume,
        stop_after_epoch: args.stop_after_epoch.map(|n| n as usize),
        interrupted: Some(interrupt::requested),
    };
    let summary = architecture.train(&config, &out, options)?;
    print_test_report(&summary.report);
    println!("run directory: {}", summary.dir.display());
    Ok(())
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
