//! The training loop, written out by hand: batches → teacher-forced logits → masked
//! cross-entropy → backward → global-norm clipping → Adam; validation every epoch, early
//! stopping on validation loss, the best model checkpointed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::optim::AdamConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seq2seq_data::{Batch, Batcher, Prepared, Sentences};

use crate::config::{model_config, resolved_model};
use crate::evaluate::{RunFacts, Scores, TestReport, evaluate, test_report as report_of};
use crate::probes::{score_probes, write_probes};
use crate::progress::Progress;
use crate::resume::{self, LoopState};
use crate::run_dir::{
    CONFIG_FILE, MetricsRow, TEST_FILE, TEST_REFERENCES_FILE, TEST_SOURCES_FILE, TEST_TRANSLATIONS_FILE, write_file,
    write_metrics,
};
use crate::step::learning_step;
use crate::{RunConfig, TrainError, checkpoint, saliency};
use seq2seq_model::decode::Search;
use seq2seq_model::{ModelDims, Seq2Seq};

/// What a finished run reports back.
#[derive(Clone, Debug)]
pub struct RunSummary {
    pub dir: PathBuf,
    pub report: TestReport,
}

/// How a run starts and where it may stop early.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrainOptions {
    /// Continue the run interrupted in `out` from the end of its last finished epoch.
    pub resume: bool,
    /// Stop once this epoch is saved, leaving a run that `resume` finishes (a time-boxed run; the
    /// tests' stand-in for a machine that goes down).
    pub stop_after_epoch: Option<usize>,
    /// Asked after every batch: `true` (Ctrl-C) stops the run once that batch is done. The run
    /// keeps its last finished epoch, which `resume` continues from; the binary installs the
    /// signal handler, a library never does.
    pub interrupted: Option<fn() -> bool>,
}

/// Trains a `M` as `config` says, writing everything into `out`. With `options.resume`, a run
/// that was interrupted in `out` continues from the end of its last finished epoch (and gives the
/// same results as an uninterrupted run); without a resume state there, it starts afresh.
pub fn train<M: Seq2Seq>(config: &RunConfig, out: &Path, options: TrainOptions) -> Result<RunSummary, TrainError> {
    config.validate()?;
    let model_config = model_config::<M>(config)?;
    let training = &config.training;
    // Data first: a corpus that cannot be read leaves no run directory behind to block a retry.
    let data = Prepared::build(&config.data, config.seed)?;
    std::fs::create_dir_all(out).map_err(|e| TrainError::io(out, e))?;
    // The resolved config, with the architecture's defaults filled in.
    let resolved = RunConfig { model: resolved_model::<M>(config)?, ..config.clone() };
    write_file(out, CONFIG_FILE, resolved.to_toml().as_bytes())?;
    data.codec.save(out)?;
    let dims = ModelDims { source_vocab: data.codec.source_vocab.len(), target_vocab: data.codec.target_vocab.len() };
    let device = config.tensor_device()?;
    let train_device = device.clone().autodiff();
    device.seed(config.seed);
    train_device.seed(config.seed);
    let mut model = M::init(&model_config, dims, &train_device);
    let parameters = model.num_params();
    let mut optimizer = AdamConfig::new().with_epsilon(training.adam_epsilon as f32).init();
    let mut state = LoopState::default();
    if options.resume {
        let (restored, restored_optimizer, progress) = resume::restore(out, config, model, optimizer)?;
        (model, optimizer) = (restored, restored_optimizer);
        if let Some(progress) = progress {
            state = progress;
            write_metrics(out, &state.rows)?;
        }
    }

    let batcher = Batcher { batch_size: config.data.batch_size, bucketing: config.data.bucketing };
    let batches_per_epoch = batcher.batches(&data.train, Some(0)).len();
    let mut progress = Progress::new(training.epochs, batches_per_epoch, &config.arch);
    // A run that stopped early has only its test left.
    let first_epoch = if state.stopped_early(training.patience) { training.epochs + 1 } else { state.epoch + 1 };
    let context = EpochContext { config, data: &data, batcher: &batcher, batches_per_epoch, out };
    for epoch in first_epoch..=training.epochs {
        let (next, totals) = train_epoch(model, &mut optimizer, &context, epoch, &mut state, &mut progress, options)?;
        model = next;
        let eval_model = model.valid(); // no gradients, no dropout
        let (train_scores, valid) = evaluate_epoch(&eval_model, &context, &totals, &device);
        state.rows.push(totals.row(epoch, "train", &train_scores, state.train_seconds, totals.tokens_per_second()));
        let valid_speed = valid.tokens as f64 / valid.seconds.max(1e-9);
        state.rows.push(totals.row(epoch, "valid", &valid.scores, state.train_seconds, valid_speed));
        write_metrics(out, &state.rows)?;
        let improved = state.improves(epoch, valid.scores.loss);
        if improved {
            checkpoint::save(&eval_model, out, &config.arch, epoch, valid.scores.loss)?;
        }
        resume::save(out, config, &model, &optimizer, &state, valid.scores.loss)?;
        if options.stop_after_epoch == Some(epoch) && epoch < training.epochs {
            progress.finish();
            let message = format!("stopped after epoch {epoch} as asked (--stop-after-epoch); --resume continues it");
            return Err(TrainError::Run { path: out.to_path_buf(), message });
        }
        progress.end_epoch(epoch, &train_scores, &valid.scores, totals.seconds, improved);
        if state.stopped_early(training.patience) {
            progress.note(&format!("early stop: no better validation loss for {} epochs", state.bad_epochs));
            break;
        }
    }
    progress.finish();

    // Test the best checkpoint.
    device.seed(config.seed);
    let best_model = checkpoint::load(M::init(&model_config, dims, &device), out, &config.arch)?;
    let report = test_report(&best_model, &data, config, parameters, &state, out)?;
    saliency::write_run_saliency::<M>(config, &data, out)?;
    resume::clear(out)?;
    Ok(RunSummary { dir: out.to_path_buf(), report })
}

/// What every epoch of a run reads.
struct EpochContext<'a> {
    config: &'a RunConfig,
    data: &'a Prepared,
    batcher: &'a Batcher,
    batches_per_epoch: usize,
    out: &'a Path,
}

/// One epoch's training, summed over its batches.
struct EpochTotals {
    /// Loss and accuracy over the scored tokens.
    loss_sum: f64,
    scored: usize,
    correct: usize,
    /// Target tokens processed (throughput counts them all).
    tokens: usize,
    seconds: f64,
    learning_rate: f64,
    teacher_forcing: f64,
}

impl EpochTotals {
    fn loss(&self) -> f64 {
        self.loss_sum / self.scored.max(1) as f64
    }

    fn tokens_per_second(&self) -> f64 {
        self.tokens as f64 / self.seconds
    }

    fn row(&self, epoch: usize, split: &str, s: &Scores, elapsed_seconds: f64, tokens_per_second: f64) -> MetricsRow {
        MetricsRow {
            epoch,
            split: split.into(),
            loss: s.loss,
            perplexity: s.perplexity,
            token_accuracy: s.token_accuracy,
            exact_match: s.exact_match,
            bleu: s.bleu,
            chrf: s.chrf,
            elapsed_seconds,
            tokens_per_second,
            learning_rate: self.learning_rate,
            teacher_forcing: self.teacher_forcing,
            free_running_accuracy: s.free_running_accuracy,
        }
    }
}

/// One pass over the training batches: a learning step per batch. A non-finite loss stops the
/// run with the epoch and batch, keeping every metrics row and checkpoint before it.
fn train_epoch<M: Seq2Seq>(
    mut model: M,
    optimizer: &mut burn::optim::ModuleOptimizer,
    context: &EpochContext,
    epoch: usize,
    state: &mut LoopState,
    progress: &mut Progress,
    options: TrainOptions,
) -> Result<(M, EpochTotals), TrainError> {
    let (config, training, data) = (context.config, &context.config.training, context.data);
    let start = Instant::now();
    // Every epoch draws its dropout masks and scheduled-sampling coins from its own seed, so
    // a resumed run continues exactly as an uninterrupted one.
    let device = config.tensor_device()?.autodiff();
    device.seed(config.seed.wrapping_add(epoch as u64));
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed ^ epoch as u64);
    let teacher_forcing = training.teacher_forcing_at(epoch);
    let total_steps = context.batches_per_epoch * training.epochs;
    let mut totals = EpochTotals {
        loss_sum: 0.0,
        scored: 0,
        correct: 0,
        tokens: 0,
        seconds: 0.0,
        learning_rate: training.learning_rate,
        teacher_forcing,
    };
    progress.start_epoch(epoch);
    let batches = context.batcher.batches(&data.train, Some(config.seed.wrapping_add(epoch as u64)));
    for (b, indices) in batches.iter().enumerate() {
        state.step += 1;
        totals.learning_rate = training.learning_rate_at(state.step, total_steps);
        let items: Vec<_> = indices.iter().map(|&i| &data.train[i]).collect();
        let batch = Batch::new(&items, &device);
        let teacher_forcing: Vec<bool> =
            (0..batch.target_output.dims()[1]).map(|_| rng.random_bool(teacher_forcing)).collect();
        let (next, outcome) = learning_step(model, optimizer, &batch, &teacher_forcing, training, totals.learning_rate);
        model = next;
        let outcome = outcome.map_err(|loss| {
            progress.finish();
            TrainError::Input(format!(
                "training diverged at epoch {epoch}, batch {}: the loss is {loss}; lower training.learning_rate \
                 (metrics of earlier epochs and the best checkpoint are kept in {})",
                b + 1,
                context.out.display()
            ))
        })?;
        totals.loss_sum += outcome.loss * outcome.tokens as f64;
        totals.scored += outcome.tokens;
        totals.correct += outcome.correct;
        totals.tokens += batch.target_tokens();
        progress.batch(b + 1, totals.loss(), totals.tokens as f64 / start.elapsed().as_secs_f64());
        if options.interrupted.is_some_and(|interrupted| interrupted()) {
            progress.finish();
            let kept = match epoch - 1 {
                0 => "no finished epoch yet: --resume starts it again".to_string(),
                last => {
                    format!("the run keeps epoch {last}, its metrics and checkpoints; --resume continues from there")
                }
            };
            let message = format!("interrupted in epoch {epoch} after batch {}: {kept}", b + 1);
            return Err(TrainError::Run { path: context.out.to_path_buf(), message });
        }
    }
    totals.seconds = start.elapsed().as_secs_f64();
    state.epoch = epoch;
    state.train_seconds += totals.seconds;
    state.train_tokens += totals.tokens;
    Ok((model, totals))
}

/// The epoch's scores: training (its loss and teacher-forced accuracy from the epoch, its
/// translations on a fixed sample) and validation.
fn evaluate_epoch<M: Seq2Seq>(
    model: &M,
    context: &EpochContext,
    totals: &EpochTotals,
    device: &burn::tensor::Device,
) -> (Scores, crate::evaluate::Evaluation) {
    let (data, training) = (context.data, &context.config.training);
    let search = Search::greedy(training.max_output_len);
    let valid = evaluate(model, data.valid_sentences(), context.batcher, device, &search);
    let sample: Vec<_> = data.train.iter().take(training.train_eval_size).cloned().collect();
    let generated = evaluate(
        model,
        Sentences { pairs: &sample, examples: &data.splits.train, codec: &data.codec },
        context.batcher,
        device,
        &search,
    );
    let train = Scores {
        sentences: data.train.len(),
        loss: totals.loss(),
        perplexity: totals.loss().exp(),
        token_accuracy: 100.0 * totals.correct as f64 / totals.scored.max(1) as f64,
        ..generated.scores
    };
    (train, valid)
}

/// Tests the best model of a run that ended as `state` says, and writes its report, its test
/// sentences and translations, and its probe scores into `out`.
fn test_report<M: Seq2Seq>(
    model: &M,
    data: &Prepared,
    config: &RunConfig,
    parameters: usize,
    state: &LoopState,
    out: &Path,
) -> Result<TestReport, TrainError> {
    let (train_seconds, train_tokens) = (state.train_seconds, state.train_tokens);
    let device = config.tensor_device()?;
    let batcher = Batcher { batch_size: config.data.batch_size, bucketing: true };
    let test = &data.splits.test;
    let search = Search::greedy(config.training.max_output_len);
    let evaluation = evaluate(model, data.test_sentences(), &batcher, &device, &search);
    let (references, hypotheses) = (evaluation.references.clone(), evaluation.hypotheses.clone());
    let exact = evaluation.correct.clone();
    let train_tokens_per_second = train_tokens as f64 / train_seconds.max(1e-9);
    let facts = RunFacts {
        config,
        parameters,
        epochs_trained: state.epoch,
        best_epoch: state.best.map_or(0, |(epoch, _)| epoch),
        train_seconds,
        search: &search,
        train_tokens_per_second,
        autoregressive: M::AUTOREGRESSIVE,
        hardware: crate::hardware::describe(config.backend),
    };
    let report = report_of(facts, test, evaluation);
    write_report(out, &report)?;
    if test.iter().any(|e| !e.probes.is_empty()) {
        write_probes(out, &score_probes(model, data.test_sentences(), &batcher, &device, Some(&exact)))?;
    }
    let lines = |xs: &mut dyn Iterator<Item = &str>| xs.map(|s| format!("{s}\n")).collect::<String>();
    for (name, text) in [
        (TEST_SOURCES_FILE, lines(&mut test.iter().map(|e| e.source.as_str()))),
        (TEST_REFERENCES_FILE, lines(&mut references.iter().map(String::as_str))),
        (TEST_TRANSLATIONS_FILE, lines(&mut hypotheses.iter().map(String::as_str))),
    ] {
        write_file(out, name, text.as_bytes())?;
    }
    Ok(report)
}

pub fn write_report(out: &Path, report: &TestReport) -> Result<(), TrainError> {
    let json = serde_json::to_vec_pretty(report).expect("reports serialise");
    write_file(out, TEST_FILE, &json)
}
