//! Luong, Pham & Manning (2015), "Effective Approaches to Attention-based Neural Machine
//! Translation", global attention:
//!
//! ```text
//! encoder:      h̄_s = RNN(emb(x_s), h̄_{s−1})
//! decoder:      h_t = RNN([emb(y_{t−1}) ; h̃_{t−1}], h_{t−1})    (h̃_{t−1} only with input feeding)
//! scores:       score(h_t, h̄_s) = h_tᵀ h̄_s | h_tᵀ W_a h̄_s | v_aᵀ tanh(W_a [h_t ; h̄_s])
//! weights:      a_t(s) = softmax_s(score(h_t, h̄_s))            from the current decoder state
//! context:      c_t = Σ_s a_t(s) h̄_s
//! attentional:  h̃_t = tanh(W_c [c_t ; h_t])
//! output:       p(y_t) = softmax(W_s h̃_t)
//! ```

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::activation::tanh;
use burn::tensor::{Bool, Device, Int, Tensor};
use seq2seq_data::Batch;
use seq2seq_lstm::{Cell, CellKind, State};
use seq2seq_model::decode::{Decoder, Search, StepOutput, decode, embed_step, select_mask};
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::flops::{StepShape, matmul_flops};
use seq2seq_model::scheduled_sampling::{embed_own_prediction, feeds_gold};
use seq2seq_model::validate::{ConfigIssue, ModelConfig, dropout, width};
use seq2seq_model::{Generation, ModelDims, Seq2Seq};
use serde::{Deserialize, Serialize};

use crate::attention::{Score, ScoreKind, context, masked_softmax};

/// The `[model]` section of `--arch luong`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LuongConfig {
    /// `lstm`, `gru` or `rnn`.
    pub cell: CellKind,
    /// `dot`, `general` or `concat`.
    pub score: ScoreKind,
    pub embedding_size: usize,
    pub hidden_size: usize,
    /// Feed `h̃_{t−1}` into the next decoder step, so it knows what it attended to.
    pub input_feeding: bool,
    pub dropout: f64,
    /// Run the recurrent layers as one fused operation with a hand-written backward pass
    /// (`seq2seq-kernels`); `false` runs the readable cells, operation by operation (same numbers
    /// to float tolerance, several times slower).
    pub fused: bool,
}

impl Default for LuongConfig {
    fn default() -> Self {
        Self {
            cell: CellKind::Lstm,
            score: ScoreKind::General,
            embedding_size: 128,
            hidden_size: 128,
            input_feeding: true,
            dropout: 0.1,
            fused: true,
        }
    }
}

impl LuongConfig {
    /// The forward pass's products for `shape` (counted, not measured), per sentence then × batch:
    ///
    /// ```text
    /// encoder      S · (e·gh + h·gh)               g gates (LSTM 4, GRU 3, RNN 1)
    /// keys         S · h·h                         `general` only
    /// decoder      T · ((e + h)·gh + h·gh)         input feeding: [emb ; h̃_{t−1}]
    /// attention    T · (S·h + S·h)                 scores h_tᵀ k_s, context Σ a_s h̄_s
    /// combine      T · 2h·h                        h̃_t = tanh(W_c [c_t ; h_t])
    /// output       T · h·V
    /// ```
    ///
    /// Each step's products have `batch` rows: at a fixed token budget, long sentences leave few.
    pub fn forward_flops(&self, shape: StepShape) -> f64 {
        let (e, h, v) = (self.embedding_size, self.hidden_size, shape.target_vocab);
        let (s, t) = (shape.source_len, shape.target_len);
        let gh = h * match self.cell {
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
            CellKind::Rnn => 1,
        };
        let decoder_input = if self.input_feeding { e + h } else { e };
        let keys = if self.score == ScoreKind::General { matmul_flops(s, h, h) } else { 0.0 };
        let concat = if self.score == ScoreKind::Concat { matmul_flops(s, h, h) + matmul_flops(t, h, h) } else { 0.0 };
        let per_sentence = matmul_flops(s, e + h, gh)
            + keys
            + concat
            + matmul_flops(t, decoder_input + h, gh)
            + 2.0 * matmul_flops(t, s, h)
            + matmul_flops(t, 2 * h, h)
            + matmul_flops(t, h, v);
        shape.batch as f64 * per_sentence
    }
}

impl ModelConfig for LuongConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("embedding_size", self.embedding_size)?;
        width("hidden_size", self.hidden_size)?;
        dropout("dropout", self.dropout)
    }
}

#[derive(Module, Debug)]
pub struct Luong {
    pub source_embedding: Embedding,
    pub target_embedding: Embedding,
    pub encoder: Cell,
    pub decoder: Cell,
    pub score: Score,
    /// `W_c`: `[2·hidden, hidden]`.
    pub combine: Linear,
    /// `W_s`: `[hidden, target_vocab]`.
    pub output: Linear,
    pub dropout: Dropout,
    pub input_feeding: bool,
}

struct Encoded {
    /// `h̄_s`, `[batch, src_len, hidden]`.
    states: Tensor<3>,
    /// What the score compares with, `[batch, src_len, ·]`.
    keys: Tensor<3>,
    mask: Tensor<2, Bool>,
}

impl Encoded {
    fn select(&self, rows: Tensor<1, Int>) -> Encoded {
        Encoded {
            states: self.states.clone().select(0, rows.clone()),
            keys: self.keys.clone().select(0, rows.clone()),
            mask: select_mask(self.mask.clone(), rows),
        }
    }
}

/// The decoder's recurrent state and `h̃_{t−1}`.
struct DecoderState {
    recurrent: State,
    attentional: Tensor<2>,
}

impl Luong {
    fn encode(&self, batch: &Batch) -> (Encoded, DecoderState) {
        let embedded = self.dropout.forward(self.source_embedding.forward(batch.source.clone()));
        let n = batch.size();
        let device = embedded.device();
        let mask = batch.source_mask.clone();
        let (states, last) =
            self.encoder.run(embedded, mask.clone().float(), self.encoder.zero_state(n, &device), false);
        let keys = self.score.keys(states.clone());
        let attentional = Tensor::zeros([n, self.encoder.hidden_size()], &device);
        (Encoded { states, keys, mask }, DecoderState { recurrent: last, attentional })
    }

    /// One decoder step from `emb(y_{t−1})`: returns the new state (holding `h̃_t`, the output
    /// layer's input) and the weights `a_t` `[batch, src_len]`.
    fn step(&self, encoded: &Encoded, embedded: Tensor<2>, state: &DecoderState) -> (DecoderState, Tensor<2>) {
        let input =
            if self.input_feeding { Tensor::cat(vec![embedded, state.attentional.clone()], 1) } else { embedded };
        let recurrent = self.decoder.step(self.decoder.project_inputs(input), &state.recurrent);
        let h_t = recurrent.hidden.clone();
        let weights = masked_softmax(self.score.scores(h_t.clone(), encoded.keys.clone()), encoded.mask.clone());
        let context = context(weights.clone(), encoded.states.clone()); // [batch, hidden]
        let attentional = tanh(self.combine.forward(Tensor::cat(vec![context, h_t], 1))); // h̃_t
        (DecoderState { recurrent, attentional }, weights)
    }
}

/// The decoder while generating, one row per hypothesis.
struct Decoding<'a> {
    model: &'a Luong,
    encoded: Encoded,
    state: DecoderState,
}

impl Decoder for Decoding<'_> {
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
        let embedded = embed_step(&self.model.target_embedding, previous);
        let (state, weights) = self.model.step(&self.encoded, embedded, &self.state);
        let logits = self.model.output.forward(state.attentional.clone());
        self.state = state;
        (logits, Some(weights))
    }

    fn select_rows(&mut self, rows: Tensor<1, Int>) {
        self.encoded = self.encoded.select(rows.clone());
        self.state = DecoderState {
            recurrent: self.state.recurrent.clone().select(rows.clone()),
            attentional: self.state.attentional.clone().select(0, rows),
        };
    }
}

impl Seq2Seq for Luong {
    type Config = LuongConfig;

    fn init(config: &LuongConfig, dims: ModelDims, device: &Device) -> Self {
        let (e, h) = (config.embedding_size, config.hidden_size);
        let decoder_input = if config.input_feeding { e + h } else { e };
        Luong {
            source_embedding: EmbeddingConfig::new(dims.source_vocab, e).init(device),
            target_embedding: EmbeddingConfig::new(dims.target_vocab, e).init(device),
            encoder: Cell::new(config.cell, e, h, device).with_fused(config.fused),
            decoder: Cell::new(config.cell, decoder_input, h, device).with_fused(config.fused),
            score: Score::new(config.score, h, device).with_fused(config.fused),
            combine: LinearConfig::new(2 * h, h).with_bias(false).init(device),
            output: LinearConfig::new(h, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
            input_feeding: config.input_feeding,
        }
    }

    fn forward(&self, batch: &Batch, teacher_forcing: &[bool]) -> Tensor<3> {
        let (encoded, mut state) = self.encode(batch);
        let steps = batch.target_input.dims()[1];
        let gold = self.dropout.forward(self.target_embedding.forward(batch.target_input.clone()));
        let mut attentional: Vec<Tensor<2>> = Vec::with_capacity(steps);
        for t in 0..steps {
            let embedded = match attentional.last() {
                Some(previous) if !feeds_gold(teacher_forcing, t) => {
                    embed_own_prediction(&self.output, previous.clone(), &self.target_embedding, &self.dropout)
                }
                _ => gold.clone().narrow(1, t, 1).squeeze_dim(1),
            };
            let (next, _) = self.step(&encoded, embedded, &state);
            attentional.push(next.attentional.clone());
            state = next;
        }
        self.output.forward(self.dropout.forward(Tensor::stack(attentional, 1))) // [batch, tgt_len, vocab]
    }

    fn generate(&self, batch: &Batch, search: &Search) -> Generation {
        let (encoded, state) = self.encode(batch);
        decode(batch, search, &mut Decoding { model: self, encoded, state })
    }
}
