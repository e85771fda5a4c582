//! A fused kernel on plain `f32` slices, made a burn operation with its own backward pass (burn
//! 0.22.1's autodiff extension API: a [`Backward`] step whose state keeps what the forward pass
//! computed). It runs on the CPU backends (Flex, and NdArray with the `ndarray` feature), with or
//! without autodiff; elsewhere [`apply`] returns `None` and the caller runs its readable tensor
//! operations.

use std::fmt::Debug;
use std::marker::PhantomData;

#[cfg(feature = "ndarray")]
#[allow(deprecated)] // NdArray: the workbench keeps it selectable
use burn::backend::NdArray;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Backend, DispatchKindConversion, DispatchTensor, Flex, TensorMetadata};
use burn::tensor::{Tensor, TensorData, try_read_sync};

/// A computation with a hand-written gradient, on flattened inputs.
pub(crate) trait Kernel: Send + Sync + Debug + 'static {
    /// What the forward pass keeps for the backward pass.
    type Saved: Clone + Send + Debug + 'static;

    /// The output (flattened) and what the backward pass needs.
    fn forward(&self, inputs: Vec<Vec<f32>>) -> (Vec<f32>, Self::Saved);

    /// A second output that takes no gradient (the attention weights, returned beside the
    /// context); none by default.
    fn record(_saved: &Self::Saved) -> Option<Vec<f32>> {
        None
    }

    /// The gradient of every input, given the output's.
    fn backward(saved: &Self::Saved, grad_output: &[f32]) -> Vec<Vec<f32>>;
}

/// Runs `kernel` on `inputs` (flattened tensors), differentiably on an autodiff device; `None`
/// on a backend the kernels do not cover.
pub(crate) fn apply<K: Kernel, const N: usize>(kernel: K, inputs: [Tensor<1>; N]) -> Option<Tensor<1>> {
    Some(apply_recorded(kernel, inputs)?.0)
}

/// [`apply`], and the kernel's [`record`](Kernel::record).
pub(crate) fn apply_recorded<K: Kernel, const N: usize>(
    kernel: K,
    inputs: [Tensor<1>; N],
) -> Option<(Tensor<1>, Option<Vec<f32>>)> {
    let output = tracked::<Flex, K, N>(&kernel, &inputs).or_else(|| untracked::<Flex, K, N>(&kernel, &inputs));
    #[cfg(feature = "ndarray")]
    #[allow(deprecated)]
    let output = output
        .or_else(|| tracked::<NdArray, K, N>(&kernel, &inputs))
        .or_else(|| untracked::<NdArray, K, N>(&kernel, &inputs));
    output
}

/// Whether the kernels cover this tensor's backend (Flex or NdArray, with or without autodiff):
/// checked before any data is read, so a GPU tensor goes to the readable operations untouched.
pub(crate) fn covers<const D: usize>(tensor: &Tensor<D>) -> bool {
    let covered = tensor.clone().try_into_primitive::<Flex>().is_ok()
        || tensor.clone().try_into_primitive::<Autodiff<Flex>>().is_ok();
    #[cfg(feature = "ndarray")]
    #[allow(deprecated)]
    let covered = covered
        || tensor.clone().try_into_primitive::<NdArray>().is_ok()
        || tensor.clone().try_into_primitive::<Autodiff<NdArray>>().is_ok();
    covered
}

/// A tensor's values as `f32`.
pub(crate) fn values<const D: usize>(tensor: Tensor<D>) -> Option<Vec<f32>> {
    tensor.into_data().convert::<f32>().try_into_vec::<f32>().ok()
}

fn read<B: Backend>(primitive: B::FloatTensorPrimitive) -> Option<Vec<f32>> {
    try_read_sync(B::float_into_data(primitive))?.ok()?.convert::<f32>().try_into_vec::<f32>().ok()
}

/// Without autodiff (evaluation, generation): the forward pass alone.
fn untracked<B: Backend, K: Kernel, const N: usize>(
    kernel: &K,
    inputs: &[Tensor<1>; N],
) -> Option<(Tensor<1>, Option<Vec<f32>>)>
where
    DispatchTensor: DispatchKindConversion<B>,
{
    let mut device = None;
    let mut values = Vec::with_capacity(N);
    for input in inputs {
        let primitive = input.clone().try_into_primitive::<B>().ok()?;
        device.get_or_insert_with(|| primitive.device());
        values.push(read::<B>(primitive)?);
    }
    let (output, saved) = kernel.forward(values);
    let length = output.len();
    let output = B::float_from_data(TensorData::new(output, [length]), &device?);
    Some((Tensor::from_primitive::<B>(output), K::record(&saved)))
}

/// On an autodiff device: the forward pass, and a backward step that keeps what it saved.
fn tracked<B: Backend, K: Kernel, const N: usize>(
    kernel: &K,
    inputs: &[Tensor<1>; N],
) -> Option<(Tensor<1>, Option<Vec<f32>>)>
where
    DispatchTensor: DispatchKindConversion<Autodiff<B>>,
{
    let mut device = None;
    let mut values = Vec::with_capacity(N);
    let mut nodes = Vec::with_capacity(N);
    for input in inputs {
        let (primitive, node) = input.clone().try_into_primitive::<Autodiff<B>>().ok()?.into_parts();
        device.get_or_insert_with(|| primitive.device());
        values.push(read::<B>(primitive)?);
        nodes.push(node);
    }
    let (output, saved) = kernel.forward(values);
    let record = K::record(&saved);
    let length = output.len();
    let output = B::float_from_data(TensorData::new(output, [length]), &device?);
    let nodes: [_; N] = nodes.try_into().ok()?;
    let step = FusedBackward::<K>(PhantomData);
    let output = match <FusedBackward<K> as Backward<B, N>>::prepare::<NoCheckpointing>(step, nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(saved, output),
        OpsKind::UnTracked(prep) => prep.finish(output),
    };
    Some((Tensor::from_primitive::<Autodiff<B>>(output), record))
}

/// The backward step of a [`Kernel`]: hands each tracked input its gradient.
#[derive(Debug)]
struct FusedBackward<K>(PhantomData<K>);

impl<B: Backend, K: Kernel, const N: usize> Backward<B, N> for FusedBackward<K> {
    type State = K::Saved;

    fn backward(self, ops: Ops<K::Saved, N>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let grad_output = grads.consume::<B>(&ops.node);
        let device = grad_output.device();
        let grad_output = read::<B>(grad_output).expect("a CPU tensor's data is readable");
        let gradients = K::backward(&ops.state, &grad_output);
        for (parent, gradient) in ops.parents.into_iter().zip(gradients) {
            if let Some(node) = parent {
                let length = gradient.len();
                grads.register::<B>(node.id, B::float_from_data(TensorData::new(gradient, [length]), &device));
            }
        }
    }
}
