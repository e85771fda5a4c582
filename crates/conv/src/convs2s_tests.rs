//! ConvS2S: its attention against a hand-computed one, the decoder layer's gradients against
//! finite differences, causality by perturbing a later target word, cached generation against
//! the whole prefix re-run at every step, padding, beam search and the `[model]` checks.

use burn::module::{Module, Param};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use seq2seq_data::vocab::EOS;
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_model::decode::{Decoder, Search, StepOutput, decode};
use seq2seq_model::dropout::DropoutConfig;
use seq2seq_model::token_loss::token_cross_entropy;
use seq2seq_model::{AttentionKind, Generation, ModelConfig, ModelDims, Seq2Seq};

use crate::{ConvAttention, ConvDecoderLayer, ConvS2S, ConvS2SConfig, EncodedSource};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn tensor3(v: &[f32], shape: [usize; 3], device: &Device) -> Tensor<3> {
    Tensor::from_data(TensorData::new(v.to_vec(), shape), device)
}

fn assert_close(actual: &[f32], expected: &[f32], tolerance: f32) {
    assert_eq!(actual.len(), expected.len());
    for (n, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!((a - e).abs() < tolerance, "value {n}: {a} vs {e}");
    }
}

/// Two sentences of 3 source slots, the second padded after 2 words.
fn source(d: usize, device: &Device) -> (EncodedSource, Vec<f32>, Vec<f32>) {
    let keys = values(Tensor::<3>::random([2, 3, d], Distribution::Default, device));
    let vals = values(Tensor::<3>::random([2, 3, d], Distribution::Default, device));
    let bias = vec![0.0, 0.0, 0.0, 0.0, 0.0, -1e9];
    let source = EncodedSource {
        keys: tensor3(&keys, [2, 3, d], device),
        values: tensor3(&vals, [2, 3, d], device),
        bias: tensor3(&bias, [2, 1, 3], device),
    };
    (source, keys, vals)
}

#[test]
fn attention_matches_a_hand_computed_one() {
    let device = Device::flex();
    device.seed(11);
    let (d, tgt) = (3, 2);
    let attention = ConvAttention::new(d, &device);
    let (source, keys, vals) = source(d, &device);
    let h = values(Tensor::<3>::random([2, tgt, d], Distribution::Default, &device));
    let g = values(Tensor::<3>::random([2, tgt, d], Distribution::Default, &device));
    let (out, weights) =
        attention.forward(tensor3(&h, [2, tgt, d], &device), tensor3(&g, [2, tgt, d], &device), &source);
    let (wq, bq) = (values(attention.query.weight.val()), values(attention.query.bias.as_ref().unwrap().val()));
    let (wo, bo) = (values(attention.output.weight.val()), values(attention.output.bias.as_ref().unwrap().val()));
    let half = std::f32::consts::FRAC_1_SQRT_2;
    let (mut expected_out, mut expected_weights) = (Vec::new(), Vec::new());
    for b in 0..2 {
        let real = if b == 0 { 3 } else { 2 };
        for i in 0..tgt {
            let at = |v: &[f32], t: usize, c: usize| v[(b * tgt + t) * d + c];
            // d_i = √½ (W_d h_i + b_d + g_i); burn's Linear weight is [in, out].
            let query: Vec<f32> = (0..d)
                .map(|o| half * ((0..d).map(|c| at(&h, i, c) * wq[c * d + o]).sum::<f32>() + bq[o] + at(&g, i, o)))
                .collect();
            let scores: Vec<f32> =
                (0..real).map(|j| (0..d).map(|c| query[c] * keys[(b * 3 + j) * d + c]).sum()).collect();
            let top = scores.iter().cloned().fold(f32::MIN, f32::max);
            let total: f32 = scores.iter().map(|s| (s - top).exp()).sum();
            let a: Vec<f32> = (0..3).map(|j| if j < real { (scores[j] - top).exp() / total } else { 0.0 }).collect();
            let context: Vec<f32> = (0..d).map(|c| (0..3).map(|j| a[j] * vals[(b * 3 + j) * d + c]).sum()).collect();
            for o in 0..d {
                let projected = (0..d).map(|c| context[c] * wo[c * d + o]).sum::<f32>() + bo[o];
                expected_out.push(half * (projected + at(&h, i, o)));
            }
            expected_weights.extend(a);
        }
    }
    assert_close(&values(out), &expected_out, 1e-5);
    assert_close(&values(weights), &expected_weights, 1e-6);
}

#[test]
fn the_decoder_layers_gradients_match_finite_differences() {
    let plain = Device::flex();
    let device = plain.clone().autodiff();
    device.seed(12);
    let (d, tgt) = (2, 4);
    let layer = ConvDecoderLayer::new(d, 3, &device);
    let (source, _, _) = source(d, &plain);
    let x = values(Tensor::<3>::random([2, tgt, d], Distribution::Default, &plain));
    let g = values(Tensor::<3>::random([2, tgt, d], Distribution::Default, &plain));
    let probe = values(Tensor::<3>::random([2, tgt, d], Distribution::Default, &plain));
    let no_dropout = DropoutConfig::new(0.0).init();
    let loss = |l: &ConvDecoderLayer, on: &Device| {
        let on_source = EncodedSource {
            keys: tensor3(&values(source.keys.clone()), [2, 3, d], on),
            values: tensor3(&values(source.values.clone()), [2, 3, d], on),
            bias: tensor3(&values(source.bias.clone()), [2, 1, 3], on),
        };
        let (out, _) = l.forward(tensor3(&x, [2, tgt, d], on), tensor3(&g, [2, tgt, d], on), &on_source, &no_dropout);
        (out * tensor3(&probe, [2, tgt, d], on)).sum()
    };
    let grads = loss(&layer, &device).backward();
    let valid = layer.valid();
    let eps = 1e-2;
    // The convolution's weight and the attention's query weight: the two paths into the scores.
    let conv = (values(layer.block.conv.weight.val().grad(&grads).unwrap()), values(valid.block.conv.weight.val()));
    let query =
        (values(layer.attention.query.weight.val().grad(&grads).unwrap()), values(valid.attention.query.weight.val()));
    for (name, (analytic, weights), indices) in [("conv", conv, vec![0, 5, 11, 23]), ("query", query, vec![0, 1, 2, 3])]
    {
        for n in indices {
            let at = |delta: f32| {
                let mut w = weights.clone();
                w[n] += delta;
                let mut l = valid.clone();
                if name == "conv" {
                    let shape = l.block.conv.weight.val().dims();
                    l.block.conv.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, shape), &plain));
                } else {
                    let shape = l.attention.query.weight.val().dims();
                    l.attention.query.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, shape), &plain));
                }
                loss(&l, &plain).into_scalar::<f64>()
            };
            let numeric = (at(eps) - at(-eps)) / (2.0 * eps as f64);
            let error = (numeric - analytic[n] as f64).abs() / numeric.abs().max(1e-2);
            assert!(error < 2e-2, "{name} weight {n}: finite differences {numeric}, autodiff {}", analytic[n]);
        }
    }
}

fn small(config: ConvS2SConfig, device: &Device) -> ConvS2S {
    device.seed(13);
    let config = ConvS2SConfig { channels: 16, dropout: 0.0, ..config };
    ConvS2S::init(&config, ModelDims { source_vocab: 30, target_vocab: 25 }, device).valid()
}

fn pairs() -> (EncodedPair, EncodedPair) {
    (
        EncodedPair::new(0, vec![5, 6, 7], vec![8, 9, 10, 11, 12, 13]),
        EncodedPair::new(1, vec![6, 7, 8, 9, 10, 11, 12], vec![12, 13]),
    )
}

/// The encoder's keys are its top layer `z`; its values `√m · √½ (z + e)`, with `m` each
/// sentence's own length (not the padded one); padded keys are biased away.
#[test]
fn the_encoder_hands_over_z_as_keys_and_z_plus_e_scaled_as_values() {
    let device = Device::flex();
    let model = small(ConvS2SConfig::default(), &device);
    let (a, b) = pairs();
    let batch = Batch::new(&[&a, &b], &device);
    let source = model.encode(&batch);
    let e = model.embed(&model.source_embedding, &model.source_positions, batch.source.clone(), 0);
    let mask = batch.source_mask.clone().float();
    let no_dropout = DropoutConfig::new(0.0).init();
    let mut z = e.clone();
    for block in &model.encoder {
        z = block.forward(z, mask.clone(), &no_dropout);
    }
    assert_close(&values(source.keys.clone()), &values(z.clone()), 1e-6);
    let [_, src_len, d] = z.dims();
    let (z, e, got) = (values(z), values(e), values(source.values));
    // The first sentence has 3 words (padded to 7), the second 7.
    for (sentence, m) in [(0, 3.0f32), (1, 7.0)] {
        for n in sentence * src_len * d..(sentence + 1) * src_len * d {
            let expected = m.sqrt() * std::f32::consts::FRAC_1_SQRT_2 * (z[n] + e[n]);
            assert!((got[n] - expected).abs() < 1e-5, "value {n}: {} vs {expected}", got[n]);
        }
    }
    let bias = values(source.bias); // [2, 1, 7]
    assert!(bias[..3].iter().all(|&b| b == 0.0) && bias[7..].iter().all(|&b| b == 0.0), "{bias:?}");
    assert!(bias[3..7].iter().all(|&b| b <= -1e8), "{bias:?}");
}

/// A target word moves the logits at its own input position and after, never before: with
/// `k = 3` and 3 layers a change reaches every later position, however far.
#[test]
fn a_later_target_word_never_changes_an_earlier_output() {
    let device = Device::flex();
    let model = small(ConvS2SConfig::default(), &device);
    let (a, _) = pairs();
    let changed = EncodedPair { target: vec![8, 9, 20, 11, 12, 13], ..a.clone() };
    let first = model.forward(&Batch::new(&[&a], &device), &[]);
    let second = model.forward(&Batch::new(&[&changed], &device), &[]);
    // Target input is <sos> 8 9 10 11 12 13: token 10 sits at input position 3.
    let row = |t: &Tensor<3>, p: usize| values(t.clone().narrow(1, p, 1));
    for p in 0..3 {
        assert_close(&row(&first, p), &row(&second, p), 1e-6);
    }
    for p in 3..7 {
        assert!(row(&first, p).iter().zip(row(&second, p)).any(|(x, y)| (x - y).abs() > 1e-5), "position {p}");
    }
}

/// Generation without the windows: every step runs the decoder over the whole prefix.
struct Uncached<'a> {
    model: &'a ConvS2S,
    source: EncodedSource,
    prefix: Vec<Tensor<1, Int>>,
}

impl Decoder for Uncached<'_> {
    fn step(&mut self, previous: Tensor<1, Int>) -> StepOutput {
        self.prefix.push(previous);
        let tokens = Tensor::stack::<2>(self.prefix.clone(), 1); // [rows, steps]
        let (logits, attention) = self.model.decode_all(tokens, &self.source);
        let [rows, steps, vocab] = logits.dims();
        let weights = attention.last().unwrap().clone();
        let src_len = weights.dims()[2];
        (
            logits.narrow(1, steps - 1, 1).reshape([rows, vocab]),
            Some(weights.narrow(1, steps - 1, 1).reshape([rows, src_len])),
        )
    }

    fn select_rows(&mut self, rows: Tensor<1, Int>) {
        self.prefix = self.prefix.iter().map(|p| p.clone().select(0, rows.clone())).collect();
        self.source = self.source.select(rows);
    }
}

/// The untrained model with `<eos>` biased away, so that every search runs all its steps
/// whatever the CPU's rounding makes of a near tie at the first one.
fn never_ending(mut model: ConvS2S) -> ConvS2S {
    let bias = model.output.bias.take().expect("the output layer has a bias");
    let eos = Tensor::<1>::from_data(TensorData::from([-1.0e4f32]), &bias.device());
    model.output.bias = Some(Param::from_tensor(bias.val().slice_assign(EOS..EOS + 1, eos)));
    model
}

fn flat(g: &Generation) -> Vec<f32> {
    g.attention.clone().unwrap().into_iter().flatten().flatten().collect()
}

#[test]
fn generation_step_by_step_equals_the_whole_prefix_rerun() {
    let device = Device::flex();
    for kernel_size in [3, 5] {
        let model = never_ending(small(ConvS2SConfig { kernel_size, ..Default::default() }, &device));
        let (a, b) = pairs();
        let batch = Batch::new(&[&a, &b], &device);
        for search in [Search::greedy(9), Search::beam(9, 3, 0.6)] {
            let cached = model.generate(&batch, &search);
            let source = model.encode(&batch);
            let uncached = decode(&batch, &search, &mut Uncached { model: &model, source, prefix: vec![] });
            assert_eq!(cached.tokens, uncached.tokens, "k {kernel_size}, {search}");
            assert!(cached.tokens.iter().all(|t| t.len() == 9), "every step of the cache is compared");
            assert_close(&flat(&cached), &flat(&uncached), 1e-4);
        }
    }
}

#[test]
fn padding_changes_no_translation_and_beam_width_one_is_greedy() {
    let device = Device::flex();
    let model = small(ConvS2SConfig::default(), &device);
    let (a, b) = pairs();
    seq2seq_model::contract::search_ignores_padding(&model, &a, &b, true, &device);
}

#[test]
fn every_decoder_layer_has_an_attention_map() {
    let device = Device::flex();
    let model = small(ConvS2SConfig::default(), &device);
    let (a, _) = pairs();
    let maps = model.attention_maps(&Batch::new(&[&a], &device), &[8, 9, 10]);
    assert_eq!(maps.len(), 3, "one per decoder layer");
    for (layer, map) in maps.iter().enumerate() {
        assert_eq!((map.kind, map.layer, map.head), (AttentionKind::Cross, layer, 0));
        assert_eq!((map.weights.len(), map.weights[0].len()), (4, 3), "<sos> + 3 generated, 3 source words");
        assert!(map.weights.iter().all(|row| (row.iter().sum::<f32>() - 1.0).abs() < 1e-4));
    }
}

#[test]
fn an_untrained_model_starts_near_ln_v() {
    let device = Device::flex();
    device.seed(14);
    let model = ConvS2S::init(&ConvS2SConfig::default(), ModelDims { source_vocab: 30, target_vocab: 40 }, &device);
    let (a, b) = pairs();
    let batch = Batch::new(&[&a, &b], &device);
    let logits = model.forward(&batch, &[]);
    assert_eq!(logits.dims(), [2, 7, 40]);
    let loss = token_cross_entropy(logits, batch.target_output);
    let ln_v = 40f64.ln();
    assert!((loss - ln_v).abs() < 0.25 * ln_v, "loss {loss}, ln V {ln_v}");
}

#[test]
fn bad_settings_name_their_key() {
    let bad = |config: ConvS2SConfig, key: &str| {
        let message = config.validate().expect_err("refused").to_string();
        assert!(message.contains(&format!("[model] {key} =")), "{message}");
    };
    bad(ConvS2SConfig { kernel_size: 0, ..Default::default() }, "kernel_size");
    bad(ConvS2SConfig { kernel_size: 1, ..Default::default() }, "kernel_size");
    bad(ConvS2SConfig { kernel_size: 4, ..Default::default() }, "kernel_size");
    bad(ConvS2SConfig { encoder_layers: 0, ..Default::default() }, "encoder_layers");
    bad(ConvS2SConfig { decoder_layers: 33, ..Default::default() }, "decoder_layers");
    bad(ConvS2SConfig { channels: 0, ..Default::default() }, "channels");
    bad(ConvS2SConfig { dropout: 1.0, ..Default::default() }, "dropout");
    assert!(ConvS2SConfig::default().validate().is_ok());
    let config = ConvS2SConfig::default();
    assert_eq!((config.receptive_field(config.encoder_layers), config.receptive_field(config.decoder_layers)), (9, 7));
}
