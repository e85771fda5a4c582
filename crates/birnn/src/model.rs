use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Bool, Device, Int, Tensor};
use seq2seq_lstm::{Cell, CellKind};
use seq2seq_model::ModelDims;
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::positionwise::SlotModel;
use seq2seq_model::validate::{ConfigIssue, ModelConfig, count, dropout, width};
use serde::{Deserialize, Serialize};

/// The `[model]` section of `--arch birnn`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BiRnnConfig {
    /// `lstm`, `gru` or `rnn` (Elman).
    pub cell: CellKind,
    pub embedding_size: usize,
    /// Hidden size of each direction (the output layer reads twice this).
    pub hidden_size: usize,
    pub dropout: f64,
    /// Output slots beyond the source length when translating.
    pub slack: usize,
    /// Run the recurrent layers as one fused operation with a hand-written backward pass
    /// (`seq2seq-kernels`); `false` runs the readable cells, operation by operation (same numbers
    /// to float tolerance, several times slower).
    pub fused: bool,
}

impl Default for BiRnnConfig {
    fn default() -> Self {
        Self { cell: CellKind::Lstm, embedding_size: 128, hidden_size: 128, dropout: 0.1, slack: 4, fused: true }
    }
}

impl ModelConfig for BiRnnConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("embedding_size", self.embedding_size)?;
        width("hidden_size", self.hidden_size)?;
        dropout("dropout", self.dropout)?;
        count("slack", self.slack, 0, 1024)
    }
}

/// Embedding → forward and backward RNNs → a softmax layer at every slot:
/// `p(y_t | x) = softmax(W_o [→h_t ; ←h_t] + b_o)`.
#[derive(Module, Debug)]
pub struct BiRnn {
    pub embedding: Embedding,
    pub forward_cell: Cell,
    pub backward_cell: Cell,
    pub output: Linear,
    pub dropout: Dropout,
    pub slack: usize,
}

impl BiRnn {
    /// `[→h_t ; ←h_t]` for every slot, `[batch, slots, 2·hidden]`. Each direction starts at its
    /// sentence's own end: padding is masked out of both.
    pub fn states(&self, embedded: Tensor<3>, mask: Tensor<2>) -> Tensor<3> {
        // BEGIN SOLUTION birnn-states
        let [batch, _, _] = embedded.dims();
        let device = embedded.device();
        let (forward, _) =
            self.forward_cell.run(embedded.clone(), mask.clone(), self.forward_cell.zero_state(batch, &device), false);
        let (backward, _) = self.backward_cell.run(embedded, mask, self.backward_cell.zero_state(batch, &device), true);
        Tensor::cat(vec![forward, backward], 2) // [batch, slots, 2·hidden]
        // END SOLUTION birnn-states
    }
}

impl SlotModel for BiRnn {
    type Config = BiRnnConfig;

    fn build(config: &BiRnnConfig, dims: ModelDims, device: &Device) -> Self {
        let (e, h) = (config.embedding_size, config.hidden_size);
        BiRnn {
            embedding: EmbeddingConfig::new(dims.source_vocab, e).init(device),
            forward_cell: Cell::new(config.cell, e, h, device).with_fused(config.fused),
            backward_cell: Cell::new(config.cell, e, h, device).with_fused(config.fused),
            output: LinearConfig::new(2 * h, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
            slack: config.slack,
        }
    }

    fn slot_logits(&self, inputs: Tensor<2, Int>, mask: Tensor<2, Bool>) -> Tensor<3> {
        let embedded = self.dropout.forward(self.embedding.forward(inputs)); // [batch, slots, emb]
        let states = self.states(embedded, mask.float()); // [batch, slots, 2·hidden]
        self.output.forward(self.dropout.forward(states))
    }

    fn slack(&self) -> usize {
        self.slack
    }
}
