//! Positional encoding: attention itself is blind to word order, so each position gets a
//! vector added to its embedding.
//!
//! ```text
//! PE(pos, 2i)     = sin(pos / 10000^(2i / d_model))
//! PE(pos, 2i + 1) = cos(pos / 10000^(2i / d_model))
//! ```
//!
//! Each pair of dimensions is a sinusoid of its own wavelength (from 2π to 10000·2π), so
//! `PE(pos + k)` is a linear function of `PE(pos)` for every offset `k`.

use burn::nn::Embedding;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// The encodings of positions `start .. start + length`, `[length, d_model]`.
pub fn sinusoidal(start: usize, length: usize, d_model: usize, device: &Device) -> Tensor<2> {
    // BEGIN SOLUTION positional-encoding
    let mut values = Vec::with_capacity(length * d_model);
    for pos in start..start + length {
        for dim in 0..d_model {
            let i = (dim / 2) as f64; // dimensions 2i and 2i + 1 share a wavelength
            let angle = pos as f64 / 10_000f64.powf(2.0 * i / d_model as f64);
            values.push(if dim % 2 == 0 { angle.sin() } else { angle.cos() } as f32);
        }
    }
    Tensor::from_data(TensorData::new(values, [length, d_model]), device)
    // END SOLUTION positional-encoding
}

/// Learned positions (Gehring et al. 2017): row `pos` of a trained `table` `[max_positions, d]`
/// for positions `start .. start + length`, those past the table sharing its last row →
/// `[1, length, d]`.
pub fn learned(table: &Embedding, start: usize, length: usize, device: &Device) -> Tensor<3> {
    let last = table.weight.val().dims()[0] - 1;
    let ids: Vec<i64> = (start..start + length).map(|pos| pos.min(last) as i64).collect();
    table.forward(Tensor::<2, Int>::from_data(TensorData::new(ids, [1, length]), device))
}
