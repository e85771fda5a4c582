//! Recurrent cells written from tensor operations, to be read against their equations: the
//! LSTM and the GRU here, and Elman's cell from `seq2seq-rnn`, behind one [`Cell`] enum that the
//! later architectures (BiRNN, encoder-decoders) build on.
//!
//! Each cell splits its work in two: [`Cell::project_inputs`] computes `x·W_x + b` for every
//! time step in one matrix product, and [`Cell::step`] adds the recurrent part `h·W_h` one step
//! at a time. The gate weights are stacked side by side in one matrix.
//!
//! A cell made [`with_fused`](Cell::with_fused) runs [`Cell::run`] and [`Cell::step`] as one
//! operation of `seq2seq-kernels` instead (same equations, a hand-written backward pass); the
//! tests hold the two together.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{sigmoid, tanh};
use burn::tensor::{Device, Int, Tensor};
use seq2seq_kernels::{Recurrence, recurrent_layer};
use seq2seq_rnn::ElmanCell;
use serde::{Deserialize, Serialize};

/// Recurrent state, `[batch, hidden]` each.
#[derive(Clone, Debug)]
pub struct State {
    /// `h_t`.
    pub hidden: Tensor<2>,
    /// `c_t`, the LSTM's memory cell (GRUs have none).
    pub memory: Option<Tensor<2>>,
}

impl State {
    /// Keeps rows `rows` `[new_rows]` of the state, in that order (beam search copies hypotheses).
    pub fn select(self, rows: Tensor<1, Int>) -> State {
        State { hidden: self.hidden.select(0, rows.clone()), memory: self.memory.map(|m| m.select(0, rows)) }
    }

    /// Keeps the old state where `keep_new` is 0: `s = s_old + m ⊙ (s_new − s_old)`, `m`: `[batch, 1]`.
    /// Padded positions thus never change a sentence's state.
    pub fn masked_update(self, new: State, keep_new: Tensor<2>) -> State {
        // BEGIN SOLUTION masked-run
        let blend = |old: Tensor<2>, new: Tensor<2>| old.clone() + (new - old) * keep_new.clone();
        State {
            hidden: blend(self.hidden, new.hidden),
            memory: match (self.memory, new.memory) {
                (Some(old), Some(new)) => Some(blend(old, new)),
                _ => None,
            },
        }
        // END SOLUTION masked-run
    }
}

/// Which cell a recurrent network uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// Elman's simple recurrent cell (`seq2seq-rnn`).
    Rnn,
    #[default]
    Lstm,
    Gru,
}

/// Long short-term memory (Hochreiter & Schmidhuber 1997) with the forget gate of Gers,
/// Schmidhuber & Cummins 2000 (the 1997 cell had none: its memory could only grow), gates stacked
/// as `[i, f, o, g]` (the three sigmoid gates first, so one sigmoid covers them):
///
/// ```text
/// i = σ(x W_xi + h W_hi + b_i)      input gate
/// f = σ(x W_xf + h W_hf + b_f)      forget gate
/// g = tanh(x W_xg + h W_hg + b_g)   candidate memory
/// o = σ(x W_xo + h W_ho + b_o)      output gate
/// c' = f ⊙ c + i ⊙ g                memory: keep some, write some
/// h' = o ⊙ tanh(c')                 expose some
/// ```
#[derive(Module, Debug)]
pub struct LstmCell {
    /// `W_x` and `b`: `[d_input, 4·hidden]`.
    pub input_to_gates: Linear,
    /// `W_h`: `[hidden, 4·hidden]`, no bias (one bias per gate is enough).
    pub hidden_to_gates: Linear,
    pub hidden_size: usize,
    /// Run as the fused operation (see [`Cell::with_fused`]).
    pub fused: bool,
}

/// Gated recurrent unit (Cho et al. 2014, the reset gate applied after `W_h` as in PyTorch and
/// burn's default), gates stacked as `[r, z, n]`:
///
/// ```text
/// r = σ(x W_xr + b_xr + h W_hr + b_hr)            reset gate
/// z = σ(x W_xz + b_xz + h W_hz + b_hz)            update gate
/// n = tanh(x W_xn + b_xn + r ⊙ (h W_hn + b_hn))   candidate state
/// h' = (1 − z) ⊙ n + z ⊙ h
/// ```
#[derive(Module, Debug)]
pub struct GruCell {
    /// `W_x` and `b_x`: `[d_input, 3·hidden]`.
    pub input_to_gates: Linear,
    /// `W_h` and `b_h`: `[hidden, 3·hidden]`.
    pub hidden_to_gates: Linear,
    pub hidden_size: usize,
    /// Run as the fused operation (see [`Cell::with_fused`]).
    pub fused: bool,
}

#[derive(Module, Debug)]
pub enum Cell {
    Rnn(ElmanCell),
    Lstm(LstmCell),
    Gru(GruCell),
}

impl Cell {
    /// The readable cell, operation by operation; see [`with_fused`](Self::with_fused).
    pub fn new(kind: CellKind, d_input: usize, hidden: usize, device: &Device) -> Self {
        let gates = match kind {
            CellKind::Rnn => return Cell::Rnn(ElmanCell::new(d_input, hidden, device)),
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        };
        let input_to_gates = LinearConfig::new(d_input, gates * hidden).init(device);
        let hidden_to_gates = LinearConfig::new(hidden, gates * hidden).with_bias(kind == CellKind::Gru).init(device);
        match kind {
            CellKind::Gru => Cell::Gru(GruCell { input_to_gates, hidden_to_gates, hidden_size: hidden, fused: false }),
            _ => Cell::Lstm(LstmCell { input_to_gates, hidden_to_gates, hidden_size: hidden, fused: false }),
        }
    }

    /// With `fused`, [`run`](Self::run) and [`step`](Self::step) compute the same equations as
    /// one operation with a hand-written backward pass (`seq2seq_kernels::recurrent_layer`),
    /// several times faster; on a backend it does not cover they fall back to the readable cell.
    pub fn with_fused(self, fused: bool) -> Self {
        match self {
            Cell::Rnn(cell) => Cell::Rnn(cell.with_fused(fused)),
            Cell::Lstm(cell) => Cell::Lstm(LstmCell { fused, ..cell }),
            Cell::Gru(cell) => Cell::Gru(GruCell { fused, ..cell }),
        }
    }

    pub fn fused(&self) -> bool {
        match self {
            Cell::Rnn(c) => c.fused,
            Cell::Lstm(c) => c.fused,
            Cell::Gru(c) => c.fused,
        }
    }

    /// The fused layer over projected inputs `[batch, len, gates·hidden]`: every position's
    /// hidden state `[batch, len, hidden]` and the state after the last real token (the first,
    /// with `reverse`); `None` on a backend the fused operation does not cover.
    fn run_fused(
        &self,
        projected: Tensor<3>,
        mask: Option<Tensor<2>>,
        initial: &State,
        reverse: bool,
    ) -> Option<(Tensor<3>, State)> {
        let (kind, weight, bias) = match self {
            Cell::Rnn(c) => (Recurrence::Elman, c.hidden_to_hidden.weight.val(), None),
            Cell::Lstm(c) => (Recurrence::Lstm, c.hidden_to_gates.weight.val(), None),
            Cell::Gru(c) => {
                (Recurrence::Gru, c.hidden_to_gates.weight.val(), c.hidden_to_gates.bias.as_ref().map(|b| b.val()))
            }
        };
        let [_, len, _] = projected.dims();
        let h = self.hidden_size();
        let (hidden, memory) = (initial.hidden.clone(), initial.memory.clone());
        let outputs = recurrent_layer(kind, projected, weight, bias, hidden, memory, mask, reverse)?; // [batch, len, (1|2)·hidden]
        // Padding carries the state, so the last position read holds every sentence's final state.
        let last: Tensor<2> = outputs.clone().narrow(1, if reverse { 0 } else { len - 1 }, 1).squeeze_dim(1);
        let state = State {
            hidden: last.clone().narrow(1, 0, h),
            memory: (kind == Recurrence::Lstm).then(|| last.narrow(1, h, h)),
        };
        let hidden_states = if kind == Recurrence::Lstm { outputs.narrow(2, 0, h) } else { outputs };
        Some((hidden_states, state))
    }

    pub fn hidden_size(&self) -> usize {
        match self {
            Cell::Rnn(c) => c.hidden_size,
            Cell::Lstm(c) => c.hidden_size,
            Cell::Gru(c) => c.hidden_size,
        }
    }

    /// The all-zero initial state.
    pub fn zero_state(&self, batch: usize, device: &Device) -> State {
        let zeros = || Tensor::zeros([batch, self.hidden_size()], device);
        State { hidden: zeros(), memory: matches!(self, Cell::Lstm(_)).then(zeros) }
    }

    /// `x·W_x + b` for inputs of any rank: `[…, d_input]` → `[…, gates·hidden]`.
    pub fn project_inputs<const D: usize>(&self, inputs: Tensor<D>) -> Tensor<D> {
        match self {
            Cell::Rnn(c) => c.project_inputs(inputs),
            Cell::Lstm(c) => c.input_to_gates.forward(inputs),
            Cell::Gru(c) => c.input_to_gates.forward(inputs),
        }
    }

    /// One time step from projected inputs `[batch, gates·hidden]`.
    pub fn step(&self, projected: Tensor<2>, state: &State) -> State {
        if self.fused()
            && let Some((_, state)) = self.run_fused(projected.clone().unsqueeze_dim(1), None, state, false)
        {
            return state;
        }
        match self {
            Cell::Rnn(cell) => State { hidden: cell.step(projected, state.hidden.clone()), memory: None },
            Cell::Lstm(cell) => {
                // BEGIN SOLUTION lstm-step
                let gates = projected + cell.hidden_to_gates.forward(state.hidden.clone());
                let h = cell.hidden_size;
                let sigmoid_gates = sigmoid(gates.clone().narrow(1, 0, 3 * h)); // [batch, 3·hidden]
                let [i, f, o]: [Tensor<2>; 3] = sigmoid_gates.chunk(3, 1).try_into().expect("three gates");
                let g = tanh(gates.narrow(1, 3 * h, h));
                let memory = state.memory.clone().expect("an LSTM state has a memory cell");
                let memory = f * memory + i * g;
                State { hidden: o * tanh(memory.clone()), memory: Some(memory) }
                // END SOLUTION lstm-step
            }
            Cell::Gru(cell) => {
                // BEGIN SOLUTION gru-step
                let [xr, xz, xn]: [Tensor<2>; 3] = projected.chunk(3, 1).try_into().expect("three gates");
                let [hr, hz, hn]: [Tensor<2>; 3] =
                    cell.hidden_to_gates.forward(state.hidden.clone()).chunk(3, 1).try_into().expect("three gates");
                let r = sigmoid(xr + hr);
                let z = sigmoid(xz + hz);
                let n = tanh(xn + r * hn);
                let hidden = (z.clone().neg() + 1.0) * n + z * state.hidden.clone();
                State { hidden, memory: None }
                // END SOLUTION gru-step
            }
        }
    }

    /// Runs the cell over a padded sequence, left to right (right to left with `reverse`).
    /// `inputs`: `[batch, len, d_input]`, `mask`: `[batch, len]` (1 at real tokens; elsewhere the
    /// state is carried through unchanged, so padding never reaches it). Returns every
    /// position's hidden state `[batch, len, hidden]` and the state after the last real token
    /// read (the first word, with `reverse`).
    pub fn run(&self, inputs: Tensor<3>, mask: Tensor<2>, initial: State, reverse: bool) -> (Tensor<3>, State) {
        let [batch, len, _] = inputs.dims();
        let projected = self.project_inputs(inputs); // [batch, len, gates·hidden]
        if len == 0 {
            return (Tensor::zeros([batch, 0, self.hidden_size()], &projected.device()), initial);
        }
        if self.fused()
            && let Some(result) = self.run_fused(projected.clone(), Some(mask.clone()), &initial, reverse)
        {
            return result;
        }
        // Positions every sentence reaches need no masking (most of them, with length bucketing).
        let shortest =
            mask.clone().sum_dim(1).try_into_vec_as::<f32>().expect("lengths").into_iter().fold(f32::MAX, f32::min);
        let mut state = initial;
        let mut outputs = vec![None; len];
        let order: Vec<usize> = if reverse { (0..len).rev().collect() } else { (0..len).collect() };
        for t in order {
            let x_t: Tensor<2> = projected.clone().narrow(1, t, 1).squeeze_dim(1);
            let new = self.step(x_t, &state);
            state = if (t as f32) < shortest { new } else { state.masked_update(new, mask.clone().narrow(1, t, 1)) };
            outputs[t] = Some(state.hidden.clone());
        }
        let outputs = Tensor::stack(outputs.into_iter().map(|o| o.expect("every position visited")).collect(), 1);
        (outputs, state)
    }
}
