use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Bool, Device, Int, Tensor};
use seq2seq_model::ModelDims;
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::positionwise::SlotModel;
use seq2seq_model::validate::{ConfigIssue, ModelConfig, count, dropout, width};
use serde::{Deserialize, Serialize};

use crate::ElmanCell;

/// The `[model]` section of `--arch rnn`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RnnConfig {
    pub embedding_size: usize,
    pub hidden_size: usize,
    pub dropout: f64,
    /// Output slots beyond the source length when translating.
    pub slack: usize,
    /// Wait-k: source words read before the first output (0: output `t` after word `t`).
    pub delay: usize,
    /// Run the recurrent layers as one fused operation with a hand-written backward pass
    /// (`seq2seq-kernels`); `false` runs the readable cells, operation by operation (same numbers
    /// to float tolerance, several times slower).
    pub fused: bool,
}

impl Default for RnnConfig {
    fn default() -> Self {
        Self { embedding_size: 128, hidden_size: 128, dropout: 0.1, slack: 4, delay: 0, fused: true }
    }
}

impl ModelConfig for RnnConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("embedding_size", self.embedding_size)?;
        width("hidden_size", self.hidden_size)?;
        dropout("dropout", self.dropout)?;
        count("slack", self.slack, 0, 1024)?;
        count("delay", self.delay, 0, 1024)
    }
}

/// Embedding → Elman RNN → a softmax layer at every slot:
/// `p(y_t | x_≤t) = softmax(W_o h_t + b_o)`.
#[derive(Module, Debug)]
pub struct Rnn {
    pub embedding: Embedding,
    pub cell: ElmanCell,
    pub output: Linear,
    pub dropout: Dropout,
    pub slack: usize,
    pub delay: usize,
}

impl SlotModel for Rnn {
    type Config = RnnConfig;

    fn build(config: &RnnConfig, dims: ModelDims, device: &Device) -> Self {
        Rnn {
            embedding: EmbeddingConfig::new(dims.source_vocab, config.embedding_size).init(device),
            cell: ElmanCell::new(config.embedding_size, config.hidden_size, device).with_fused(config.fused),
            output: LinearConfig::new(config.hidden_size, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
            slack: config.slack,
            delay: config.delay,
        }
    }

    fn slot_logits(&self, inputs: Tensor<2, Int>, mask: Tensor<2, Bool>) -> Tensor<3> {
        let embedded = self.dropout.forward(self.embedding.forward(inputs)); // [batch, slots, emb]
        let states = self.cell.run(embedded, mask.float(), false); // [batch, slots, hidden]
        self.output.forward(self.dropout.forward(states))
    }

    fn slack(&self) -> usize {
        self.slack
    }

    fn delay(&self) -> usize {
        self.delay
    }

    fn embedding(&self) -> Option<&Embedding> {
        Some(&self.embedding)
    }
}
