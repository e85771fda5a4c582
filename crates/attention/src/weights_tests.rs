//! The `attention-weights` and `additive-score` exercises' checks that catch wrong answers a
//! batch of one lets through: a batch of two sentences of different lengths where nothing is
//! square (so a context summed over the wrong axis, or a query broadcast over the wrong one,
//! cannot pass), against loops. Each check is a function of the code it checks, and each is fed
//! a wrong solution here too, to show that it fails.

use burn::tensor::{Bool, Device, Distribution, Tensor, TensorData};

use crate::attention::{AdditiveScore, context, masked_softmax};

/// Batch, source positions, features: nothing square.
const BATCH: usize = 2;
const SRC: usize = 3;
const D: usize = 4;

fn values<const N: usize>(t: Tensor<N>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn random<const N: usize>(shape: [usize; N], device: &Device) -> Tensor<N> {
    Tensor::random(shape, Distribution::Normal(0.0, 1.0), device)
}

type Context = fn(Tensor<2>, Tensor<3>) -> Tensor<2>;

/// Weights from `masked_softmax` over a batch whose second sentence has two positions, then
/// `context` against `c_b = Σ_j α_bj h_bj` by loops.
fn check_context(context: Context) {
    let device = Device::flex();
    device.seed(3);
    let real: Vec<bool> = (0..BATCH * SRC).map(|i| i != BATCH * SRC - 1).collect();
    let mask = Tensor::<2, Bool>::from_data(TensorData::new(real, [BATCH, SRC]), &device);
    let weights = masked_softmax(random([BATCH, SRC], &device), mask);
    let states = random([BATCH, SRC, D], &device);
    let (alpha, h) = (values(weights.clone()), values(states.clone()));
    let found = context(weights, states);
    assert_eq!(found.dims(), [BATCH, D], "context: [batch, d], one vector per sentence");
    for (i, got) in values(found).iter().enumerate() {
        let (b, k) = (i / D, i % D);
        let expected: f32 = (0..SRC).map(|j| alpha[b * SRC + j] * h[(b * SRC + j) * D + k]).sum();
        assert!((got - expected).abs() < 1e-5, "context[{b}][{k}]: {got}, by loops {expected}");
    }
}

#[test]
fn context_matches_loops_on_a_batch_of_two() {
    check_context(context);
}

type Scores = fn(&AdditiveScore, Tensor<2>, Tensor<3>) -> Tensor<2>;

/// `e_bj = vᵀ tanh(W q_b + U h_bj + b_U)` by loops, for random weights of sizes 3 (query),
/// 4 (key) and 5 (attention).
fn check_additive(scores: Scores) {
    let device = Device::flex();
    device.seed(5);
    let (d_query, attention) = (3, 5);
    let additive = AdditiveScore::new(d_query, D, attention, &device);
    let (query, states) = (random([BATCH, d_query], &device), random([BATCH, SRC, D], &device));
    let keys = additive.keys(states.clone());
    let found = scores(&additive, query.clone(), keys);
    assert_eq!(found.dims(), [BATCH, SRC], "scores: [batch, src_len], one per source position");
    let w = values(additive.query.weight.val()); // [d_query, attention]
    let u = values(additive.key.weight.val()); // [d_key, attention]
    let u_bias = additive.key.bias.as_ref().map(|b| b.val().into_data().try_to_vec::<f32>().unwrap()).unwrap();
    let v = values(additive.v.weight.val()); // [attention, 1]
    let (q, h) = (values(query), values(states));
    for (i, got) in values(found).iter().enumerate() {
        let (b, j) = (i / SRC, i % SRC);
        let expected: f32 = (0..attention)
            .map(|a| {
                let wq: f32 = (0..d_query).map(|k| q[b * d_query + k] * w[k * attention + a]).sum();
                let uh: f32 = (0..D).map(|k| h[(b * SRC + j) * D + k] * u[k * attention + a]).sum();
                v[a] * (wq + uh + u_bias[a]).tanh()
            })
            .sum();
        assert!((got - expected).abs() < 1e-5, "score of sentence {b} at {j}: {got}, by loops {expected}");
    }
}

#[test]
fn additive_scores_match_loops_on_a_batch_of_two() {
    check_additive(AdditiveScore::scores);
}

// BEGIN TEACHER ONLY: contexts and scores one fix away from right
#[test]
#[should_panic(expected = "by loops")]
fn the_context_check_fails_a_sum_over_the_wrong_sentence() {
    // Each sentence's weights applied to the other's states: right shape, wrong vectors.
    check_context(|weights, values| {
        let [batch, _, d] = values.dims();
        weights.flip([0]).unsqueeze_dim::<3>(1).matmul(values).reshape([batch, d])
    });
}

#[test]
#[should_panic(expected = "context: [batch, d]")]
fn the_context_check_fails_a_context_per_position() {
    // The weighted states left unsummed.
    check_context(|weights, values| {
        let [batch, src, d] = values.dims();
        (weights.unsqueeze_dim::<3>(2) * values).reshape([batch, src * d])
    });
}

#[test]
#[should_panic(expected = "by loops")]
fn the_additive_check_fails_tanh_before_the_sum() {
    check_additive(|additive, query, keys| {
        let [batch, src, _] = keys.dims();
        let query = additive.query.forward(query).unsqueeze_dim::<3>(1);
        additive.v.forward(burn::tensor::activation::tanh(keys) + query).reshape([batch, src])
    });
}

#[test]
#[should_panic]
fn the_additive_check_fails_a_query_broadcast_over_the_batch_axis() {
    check_additive(|additive, query, keys| {
        let [batch, src, _] = keys.dims();
        let query = additive.query.forward(query).unsqueeze_dim::<3>(0); // [1, batch, attention]
        additive.v.forward(burn::tensor::activation::tanh(keys + query)).reshape([batch, src])
    });
}
// END TEACHER ONLY
