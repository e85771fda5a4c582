//! The probes' one scoring primitive, the same for all eight architectures: the teacher-forced
//! margin between the correct and the contrast form at each decisive target position.
//! An item counts as right when its margin is above zero, so chance is 50 %. Teacher forcing
//! makes the measure independent of whatever a model generated earlier (a position-wise model
//! has no earlier outputs, a decoder gets the gold ones), so every architecture answers the same
//! question. One JSON line per item goes to `probes.jsonl`, so a report regroups and resamples
//! them without retraining.

use std::path::Path;

use burn::tensor::Device;
use seq2seq_data::vocab::UNK;
use seq2seq_data::{Batch, Batcher, EncodedPair, ProbeItem, Sentences};
use serde::{Deserialize, Serialize};

use crate::TrainError;
use crate::run_dir::{PROBES_FILE, write_file};
use seq2seq_model::Seq2Seq;

/// One decisive item of one test sentence, scored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeScore {
    /// The sentence's position in the test split: items of one sentence resample together.
    pub sentence: usize,
    #[serde(flatten)]
    pub item: ProbeItem,
    /// `logit(correct) − logit(contrast)` at `item.target_index`, teacher-forced.
    pub margin: f64,
    /// Whether the whole sentence's translation (greedy) was exactly the reference, when known:
    /// the measure of the probes about reordering and length change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<bool>,
}

impl ProbeScore {
    pub fn is_correct(&self) -> bool {
        self.margin > 0.0
    }
}

/// ```text
/// margin = logit_t(correct) − logit_t(contrast)      t: the item's target index, gold tokens fed before t
/// ```
///
/// The margins of every decisive item of `examples` (that `pairs` encode), in split order, each
/// with its sentence's exact match from `exact` (one per pair) when given. An item whose forms
/// are not single known target tokens is left out (subword tokenizers).
pub fn score_probes<M: Seq2Seq>(
    model: &M,
    sentences: Sentences,
    batcher: &Batcher,
    device: &Device,
    exact: Option<&[bool]>,
) -> Vec<ProbeScore> {
    let Sentences { pairs, examples, codec } = sentences;
    let mut scores = Vec::new();
    for indices in batcher.batches(pairs, None) {
        let items: Vec<&EncodedPair> = indices.iter().map(|&i| &pairs[i]).collect();
        if items.iter().all(|p| examples[p.index].probes.is_empty()) {
            continue;
        }
        let batch = Batch::new(&items, device);
        let logits = model.forward(&batch, &vec![true; batch.target_output.dims()[1]]); // [batch, tgt_len, vocab]
        let [_, steps, vocab] = logits.dims();
        let values: Vec<f32> = logits.into_data().try_to_vec::<f32>().expect("f32 logits");
        for (k, (&i, pair)) in indices.iter().zip(&items).enumerate() {
            for item in &examples[pair.index].probes {
                let (correct, contrast) = (codec.target_vocab.id(&item.correct), codec.target_vocab.id(&item.contrast));
                let t = item.target_index;
                if correct == UNK || contrast == UNK || pair.target.get(t) != Some(&correct) {
                    continue;
                }
                let at = |id: usize| values[(k * steps + t) * vocab + id] as f64;
                scores.push(ProbeScore {
                    sentence: pair.index,
                    item: item.clone(),
                    margin: at(correct) - at(contrast),
                    exact: exact.and_then(|e| e.get(i).copied()),
                });
            }
        }
    }
    scores.sort_by_key(|s| (s.sentence, s.item.target_index));
    scores
}

/// Writes `probes.jsonl` into the run directory `dir`, one item per line.
pub fn write_probes(dir: &Path, scores: &[ProbeScore]) -> Result<(), TrainError> {
    let text: String =
        scores.iter().map(|s| serde_json::to_string(s).expect("probe scores serialise") + "\n").collect();
    write_file(dir, PROBES_FILE, text.as_bytes())
}

/// Reads a run's `probes.jsonl`; `None` when the run has none (not a probe task, or older).
pub fn read_probes(dir: &Path) -> Result<Option<Vec<ProbeScore>>, TrainError> {
    let path = dir.join(PROBES_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
    let mut scores = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let score = serde_json::from_str(line)
            .map_err(|e| TrainError::Input(format!("{}: line {}: not a probe score: {e}", path.display(), n + 1)))?;
        scores.push(score);
    }
    Ok(Some(scores))
}
