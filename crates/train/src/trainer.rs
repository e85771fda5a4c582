//! The training loop, written out by hand: batches → teacher-forced logits → masked
//! cross-entropy → backward → global-norm clipping → Adam; validation every epoch, early
//! stopping on validation loss, the best model checkpointed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::optim::AdamConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seq2seq_data::fsutil::write_atomic;
use seq2seq_data::{Batch, Batcher, Prepared};
use serde::{Deserialize, Serialize};

use crate::decode::Search;
use crate::evaluate::{RunFacts, Scores, TestReport, evaluate, test_report as report_of};
use crate::probes::{score_probes, write_probes};
use crate::progress::Progress;
use crate::step::learning_step;
use crate::{ModelDims, RunConfig, Seq2Seq, TrainError, checkpoint, saliency};

pub const CONFIG_FILE: &str = "config.toml";
pub const METRICS_FILE: &str = "metrics.csv";
pub const TEST_FILE: &str = "test.json";

/// Where a run keeps what it needs to continue after an interruption (removed when it ends).
pub const RESUME_DIR: &str = "resume";
const RESUME_STATE: &str = "state.json";
const OPTIMIZER_FILE: &str = "optimizer.bpk";

/// One row of `metrics.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsRow {
    pub epoch: usize,
    pub split: String,
    pub loss: f64,
    pub perplexity: f64,
    pub token_accuracy: f64,
    pub exact_match: f64,
    pub bleu: f64,
    pub chrf: f64,
    /// Training seconds since the start, at the end of this epoch.
    pub elapsed_seconds: f64,
    /// Target tokens per second: training throughput on `train` rows, evaluation on `valid`.
    pub tokens_per_second: f64,
    pub learning_rate: f64,
    pub teacher_forcing: f64,
    /// Token accuracy of the model's own (greedy) translations, position by position; compare
    /// with the teacher-forced `token_accuracy` to see exposure bias.
    pub free_running_accuracy: f64,
}

impl MetricsRow {
    pub const HEADER: &'static str = "epoch,split,loss,perplexity,token_accuracy,exact_match,bleu,chrf,elapsed_seconds,tokens_per_second,learning_rate,teacher_forcing,free_running_accuracy";

    fn csv(&self) -> String {
        format!(
            "{},{},{:.6},{:.4},{:.4},{:.4},{:.4},{:.4},{:.3},{:.1},{:.6e},{:.4},{:.4}",
            self.epoch,
            self.split,
            self.loss,
            self.perplexity,
            self.token_accuracy,
            self.exact_match,
            self.bleu,
            self.chrf,
            self.elapsed_seconds,
            self.tokens_per_second,
            self.learning_rate,
            self.teacher_forcing,
            self.free_running_accuracy
        )
    }
}

/// What a finished run reports back.
#[derive(Clone, Debug)]
pub struct RunSummary {
    pub dir: PathBuf,
    pub report: TestReport,
}

/// The architecture's own settings: `config`'s `[model]` section, defaults filled in.
/// Every value is checked ([`ModelConfig::validate`](crate::ModelConfig::validate)).
pub fn model_config<M: Seq2Seq>(config: &RunConfig) -> Result<M::Config, TrainError> {
    let model = M::Config::deserialize(toml::Value::Table(config.model.clone()))
        .map_err(|e| TrainError::Config { file: "[model] section".into(), message: format!("{e}") })?;
    crate::ModelConfig::validate(&model)?;
    Ok(model)
}

/// `config`'s `[model]` section with every default filled in (what a run directory records).
pub fn resolved_model<M: Seq2Seq>(config: &RunConfig) -> Result<toml::Table, TrainError> {
    match toml::Value::try_from(&model_config::<M>(config)?) {
        Ok(toml::Value::Table(table)) => Ok(table),
        _ => Err(TrainError::Input("the [model] section must be a table".into())),
    }
}

/// Where an unfinished run stood after its last epoch: with the model and optimizer files beside
/// it, enough to go on exactly as if it had never stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ResumeState {
    /// The run's config (TOML): a resume must train the same thing.
    config: String,
    epoch: usize,
    step: usize,
    best: Option<(usize, f64)>,
    bad_epochs: usize,
    train_seconds: f64,
    train_tokens: usize,
    rows: Vec<MetricsRow>,
}

/// Whether `out` holds an interrupted run that `--resume` can continue.
pub fn resumable(out: &Path) -> bool {
    out.join(RESUME_DIR).join(RESUME_STATE).exists()
}

/// Reads the state an interrupted run in `out` left, if any.
fn read_resume_state(out: &Path) -> Result<Option<ResumeState>, TrainError> {
    let path = out.join(RESUME_DIR).join(RESUME_STATE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read(&path).map_err(|e| TrainError::io(&path, e))?;
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| TrainError::Checkpoint { path, message: format!("unreadable resume state: {e}") })
}

/// How a run starts and where it may stop early.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrainOptions {
    /// Continue the run interrupted in `out` from the end of its last finished epoch.
    pub resume: bool,
    /// Stop once this epoch is saved, leaving a run that `resume` finishes (a time-boxed run; the
    /// tests' stand-in for a machine that goes down).
    pub stop_after_epoch: Option<usize>,
}

/// Trains a `M` as `config` says, writing everything into `out`. With `options.resume`, a run
/// that was interrupted in `out` continues from the end of its last finished epoch (and gives the
/// same results as an uninterrupted run); without a resume state there, it starts afresh.
pub fn train<M: Seq2Seq>(config: &RunConfig, out: &Path, options: TrainOptions) -> Result<RunSummary, TrainError> {
    config.validate()?;
    let model_config = model_config::<M>(config)?;
    let training = &config.training;
    std::fs::create_dir_all(out).map_err(|e| TrainError::io(out, e))?;

    // The resolved config, with the architecture's defaults filled in.
    let resolved = RunConfig { model: resolved_model::<M>(config)?, ..config.clone() };
    write_atomic(&out.join(CONFIG_FILE), resolved.to_toml().as_bytes())
        .map_err(|e| TrainError::io(out.join(CONFIG_FILE), e))?;

    let data = Prepared::build(&config.data, config.seed)?;
    data.codec.save(out)?;
    let dims = ModelDims { source_vocab: data.codec.source_vocab.len(), target_vocab: data.codec.target_vocab.len() };

    let device = config.backend.device();
    let train_device = device.clone().autodiff();
    device.seed(config.seed);
    train_device.seed(config.seed);
    let mut model = M::init(&model_config, dims, &train_device);
    let parameters = model.num_params();
    let mut optimizer = AdamConfig::new().with_epsilon(training.adam_epsilon as f32).init();

    let batcher = Batcher { batch_size: config.data.batch_size, bucketing: config.data.bucketing };
    let batches_per_epoch = batcher.batches(&data.train, Some(0)).len();
    let total_steps = batches_per_epoch * training.epochs;
    let train_sample: Vec<_> = data.train.iter().take(training.train_eval_size).cloned().collect();

    let mut rows: Vec<MetricsRow> = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    let mut bad_epochs = 0;
    let mut step = 0;
    let mut train_seconds = 0.0;
    let mut train_tokens = 0usize;
    let mut epochs_trained = 0;
    let mut first_epoch = 1;
    let resume_dir = out.join(RESUME_DIR);
    std::fs::create_dir_all(&resume_dir).map_err(|e| TrainError::io(&resume_dir, e))?;
    let state = if options.resume { read_resume_state(out)? } else { None };
    if let Some(state) = state {
        if state.config != config.to_toml() {
            let differences =
                RunConfig::from_toml(&state.config).map(|old| old.differences(config)).unwrap_or_default();
            return Err(TrainError::Run {
                path: out.to_path_buf(),
                message: format!(
                    "cannot resume: the interrupted run was trained with another config ({}); resume it with the \
                     same settings, or pass --overwrite to start again",
                    if differences.is_empty() { "its config.toml differs".to_string() } else { differences.join(", ") }
                ),
            });
        }
        model = checkpoint::load(model, &resume_dir, &config.arch)?;
        let path = resume_dir.join(OPTIMIZER_FILE);
        let bytes = std::fs::read(&path).map_err(|e| TrainError::io(&path, e))?;
        optimizer = optimizer
            .from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
            .map_err(|e| TrainError::Checkpoint { path, message: e.to_string() })?;
        (rows, best, bad_epochs, step) = (state.rows, state.best, state.bad_epochs, state.step);
        (train_seconds, train_tokens, epochs_trained) = (state.train_seconds, state.train_tokens, state.epoch);
        first_epoch = state.epoch + 1;
        if training.patience > 0 && bad_epochs >= training.patience {
            first_epoch = training.epochs + 1; // it stopped early: only the test is left
        }
        write_metrics(out, &rows)?;
    }
    let mut progress = Progress::new(training.epochs, batches_per_epoch, &config.arch);

    for epoch in first_epoch..=training.epochs {
        let epoch_start = Instant::now();
        // Every epoch draws its dropout masks and scheduled-sampling coins from its own seed, so
        // a resumed run continues exactly as an uninterrupted one.
        train_device.seed(config.seed.wrapping_add(epoch as u64));
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed ^ epoch as u64);
        let teacher_forcing = training.teacher_forcing_at(epoch);
        // Scored tokens (loss and accuracy) and target tokens processed (throughput).
        let (mut loss_sum, mut scored, mut correct, mut tokens) = (0.0, 0usize, 0usize, 0usize);
        let mut learning_rate = training.learning_rate;
        progress.start_epoch(epoch);
        for (b, indices) in
            batcher.batches(&data.train, Some(config.seed.wrapping_add(epoch as u64))).iter().enumerate()
        {
            step += 1;
            learning_rate = training.learning_rate_at(step, total_steps);
            let items: Vec<_> = indices.iter().map(|&i| &data.train[i]).collect();
            let batch = Batch::new(&items, &train_device);
            let steps = batch.target_output.dims()[1];
            let feed_gold: Vec<bool> = (0..steps).map(|_| rng.random_bool(teacher_forcing)).collect();

            let (next, outcome) = learning_step(model, &mut optimizer, &batch, &feed_gold, training, learning_rate);
            model = next;
            let outcome = match outcome {
                Ok(outcome) => outcome,
                Err(loss) => {
                    progress.finish();
                    return Err(TrainError::Input(format!(
                        "training diverged at epoch {epoch}, batch {}: the loss is {loss}; lower training.learning_rate \
                         (metrics of earlier epochs and the best checkpoint are kept in {})",
                        b + 1,
                        out.display()
                    )));
                }
            };
            loss_sum += outcome.loss * outcome.tokens as f64;
            scored += outcome.tokens;
            correct += outcome.correct;
            tokens += batch.target_tokens();
            progress.batch(b + 1, loss_sum / scored as f64, tokens as f64 / epoch_start.elapsed().as_secs_f64());
        }
        let epoch_seconds = epoch_start.elapsed().as_secs_f64();
        train_seconds += epoch_seconds;
        train_tokens += tokens;
        epochs_trained = epoch;

        // Validation on the no-gradient, no-dropout copy.
        let eval_model = model.valid();
        let valid = evaluate(
            &eval_model,
            &data.valid,
            &data.splits.valid,
            &data.codec,
            &batcher,
            &device,
            &Search::greedy(training.max_output_len),
        );
        let train_gen = evaluate(
            &eval_model,
            &train_sample,
            &data.splits.train,
            &data.codec,
            &batcher,
            &device,
            &Search::greedy(training.max_output_len),
        );
        let train_loss = loss_sum / scored.max(1) as f64;
        let train_scores = Scores {
            sentences: data.train.len(),
            loss: train_loss,
            perplexity: train_loss.exp(),
            token_accuracy: 100.0 * correct as f64 / scored.max(1) as f64,
            ..train_gen.scores
        };
        let row = |split, s: &Scores, tps: f64| MetricsRow {
            epoch,
            split,
            loss: s.loss,
            perplexity: s.perplexity,
            token_accuracy: s.token_accuracy,
            exact_match: s.exact_match,
            bleu: s.bleu,
            chrf: s.chrf,
            elapsed_seconds: train_seconds,
            tokens_per_second: tps,
            learning_rate,
            teacher_forcing,
            free_running_accuracy: s.free_running_accuracy,
        };
        rows.push(row("train".into(), &train_scores, tokens as f64 / epoch_seconds));
        rows.push(row("valid".into(), &valid.scores, valid.tokens as f64 / valid.seconds.max(1e-9)));
        write_metrics(out, &rows)?;

        let improved = best.is_none_or(|(_, l)| valid.scores.loss < l);
        if improved {
            best = Some((epoch, valid.scores.loss));
            bad_epochs = 0;
            checkpoint::save(&eval_model, out, &config.arch, epoch, valid.scores.loss)?;
        } else {
            bad_epochs += 1;
        }
        // What a resume needs: the model and optimizer as they are now, and the loop's state.
        checkpoint::save(&model, &resume_dir, &config.arch, epoch, valid.scores.loss)?;
        let optimizer_path = resume_dir.join(OPTIMIZER_FILE);
        let optimizer_bytes = optimizer
            .into_bytes()
            .map_err(|e| TrainError::Checkpoint { path: optimizer_path.clone(), message: e.to_string() })?;
        write_atomic(&optimizer_path, &optimizer_bytes).map_err(|e| TrainError::io(&optimizer_path, e))?;
        let state = ResumeState {
            config: config.to_toml(),
            epoch,
            step,
            best,
            bad_epochs,
            train_seconds,
            train_tokens,
            rows: rows.clone(),
        };
        let state_path = resume_dir.join(RESUME_STATE);
        let json = serde_json::to_vec(&state).expect("resume state serialises");
        write_atomic(&state_path, &json).map_err(|e| TrainError::io(&state_path, e))?;
        if options.stop_after_epoch == Some(epoch) && epoch < training.epochs {
            progress.finish();
            return Err(TrainError::Run {
                path: out.to_path_buf(),
                message: format!("stopped after epoch {epoch} as asked (--stop-after-epoch); --resume continues it"),
            });
        }
        progress.end_epoch(epoch, &train_scores, &valid.scores, epoch_seconds, improved);
        if training.patience > 0 && bad_epochs >= training.patience {
            progress.note(&format!("early stop: no better validation loss for {bad_epochs} epochs"));
            break;
        }
    }
    progress.finish();

    // Test the best checkpoint.
    device.seed(config.seed);
    let best_model = checkpoint::load(M::init(&model_config, dims, &device), out, &config.arch)?;
    let best_epoch = best.map_or(0, |(e, _)| e);
    let report = test_report(
        &best_model,
        &data,
        config,
        parameters,
        epochs_trained,
        best_epoch,
        train_seconds,
        train_tokens,
        out,
    )?;
    saliency::write_run_saliency::<M>(config, &data, out)?;
    // Finished: nothing to resume.
    if resume_dir.exists() {
        std::fs::remove_dir_all(&resume_dir).map_err(|e| TrainError::io(&resume_dir, e))?;
    }
    Ok(RunSummary { dir: out.to_path_buf(), report })
}

fn write_metrics(out: &Path, rows: &[MetricsRow]) -> Result<(), TrainError> {
    let mut text = String::from(MetricsRow::HEADER);
    text.push('\n');
    for row in rows {
        text.push_str(&row.csv());
        text.push('\n');
    }
    let path = out.join(METRICS_FILE);
    write_atomic(&path, text.as_bytes()).map_err(|e| TrainError::io(&path, e))
}

#[allow(clippy::too_many_arguments)]
fn test_report<M: Seq2Seq>(
    model: &M,
    data: &Prepared,
    config: &RunConfig,
    parameters: usize,
    epochs_trained: usize,
    best_epoch: usize,
    train_seconds: f64,
    train_tokens: usize,
    out: &Path,
) -> Result<TestReport, TrainError> {
    let device = config.backend.device();
    let batcher = Batcher { batch_size: config.data.batch_size, bucketing: true };
    let test = &data.splits.test;
    let search = Search::greedy(config.training.max_output_len);
    let evaluation = evaluate(model, &data.test, test, &data.codec, &batcher, &device, &search);
    let (references, hypotheses) = (evaluation.references.clone(), evaluation.hypotheses.clone());
    let exact = evaluation.correct.clone();
    let train_tokens_per_second = train_tokens as f64 / train_seconds.max(1e-9);
    let facts = RunFacts {
        config,
        parameters,
        epochs_trained,
        best_epoch,
        train_seconds,
        search: &search,
        train_tokens_per_second,
        autoregressive: M::AUTOREGRESSIVE,
    };
    let report = report_of(facts, test, evaluation);
    write_report(out, &report)?;
    if test.iter().any(|e| !e.probes.is_empty()) {
        write_probes(out, &score_probes(model, &data.test, test, &data.codec, &batcher, &device, Some(&exact)))?;
    }
    let lines = |xs: &mut dyn Iterator<Item = &str>| xs.map(|s| format!("{s}\n")).collect::<String>();
    for (name, text) in [
        ("test.src.txt", lines(&mut test.iter().map(|e| e.source.as_str()))),
        ("test.ref.txt", lines(&mut references.iter().map(String::as_str))),
        ("test.hyp.txt", lines(&mut hypotheses.iter().map(String::as_str))),
    ] {
        let path = out.join(name);
        write_atomic(&path, text.as_bytes()).map_err(|e| TrainError::io(&path, e))?;
    }
    Ok(report)
}

pub fn write_report(out: &Path, report: &TestReport) -> Result<(), TrainError> {
    let path = out.join(TEST_FILE);
    let json = serde_json::to_vec_pretty(report).expect("reports serialise");
    write_atomic(&path, &json).map_err(|e| TrainError::io(&path, e))
}
