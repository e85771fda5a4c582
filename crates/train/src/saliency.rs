//! Gradient saliency of the probes' controllers: how strongly a decisive item's margin still
//! depends on its controller word, N steps back. Plotted against N it shows the vanishing
//! gradient of the Elman RNN (Bengio et al. 1994) and the LSTM's memory cell that keeps it.
//! Written to `saliency.json` for models with a source embedding, before training and after.

use std::path::Path;

use burn::tensor::{Device, Tensor};
use seq2seq_data::probes::{LATCH, VERB_AGREEMENT};
use seq2seq_data::vocab::UNK;
use seq2seq_data::{Batch, Example, Prepared, Sentences};
use serde::{Deserialize, Serialize};

use crate::config::{model_config, resolved_model};
use crate::run_dir::{SALIENCY_FILE, write_file};
use crate::{RunConfig, TrainError, checkpoint};
use seq2seq_model::{ModelDims, Seq2Seq};

/// Items measured per model: enough for a curve, a second or two of gradients.
const ITEMS: usize = 240;

/// One item's saliency.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Salience {
    /// Steps from the controller to the decisive word.
    pub distance: i64,
    /// `‖∂ margin / ∂ e(controller)‖₂`.
    pub gradient_norm: f64,
}

/// The saliency of a run, at initialisation and trained (best checkpoint).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Saliency {
    pub untrained: Vec<Salience>,
    pub trained: Vec<Salience>,
}

/// ```text
/// s = ‖∂ (logit_t(correct) − logit_t(contrast)) / ∂ e(x_c)‖₂     c: the controller, t: the decisive position
/// ```
///
/// for the long-range items (verb agreement, latch) of the first pairs, teacher-forced, one
/// sentence at a time. `model` lives on an autodiff device (build it without dropout). Empty for
/// models without a source embedding; items whose controller word occurs more than once in its
/// sentence are left out (its embedding's gradient would mix the occurrences).
pub fn saliency<M: Seq2Seq>(model: &M, sentences: Sentences, device: &Device) -> Vec<Salience> {
    let Sentences { pairs, examples, codec } = sentences;
    let Some(embedding) = model.source_embedding() else { return vec![] };
    let mut out = Vec::new();
    for pair in pairs {
        for item in examples[pair.index].probes.iter().filter(|i| i.kind == VERB_AGREEMENT || i.kind == LATCH) {
            let (correct, contrast) = (codec.target_vocab.id(&item.correct), codec.target_vocab.id(&item.contrast));
            let Some(&controller) = pair.source.get(item.controller) else { continue };
            let once = pair.source.iter().filter(|&&t| t == controller).count() == 1;
            if correct == UNK || contrast == UNK || controller == UNK || !once || out.len() >= ITEMS {
                continue;
            }
            let batch = Batch::new(&[pair], device);
            let steps = batch.target_output.dims()[1];
            let logits = model.forward(&batch, &vec![true; steps]); // [1, tgt_len, vocab]
            let vocab = logits.dims()[2];
            let at: Tensor<1> = logits.narrow(1, item.target_index, 1).reshape([vocab]); // [vocab]
            let margin = at.clone().narrow(0, correct, 1) - at.narrow(0, contrast, 1); // [1]
            let grads = margin.sum().backward();
            let Some(gradient) = embedding.weight.val().grad(&grads) else { continue }; // [source_vocab, emb]
            let row = gradient.narrow(0, controller, 1); // [1, emb]
            let gradient_norm = row.powf_scalar(2.0).sum().sqrt().into_scalar::<f64>();
            out.push(Salience { distance: item.distance, gradient_norm });
        }
    }
    out
}

/// Saliency of a finished probe run before training (the same seed's initial weights) and
/// after (the best checkpoint in `out`), both without dropout, written to `saliency.json`; a
/// no-op for tasks without long-range items and for models without a source embedding.
pub fn write_run_saliency<M: Seq2Seq>(config: &RunConfig, data: &Prepared, out: &Path) -> Result<(), TrainError> {
    let long_range = |e: &Example| e.probes.iter().any(|i| i.kind == VERB_AGREEMENT || i.kind == LATCH);
    if !data.splits.test.iter().any(long_range) {
        return Ok(());
    }
    let mut table = resolved_model::<M>(config)?;
    if table.contains_key("dropout") {
        table.insert("dropout".into(), toml::Value::Float(0.0));
    }
    let quiet = model_config::<M>(&RunConfig { model: table, ..config.clone() })?;
    let dims = ModelDims { source_vocab: data.codec.source_vocab.len(), target_vocab: data.codec.target_vocab.len() };
    let device = config.tensor_device()?.autodiff();
    device.seed(config.seed); // as the run was seeded: its initial weights
    let untrained = M::init(&quiet, dims, &device);
    if untrained.source_embedding().is_none() {
        return Ok(());
    }
    let trained = checkpoint::load(M::init(&quiet, dims, &device), out, &config.arch)?;
    let measure = |model: &M| saliency(model, data.test_sentences(), &device);
    write_saliency(out, &Saliency { untrained: measure(&untrained), trained: measure(&trained) })
}

/// Writes `saliency.json` into `dir`.
pub fn write_saliency(dir: &Path, saliency: &Saliency) -> Result<(), TrainError> {
    let json = serde_json::to_vec_pretty(saliency).expect("saliency serialises");
    write_file(dir, SALIENCY_FILE, &json)
}

/// Reads a run's `saliency.json`; `None` when it has none.
pub fn read_saliency(dir: &Path) -> Result<Option<Saliency>, TrainError> {
    let path = dir.join(SALIENCY_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read(&path).map_err(|e| TrainError::io(&path, e))?;
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| TrainError::Input(format!("{}: not a saliency file: {e}", path.display())))
}
