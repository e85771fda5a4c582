//! The figures of a concept drawn from a model: attention maps of one translation, and the
//! Transformer's positional encoding.

mod attention;
mod positional_encoding;

pub use attention::{GRIDS, draw_attention, output_rows};
pub use positional_encoding::positional_encoding;
