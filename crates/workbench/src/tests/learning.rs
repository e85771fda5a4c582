//! Every architecture learns. A claim that one model beats another means nothing if the loser
//! cannot learn at all, so each architecture, at its default size and through the real training
//! loop, must copy short digit sequences almost perfectly within a test-sized budget. A model
//! that stops learning (a broken gradient, a mask that hides the answer) fails here first.

use seq2seq_train::{RunConfig, TrainOptions};

/// Test exact match (%) every architecture must reach on `copy`. The encoder-decoder, its whole
/// sequence squeezed through one vector, learns last and ends a few points under 100 %; the bar
/// sits below it with room for another CPU's rounding.
const NEAR_PERFECT: f64 = 90.0;

fn copy_config(arch: &str) -> RunConfig {
    let mut config = RunConfig { arch: arch.into(), seed: 5, ..Default::default() };
    config.data.task = "copy".into();
    (config.data.train_size, config.data.valid_size, config.data.test_size) = (3_000, 200, 200);
    (config.data.min_len, config.data.max_len, config.data.batch_size) = (3, 6, 32);
    config.training.epochs = 12;
    // Every epoch trained, the learning rate decayed to a tenth, the best validation epoch tested.
    config.training.patience = 0;
    config.training.lr_schedule = seq2seq_train::LrSchedule::Cosine;
    config.training.train_eval_size = 60;
    config
}

/// Trains `arch` on `copy` through the registry and the real training loop.
fn learns_to_copy(arch: &str) {
    let architecture = crate::registry::find(arch).expect("a registered architecture");
    let out = std::env::temp_dir().join(format!("s2s-learning-{arch}-{}", std::process::id()));
    let summary = architecture.train(&copy_config(arch), &out, TrainOptions::default());
    let _ = std::fs::remove_dir_all(&out);
    let report = summary.expect("a tiny copy run trains").report;
    let exact = report.overall.exact_match;
    assert!(
        exact >= NEAR_PERFECT,
        "{arch}: {exact:.1}% exact match on copy after {} epochs, expected at least {NEAR_PERFECT}%",
        report.epochs_trained
    );
}

#[test]
fn every_architecture_is_registered_here() {
    let names: Vec<&str> = crate::registry::architectures().iter().map(|a| a.name).collect();
    assert_eq!(names, ["ann", "rnn", "lstm", "birnn", "encdec", "bahdanau", "luong", "conv", "convs2s", "transformer"]);
}

#[test]
fn ann_learns_to_copy() {
    learns_to_copy("ann");
}

#[test]
fn rnn_learns_to_copy() {
    learns_to_copy("rnn");
}

#[test]
fn lstm_learns_to_copy() {
    learns_to_copy("lstm");
}

#[test]
fn birnn_learns_to_copy() {
    learns_to_copy("birnn");
}

#[test]
fn encdec_learns_to_copy() {
    learns_to_copy("encdec");
}

#[test]
fn bahdanau_learns_to_copy() {
    learns_to_copy("bahdanau");
}

#[test]
fn luong_learns_to_copy() {
    learns_to_copy("luong");
}

#[test]
fn conv_learns_to_copy() {
    learns_to_copy("conv");
}

#[test]
fn convs2s_learns_to_copy() {
    learns_to_copy("convs2s");
}

#[test]
fn transformer_learns_to_copy() {
    learns_to_copy("transformer");
}
