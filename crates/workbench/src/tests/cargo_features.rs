//! What cargo builds with which features, read from `cargo tree`: the GPU features bring burn's
//! fusion and autotuning, and an exercise's check shares the workspace's features (the test of
//! that is beside the checks, in `coursework/checks.rs`).

use std::collections::BTreeSet;
use std::process::Command;

/// `cargo tree`'s lines for the packages `args` selects: each crate with its version and the
/// features cargo turns on (a crate built for the host and for the target may hold two).
pub(crate) fn features(args: &[&str]) -> BTreeSet<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args(["tree", "-e", "features", "-f", "{p} {f}", "--prefix", "none"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    // "name feature \"f\"" lines are the edges between features; a crate's line has its version.
    let crates = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|t| t.len() >= 2 && t[1] != "feature" && t[1].starts_with('v'));
    crates
        .map(|t| t.into_iter().filter(|w| !w.starts_with('(') && !w.ends_with(')')).collect::<Vec<_>>().join(" "))
        .collect()
}

/// The features `crate_name` is built with under `args`, one list per build of it.
fn features_of(args: &[&str], crate_name: &str) -> Vec<Vec<String>> {
    let prefix = format!("{crate_name} v");
    let lines = features(args).into_iter().filter(|l| l.starts_with(&prefix));
    lines.map(|l| l.split_whitespace().nth(2).unwrap_or_default().split(',').map(String::from).collect()).collect()
}

/// burn brings kernel fusion, autotuning and its autotune cache to the GPU backends through its
/// default features, which the workspace turns off: the workbench's `wgpu` and `cuda` features
/// must name them, or a GPU build runs every element-wise operation as a kernel of its own.
#[test]
fn gpu_features_bring_fusion_and_autotune() {
    for feature in ["wgpu", "cuda"] {
        let args = ["-p", "seq2seq-workbench", "--features", feature];
        let cubecl = features_of(&args, "burn-cubecl");
        assert!(!cubecl.is_empty(), "--features {feature} builds no burn-cubecl");
        for built in &cubecl {
            for wanted in ["fusion", "autotune", "persistence", feature] {
                assert!(
                    built.iter().any(|f| f == wanted),
                    "--features {feature}: burn-cubecl without `{wanted}`: {built:?}"
                );
            }
        }
    }
    // And the CPU build carries none of it.
    assert!(features_of(&["-p", "seq2seq-workbench"], "burn-cubecl").is_empty());
}
