//! Bad values get a message, never a panic: the `workbench` binary driven through the config
//! mistakes students make, each checked for its exit code, its message (file, key, value, what was
//! expected) and that nothing was written.

mod common;

use std::path::PathBuf;

use common::{fails_with, text, workbench};

fn scratch(name: &str) -> PathBuf {
    let dir = common::scratch("hardening", name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Each bad `[model]` / `[data]` value, in a config file, is refused before anything is built or
/// written, with the file, the key, the value and the expected range.
#[test]
fn bad_config_values_are_refused_with_their_key_and_range() {
    let dir = scratch("configs");
    let cases: &[(&str, &str, &[&str])] = &[
        ("arch = \"lstm\"\n[model]\ndropout = 1.0\n", "dropout1", &["dropout = 1", "[0, 1)"]),
        ("arch = \"ann\"\n[model]\ndropout = -0.1\n", "dropout-", &["dropout = -0.1", "[0, 1)"]),
        (
            "arch = \"transformer\"\n[model]\nheads = 3\nd_model = 64\n",
            "heads3",
            &["heads = 3", "divisor of d_model = 64"],
        ),
        ("arch = \"transformer\"\n[model]\nheads = 0\n", "heads0", &["heads = 0", "1 to 128"]),
        ("arch = \"encdec\"\n[model]\nhidden_size = 0\n", "hidden0", &["hidden_size = 0", "at least 1"]),
        (
            "arch = \"transformer\"\n[model]\nd_model = 1000000\n",
            "huge",
            &["d_model = 1000000", "at most 16384", "TiB"],
        ),
        ("arch = \"encdec\"\n[model]\nlayers = 0\n", "layers0", &["layers = 0", "1 to 16"]),
        ("arch = \"bahdanau\"\n[model]\nattention_size = 0\n", "attention0", &["attention_size = 0"]),
        ("[data]\nmin_len = 30\nmax_len = 5\n", "lengths", &["max_len", "min_len = 30, max_len = 5"]),
        ("[data]\ntokenizer = \"bpe\"\nsubword_vocab_size = 0\n", "bpe0", &["subword_vocab_size", "at least 64"]),
    ];
    for (toml, name, expected) in cases {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, toml).unwrap();
        let out = dir.join(format!("run-{name}"));
        let message =
            fails_with(&["train", "--config", path.to_str().unwrap(), "--out", out.to_str().unwrap()], expected);
        assert!(message.contains(&format!("{name}.toml")), "the file is named: {message}");
        assert!(!out.exists(), "{name}: nothing is written for a refused config");
    }
}

/// `--resume` continues only what was started: a finished run says so, and an interrupted run
/// refuses other settings, naming each difference.
#[test]
fn resume_refuses_finished_runs_and_other_settings() {
    let dir = scratch("resume");
    let run = dir.join("run");
    let run_s = run.to_str().unwrap();
    let out = workbench(&["train", "--arch", "rnn", "--quick", "--seed", "5", "--out", run_s]);
    assert!(out.status.success(), "{}", text(&out));
    let metrics = std::fs::read(run.join("metrics.csv")).unwrap();
    fails_with(
        &["train", "--arch", "rnn", "--quick", "--resume", "--seed", "7", "--epochs", "5", "--out", run_s],
        &["finished", "--overwrite"],
    );
    assert_eq!(std::fs::read(run.join("metrics.csv")).unwrap(), metrics, "the finished run is untouched");

    let interrupted = dir.join("interrupted");
    let interrupted_s = interrupted.to_str().unwrap();
    let out = workbench(&[
        "train",
        "--arch",
        "rnn",
        "--quick",
        "--seed",
        "5",
        "--out",
        interrupted_s,
        "--stop-after-epoch",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2), "stopped on purpose: {}", text(&out));
    assert!(text(&out).contains("stopped after epoch 1 as asked"), "{}", text(&out));
    fails_with(
        &["train", "--arch", "rnn", "--quick", "--resume", "--seed", "7", "--out", interrupted_s],
        &["cannot resume", "seed: 5 → 7"],
    );
    let out = workbench(&["train", "--arch", "rnn", "--quick", "--resume", "--seed", "5", "--out", interrupted_s]);
    assert!(out.status.success(), "the same settings resume: {}", text(&out));
}

/// A comparison checks every run's settings before it starts any.
#[test]
fn compare_checks_every_run_before_starting() {
    let dir = scratch("compare");
    let config = dir.join("compare.toml");
    std::fs::write(
        &config,
        "name = \"bad\"\narchs = [\"rnn\", \"transformer\"]\n[overrides.transformer.model]\nheads = 5\n",
    )
    .unwrap();
    let out = dir.join("out");
    fails_with(
        &["compare", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()],
        &["transformer", "heads = 5"],
    );
    assert!(!out.join("runs").join("rnn-seed42").join("test.json").exists(), "no run was trained");
}
