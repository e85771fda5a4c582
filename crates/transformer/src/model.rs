//! The whole Transformer: embeddings and positions, the encoder and decoder stacks, the output
//! layer; the training forward pass (all target positions at once, under the causal mask) and
//! generation with a key/value cache (one new position per step).

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use seq2seq_data::Batch;
use seq2seq_data::vocab::SOS;
use seq2seq_model::decode::{Decoder, Search, StepOutput, decode};
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::flops::{StepShape, matmul_flops};
use seq2seq_model::validate::{ConfigIssue, ModelConfig, count, dropout, issue, width};
use seq2seq_model::{AttentionKind, AttentionMap, Generation, ModelDims, Seq2Seq};
use serde::{Deserialize, Serialize};

use crate::attention::{causal_bias, padding_bias};
use crate::layers::{DecoderAttention, DecoderLayer, EncoderLayer, KeysValues};
use crate::positions::{learned, sinusoidal};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PositionKind {
    /// The paper's fixed sinusoids.
    Sinusoidal,
    /// A learned vector per position (up to `max_positions`).
    Learned,
    /// Nothing: self-attention alone is permutation-equivariant — shuffle the source words and
    /// the encoder's outputs shuffle with them — so word order is lost.
    None,
}

/// The `[model]` section of `--arch transformer`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransformerConfig {
    /// Size of every token's vector between layers.
    pub d_model: usize,
    /// Attention heads; each attends in `d_model / heads` dimensions.
    pub heads: usize,
    pub encoder_layers: usize,
    pub decoder_layers: usize,
    /// Hidden size of the position-wise feed-forward network.
    pub d_ff: usize,
    /// On each sub-layer's output, on the feed-forward hidden layer and on embeddings + positions.
    pub dropout: f64,
    /// Pre-norm (`LayerNorm` before each sub-layer) instead of the paper's post-norm.
    pub norm_first: bool,
    /// Share the target embedding matrix with the output layer (`logits = y Eᵀ`).
    pub tie_embeddings: bool,
    /// `sinusoidal` or `learned`.
    pub positions: PositionKind,
    /// Longest sentence learned positions cover (later positions reuse the last one).
    pub max_positions: usize,
    /// Train with scaled dot-product attention as one fused operation with a hand-written
    /// backward pass (`seq2seq-kernels`; same numbers to float tolerance). Off by default: the
    /// committed baseline was trained with the readable operations.
    pub fused: bool,
}

impl Default for TransformerConfig {
    fn default() -> Self {
        Self {
            d_model: 128,
            heads: 4,
            encoder_layers: 2,
            decoder_layers: 2,
            d_ff: 256,
            dropout: 0.1,
            norm_first: false,
            tie_embeddings: true,
            positions: PositionKind::Sinusoidal,
            max_positions: 256,
            fused: false,
        }
    }
}

impl TransformerConfig {
    /// The forward pass's products for `shape` (counted, not measured), per sentence then × batch
    /// (Vaswani et al. 2017, Table 1: self-attention O(n²·d), the projections O(n·d²)):
    ///
    /// ```text
    /// encoder layer   S·d·4d (Q, K, V, O) + 2·S·S·d (QKᵀ, AV) + 2·S·d·d_ff
    /// decoder layer   T·d·4d + 2·T·T·d                       self-attention
    ///                 T·d·2d + S·d·2d + 2·T·S·d              cross-attention (Q, O on T; K, V on S)
    ///                 2·T·d·d_ff
    /// output          T·d·V
    /// ```
    ///
    /// Every product has `batch · length` rows: at a fixed token budget, as many at any length.
    pub fn forward_flops(&self, shape: StepShape) -> f64 {
        let (d, f, v) = (self.d_model, self.d_ff, shape.target_vocab);
        let (s, t) = (shape.source_len, shape.target_len);
        let encoder_layer = matmul_flops(s, d, 4 * d) + 2.0 * matmul_flops(s, s, d) + 2.0 * matmul_flops(s, d, f);
        let decoder_layer = matmul_flops(t, d, 4 * d)
            + 2.0 * matmul_flops(t, t, d)
            + matmul_flops(t, d, 2 * d)
            + matmul_flops(s, d, 2 * d)
            + 2.0 * matmul_flops(t, s, d)
            + 2.0 * matmul_flops(t, d, f);
        let per_sentence = self.encoder_layers as f64 * encoder_layer
            + self.decoder_layers as f64 * decoder_layer
            + matmul_flops(t, d, v);
        shape.batch as f64 * per_sentence
    }
}

impl ModelConfig for TransformerConfig {
    fn validate(&self) -> Result<(), ConfigIssue> {
        width("d_model", self.d_model)?;
        count("heads", self.heads, 1, self.d_model)?;
        if self.d_model % self.heads != 0 {
            let divisors: Vec<String> =
                (1..=self.d_model.min(64)).filter(|h| self.d_model % h == 0).map(|h| h.to_string()).collect();
            return Err(issue(
                "heads",
                self.heads,
                format!("a divisor of d_model = {} (e.g. {})", self.d_model, divisors.join(", ")),
            ));
        }
        count("encoder_layers", self.encoder_layers, 1, 64)?;
        count("decoder_layers", self.decoder_layers, 1, 64)?;
        width("d_ff", self.d_ff)?;
        dropout("dropout", self.dropout)?;
        count("max_positions", self.max_positions, 1, 1 << 20)
    }
}

#[derive(Module, Debug)]
pub struct Transformer {
    pub source_embedding: Embedding,
    pub target_embedding: Embedding,
    /// Learned positions of the source and the target (`None`: sinusoids, or no positions).
    pub source_positions: Option<Embedding>,
    pub target_positions: Option<Embedding>,
    /// `positions = "sinusoidal"`.
    pub sinusoidal: bool,
    pub encoder: Vec<EncoderLayer>,
    pub decoder: Vec<DecoderLayer>,
    /// Final norms, with pre-norm only.
    pub encoder_norm: Option<LayerNorm>,
    pub decoder_norm: Option<LayerNorm>,
    /// `W_out` `[d_model, target_vocab]`; `None` when tied to the target embedding.
    pub output: Option<Linear>,
    pub dropout: Dropout,
    pub d_model: usize,
}

/// The encoder's output and what the decoder needs of it.
pub struct Encoded {
    /// `[batch, src_len, d_model]`.
    pub memory: Tensor<3>,
    /// `[batch, 1, 1, src_len]`: hides padded source positions.
    pub padding: Tensor<4>,
    /// Self-attention weights of each encoder layer, `[batch, heads, src_len, src_len]`.
    pub self_weights: Vec<Tensor<4>>,
}

impl Transformer {
    /// `√d_model · emb(tokens) + PE(start …)`, then dropout: `tokens` `[batch, length]` →
    /// `[batch, length, d_model]`.
    fn embed(
        &self,
        embedding: &Embedding,
        positions: Option<&Embedding>,
        tokens: Tensor<2, Int>,
        start: usize,
    ) -> Tensor<3> {
        let [batch, length] = tokens.dims();
        let device = tokens.device();
        let scaled = embedding.forward(tokens) * (self.d_model as f32).sqrt();
        let encoding: Option<Tensor<3>> = match positions {
            Some(table) => Some(learned(table, start, length, &device)),
            None if self.sinusoidal => Some(sinusoidal(start, length, self.d_model, &device).unsqueeze_dim(0)),
            None => None,
        };
        let positioned = match encoding {
            Some(encoding) => scaled + encoding.expand([batch, length, self.d_model]),
            None => scaled,
        };
        self.dropout.forward(positioned)
    }

    pub fn encode(&self, batch: &Batch) -> Encoded {
        let padding = padding_bias(batch.source_mask.clone());
        let mut x = self.embed(&self.source_embedding, self.source_positions.as_ref(), batch.source.clone(), 0);
        let mut self_weights = Vec::with_capacity(self.encoder.len());
        for layer in &self.encoder {
            let (next, weights) = layer.forward(x, padding.clone());
            x = next;
            self_weights.push(weights);
        }
        let memory = match &self.encoder_norm {
            Some(norm) => norm.forward(x),
            None => x,
        };
        Encoded { memory, padding, self_weights }
    }

    /// Every decoder layer's cross-attention keys and values of the encoder output.
    fn cross_keys_values(&self, encoded: &Encoded) -> Vec<KeysValues> {
        self.decoder.iter().map(|layer| layer.cross_attention.keys_values(encoded.memory.clone())).collect()
    }

    /// The decoder on target positions `start …` (`tokens` `[batch, new]`), given the cached
    /// keys and values of earlier positions (`past`, one per layer, updated in place). Returns
    /// the logits `[batch, new, target_vocab]` and every layer's attention.
    pub fn decode_positions(
        &self,
        tokens: Tensor<2, Int>,
        start: usize,
        past: &mut [Option<KeysValues>],
        cross: &[KeysValues],
        padding: &Tensor<4>,
    ) -> (Tensor<3>, Vec<DecoderAttention>) {
        let new = tokens.dims()[1];
        let device = tokens.device();
        let mut y = self.embed(&self.target_embedding, self.target_positions.as_ref(), tokens, start);
        let causal = (new > 1).then(|| {
            // New position i may see all `start` earlier positions and new positions ≤ i.
            let bias = causal_bias(new, &device);
            if start == 0 { bias } else { Tensor::cat(vec![Tensor::zeros([1, 1, new, start], &device), bias], 3) }
        });
        let mut attention = Vec::with_capacity(self.decoder.len());
        for (l, layer) in self.decoder.iter().enumerate() {
            let (next, layer_attention) = layer.forward(y, past[l].take(), causal.clone(), &cross[l], padding.clone());
            y = next;
            past[l] = Some(layer_attention.self_keys_values.clone());
            attention.push(layer_attention);
        }
        (self.logits(y), attention)
    }

    /// `[batch, length, d_model]` → `[batch, length, target_vocab]`.
    fn logits(&self, y: Tensor<3>) -> Tensor<3> {
        let y = match &self.decoder_norm {
            Some(norm) => norm.forward(y),
            None => y,
        };
        match &self.output {
            Some(output) => output.forward(y),
            None => {
                // Tied: the output layer is the target embedding matrix, transposed.
                let [batch, length, d_model] = y.dims();
                let weights = self.target_embedding.weight.val(); // [target_vocab, d_model]
                let vocab = weights.dims()[0];
                y.reshape([batch * length, d_model]).matmul(weights.transpose()).reshape([batch, length, vocab])
            }
        }
    }
}

/// Generation, one position per step, with each layer's self-attention keys and values cached
/// so that a step costs one position, not the whole prefix.
struct Decoding<'a> {
    model: &'a Transformer,
    padding: Tensor<4>,
    cross: Vec<KeysValues>,
    past: Vec<Option<KeysValues>>,
    position: usize,
}

impl Decoder for Decoding<'_> {
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
        let [rows] = previous.dims();
        let tokens = previous.reshape([rows, 1]);
        let (logits, attention) =
            self.model.decode_positions(tokens, self.position, &mut self.past, &self.cross, &self.padding);
        self.position += 1;
        let vocab = logits.dims()[2];
        // The last layer's cross-attention, averaged over heads: `[rows, src_len]`.
        let cross = attention.last().expect("at least one decoder layer").cross_weights.clone();
        let [_, heads, _, src_len] = cross.dims();
        let weights = cross.sum_dim(1).reshape([rows, src_len]) / heads as f32;
        (logits.reshape([rows, vocab]), Some(weights))
    }

    fn select_rows(&mut self, rows: Tensor<1, Int>) {
        let select = |(k, v): &KeysValues| (k.clone().select(0, rows.clone()), v.clone().select(0, rows.clone()));
        self.padding = self.padding.clone().select(0, rows.clone());
        self.cross = self.cross.iter().map(select).collect();
        self.past = self.past.iter().map(|kv| kv.as_ref().map(select)).collect();
    }
}

/// `[1, heads, queries, keys]` → one map per head.
fn head_maps(weights: &Tensor<4>, kind: AttentionKind, layer: usize) -> Vec<AttentionMap> {
    let [_, heads, queries, keys] = weights.dims();
    let values: Vec<f32> = weights.clone().try_into_vec_as::<f32>().expect("float weights");
    (0..heads)
        .map(|head| AttentionMap {
            kind,
            layer,
            head,
            weights: (0..queries)
                .map(|q| values[(head * queries + q) * keys..(head * queries + q + 1) * keys].to_vec())
                .collect(),
        })
        .collect()
}

impl Seq2Seq for Transformer {
    type Config = TransformerConfig;

    fn init(config: &TransformerConfig, dims: ModelDims, device: &Device) -> Self {
        let (d, heads, d_ff, p, pre) = (config.d_model, config.heads, config.d_ff, config.dropout, config.norm_first);
        // Embeddings start at N(0, 1/d_model): scaled by √d_model they have unit variance, like
        // the positions added to them, and a tied output layer starts with logits of unit scale.
        // (burn's default N(0, 1) would make the tied logits √d_model times too large.)
        let embedding = |count: usize| {
            let std = 1.0 / (d as f64).sqrt();
            EmbeddingConfig::new(count, d).with_initializer(Initializer::Normal { mean: 0.0, std }).init(device)
        };
        let learned = |on: bool| on.then(|| embedding(config.max_positions.max(1)));
        let is_learned = config.positions == PositionKind::Learned;
        Transformer {
            source_embedding: embedding(dims.source_vocab),
            target_embedding: embedding(dims.target_vocab),
            source_positions: learned(is_learned),
            target_positions: learned(is_learned),
            sinusoidal: config.positions == PositionKind::Sinusoidal,
            encoder: (0..config.encoder_layers.max(1))
                .map(|_| EncoderLayer::new(d, heads, d_ff, p, pre, device).with_fused(config.fused))
                .collect(),
            decoder: (0..config.decoder_layers.max(1))
                .map(|_| DecoderLayer::new(d, heads, d_ff, p, pre, device).with_fused(config.fused))
                .collect(),
            encoder_norm: pre.then(|| LayerNormConfig::new(d).init(device)),
            decoder_norm: pre.then(|| LayerNormConfig::new(d).init(device)),
            output: (!config.tie_embeddings).then(|| LinearConfig::new(d, dims.target_vocab).init(device)),
            dropout: DropoutConfig::new(p).init(),
            d_model: d,
        }
    }

    /// All target positions at once under the causal mask: the Transformer is always
    /// teacher-forced while training (scheduled sampling would need step-by-step decoding).
    fn forward(&self, batch: &Batch, _teacher_forcing: &[bool]) -> Tensor<3> {
        let encoded = self.encode(batch);
        let cross = self.cross_keys_values(&encoded);
        let mut past = vec![None; self.decoder.len()];
        self.decode_positions(batch.target_input.clone(), 0, &mut past, &cross, &encoded.padding).0
    }

    fn generate(&self, batch: &Batch, search: &Search) -> Generation {
        let encoded = self.encode(batch);
        let cross = self.cross_keys_values(&encoded);
        let past = vec![None; self.decoder.len()];
        decode(batch, search, &mut Decoding { model: self, padding: encoded.padding, cross, past, position: 0 })
    }

    /// Every head of every layer: encoder self-attention, decoder self-attention and
    /// cross-attention, from one teacher-forced pass over `<sos>` + `generated`.
    fn attention_maps(&self, batch: &Batch, generated: &[usize]) -> Vec<AttentionMap> {
        let encoded = self.encode(batch);
        let cross = self.cross_keys_values(&encoded);
        let mut past = vec![None; self.decoder.len()];
        let inputs: Vec<i64> = std::iter::once(SOS).chain(generated.iter().copied()).map(|t| t as i64).collect();
        let length = inputs.len();
        let tokens = Tensor::from_data(TensorData::new(inputs, [1, length]), &batch.source.device());
        let (_, attention) = self.decode_positions(tokens, 0, &mut past, &cross, &encoded.padding);
        let mut maps = Vec::new();
        for (layer, weights) in encoded.self_weights.iter().enumerate() {
            maps.extend(head_maps(weights, AttentionKind::EncoderSelf, layer));
        }
        for (layer, a) in attention.iter().enumerate() {
            maps.extend(head_maps(&a.self_weights, AttentionKind::DecoderSelf, layer));
            maps.extend(head_maps(&a.cross_weights, AttentionKind::Cross, layer));
        }
        maps
    }

    fn source_embedding(&self) -> Option<&Embedding> {
        Some(&self.source_embedding)
    }
}
