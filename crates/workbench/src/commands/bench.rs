//! `workbench bench`: training and generation throughput per architecture, optionally beside
//! the PyTorch twins of the same models.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use seq2seq_train::Backend;
use seq2seq_train::throughput::BenchSettings;

use crate::{bench, registry};

#[derive(Args)]
pub struct BenchArgs {
    /// Only these architectures (comma-separated) [default: all].
    #[arg(long, value_delimiter = ',')]
    archs: Option<Vec<String>>,
    /// Backend: flex; ndarray, wgpu, cuda in builds with that feature.
    #[arg(long, default_value = "flex")]
    backend: Backend,
    /// The GPU a GPU backend runs on, from 0 [default: wgpu's default adapter, CUDA's GPU 0].
    #[arg(long, value_name = "N")]
    device: Option<usize>,
    /// Threads of the CPU backend's pool (and of PyTorch).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    threads: u32,
    /// Timed training steps per architecture.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeats: u32,
    /// Skip the sweep of step time against sentence length.
    #[arg(long)]
    no_lengths: bool,
    /// Run the readable code (`fused = false`: recurrent cells, attention) instead of the fused operations.
    #[arg(long, conflicts_with = "fused")]
    readable: bool,
    /// Run every fused operation (`fused = true`), the Transformer's attention included (off by default).
    #[arg(long)]
    fused: bool,
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
}

pub fn run(args: BenchArgs) -> Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads as usize)
        .build_global()
        .context("--threads: the thread pool was already started")?;
    let archs = match args.archs {
        Some(archs) => archs,
        None => registry::architectures().iter().map(|a| a.name.to_string()).collect(),
    };
    for arch in &archs {
        registry::find(arch).context("--archs")?;
    }
    if args.device.is_some() && !args.backend.has_cards() {
        bail!("--device picks a GPU: it needs --backend wgpu or cuda, not {}", args.backend.name());
    }
    let mut settings = BenchSettings {
        backend: args.backend,
        device: args.device,
        repeats: args.repeats as usize,
        ..Default::default()
    };
    if args.no_lengths {
        settings.lengths.clear();
    }
    let request = bench::BenchRequest {
        archs,
        settings,
        threads: args.threads as usize,
        python: args.pytorch,
        rounds: args.rounds as usize,
        fused: match (args.readable, args.fused) {
            (true, _) => Some(false),
            (_, true) => Some(true),
            _ => None,
        },
    };
    let report = bench::run(&request, &crate::HEAP)?;
    let text = bench::table(&report);
    print!("{text}");
    if let Some(path) = args.table {
        seq2seq_data::fsutil::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = args.json {
        bench::write_json(&path, &report)?;
    }
    Ok(())
}
