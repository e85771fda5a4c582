//! Global gradient-norm clipping (burn's `GradientClippingConfig::Norm` clips each parameter on
//! its own; the usual recipe clips all of them together, as `torch.nn.utils.clip_grad_norm_`).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

struct SquaredNorm<'a> {
    grads: &'a GradientsParams,
    total: Vec<Tensor<1>>,
}

impl ModuleVisitor for SquaredNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.grads.get::<D>(param.id) {
            self.total.push(grad.powi_scalar(2).sum());
        }
    }
}

struct Scale<'a> {
    grads: &'a mut GradientsParams,
    factor: f64,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.grads.remove::<D>(param.id) {
            self.grads.register(param.id, grad.mul_scalar(self.factor));
        }
    }
}

/// The L2 norm of all gradients together.
pub fn global_grad_norm<M: Module>(model: &M, grads: &GradientsParams) -> f64 {
    let mut visitor = SquaredNorm { grads, total: Vec::new() };
    model.visit(&mut visitor);
    if visitor.total.is_empty() {
        return 0.0;
    }
    Tensor::cat(visitor.total, 0).sum().into_scalar::<f64>().sqrt()
}

/// Scales all gradients so that their global norm is at most `max_norm`; returns the norm
/// before clipping.
pub fn clip_global_norm<M: Module>(model: &M, grads: &mut GradientsParams, max_norm: f64) -> f64 {
    let norm = global_grad_norm(model, grads);
    if max_norm > 0.0 && norm > max_norm {
        model.visit(&mut Scale { grads, factor: max_norm / (norm + 1e-6) });
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::{Linear, LinearConfig};
    use burn::tensor::{Device, Distribution};

    #[test]
    fn clips_the_global_norm_not_each_parameter() {
        let device = Device::flex().autodiff();
        device.seed(1);
        let linear: Linear = LinearConfig::new(4, 3).init(&device);
        let x = Tensor::<2>::random([5, 4], Distribution::Default, &device);
        let loss = linear.forward(x).mul_scalar(10.0).powi_scalar(2).sum();
        let mut grads = GradientsParams::from_grads(loss.backward(), &linear);
        let before = global_grad_norm(&linear, &grads);
        assert!(before > 1.0, "{before}");
        let weight_before = grads.get::<2>(linear.weight.id).unwrap().into_data().try_to_vec::<f32>().unwrap();
        let reported = clip_global_norm(&linear, &mut grads, 1.0);
        assert!((reported - before).abs() < 1e-6 * before);
        let after = global_grad_norm(&linear, &grads);
        assert!((after - 1.0).abs() < 1e-4, "{after}");
        // Every component is scaled by the same factor: directions are kept.
        let weight_after = grads.get::<2>(linear.weight.id).unwrap().into_data().try_to_vec::<f32>().unwrap();
        for (a, b) in weight_before.iter().zip(&weight_after) {
            assert!((a / before as f32 - b).abs() < 1e-4);
        }
    }
}
