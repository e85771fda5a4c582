//! What the runner's registry holds: one [`Architecture`] per crate, made generic-free so that
//! the runner can pick one by name. Adding an architecture is one line there:
//! `Architecture::of::<MyModel>("name", "summary")`.

use std::path::Path;

use burn::tensor::Device;
use seq2seq_data::{Batch, Batcher, Codec, EncodedPair, Example, Sentences};

use crate::config::{model_config, resolved_model};
use crate::evaluate::{RunFacts, TestReport, evaluate, test_report};
use crate::run_dir::CONFIG_FILE;
use crate::throughput::{BenchResult, BenchSettings, MemoryMeter, bench};
use crate::trainer::{RunSummary, TrainOptions, train};
use crate::{Backend, RunConfig, TrainError, checkpoint};
use seq2seq_model::decode::Search;
use seq2seq_model::{AttentionMap, ModelDims, Seq2Seq};

/// A trained model, loaded from its run directory.
pub trait Translator {
    fn config(&self) -> &RunConfig;
    /// Whether the model has a decoder to beam-search (see [`Seq2Seq::AUTOREGRESSIVE`]).
    fn autoregressive(&self) -> bool;
    /// Translations of `sentences`, with attention weights when the model has them. Each is
    /// at most `search.max_len` tokens long, and at most twice its source plus ten.
    fn translate(&self, sentences: &[String], search: &Search) -> Result<Vec<Translation>, TrainError>;
    /// Scores the model on `examples` (as `test.json` does for the test split).
    fn evaluate(&self, examples: &[Example], search: &Search) -> Result<Evaluated, TrainError>;
    /// Every attention map (per layer and head) behind `translation`; empty for models with a
    /// single attention (their weights are in [`Translation::attention`]) or none.
    fn attention_maps(&self, translation: &Translation) -> Vec<AttentionMap>;
}

/// A test report with the sentences behind it, in the order of the pairs: what a scorer such as
/// sacreBLEU needs to score the run again.
#[derive(Clone, Debug)]
pub struct Evaluated {
    pub report: TestReport,
    pub sources: Vec<String>,
    pub references: Vec<String>,
    pub hypotheses: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Translation {
    pub source_tokens: Vec<String>,
    /// Source tokens outside the run's vocabulary, read as `<unk>`.
    pub unknown_tokens: Vec<String>,
    pub tokens: Vec<String>,
    pub text: String,
    /// One row per generated token (the `<eos>` step included), one weight per source token.
    pub attention: Option<Vec<Vec<f32>>>,
}

/// One entry of the runner's registry.
#[derive(Clone, Copy)]
pub struct Architecture {
    pub name: &'static str,
    pub summary: &'static str,
    train: fn(&RunConfig, &Path, TrainOptions) -> Result<RunSummary, TrainError>,
    open: fn(&Path, Option<Backend>) -> Result<Box<dyn Translator>, TrainError>,
    parameters: fn(&RunConfig, ModelDims) -> Result<(usize, toml::Table), TrainError>,
    resolved_model: fn(&RunConfig) -> Result<toml::Table, TrainError>,
    bench: fn(&str, &RunConfig, &BenchSettings, &dyn MemoryMeter) -> Result<BenchResult, TrainError>,
    check: fn(&RunConfig) -> Result<(), TrainError>,
}

impl Architecture {
    pub fn of<M: Seq2Seq>(name: &'static str, summary: &'static str) -> Self {
        Self {
            name,
            summary,
            train: train::<M>,
            open: open::<M>,
            parameters: parameters::<M>,
            resolved_model: resolved_model::<M>,
            bench: bench::<M>,
            check: check::<M>,
        }
    }

    /// Trains into `out`; with `options.resume`, continues the run interrupted there (see [`train`]).
    pub fn train(&self, config: &RunConfig, out: &Path, options: TrainOptions) -> Result<RunSummary, TrainError> {
        (self.train)(config, out, options)
    }

    pub fn open(&self, dir: &Path, backend: Option<Backend>) -> Result<Box<dyn Translator>, TrainError> {
        (self.open)(dir, backend)
    }

    /// Checks every value of `config` (data, training and this architecture's `[model]`),
    /// without building anything.
    pub fn check(&self, config: &RunConfig) -> Result<(), TrainError> {
        (self.check)(config)
    }

    /// Training and generation throughput on synthetic batches (see [`crate::throughput`]).
    pub fn bench(
        &self,
        config: &RunConfig,
        settings: &BenchSettings,
        meter: &dyn MemoryMeter,
    ) -> Result<BenchResult, TrainError> {
        (self.bench)(self.name, config, settings, meter)
    }

    /// The parameter count of the model `config` builds for vocabularies of `dims`, and its
    /// `[model]` section with every default filled in.
    pub fn parameters(&self, config: &RunConfig, dims: ModelDims) -> Result<(usize, toml::Table), TrainError> {
        (self.parameters)(config, dims)
    }

    /// `config`'s `[model]` section with every default filled in, without building the model.
    pub fn resolved_model(&self, config: &RunConfig) -> Result<toml::Table, TrainError> {
        (self.resolved_model)(config)
    }
}

fn check<M: Seq2Seq>(config: &RunConfig) -> Result<(), TrainError> {
    config.validate()?;
    model_config::<M>(config).map(|_| ())
}

fn parameters<M: Seq2Seq>(config: &RunConfig, dims: ModelDims) -> Result<(usize, toml::Table), TrainError> {
    let model = M::init(&model_config::<M>(config)?, dims, &Device::flex());
    Ok((burn::module::Module::num_params(&model), resolved_model::<M>(config)?))
}

/// Reads a run directory's config.
pub fn run_config(dir: &Path) -> Result<RunConfig, TrainError> {
    let path = dir.join(CONFIG_FILE);
    if !path.exists() {
        return Err(TrainError::Run {
            path: dir.to_path_buf(),
            message: format!("no {CONFIG_FILE}: not a run directory"),
        });
    }
    RunConfig::from_file(&path)
}

struct TrainedModel<M: Seq2Seq> {
    config: RunConfig,
    codec: Codec,
    model: M,
    device: Device,
    parameters: usize,
    meta: checkpoint::CheckpointMeta,
}

fn open<M: Seq2Seq>(dir: &Path, backend: Option<Backend>) -> Result<Box<dyn Translator>, TrainError> {
    let mut config = run_config(dir)?;
    if let Some(backend) = backend {
        config.backend = backend;
    }
    // Read on the backend's default card: the card a run trained on need not exist here.
    config.device = None;
    let model_config = model_config::<M>(&config).map_err(|e| TrainError::Config {
        file: dir.join(CONFIG_FILE).display().to_string(),
        message: e.to_string(),
    })?;
    let codec = Codec::load(dir, &config.data)?;
    let dims = ModelDims { source_vocab: codec.source_vocab.len(), target_vocab: codec.target_vocab.len() };
    let device = config.tensor_device()?;
    let model = checkpoint::load(M::init(&model_config, dims, &device), dir, &config.arch)?;
    let meta = checkpoint::read_meta(dir)?;
    let parameters = burn::module::Module::num_params(&model);
    Ok(Box::new(TrainedModel { config, codec, model, device, parameters, meta }))
}

impl<M: Seq2Seq> Translator for TrainedModel<M> {
    fn config(&self) -> &RunConfig {
        &self.config
    }

    fn autoregressive(&self) -> bool {
        M::AUTOREGRESSIVE
    }

    fn translate(&self, sentences: &[String], search: &Search) -> Result<Vec<Translation>, TrainError> {
        let mut out = Vec::new();
        for (n, sentence) in sentences.iter().enumerate() {
            let source_tokens = self.codec.source_tokenizer.tokenize(sentence);
            if source_tokens.is_empty() {
                return Err(TrainError::Input(format!("sentence {}: empty; expected at least one word", n + 1)));
            }
            let source = self.codec.source_vocab.encode(&source_tokens);
            let unknown_tokens = (source_tokens.iter().zip(&source))
                .filter(|&(_, &id)| id == seq2seq_data::vocab::UNK)
                .map(|(token, _)| token.clone())
                .collect();
            let pair = EncodedPair::new(0, source, vec![]);
            let batch = Batch::new(&[&pair], &self.device);
            let generation = self.model.generate(&batch, &search.capped(2 * pair.source.len() + 10));
            let ids = &generation.tokens[0];
            let tokens = self.codec.target_vocab.decode(ids);
            out.push(Translation {
                text: self.codec.target_tokenizer.detokenize(&tokens),
                source_tokens,
                unknown_tokens,
                tokens,
                attention: generation.attention.map(|mut a| a.swap_remove(0)),
            });
        }
        Ok(out)
    }

    fn attention_maps(&self, translation: &Translation) -> Vec<AttentionMap> {
        let source = self.codec.source_vocab.encode(&translation.source_tokens);
        let pair = EncodedPair::new(0, source, vec![]);
        let generated = self.codec.target_vocab.encode(&translation.tokens);
        self.model.attention_maps(&Batch::new(&[&pair], &self.device), &generated)
    }

    fn evaluate(&self, examples: &[Example], search: &Search) -> Result<Evaluated, TrainError> {
        if examples.is_empty() {
            return Err(TrainError::Input("nothing to evaluate: no sentence pairs".into()));
        }
        let decisive_only = self.config.data.task().is_ok_and(|task| task.scores_decisive_items_only());
        let pairs = self.codec.encode(examples, decisive_only);
        let batcher = Batcher { batch_size: self.config.data.batch_size, bucketing: true };
        let evaluation = evaluate(
            &self.model,
            Sentences { pairs: &pairs, examples, codec: &self.codec },
            &batcher,
            &self.device,
            search,
        );
        let facts = RunFacts {
            config: &self.config,
            parameters: self.parameters,
            epochs_trained: self.meta.epoch,
            best_epoch: self.meta.epoch,
            train_seconds: 0.0,
            search,
            train_tokens_per_second: 0.0,
            autoregressive: M::AUTOREGRESSIVE,
            hardware: String::new(),
        };
        let (references, hypotheses) = (evaluation.references.clone(), evaluation.hypotheses.clone());
        let sources = examples.iter().map(|e| e.source.clone()).collect();
        Ok(Evaluated { report: test_report(facts, examples, evaluation), sources, references, hypotheses })
    }
}
