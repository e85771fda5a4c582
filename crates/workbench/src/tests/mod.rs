//! Tests across architectures: what the seam promises of every model, and the trainer's
//! measurements read on real ones.

mod decoders;
mod learning;
mod probe_measures;
