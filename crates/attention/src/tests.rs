//! Attention checked by hand: masked positions get zero weight, rows sum to one, each score
//! function on a tiny example, and the models' generation returns one row of weights per step.

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::{Bool, Device, Tensor, TensorData};
use seq2seq_data::{Batch, EncodedPair};
use seq2seq_model::token_loss::token_cross_entropy;
use seq2seq_model::{ModelDims, Seq2Seq};

use crate::attention::{AdditiveScore, Score, context, masked_softmax};
use crate::{Bahdanau, BahdanauConfig, Luong, LuongConfig, ScoreKind};

fn device() -> Device {
    Device::flex()
}

fn matrix(values: &[f32], shape: [usize; 2]) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), shape), &device())
}

fn cube(values: &[f32], shape: [usize; 3]) -> Tensor<3> {
    Tensor::from_data(TensorData::new(values.to_vec(), shape), &device())
}

fn linear(values: &[f32], shape: [usize; 2]) -> Linear {
    Linear { weight: Param::from_tensor(matrix(values, shape)), bias: None }
}

fn vec_of(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn assert_all_close(actual: &[f32], expected: &[f32]) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-5, "{actual:?} vs {expected:?}");
    }
}

#[test]
fn masked_positions_get_zero_weight_and_rows_sum_to_one() {
    let scores = matrix(&[1.0, 2.0, 3.0, 50.0, 0.5, -1.0, 0.0, 9.0], [2, 4]);
    let mask = Tensor::<2, Bool>::from_data(
        TensorData::new(vec![true, true, true, false, true, true, false, false], [2, 4]),
        &device(),
    );
    let weights = vec_of(masked_softmax(scores, mask));
    assert_eq!(weights[3], 0.0, "the padded position scored 50 and still gets nothing");
    assert_eq!((weights[6], weights[7]), (0.0, 0.0));
    let z: f32 = [1.0f32, 2.0, 3.0].iter().map(|x| x.exp()).sum();
    assert_all_close(&weights[..3], &[1.0f32.exp() / z, 2.0f32.exp() / z, 3.0f32.exp() / z]);
    assert!((weights[4] + weights[5] - 1.0).abs() < 1e-6);
}

#[test]
fn context_is_the_weighted_sum() {
    let c = context(matrix(&[0.25, 0.75], [1, 2]), cube(&[1.0, 2.0, 3.0, 4.0], [1, 2, 2]));
    assert_all_close(&vec_of(c), &[2.5, 3.5]);
}

fn additive_example() -> AdditiveScore {
    // vᵀ tanh(W q + U h_j) with W = (1, 0)ᵀ, U = (0, 1)ᵀ, v = 2
    AdditiveScore {
        query: linear(&[1.0, 0.0], [2, 1]),
        key: linear(&[0.0, 1.0], [2, 1]),
        v: linear(&[2.0], [1, 1]),
        fused: false,
    }
}

#[test]
fn luong_dot_and_general_scores_by_hand() {
    let states = cube(&[1.0, 0.0, 0.0, 1.0], [1, 2, 2]); // h̄_1 = (1, 0), h̄_2 = (0, 1)
    // dot: h_tᵀ h̄_s
    let dot = Score::dot();
    let scores = dot.scores(matrix(&[2.0, 3.0], [1, 2]), dot.keys(states.clone()));
    assert_all_close(&vec_of(scores), &[2.0, 3.0]);
    // general: keys h̄_s W with W = [[1, 2], [3, 4]] are (1, 2) and (3, 4); h_t = (1, 1)
    let general = Score::general(linear(&[1.0, 2.0, 3.0, 4.0], [2, 2]));
    let scores = general.scores(matrix(&[1.0, 1.0], [1, 2]), general.keys(states.clone()));
    assert_all_close(&vec_of(scores), &[3.0, 7.0]);
    // concat: its keys are the additive score's U h̄_s.
    let additive = additive_example();
    let keys = |t: Tensor<3>| t.into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(keys(Score::concat(additive.clone()).keys(states.clone())), keys(additive.keys(states)));
}

#[test]
fn additive_score_by_hand() {
    let additive = additive_example();
    let keys = additive.keys(cube(&[1.0, 3.0, 2.0, -1.0], [1, 2, 2]));
    for fused in [false, true] {
        let additive = additive.clone().with_fused(fused);
        let scores = additive.scores(matrix(&[0.5, 9.0], [1, 2]), keys.clone());
        assert_all_close(&vec_of(scores), &[2.0 * 3.5f32.tanh(), 2.0 * (-0.5f32).tanh()]);
    }
    let concat = Score::concat(additive);
    assert_all_close(
        &vec_of(concat.scores(matrix(&[0.5, 9.0], [1, 2]), keys)),
        &[2.0 * 3.5f32.tanh(), 2.0 * (-0.5f32).tanh()],
    );
}

fn batch(pairs: &[&EncodedPair]) -> Batch {
    Batch::new(pairs, &device())
}

fn pairs() -> (EncodedPair, EncodedPair) {
    (
        EncodedPair::new(0, vec![6, 7], vec![9, 10, 11]),
        EncodedPair::new(1, vec![5, 6, 7, 8, 9, 10, 11], vec![12, 13, 9]),
    )
}

fn check_model<M: Seq2Seq>(config: &M::Config) {
    let device = device();
    device.seed(9);
    let vocab = 40;
    let model = M::init(config, ModelDims { source_vocab: 30, target_vocab: vocab }, &device).valid();
    let (short, long) = pairs();
    let both = batch(&[&short, &long]);

    // An untrained model is near-uniform: its loss starts near ln V.
    let logits = model.forward(&both, &[true; 4]);
    let loss = token_cross_entropy(logits, both.target_output.clone());
    let ln_v = (vocab as f64).ln();
    assert!((loss - ln_v).abs() < 0.1 * ln_v, "loss {loss}, ln V {ln_v}");

    seq2seq_model::contract::search_ignores_padding(&model, &short, &long, true, &device);
}

#[test]
fn bahdanau_attends_and_ignores_padding() {
    check_model::<Bahdanau>(&BahdanauConfig {
        hidden_size: 16,
        embedding_size: 8,
        attention_size: 8,
        ..Default::default()
    });
}

#[test]
fn luong_attends_and_ignores_padding_with_every_score() {
    for score in [ScoreKind::Dot, ScoreKind::General, ScoreKind::Concat] {
        for input_feeding in [true, false] {
            check_model::<Luong>(&LuongConfig {
                score,
                input_feeding,
                hidden_size: 16,
                embedding_size: 8,
                ..Default::default()
            });
        }
    }
}

#[test]
fn luong_counts_its_forward_products_by_hand() {
    // e = 2, h = 3, LSTM (4 gates: gh = 12), `general`, input feeding; S = 4, T = 5, V = 7.
    let config = LuongConfig { embedding_size: 2, hidden_size: 3, ..Default::default() };
    let shape = seq2seq_model::flops::StepShape { batch: 2, source_len: 4, target_len: 5, target_vocab: 7 };
    let encoder = 2 * 4 * (2 + 3) * 12; // 480: input and recurrent products of S steps
    let keys = 2 * 4 * 3 * 3; // 72: W_a h̄_s
    let decoder = 2 * 5 * (2 + 3 + 3) * 12; // 960: [emb ; h̃] and h, T steps
    let attention = 2 * (2 * 5 * 4 * 3); // 240: scores and context
    let combine = 2 * 5 * 6 * 3; // 180
    let output = 2 * 5 * 3 * 7; // 210
    let per_sentence = encoder + keys + decoder + attention + combine + output;
    assert_eq!(config.forward_flops(shape), (2 * per_sentence) as f64);
    // Without input feeding the decoder reads the embedding alone; `dot` has no keys to project.
    let plain = LuongConfig { input_feeding: false, score: ScoreKind::Dot, ..config };
    assert_eq!(plain.forward_flops(shape), (2 * (per_sentence - keys - 2 * 5 * 3 * 12)) as f64);
}
