//! `workbench compare`: trains every listed architecture on the same data, split, seed and
//! tokenizer (one process per run, `jobs` at a time), then writes the report. A run whose
//! config is unchanged and that is finished is kept, so an interrupted comparison picks up at
//! the first unfinished run. `workbench plot` redraws a report from run directories.
//!
//! `config.rs` reads the comparison's TOML, `plan.rs` and `probe_plan.rs` decide the runs,
//! `scheduler.rs` trains them, `report.rs` writes the report.

mod config;
mod plan;
pub mod probe_plan;
mod report;
mod scheduler;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use seq2seq_train::run_dir;

pub use config::{BUILT_IN, CompareConfig, MAX_PROBE_SEEDS};
use probe_plan::ProbePlan;
pub use report::{ComparisonRecord, run_dirs, write_report};

/// Trains what is not done yet and writes the report; returns the report's directory. With
/// `stop_after_epoch`, every run stops once that epoch is saved (a rerun resumes them).
pub fn compare(config: &CompareConfig, out: &Path, quick: bool, stop_after_epoch: Option<u64>) -> Result<PathBuf> {
    let start = Instant::now();
    let plan = plan::plan(config, out, quick)?;
    let trained_any = !plan.jobs.is_empty();
    let failures = scheduler::run_jobs(plan.jobs, config.jobs, &config.devices, stop_after_epoch)?;
    let times_claim_7b = ["luong", "transformer"].iter().all(|a| config.archs.iter().any(|b| b == a));
    if !quick && times_claim_7b && failures.is_empty() && stop_after_epoch.is_none() && !crate::interrupt::requested() {
        crate::bench::parallel_timing::ensure(out)?;
    }
    let finished: Vec<PathBuf> = plan.dirs.into_iter().filter(|d| run_dir::has_results(d)).collect();
    if !finished.is_empty() {
        let settings = settings(config, plan.probes, plan.probe_seeds, quick);
        // A rerun that trained nothing keeps the wall time of the comparison that did the training.
        let earlier = ComparisonRecord::load(out).ok().flatten().and_then(|record| record.wall_seconds);
        let wall_seconds = if trained_any { None } else { earlier }.or(Some(start.elapsed().as_secs_f64()));
        let record = ComparisonRecord { name: config.name.clone(), settings, wall_seconds };
        record.save(out)?;
        write_report(out, &record.name, &finished, record.settings.clone(), record.wall_seconds)?;
    }
    if !failures.is_empty() {
        let covered = if finished.is_empty() { "no report: nothing finished" } else { "the report covers the others" };
        bail!("{} run(s) failed ({covered}; rerun to resume them): {}", failures.len(), failures.join("; "));
    }
    Ok(out.to_path_buf())
}

/// How the comparison was run, in the report's words: budget, configs, processes, probes.
fn settings(config: &CompareConfig, probes: &[ProbePlan], probe_seeds: usize, quick: bool) -> Vec<String> {
    let mut settings = Vec::new();
    if config.parameter_budget > 0 {
        settings.push(format!(
            "every model's widths scaled to about {} parameters (the table gives each one's count)",
            config.parameter_budget
        ));
    }
    settings.extend([
        format!("configs: `configs/*.toml` (each run's own; rerun one with `workbench train --config`)"),
        format!("runs trained {} at a time, one process each", config.jobs),
    ]);
    if quick {
        settings.push("`--quick`: 600 training pairs of up to 16 words and two epochs per toy-fi run (`encdec` and `luong`, the bottleneck pair: 4,000 pairs of up to 30 words, five epochs) — a first look, not a result".into());
    }
    for probe in probes.iter().filter(|_| probe_seeds > 0) {
        let seeds = probe.seeds(probe_seeds);
        settings.push(format!(
            "probe `{}`{}: {} trained on {} examples for {} epochs, the best validation epoch tested on {}; {seeds} seed{} each",
            probe.task,
            match (probe.task, probe.max_distance) {
                (_, 0) => String::new(),
                ("latch", t) => format!(" trained per maximum lag (lags 1…{t})"),
                (_, d) => format!(" (distances up to {d})"),
            },
            probe
                .archs
                .iter()
                .map(|arch| arch.to_string())
                .chain(probe.variants.iter().map(|v| v.shown_as()))
                .map(|model| format!("`{model}`"))
                .collect::<Vec<_>>()
                .join(", "),
            probe.train_size,
            probe.epochs,
            probe.test_size,
            if seeds == 1 { "" } else { "s" }
        ));
    }
    settings
}
