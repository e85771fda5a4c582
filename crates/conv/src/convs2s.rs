//! ConvS2S (Gehring et al. 2017): a convolutional encoder, a causal convolutional decoder whose
//! every layer attends to the source, learned positions on both sides; the training pass (all
//! target positions at once) and generation that keeps each layer's last `k − 1` inputs, so a
//! step costs one position, not the whole prefix.
//!
//! Kept from the paper (and fairseq's `fconv`): GLU layers with √½ residuals, values `z + e`,
//! the `√m` scaling of the attention's output, embeddings from N(0, 0.1), dropout on the
//! embeddings, before each convolution and before the output layer. Left out, for a model that
//! reads in one sitting: weight normalisation and the paper's initialisation of the
//! convolutions (burn's defaults here), the encoder's gradient scaling by the number of
//! attention layers, and the projections between embedding and convolution widths (one width
//! `d` everywhere). It trains with the workbench's Adam, not the paper's Nesterov momentum.

use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig, Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use seq2seq_data::Batch;
use seq2seq_data::vocab::SOS;
use seq2seq_model::decode::{Decoder, Search, StepOutput, decode};
use seq2seq_model::dropout::{Dropout, DropoutConfig};
use seq2seq_model::{AttentionKind, AttentionMap, Generation, ModelDims, Seq2Seq};
use seq2seq_transformer::positions::learned;

use crate::block::SQRT_HALF;
use crate::convs2s_layers::{ConvDecoderLayer, EncodedSource};
use crate::{Context, ConvBlock, ConvS2SConfig};

/// ```text
/// e_j = emb(x_j) + p_j                      source words and positions
/// z_j = ConvBlock_L(… ConvBlock_1(e) …)_j   centred: each sees R = 1 + (k − 1)·L words
/// g_i = emb(y_i) + p_i                      previous target words and positions
/// h^l = ConvDecoderLayer_l(h^{l−1}, g, z, e), h^0 = g
/// p(y_{i+1} | y_{≤i}, x) = softmax(W_out dropout(h_i^L) + b_out)
/// ```
#[derive(Module, Debug)]
pub struct ConvS2S {
    pub source_embedding: Embedding,
    pub source_positions: Embedding,
    pub target_embedding: Embedding,
    pub target_positions: Embedding,
    /// Centred gated convolutions over the source, padding masked.
    pub encoder: Vec<ConvBlock>,
    pub decoder: Vec<ConvDecoderLayer>,
    /// `W_out, b_out`: `[d, target_vocab]`.
    pub output: Linear,
    pub dropout: Dropout,
}

impl ConvS2S {
    /// `emb(tokens) + p(start …)`, then dropout: `[batch, length]` → `[batch, length, d]`.
    pub(crate) fn embed(
        &self,
        embedding: &Embedding,
        positions: &Embedding,
        tokens: Tensor<2, Int>,
        start: usize,
    ) -> Tensor<3> {
        let (length, device) = (tokens.dims()[1], tokens.device());
        self.dropout.forward(embedding.forward(tokens) + learned(positions, start, length, &device))
    }

    /// The source, encoded into the keys and values every decoder layer attends to.
    pub fn encode(&self, batch: &Batch) -> EncodedSource {
        let [rows, src_len] = batch.source.dims();
        let device = batch.source.device();
        let e = self.embed(&self.source_embedding, &self.source_positions, batch.source.clone(), 0);
        let mask = batch.source_mask.clone().float(); // [batch, src_len]
        let mut z = e.clone();
        for block in &self.encoder {
            z = block.forward(z, mask.clone(), &self.dropout);
        }
        let lengths: Vec<f32> = batch.source_lengths.iter().map(|&m| (m.max(1) as f32).sqrt()).collect();
        let root_m = Tensor::<3>::from_data(TensorData::new(lengths, [rows, 1, 1]), &device);
        let values = (z.clone() + e) * SQRT_HALF * root_m;
        let bias = ((mask - 1.0) * 1e9).reshape([rows, 1, src_len]);
        EncodedSource { keys: z, values, bias }
    }

    /// Every target position of `tokens` `[batch, tgt]` at once → logits `[batch, tgt, vocab]`
    /// and each layer's attention `[batch, tgt, src_len]`.
    pub(crate) fn decode_all(&self, tokens: Tensor<2, Int>, source: &EncodedSource) -> (Tensor<3>, Vec<Tensor<3>>) {
        let g = self.embed(&self.target_embedding, &self.target_positions, tokens, 0);
        let mut h = g.clone();
        let mut attention = Vec::with_capacity(self.decoder.len());
        for layer in &self.decoder {
            let (next, weights) = layer.forward(h, g.clone(), source, &self.dropout);
            h = next;
            attention.push(weights);
        }
        (self.output.forward(self.dropout.forward(h)), attention)
    }
}

/// Generation, one position per step: each decoder layer keeps its last `k − 1` inputs.
struct Decoding<'a> {
    model: &'a ConvS2S,
    source: EncodedSource,
    /// Per layer, `[rows, k − 1, d]`.
    windows: Vec<Tensor<3>>,
    position: usize,
}

impl Decoder for Decoding<'_> {
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
        let [rows] = previous.dims();
        let model = self.model;
        let g =
            model.embed(&model.target_embedding, &model.target_positions, previous.reshape([rows, 1]), self.position);
        self.position += 1;
        let mut h = g.clone();
        let mut last = None;
        for (layer, window) in model.decoder.iter().zip(self.windows.iter_mut()) {
            let (next, weights, kept) = layer.step(h, g.clone(), window.clone(), &self.source);
            (h, *window) = (next, kept);
            last = Some(weights);
        }
        let logits = model.output.forward(h); // [rows, 1, vocab]
        let vocab = logits.dims()[2];
        let weights = last.expect("at least one decoder layer"); // [rows, 1, src_len]
        let src_len = weights.dims()[2];
        (logits.reshape([rows, vocab]), Some(weights.reshape([rows, src_len])))
    }

    fn select_rows(&mut self, rows: Tensor<1, Int>) {
        self.source = self.source.select(rows.clone());
        self.windows = self.windows.iter().map(|w| w.clone().select(0, rows.clone())).collect();
    }
}

impl Seq2Seq for ConvS2S {
    type Config = ConvS2SConfig;

    fn init(config: &ConvS2SConfig, dims: ModelDims, device: &Device) -> Self {
        let (d, k) = (config.channels, config.kernel_size);
        // Embeddings from N(0, 0.1) (Gehring et al. 2017, section 3.4), not burn's N(0, 1).
        let embedding = |count: usize| {
            EmbeddingConfig::new(count, d).with_initializer(Initializer::Normal { mean: 0.0, std: 0.1 }).init(device)
        };
        let positions = config.max_positions.max(1);
        ConvS2S {
            source_embedding: embedding(dims.source_vocab),
            source_positions: embedding(positions),
            target_embedding: embedding(dims.target_vocab),
            target_positions: embedding(positions),
            encoder: (0..config.encoder_layers)
                .map(|_| ConvBlock::new(d, k, 1, ConvBlock::padding(k, 1, Context::Centred), device))
                .collect(),
            decoder: (0..config.decoder_layers).map(|_| ConvDecoderLayer::new(d, k, device)).collect(),
            output: LinearConfig::new(d, dims.target_vocab).init(device),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    /// All target positions at once, the causal convolutions hiding later words: always
    /// teacher-forced while training, as the Transformer.
    fn forward(&self, batch: &Batch, _teacher_forcing: &[bool]) -> Tensor<3> {
        let source = self.encode(batch);
        self.decode_all(batch.target_input.clone(), &source).0
    }

    fn generate(&self, batch: &Batch, search: &Search) -> Generation {
        let source = self.encode(batch);
        let rows = batch.size();
        let device = batch.source.device();
        let d = self.output.weight.dims()[0]; // W_out: [d, target_vocab]
        let windows = self.decoder.iter().map(|layer| Tensor::zeros([rows, layer.block.span(), d], &device)).collect();
        decode(batch, search, &mut Decoding { model: self, source, windows, position: 0 })
    }

    /// Each decoder layer's attention (one head), from one teacher-forced pass over `<sos>` +
    /// `generated`: the lower layers' maps show what the later ones build on.
    fn attention_maps(&self, batch: &Batch, generated: &[usize]) -> Vec<AttentionMap> {
        let source = self.encode(batch);
        let inputs: Vec<i64> = std::iter::once(SOS).chain(generated.iter().copied()).map(|t| t as i64).collect();
        let length = inputs.len();
        let tokens = Tensor::from_data(TensorData::new(inputs, [1, length]), &batch.source.device());
        let (_, attention) = self.decode_all(tokens, &source);
        attention
            .into_iter()
            .enumerate()
            .map(|(layer, weights)| {
                let [_, queries, keys] = weights.dims();
                let values: Vec<f32> = weights.try_into_vec_as::<f32>().expect("float weights");
                let weights = values.chunks(keys).take(queries).map(<[f32]>::to_vec).collect();
                AttentionMap { kind: AttentionKind::Cross, layer, head: 0, weights }
            })
            .collect()
    }

    fn source_embedding(&self) -> Option<&Embedding> {
        Some(&self.source_embedding)
    }
}
