//! The Elman cell against burn's `Rnn` with the same weights, its gradient against finite
//! differences, and padding that never reaches the state.

use burn::module::{Module, Param};
use burn::nn::{Linear, RnnConfig as BurnRnnConfig};
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_model::decode::Search;
use seq2seq_model::{ModelDims, Seq2Seq};

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
