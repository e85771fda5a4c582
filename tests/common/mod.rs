//! What the binary's test suites share: running `workbench`, its output, scratch directories and
//! the check that a bad input fails cleanly.

#![allow(dead_code)] // each suite uses its own part

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn workbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_workbench")).args(args).output().expect("workbench runs")
}

pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A fresh directory for one test (`suite`: which test file, so that suites never collide).
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("s2s-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Exit code 2, every expected fragment in the message, no panic; returns the message.
pub fn fails_with(args: &[&str], expected: &[&str]) -> String {
    let out = workbench(args);
    let message = text(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {message}");
    assert!(!message.contains("panicked") && !message.contains("RUST_BACKTRACE"), "{message}");
    for e in expected {
        assert!(message.contains(e), "expected `{e}` in: {message}");
    }
    message
}
