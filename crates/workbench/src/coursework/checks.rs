//! `workbench exercise check`: an exercise's checks are the workbench's own tests, each run as
//! its own process from the test binary `cargo test` builds in the checkout. A check passes when
//! that process exits with success and its harness counts exactly one test passed; a `todo!()`,
//! a panic or a failed comparison is a failed check with its message (libtest runs each test on
//! its own thread, so student code cannot crash the grader); a checkout that does not compile
//! fails every check with the compiler's first error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::coursework::exercises::Exercise;

/// How one check came out.
#[derive(Debug, PartialEq)]
pub struct CheckOutcome {
    pub test: &'static str,
    pub passed: bool,
    /// Why it failed: the test's panic message, or the build's first error.
    pub message: Option<String>,
}

/// Where `cargo test` builds, and the test binaries it built.
pub struct Checkout<'a> {
    pub root: &'a Path,
    /// A build directory other than the checkout's own `target/`: the grader's, shared by every
    /// submission, so that the dependencies compile once. Cargo trusts a workspace crate's
    /// artifacts while they are newer than its sources, so the grader builds every submission in
    /// one folder and writes only the files that differ from the last one it built there.
    pub target_dir: Option<&'a Path>,
}

/// The library test binaries of a checkout, by crate name (`seq2seq_rnn`): executable and the
/// package's directory (libtest's working directory under `cargo test`).
pub type TestBinaries = HashMap<String, (PathBuf, PathBuf)>;

impl Checkout<'_> {
    /// Builds the library tests of the packages that hold `exercises`' checks, and what they
    /// depend on, nothing else: a half-written region in a package they do not depend on does not
    /// stop them.
    /// The features are the workspace's (pinned by `seq2seq-feature-pins`), so nothing
    /// `cargo test --workspace` made is built again. `Err` says where and why the build failed.
    pub fn build(&self, exercises: &[&Exercise]) -> Result<Result<TestBinaries, BuildFailure>> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.current_dir(self.root).args(["test", "--lib", "--no-run", "--message-format=json"]);
        for package in packages(exercises) {
            command.args(["-p", package]);
        }
        if let Some(dir) = self.target_dir {
            command.env("CARGO_TARGET_DIR", dir);
        }
        let output = command.output().with_context(|| format!("running cargo in {}", self.root.display()))?;
        let messages: Vec<serde_json::Value> =
            String::from_utf8_lossy(&output.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        if !output.status.success() {
            return Ok(Err(BuildFailure::read(&messages, &String::from_utf8_lossy(&output.stderr))));
        }
        let mut binaries = TestBinaries::new();
        for message in messages {
            let (Some(executable), Some(name), Some(manifest)) =
                (message["executable"].as_str(), message["target"]["name"].as_str(), message["manifest_path"].as_str())
            else {
                continue;
            };
            let package_dir = Path::new(manifest).parent().unwrap_or(self.root).to_path_buf();
            binaries.insert(name.to_string(), (PathBuf::from(executable), package_dir));
        }
        Ok(Ok(binaries))
    }

    /// Runs `exercise`'s checks, in their order, with the binaries [`build`](Self::build) made.
    pub fn check(&self, exercise: &Exercise, binaries: &TestBinaries) -> Result<Vec<CheckOutcome>> {
        let mut outcomes = Vec::new();
        for check in exercise.checks {
            let Some((executable, dir)) = binaries.get(&check.package.replace('-', "_")) else {
                bail!("{}: cargo built no library tests of `{}`", self.root.display(), check.package);
            };
            let mut command = Command::new(executable);
            command.current_dir(dir).args(["--exact", check.test]).env("RUST_BACKTRACE", "0");
            let outcome = match output_within(command, CHECK_TIME_LIMIT)
                .with_context(|| format!("running {}", executable.display()))?
            {
                Some((succeeded, stdout)) => outcome_of(check.test, succeeded, &stdout),
                None => CheckOutcome {
                    test: check.test,
                    passed: false,
                    message: Some(format!(
                        "stopped after {} s (the check takes a few seconds: an endless loop?)",
                        CHECK_TIME_LIMIT.as_secs()
                    )),
                },
            };
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Every exercise's checks after one build; a checkout that does not build fails them all
    /// with the compiler's first error.
    pub fn check_all<'e>(&self, exercises: &[&'e Exercise]) -> Result<Vec<(&'e Exercise, Vec<CheckOutcome>)>> {
        match self.build(exercises)? {
            Ok(binaries) => exercises.iter().map(|&e| Ok((e, self.check(e, &binaries)?))).collect(),
            Err(failure) => {
                let message = format!("{BUILD_FAILED}\n{}", failure.first_error);
                Ok(exercises
                    .iter()
                    .map(|&e| {
                        let failed = e.checks.iter().map(|c| CheckOutcome {
                            test: c.test,
                            passed: false,
                            message: Some(message.clone()),
                        });
                        (e, failed.collect())
                    })
                    .collect())
            }
        }
    }
}

/// The packages holding `exercises`' checks, each once, in their first check's order.
pub fn packages(exercises: &[&Exercise]) -> Vec<&'static str> {
    let mut packages = Vec::new();
    for check in exercises.iter().flat_map(|e| e.checks) {
        if !packages.contains(&check.package) {
            packages.push(check.package);
        }
    }
    packages
}

/// Why a checkout does not build: the compiler's first error, and where each error points.
#[derive(Debug, PartialEq)]
pub struct BuildFailure {
    pub first_error: String,
    /// Each error's primary place: the file (from the workspace root) and its line, from 1.
    pub at: Vec<(PathBuf, usize)>,
}

impl BuildFailure {
    /// From cargo's JSON `messages` (`--message-format=json`), or the last lines of its
    /// `stderr` when the compiler said nothing (a broken manifest).
    fn read(messages: &[serde_json::Value], stderr: &str) -> Self {
        let errors: Vec<&serde_json::Value> = messages
            .iter()
            .filter(|m| m["reason"] == "compiler-message" && m["message"]["level"] == "error")
            .map(|m| &m["message"])
            .collect();
        let at = errors
            .iter()
            .flat_map(|e| e["spans"].as_array().into_iter().flatten())
            .filter(|span| span["is_primary"] == true)
            .filter_map(|span| {
                Some((PathBuf::from(span["file_name"].as_str()?), span["line_start"].as_u64()? as usize))
            })
            .collect();
        let first_error = errors
            .first()
            .and_then(|e| e["rendered"].as_str())
            .and_then(first_compiler_error)
            .or_else(|| first_compiler_error(stderr))
            .unwrap_or_else(|| last_lines(stderr, 12));
        BuildFailure { first_error, at }
    }
}

/// The longest one check may run: the slowest takes seconds in a debug build, so a check still
/// running after this is stuck (a student's endless loop) and is failed, not waited for.
const CHECK_TIME_LIMIT: Duration = Duration::from_secs(120);

/// Runs `command` and returns whether it exited with success and its standard output, or `None`
/// (and kills it) when it has not finished within `limit`.
fn output_within(mut command: Command, limit: Duration) -> std::io::Result<Option<(bool, String)>> {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    // Read on a thread: a child that fills the pipe must not block before it can finish.
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut text).map(|_| text)
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = reader.join().expect("the reader thread does not panic")?;
    Ok(Some((status.success(), String::from_utf8_lossy(&text).into_owned())))
}

/// How a check's message starts when the checkout does not build.
pub const BUILD_FAILED: &str = "the code does not build:";

/// The outcome of `test`, run alone: passed when its process `succeeded` and the harness's
/// summary (its last line that starts `test result:`) counts one test passed; otherwise failed
/// with its panic message (a test that did not run at all is a failed check too). Text the test
/// itself prints can not pass a failed process.
fn outcome_of(test: &'static str, succeeded: bool, stdout: &str) -> CheckOutcome {
    let summary = stdout.lines().rev().find(|l| l.starts_with("test result:")).unwrap_or_default();
    if succeeded && summary.starts_with("test result: ok. 1 passed;") {
        return CheckOutcome { test, passed: true, message: None };
    }
    let header = format!("---- {test} stdout ----");
    let message = stdout.split_once(&header).map(|(_, after)| {
        let section = after.split("\n---- ").next().unwrap_or(after).split("\nfailures:").next().unwrap_or(after);
        panic_message(section)
    });
    CheckOutcome { test, passed: false, message: Some(message.unwrap_or_else(|| "the test did not run".into())) }
}

/// The panic message of a failed test's output section, without the location line and notes;
/// `todo!()` reads as "not implemented yet".
fn panic_message(section: &str) -> String {
    let lines: Vec<&str> = section
        .lines()
        .skip_while(|l| !l.contains("panicked at"))
        .skip(1)
        .take_while(|l| !l.starts_with("note: "))
        .filter(|l| !l.trim().is_empty())
        .take(12)
        .collect();
    let text = lines.join("\n");
    match text.strip_prefix("not yet implemented: ") {
        Some(rest) => format!("not implemented yet ({rest})"),
        None if text.is_empty() => section.trim().lines().take(12).collect::<Vec<_>>().join("\n"),
        None => text,
    }
}

/// The first `error…` block of cargo's output, up to its blank line.
fn first_compiler_error(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("error"))?;
    let block: Vec<&str> = lines[start..].iter().take_while(|l| !l.trim().is_empty()).take(15).copied().collect();
    Some(block.join("\n"))
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// An exercise's score: the share of its checks that passed (1 point per exercise).
pub fn score(outcomes: &[CheckOutcome]) -> f64 {
    outcomes.iter().filter(|o| o.passed).count() as f64 / outcomes.len().max(1) as f64
}

/// Prints `exercise`'s outcomes as `exercise check` shows them.
pub fn print_outcomes(exercise: &Exercise, outcomes: &[CheckOutcome]) {
    print!("{}", outcomes_text(exercise, outcomes));
}

/// `exercise`'s outcomes as a student reads them: a line per check, `pass` or `FAIL` with what
/// it compares, and the message of each failure (also a grade's feedback file).
pub fn outcomes_text(exercise: &Exercise, outcomes: &[CheckOutcome]) -> String {
    let passed = outcomes.iter().filter(|o| o.passed).count();
    let mut text = format!("{}: {} — {passed}/{} checks passed\n", exercise.id, exercise.title, outcomes.len());
    for (check, outcome) in exercise.checks.iter().zip(outcomes) {
        text.push_str(&format!("  [{}] {}\n", if outcome.passed { "pass" } else { "FAIL" }, check.what));
        for line in outcome.message.iter().flat_map(|m| m.lines()) {
            text.push_str(&format!("         {line}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::exercises::EXERCISES;
    use crate::tests::cargo_features::features;

    const PASSED: &str = "\nrunning 1 test\ntest tests::a ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 32 filtered out; finished in 0.01s\n\n";

    const OUTPUT: &str = "\nrunning 3 tests\ntest tests::a ... ok\ntest tests::b ... FAILED\ntest tests::c ... FAILED\n\nfailures:\n\n---- tests::b stdout ----\n\nthread 'tests::b' panicked at crates/rnn/src/cell.rs:47:9:\nnot yet implemented: exercise elman-step: h_{t-1}\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n---- tests::c stdout ----\n\nthread 'tests::c' panicked at crates/rnn/src/tests.rs:40:13:\nassertion failed: max_difference(outputs, expected.clone()) < 1e-5\n\n\nfailures:\n    tests::b\n    tests::c\n\ntest result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 30 filtered out; finished in 0.05s\n";

    #[test]
    fn libtest_output_gives_each_check_its_outcome_and_message() {
        let b = outcome_of("tests::b", false, OUTPUT);
        assert!(!b.passed);
        assert_eq!(b.message.as_deref(), Some("not implemented yet (exercise elman-step: h_{t-1})"));
        let c = outcome_of("tests::c", false, OUTPUT);
        assert_eq!(c.message.as_deref(), Some("assertion failed: max_difference(outputs, expected.clone()) < 1e-5"));
        let missing = outcome_of("tests::d", true, "\nrunning 0 tests\n\ntest result: ok. 0 passed; 0 failed;\n");
        assert_eq!((missing.passed, missing.message.as_deref()), (false, Some("the test did not run")));
        let passed = outcome_of("tests::a", true, PASSED);
        assert_eq!(passed, CheckOutcome { test: "tests::a", passed: true, message: None });
        assert!((score(&[b, c, passed]) - 1.0 / 3.0).abs() < 1e-12);
    }

    /// The test binary's exit status decides: a pass line the test prints itself (a panic message
    /// holding one, or a process that exits before its harness reports) passes nothing.
    #[test]
    fn printed_pass_lines_do_not_pass_a_check() {
        assert!(!outcome_of("tests::a", false, PASSED).passed, "the process failed");
        let forged = "\nrunning 1 test\ntest tests::a ... FAILED\n\nfailures:\n\n---- tests::a stdout ----\n\nthread 'tests::a' panicked at crates/rnn/src/cell.rs:47:9:\n\ntest tests::a ... ok\n\nfailures:\n    tests::a\n\ntest result: FAILED. 0 passed; 1 failed;\n";
        assert!(!outcome_of("tests::a", false, forged).passed);
        let exited_early = "\nrunning 1 test\ntest tests::a ... ok\n";
        let early = outcome_of("tests::a", true, exited_early);
        assert_eq!((early.passed, early.message.as_deref()), (false, Some("the test did not run")));
    }

    #[test]
    fn a_command_past_its_time_limit_is_stopped_and_one_within_it_gives_its_output() {
        let mut quick = Command::new("sh");
        quick.args(["-c", "echo done"]);
        assert_eq!(output_within(quick, Duration::from_secs(10)).unwrap(), Some((true, "done\n".to_string())));
        let started = Instant::now();
        let mut stuck = Command::new("sleep");
        stuck.arg("30");
        assert_eq!(output_within(stuck, Duration::from_millis(300)).unwrap(), None);
        assert!(started.elapsed() < Duration::from_secs(10), "killed, not waited for");
    }

    #[test]
    fn a_failed_build_says_where_each_error_points() {
        let error = serde_json::json!({
            "reason": "compiler-message",
            "message": {
                "level": "error",
                "rendered": "error[E0425]: cannot find value `no_such_name` in this scope\n  --> crates/rnn/src/cell.rs:47:9\n   |\n47 |         no_such_name;\n\n",
                "spans": [
                    {"file_name": "crates/rnn/src/cell.rs", "line_start": 47, "is_primary": true},
                    {"file_name": "crates/rnn/src/lib.rs", "line_start": 3, "is_primary": false}
                ]
            }
        });
        let warning = serde_json::json!({
            "reason": "compiler-message",
            "message": {"level": "warning", "rendered": "warning: unused", "spans": [
                {"file_name": "crates/data/src/lib.rs", "line_start": 1, "is_primary": true}
            ]}
        });
        let failure = BuildFailure::read(&[warning, error], "error: could not compile `seq2seq-rnn`\n");
        assert_eq!(failure.at, vec![(PathBuf::from("crates/rnn/src/cell.rs"), 47)]);
        assert!(failure.first_error.starts_with("error[E0425]: cannot find value `no_such_name`"), "{failure:?}");
        assert!(failure.first_error.ends_with("47 |         no_such_name;"), "{failure:?}");
        let manifest = BuildFailure::read(&[], "error: failed to parse manifest at `Cargo.toml`\n");
        assert_eq!(
            (manifest.first_error.as_str(), manifest.at.len()),
            ("error: failed to parse manifest at `Cargo.toml`", 0)
        );
    }

    #[test]
    fn the_first_compiler_error_is_kept_for_the_grade_sheet() {
        let stderr = "   Compiling seq2seq-rnn v0.1.0\nerror[E0425]: cannot find value `h` in this scope\n  --> crates/rnn/src/cell.rs:48:9\n   |\n48 |         h\n\nerror: could not compile `seq2seq-rnn`\n";
        let error = first_compiler_error(stderr).unwrap();
        assert!(
            error.starts_with("error[E0425]: cannot find value `h`") && error.ends_with("48 |         h"),
            "{error}"
        );
    }

    /// A check builds a few packages with `-p`; cargo must give their dependencies the features
    /// the whole workspace gives them, or it compiles burn a second time for the check (what
    /// `seq2seq-feature-pins` is for).
    #[test]
    fn feature_pins_match_the_workspace() {
        let workspace = features(&["--workspace"]);
        let mut builds: Vec<Vec<&str>> = EXERCISES.iter().map(|e| packages(&[e])).collect();
        builds.push(packages(&EXERCISES.iter().collect::<Vec<_>>()));
        assert_eq!(builds.last().unwrap().len(), 10, "{:?}", builds.last());
        for build in builds {
            let args: Vec<&str> = build.iter().flat_map(|p| ["-p", *p]).collect();
            let different: Vec<String> = features(&args).difference(&workspace).cloned().collect();
            assert!(
                different.is_empty(),
                "`cargo test {}` gives these other features than the workspace does (pin them in \
                 crates/feature-pins/Cargo.toml): {different:?}",
                args.join(" ")
            );
        }
    }
}
