//! Bahdanau, Cho & Bengio (2014), "Neural Machine Translation by Jointly Learning to Align and
//! Translate":
//!
//! ```text
//! annotations:  h_j = [→h_j ; ←h_j]                      bidirectional encoder
//! initial:      s_0 = tanh(W_s ←h_1)
//! scores:       e_ij = vᵀ tanh(W s_{i−1} + U h_j)         from the previous decoder state
//! weights:      α_ij = softmax_j(e_ij)
//! context:      c_i = Σ_j α_ij h_j
//! decoder:      s_i = RNN([emb(y_{i−1}) ; c_i], s_{i−1})
//! output:       p(y_i) = softmax(W_o [s_i ; c_i ; emb(y_{i−1})] + b_o)
//! ```

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::activation::tanh;
use burn::tensor::{Bool, Device, Int, Tensor};
use seq2seq_data::Batch;
use seq2seq_lstm::{Cell, CellKind, State};
use seq2seq_model::decode::{Decoder, Search, StepOutput, decode, embed_step, select_mask};
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::scheduled_sampling::{embed_own_prediction, feeds_gold};
use seq2seq_model::validate::{ConfigIssue, ModelConfig, dropout, width};
use seq2seq_model::{Generation, ModelDims, Seq2Seq};
use serde::{Deserialize, Serialize};

use crate::attention::{AdditiveScore, context, masked_softmax};

/// The `[model]` section of `--arch bahdanau`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BahdanauConfig {
    /// `lstm`, `gru` or `rnn`, for the encoder's two directions and the decoder.
    pub cell: CellKind,
    pub embedding_size: usize,
    /// Hidden size of each encoder direction and of the decoder.
    pub hidden_size: usize,
    /// Size of the alignment model's hidden layer (`W`, `U`, `v`).
    pub attention_size: usize,
    pub dropout: f64,
    /// Run the recurrent layers as one fused operation with a hand-written backward pass
    /// (`seq2seq-kernels`); `false` runs the readable cells, operation by operation (same numbers
    /// to float tolerance, several times slower).
    pub fused: bool,
}

impl Default for BahdanauConfig {
    fn default() -> Self {
        Self {
            cell: CellKind::Lstm,
            embedding_size: 128,
            hidden_size: 128,
            attention_size: 128,
            dropout: 0.1,
            fused: true,
        }
    }
}

impl ModelConfig for BahdanauConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("embedding_size", self.embedding_size)?;
        width("hidden_size", self.hidden_size)?;
        width("attention_size", self.attention_size)?;
        dropout("dropout", self.dropout)
    }
}

#[derive(Module, Debug)]
pub struct Bahdanau {
    pub source_embedding: Embedding,
    pub target_embedding: Embedding,
    pub encoder_forward: Cell,
    pub encoder_backward: Cell,
    /// `W_s`: the decoder's initial state from the backward encoder's final state.
    pub init: Linear,
    pub alignment: AdditiveScore,
    pub decoder: Cell,
    pub output: Linear,
    pub dropout: Dropout,
}

/// What the decoder reads at every step.
struct Encoded {
    /// `h_j`, `[batch, src_len, 2·hidden]`.
    annotations: Tensor<3>,
    /// `U h_j`, `[batch, src_len, attention]`.
    keys: Tensor<3>,
    mask: Tensor<2, Bool>,
}

impl Encoded {
    fn select(&self, rows: Tensor<1, Int>) -> Encoded {
        Encoded {
            annotations: self.annotations.clone().select(0, rows.clone()),
            keys: self.keys.clone().select(0, rows.clone()),
            mask: select_mask(self.mask.clone(), rows),
        }
    }
}

impl Bahdanau {
    fn encode(&self, batch: &Batch) -> (Encoded, State) {
        let embedded = self.dropout.forward(self.source_embedding.forward(batch.source.clone()));
        let mask = batch.source_mask.clone();
        let n = batch.size();
        let device = embedded.device();
        let (forward, _) = self.encoder_forward.run(
            embedded.clone(),
            mask.clone().float(),
            self.encoder_forward.zero_state(n, &device),
            false,
        );
        let (backward, first) = self.encoder_backward.run(
            embedded,
            mask.clone().float(),
            self.encoder_backward.zero_state(n, &device),
            true,
        );
        let annotations = Tensor::cat(vec![forward, backward], 2); // [batch, src_len, 2·hidden]
        let mut initial = self.decoder.zero_state(n, &device);
        initial.hidden = tanh(self.init.forward(first.hidden)); // s_0 = tanh(W_s ←h_1)
        let keys = self.alignment.keys(annotations.clone());
        (Encoded { annotations, keys, mask }, initial)
    }

    /// One decoder step from `emb(y_{i−1})`: returns the new state, the output layer's input
    /// `[s_i ; c_i ; emb(y_{i−1})]` and the weights `α_i` `[batch, src_len]`.
    fn step(&self, encoded: &Encoded, embedded: Tensor<2>, state: &State) -> (State, Tensor<2>, Tensor<2>) {
        let scores = self.alignment.scores(state.hidden.clone(), encoded.keys.clone()); // from s_{i−1}
        let weights = masked_softmax(scores, encoded.mask.clone());
        let context = context(weights.clone(), encoded.annotations.clone()); // [batch, 2·hidden]
        let input = Tensor::cat(vec![embedded.clone(), context.clone()], 1);
        let state = self.decoder.step(self.decoder.project_inputs(input), state);
        let features = Tensor::cat(vec![state.hidden.clone(), context, embedded], 1);
        (state, features, weights)
    }
}

/// The decoder while generating, one row per hypothesis.
struct Decoding<'a> {
    model: &'a Bahdanau,
    encoded: Encoded,
    state: State,
}

impl Decoder for Decoding<'_> {
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
        let embedded = embed_step(&self.model.target_embedding, previous);
        let (state, features, weights) = self.model.step(&self.encoded, embedded, &self.state);
        self.state = state;
        (self.model.output.forward(features), Some(weights))
    }

    fn select_rows(&mut self, rows: Tensor<1, Int>) {
        self.encoded = self.encoded.select(rows.clone());
        self.state = self.state.clone().select(rows);
    }
}

impl Seq2Seq for Bahdanau {
    type Config = BahdanauConfig;

    fn init(config: &BahdanauConfig, dims: ModelDims, device: &Device) -> Self {
        let (e, h) = (config.embedding_size, config.hidden_size);
        Bahdanau {
            source_embedding: EmbeddingConfig::new(dims.source_vocab, e).init(device),
            target_embedding: EmbeddingConfig::new(dims.target_vocab, e).init(device),
            encoder_forward: Cell::new(config.cell, e, h, device).with_fused(config.fused),
            encoder_backward: Cell::new(config.cell, e, h, device).with_fused(config.fused),
            init: LinearConfig::new(h, h).init(device),
            alignment: AdditiveScore::new(h, 2 * h, config.attention_size, device).with_fused(config.fused),
            decoder: Cell::new(config.cell, e + 2 * h, h, device).with_fused(config.fused),
            output: LinearConfig::new(h + 2 * h + e, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    fn forward(&self, batch: &Batch, teacher_forcing: &[bool]) -> Tensor<3> {
        let (encoded, mut state) = self.encode(batch);
        let steps = batch.target_input.dims()[1];
        let gold = self.dropout.forward(self.target_embedding.forward(batch.target_input.clone())); // [batch, tgt_len, emb]
        let mut features: Vec<Tensor<2>> = Vec::with_capacity(steps);
        for t in 0..steps {
            let embedded = match features.last() {
                Some(previous) if !feeds_gold(teacher_forcing, t) => {
                    embed_own_prediction(&self.output, previous.clone(), &self.target_embedding, &self.dropout)
                }
                _ => gold.clone().narrow(1, t, 1).squeeze_dim(1),
            };
            let (next, step_features, _) = self.step(&encoded, embedded, &state);
            state = next;
            features.push(step_features);
        }
        self.output.forward(self.dropout.forward(Tensor::stack(features, 1))) // [batch, tgt_len, vocab]
    }

    fn generate(&self, batch: &Batch, search: &Search) -> Generation {
        let (encoded, state) = self.encode(batch);
        decode(batch, search, &mut Decoding { model: self, encoded, state })
    }
}
