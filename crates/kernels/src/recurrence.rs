//! A whole recurrent layer — Elman, LSTM or GRU — over a padded batch, forward and backward
//! through time, on plain `f32` slices. The readable cells (`seq2seq-rnn`, `seq2seq-lstm`) compute
//! the same thing one tensor operation at a time; tests hold the two together.
//!
//! Layouts: `projected` `[batch, len, gates·hidden]` is `x_t W_x + b` for every position (gate
//! blocks side by side: Elman `[a]`, LSTM `[i, f, o, g]`, GRU `[r, z, n]`), `weight` `W_h` is
//! `[hidden, gates·hidden]` (`h W_h`, as burn's `Linear`), `mask` `[batch, len]` is 1 at real
//! tokens. Where the mask is 0 the state is carried through unchanged, so padding never reaches
//! it. The output is `[batch, len, outputs·hidden]`: `h_t`, then `c_t` for the LSTM.
//!
//! What makes it fast: one product `h W_h` per step and one for `W_h`'s gradient over all steps
//! (instead of one per step), the activated gates kept from the forward pass (not recomputed in
//! the backward), vectorised `σ` and `tanh` ([`activation`](crate::activation)), and no
//! per-operation bookkeeping.

use crate::activation::{sigmoid_into, tanh_into};
use crate::matmul::matmul;

/// Which recurrence a layer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// `h' = tanh(x W_x + b + h W_h)`.
    Elman,
    /// Gates `[i, f, o, g]`: `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ tanh(c')`.
    Lstm,
    /// Gates `[r, z, n]`: `n = tanh(x W_xn + b_xn + r ⊙ (h W_hn + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`.
    Gru,
}

impl Recurrence {
    /// Gate blocks in the projected inputs and in `W_h`.
    pub fn gates(self) -> usize {
        match self {
            Recurrence::Elman => 1,
            Recurrence::Lstm => 4,
            Recurrence::Gru => 3,
        }
    }

    /// Values per position in the output: `h`, and `c` for the LSTM.
    pub fn outputs(self) -> usize {
        if self == Recurrence::Lstm { 2 } else { 1 }
    }
}

/// The sizes of one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub kind: Recurrence,
    pub batch: usize,
    pub len: usize,
    pub hidden: usize,
    /// Right to left (the backward direction of a bidirectional layer).
    pub reverse: bool,
}

impl Dims {
    fn width(&self) -> usize {
        self.kind.gates() * self.hidden
    }

    /// The position read at step `step` of the recurrence.
    fn position(&self, step: usize) -> usize {
        if self.reverse { self.len - 1 - step } else { step }
    }
}

/// A layer's inputs; `bias` is `W_h`'s bias (the GRU's `b_h`), `memory` the LSTM's `c_0`.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    pub projected: &'a [f32],
    pub weight: &'a [f32],
    pub bias: Option<&'a [f32]>,
    pub hidden: &'a [f32],
    pub memory: Option<&'a [f32]>,
    pub mask: &'a [f32],
}

/// What the forward pass keeps for the backward pass, position-major (`[len, batch, …]`).
#[derive(Clone, Debug)]
pub struct Saved {
    pub dims: Dims,
    /// `h_{t−1}` as read at each position, `[len, batch, hidden]`.
    previous_hidden: Vec<f32>,
    /// `c_{t−1}` (LSTM), `[len, batch, hidden]`.
    previous_memory: Vec<f32>,
    /// Activated gates, `[len, batch, gates·hidden]`.
    gates: Vec<f32>,
    /// LSTM: `tanh(c_t)`; GRU: `h W_hn + b_hn`. `[len, batch, hidden]`.
    extra: Vec<f32>,
    mask: Vec<f32>,
    weight: Vec<f32>,
}

/// Gradients of the loss with respect to each input (`bias` and `memory` when given).
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    pub projected: Vec<f32>,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub hidden: Vec<f32>,
    pub memory: Vec<f32>,
}

/// `a += b`, element by element.
fn add(a: &mut [f32], b: &[f32]) {
    for (a, b) in a.iter_mut().zip(b) {
        *a += b;
    }
}

/// Runs the layer; returns the output `[batch, len, outputs·hidden]` and what the backward
/// pass needs.
pub fn forward(dims: Dims, inputs: Inputs) -> (Vec<f32>, Saved) {
    let Dims { kind, batch, len, hidden: h, .. } = dims;
    let width = dims.width();
    let outputs = kind.outputs();
    let mut state = inputs.hidden.to_vec(); // [batch, hidden]
    let mut memory = inputs.memory.map_or_else(|| vec![0.0; batch * h], <[f32]>::to_vec);
    let mut output = vec![0.0; batch * len * outputs * h];
    let mut saved = Saved {
        dims,
        previous_hidden: vec![0.0; len * batch * h],
        previous_memory: if kind == Recurrence::Lstm { vec![0.0; len * batch * h] } else { Vec::new() },
        gates: vec![0.0; len * batch * width],
        extra: if kind == Recurrence::Elman { Vec::new() } else { vec![0.0; len * batch * h] },
        mask: inputs.mask.to_vec(),
        weight: inputs.weight.to_vec(),
    };
    let mut recurrent = vec![0.0; batch * width]; // h_{t−1} W_h, [batch, gates·hidden]
    for step in 0..len {
        let p = dims.position(step);
        let block = p * batch * h..(p + 1) * batch * h;
        saved.previous_hidden[block.clone()].copy_from_slice(&state);
        if kind == Recurrence::Lstm {
            saved.previous_memory[block.clone()].copy_from_slice(&memory);
        }
        matmul(batch, h, width, &state, false, inputs.weight, false, &mut recurrent);
        for row in 0..batch {
            let x = &inputs.projected[(row * len + p) * width..][..width];
            let a = &mut recurrent[row * width..][..width]; // pre-activations, gate by gate
            let gates = &mut saved.gates[(p * batch + row) * width..][..width];
            let keep = inputs.mask[row * len + p] > 0.5;
            let hs = &mut state[row * h..][..h];
            let cs = &mut memory[row * h..][..h];
            match kind {
                Recurrence::Elman => {
                    add(a, x);
                    tanh_into(a, gates);
                    if keep {
                        hs.copy_from_slice(gates);
                    }
                }
                Recurrence::Lstm => {
                    add(a, x);
                    sigmoid_into(&a[..3 * h], &mut gates[..3 * h]);
                    tanh_into(&a[3 * h..], &mut gates[3 * h..]);
                    let (ifo, g) = gates.split_at(3 * h);
                    let (i, f, o) = (&ifo[..h], &ifo[h..2 * h], &ifo[2 * h..]);
                    let c = &mut a[..h]; // reused: c_t
                    for k in 0..h {
                        c[k] = f[k] * cs[k] + i[k] * g[k];
                    }
                    let tanh_c = &mut saved.extra[(p * batch + row) * h..][..h];
                    tanh_into(c, tanh_c);
                    if keep {
                        cs.copy_from_slice(c);
                        for k in 0..h {
                            hs[k] = o[k] * tanh_c[k];
                        }
                    }
                }
                Recurrence::Gru => {
                    if let Some(bias) = inputs.bias {
                        add(a, bias);
                    }
                    let hn = &mut saved.extra[(p * batch + row) * h..][..h];
                    hn.copy_from_slice(&a[2 * h..]); // h W_hn + b_hn
                    add(&mut a[..2 * h], &x[..2 * h]);
                    sigmoid_into(&a[..2 * h], &mut gates[..2 * h]);
                    for k in 0..h {
                        a[2 * h + k] = x[2 * h + k] + gates[k] * hn[k];
                    }
                    tanh_into(&a[2 * h..], &mut gates[2 * h..]);
                    if keep {
                        let (z, n) = (&gates[h..2 * h], &gates[2 * h..]);
                        for k in 0..h {
                            hs[k] = (1.0 - z[k]) * n[k] + z[k] * hs[k];
                        }
                    }
                }
            }
            let out = &mut output[(row * len + p) * outputs * h..][..outputs * h];
            out[..h].copy_from_slice(hs);
            if kind == Recurrence::Lstm {
                out[h..].copy_from_slice(cs);
            }
        }
    }
    (output, saved)
}

/// Backpropagation through time: the gradients of the inputs given the output's gradient
/// `grad_output` `[batch, len, outputs·hidden]`.
pub fn backward(saved: &Saved, grad_output: &[f32]) -> Gradients {
    let Dims { kind, batch, len, hidden: h, .. } = saved.dims;
    let width = saved.dims.width();
    let outputs = kind.outputs();
    let mut dh = vec![0.0; batch * h]; // ∂L/∂h_t flowing back from later steps
    let mut dc = vec![0.0; batch * h]; // ∂L/∂c_t (LSTM)
    let mut d_projected = vec![0.0; batch * len * width];
    // ∂L/∂(h_{t−1} W_h + b_h) per position, [len, batch, gates·hidden]
    let mut d_recurrent = vec![0.0; len * batch * width];
    let mut d_previous = vec![0.0; batch * h];
    for step in (0..len).rev() {
        let p = saved.dims.position(step);
        let mut direct = vec![0.0; batch * h]; // ∂h_t/∂h_{t−1} outside W_h (the GRU's z ⊙ h)
        for row in 0..batch {
            let g_out = &grad_output[(row * len + p) * outputs * h..][..outputs * h];
            for k in 0..h {
                dh[row * h + k] += g_out[k];
                if kind == Recurrence::Lstm {
                    dc[row * h + k] += g_out[h + k];
                }
            }
            if saved.mask[row * len + p] <= 0.5 {
                continue; // carried through: dh and dc pass on unchanged
            }
            let at = (p * batch + row) * width;
            let gates = &saved.gates[at..][..width];
            let d_proj = &mut d_projected[(row * len + p) * width..][..width];
            let d_rec = &mut d_recurrent[at..][..width];
            let dhs = &dh[row * h..][..h];
            match kind {
                Recurrence::Elman => {
                    for k in 0..h {
                        let da = dhs[k] * (1.0 - gates[k] * gates[k]);
                        (d_proj[k], d_rec[k]) = (da, da);
                    }
                }
                Recurrence::Lstm => {
                    let tanh_c = &saved.extra[(p * batch + row) * h..][..h];
                    let c_prev = &saved.previous_memory[(p * batch + row) * h..][..h];
                    for k in 0..h {
                        let (i, f, o, g) = (gates[k], gates[h + k], gates[2 * h + k], gates[3 * h + k]);
                        let dct = dc[row * h + k] + dhs[k] * o * (1.0 - tanh_c[k] * tanh_c[k]);
                        let da = [
                            dct * g * i * (1.0 - i),
                            dct * c_prev[k] * f * (1.0 - f),
                            dhs[k] * tanh_c[k] * o * (1.0 - o),
                            dct * i * (1.0 - g * g),
                        ];
                        for (block, value) in da.into_iter().enumerate() {
                            (d_proj[block * h + k], d_rec[block * h + k]) = (value, value);
                        }
                        dc[row * h + k] = dct * f;
                    }
                }
                Recurrence::Gru => {
                    let hn = &saved.extra[(p * batch + row) * h..][..h];
                    let h_prev = &saved.previous_hidden[(p * batch + row) * h..][..h];
                    for k in 0..h {
                        let (r, z, n) = (gates[k], gates[h + k], gates[2 * h + k]);
                        let dan = dhs[k] * (1.0 - z) * (1.0 - n * n);
                        let daz = dhs[k] * (h_prev[k] - n) * z * (1.0 - z);
                        let dar = dan * hn[k] * r * (1.0 - r);
                        (d_proj[k], d_proj[h + k], d_proj[2 * h + k]) = (dar, daz, dan);
                        (d_rec[k], d_rec[h + k], d_rec[2 * h + k]) = (dar, daz, dan * r);
                        direct[row * h + k] = dhs[k] * z;
                    }
                }
            }
        }
        // ∂L/∂h_{t−1} = ∂L/∂(h W_h) · W_hᵀ (+ the direct path); carried rows keep their dh.
        let d_rec = &d_recurrent[p * batch * width..][..batch * width];
        matmul(batch, width, h, d_rec, false, &saved.weight, true, &mut d_previous);
        for row in 0..batch {
            if saved.mask[row * len + p] > 0.5 {
                for k in 0..h {
                    dh[row * h + k] = d_previous[row * h + k] + direct[row * h + k];
                }
            }
        }
    }
    // ∂L/∂W_h = Σ_t h_{t−1}ᵀ · ∂L/∂(h_{t−1} W_h): one product over all positions.
    let mut d_weight = vec![0.0; h * width];
    matmul(h, len * batch, width, &saved.previous_hidden, true, &d_recurrent, false, &mut d_weight);
    let mut d_bias = vec![0.0; width];
    for chunk in d_recurrent.chunks(width) {
        for (total, value) in d_bias.iter_mut().zip(chunk) {
            *total += value;
        }
    }
    Gradients { projected: d_projected, weight: d_weight, bias: d_bias, hidden: dh, memory: dc }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::values;

    struct Case {
        dims: Dims,
        projected: Vec<f32>,
        weight: Vec<f32>,
        bias: Vec<f32>,
        hidden: Vec<f32>,
        memory: Vec<f32>,
        mask: Vec<f32>,
        /// The loss is `Σ weights ⊙ output`.
        loss_weights: Vec<f32>,
    }

    impl Case {
        fn new(kind: Recurrence, reverse: bool) -> Case {
            let (batch, len, hidden) = (3, 5, 4);
            let dims = Dims { kind, batch, len, hidden, reverse };
            let width = dims.width();
            // The second sentence has 3 real tokens, the third 1.
            let lengths = [5, 3, 1];
            let mask = (0..batch).flat_map(|b| (0..len).map(move |t| if t < lengths[b] { 1.0 } else { 0.0 })).collect();
            Case {
                dims,
                projected: values(batch * len * width, 1),
                weight: values(hidden * width, 2),
                bias: values(width, 3),
                hidden: values(batch * hidden, 4),
                memory: values(batch * hidden, 5),
                mask,
                loss_weights: values(batch * len * kind.outputs() * hidden, 6),
            }
        }

        fn inputs(&self) -> Inputs<'_> {
            Inputs {
                projected: &self.projected,
                weight: &self.weight,
                bias: (self.dims.kind == Recurrence::Gru).then_some(&self.bias[..]),
                hidden: &self.hidden,
                memory: (self.dims.kind == Recurrence::Lstm).then_some(&self.memory[..]),
                mask: &self.mask,
            }
        }

        fn loss(&self) -> f64 {
            let (output, _) = forward(self.dims, self.inputs());
            output.iter().zip(&self.loss_weights).map(|(o, w)| (*o as f64) * (*w as f64)).sum()
        }
    }

    /// Every gradient against central finite differences of the forward pass.
    fn check_gradients(kind: Recurrence, reverse: bool) {
        let case = Case::new(kind, reverse);
        let (_, saved) = forward(case.dims, case.inputs());
        let grads = backward(&saved, &case.loss_weights);
        let eps = 1e-2f32;
        let mut fields: Vec<(&str, fn(&mut Case) -> &mut Vec<f32>, &Vec<f32>)> = vec![
            ("projected", |c| &mut c.projected, &grads.projected),
            ("weight", |c| &mut c.weight, &grads.weight),
            ("hidden", |c| &mut c.hidden, &grads.hidden),
        ];
        if kind == Recurrence::Gru {
            fields.push(("bias", |c| &mut c.bias, &grads.bias));
        }
        if kind == Recurrence::Lstm {
            fields.push(("memory", |c| &mut c.memory, &grads.memory));
        }
        for (name, field, analytic) in fields {
            let mut case = Case::new(kind, reverse);
            for i in 0..analytic.len() {
                let original = field(&mut case)[i];
                field(&mut case)[i] = original + eps;
                let up = case.loss();
                field(&mut case)[i] = original - eps;
                let down = case.loss();
                field(&mut case)[i] = original;
                let numeric = (up - down) / (2.0 * eps as f64);
                let error = (numeric - analytic[i] as f64).abs();
                assert!(
                    error < 2e-3 * (1.0 + numeric.abs()),
                    "{kind:?} reverse={reverse} ∂L/∂{name}[{i}]: analytic {} vs numeric {numeric}",
                    analytic[i]
                );
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        for kind in [Recurrence::Elman, Recurrence::Lstm, Recurrence::Gru] {
            for reverse in [false, true] {
                check_gradients(kind, reverse);
            }
        }
    }

    #[test]
    fn padding_carries_the_state_and_gets_no_gradient() {
        for kind in [Recurrence::Elman, Recurrence::Lstm, Recurrence::Gru] {
            let case = Case::new(kind, false);
            let (output, saved) = forward(case.dims, case.inputs());
            let Dims { len, hidden: h, .. } = case.dims;
            let stride = kind.outputs() * h;
            // Sentence 2 (one real token): every padded position repeats position 0.
            let row = 2;
            for t in 1..len {
                assert_eq!(output[(row * len + t) * stride..][..stride], output[(row * len) * stride..][..stride]);
            }
            let grads = backward(&saved, &case.loss_weights);
            let width = kind.gates() * h;
            assert!(grads.projected[(row * len + 1) * width..(row + 1) * len * width].iter().all(|g| *g == 0.0));
        }
    }

    #[test]
    fn reverse_reads_right_to_left() {
        // One full sentence: reversing the positions of the inputs reverses the outputs.
        let case = Case::new(Recurrence::Lstm, true);
        let Dims { batch, len, hidden: h, .. } = case.dims;
        let width = case.dims.width();
        let mut flipped = Case::new(Recurrence::Lstm, false);
        for t in 0..len {
            flipped.projected[t * width..][..width].copy_from_slice(&case.projected[(len - 1 - t) * width..][..width]);
        }
        let (backward_out, _) = forward(case.dims, case.inputs());
        let (forward_out, _) = forward(flipped.dims, flipped.inputs());
        let stride = 2 * h;
        for t in 0..len {
            assert_eq!(backward_out[t * stride..][..stride], forward_out[(len - 1 - t) * stride..][..stride]);
        }
        assert!(batch > 1);
    }
}
