//! `exp`, `σ` and `tanh` over slices, written so that the compiler vectorises them (libm's
//! scalar `expf` / `tanhf` cost 5–11 ns an element and cannot be). Accurate to a few units in
//! the last place of an `f32` (tested against `std` below).

/// `e^x` by range reduction: `x = n ln 2 + r`, `|r| ≤ ln 2 / 2`, `e^x = 2^n · p(r)` with a
/// degree-6 polynomial (Cephes' `expf` coefficients). Inputs above 88 are clamped to it, and
/// below −87 (where `e^x` leaves `f32`'s normal range) the result is exactly 0, as a masked
/// attention score needs.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let underflow = x < -87.0;
    let x = x.clamp(-87.0, 88.0);
    // Round to nearest by adding and subtracting 1.5 · 2^23 (`round()` is a libm call on
    // baseline x86-64 and would stop the loop from vectorising).
    const SHIFT: f32 = 12_582_912.0;
    let n = (x * std::f32::consts::LOG2_E + SHIFT) - SHIFT;
    // ln 2 in two parts, so that `n · ln 2` is subtracted exactly.
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let p = 1.987_569_1e-4;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 5e-1;
    let p = p * r * r + r + 1.0;
    let e = p * f32::from_bits(((n as i32 + 127) as u32) << 23);
    if underflow { 0.0 } else { e }
}

/// `σ(x) = 1 / (1 + e^{−x})`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `tanh(x) = 1 − 2 / (e^{2x} + 1)`.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

/// `out[k] = σ(a[k])`.
pub fn sigmoid_into(a: &[f32], out: &mut [f32]) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = sigmoid(x);
    }
}

/// `out[k] = tanh(a[k])`.
pub fn tanh_into(a: &[f32], out: &mut [f32]) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = tanh(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_to_the_standard_library() {
        let mut worst = (0.0f32, 0.0f32, 0.0f32);
        for i in -200_000..=200_000 {
            let x = i as f32 * 1e-4; // −20 … 20
            let e = (exp(x) - x.exp()).abs() / x.exp();
            let s = (sigmoid(x) - 1.0 / (1.0 + (-x).exp())).abs();
            let t = (tanh(x) - x.tanh()).abs();
            worst = (worst.0.max(e), worst.1.max(s), worst.2.max(t));
        }
        assert!(worst.0 < 1e-6, "exp: relative error {}", worst.0);
        assert!(worst.1 < 1e-6, "sigmoid: absolute error {}", worst.1);
        assert!(worst.2 < 1e-6, "tanh: absolute error {}", worst.2);
        // Saturation without overflow or NaN.
        assert_eq!((sigmoid(1e4), tanh(-1e4), tanh(1e4)), (1.0, -1.0, 1.0));
        assert!((0.0..1e-30).contains(&sigmoid(-1e4)));
        assert_eq!((exp(-87.5), exp(-1e9)), (0.0, 0.0));
        assert!(exp(-86.9) > 0.0);
    }
}
