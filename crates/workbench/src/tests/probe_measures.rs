//! The trainer's probe measurements on a real model: the scoring primitive reads the logits it
//! means to, and the saliency's gradient agrees with finite differences.

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};
use seq2seq_data::{Batch, Sentences};
use seq2seq_model::{ModelDims, Seq2Seq};
use seq2seq_rnn::{Rnn, RnnConfig};

fn values(t: Tensor<3>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// The probes' scoring primitive reads the logits at the right sentence, slot and tokens: each
/// margin equals `logit(correct) − logit(contrast)` of the sentence translated alone.
#[test]
fn probe_margins_are_logit_differences_at_the_decisive_slots() {
    use seq2seq_data::{Batcher, DataConfig, Prepared};
    use seq2seq_train::probes::score_probes;

    let device = Device::flex();
    device.seed(4);
    let config =
        DataConfig { task: "agreement".into(), train_size: 60, valid_size: 5, test_size: 12, ..Default::default() };
    let data = Prepared::build(&config, 1).unwrap();
    let dims = ModelDims { source_vocab: data.codec.source_vocab.len(), target_vocab: data.codec.target_vocab.len() };
    let model =
        Rnn::init(&RnnConfig { hidden_size: 8, embedding_size: 4, ..Default::default() }, dims, &device).valid();
    let batcher = Batcher { batch_size: 5, bucketing: true };
    let exact: Vec<bool> = (0..data.test.len()).map(|i| i % 3 == 0).collect();
    let scores = score_probes(&model, data.test_sentences(), &batcher, &device, Some(&exact));
    let items: usize = data.splits.test.iter().map(|e| e.probes.len()).sum();
    assert_eq!(scores.len(), items, "every item of a word-level probe is scored");
    for score in &scores {
        let pair = &data.test[score.sentence];
        let logits = values(model.forward(&Batch::new(&[pair], &device), &[]));
        let vocab = dims.target_vocab;
        let at = |word: &str| logits[score.item.target_index * vocab + data.codec.target_vocab.id(word)] as f64;
        let expected = at(&score.item.correct) - at(&score.item.contrast);
        assert!((score.margin - expected).abs() < 1e-4, "{score:?}: expected margin {expected}");
        assert_eq!(score.exact, Some(score.sentence % 3 == 0), "each item carries its own sentence's exact match");
    }
}

/// The saliency's gradient, `‖∂ margin / ∂ e(controller)‖`, against central finite differences
/// of the margin in each dimension of the controller's embedding.
#[test]
fn saliency_matches_finite_differences_of_the_margin() {
    use seq2seq_data::{DataConfig, Prepared};
    use seq2seq_train::saliency::saliency;

    let plain = Device::flex();
    let device = plain.clone().autodiff();
    device.seed(5);
    let config =
        DataConfig { task: "agreement".into(), train_size: 40, valid_size: 5, test_size: 60, ..Default::default() };
    let data = Prepared::build(&config, 2).unwrap();
    let dims = ModelDims { source_vocab: data.codec.source_vocab.len(), target_vocab: data.codec.target_vocab.len() };
    let rnn_config = RnnConfig { hidden_size: 8, embedding_size: 4, dropout: 0.0, ..Default::default() };
    let model = Rnn::init(&rnn_config, dims, &device);
    // A short distance, so that the gradient is well above float noise (it vanishes with distance).
    let verb = |k: usize| data.splits.test[k].probes.iter().find(|i| i.kind == seq2seq_data::probes::VERB_AGREEMENT);
    let k = (0..data.test.len()).find(|&k| verb(k).unwrap().distance <= 3).expect("a short item");
    let (pair, item) = (&data.test[k], verb(k).unwrap());
    let measured = saliency(&model, Sentences { pairs: std::slice::from_ref(pair), ..data.test_sentences() }, &device);
    assert_eq!(measured.len(), 1, "one verb item in the sentence");
    assert_eq!(measured[0].distance, item.distance);

    let valid = model.valid();
    let weights = valid.embedding.weight.val().into_data().try_to_vec::<f32>().unwrap();
    let controller = pair.source[item.controller];
    let (correct, contrast) = (data.codec.target_vocab.id(&item.correct), data.codec.target_vocab.id(&item.contrast));
    let margin = |delta: f32, dim: usize| {
        let mut w = weights.clone();
        w[controller * 4 + dim] += delta;
        let mut m = valid.clone();
        m.embedding.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, [dims.source_vocab, 4]), &plain));
        let logits = values(m.forward(&Batch::new(&[pair], &plain), &[]));
        let at = |id: usize| logits[item.target_index * dims.target_vocab + id] as f64;
        at(correct) - at(contrast)
    };
    let eps = 1e-2;
    let numeric: f64 =
        (0..4).map(|d| ((margin(eps, d) - margin(-eps, d)) / (2.0 * eps as f64)).powi(2)).sum::<f64>().sqrt();
    let error = (numeric - measured[0].gradient_norm).abs() / numeric.max(1e-6);
    assert!(error < 2e-2, "finite differences {numeric}, autodiff {}", measured[0].gradient_norm);
}
