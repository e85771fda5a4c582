//! The two directions against burn's `BiLstm` with the same weights; padding masked out of
//! both directions.

use burn::module::{Module, Param};
use burn::nn::{BiLstmConfig, GateController, Linear, Lstm};
use burn::tensor::{Device, Distribution, Tensor};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_lstm::{Cell, LstmCell};
use seq2seq_model::decode::Search;
use seq2seq_model::{ModelDims, Seq2Seq};

use crate::{BiRnn, BiRnnConfig};

fn values(t: Tensor<3>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn max_difference(a: Tensor<3>, b: Tensor<3>) -> f32 {
    values(a).iter().zip(values(b)).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// burn's four gate controllers, stacked `[i, f, o, g]` into one cell.
fn copy_lstm(lstm: &Lstm, hidden: usize) -> Cell {
    let gates: [&GateController; 4] =
        [&lstm.input_gate, lstm.forget_gate.as_ref().unwrap(), &lstm.output_gate, &lstm.cell_gate];
    let cat2 = |f: &dyn Fn(&GateController) -> Tensor<2>| Tensor::cat(gates.iter().map(|g| f(g)).collect(), 1);
    let bias = Tensor::cat(
        gates
            .iter()
            .map(|g| g.input_transform.bias.as_ref().unwrap().val() + g.hidden_transform.bias.as_ref().unwrap().val())
            .collect(),
        0,
    );
    Cell::Lstm(LstmCell {
        input_to_gates: Linear {
            weight: Param::from_tensor(cat2(&|g| g.input_transform.weight.val())),
            bias: Some(Param::from_tensor(bias)),
        },
        hidden_to_gates: Linear { weight: Param::from_tensor(cat2(&|g| g.hidden_transform.weight.val())), bias: None },
        hidden_size: hidden,
        fused: false,
    })
}

#[test]
fn both_directions_match_burn_bilstm() {
    let device = Device::flex();
    device.seed(1);
    let reference = BiLstmConfig::new(4, 3, true).init(&device);
    let mut model = BiRnn::init(
        &BiRnnConfig { hidden_size: 3, embedding_size: 4, ..Default::default() },
        ModelDims { source_vocab: 10, target_vocab: 10 },
        &device,
    );
    model.forward_cell = copy_lstm(&reference.forward, 3);
    model.backward_cell = copy_lstm(&reference.reverse, 3);
    let x = Tensor::<3>::random([2, 6, 4], Distribution::Normal(0.0, 1.0), &device);
    let (expected, _) = reference.forward(x.clone(), None);
    let states = model.states(x, Tensor::ones([2, 6], &device));
    assert!(max_difference(states, expected) < 1e-5);
}

#[test]
fn padding_is_masked_out_of_both_directions() {
    let device = Device::flex();
    device.seed(2);
    let model = BiRnn::init(
        &BiRnnConfig { hidden_size: 8, embedding_size: 4, ..Default::default() },
        ModelDims { source_vocab: 20, target_vocab: 12 },
        &device,
    )
    .valid();
    let short = EncodedPair::new(0, vec![5, 6, 7], vec![8, 9]);
    let long = EncodedPair::new(1, vec![5, 6, 7, 8, 9, 10, 11, 12], vec![8, 9, 10, 11]);
    let alone = model.forward(&Batch::new(&[&short], &device), &[]);
    let together = model.forward(&Batch::new(&[&short, &long], &device), &[]);
    let steps = alone.dims()[1];
    assert!(max_difference(alone, together.narrow(0, 0, 1).narrow(1, 0, steps)) < 1e-6);
    let generate =
        |pairs: &[&EncodedPair]| model.generate(&Batch::new(pairs, &device), &Search::greedy(10)).tokens[0].clone();
    assert_eq!(generate(&[&short]), generate(&[&short, &long]));
}

/// A bidirectional model reads the blanks after the source too: training must lay the slots
/// out as translation does, or the backward direction sees a different sentence.
#[test]
fn training_and_translation_see_the_same_slots() {
    use seq2seq_model::positionwise::{self, SlotModel, inference_slots, slot_inputs};
    let device = Device::flex();
    device.seed(3);
    let model = BiRnn::init(
        &BiRnnConfig { hidden_size: 8, embedding_size: 4, ..Default::default() },
        ModelDims { source_vocab: 20, target_vocab: 12 },
        &device,
    )
    .valid();
    let pair = EncodedPair::new(0, vec![5, 6, 7, 8, 9], vec![8, 9]);
    let batch = Batch::new(&[&pair], &device);
    let trained = positionwise::forward(&model, &batch); // [1, 3, vocab]
    let (inputs, mask) = slot_inputs(&batch, &inference_slots(&batch, model.slack()));
    let translated = model.slot_logits(inputs, mask).narrow(1, 0, 3);
    assert!(max_difference(trained, translated) < 1e-6);
}
