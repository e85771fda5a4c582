//! Numerical checks: the hand-written cells against burn's `Lstm` / `Gru` with the same weights,
//! their gradients against finite differences, padding that never leaks into states, and an
//! untrained model whose loss starts near ln(vocabulary size).

use burn::module::Param;
use burn::nn::{GateController, GruConfig, Linear, LstmConfig};
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_train::loss::masked_cross_entropy;
use seq2seq_train::{ModelDims, Seq2Seq};

use crate::cell::{Cell, CellKind, GruCell, LstmCell};
use crate::{EncDecConfig, EncoderDecoder};

fn linear(weight: Tensor<2>, bias: Option<Tensor<1>>) -> Linear {
    Linear { weight: Param::from_tensor(weight), bias: bias.map(Param::from_tensor) }
}

fn parts(gate: &GateController) -> (Tensor<2>, Tensor<1>, Tensor<2>, Tensor<1>) {
    let (x, h) = (&gate.input_transform, &gate.hidden_transform);
    (x.weight.val(), x.bias.as_ref().unwrap().val(), h.weight.val(), h.bias.as_ref().unwrap().val())
}

fn assert_close(a: Tensor<3>, b: Tensor<3>, tolerance: f32) {
    let (a, b) = (a.into_data().try_to_vec::<f32>().unwrap(), b.into_data().try_to_vec::<f32>().unwrap());
    assert_eq!(a.len(), b.len());
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
    assert!(worst < tolerance, "largest difference {worst}");
}

fn ones_mask(batch: usize, len: usize, device: &Device) -> Tensor<2> {
    Tensor::ones([batch, len], device)
}

#[test]
fn lstm_cell_matches_burn_lstm() {
    let device = Device::flex();
    device.seed(3);
    let (d_in, hidden) = (4, 6);
    let reference = LstmConfig::new(d_in, hidden, true).init(&device);
    let gates = [&reference.input_gate, reference.forget_gate.as_ref().unwrap(), &reference.cell_gate, &reference.output_gate];
    let parts: Vec<_> = gates.iter().map(|g| parts(g)).collect();
    let cell = Cell::Lstm(LstmCell {
        input_to_gates: linear(
            Tensor::cat(parts.iter().map(|p| p.0.clone()).collect(), 1),
            Some(Tensor::cat(parts.iter().map(|p| p.1.clone() + p.3.clone()).collect(), 0)),
        ),
        hidden_to_gates: linear(Tensor::cat(parts.iter().map(|p| p.2.clone()).collect(), 1), None),
        hidden_size: hidden,
    });
    let x = Tensor::<3>::random([3, 5, d_in], Distribution::Normal(0.0, 1.0), &device);
    let (expected, expected_state) = reference.forward(x.clone(), None);
    let (outputs, state) = cell.run(x, ones_mask(3, 5, &device), cell.zero_state(3, &device));
    assert_close(outputs, expected, 1e-5);
    assert_close(state.memory.unwrap().unsqueeze_dim(0), expected_state.cell.unsqueeze_dim(0), 1e-5);
}

#[test]
fn gru_cell_matches_burn_gru() {
    let device = Device::flex();
    device.seed(4);
    let (d_in, hidden) = (5, 3);
    let reference = GruConfig::new(d_in, hidden, true).init(&device);
    let gates = [&reference.reset_gate, &reference.update_gate, &reference.new_gate];
    let parts: Vec<_> = gates.iter().map(|g| parts(g)).collect();
    let cell = Cell::Gru(GruCell {
        input_to_gates: linear(
            Tensor::cat(parts.iter().map(|p| p.0.clone()).collect(), 1),
            Some(Tensor::cat(parts.iter().map(|p| p.1.clone()).collect(), 0)),
        ),
        hidden_to_gates: linear(
            Tensor::cat(parts.iter().map(|p| p.2.clone()).collect(), 1),
            Some(Tensor::cat(parts.iter().map(|p| p.3.clone()).collect(), 0)),
        ),
        hidden_size: hidden,
    });
    let x = Tensor::<3>::random([2, 7, d_in], Distribution::Normal(0.0, 1.0), &device);
    let expected = reference.forward(x.clone(), None);
    let (outputs, _) = cell.run(x, ones_mask(2, 7, &device), cell.zero_state(2, &device));
    assert_close(outputs, expected, 1e-5);
}

/// `L = Σ_t Σ_k w_tk · h_tk` for fixed random `w`, as a function of the input weights.
fn cell_loss(cell: &Cell, x: &Tensor<3>, w: &Tensor<3>) -> Tensor<1> {
    let [b, l, _] = x.dims();
    let (outputs, _) = cell.run(x.clone(), ones_mask(b, l, &x.device()), cell.zero_state(b, &x.device()));
    (outputs * w.clone()).sum()
}

fn with_input_weight(cell: &Cell, weight: Tensor<2>) -> Cell {
    let swap = |l: &Linear| linear(weight.clone(), l.bias.as_ref().map(|b| b.val()));
    match cell {
        Cell::Lstm(c) => Cell::Lstm(LstmCell { input_to_gates: swap(&c.input_to_gates), hidden_to_gates: c.hidden_to_gates.clone(), hidden_size: c.hidden_size }),
        Cell::Gru(c) => Cell::Gru(GruCell { input_to_gates: swap(&c.input_to_gates), hidden_to_gates: c.hidden_to_gates.clone(), hidden_size: c.hidden_size }),
    }
}

fn input_weight(cell: &Cell) -> Tensor<2> {
    match cell {
        Cell::Lstm(c) => c.input_to_gates.weight.val(),
        Cell::Gru(c) => c.input_to_gates.weight.val(),
    }
}

#[test]
fn cell_gradients_match_finite_differences() {
    for kind in [CellKind::Lstm, CellKind::Gru] {
        let plain = Device::flex();
        let device = plain.clone().autodiff();
        device.seed(5);
        let cell = Cell::new(kind, 3, 4, &device);
        let x = Tensor::<3>::random([2, 4, 3], Distribution::Normal(0.0, 1.0), &device);
        let w = Tensor::<3>::random([2, 4, 4], Distribution::Normal(0.0, 1.0), &device);
        let weight = input_weight(&cell);
        let grads = cell_loss(&cell, &x, &w).backward();
        let analytic = weight.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();

        let base = weight.inner().into_data().try_to_vec::<f32>().unwrap();
        let shape = [3, base.len() / 3];
        let (x, w) = (x.inner(), w.inner());
        let plain_cell = burn::module::Module::valid(&cell);
        let eps = 1e-2f32;
        for index in [0, 5, 11, base.len() - 1] {
            let loss_at = |delta: f32| {
                let mut values = base.clone();
                values[index] += delta;
                let perturbed = with_input_weight(&plain_cell, Tensor::from_data(TensorData::new(values, shape), &plain));
                cell_loss(&perturbed, &x, &w).into_scalar::<f32>()
            };
            let numeric = (loss_at(eps) - loss_at(-eps)) / (2.0 * eps);
            let error = (numeric - analytic[index]).abs() / numeric.abs().max(analytic[index].abs()).max(1e-2);
            assert!(error < 2e-2, "{kind:?} weight {index}: numeric {numeric}, autodiff {}", analytic[index]);
        }
    }
}

#[test]
fn padding_never_reaches_the_state() {
    let device = Device::flex();
    device.seed(6);
    for kind in [CellKind::Lstm, CellKind::Gru] {
        let cell = Cell::new(kind, 3, 5, &device);
        let x = Tensor::<3>::random([1, 4, 3], Distribution::Normal(0.0, 1.0), &device);
        let padding = Tensor::<3>::random([1, 3, 3], Distribution::Normal(0.0, 1.0), &device);
        let padded = Tensor::cat(vec![x.clone(), padding], 1);
        let mask = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0], [1, 7]), &device);
        let (_, unpadded_state) = cell.run(x, ones_mask(1, 4, &device), cell.zero_state(1, &device));
        let (_, padded_state) = cell.run(padded, mask, cell.zero_state(1, &device));
        assert_close(padded_state.hidden.unsqueeze_dim(0), unpadded_state.hidden.unsqueeze_dim(0), 1e-6);
    }
}

fn toy_batch(device: &Device) -> Batch {
    let pairs = [
        EncodedPair { index: 0, source: vec![5, 6, 7, 8], target: vec![9, 10, 11] },
        EncodedPair { index: 1, source: vec![6, 7], target: vec![12, 13, 9, 10, 11] },
    ];
    Batch::new(&pairs.iter().collect::<Vec<_>>(), device)
}

#[test]
fn untrained_loss_starts_near_ln_vocabulary_size() {
    let device = Device::flex();
    device.seed(7);
    let vocab = 50;
    let model = EncoderDecoder::init(&EncDecConfig::default(), ModelDims { source_vocab: 30, target_vocab: vocab }, &device);
    let batch = toy_batch(&device);
    let logits = model.forward(&batch, &[true; 6]);
    assert_eq!(logits.dims(), [2, 6, vocab]);
    let loss = masked_cross_entropy(logits, batch.target_output, batch.target_mask, 0.0).into_scalar::<f64>();
    let expected = (vocab as f64).ln();
    assert!((loss - expected).abs() < 0.1 * expected, "loss {loss}, ln V = {expected}");
}

#[test]
fn source_padding_does_not_change_a_translation() {
    let device = Device::flex();
    device.seed(8);
    let config = EncDecConfig { cell: CellKind::Gru, hidden_size: 16, embedding_size: 8, ..Default::default() };
    let model = EncoderDecoder::init(&config, ModelDims { source_vocab: 30, target_vocab: 20 }, &device);
    let model = burn::module::Module::valid(&model);
    let short = EncodedPair { index: 0, source: vec![6, 7], target: vec![] };
    let long = EncodedPair { index: 1, source: vec![5, 6, 7, 8, 9, 10, 11], target: vec![] };
    let alone = model.generate(&Batch::new(&[&short], &device), 8);
    let padded = model.generate(&Batch::new(&[&short, &long], &device), 8);
    assert_eq!(alone.tokens[0], padded.tokens[0]);
}
