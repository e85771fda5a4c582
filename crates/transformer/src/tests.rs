//! The Transformer checked against burn's own modules and by hand: positional encoding and
//! multi-head attention with copied weights, attention gradients against finite differences,
//! the causal mask, cached against uncached generation, and padding.

use burn::module::Module;
use burn::nn::PositionalEncodingConfig;
use burn::nn::attention::{MhaInput, MultiHeadAttentionConfig};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_model::decode::{Decoder, Search, StepOutput, decode};
use seq2seq_model::token_loss::token_cross_entropy;
use seq2seq_model::{AttentionKind, ModelDims, Seq2Seq};

use crate::attention::{MultiHeadAttention, causal_bias, padding_bias, scaled_dot_product_attention};
use crate::positions::{learned, sinusoidal};
use crate::{PositionKind, Transformer, TransformerConfig};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn assert_close(actual: &[f32], expected: &[f32], tolerance: f32) {
    assert_eq!(actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!((a - e).abs() <= tolerance, "element {i}: {a} vs {e}");
    }
}

#[test]
fn sinusoids_match_burns_positional_encoding_and_the_formula() {
    let device = Device::flex();
    let (length, d_model) = (7, 8);
    let burn_pe = PositionalEncodingConfig::new(d_model).init(&device);
    let expected = burn_pe.forward(Tensor::zeros([1, length, d_model], &device));
    assert_close(&values(sinusoidal(0, length, d_model, &device)), &values(expected), 1e-5);
    // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(…): position 3, i = 1.
    let row = values(sinusoidal(3, 1, d_model, &device));
    let angle = 3.0f32 / 10_000f32.powf(2.0 / 8.0);
    assert_close(&row[2..4], &[angle.sin(), angle.cos()], 1e-6);
    // Starting later gives the later rows.
    assert_close(&values(sinusoidal(5, 2, d_model, &device)), &values(sinusoidal(0, 7, d_model, &device))[40..], 1e-6);
}

/// Learned positions read the table's rows from `start`; positions past the table share its last.
#[test]
fn learned_positions_read_rows_from_start_and_share_the_last() {
    let device = Device::flex();
    let table = burn::nn::EmbeddingConfig::new(3, 2).init(&device);
    let rows = values(table.weight.val());
    let read = values(learned(&table, 1, 4, &device));
    assert_eq!(read, [&rows[2..4], &rows[4..6], &rows[4..6], &rows[4..6]].concat());
}

#[test]
fn scaled_dot_product_attention_by_hand() {
    let device = Device::flex();
    let cube = |v: &[f32], shape: [usize; 4]| Tensor::<4>::from_data(TensorData::new(v.to_vec(), shape), &device);
    // One query [1, 0]; keys [1, 0] and [0, 1]; d_k = 2 → scores [1/√2, 0].
    let query = cube(&[1.0, 0.0], [1, 1, 1, 2]);
    let key = cube(&[1.0, 0.0, 0.0, 1.0], [1, 1, 2, 2]);
    let value = cube(&[10.0, 0.0, 0.0, 20.0], [1, 1, 2, 2]);
    let (context, weights) = scaled_dot_product_attention(query.clone(), key.clone(), value.clone(), None);
    let e = (1.0f32 / 2f32.sqrt()).exp();
    let (w0, w1) = (e / (e + 1.0), 1.0 / (e + 1.0));
    assert_close(&values(weights), &[w0, w1], 1e-6);
    assert_close(&values(context), &[10.0 * w0, 20.0 * w1], 1e-5);
    // Masking the first key leaves all weight on the second.
    let mask = Tensor::<2, burn::tensor::Bool>::from_data(TensorData::new(vec![false, true], [1, 2]), &device);
    let (context, weights) = scaled_dot_product_attention(query, key, value, Some(padding_bias(mask)));
    assert_close(&values(weights), &[0.0, 1.0], 0.0);
    assert_close(&values(context), &[0.0, 20.0], 1e-6);
}

fn burn_and_ours(device: &Device) -> (burn::nn::attention::MultiHeadAttention, MultiHeadAttention) {
    let theirs = MultiHeadAttentionConfig::new(8, 2).with_dropout(0.0).init(device);
    let mut ours = MultiHeadAttention::new(8, 2, device);
    ours.query = theirs.query.clone();
    ours.key = theirs.key.clone();
    ours.value = theirs.value.clone();
    ours.output = theirs.output.clone();
    (theirs, ours)
}

#[test]
fn multi_head_attention_matches_burns_with_copied_weights() {
    let device = Device::flex();
    device.seed(3);
    let (theirs, ours) = burn_and_ours(&device);
    let x = Tensor::<3>::random([2, 3, 8], Distribution::Normal(0.0, 1.0), &device);
    let memory = Tensor::<3>::random([2, 5, 8], Distribution::Normal(0.0, 1.0), &device);
    // burn's pad mask is true at padding; ours is true at real tokens.
    let real = Tensor::<2, burn::tensor::Bool>::from_data(
        TensorData::new(vec![true, true, true, true, true, true, true, true, false, false], [2, 5]),
        &device,
    );
    let expected =
        theirs.forward(MhaInput::new(x.clone(), memory.clone(), memory.clone()).mask_pad(real.clone().bool_not()));
    let (context, weights) = ours.forward(x, memory, Some(padding_bias(real)));
    assert_close(&values(context), &values(expected.context), 1e-5);
    assert_close(&values(weights.clone()), &values(expected.weights), 1e-5);
    // Padded keys get no weight at all.
    let w = values(weights);
    for row in 0..(2 * 3) {
        assert_eq!(&w[(2 * 3 + row) * 5 + 3..(2 * 3 + row) * 5 + 5], &[0.0, 0.0]);
    }
}

#[test]
fn attention_gradients_match_finite_differences() {
    let plain = Device::flex();
    let device = plain.clone().autodiff();
    device.seed(4);
    let attention = MultiHeadAttention::new(8, 2, &device);
    let x = Tensor::<3>::random([1, 3, 8], Distribution::Normal(0.0, 1.0), &device).require_grad();
    let w = Tensor::<3>::random([1, 3, 8], Distribution::Normal(0.0, 1.0), &device);
    let loss = |attention: &MultiHeadAttention, x: Tensor<3>, w: Tensor<3>| {
        let bias = causal_bias(3, &x.device());
        (attention.forward(x.clone(), x, Some(bias)).0 * w).sum()
    };
    let grads = loss(&attention, x.clone(), w.clone()).backward();
    let analytic = values(x.grad(&grads).unwrap());
    let (base, w, attention) = (values(x.inner()), w.inner(), attention.valid());
    let eps = 1e-2f32;
    for index in [0, 7, 12, 23] {
        let at = |delta: f32| {
            let mut v = base.clone();
            v[index] += delta;
            loss(&attention, Tensor::from_data(TensorData::new(v, [1, 3, 8]), &plain), w.clone()).into_scalar::<f32>()
        };
        let numeric = (at(eps) - at(-eps)) / (2.0 * eps);
        let error = (numeric - analytic[index]).abs() / numeric.abs().max(analytic[index].abs()).max(1e-2);
        assert!(error < 2e-2, "input {index}: numeric {numeric}, autodiff {}", analytic[index]);
    }
}

fn small(config: TransformerConfig, device: &Device) -> Transformer {
    device.seed(6);
    let config = TransformerConfig { d_model: 16, heads: 2, d_ff: 32, ..config };
    Transformer::init(&config, ModelDims { source_vocab: 30, target_vocab: 25 }, device).valid()
}

fn pairs() -> (EncodedPair, EncodedPair) {
    (
        EncodedPair::new(0, vec![5, 6, 7], vec![8, 9, 10, 11]),
        EncodedPair::new(1, vec![6, 7, 8, 9, 10, 11, 12], vec![12, 13]),
    )
}

/// Without positions, self-attention is permutation-equivariant: the encoder's outputs for a
/// shuffled sentence are its outputs for the sentence, shuffled alike. Positions break that.
#[test]
fn without_positions_the_encoder_cannot_tell_word_order() {
    let device = Device::flex();
    let order = [3, 0, 4, 1, 2];
    let words = [5, 6, 7, 8, 9];
    let shuffled: Vec<usize> = order.iter().map(|&i| words[i]).collect();
    let memory = |model: &Transformer, source: Vec<usize>| {
        let pair = EncodedPair::new(0, source, vec![8]);
        model.encode(&Batch::new(&[&pair], &device)).memory.into_data().try_to_vec::<f32>().unwrap()
    };
    for (positions, equivariant) in
        [(PositionKind::None, true), (PositionKind::Sinusoidal, false), (PositionKind::Learned, false)]
    {
        let model = small(TransformerConfig { positions, ..Default::default() }, &device);
        let (plain, permuted) = (memory(&model, words.to_vec()), memory(&model, shuffled.clone()));
        let d = plain.len() / words.len();
        let same = order
            .iter()
            .enumerate()
            .all(|(k, &i)| (0..d).all(|c| (permuted[k * d + c] - plain[i * d + c]).abs() < 1e-5));
        assert_eq!(same, equivariant, "{positions:?}");
    }
}

#[test]
fn untrained_loss_starts_near_ln_vocabulary_size() {
    let device = Device::flex();
    for config in [
        TransformerConfig::default(),
        TransformerConfig {
            norm_first: true,
            tie_embeddings: false,
            positions: PositionKind::Learned,
            ..Default::default()
        },
    ] {
        let model = small(config, &device);
        let (a, b) = pairs();
        let batch = Batch::new(&[&a, &b], &device);
        let logits = model.forward(&batch, &[]);
        assert_eq!(logits.dims(), [2, 5, 25]);
        let loss = token_cross_entropy(logits, batch.target_output);
        // Near-uniform: logits of about unit scale cost ln V plus about half their variance
        // (burn's default N(0, 1) embeddings, tied, started at 12.6 here).
        let ln_v = 25f64.ln();
        assert!(loss > ln_v - 0.5 && loss < ln_v + 1.5, "loss {loss}, ln V {ln_v}");
    }
}

#[test]
fn the_causal_mask_hides_future_target_tokens() {
    let device = Device::flex();
    let model = small(TransformerConfig::default(), &device);
    let (a, _) = pairs();
    let changed = EncodedPair { target: vec![8, 9, 20, 11], ..a.clone() };
    let first = model.forward(&Batch::new(&[&a], &device), &[]);
    let second = model.forward(&Batch::new(&[&changed], &device), &[]);
    // Target input is <sos> 8 9 10 11: token 10 sits at input position 3.
    let row = |t: &Tensor<3>, p: usize| values(t.clone().narrow(1, p, 1));
    for p in 0..3 {
        assert_close(&row(&first, p), &row(&second, p), 1e-6);
    }
    assert!(row(&first, 3).iter().zip(row(&second, 3)).any(|(x, y)| (x - y).abs() > 1e-4));
}

/// Generation without the cache: every step runs the decoder over the whole prefix.
struct Uncached<'a> {
    model: &'a Transformer,
    batch: Batch,
    prefix: Vec<Tensor<1, Int>>,
}

impl Decoder for Uncached<'_> {
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
        self.prefix.push(previous);
        let tokens = Tensor::stack::<2>(self.prefix.clone(), 1); // [rows, steps]
        let encoded = self.model.encode(&self.batch);
        let cross: Vec<_> =
            self.model.decoder.iter().map(|l| l.cross_attention.keys_values(encoded.memory.clone())).collect();
        let mut past = vec![None; self.model.decoder.len()];
        let (logits, attention) = self.model.decode_positions(tokens, 0, &mut past, &cross, &encoded.padding);
        let [rows, steps, vocab] = logits.dims();
        let cross = attention.last().unwrap().cross_weights.clone();
        let [_, heads, _, src_len] = cross.dims();
        let weights = cross.narrow(2, steps - 1, 1).sum_dim(1).reshape([rows, src_len]) / heads as f32;
        (logits.narrow(1, steps - 1, 1).reshape([rows, vocab]), Some(weights))
    }

    fn select_rows(&mut self, rows: Tensor<1, Int>) {
        self.prefix = self.prefix.iter().map(|p| p.clone().select(0, rows.clone())).collect();
        let select = |t: Tensor<2, Int>| t.select(0, rows.clone());
        self.batch.source = select(self.batch.source.clone());
        self.batch.source_mask = seq2seq_model::decode::select_mask(self.batch.source_mask.clone(), rows.clone());
    }
}

#[test]
fn cached_and_uncached_generation_agree() {
    let device = Device::flex();
    for config in [TransformerConfig::default(), TransformerConfig { norm_first: true, ..Default::default() }] {
        let model = small(config, &device);
        let (a, b) = pairs();
        let batch = Batch::new(&[&a, &b], &device);
        for search in [Search::greedy(8), Search::beam(8, 3, 0.6)] {
            let cached = model.generate(&batch, &search);
            let uncached =
                decode(&batch, &search, &mut Uncached { model: &model, batch: batch.clone(), prefix: vec![] });
            assert_eq!(cached.tokens, uncached.tokens, "{search}");
            let flat = |g: &seq2seq_model::Generation| {
                g.attention.clone().unwrap().into_iter().flatten().flatten().collect::<Vec<f32>>()
            };
            assert_close(&flat(&cached), &flat(&uncached), 1e-4);
        }
    }
}

#[test]
fn padding_changes_no_translation_and_beam_width_one_is_greedy() {
    let device = Device::flex();
    for positions in [PositionKind::Sinusoidal, PositionKind::Learned] {
        let model = small(TransformerConfig { positions, ..Default::default() }, &device);
        let (a, b) = pairs();
        seq2seq_model::contract::search_ignores_padding(&model, &a, &b, true, &device);
    }
}

#[test]
fn attention_maps_cover_every_layer_and_head() {
    let device = Device::flex();
    let model = small(TransformerConfig::default(), &device);
    let (a, _) = pairs();
    let maps = model.attention_maps(&Batch::new(&[&a], &device), &[8, 9, 10]);
    // 2 layers × 2 heads of each kind.
    assert_eq!(maps.len(), 12);
    for map in &maps {
        let (rows, columns) = match map.kind {
            AttentionKind::EncoderSelf => (3, 3),
            AttentionKind::DecoderSelf => (4, 4), // <sos> + 3 generated
            AttentionKind::Cross => (4, 3),
        };
        assert_eq!((map.weights.len(), map.weights[0].len()), (rows, columns), "{:?}", map.kind);
        if map.kind == AttentionKind::DecoderSelf {
            assert_eq!(map.weights[0][1..], [0.0, 0.0, 0.0], "<sos> sees only itself");
        }
    }
}

#[test]
fn the_forward_products_are_counted_by_hand() {
    // d = 4, d_ff = 6, one layer each; S = 3, T = 2, V = 5.
    let config =
        TransformerConfig { d_model: 4, d_ff: 6, heads: 2, encoder_layers: 1, decoder_layers: 1, ..Default::default() };
    let shape = seq2seq_model::flops::StepShape { batch: 1, source_len: 3, target_len: 2, target_vocab: 5 };
    let encoder = 2 * 3 * 4 * 16 + 2 * (2 * 3 * 3 * 4) + 2 * (2 * 3 * 4 * 6); // 384 + 144 + 288
    let self_attention = 2 * 2 * 4 * 16 + 2 * (2 * 2 * 2 * 4); // 256 + 64
    let cross = 2 * 2 * 4 * 8 + 2 * 3 * 4 * 8 + 2 * (2 * 2 * 3 * 4); // 128 + 192 + 96
    let feed_forward = 2 * (2 * 2 * 4 * 6); // 192
    let output = 2 * 2 * 4 * 5; // 80
    assert_eq!(config.forward_flops(shape), (encoder + self_attention + cross + feed_forward + output) as f64);
    assert_eq!(encoder + self_attention + cross + feed_forward + output, 1824);
    // Twice the sentences, twice the work; the attention products grow with n², the rest with n.
    let double = seq2seq_model::flops::StepShape { batch: 2, ..shape };
    assert_eq!(config.forward_flops(double), 2.0 * 1824.0);
}

/// `fused` takes the kernel on an autodiff device (its weights carry no gradient back to the input,
/// the readable ones do) with the readable numbers to float tolerance, under the causal bias;
/// without autodiff it runs the readable operations, bit for bit.
#[test]
fn fused_attention_runs_the_kernel_only_with_autodiff() {
    for device in [Device::flex(), Device::flex().autodiff()] {
        device.seed(5);
        let readable = MultiHeadAttention::new(8, 2, &device);
        let fused = readable.clone().with_fused(true);
        let x = Tensor::<3>::random([2, 3, 8], Distribution::Normal(0.0, 1.0), &device);
        let x = if device.is_autodiff() { x.require_grad() } else { x };
        let bias = Some(causal_bias(3, &device));
        let (expected, expected_weights) = readable.forward(x.clone(), x.clone(), bias.clone());
        let (context, weights) = fused.forward(x.clone(), x.clone(), bias);
        if device.is_autodiff() {
            assert!(expected_weights.is_tracked() && !weights.is_tracked(), "the kernel ran");
            assert!(x.grad(&context.clone().sum().backward()).is_some(), "the context carries the gradient");
            assert_close(&values(context), &values(expected), 1e-5);
            assert_close(&values(weights), &values(expected_weights), 1e-6);
        } else {
            assert_eq!(values(context), values(expected));
            assert_eq!(values(weights), values(expected_weights));
        }
    }
}
