//! The fused operations as burn tensor functions: each flattens its inputs, runs its kernel
//! ([`recurrence`](crate::recurrence), [`additive`](crate::additive),
//! [`attention`](crate::attention)) through [`apply`], and gives
//! the output its shape back. `None` means the backend is not covered: run the readable code.

use burn::tensor::{Tensor, TensorData};

use crate::additive;
use crate::attention::{self, Bias};
use crate::op::{Kernel, apply, apply_recorded, covers, values};
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

    fn forward(&self, inputs: Vec<Vec<f32>>) -> (Vec<f32>, recurrence::Saved) {
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

    fn forward(&self, inputs: Vec<Vec<f32>>) -> (Vec<f32>, additive::Saved) {
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

#[derive(Debug)]
struct AttentionKernel {
    dims: attention::Dims,
    bias: Option<Bias>,
}

impl Kernel for AttentionKernel {
    type Saved = attention::Saved;

    fn forward(&self, inputs: Vec<Vec<f32>>) -> (Vec<f32>, attention::Saved) {
        let [query, key, value]: [Vec<f32>; 3] = inputs.try_into().expect("three inputs");
        attention::forward(self.dims, query, key, value, self.bias.as_ref())
    }

    fn backward(saved: &attention::Saved, grad_output: &[f32]) -> Vec<Vec<f32>> {
        attention::backward(saved, grad_output).into()
    }

    fn record(saved: &attention::Saved) -> Option<Vec<f32>> {
        Some(saved.weights.clone())
    }
}

/// `softmax(Q Kᵀ / √d_k + bias) V` as one operation: `query` `[batch, heads, queries, d_k]`,
/// `key` and `value` `[batch, heads, keys, d_k]`, `bias` broadcastable to
/// `[batch, heads, queries, keys]` (a constant). Returns the context `[batch, heads, queries,
/// d_k]`, differentiable with respect to the query, key and value, and the weights
/// `[batch, heads, queries, keys]`, which carry no gradient (no training loss reads them). `None`
/// where the backend is not covered, the shapes disagree, or the bias does not broadcast or needs
/// a gradient: the caller runs its readable code.
///
/// The kernel reads and writes `[batch, length, heads, d_k]` ([`attention`](crate::attention)):
/// heads split off a projection by `reshape` then `swap_dims(1, 2)` (as multi-head attention
/// does) are swapped back here without a copy, and so is the context when the heads are merged.
pub fn scaled_dot_product_attention(
    query: Tensor<4>,
    key: Tensor<4>,
    value: Tensor<4>,
    bias: Option<Tensor<4>>,
) -> Option<(Tensor<4>, Tensor<4>)> {
    if !covers(&query) {
        return None;
    }
    let [batch, heads, queries, depth] = query.dims();
    let keys = key.dims()[2];
    if key.dims() != [batch, heads, keys, depth] || value.dims() != key.dims() {
        return None; // the readable code handles (or refuses) other shapes
    }
    let full = [batch, heads, queries, keys];
    let bias = match bias {
        Some(bias) => {
            let shape = bias.dims();
            let broadcasts = shape.iter().zip(full).all(|(&size, full)| size == 1 || size == full);
            if !broadcasts || bias.is_require_grad() {
                return None; // the kernel's bias is a constant
            }
            Some(Bias { values: values(bias)?, shape })
        }
        None => None,
    };
    let device = query.device();
    let kernel = AttentionKernel { dims: attention::Dims { batch, heads, queries, keys, depth }, bias };
    let heads_inside = |x: Tensor<4>| flat(x.swap_dims(1, 2)); // [batch, length, heads, d_k]
    let (context, weights) = apply_recorded(kernel, [heads_inside(query), heads_inside(key), heads_inside(value)])?;
    let weights = Tensor::from_data(TensorData::new(weights?, full), &device);
    Some((context.reshape([batch, queries, heads, depth]).swap_dims(1, 2), weights))
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Distribution};

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

    /// The fused scaled dot-product attention against the same attention from burn's tensor
    /// operations (scores, bias, softmax, weighted sum): context, weights and the gradients of
    /// query, key and value, under a padding bias, a causal bias and none, on every CPU backend.
    #[test]
    fn scaled_dot_product_attention_matches_tensor_operations() {
        for device in devices() {
            device.seed(11);
            let on = device.is_autodiff();
            let random = |shape: [usize; 4]| Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), &device);
            let (query, key, value) =
                (track(random([2, 2, 3, 5]), on), track(random([2, 2, 4, 5]), on), track(random([2, 2, 4, 5]), on));
            let padding = Tensor::<4>::from_data(
                TensorData::new(vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0e9], [2, 1, 1, 4]),
                &device,
            );
            let causal: Vec<f32> = (0..12).map(|n| if n % 4 > n / 4 + 1 { -1.0e9 } else { 0.0 }).collect();
            let causal = Tensor::<4>::from_data(TensorData::new(causal, [1, 1, 3, 4]), &device);
            let readable = |bias: Option<Tensor<4>>| {
                let scores = query.clone().matmul(key.clone().swap_dims(2, 3)) / 5f32.sqrt();
                let scores = match bias {
                    Some(bias) => scores + bias.expand([2, 2, 3, 4]),
                    None => scores,
                };
                let weights = burn::tensor::activation::softmax(scores, 3);
                (weights.clone().matmul(value.clone()), weights)
            };
            let close = |a: Vec<f32>, b: Vec<f32>| {
                assert_eq!(a.len(), b.len());
                a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-5)
            };
            for bias in [None, Some(padding), Some(causal)] {
                let (context, weights) =
                    scaled_dot_product_attention(query.clone(), key.clone(), value.clone(), bias.clone())
                        .expect("covered");
                let (expected_context, expected_weights) = readable(bias);
                assert!(close(read(weights), read(expected_weights)), "weights");
                assert!(close(read(context.clone()), read(expected_context.clone())), "context");
                if on {
                    let loss_weights = random([2, 2, 3, 5]);
                    let grads = (context * loss_weights.clone()).sum().backward();
                    let expected = (expected_context * loss_weights).sum().backward();
                    for (name, input) in [("query", &query), ("key", &key), ("value", &value)] {
                        let (got, want) = (input.grad(&grads).unwrap(), input.grad(&expected).unwrap());
                        assert!(close(read(got), read(want)), "∂{name}");
                    }
                }
            }
        }
    }
}
