//! The `scaled-dot-product` exercise's checks that catch wrong answers a hand example lets
//! through: shapes where nothing is square (so keys left untransposed, or a softmax over the
//! wrong axis, cannot pass), a padded key in a batch of two, and a causal bias that must give
//! exactly zero weight. Each check is a function of the code it checks, and each is fed a wrong
//! solution here too, to show that it fails.

use burn::tensor::activation::softmax;
use burn::tensor::{Bool, Device, Distribution, Tensor, TensorData};

use crate::attention::{causal_bias, padding_bias, scaled_dot_product_attention};

type Attention = fn(Tensor<4>, Tensor<4>, Tensor<4>, Option<Tensor<4>>) -> (Tensor<4>, Tensor<4>);
type CausalBias = fn(usize, &Device) -> Tensor<4>;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// Batch, heads, queries, keys, d_k: nothing square.
const SHAPE: [usize; 5] = [2, 2, 3, 4, 5];

/// `softmax(q·k / √d_k)` over the keys a sentence has, then the weighted sum of values, by
/// loops over flat `[batch, heads, n, d_k]` buffers; `keys_of[b]` is sentence b's real keys.
fn by_loops(q: &[f32], k: &[f32], v: &[f32], keys_of: [usize; 2]) -> (Vec<f32>, Vec<f32>) {
    let [batch, heads, queries, keys, d] = SHAPE;
    let (mut context, mut weights) =
        (vec![0.0; batch * heads * queries * d], vec![0.0; batch * heads * queries * keys]);
    for b in 0..batch {
        for h in 0..heads {
            for i in 0..queries {
                let row = ((b * heads + h) * queries + i) * keys;
                let qi = &q[((b * heads + h) * queries + i) * d..][..d];
                let scores: Vec<f32> = (0..keys_of[b])
                    .map(|j| {
                        let kj = &k[((b * heads + h) * keys + j) * d..][..d];
                        qi.iter().zip(kj).map(|(x, y)| x * y).sum::<f32>() / (d as f32).sqrt()
                    })
                    .collect();
                let top = scores.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let total: f32 = scores.iter().map(|s| (s - top).exp()).sum();
                for (j, s) in scores.iter().enumerate() {
                    let w = (s - top).exp() / total;
                    weights[row + j] = w;
                    for c in 0..d {
                        context[((b * heads + h) * queries + i) * d + c] += w * v[((b * heads + h) * keys + j) * d + c];
                    }
                }
            }
        }
    }
    (context, weights)
}

/// Random queries, keys and values of [`SHAPE`], the second sentence's last key padded (its
/// bias from `padding_bias`): context and weights against [`by_loops`], shapes included, and
/// the padded key's weight exactly 0.
fn check_against_loops(attention: Attention) {
    let device = Device::flex();
    device.seed(11);
    let [batch, heads, queries, keys, d] = SHAPE;
    let normal = |n| Tensor::<4>::random([batch, heads, n, d], Distribution::Normal(0.0, 1.0), &device);
    let (q, k, v) = (normal(queries), normal(keys), normal(keys));
    let real: Vec<bool> = (0..batch * keys).map(|i| i != batch * keys - 1).collect();
    let mask = Tensor::<2, Bool>::from_data(TensorData::new(real, [batch, keys]), &device);
    let (context, weights) = attention(q.clone(), k.clone(), v.clone(), Some(padding_bias(mask)));
    assert_eq!(context.dims(), [batch, heads, queries, d], "context: [batch, heads, queries, d_k]");
    assert_eq!(weights.dims(), [batch, heads, queries, keys], "weights: [batch, heads, queries, keys]");
    let (expected_context, expected_weights) = by_loops(&values(q), &values(k), &values(v), [keys, keys - 1]);
    let weights = values(weights);
    for (n, (a, e)) in weights.iter().zip(&expected_weights).enumerate() {
        assert!((a - e).abs() < 1e-5, "weight {n}: {a}, by loops {e}");
    }
    for (n, (a, e)) in values(context).iter().zip(&expected_context).enumerate() {
        assert!((a - e).abs() < 1e-4, "context {n}: {a}, by loops {e}");
    }
    for row in weights.chunks(keys).skip(heads * queries) {
        assert_eq!(row[keys - 1], 0.0, "the padded key gets exactly no weight");
    }
}

#[test]
fn scaled_dot_product_attention_matches_loops_on_non_square_inputs() {
    check_against_loops(scaled_dot_product_attention);
}

// BEGIN TEACHER ONLY: wrong attentions the loop check fails
#[test]
#[should_panic]
fn the_loop_check_fails_keys_left_untransposed() {
    check_against_loops(|q, k, v, bias| {
        let [batch, heads, queries, _] = q.dims();
        let scores = q.matmul(k) + bias.unwrap().expand([batch, heads, queries, SHAPE[3]]);
        let weights = softmax(scores, 3);
        (weights.clone().matmul(v), weights)
    });
}

#[test]
#[should_panic(expected = "by loops")]
fn the_loop_check_fails_a_softmax_over_the_queries() {
    check_against_loops(|q, k, v, bias| {
        let [batch, heads, queries, d] = q.dims();
        let keys = k.dims()[2];
        let scores =
            q.matmul(k.swap_dims(2, 3)) / (d as f32).sqrt() + bias.unwrap().expand([batch, heads, queries, keys]);
        let weights = softmax(scores, 2);
        (weights.clone().matmul(v), weights)
    });
}
// END TEACHER ONLY

/// Equal scores plus the causal bias: position t spreads its weight evenly over positions
/// 0..=t and gives exactly 0 to every later one.
fn check_causal(causal: CausalBias) {
    let device = Device::flex();
    let n = 4;
    let bias = causal(n, &device);
    assert_eq!(bias.dims(), [1, 1, n, n]);
    let weights = values(softmax(bias, 3));
    for t in 0..n {
        for s in t + 1..n {
            assert_eq!(weights[t * n + s], 0.0, "position {t} must not see the later position {s}");
        }
    }
    for t in 0..n {
        for s in 0..=t {
            let w = weights[t * n + s];
            assert!((w - 1.0 / (t + 1) as f32).abs() < 1e-6, "position {t} on {s}: {w}");
        }
    }
}

#[test]
fn causal_bias_gives_later_positions_exactly_zero_weight() {
    check_causal(causal_bias);
}

// BEGIN TEACHER ONLY: wrong causal biases the check fails
use crate::attention::MASKED;

#[test]
#[should_panic(expected = "must not see the later position")]
fn the_causal_check_fails_a_bias_of_minus_one() {
    check_causal(|n, device| {
        let values: Vec<f32> = (0..n * n).map(|k| if k % n > k / n { -1.0 } else { 0.0 }).collect();
        Tensor::from_data(TensorData::new(values, [1, 1, n, n]), device)
    });
}

#[test]
#[should_panic(expected = "must not see the later position")]
fn the_causal_check_fails_a_bias_below_the_diagonal() {
    check_causal(|n, device| {
        let values: Vec<f32> = (0..n * n).map(|k| if k % n < k / n { MASKED } else { 0.0 }).collect();
        Tensor::from_data(TensorData::new(values, [1, 1, n, n]), device)
    });
}
// END TEACHER ONLY
