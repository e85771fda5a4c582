//! No code: this crate's manifest pins the features of shared dependencies to those the whole
//! workspace's build gives them (cargo-hakari's "workspace-hack" pattern, kept by hand). Every
//! architecture and the trainer depend on `seq2seq-model`, which depends on this crate, so
//! `cargo test -p seq2seq-rnn` — how `workbench exercise check` builds only the packages an
//! exercise needs — reuses the artifacts of `cargo test --workspace` instead of compiling burn
//! again with other features.
