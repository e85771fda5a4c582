//! Numerical checks: the hand-written cells against burn's `Lstm` / `Gru` / `BiLstm` with the
//! same weights, their gradients against finite differences, padding that never leaks into
//! states.

use burn::module::Param;
use burn::nn::{GateController, GruConfig, Linear, LstmConfig};
use burn::tensor::{Device, Distribution, Tensor, TensorData};

use crate::cell::{Cell, CellKind, GruCell, LstmCell, State};

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
    let gates =
        [&reference.input_gate, reference.forget_gate.as_ref().unwrap(), &reference.output_gate, &reference.cell_gate];
    let parts: Vec<_> = gates.iter().map(|g| parts(g)).collect();
    let cell = Cell::Lstm(LstmCell {
        input_to_gates: linear(
            Tensor::cat(parts.iter().map(|p| p.0.clone()).collect(), 1),
            Some(Tensor::cat(parts.iter().map(|p| p.1.clone() + p.3.clone()).collect(), 0)),
        ),
        hidden_to_gates: linear(Tensor::cat(parts.iter().map(|p| p.2.clone()).collect(), 1), None),
        hidden_size: hidden,
        fused: false,
    });
    let x = Tensor::<3>::random([3, 5, d_in], Distribution::Normal(0.0, 1.0), &device);
    let (expected, expected_state) = reference.forward(x.clone(), None);
    for cell in [cell.clone(), cell.with_fused(true)] {
        let (outputs, state) = cell.run(x.clone(), ones_mask(3, 5, &device), cell.zero_state(3, &device), false);
        assert_close(outputs, expected.clone(), 1e-5);
        assert_close(state.memory.unwrap().unsqueeze_dim(0), expected_state.cell.clone().unsqueeze_dim(0), 1e-5);
    }
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
        fused: false,
    });
    let x = Tensor::<3>::random([2, 7, d_in], Distribution::Normal(0.0, 1.0), &device);
    let expected = reference.forward(x.clone(), None);
    for cell in [cell.clone(), cell.with_fused(true)] {
        let (outputs, _) = cell.run(x.clone(), ones_mask(2, 7, &device), cell.zero_state(2, &device), false);
        assert_close(outputs, expected.clone(), 1e-5);
    }
}

/// `L = Σ_t Σ_k w_tk · h_tk` for fixed random `w`, as a function of the input weights.
fn cell_loss(cell: &Cell, x: &Tensor<3>, w: &Tensor<3>) -> Tensor<1> {
    let [b, l, _] = x.dims();
    let (outputs, _) = cell.run(x.clone(), ones_mask(b, l, &x.device()), cell.zero_state(b, &x.device()), false);
    (outputs * w.clone()).sum()
}

fn with_input_weight(cell: &Cell, weight: Tensor<2>) -> Cell {
    let swap = |l: &Linear| linear(weight.clone(), l.bias.as_ref().map(|b| b.val()));
    match cell {
        Cell::Rnn(_) => unreachable!("Elman's cell is checked in seq2seq-rnn"),
        Cell::Lstm(c) => Cell::Lstm(LstmCell {
            input_to_gates: swap(&c.input_to_gates),
            hidden_to_gates: c.hidden_to_gates.clone(),
            hidden_size: c.hidden_size,
            fused: c.fused,
        }),
        Cell::Gru(c) => Cell::Gru(GruCell {
            input_to_gates: swap(&c.input_to_gates),
            hidden_to_gates: c.hidden_to_gates.clone(),
            hidden_size: c.hidden_size,
            fused: c.fused,
        }),
    }
}

fn input_weight(cell: &Cell) -> Tensor<2> {
    match cell {
        Cell::Rnn(c) => c.input_to_hidden.weight.val(),
        Cell::Lstm(c) => c.input_to_gates.weight.val(),
        Cell::Gru(c) => c.input_to_gates.weight.val(),
    }
}

#[test]
fn cell_gradients_match_finite_differences() {
    for (kind, fused) in
        [(CellKind::Lstm, false), (CellKind::Gru, false), (CellKind::Lstm, true), (CellKind::Gru, true)]
    {
        let plain = Device::flex();
        let device = plain.clone().autodiff();
        device.seed(5);
        let cell = Cell::new(kind, 3, 4, &device).with_fused(fused);
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
                let perturbed =
                    with_input_weight(&plain_cell, Tensor::from_data(TensorData::new(values, shape), &plain));
                cell_loss(&perturbed, &x, &w).into_scalar::<f32>()
            };
            let numeric = (loss_at(eps) - loss_at(-eps)) / (2.0 * eps);
            let error = (numeric - analytic[index]).abs() / numeric.abs().max(analytic[index].abs()).max(1e-2);
            assert!(error < 2e-2, "{kind:?} weight {index}: numeric {numeric}, autodiff {}", analytic[index]);
        }
    }
}

/// Two sentences of 4 and 7 words in one batch, the first padded: each sentence's final hidden
/// state and memory cell equal its run alone (LSTM and GRU, readable and fused).
#[test]
fn padding_never_reaches_the_state() {
    let device = Device::flex();
    device.seed(6);
    for (kind, fused) in
        [(CellKind::Lstm, false), (CellKind::Gru, false), (CellKind::Lstm, true), (CellKind::Gru, true)]
    {
        let cell = Cell::new(kind, 3, 5, &device).with_fused(fused);
        let short = Tensor::<3>::random([1, 4, 3], Distribution::Normal(0.0, 1.0), &device);
        let long = Tensor::<3>::random([1, 7, 3], Distribution::Normal(0.0, 1.0), &device);
        let padding = Tensor::<3>::random([1, 3, 3], Distribution::Normal(0.0, 1.0), &device);
        let batch = Tensor::cat(vec![Tensor::cat(vec![short.clone(), padding], 1), long.clone()], 0);
        let real: Vec<f32> = (0..14).map(|i| if i < 4 || i >= 7 { 1.0 } else { 0.0 }).collect();
        let mask = Tensor::<2>::from_data(TensorData::new(real, [2, 7]), &device);
        let (_, together) = cell.run(batch, mask, cell.zero_state(2, &device), false);
        let (_, alone_short) = cell.run(short, ones_mask(1, 4, &device), cell.zero_state(1, &device), false);
        let (_, alone_long) = cell.run(long, ones_mask(1, 7, &device), cell.zero_state(1, &device), false);
        let alone = |a: Tensor<2>, b: Tensor<2>| Tensor::cat(vec![a, b], 0).unsqueeze_dim(0);
        let expected = alone(alone_short.hidden, alone_long.hidden);
        assert_close(together.hidden.unsqueeze_dim(0), expected, 1e-6);
        match (together.memory, alone_short.memory, alone_long.memory) {
            (Some(m), Some(a), Some(b)) => assert_close(m.unsqueeze_dim(0), alone(a, b), 1e-6),
            (None, None, None) => assert_eq!(kind, CellKind::Gru),
            _ => panic!("{kind:?}: a memory cell in one run and not the other"),
        }
    }
}

fn flat<const D: usize>(tensor: Option<Tensor<D>>) -> Vec<f32> {
    tensor.expect("a gradient").into_data().try_to_vec::<f32>().unwrap()
}

/// The gradients of `W_x`, `b_x`, `W_h` (and `b_h`) after a backward pass.
fn weight_gradients(cell: &Cell, grads: &burn::tensor::Gradients) -> Vec<Vec<f32>> {
    let (input, hidden) = match cell {
        Cell::Rnn(c) => (&c.input_to_hidden, &c.hidden_to_hidden),
        Cell::Lstm(c) => (&c.input_to_gates, &c.hidden_to_gates),
        Cell::Gru(c) => (&c.input_to_gates, &c.hidden_to_gates),
    };
    let mut out = Vec::new();
    for linear in [input, hidden] {
        out.push(flat(linear.weight.val().grad(grads)));
        if let Some(bias) = &linear.bias {
            out.push(flat(bias.val().grad(grads)));
        }
    }
    out
}

/// The fused operation against the readable cell it replaces: outputs, final states, one
/// decoder-style step, and the gradients of every weight, the inputs and the initial state —
/// padded sentences, both directions, all three cells.
#[test]
fn fused_cells_match_the_readable_cells_and_their_gradients() {
    let device = Device::flex().autodiff();
    device.seed(7);
    let (batch, len, d_in, hidden) = (3, 5, 3, 4);
    let lengths = [5, 3, 1];
    let mask: Vec<f32> = (0..batch).flat_map(|b| (0..len).map(move |t| f32::from(u8::from(t < lengths[b])))).collect();
    let mask = Tensor::<2>::from_data(TensorData::new(mask, [batch, len]), &device);
    let normal = |shape: [usize; 2]| Tensor::<2>::random(shape, Distribution::Normal(0.0, 1.0), &device);
    for kind in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        for reverse in [false, true] {
            let readable = Cell::new(kind, d_in, hidden, &device);
            let x = Tensor::<3>::random([batch, len, d_in], Distribution::Normal(0.0, 1.0), &device).require_grad();
            let h0 = normal([batch, hidden]).require_grad();
            let c0 = normal([batch, hidden]).require_grad();
            let initial = State { hidden: h0.clone(), memory: (kind == CellKind::Lstm).then(|| c0.clone()) };
            let w = Tensor::<3>::random([batch, len, hidden], Distribution::Normal(0.0, 1.0), &device);
            let v = normal([batch, hidden]);
            let run = |cell: &Cell| {
                let (outputs, last) = cell.run(x.clone(), mask.clone(), initial.clone(), reverse);
                let step_input = cell.project_inputs(x.clone().narrow(1, 1, 1).squeeze_dim::<2>(1));
                let stepped = cell.step(step_input, &initial);
                let mut loss = (outputs.clone() * w.clone()).sum()
                    + (last.hidden.clone() * v.clone()).sum()
                    + (stepped.hidden.clone() * v.clone()).sum().mul_scalar(0.5);
                if let (Some(m), Some(s)) = (last.memory.clone(), stepped.memory.clone()) {
                    loss = loss + (m * v.clone()).sum().mul_scalar(0.3) + (s * v.clone()).sum().mul_scalar(0.7);
                }
                let grads = loss.backward();
                let mut values = vec![
                    outputs.inner().into_data().try_to_vec::<f32>().unwrap(),
                    last.hidden.inner().into_data().try_to_vec::<f32>().unwrap(),
                    stepped.hidden.inner().into_data().try_to_vec::<f32>().unwrap(),
                    flat(x.grad(&grads)),
                    flat(h0.grad(&grads)),
                ];
                if kind == CellKind::Lstm {
                    values.push(flat(c0.grad(&grads)));
                }
                values.extend(weight_gradients(cell, &grads));
                values
            };
            let expected = run(&readable);
            let fused = readable.clone().with_fused(true);
            assert!(fused.fused() && !readable.fused());
            let got = run(&fused);
            assert_eq!(expected.len(), got.len());
            for (n, (e, g)) in expected.iter().zip(&got).enumerate() {
                assert_eq!(e.len(), g.len(), "{kind:?} reverse={reverse} value {n}");
                let worst = e.iter().zip(g).map(|(a, b)| (a - b).abs() / (1.0 + a.abs())).fold(0.0f32, f32::max);
                assert!(worst < 1e-5, "{kind:?} reverse={reverse}: value {n} differs by {worst}");
            }
        }
    }
}
