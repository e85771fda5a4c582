//! `workbench bench`: every architecture's training and generation throughput on synthetic
//! batches (`seq2seq_train::bench`), printed as a table, optionally beside the PyTorch twins of
//! `bench/pytorch/bench.py` measured in the same run.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_data::vocab::SPECIALS;
use seq2seq_train::bench::{BenchResult, BenchSettings, MemoryMeter};
use seq2seq_train::{ModelDims, RunConfig};
use serde::{Deserialize, Serialize};

use crate::registry;

pub const PYTORCH_SCRIPT: &str = "bench/pytorch/bench.py";

/// What a PyTorch twin measured (`bench/pytorch/bench.py --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwinResult {
    pub arch: String,
    pub parameters: usize,
    pub train_step_median_ms: f64,
    pub train_tokens_per_second: f64,
    pub generate_sentences_per_second: f64,
}

/// Everything one `workbench bench` run measured (its `--json` file).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchReport {
    pub settings: BenchSettings,
    pub threads: usize,
    /// The readable recurrent cells instead of the fused operation.
    #[serde(default)]
    pub readable: bool,
    pub cpu: String,
    pub results: Vec<BenchResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pytorch: Vec<TwinResult>,
}

pub struct BenchRequest {
    pub archs: Vec<String>,
    pub settings: BenchSettings,
    pub threads: usize,
    pub python: Option<PathBuf>,
    /// `fused = false` for the architectures that have the switch.
    pub readable: bool,
}

/// The processor's name, for labelling figures with their hardware.
pub fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

pub fn run(request: &BenchRequest, meter: &dyn MemoryMeter) -> Result<BenchReport> {
    let mut results = Vec::new();
    for name in &request.archs {
        let arch = registry::find(name)?;
        let mut config = RunConfig { arch: name.clone(), ..RunConfig::default() };
        let dims = ModelDims { source_vocab: 10, target_vocab: 10 };
        if request.readable && arch.parameters(&config, dims)?.1.contains_key("fused") {
            config.model.insert("fused".into(), toml::Value::Boolean(false));
        }
        eprintln!("bench: {name} …");
        results.push(arch.bench(&config, &request.settings, meter).with_context(|| format!("benchmarking {name}"))?);
    }
    let pytorch = match &request.python {
        Some(python) => run_twins(python, request)?,
        None => Vec::new(),
    };
    Ok(BenchReport {
        settings: request.settings.clone(),
        threads: request.threads,
        readable: request.readable,
        cpu: cpu_name(),
        results,
        pytorch,
    })
}

/// Runs `bench/pytorch/bench.py` with the same shapes, vocabulary and threads.
fn run_twins(python: &Path, request: &BenchRequest) -> Result<Vec<TwinResult>> {
    if !Path::new(PYTORCH_SCRIPT).exists() {
        bail!("--pytorch: {PYTORCH_SCRIPT} not found; run from the repository root");
    }
    let s = &request.settings;
    let out = std::env::temp_dir().join(format!("workbench-pytorch-{}.json", std::process::id()));
    eprintln!("bench: PyTorch twins ({}) …", python.display());
    let status = Command::new(python)
        .arg(PYTORCH_SCRIPT)
        .args(["--archs", &request.archs.join(",")])
        .args(["--threads", &request.threads.to_string()])
        .args(["--batch", &s.batch.to_string()])
        .args(["--source-len", &s.source_len.to_string()])
        .args(["--target-len", &s.target_len.to_string()])
        .args(["--vocab", &(s.vocab + SPECIALS.len()).to_string()])
        .args(["--warmup", &s.warmup.to_string()])
        .args(["--repeats", &s.repeats.to_string()])
        .arg("--json")
        .arg(&out)
        .env("OMP_NUM_THREADS", request.threads.to_string())
        .status()
        .with_context(|| format!("--pytorch: could not start {}", python.display()))?;
    if !status.success() {
        bail!("{PYTORCH_SCRIPT} failed ({status}); is PyTorch installed in that Python? (see bench/pytorch/README.md)");
    }
    let text = std::fs::read(&out).with_context(|| format!("reading {}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    serde_json::from_slice(&text).with_context(|| format!("{PYTORCH_SCRIPT} wrote unreadable JSON"))
}

/// The table `workbench bench` prints (and `--table` writes), in Markdown.
pub fn table(report: &BenchReport) -> String {
    let s = &report.settings;
    let mut out = format!(
        "Batches [{b}, {sl}] → [{b}, {tl}], vocabularies {v}, {backend:?}, {threads} thread(s), {cells}, {cpu}; median of {r} steps.\n\n",
        cells = if report.readable { "readable cells (fused = false)" } else { "fused recurrent layers" },
        b = s.batch,
        sl = s.source_len,
        tl = s.target_len + 1,
        v = s.vocab + SPECIALS.len(),
        backend = s.backend,
        threads = report.threads,
        cpu = report.cpu,
        r = s.repeats,
    );
    let twins = !report.pytorch.is_empty();
    out.push_str("| arch | parameters | train tokens/s | step ms (min–max) | generate sentences/s | peak train MiB |");
    out.push_str(if twins { " PyTorch parameters | PyTorch tokens/s | ours / PyTorch |\n" } else { "\n" });
    out.push_str(if twins {
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    } else {
        "|---|---:|---:|---:|---:|---:|\n"
    });
    for r in &report.results {
        let peak = r.peak_train_bytes.map_or("–".to_string(), |b| format!("{:.1}", b as f64 / (1 << 20) as f64));
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} ({:.2}–{:.2}) | {:.0} | {} |",
            r.arch,
            r.parameters,
            r.train_tokens_per_second,
            r.train_step.median_ms,
            r.train_step.min_ms,
            r.train_step.max_ms,
            r.generate_sentences_per_second,
            peak
        ));
        if twins {
            match report.pytorch.iter().find(|t| t.arch == r.arch) {
                Some(t) => out.push_str(&format!(
                    " {} | {:.0} | {:.2} |",
                    t.parameters,
                    t.train_tokens_per_second,
                    r.train_tokens_per_second / t.train_tokens_per_second
                )),
                None => out.push_str(" – | – | – |"),
            }
        }
        out.push('\n');
    }
    if report.results.iter().any(|r| !r.by_length.is_empty()) {
        let lengths: Vec<usize> = report.results[0].by_length.iter().map(|l| l.length).collect();
        out.push_str(&format!(
            "\nTraining step (ms, median) against sentence length at {} target tokens per batch:\n\n",
            s.token_budget
        ));
        out.push_str("| arch |");
        for n in &lengths {
            out.push_str(&format!(" n = {n} |"));
        }
        out.push_str(&format!("\n|---|{}\n", "---:|".repeat(lengths.len())));
        for r in &report.results {
            out.push_str(&format!("| {} |", r.arch));
            for l in &r.by_length {
                out.push_str(&format!(" {:.1} |", l.step.median_ms));
            }
            out.push('\n');
        }
    }
    out
}

pub fn write_json(path: &Path, report: &BenchReport) -> Result<()> {
    let json = serde_json::to_vec_pretty(report)?;
    write_atomic(path, &json).with_context(|| format!("writing {}", path.display()))
}
