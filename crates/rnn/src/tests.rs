//! The Elman cell against burn's `Rnn` with the same weights, its gradient against finite
//! differences, and padding that never reaches the state.

use burn::module::{Module, Param};
use burn::nn::{Linear, RnnConfig as BurnRnnConfig};
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_train::decode::Search;
use seq2seq_train::{ModelDims, Seq2Seq};

use crate::{ElmanCell, Rnn, RnnConfig};

fn values(t: Tensor<3>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn max_difference(a: Tensor<3>, b: Tensor<3>) -> f32 {
    values(a).iter().zip(values(b)).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn elman_cell_matches_burn_rnn_both_directions() {
    let device = Device::flex();
    device.seed(1);
    for reverse in [false, true] {
        let reference = BurnRnnConfig::new(4, 5, true).with_reverse(reverse).init(&device);
        let gate = &reference.gate;
        let cell = ElmanCell {
            input_to_hidden: Linear {
                weight: Param::from_tensor(gate.input_transform.weight.val()),
                bias: Some(Param::from_tensor(
                    gate.input_transform.bias.as_ref().unwrap().val()
                        + gate.hidden_transform.bias.as_ref().unwrap().val(),
                )),
            },
            hidden_to_hidden: Linear { weight: Param::from_tensor(gate.hidden_transform.weight.val()), bias: None },
            hidden_size: 5,
            fused: false,
        };
        let x = Tensor::<3>::random([3, 6, 4], Distribution::Normal(0.0, 1.0), &device);
        let (expected, _) = reference.forward(x.clone(), None);
        for cell in [cell.clone(), cell.with_fused(true)] {
            let outputs = cell.run(x.clone(), Tensor::ones([3, 6], &device), reverse);
            assert!(max_difference(outputs, expected.clone()) < 1e-5, "fused: {}", cell.fused);
        }
    }
}

#[test]
fn elman_gradient_matches_finite_differences() {
    let plain = Device::flex();
    let device = plain.clone().autodiff();
    device.seed(2);
    for fused in [false, true] {
        let cell = ElmanCell::new(3, 4, &device).with_fused(fused);
        let x = Tensor::<3>::random([2, 5, 3], Distribution::Normal(0.0, 1.0), &device);
        let w = Tensor::<3>::random([2, 5, 4], Distribution::Normal(0.0, 1.0), &device);
        let loss = |cell: &ElmanCell, x: &Tensor<3>, w: &Tensor<3>| {
            (cell.run(x.clone(), Tensor::ones([2, 5], &x.device()), false) * w.clone()).sum()
        };
        let grads = loss(&cell, &x, &w).backward();
        let analytic =
            cell.hidden_to_hidden.weight.val().grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
        let plain_cell = cell.valid();
        let base = plain_cell.hidden_to_hidden.weight.val().into_data().try_to_vec::<f32>().unwrap();
        let (x, w) = (x.inner(), w.inner());
        let eps = 1e-2;
        for index in [0, 6, 15] {
            let at = |delta: f32| {
                let mut v = base.clone();
                v[index] += delta;
                let mut c = plain_cell.clone();
                c.hidden_to_hidden.weight = Param::from_tensor(Tensor::from_data(TensorData::new(v, [4, 4]), &plain));
                loss(&c, &x, &w).into_scalar::<f32>()
            };
            let numeric = (at(eps) - at(-eps)) / (2.0 * eps);
            let error = (numeric - analytic[index]).abs() / numeric.abs().max(analytic[index].abs()).max(1e-2);
            assert!(error < 2e-2, "fused {fused}: W_h[{index}]: numeric {numeric}, autodiff {}", analytic[index]);
        }
    }
}

#[test]
fn padded_and_unpadded_sentences_give_the_same_outputs() {
    let device = Device::flex();
    device.seed(3);
    let model = Rnn::init(
        &RnnConfig { hidden_size: 8, embedding_size: 4, ..Default::default() },
        ModelDims { source_vocab: 20, target_vocab: 12 },
        &device,
    )
    .valid();
    let short = EncodedPair::new(0, vec![5, 6, 7], vec![8, 9]);
    let long = EncodedPair::new(1, vec![5, 6, 7, 8, 9, 10, 11, 12], vec![8, 9, 10, 11]);
    let alone = model.forward(&Batch::new(&[&short], &device), &[]);
    let together = model.forward(&Batch::new(&[&short, &long], &device), &[]);
    let steps = alone.dims()[1];
    let together_short = together.narrow(0, 0, 1).narrow(1, 0, steps);
    assert!(max_difference(alone, together_short) < 1e-6);
    assert_eq!(
        model.generate(&Batch::new(&[&short], &device), &Search::greedy(10)).tokens[0],
        model.generate(&Batch::new(&[&short, &long], &device), &Search::greedy(10)).tokens[0]
    );
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
    let scores = score_probes(&model, &data.test, &data.splits.test, &data.codec, &batcher, &device, Some(&exact));
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
    let measured = saliency(&model, std::slice::from_ref(pair), &data.splits.test, &data.codec, &device);
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

/// Wait-k: with a delay of `k`, output `t` has read source words `0..=t+k` and no further; with no
/// delay, words `0..=t`. Generation reads the same slots as training.
#[test]
fn a_delay_of_k_lets_output_t_see_k_words_ahead_and_no_further() {
    let device = Device::flex();
    let dims = ModelDims { source_vocab: 20, target_vocab: 12 };
    for delay in [0, 2] {
        device.seed(4);
        let config = RnnConfig { hidden_size: 8, embedding_size: 4, delay, ..Default::default() };
        let model = Rnn::init(&config, dims, &device).valid();
        let logits = |source: Vec<usize>| {
            let pair = EncodedPair::new(0, source, vec![8, 9, 10, 11, 12, 13]);
            values(model.forward(&Batch::new(&[&pair], &device), &[]))
        };
        let base = logits(vec![5, 6, 7, 8, 9, 10]);
        let per_output = 12;
        for changed in 0..6 {
            let mut source = vec![5, 6, 7, 8, 9, 10];
            source[changed] = 15;
            let other = logits(source);
            for output in 0..6 {
                let moved = (0..per_output)
                    .any(|v| (base[output * per_output + v] - other[output * per_output + v]).abs() > 1e-6);
                assert_eq!(moved, changed <= output + delay, "delay {delay}: word {changed}, output {output}");
            }
        }
        let pair = EncodedPair::new(0, vec![5, 6, 7], vec![]);
        let generated = model.generate(&Batch::new(&[&pair], &device), &Search::greedy(10)).tokens[0].clone();
        let forced = EncodedPair::new(0, vec![5, 6, 7], generated.clone());
        let predicted: Vec<usize> = values(model.forward(&Batch::new(&[&forced], &device), &[]))
            .chunks(per_output)
            .take(generated.len())
            .map(|row| (0..per_output).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap())
            .collect();
        assert_eq!(predicted, generated, "delay {delay}: translation reads the training slots");
    }
}
