//! The fused operations as burn tensor functions: each flattens its inputs, runs its kernel
//! ([`recurrence`](crate::recurrence), [`additive`](crate::additive)) through [`apply`], and gives
//! the output its shape back. `None` means the backend is not covered: run the readable code.

use burn::tensor::Tensor;

use crate::additive;
use crate::op::{Kernel, apply, covers, values};
use crate::recurrence::{self, Inputs, Recurrence};

fn flat<const D: usize>(tensor: Tensor<D>) -> Tensor<1> {
    let n = tensor.shape().num_elements();
    tensor.reshape([n])
}

#[derive(Debug)]
struct RecurrentKernel {
    dims: recurrence::Dims,
    mask: Vec<f32>,
}

impl Kernel for RecurrentKernel {
    type Saved = recurrence::Saved;

    fn forward(&self, inputs: &[Vec<f32>]) -> (Vec<f32>, recurrence::Saved) {
        let kind = self.dims.kind;
        let inputs = Inputs {
            projected: &inputs[0],
            weight: &inputs[1],
            bias: (kind == Recurrence::Gru).then_some(&inputs[2][..]),
            hidden: &inputs[3],
            memory: (kind == Recurrence::Lstm).then_some(&inputs[4][..]),
            mask: &self.mask,
        };
        recurrence::forward(self.dims, inputs)
    }

    fn backward(saved: &recurrence::Saved, grad_output: &[f32]) -> Vec<Vec<f32>> {
        let g = recurrence::backward(saved, grad_output);
        vec![g.projected, g.weight, g.bias, g.hidden, g.memory]
    }
}

/// One recurrent layer over a padded batch (see [`recurrence`](crate::recurrence) for the
/// layouts): `projected` `[batch, len, gates·hidden]`, `weight` `[hidden, gates·hidden]`,
/// `bias` `[gates·hidden]` (GRU), `hidden` and `memory` (LSTM) `[batch, hidden]`, `mask`
/// `[batch, len]` (`None`: every position is real). Returns `[batch, len, outputs·hidden]`
/// (`h_t`, then `c_t` for the LSTM), differentiable with respect to every float input.
#[allow(clippy::too_many_arguments)]
pub fn recurrent_layer(
    kind: Recurrence,
    projected: Tensor<3>,
    weight: Tensor<2>,
    bias: Option<Tensor<1>>,
    hidden: Tensor<2>,
    memory: Option<Tensor<2>>,
    mask: Option<Tensor<2>>,
    reverse: bool,
) -> Option<Tensor<3>> {
    if !covers(&projected) {
        return None;
    }
    let [batch, len, _] = projected.dims();
    let size = weight.dims()[0];
    let dims = recurrence::Dims { kind, batch, len, hidden: size, reverse };
    let mask = match mask {
        Some(mask) => values(mask)?,
        None => vec![1.0; batch * len],
    };
    let device = projected.device();
    let bias = bias.unwrap_or_else(|| Tensor::zeros([kind.gates() * size], &device));
    let memory = memory.unwrap_or_else(|| Tensor::zeros([batch, size], &device));
    let inputs = [flat(projected), flat(weight), bias, flat(hidden), flat(memory)];
    let output = apply(RecurrentKernel { dims, mask }, inputs)?;
    Some(output.reshape([batch, len, kind.outputs() * size]))
}

#[derive(Debug)]
struct AdditiveKernel(additive::Dims);

impl Kernel for AdditiveKernel {
    type Saved = additive::Saved;

    fn forward(&self, inputs: &[Vec<f32>]) -> (Vec<f32>, additive::Saved) {
        additive::forward(self.0, &inputs[0], &inputs[1], &inputs[2])
    }

    fn backward(saved: &additive::Saved, grad_output: &[f32]) -> Vec<Vec<f32>> {
        additive::backward(saved, grad_output).into()
    }
}

/// Bahdanau's additive scores `e_bs = v · tanh(k_bs + q_b)`: `keys` `[batch, source, attention]`,
/// `query` `[batch, attention]`, `v` `[attention]` → `[batch, source]`.
pub fn additive_scores(keys: Tensor<3>, query: Tensor<2>, v: Tensor<1>) -> Option<Tensor<2>> {
    let [batch, source, attention] = keys.dims();
    let kernel = AdditiveKernel(additive::Dims { batch, source, attention });
    Some(apply(kernel, [flat(keys), flat(query), v])?.reshape([batch, source]))
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Distribution, TensorData};

    use super::*;

    fn track<const D: usize>(tensor: Tensor<D>, on: bool) -> Tensor<D> {
        if on { tensor.require_grad() } else { tensor }
    }

    fn read<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
        values(tensor).unwrap()
    }

    /// The CPU backends of this build: Flex, and NdArray with the `ndarray` feature.
    #[allow(deprecated)]
    fn devices() -> Vec<Device> {
        let flex = [Device::flex(), Device::flex().autodiff()];
        #[cfg(feature = "ndarray")]
        let flex = flex.into_iter().chain([Device::ndarray(), Device::ndarray().autodiff()]);
        flex.into_iter().collect()
    }

    /// The recurrent layer runs (does not fall back) on this build's CPU backends, with and without
    /// autodiff, gives the slice kernel's output, and hands its gradients to burn's autodiff.
    #[test]
    fn recurrent_layer_covers_the_cpu_backends_and_passes_gradients_on() {
        for device in devices() {
            device.seed(9);
            let on = device.is_autodiff();
            let random = |n: usize| Tensor::<1>::random([n], Distribution::Normal(0.0, 1.0), &device);
            let projected = track(random(72).reshape([2, 3, 12]), on);
            let weight = track(random(48).reshape([4, 12]), on);
            let bias = track(random(12), on);
            let hidden = track(random(8).reshape([2, 4]), on);
            let mask = vec![1.0, 1.0, 0.0, 1.0, 1.0, 1.0];
            let mask_tensor = Tensor::<2>::from_data(TensorData::new(mask.clone(), [2, 3]), &device);
            let output = recurrent_layer(
                Recurrence::Gru,
                projected.clone(),
                weight.clone(),
                Some(bias.clone()),
                hidden.clone(),
                None,
                Some(mask_tensor),
                false,
            )
            .expect("the CPU backends are covered");
            assert_eq!(output.dims(), [2, 3, 4]);
            let inputs = [read(projected.clone()), read(weight.clone()), read(bias.clone()), read(hidden.clone())];
            let dims = recurrence::Dims { kind: Recurrence::Gru, batch: 2, len: 3, hidden: 4, reverse: false };
            let (expected, saved) = recurrence::forward(
                dims,
                Inputs {
                    projected: &inputs[0],
                    weight: &inputs[1],
                    bias: Some(&inputs[2]),
                    hidden: &inputs[3],
                    memory: None,
                    mask: &mask,
                },
            );
            assert_eq!(read(output.clone()), expected);
            if on {
                let grads = output.sum().backward();
                let expected = recurrence::backward(&saved, &vec![1.0; expected.len()]);
                assert_eq!(read(projected.grad(&grads).unwrap()), expected.projected);
                assert_eq!(read(weight.grad(&grads).unwrap()), expected.weight);
                assert_eq!(read(bias.grad(&grads).unwrap()), expected.bias);
                assert_eq!(read(hidden.grad(&grads).unwrap()), expected.hidden);
            }
        }
    }

    /// The fused additive score against the same score from burn's tensor operations, outputs
    /// and gradients, on every CPU backend.
    #[test]
    fn additive_scores_match_tensor_operations() {
        for device in devices() {
            device.seed(10);
            let on = device.is_autodiff();
            let keys = track(Tensor::<3>::random([2, 5, 3], Distribution::Normal(0.0, 1.0), &device), on);
            let query = track(Tensor::<2>::random([2, 3], Distribution::Normal(0.0, 1.0), &device), on);
            let v = track(Tensor::<1>::random([3], Distribution::Normal(0.0, 1.0), &device), on);
            let weights = Tensor::<2>::random([2, 5], Distribution::Normal(0.0, 1.0), &device);
            // Used twice, as a decoder uses its keys at every step.
            let second = || query.clone().mul_scalar(-0.5) + 0.3;
            let fused = additive_scores(keys.clone(), query.clone(), v.clone()).expect("covered")
                + additive_scores(keys.clone(), second(), v.clone()).expect("covered").mul_scalar(2.0);
            let readable_score = |query: Tensor<2>| {
                burn::tensor::activation::tanh(keys.clone() + query.unsqueeze_dim::<3>(1))
                    .matmul(v.clone().reshape([1, 3, 1]))
                    .reshape([2, 5])
            };
            let readable = readable_score(query.clone()) + readable_score(second()).mul_scalar(2.0);
            let close = |a: Vec<f32>, b: Vec<f32>| {
                assert_eq!(a.len(), b.len());
                a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-5)
            };
            assert!(close(read(fused.clone()), read(readable.clone())));
            if on {
                let grads = (fused * weights.clone()).sum().backward();
                let (gk, gq, gv) = (
                    read(keys.grad(&grads).unwrap()),
                    read(query.grad(&grads).unwrap()),
                    read(v.grad(&grads).unwrap()),
                );
                let grads_readable = (readable * weights).sum().backward();
                assert!(close(gk, read(keys.grad(&grads_readable).unwrap())), "∂keys");
                assert!(close(gq, read(query.grad(&grads_readable).unwrap())), "∂query");
                assert!(close(gv, read(v.grad(&grads_readable).unwrap())), "∂v");
            }
        }
    }
}
