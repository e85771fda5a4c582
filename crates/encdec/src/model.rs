//! The RNN encoder-decoder of Sutskever et al. (2014) and Cho et al. (2014).
//!
//! ```text
//! encoder:  h_j = RNN(emb(x_j), h_{j−1})                 j = 1 … S
//! context:  c = h_S                                      one fixed-length vector
//! decoder:  s_0 = h_S,   s_t = RNN([emb(y_{t−1}); c], s_{t−1})
//! output:   p(y_t | y_<t, x) = softmax(W_o s_t + b_o)
//! ```
//!
//! Everything the decoder knows about the source passes through `c` (and the initial state):
//! the bottleneck that attention removes.

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor};
use seq2seq_data::Batch;
use seq2seq_model::decode::{Decoder, Search, StepOutput, decode, embed_step};
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::scheduled_sampling::{embed_own_prediction, feeds_gold};
use seq2seq_model::validate::{ConfigIssue, ModelConfig, count, dropout, width};
use seq2seq_model::{Generation, ModelDims, Seq2Seq};
use serde::{Deserialize, Serialize};

use seq2seq_lstm::{Cell, CellKind, State};

/// The `[model]` section of `--arch encdec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EncDecConfig {
    /// `lstm`, `gru` or `rnn` (Elman).
    pub cell: CellKind,
    /// Size of the token embeddings.
    pub embedding_size: usize,
    /// Size of the hidden state (and of the context vector).
    pub hidden_size: usize,
    /// Stacked recurrent layers in the encoder and in the decoder.
    pub layers: usize,
    /// Dropout on embeddings, between layers and before the output layer.
    pub dropout: f64,
    /// Feed the context vector to every decoder step (Cho et al.), not only as its initial
    /// state (Sutskever et al.).
    pub feed_context: bool,
    /// Run the recurrent layers as one fused operation with a hand-written backward pass
    /// (`seq2seq-kernels`); `false` runs the readable cells, operation by operation (same numbers
    /// to float tolerance, several times slower).
    pub fused: bool,
}

impl Default for EncDecConfig {
    fn default() -> Self {
        Self {
            cell: CellKind::Lstm,
            embedding_size: 128,
            hidden_size: 128,
            layers: 1,
            dropout: 0.1,
            feed_context: true,
            fused: true,
        }
    }
}

impl ModelConfig for EncDecConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("embedding_size", self.embedding_size)?;
        width("hidden_size", self.hidden_size)?;
        count("layers", self.layers, 1, 16)?;
        dropout("dropout", self.dropout)
    }
}

#[derive(Module, Debug)]
pub struct EncoderDecoder {
    pub source_embedding: Embedding,
    pub target_embedding: Embedding,
    /// One cell per layer.
    pub encoder: Vec<Cell>,
    pub decoder: Vec<Cell>,
    pub output: Linear,
    pub dropout: Dropout,
    pub feed_context: bool,
}

impl EncoderDecoder {
    /// Reads the source; returns the context vector `c` `[batch, hidden]` and the final state of
    /// every layer (the decoder's initial states).
    pub fn encode(&self, batch: &Batch) -> (Tensor<2>, Vec<State>) {
        let mask = batch.source_mask.clone().float(); // [batch, src_len]
        let mut inputs = self.dropout.forward(self.source_embedding.forward(batch.source.clone())); // [batch, src_len, emb]
        let batch_size = batch.size();
        let device = inputs.device();
        let mut finals = Vec::with_capacity(self.encoder.len());
        for (l, cell) in self.encoder.iter().enumerate() {
            let (states, last) = cell.run(inputs, mask.clone(), cell.zero_state(batch_size, &device), false);
            inputs = if l + 1 < self.encoder.len() { self.dropout.forward(states) } else { states };
            finals.push(last);
        }
        let context = finals.last().expect("at least one layer").hidden.clone();
        (context, finals)
    }

    /// Decoder input for one step: `[emb(y_{t−1}); c]` (or `emb(y_{t−1})` alone).
    fn step_input(&self, embedded: Tensor<2>, context: &Tensor<2>) -> Tensor<2> {
        // BEGIN SOLUTION decoder-step
        if self.feed_context { Tensor::cat(vec![embedded, context.clone()], 1) } else { embedded }
        // END SOLUTION decoder-step
    }

    /// One decoder step through all layers from the first layer's projected input; returns the
    /// top hidden state `[batch, hidden]`.
    fn decoder_step(&self, projected: Tensor<2>, states: &mut [State]) -> Tensor<2> {
        // BEGIN SOLUTION decoder-step
        states[0] = self.decoder[0].step(projected, &states[0]);
        for l in 1..self.decoder.len() {
            let below = self.dropout.forward(states[l - 1].hidden.clone()); // [batch, hidden]
            states[l] = self.decoder[l].step(self.decoder[l].project_inputs(below), &states[l]);
        }
        states[states.len() - 1].hidden.clone()
        // END SOLUTION decoder-step
    }
}

/// The decoder while generating: `c` and every layer's state, one row per hypothesis.
struct Decoding<'a> {
    model: &'a EncoderDecoder,
    context: Tensor<2>,
    states: Vec<State>,
}

impl Decoder for Decoding<'_> {
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
        let model = self.model;
        let input = model.step_input(embed_step(&model.target_embedding, previous), &self.context);
        let top = model.decoder_step(model.decoder[0].project_inputs(input), &mut self.states);
        (model.output.forward(top), None)
    }

    fn select_rows(&mut self, rows: Tensor<1, Int>) {
        self.context = self.context.clone().select(0, rows.clone());
        for state in &mut self.states {
            *state = state.clone().select(rows.clone());
        }
    }
}

impl Seq2Seq for EncoderDecoder {
    type Config = EncDecConfig;

    fn init(config: &EncDecConfig, dims: ModelDims, device: &Device) -> Self {
        let layers = config.layers.max(1);
        let (e, h) = (config.embedding_size, config.hidden_size);
        let decoder_input = if config.feed_context { e + h } else { e };
        EncoderDecoder {
            source_embedding: EmbeddingConfig::new(dims.source_vocab, e).init(device),
            target_embedding: EmbeddingConfig::new(dims.target_vocab, e).init(device),
            encoder: (0..layers)
                .map(|l| Cell::new(config.cell, if l == 0 { e } else { h }, h, device).with_fused(config.fused))
                .collect(),
            decoder: (0..layers)
                .map(|l| {
                    Cell::new(config.cell, if l == 0 { decoder_input } else { h }, h, device).with_fused(config.fused)
                })
                .collect(),
            output: LinearConfig::new(h, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
            feed_context: config.feed_context,
        }
    }

    fn forward(&self, batch: &Batch, teacher_forcing: &[bool]) -> Tensor<3> {
        let (context, mut states) = self.encode(batch);
        let [batch_size, steps] = batch.target_input.dims();
        // Gold inputs of every step, projected for the first decoder layer in one product.
        let gold = self.dropout.forward(self.target_embedding.forward(batch.target_input.clone())); // [batch, tgt_len, emb]
        let gold = if self.feed_context {
            let repeated = context.clone().unsqueeze_dim::<3>(1).repeat_dim(1, steps); // [batch, tgt_len, hidden]
            Tensor::cat(vec![gold, repeated], 2)
        } else {
            gold
        };
        if (1..steps).all(|t| feeds_gold(teacher_forcing, t)) {
            // Every step reads the gold previous token: each decoder layer runs over the whole
            // target at once, from the encoder's final state (the same as the loop below).
            let mask = Tensor::ones([batch_size, steps], &gold.device());
            let mut inputs = gold;
            for (l, (cell, state)) in self.decoder.iter().zip(states).enumerate() {
                let (outputs, _) = cell.run(inputs, mask.clone(), state, false); // [batch, tgt_len, hidden]
                inputs = if l + 1 < self.decoder.len() { self.dropout.forward(outputs) } else { outputs };
            }
            return self.output.forward(self.dropout.forward(inputs)); // [batch, tgt_len, target_vocab]
        }
        let gold_projected = self.decoder[0].project_inputs(gold); // [batch, tgt_len, gates·hidden]
        let mut decoder_outputs = Vec::with_capacity(steps);
        for t in 0..steps {
            let projected = if feeds_gold(teacher_forcing, t) {
                gold_projected.clone().narrow(1, t, 1).squeeze_dim(1)
            } else {
                let previous = decoder_outputs.last().cloned().expect("t > 0");
                let embedded = embed_own_prediction(&self.output, previous, &self.target_embedding, &self.dropout);
                self.decoder[0].project_inputs(self.step_input(embedded, &context))
            };
            decoder_outputs.push(self.decoder_step(projected, &mut states));
        }
        let decoder_outputs = self.dropout.forward(Tensor::stack(decoder_outputs, 1)); // [batch, tgt_len, hidden]
        self.output.forward(decoder_outputs) // [batch, tgt_len, target_vocab]
    }

    fn generate(&self, batch: &Batch, search: &Search) -> Generation {
        let (context, states) = self.encode(batch);
        decode(batch, search, &mut Decoding { model: self, context, states })
    }
}
