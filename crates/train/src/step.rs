//! One learning step — the training loop's body, shared with the benchmark.

use burn::optim::{GradientsParams, ModuleOptimizer};
use seq2seq_data::Batch;

use crate::TrainingConfig;
use crate::loss::{masked_cross_entropy, token_accuracy};
use crate::optim::clip_global_norm;
use seq2seq_model::Seq2Seq;

/// What one step measured on its batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepOutcome {
    /// Mean loss over the batch's scored target tokens (`Batch::loss_mask`).
    pub loss: f64,
    /// Scored target tokens.
    pub tokens: usize,
    /// Teacher-forced correct predictions among them.
    pub correct: usize,
}

/// Teacher-forced logits → masked cross-entropy → backward → global-norm clipping → Adam.
/// `teacher_forcing[t]` says whether decoder step `t` reads the gold previous token. A loss that is not
/// finite is returned as `Err(loss)` and no weight changes.
pub fn learning_step<M: Seq2Seq>(
    model: M,
    optimizer: &mut ModuleOptimizer,
    batch: &Batch,
    teacher_forcing: &[bool],
    training: &TrainingConfig,
    learning_rate: f64,
) -> (M, Result<StepOutcome, f64>) {
    let logits = model.forward(batch, teacher_forcing); // [batch, tgt_len, target_vocab]
    let (targets, mask) = (batch.target_output.clone(), batch.loss_mask.clone());
    let loss = masked_cross_entropy(logits.clone(), targets.clone(), mask.clone(), training.label_smoothing);
    let loss_value = loss.clone().into_scalar::<f64>();
    if !loss_value.is_finite() {
        return (model, Err(loss_value));
    }
    let (correct, tokens) = token_accuracy(logits.detach(), targets, mask);
    let mut grads = GradientsParams::from_grads(loss.backward(), &model);
    clip_global_norm(&model, &mut grads, training.grad_clip_norm);
    let model = optimizer.step(learning_rate, model, grads);
    (model, Ok(StepOutcome { loss: loss_value, tokens, correct }))
}
