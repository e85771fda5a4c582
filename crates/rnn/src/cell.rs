use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::tanh;
use burn::tensor::{Device, Tensor};
use seq2seq_kernels::{Recurrence, recurrent_layer};

/// Elman's simple recurrent cell:
///
/// ```text
/// h_t = tanh(x_t W_x + b + h_{t−1} W_h)
/// ```
#[derive(Module, Debug)]
pub struct ElmanCell {
    /// `W_x` and `b`: `[d_input, hidden]`.
    pub input_to_hidden: Linear,
    /// `W_h`: `[hidden, hidden]`, no bias.
    pub hidden_to_hidden: Linear,
    pub hidden_size: usize,
    /// Run [`run`](Self::run) as one fused operation (`seq2seq-kernels`) instead of the tensor
    /// operations below; same numbers, several times faster.
    pub fused: bool,
}

impl ElmanCell {
    /// The readable cell; [`with_fused`](Self::with_fused) switches to the fused operation.
    pub fn new(d_input: usize, hidden: usize, device: &Device) -> Self {
        Self {
            input_to_hidden: LinearConfig::new(d_input, hidden).init(device),
            hidden_to_hidden: LinearConfig::new(hidden, hidden).with_bias(false).init(device),
            hidden_size: hidden,
            fused: false,
        }
    }

    pub fn with_fused(self, fused: bool) -> Self {
        Self { fused, ..self }
    }

    /// `x W_x + b` for inputs of any rank.
    pub fn project_inputs<const D: usize>(&self, inputs: Tensor<D>) -> Tensor<D> {
        self.input_to_hidden.forward(inputs)
    }

    /// One step from a projected input `[batch, hidden]`.
    pub fn step(&self, projected: Tensor<2>, hidden: Tensor<2>) -> Tensor<2> {
        // BEGIN SOLUTION elman-step
        tanh(projected + self.hidden_to_hidden.forward(hidden))
        // END SOLUTION elman-step
    }

    /// Runs over a padded sequence, left to right (or right to left with `reverse`).
    /// `inputs`: `[batch, len, d_input]`; `mask`: `[batch, len]`, 1 at real positions — at the
    /// others the state is carried through unchanged, so padding never reaches it.
    /// Returns the hidden state of every position, `[batch, len, hidden]`.
    pub fn run(&self, inputs: Tensor<3>, mask: Tensor<2>, reverse: bool) -> Tensor<3> {
        let [batch, len, _] = inputs.dims();
        let projected = self.project_inputs(inputs); // [batch, len, hidden]
        if self.fused {
            let initial = Tensor::zeros([batch, self.hidden_size], &projected.device());
            let weight = self.hidden_to_hidden.weight.val();
            let mask = Some(mask.clone());
            if let Some(states) =
                recurrent_layer(Recurrence::Elman, projected.clone(), weight, None, initial, None, mask, reverse)
            {
                return states;
            }
        }
        let mut hidden = Tensor::zeros([batch, self.hidden_size], &projected.device());
        // Positions every sentence reaches need no masking.
        let shortest =
            mask.clone().sum_dim(1).try_into_vec_as::<f32>().expect("lengths").into_iter().fold(f32::MAX, f32::min);
        let mut states = vec![None; len];
        let order: Vec<usize> = if reverse { (0..len).rev().collect() } else { (0..len).collect() };
        for t in order {
            let new = self.step(projected.clone().narrow(1, t, 1).squeeze_dim(1), hidden.clone());
            hidden = if (t as f32) < shortest {
                new
            } else {
                let keep_new = mask.clone().narrow(1, t, 1); // [batch, 1]
                hidden.clone() + (new - hidden) * keep_new
            };
            states[t] = Some(hidden.clone());
        }
        Tensor::stack(states.into_iter().map(|s| s.expect("every position visited")).collect(), 1)
    }
}
