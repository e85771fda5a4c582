//! Claim 7b's measurement, made by `compare` once its runs are done (nothing else running):
//! a training step of `luong` and `transformer` at a fixed token budget for n = 8…128, on one
//! thread and on all, with each step's operations counted from its products. The verdict's rule
//! is in `seq2seq_report::parallel`.

use std::path::Path;

use anyhow::{Context, Result};
use seq2seq_attention::LuongConfig;
use seq2seq_data::fsutil::write_atomic;
use seq2seq_data::vocab::SPECIALS;
use seq2seq_model::flops::{StepShape, training_flops};
use seq2seq_report::claims::parallel::{LengthRow, ParallelTiming, Step, TIMING_FILE};
use seq2seq_train::RunConfig;
use seq2seq_train::hardware::cpu_name;
use seq2seq_train::throughput::{BenchResult, BenchSettings, NoMeter};
use seq2seq_transformer::TransformerConfig;

use crate::registry;

const TOKEN_BUDGET: usize = 1024;
const LENGTHS: [usize; 5] = [8, 16, 32, 64, 128];

/// What one thread count measured: the two models' sweeps.
struct OnThreads {
    luong: BenchResult,
    transformer: BenchResult,
}

/// The sweep's settings: only the length sweep matters here, the default-shape timings are small.
fn settings(lengths: &[usize]) -> BenchSettings {
    BenchSettings {
        batch: 8,
        source_len: 8,
        target_len: 8,
        warmup: 1,
        repeats: 6,
        lengths: lengths.to_vec(),
        token_budget: TOKEN_BUDGET,
        ..BenchSettings::default()
    }
}

fn on_threads(threads: usize, lengths: &[usize]) -> Result<OnThreads> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("building a thread pool")?;
    pool.install(|| {
        let settings = settings(lengths);
        let sweep = |arch: &str| -> Result<BenchResult> {
            // The built-in model of each: `LuongConfig::default()`, `TransformerConfig::default()`.
            let config = RunConfig { arch: arch.into(), ..RunConfig::default() };
            Ok(registry::find(arch)?.bench(&config, &settings, &NoMeter)?)
        };
        Ok(OnThreads { luong: sweep("luong")?, transformer: sweep("transformer")? })
    })
}

/// The shape of the sweep's step at `length`: `batch` sentences of `length` source tokens and
/// `length` target tokens (`length − 1` words and `<eos>`), as `bench` builds them.
fn shape(length: usize, batch: usize, vocab: usize) -> StepShape {
    StepShape { batch, source_len: length, target_len: length, target_vocab: vocab + SPECIALS.len() }
}

/// Times both models on one thread and on all of them, at each of `lengths`.
pub fn measure(lengths: &[usize]) -> Result<ParallelTiming> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    eprintln!("claim 7b: timing luong and transformer on 1 and {threads} thread(s) …");
    let (one, all) = (on_threads(1, lengths)?, on_threads(threads, lengths)?);
    let vocab = settings(lengths).vocab;
    let step = |one: f64, all: f64, forward: f64| Step {
        one_thread_ms: one,
        all_threads_ms: all,
        gflop: training_flops(forward) / 1e9,
    };
    let rows = (one.luong.by_length.iter().zip(&all.luong.by_length))
        .zip(one.transformer.by_length.iter().zip(&all.transformer.by_length))
        .map(|((l1, la), (t1, ta))| {
            let shape = shape(l1.length, l1.batch, vocab);
            LengthRow {
                length: l1.length,
                batch: l1.batch,
                luong: step(l1.step.median_ms, la.step.median_ms, LuongConfig::default().forward_flops(shape)),
                transformer: step(
                    t1.step.median_ms,
                    ta.step.median_ms,
                    TransformerConfig::default().forward_flops(shape),
                ),
            }
        })
        .collect();
    Ok(ParallelTiming { hardware: cpu_name(), threads, token_budget: TOKEN_BUDGET, rows })
}

/// Measures into `out/parallel-timing.json` unless it is there (a rerun keeps it, as it keeps
/// finished runs).
pub fn ensure(out: &Path) -> Result<()> {
    let path = out.join(TIMING_FILE);
    if path.exists() {
        eprintln!("claim 7b: timed before, kept ({})", path.display());
        return Ok(());
    }
    let json = serde_json::to_vec_pretty(&measure(&LENGTHS)?)?;
    write_atomic(&path, &json).with_context(|| format!("writing {}", path.display()))
}

/// The timing beside a report, if it was measured.
pub fn load(out: &Path) -> Result<Option<ParallelTiming>> {
    let path = out.join(TIMING_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let timing = serde_json::from_slice(&text).with_context(|| {
        format!("{}: not a timing file; delete it and rerun compare to measure again", path.display())
    })?;
    Ok(Some(timing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_models_are_timed_at_every_length_and_the_file_reads_back() {
        let timing = measure(&[4, 8]).unwrap();
        assert_eq!(timing.rows.iter().map(|r| (r.length, r.batch)).collect::<Vec<_>>(), [(4, 256), (8, 128)]);
        let positive = |p: &Step| p.one_thread_ms > 0.0 && p.all_threads_ms > 0.0 && p.gflop > 0.0;
        assert!(timing.rows.iter().all(|r| positive(&r.luong) && positive(&r.transformer)));
        // At a fixed token budget the Transformer's work grows with n (its n² attention), and
        // each row counts the shape the bench timed.
        assert!(timing.rows[1].transformer.gflop > timing.rows[0].transformer.gflop);
        // The shape bench builds at length 4: 1,024 / 4 sentences of 4 source tokens and 3 words
        // + `<eos>` on the target side, over its vocabulary and the special tokens.
        let at_4 = StepShape { batch: 256, source_len: 4, target_len: 4, target_vocab: 100 + SPECIALS.len() };
        assert_eq!(shape(4, 256, settings(&[4]).vocab), at_4);
        assert_eq!(timing.rows[0].luong.gflop, training_flops(LuongConfig::default().forward_flops(at_4)) / 1e9);
        assert!(timing.threads >= 1 && !timing.hardware.is_empty());

        let dir = std::env::temp_dir().join(format!("s2s-parallel-timing-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(load(&dir).unwrap(), None);
        std::fs::write(dir.join(TIMING_FILE), serde_json::to_vec(&timing).unwrap()).unwrap();
        assert_eq!(load(&dir).unwrap(), Some(timing));
        ensure(&dir).unwrap(); // kept, not measured again
        std::fs::write(dir.join(TIMING_FILE), b"{").unwrap();
        let message = format!("{:#}", load(&dir).unwrap_err());
        assert!(message.contains(TIMING_FILE) && message.contains("rerun compare"), "{message}");
    }
}
