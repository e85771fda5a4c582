//! Tests across architectures: what the seam promises of every model, and the trainer's
//! measurements read on real ones; and what cargo builds with which features.

pub(crate) mod cargo_features;
mod decoders;
mod learning;
mod probe_measures;
