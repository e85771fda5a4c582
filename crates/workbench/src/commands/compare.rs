//! `workbench compare`: every architecture of a comparison trained on the same data, then its
//! report.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use crate::{compare, registry};

#[derive(Args)]
pub struct CompareArgs {
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
    /// GPUs to spread the runs over (comma-separated, e.g. 0,1), with a GPU backend; overrides
    /// `devices`.
    #[arg(long, value_delimiter = ',', value_name = "N,…")]
    devices: Option<Vec<usize>>,
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
}

pub fn run(args: CompareArgs) -> Result<()> {
    let mut config = match &args.config {
        Some(path) => compare::CompareConfig::from_file(path)?,
        None => compare::CompareConfig::parse(compare::BUILT_IN, Path::new("experiments/compare.toml"))?,
    };
    if let Some(seeds) = args.seeds {
        config.seeds = seeds as usize;
    }
    if let Some(jobs) = args.jobs {
        config.jobs = jobs as usize;
    }
    if let Some(devices) = args.devices {
        config.devices = devices;
    }
    if let Some(probe_seeds) = args.probe_seeds {
        config.probe_seeds = probe_seeds as usize;
    }
    if let Some(archs) = args.archs {
        for arch in &archs {
            registry::find(arch).context("--archs")?;
        }
        config.archs = archs;
    }
    let source = args.config.as_ref().map_or("experiments/compare.toml (built in)".into(), |p| p.display().to_string());
    config.validate(&format!("{source} with the command line's overrides"))?;
    let name = if args.quick { format!("{}-quick", config.name) } else { config.name.clone() };
    let out = args.out.unwrap_or_else(|| PathBuf::from("reports").join(name));
    compare::compare(&config, &out, args.quick, args.stop_after_epoch)?;
    println!("report: {}", out.join("report.md").display());
    Ok(())
}
