//! Interruptions lose nothing: a training run killed at any moment (`kill -9`) or stopped with
//! Ctrl-C (SIGINT) leaves a run that `--resume` finishes with exactly the metrics of a run never
//! interrupted, and metrics rows neither lost nor duplicated; a comparison stopped with Ctrl-C
//! starts no new run, and rerunning it finishes with the numbers of an uninterrupted one.

mod common;

use std::os::unix::process::CommandExt;
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

/// Starts `workbench ARGS` in a process group of its own, as a terminal starts a command, and once
/// `saved` exists sends `signal` to the whole group — the way a terminal's Ctrl-C reaches a
/// comparison and the runs it started. Returns the exit status and the log (stderr).
fn interrupt(args: &[&str], saved: &Path, signal: &str, log: &Path) -> (std::process::ExitStatus, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_workbench"))
        .args(args)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("workbench starts");
    let deadline = Instant::now() + Duration::from_secs(300);
    while !saved.exists() {
        assert!(Instant::now() < deadline, "{} was never saved", saved.display());
        std::thread::sleep(Duration::from_millis(20));
    }
    let group = format!("-{}", child.id());
    let sent = Command::new("kill").args([signal, "--", &group]).status().expect("kill runs");
    assert!(sent.success());
    let output = child.wait_with_output().expect("the command ends");
    (output.status, std::fs::read_to_string(log).unwrap_or_default())
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
        let args = ["train", "--config", config_s, "--out", run.to_str().unwrap()];
        let (status, log) = interrupt(&args, &run.join("resume/state.json"), signal, &run.with_extension("log"));
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

/// Two runs, trained one at a time: Ctrl-C during the first.
const COMPARE: &str = "name = \"interrupted\"\narchs = [\"rnn\", \"lstm\"]\njobs = 1\nprobe_seeds = 0\n\
[base]\nseed = 3\n\
[base.data]\ntask = \"copy\"\ntrain_size = 3000\nvalid_size = 50\ntest_size = 50\nmax_len = 10\n\
[base.training]\nepochs = 3\npatience = 0\ntrain_eval_size = 20\n";

#[test]
fn an_interrupted_comparison_starts_no_new_run_and_resumes_to_the_same_metrics() {
    let dir: PathBuf = common::scratch("interruptions", "compare");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("compare.toml");
    std::fs::write(&config, COMPARE).unwrap();
    let config_s = config.to_str().unwrap();
    let reference = dir.join("reference");
    let out = workbench(&["compare", "--config", config_s, "--out", reference.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));

    // The later architecture trains first (compare starts the slower ones first).
    let cut = dir.join("cut");
    let args = ["compare", "--config", config_s, "--out", cut.to_str().unwrap()];
    let first = cut.join("runs/lstm-seed3");
    let (status, log) = interrupt(&args, &first.join("resume/state.json"), "-INT", &dir.join("cut.log"));
    assert_eq!(status.code(), Some(130), "Ctrl-C's exit status: {log}");
    assert!(!log.contains("panicked"), "{log}");
    assert!(log.contains("lstm-seed3"), "names the interrupted run: {log}");
    let run_log = std::fs::read_to_string(first.with_extension("log")).unwrap();
    assert!(run_log.contains("interrupted in epoch"), "the run stopped after its batch: {run_log}");
    assert!(!first.join("test.json").exists(), "the run stopped before its end");
    assert!(!cut.join("runs/rnn-seed3.log").exists(), "no new run starts after Ctrl-C: {log}");

    let again = workbench(&args);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("lstm-seed3: resuming"), "{}", text(&again));
    for run in ["lstm-seed3", "rnn-seed3"] {
        let (a, b) = (reference.join("runs").join(run), cut.join("runs").join(run));
        assert_eq!(metrics(&b), metrics(&a), "{run}: resumed metrics differ");
        assert_eq!(scores(&b), scores(&a), "{run}: resumed test scores differ");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
