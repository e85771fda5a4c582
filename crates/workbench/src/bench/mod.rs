//! `workbench bench`: every architecture's training and generation throughput on synthetic
//! batches (`seq2seq_train::throughput`), printed as a table, optionally beside the PyTorch twins of
//! `bench/pytorch/bench.py` measured in the same run.

pub mod parallel_timing;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_data::vocab::SPECIALS;
use seq2seq_model::ModelDims;
use seq2seq_train::RunConfig;
use seq2seq_train::hardware::cpu_name;
use seq2seq_train::throughput::{BenchResult, BenchSettings, MemoryMeter};
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
    /// The readable code (`fused = false`) instead of the fused operations.
    #[serde(default)]
    pub readable: bool,
    /// `fused = true` for every architecture with the switch (the Transformer's is off by default).
    #[serde(default)]
    pub fused: bool,
    pub cpu: String,
    pub results: Vec<BenchResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pytorch: Vec<TwinResult>,
    /// Every round's training throughput, ours and PyTorch's, measured one after the other.
    #[serde(default)]
    pub rounds: Vec<Round>,
}

/// One round of one architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub arch: String,
    pub ours_tokens_per_second: f64,
    pub pytorch_tokens_per_second: Option<f64>,
}

pub struct BenchRequest {
    pub archs: Vec<String>,
    pub settings: BenchSettings,
    pub threads: usize,
    pub python: Option<PathBuf>,
    /// Times each architecture (and its twin) this many times, alternating.
    pub rounds: usize,
    /// `fused` for the architectures that have the switch (`None`: each one's default).
    pub fused: Option<bool>,
}

pub fn run(request: &BenchRequest, meter: &dyn MemoryMeter) -> Result<BenchReport> {
    let (mut results, mut pytorch, mut rounds) = (Vec::new(), Vec::new(), Vec::new());
    for name in &request.archs {
        let arch = registry::find(name)?;
        let mut config = RunConfig { arch: name.clone(), ..RunConfig::default() };
        let dims = ModelDims { source_vocab: 10, target_vocab: 10 };
        if let Some(fused) = request.fused
            && arch.parameters(&config, dims)?.1.contains_key("fused")
        {
            config.model.insert("fused".into(), toml::Value::Boolean(fused));
        }
        // Ours and the twin alternate, so that both see the machine in the same state.
        for round in 0..request.rounds.max(1) {
            let mut settings = request.settings.clone();
            if round > 0 {
                settings.lengths.clear();
            }
            eprintln!("bench: {name} (round {} of {}) …", round + 1, request.rounds.max(1));
            let ours = arch.bench(&config, &settings, meter).with_context(|| format!("benchmarking {name}"))?;
            let twin = match &request.python {
                Some(python) => Some(run_twin(python, name, request)?),
                None => None,
            };
            rounds.push(Round {
                arch: name.clone(),
                ours_tokens_per_second: ours.train_tokens_per_second,
                pytorch_tokens_per_second: twin.as_ref().map(|t| t.train_tokens_per_second),
            });
            if round == 0 {
                results.push(ours);
                pytorch.extend(twin);
            }
        }
    }
    Ok(BenchReport {
        settings: request.settings.clone(),
        threads: request.threads,
        readable: request.fused == Some(false),
        fused: request.fused == Some(true),
        cpu: cpu_name(),
        results,
        pytorch,
        rounds,
    })
}

/// Runs the PyTorch twin of `arch` (`bench/pytorch/bench.py`) with the same shapes, vocabulary
/// and threads.
fn run_twin(python: &Path, arch: &str, request: &BenchRequest) -> Result<TwinResult> {
    if !Path::new(PYTORCH_SCRIPT).exists() {
        bail!("--pytorch: {PYTORCH_SCRIPT} not found; run from the repository root");
    }
    let s = &request.settings;
    let out = std::env::temp_dir().join(format!("workbench-pytorch-{}.json", std::process::id()));
    let status = Command::new(python)
        .arg(PYTORCH_SCRIPT)
        .args(["--archs", arch])
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
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("--pytorch: could not start {}", python.display()))?;
    if !status.success() {
        bail!("{PYTORCH_SCRIPT} failed ({status}); is PyTorch installed in that Python? (see bench/pytorch/README.md)");
    }
    let text = std::fs::read(&out).with_context(|| format!("reading {}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    let mut twins: Vec<TwinResult> =
        serde_json::from_slice(&text).with_context(|| format!("{PYTORCH_SCRIPT} wrote unreadable JSON"))?;
    twins.pop().with_context(|| format!("{PYTORCH_SCRIPT} measured nothing for {arch}"))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

impl BenchReport {
    /// Medians over the rounds: our tokens per second, PyTorch's, and the ratio of each round.
    pub fn throughput(&self, arch: &str) -> (f64, Option<f64>, Option<f64>) {
        let rounds: Vec<&Round> = self.rounds.iter().filter(|r| r.arch == arch).collect();
        let ours = median(rounds.iter().map(|r| r.ours_tokens_per_second).collect());
        let theirs: Vec<f64> = rounds.iter().filter_map(|r| r.pytorch_tokens_per_second).collect();
        if theirs.is_empty() {
            return (ours, None, None);
        }
        let ratios = rounds.iter().filter_map(|r| r.pytorch_tokens_per_second.map(|t| r.ours_tokens_per_second / t));
        (ours, Some(median(theirs)), Some(median(ratios.collect())))
    }
}

/// The table `workbench bench` prints (and `--table` writes), in Markdown.
pub fn table(report: &BenchReport) -> String {
    let s = &report.settings;
    let mut out = format!(
        "Batches [{b}, {sl}] → [{b}, {tl}], vocabularies {v}, {backend:?}, {threads} thread(s), {cells}, {cpu}; \
         a step is the median of {r} timed steps; tokens/s and the ratio are medians over {rounds} round(s), ours and \
         PyTorch's alternating.\n\n",
        rounds =
            report.rounds.iter().filter(|r| report.results.first().is_some_and(|f| f.arch == r.arch)).count().max(1),
        cells = match (report.readable, report.fused) {
            (true, _) => "readable code (fused = false)",
            (_, true) => "fused operations everywhere (fused = true)",
            _ => "each architecture's default operations",
        },
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
        let (ours, theirs, ratio) = report.throughput(&r.arch);
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} ({:.2}–{:.2}) | {:.0} | {} |",
            r.arch,
            r.parameters,
            ours,
            r.train_step.median_ms,
            r.train_step.min_ms,
            r.train_step.max_ms,
            r.generate_sentences_per_second,
            peak
        ));
        if twins {
            match (report.pytorch.iter().find(|t| t.arch == r.arch), theirs, ratio) {
                (Some(t), Some(theirs), Some(ratio)) => {
                    out.push_str(&format!(" {} | {theirs:.0} | {ratio:.2} |", t.parameters))
                }
                _ => out.push_str(" – | – | – |"),
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// `bench --pytorch` stops at an architecture without a twin: every registered one has its
    /// entry in the script's `build` table and in its default `--archs`.
    #[test]
    fn every_architecture_has_a_pytorch_twin() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(PYTORCH_SCRIPT);
        let script = std::fs::read_to_string(&path).expect("the twins' script");
        let defaults = script
            .lines()
            .find_map(|line| line.split("\"--archs\", default=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("a default --archs list");
        for arch in registry::architectures() {
            assert!(
                script.contains(&format!("\"{}\": lambda", arch.name)),
                "{} has no twin in {PYTORCH_SCRIPT}",
                arch.name
            );
            assert!(
                defaults.split(',').any(|a| a == arch.name),
                "{} is not in {PYTORCH_SCRIPT}'s default --archs",
                arch.name
            );
        }
    }
}
