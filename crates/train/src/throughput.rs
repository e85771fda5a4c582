//! The throughput benchmark behind `workbench bench`: one architecture at its configured size on
//! fixed-shape synthetic batches — training steps exactly as the training loop runs them
//! ([`learning_step`]), greedy generation, and the time of a training step against sentence
//! length at a fixed token budget. Every figure is the median of timed repeats after warm-up.

use std::time::Instant;

use burn::optim::AdamConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seq2seq_data::vocab::SPECIALS;
use seq2seq_data::{Batch, EncodedPair};
use serde::{Deserialize, Serialize};

use crate::config::model_config;
use crate::step::learning_step;
use crate::{Backend, RunConfig, TrainError};
use seq2seq_model::decode::Search;
use seq2seq_model::{ModelDims, Seq2Seq};

/// The shapes and repeats of a benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchSettings {
    pub backend: Backend,
    /// The GPU a GPU backend runs on (`None`: its default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<usize>,
    /// Sentences per batch.
    pub batch: usize,
    /// Source words per sentence.
    pub source_len: usize,
    /// Target words per sentence (`<eos>` adds one target token).
    pub target_len: usize,
    /// Words in each vocabulary (the special tokens come on top).
    pub vocab: usize,
    pub warmup: usize,
    pub repeats: usize,
    /// Sentence lengths of the length sweep (source and target alike).
    pub lengths: Vec<usize>,
    /// Target tokens per batch in the length sweep: `batch = token_budget / length`.
    pub token_budget: usize,
}

impl Default for BenchSettings {
    fn default() -> Self {
        BenchSettings {
            backend: Backend::Flex,
            device: None,
            batch: 64,
            source_len: 20,
            target_len: 20,
            vocab: 100,
            warmup: 3,
            repeats: 10,
            lengths: vec![8, 16, 32, 64, 128],
            token_budget: 1024,
        }
    }
}

/// Median, fastest and slowest of a set of timings, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
}

impl Timing {
    fn of(mut ms: Vec<f64>) -> Timing {
        assert!(!ms.is_empty(), "at least one repeat");
        ms.sort_by(f64::total_cmp);
        let n = ms.len();
        let median = if n % 2 == 1 { ms[n / 2] } else { (ms[n / 2 - 1] + ms[n / 2]) / 2.0 };
        Timing { median_ms: median, min_ms: ms[0], max_ms: ms[n - 1] }
    }
}

/// One length of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LengthTiming {
    pub length: usize,
    pub batch: usize,
    pub step: Timing,
}

/// What `workbench bench` measures for one architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchResult {
    pub arch: String,
    pub parameters: usize,
    /// Target tokens (the `<eos>` included) per training step.
    pub tokens_per_step: usize,
    pub train_step: Timing,
    /// `tokens_per_step` over the median step.
    pub train_tokens_per_second: f64,
    /// Greedy generation of one batch, at most `target_len + 1` steps.
    pub generate: Timing,
    pub generate_sentences_per_second: f64,
    /// Heap high-water mark while training, when the binary counts its allocations.
    pub peak_train_bytes: Option<u64>,
    pub by_length: Vec<LengthTiming>,
}

/// A heap meter the binary provides (a counting global allocator); libraries cannot see one.
pub trait MemoryMeter {
    /// Starts a new high-water mark at the current use.
    fn reset_peak(&self);
    /// The high-water mark since the last reset, in bytes.
    fn peak(&self) -> Option<u64>;
}

/// No meter: peaks are reported as unknown.
pub struct NoMeter;

impl MemoryMeter for NoMeter {
    fn reset_peak(&self) {}
    fn peak(&self) -> Option<u64> {
        None
    }
}

/// A batch of `batch` random sentence pairs, `source_len` → `target_len` words, no padding.
fn synthetic_batch(
    rng: &mut ChaCha8Rng,
    settings: &BenchSettings,
    batch: usize,
    source_len: usize,
    target_len: usize,
) -> Vec<EncodedPair> {
    let first = SPECIALS.len();
    let mut words = |n: usize| (0..n).map(|_| rng.random_range(first..first + settings.vocab)).collect();
    (0..batch).map(|index| EncodedPair::new(index, words(source_len), words(target_len))).collect()
}

/// Times `repeats` calls of `f` after `warmup` untimed ones.
pub fn time(warmup: usize, repeats: usize, mut f: impl FnMut()) -> Timing {
    for _ in 0..warmup {
        f();
    }
    Timing::of(
        (0..repeats.max(1))
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    )
}

/// Benchmarks the architecture `M` with `config`'s `[model]` and `[training]` sections.
pub fn bench<M: Seq2Seq>(
    arch: &str,
    config: &RunConfig,
    settings: &BenchSettings,
    meter: &dyn MemoryMeter,
) -> Result<BenchResult, TrainError> {
    let model_config = model_config::<M>(config)?;
    let dims =
        ModelDims { source_vocab: settings.vocab + SPECIALS.len(), target_vocab: settings.vocab + SPECIALS.len() };
    let plain = settings.backend.device(settings.device)?;
    let device = plain.clone().autodiff();
    device.seed(config.seed);
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let training = &config.training;

    // Training steps at the default shape.
    let mut model = M::init(&model_config, dims, &device);
    let parameters = model.num_params();
    let mut optimizer = AdamConfig::new().with_epsilon(training.adam_epsilon as f32).init();
    let pairs = synthetic_batch(&mut rng, settings, settings.batch, settings.source_len, settings.target_len);
    let batch = Batch::new(&pairs.iter().collect::<Vec<_>>(), &device);
    let teacher_forcing = vec![true; settings.target_len + 1];
    meter.reset_peak();
    let train_step = time(settings.warmup, settings.repeats, || {
        let (next, outcome) = learning_step(model.clone(), &mut optimizer, &batch, &teacher_forcing, training, 1e-4);
        outcome.expect("a finite loss on random data");
        model = next;
    });
    let peak_train_bytes = meter.peak();
    let tokens_per_step = batch.target_tokens();

    // Greedy generation with the trained weights on the plain device.
    let inference = model.valid();
    let plain_batch = Batch::new(&pairs.iter().collect::<Vec<_>>(), &plain);
    let search = Search::greedy(settings.target_len + 1);
    let generate = time(settings.warmup, settings.repeats, || {
        inference.generate(&plain_batch, &search);
    });

    // A training step against length, at a fixed number of target tokens per batch.
    let mut by_length = Vec::new();
    for &length in &settings.lengths {
        let sentences = (settings.token_budget / length).max(1);
        let pairs = synthetic_batch(&mut rng, settings, sentences, length, length.saturating_sub(1).max(1));
        let batch = Batch::new(&pairs.iter().collect::<Vec<_>>(), &device);
        let teacher_forcing = vec![true; batch.target_output.dims()[1]];
        let step = time(1, settings.repeats.div_ceil(2).max(3), || {
            let (next, outcome) =
                learning_step(model.clone(), &mut optimizer, &batch, &teacher_forcing, training, 1e-4);
            outcome.expect("a finite loss on random data");
            model = next;
        });
        by_length.push(LengthTiming { length, batch: sentences, step });
    }

    Ok(BenchResult {
        arch: arch.to_string(),
        parameters,
        tokens_per_step,
        train_tokens_per_second: tokens_per_step as f64 / (train_step.median_ms / 1e3),
        train_step,
        generate_sentences_per_second: settings.batch as f64 / (generate.median_ms / 1e3),
        generate,
        peak_train_bytes,
        by_length,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        let t = Timing::of(vec![5.0, 1.0, 3.0]);
        assert_eq!((t.median_ms, t.min_ms, t.max_ms), (3.0, 1.0, 5.0));
        assert_eq!(Timing::of(vec![4.0, 1.0, 2.0, 3.0]).median_ms, 2.5);
    }

    #[test]
    fn synthetic_batches_have_the_asked_shape_and_no_special_tokens() {
        let settings = BenchSettings::default();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let pairs = synthetic_batch(&mut rng, &settings, 4, 7, 9);
        assert_eq!(pairs.len(), 4);
        for pair in &pairs {
            assert_eq!((pair.source.len(), pair.target.len()), (7, 9));
            assert!(pair.source.iter().chain(&pair.target).all(|&t| t >= SPECIALS.len() && t < SPECIALS.len() + 100));
        }
    }
}
