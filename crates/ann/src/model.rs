use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Bool, Device, Int, Tensor};
use seq2seq_model::ModelDims;
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::positionwise::SlotModel;
use seq2seq_model::validate::{ConfigIssue, ModelConfig, count, dropout, width};
use serde::{Deserialize, Serialize};

/// The `[model]` section of `--arch ann`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnnConfig {
    pub embedding_size: usize,
    pub hidden_size: usize,
    /// Words seen on each side of a slot: the window is `2·window + 1` wide.
    pub window: usize,
    pub dropout: f64,
    /// Output slots beyond the source length when translating.
    pub slack: usize,
}

impl Default for AnnConfig {
    fn default() -> Self {
        Self { embedding_size: 64, hidden_size: 256, window: 2, dropout: 0.1, slack: 4 }
    }
}

impl ModelConfig for AnnConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("embedding_size", self.embedding_size)?;
        width("hidden_size", self.hidden_size)?;
        count("window", self.window, 0, 64)?;
        dropout("dropout", self.dropout)?;
        count("slack", self.slack, 0, 1024)
    }
}

#[derive(Module, Debug)]
pub struct Ann {
    pub embedding: Embedding,
    /// `W_h, b_h`: `[(2w+1)·emb, hidden]`.
    pub hidden: Linear,
    /// `W_o, b_o`: `[hidden, target_vocab]`.
    pub output: Linear,
    pub dropout: Dropout,
    pub window: usize,
    pub slack: usize,
}

impl Ann {
    /// `z_t` for every slot: the window's embeddings side by side, `[batch, slots, (2w+1)·emb]`.
    pub fn windows(&self, embedded: Tensor<3>, mask: Tensor<2>) -> Tensor<3> {
        // BEGIN SOLUTION ann-windows
        let [batch, slots, size] = embedded.dims();
        let embedded = embedded * mask.unsqueeze_dim::<3>(2); // padding → zero vectors
        let edge = Tensor::zeros([batch, self.window, size], &embedded.device());
        let padded = Tensor::cat(vec![edge.clone(), embedded, edge], 1); // [batch, slots + 2w, emb]
        let shifted = (0..=2 * self.window).map(|k| padded.clone().narrow(1, k, slots)).collect();
        Tensor::cat(shifted, 2)
        // END SOLUTION ann-windows
    }
}

impl SlotModel for Ann {
    type Config = AnnConfig;

    fn build(config: &AnnConfig, dims: ModelDims, device: &Device) -> Self {
        let width = 2 * config.window + 1;
        Ann {
            embedding: EmbeddingConfig::new(dims.source_vocab, config.embedding_size).init(device),
            hidden: LinearConfig::new(width * config.embedding_size, config.hidden_size).init(device),
            output: LinearConfig::new(config.hidden_size, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
            window: config.window,
            slack: config.slack,
        }
    }

    fn slot_logits(&self, inputs: Tensor<2, Int>, mask: Tensor<2, Bool>) -> Tensor<3> {
        let embedded = self.embedding.forward(inputs); // [batch, slots, emb]
        let z = self.dropout.forward(self.windows(embedded, mask.float()));
        let h = relu(self.hidden.forward(z)); // [batch, slots, hidden]
        self.output.forward(self.dropout.forward(h))
    }

    fn slack(&self) -> usize {
        self.slack
    }
}
