//! The recurrent layer of [`recurrence`](crate::recurrence) as a burn operation with its own
//! backward pass (burn 0.22.1's autodiff extension API: a [`Backward`] step whose state keeps
//! what the forward pass computed). It runs on the CPU backends (Flex, NdArray), with or without
//! autodiff; elsewhere it returns `None` and the caller runs the readable cell.

#[allow(deprecated)] // NdArray: the workbench keeps it selectable
use burn::backend::NdArray;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Backend, DispatchKindConversion, DispatchTensor, Flex, TensorMetadata};
use burn::tensor::{Tensor, TensorData, try_read_sync};

use crate::recurrence::{self, Dims, Inputs, Recurrence, Saved};

/// One recurrent layer over a padded batch (see [`recurrence`](crate::recurrence) for the
/// layouts): `projected` `[batch, len, gates·hidden]`, `weight` `[hidden, gates·hidden]`,
/// `bias` `[gates·hidden]` (GRU), `hidden` and `memory` (LSTM) `[batch, hidden]`, `mask`
/// `[batch, len]` (`None`: every position is real). Returns `[batch, len, outputs·hidden]` (`h_t`, then `c_t` for the LSTM),
/// differentiable with respect to every float input, or `None` on a backend this operation does
/// not cover.
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
    let [batch, len, _] = projected.dims();
    let size = weight.dims()[0];
    let dims = Dims { kind, batch, len, hidden: size, reverse };
    let mask = match mask {
        Some(mask) => mask.into_data().convert::<f32>().try_into_vec::<f32>().ok()?,
        None => vec![1.0; batch * len],
    };
    let device = projected.device();
    let layer = Layer {
        bias: bias.unwrap_or_else(|| Tensor::zeros([kind.gates() * size], &device)),
        memory: memory.unwrap_or_else(|| Tensor::zeros([batch, size], &device)),
        projected,
        weight,
        hidden,
    };
    #[allow(deprecated)]
    let output = tracked::<Flex>(dims, &layer, &mask)
        .or_else(|| tracked::<NdArray>(dims, &layer, &mask))
        .or_else(|| untracked::<Flex>(dims, &layer, &mask))
        .or_else(|| untracked::<NdArray>(dims, &layer, &mask));
    output
}

/// The float inputs, in the order of the backward step's parents.
struct Layer {
    projected: Tensor<3>,
    weight: Tensor<2>,
    bias: Tensor<1>,
    hidden: Tensor<2>,
    memory: Tensor<2>,
}

fn read<B: Backend>(primitive: B::FloatTensorPrimitive) -> Option<Vec<f32>> {
    try_read_sync(B::float_into_data(primitive))?.ok()?.convert::<f32>().try_into_vec::<f32>().ok()
}

fn output_shape(dims: Dims) -> [usize; 3] {
    [dims.batch, dims.len, dims.kind.outputs() * dims.hidden]
}

fn run(dims: Dims, values: &[Vec<f32>; 5], mask: &[f32]) -> (Vec<f32>, Saved) {
    let inputs = Inputs {
        projected: &values[0],
        weight: &values[1],
        bias: (dims.kind == Recurrence::Gru).then_some(&values[2][..]),
        hidden: &values[3],
        memory: (dims.kind == Recurrence::Lstm).then_some(&values[4][..]),
        mask,
    };
    recurrence::forward(dims, inputs)
}

/// Without autodiff (evaluation, generation): the forward pass alone.
fn untracked<B: Backend>(dims: Dims, layer: &Layer, mask: &[f32]) -> Option<Tensor<3>>
where
    DispatchTensor: DispatchKindConversion<B>,
{
    let projected = layer.projected.clone().try_into_primitive::<B>().ok()?;
    let device = projected.device();
    let values = [
        read::<B>(projected)?,
        read::<B>(layer.weight.clone().try_into_primitive::<B>().ok()?)?,
        read::<B>(layer.bias.clone().try_into_primitive::<B>().ok()?)?,
        read::<B>(layer.hidden.clone().try_into_primitive::<B>().ok()?)?,
        read::<B>(layer.memory.clone().try_into_primitive::<B>().ok()?)?,
    ];
    let (output, _) = run(dims, &values, mask);
    let output = B::float_from_data(TensorData::new(output, output_shape(dims)), &device);
    Some(Tensor::from_primitive::<B>(output))
}

/// On an autodiff device: the forward pass, and a backward step that keeps what it saved.
fn tracked<B: Backend>(dims: Dims, layer: &Layer, mask: &[f32]) -> Option<Tensor<3>>
where
    DispatchTensor: DispatchKindConversion<Autodiff<B>>,
{
    let (projected, projected_node) = layer.projected.clone().try_into_primitive::<Autodiff<B>>().ok()?.into_parts();
    let (weight, weight_node) = layer.weight.clone().try_into_primitive::<Autodiff<B>>().ok()?.into_parts();
    let (bias, bias_node) = layer.bias.clone().try_into_primitive::<Autodiff<B>>().ok()?.into_parts();
    let (hidden, hidden_node) = layer.hidden.clone().try_into_primitive::<Autodiff<B>>().ok()?.into_parts();
    let (memory, memory_node) = layer.memory.clone().try_into_primitive::<Autodiff<B>>().ok()?.into_parts();
    let device = projected.device();
    let values = [read::<B>(projected)?, read::<B>(weight)?, read::<B>(bias)?, read::<B>(hidden)?, read::<B>(memory)?];
    let (output, saved) = run(dims, &values, mask);
    let output = B::float_from_data(TensorData::new(output, output_shape(dims)), &device);
    let nodes = [projected_node, weight_node, bias_node, hidden_node, memory_node];
    let output = match <RecurrentBackward as Backward<B, 5>>::prepare::<NoCheckpointing>(RecurrentBackward, nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(saved, output),
        OpsKind::UnTracked(prep) => prep.finish(output),
    };
    Some(Tensor::from_primitive::<Autodiff<B>>(output))
}

/// Backpropagation through time for the whole layer at once ([`recurrence::backward`]).
#[derive(Debug)]
struct RecurrentBackward;

impl<B: Backend> Backward<B, 5> for RecurrentBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Saved, 5>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let grad_output = grads.consume::<B>(&ops.node);
        let device = grad_output.device();
        let grad_output = read::<B>(grad_output).expect("a CPU tensor's data is readable");
        let g = recurrence::backward(&ops.state, &grad_output);
        let Dims { kind, batch, len, hidden, .. } = ops.state.dims;
        let width = kind.gates() * hidden;
        let shaped = [
            (g.projected, vec![batch, len, width]),
            (g.weight, vec![hidden, width]),
            (g.bias, vec![width]),
            (g.hidden, vec![batch, hidden]),
            (g.memory, vec![batch, hidden]),
        ];
        for (parent, (values, shape)) in ops.parents.into_iter().zip(shaped) {
            if let Some(node) = parent {
                grads.register::<B>(node.id, B::float_from_data(TensorData::new(values, shape), &device));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Distribution};

    use super::*;

    fn track<const D: usize>(tensor: Tensor<D>, on: bool) -> Tensor<D> {
        if on { tensor.require_grad() } else { tensor }
    }

    fn values<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
        tensor.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
    }

    /// The operation runs (does not fall back) on Flex and NdArray, with and without autodiff,
    /// gives the slice kernel's output, and hands its gradients to burn's autodiff.
    #[test]
    fn covers_the_cpu_backends_and_passes_gradients_on() {
        #[allow(deprecated)]
        let devices = [Device::flex(), Device::flex().autodiff(), Device::ndarray(), Device::ndarray().autodiff()];
        for device in devices {
            device.seed(9);
            let dims = Dims { kind: Recurrence::Gru, batch: 2, len: 3, hidden: 4, reverse: false };
            let random = |shape: Vec<usize>| {
                Tensor::<1>::random([shape.iter().product::<usize>()], Distribution::Normal(0.0, 1.0), &device)
            };
            let on = device.is_autodiff();
            let projected = track(random(vec![2, 3, 12]).reshape([2, 3, 12]), on);
            let weight = track(random(vec![4, 12]).reshape([4, 12]), on);
            let bias = track(random(vec![12]), on);
            let hidden = track(random(vec![2, 4]).reshape([2, 4]), on);
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
            let inputs =
                [values(projected.clone()), values(weight.clone()), values(bias.clone()), values(hidden.clone())];
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
            assert_eq!(values(output.clone()), expected);
            if on {
                let grads = output.sum().backward();
                let expected = recurrence::backward(&saved, &vec![1.0; expected.len()]);
                assert_eq!(values(projected.grad(&grads).unwrap()), expected.projected);
                assert_eq!(values(weight.grad(&grads).unwrap()), expected.weight);
                assert_eq!(values(bias.grad(&grads).unwrap()), expected.bias);
                assert_eq!(values(hidden.grad(&grads).unwrap()), expected.hidden);
            }
        }
    }
}
