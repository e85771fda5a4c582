//! What the kernels' tests share.

/// A small deterministic pseudo-random sequence in [-1, 1).
pub fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Asserts that `analytic[n]` is the gradient of `loss` with respect to `inputs[n]`, element by
/// element, against central differences (step 10⁻², relative tolerance 10⁻³).
pub fn assert_gradients<const N: usize>(
    mut inputs: [Vec<f32>; N],
    analytic: &[Vec<f32>; N],
    loss: impl Fn(&[Vec<f32>; N]) -> f64,
) {
    let eps = 1e-2f32;
    for which in 0..N {
        assert_eq!(inputs[which].len(), analytic[which].len(), "input {which}: one gradient per element");
        for i in 0..inputs[which].len() {
            let original = inputs[which][i];
            inputs[which][i] = original + eps;
            let up = loss(&inputs);
            inputs[which][i] = original - eps;
            let down = loss(&inputs);
            inputs[which][i] = original;
            let numeric = (up - down) / (2.0 * eps as f64);
            let error = (numeric - analytic[which][i] as f64).abs();
            assert!(error < 1e-3 * (1.0 + numeric.abs()), "input {which}[{i}]: {} vs {numeric}", analytic[which][i]);
        }
    }
}
