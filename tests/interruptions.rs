//! Interruptions lose nothing: a training run killed at any moment (`kill -9`) or stopped with
//! Ctrl-C (SIGINT) leaves a run that `--resume` finishes with exactly the metrics of a run never
//! interrupted, and metrics rows neither lost nor duplicated.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{text, workbench};

const CONFIG: &str = "arch = \"lstm\"\nseed = 3\n\
[data]\ntask = \"copy\"\ntrain_size = 3000\nvalid_size = 50\ntest_size = 50\nmax_len = 10\n\
[training]\nepochs = 4\npatience = 0\ntrain_eval_size = 20\n";

/// `metrics.csv` without its timing columns (`elapsed_seconds`, `tokens_per_second`).
fn metrics(run: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(run.join("metrics.csv")).expect("metrics.csv");
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            [&fields[..8], &fields[10..]].concat().join(",")
        })
        .collect()
}

/// The test report's scores (`overall`).
fn scores(run: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(run.join("test.json")).expect("test.json");
    serde_json::from_str::<serde_json::Value>(&text).expect("json")["overall"].clone()
}

/// Starts a training run and, once its first epoch is saved, sends it `signal`.
fn interrupt(config: &Path, run: &Path, signal: &str) -> (std::process::ExitStatus, String) {
    let log = run.with_extension("log");
    let child = Command::new(env!("CARGO_BIN_EXE_workbench"))
        .args(["train", "--config", config.to_str().unwrap(), "--out", run.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("workbench starts");
    let saved = run.join("resume/state.json");
    let deadline = Instant::now() + Duration::from_secs(300);
    while !saved.exists() {
        assert!(Instant::now() < deadline, "the first epoch was never saved");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill runs");
    assert!(sent.success());
    let output = child.wait_with_output().expect("the run ends");
    (output.status, std::fs::read_to_string(&log).unwrap_or_default())
}

#[test]
fn a_run_killed_or_interrupted_resumes_to_the_same_metrics() {
    let dir: PathBuf = common::scratch("interruptions", "runs");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("copy.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let config_s = config.to_str().unwrap();
    let reference = dir.join("reference");
    let out = workbench(&["train", "--config", config_s, "--out", reference.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(metrics(&reference).len(), 1 + 2 * 4, "a header and two rows per epoch");

    for (signal, name) in [("-KILL", "killed"), ("-INT", "interrupted")] {
        let run = dir.join(name);
        let (status, log) = interrupt(&config, &run, signal);
        assert!(!status.success(), "{name}: {log}");
        if signal == "-INT" {
            // Ctrl-C: the batch is finished, the run says what it kept, the shell's code 130.
            assert_eq!(status.code(), Some(130), "{log}");
            assert!(log.contains("interrupted in epoch") && log.contains("--resume"), "{log}");
            assert!(!log.contains("panicked"), "{log}");
        }
        assert!(!run.join("test.json").exists(), "{name}: stopped before the end");
        let out = workbench(&["train", "--config", config_s, "--out", run.to_str().unwrap(), "--resume"]);
        assert!(out.status.success(), "{name}: {}", text(&out));
        assert_eq!(metrics(&run), metrics(&reference), "{name}: resumed metrics differ");
        assert_eq!(scores(&run), scores(&reference), "{name}: resumed test scores differ");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
