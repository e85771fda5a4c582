//! The gated convolution against a hand-computed one, its gradient against finite differences,
//! the receptive field counted word by word, padding that never reaches a sentence, and positions
//! that tell the model where a word is.

use burn::module::{Module, Param};
use burn::nn::PaddingConfig1d;
use burn::nn::conv::Conv1dConfig;
use burn::tensor::{Bool, Device, Distribution, Int, Tensor, TensorData};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_model::dropout::DropoutConfig;
use seq2seq_model::positionwise::SlotModel;
use seq2seq_model::token_loss::token_cross_entropy;
use seq2seq_model::{ModelConfig, ModelDims, Seq2Seq};

use crate::{Context, Conv, ConvBlock, ConvConfig, Dilation, Positions};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `√½ · (a ⊙ σ(b) + h)` with `[a ; b] = W ∗ h + c`, by loops over batch, slot and channel.
fn by_hand(block: &ConvBlock, h: &[f32], [batch, slots, d]: [usize; 3], mask: &[f32], padding: usize) -> Vec<f64> {
    let w = values(block.conv.weight.val()); // [2d, d, k]
    let c = values(block.conv.bias.as_ref().unwrap().val()); // [2d]
    let (k, dilation) = (block.conv.kernel_size, block.conv.dilation);
    let x = |b: usize, t: i64, i: usize| -> f64 {
        if t < 0 || t >= slots as i64 {
            return 0.0;
        }
        let t = t as usize;
        (h[(b * slots + t) * d + i] * mask[b * slots + t]) as f64
    };
    let conv = |b: usize, t: usize, o: usize| -> f64 {
        let mut sum = c[o] as f64;
        for i in 0..d {
            for j in 0..k {
                let at = t as i64 - padding as i64 + (j * dilation) as i64;
                sum += w[(o * d + i) * k + j] as f64 * x(b, at, i);
            }
        }
        sum
    };
    let mut out = Vec::new();
    for b in 0..batch {
        for t in 0..slots {
            for o in 0..d {
                let gated = conv(b, t, o) * sigmoid(conv(b, t, o + d));
                out.push(std::f64::consts::FRAC_1_SQRT_2 * (gated + h[(b * slots + t) * d + o] as f64));
            }
        }
    }
    out
}

#[test]
fn the_block_matches_a_hand_computed_gated_convolution() {
    let device = Device::flex();
    device.seed(1);
    let (batch, slots, d) = (2, 7, 3);
    let h = values(Tensor::<3>::random([batch, slots, d], Distribution::Default, &device));
    let mask: Vec<f32> = (0..batch * slots).map(|i| if i >= slots + 5 { 0.0 } else { 1.0 }).collect();
    let no_dropout = DropoutConfig::new(0.0).init();
    // Causal (all padding on the left) and centred, with dilation 1 and 2.
    for (kernel, dilation, padding) in [(3, 1, (2, 0)), (3, 2, (4, 0)), (3, 1, (1, 1)), (3, 2, (2, 2))] {
        let block = ConvBlock::new(d, kernel, dilation, padding, &device);
        let got = values(block.forward(
            Tensor::from_data(TensorData::new(h.clone(), [batch, slots, d]), &device),
            Tensor::from_data(TensorData::new(mask.clone(), [batch, slots]), &device),
            &no_dropout,
        ));
        let expected = by_hand(&block, &h, [batch, slots, d], &mask, padding.0);
        for (n, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert!((*g as f64 - e).abs() < 1e-5, "k {kernel}, δ {dilation}, {padding:?}: value {n}: {g} vs {e}");
        }
    }
}

/// The windows-times-matrix form of `W ∗ x + c` against burn's `Conv1d` with the same weights:
/// outputs and the gradients of the input, the kernel and the bias.
#[test]
fn the_windowed_product_equals_burns_convolution_and_its_gradients() {
    let device = Device::flex().autodiff();
    device.seed(3);
    let (batch, slots, d) = (2, 6, 3);
    for (kernel, dilation, padding) in [(3, 1, (2, 0)), (3, 2, (2, 2)), (2, 3, (3, 0)), (1, 1, (0, 0)), (5, 1, (2, 2))]
    {
        let block = ConvBlock::new(d, kernel, dilation, padding, &device);
        let x = Tensor::<3>::random([batch, slots, d], Distribution::Default, &device).require_grad();
        let ours = block.convolve(x.clone());
        let burns = block.conv.forward(x.clone().swap_dims(1, 2)).swap_dims(1, 2);
        let close = |a: Vec<f32>, b: Vec<f32>, what: &str| {
            assert_eq!(a.len(), b.len(), "k {kernel}, δ {dilation}: {what} sizes");
            for (n, (a, b)) in a.iter().zip(&b).enumerate() {
                assert!((a - b).abs() < 1e-5, "k {kernel}, δ {dilation}, {padding:?}: {what} {n}: {a} vs {b}");
            }
        };
        close(values(ours.clone()), values(burns.clone()), "output");
        // A weighted sum, so that every output's gradient differs.
        let weights = Tensor::<3>::random(ours.dims(), Distribution::Default, &device);
        let ours_grads = (ours * weights.clone()).sum().backward();
        let burns_grads = (burns * weights).sum().backward();
        close(values(x.grad(&ours_grads).unwrap()), values(x.grad(&burns_grads).unwrap()), "dx");
        let weight = block.conv.weight.val();
        close(values(weight.grad(&ours_grads).unwrap()), values(weight.grad(&burns_grads).unwrap()), "dW");
        let bias = block.conv.bias.as_ref().unwrap().val();
        close(values(bias.grad(&ours_grads).unwrap()), values(bias.grad(&burns_grads).unwrap()), "dc");
    }
}

/// A layer configured with burn's other paddings convolves as burn does too.
#[test]
fn the_windowed_product_follows_burns_same_and_valid_padding() {
    let device = Device::flex();
    device.seed(4);
    for (kernel, padding) in [(3, PaddingConfig1d::Same), (5, PaddingConfig1d::Same), (3, PaddingConfig1d::Valid)] {
        let conv = Conv1dConfig::new(2, 4, kernel).with_padding(padding.clone()).init(&device);
        let block = ConvBlock { conv };
        let x = Tensor::<3>::random([2, 7, 2], Distribution::Default, &device);
        let ours = block.convolve(x.clone());
        let burns = block.conv.forward(x.swap_dims(1, 2)).swap_dims(1, 2);
        assert_eq!(ours.dims(), burns.dims(), "k {kernel}, {padding:?}");
        for (a, b) in values(ours).iter().zip(values(burns)) {
            assert!((a - b).abs() < 1e-5, "k {kernel}, {padding:?}: {a} vs {b}");
        }
    }
}

/// `(k − 1)·δ` zeros, all before the sentence (causal) or half on each side (centred).
#[test]
fn padding_keeps_every_slot_and_hides_the_future_when_causal() {
    let cases = [
        (3, 1, Context::Causal, (2, 0)),
        (3, 2, Context::Causal, (4, 0)),
        (2, 4, Context::Causal, (4, 0)),
        (3, 1, Context::Centred, (1, 1)),
        (5, 2, Context::Centred, (4, 4)),
        (1, 1, Context::Centred, (0, 0)),
    ];
    for (kernel, dilation, context, expected) in cases {
        assert_eq!(ConvBlock::padding(kernel, dilation, context), expected, "k {kernel}, δ {dilation}, {context:?}");
    }
}

#[test]
fn the_gradient_matches_finite_differences() {
    let plain = Device::flex();
    let device = plain.clone().autodiff();
    device.seed(2);
    let (slots, d) = (6, 2);
    let block = ConvBlock::new(d, 3, 2, (4, 0), &device);
    let h = values(Tensor::<3>::random([1, slots, d], Distribution::Default, &plain));
    let probe = values(Tensor::<3>::random([1, slots, d], Distribution::Default, &plain));
    let no_dropout = DropoutConfig::new(0.0).init();
    let loss = |b: &ConvBlock, on: &Device| {
        let tensor = |v: &[f32]| Tensor::<3>::from_data(TensorData::new(v.to_vec(), [1, slots, d]), on);
        let out = b.forward(tensor(&h), Tensor::ones([1, slots], on), &no_dropout);
        (out * tensor(&probe)).sum()
    };
    let grads = loss(&block, &device).backward();
    let analytic = values(block.conv.weight.val().grad(&grads).expect("a gradient"));
    let weights = values(block.conv.weight.val());
    let shape = block.conv.weight.val().dims();
    let valid = block.valid();
    let eps = 1e-2;
    for n in [0, 3, 7, 11, 17, 23] {
        let at = |delta: f32| {
            let mut w = weights.clone();
            w[n] += delta;
            let mut b = valid.clone();
            b.conv.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, shape), &plain));
            loss(&b, &plain).into_scalar::<f64>()
        };
        let numeric = (at(eps) - at(-eps)) / (2.0 * eps as f64);
        let error = (numeric - analytic[n] as f64).abs() / numeric.abs().max(1e-2);
        assert!(error < 2e-2, "weight {n}: finite differences {numeric}, autodiff {}", analytic[n]);
    }
}

fn small(config: ConvConfig) -> Conv {
    let device = Device::flex();
    device.seed(3);
    let config = ConvConfig { channels: 8, dropout: 0.0, slack: 0, ..config };
    Conv::init(&config, ModelDims { source_vocab: 20, target_vocab: 12 }, &device).valid()
}

/// Logits `[slots · vocab]` of one unpadded sentence of word ids.
fn logits(model: &Conv, words: &[i64]) -> Vec<f32> {
    let device = Device::flex();
    let n = words.len();
    let inputs = Tensor::<2, Int>::from_data(TensorData::new(words.to_vec(), [1, n]), &device);
    let mask = Tensor::<2, Bool>::from_data(TensorData::new(vec![true; n], [1, n]), &device);
    values(model.slot_logits(inputs, mask))
}

/// Which outputs move when word `j` changes, for every `j`.
fn reach(model: &Conv, n: usize) -> Vec<Vec<bool>> {
    let words: Vec<i64> = (0..n as i64).map(|t| 5 + t % 10).collect();
    let base = logits(model, &words);
    (0..n)
        .map(|j| {
            let mut changed = words.clone();
            changed[j] = 19;
            let other = logits(model, &changed);
            (0..n).map(|t| (0..12).any(|v| (base[t * 12 + v] - other[t * 12 + v]).abs() > 1e-6)).collect()
        })
        .collect()
}

#[test]
fn each_output_sees_exactly_its_receptive_field() {
    let cases = [
        (Context::Causal, 3, Dilation::None, 2, 5),
        (Context::Causal, 2, Dilation::Doubling, 3, 8),
        (Context::Centred, 3, Dilation::None, 2, 5),
        (Context::Centred, 3, Dilation::Doubling, 3, 15),
    ];
    for (context, kernel_size, dilation, layers, field) in cases {
        let config = ConvConfig { context, kernel_size, dilation, layers, ..ConvConfig::default() };
        assert_eq!(config.receptive_field(), field, "{config:?}");
        let moved = reach(&small(config), 24);
        for (j, row) in moved.iter().enumerate() {
            for (t, &moves) in row.iter().enumerate() {
                let (j, t) = (j as i64, t as i64);
                let sees = match context {
                    Context::Causal => t - (field as i64 - 1) <= j && j <= t,
                    Context::Centred => (t - j).abs() <= (field as i64 - 1) / 2,
                };
                assert_eq!(moves, sees, "{context:?}, k {kernel_size}, {dilation:?}, L {layers}: word {j}, output {t}");
            }
        }
    }
}

#[test]
fn padding_never_reaches_a_sentence() {
    let device = Device::flex();
    let model = small(ConvConfig { slack: 0, ..ConvConfig::default() });
    let short = EncodedPair::new(0, vec![5, 6, 7], vec![8, 9, 10]);
    let long = EncodedPair::new(1, vec![5, 6, 7, 8, 9, 10, 11, 12], vec![8, 9, 10, 11, 12, 13, 14, 15]);
    let alone = values(model.forward(&Batch::new(&[&short], &device), &[]));
    let beside = values(model.forward(&Batch::new(&[&short, &long], &device), &[]));
    let per_sentence = beside.len() / 2;
    for (n, a) in alone.iter().enumerate() {
        assert!((a - beside[n]).abs() < 1e-5, "value {n}: {a} alone, {} beside a longer sentence", beside[n]);
    }
    assert!(per_sentence > alone.len(), "the longer sentence widens the batch");
}

/// A sentence of one repeated word: away from its edges, every slot reads the same words, so
/// without positions every slot says the same; with them, they differ.
#[test]
fn positions_tell_the_model_where_a_word_is() {
    let words = vec![7; 30];
    for (positions, differ) in [(Positions::None, false), (Positions::Learned, true), (Positions::Sinusoidal, true)] {
        let model = small(ConvConfig { positions, ..ConvConfig::default() });
        let out = logits(&model, &words);
        let field = ConvConfig::default().receptive_field();
        let slot = |t: usize| &out[t * 12..(t + 1) * 12];
        let inner: Vec<usize> = (field..30 - field).collect();
        let all_same = inner.iter().all(|&t| slot(t).iter().zip(slot(inner[0])).all(|(a, b)| (a - b).abs() < 1e-5));
        assert_eq!(!all_same, differ, "{positions:?}");
        // The edges: zero padding leaks where the sentence starts even without positions.
        assert!(slot(0).iter().zip(slot(inner[0])).any(|(a, b)| (a - b).abs() > 1e-6), "{positions:?}");
    }
}

#[test]
fn an_untrained_model_starts_near_ln_v() {
    let device = Device::flex();
    device.seed(4);
    let vocab = 40;
    let model = Conv::init(&ConvConfig::default(), ModelDims { source_vocab: 30, target_vocab: vocab }, &device);
    let a = EncodedPair::new(0, vec![5, 6, 7, 8], vec![9, 10, 11]);
    let b = EncodedPair::new(1, vec![12, 13], vec![14, 15, 16, 17, 18]);
    let batch = Batch::new(&[&a, &b], &device);
    let loss = token_cross_entropy(model.forward(&batch, &[]), batch.target_output);
    let ln_v = (vocab as f64).ln();
    assert!((loss - ln_v).abs() < 0.25 * ln_v, "loss {loss}, ln V {ln_v}");
}

#[test]
fn bad_settings_name_their_key() {
    let bad = |config: ConvConfig, key: &str| {
        let message = config.validate().expect_err("refused").to_string();
        assert!(message.contains(&format!("[model] {key} =")), "{message}");
    };
    bad(ConvConfig { kernel_size: 0, ..Default::default() }, "kernel_size");
    bad(ConvConfig { kernel_size: 4, ..Default::default() }, "kernel_size");
    bad(ConvConfig { kernel_size: 1, dilation: Dilation::Doubling, ..Default::default() }, "dilation");
    bad(ConvConfig { layers: 33, ..Default::default() }, "layers");
    bad(ConvConfig { layers: 17, dilation: Dilation::Doubling, ..Default::default() }, "layers");
    bad(ConvConfig { channels: 0, ..Default::default() }, "channels");
    assert!(ConvConfig { kernel_size: 4, context: Context::Causal, ..Default::default() }.validate().is_ok());
    let dilated = ConvConfig { layers: 5, dilation: Dilation::Doubling, ..Default::default() };
    assert_eq!((ConvConfig::default().receptive_field(), dilated.receptive_field()), (9, 63));
}
