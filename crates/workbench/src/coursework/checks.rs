//! `workbench exercise check` and `grade`: an exercise's checks are the workbench's own tests,
//! run with `cargo test` in the checkout being graded. A check passes when its test passes; a
//! `todo!()`, a panic or a failed comparison is a failed check with its message (libtest runs
//! each test on its own thread, so student code cannot crash the grader); a checkout that does
//! not compile fails every check with the compiler's first error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_report::plots::csv_field;

use crate::coursework::exercises::{EXERCISES, Exercise};

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
    /// A build directory shared by many submissions, so that the dependencies compile once.
    /// Cargo names a workspace crate's artifacts by its path *inside* the workspace and trusts
    /// them while they are newer than its sources, so copies of one workspace share artifacts:
    /// with a shared directory every source file of the checkout is stamped "now" first, and its
    /// own crates are always built from its own code.
    pub target_dir: Option<&'a Path>,
}

/// The library test binaries of a checkout, by crate name (`seq2seq_rnn`): executable and the
/// package's directory (libtest's working directory under `cargo test`).
pub type TestBinaries = HashMap<String, (PathBuf, PathBuf)>;

impl Checkout<'_> {
    /// Builds every library's tests, as `cargo test --workspace` does (the same features, so
    /// nothing the normal build made is built again); `Err` holds the compiler's first error
    /// when the checkout does not build.
    pub fn build(&self) -> Result<Result<TestBinaries, String>> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.current_dir(self.root).args([
            "test",
            "--workspace",
            "--lib",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ]);
        if let Some(dir) = self.target_dir {
            command.env("CARGO_TARGET_DIR", dir);
            for folder in ["crates", "tests"] {
                stamp_now(&self.root.join(folder))?;
            }
        }
        let output = command.output().with_context(|| format!("running cargo in {}", self.root.display()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Ok(Err(first_compiler_error(&stderr).unwrap_or_else(|| last_lines(&stderr, 12))));
        }
        let mut binaries = TestBinaries::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
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
                Some(stdout) => outcome_of(check.test, &stdout),
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
        match self.build()? {
            Ok(binaries) => exercises.iter().map(|&e| Ok((e, self.check(e, &binaries)?))).collect(),
            Err(error) => {
                let message = format!("{BUILD_FAILED}\n{error}");
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

/// The longest one check may run: the slowest takes seconds in a debug build, so a check still
/// running after this is stuck (a student's endless loop) and is failed, not waited for.
const CHECK_TIME_LIMIT: Duration = Duration::from_secs(120);

/// Runs `command` and returns its standard output, or `None` (and kills it) when it has not
/// finished within `limit`.
fn output_within(mut command: Command, limit: Duration) -> std::io::Result<Option<String>> {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    // Read on a thread: a child that fills the pipe must not block before it can finish.
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut text).map(|_| text)
    });
    let deadline = Instant::now() + limit;
    while child.try_wait()?.is_none() {
        if Instant::now() >= deadline {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = reader.join().expect("the reader thread does not panic")?;
    Ok(Some(String::from_utf8_lossy(&text).into_owned()))
}

/// Sets the modification time of every file under `dir` to now.
fn stamp_now(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let now = std::time::SystemTime::now();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry.with_context(|| format!("reading {}", dir.display()))?.path();
        if path.is_dir() {
            stamp_now(&path)?;
        } else {
            // Setting the times needs ownership, not write access (read-only files are stamped too).
            let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
            file.set_modified(now).with_context(|| format!("stamping {}", path.display()))?;
        }
    }
    Ok(())
}

/// How a check's message starts when the checkout does not build.
pub const BUILD_FAILED: &str = "the code does not build:";

/// The outcome of `test` in libtest's output: passed when listed `ok`, otherwise failed with
/// its panic message (a test that did not run at all is a failed check too).
fn outcome_of(test: &'static str, stdout: &str) -> CheckOutcome {
    if stdout.lines().any(|l| l.trim() == format!("test {test} ... ok")) {
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
    let passed = outcomes.iter().filter(|o| o.passed).count();
    println!("{}: {} — {passed}/{} checks passed", exercise.id, exercise.title, outcomes.len());
    for (check, outcome) in exercise.checks.iter().zip(outcomes) {
        println!("  [{}] {}", if outcome.passed { "pass" } else { "FAIL" }, check.what);
        if let Some(message) = &outcome.message {
            for line in message.lines() {
                println!("         {line}");
            }
        }
    }
}

/// Grades every submission in `submissions` (each a folder holding a kit) into a CSV: one row
/// per submission, one column per exercise (its score, 0 to 1), the total, and a note with the
/// compiler's first error when a submission does not build. `target_dir` is shared by all of
/// them; keep it apart from a workspace's own `target/` (see [`Checkout::target_dir`]). Returns
/// how many submissions it graded.
pub fn grade(root: &Path, submissions: &Path, out: &Path, target_dir: &Path) -> Result<usize> {
    let is_patch = |p: &Path| p.is_file() && p.extension().is_some_and(|e| e == "patch" || e == "diff");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(submissions)
        .with_context(|| format!("reading {}", submissions.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| (p.is_dir() && p.join("Cargo.toml").exists()) || is_patch(p))
        .collect();
    entries.sort();
    if entries.is_empty() {
        bail!(
            "{}: no submissions (folders holding a kit's Cargo.toml, or .patch / .diff files)",
            submissions.display()
        );
    }
    let mut csv = String::from("submission");
    for exercise in EXERCISES {
        csv.push(',');
        csv.push_str(exercise.id);
    }
    csv.push_str(",total,note\n");
    let exercises: Vec<&Exercise> = EXERCISES.iter().collect();
    for entry in &entries {
        let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        eprintln!("grading {name}");
        let folder = if is_patch(entry) {
            match patched_kit(root, entry, &target_dir.join("patched"))? {
                Ok(folder) => folder,
                Err(error) => {
                    csv.push_str(&grade_row(&name, &vec![0.0; EXERCISES.len()], &error));
                    continue;
                }
            }
        } else {
            entry.clone()
        };
        let checkout = Checkout { root: &folder, target_dir: Some(target_dir) };
        let results = checkout.check_all(&exercises)?;
        let scores: Vec<f64> = results.iter().map(|(_, outcomes)| score(outcomes)).collect();
        let note = results
            .iter()
            .flat_map(|(_, outcomes)| outcomes.iter().filter_map(|o| o.message.as_deref()))
            .find_map(|m| m.strip_prefix(BUILD_FAILED))
            .and_then(|error| error.lines().find(|l| !l.trim().is_empty()))
            .unwrap_or_default()
            .to_string();
        csv.push_str(&grade_row(&name, &scores, &note));
    }
    write_atomic(out, csv.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
    Ok(entries.len())
}

/// One submission's line of the grade sheet: its name, a score per exercise, the total, a note.
fn grade_row(name: &str, scores: &[f64], note: &str) -> String {
    let cells: Vec<String> = scores.iter().map(|s| format!("{s:.2}")).collect();
    let total: f64 = scores.iter().sum();
    format!("{},{},{total:.2},{}\n", csv_field(name), cells.join(","), csv_field(note))
}

/// A fresh kit of `root` under `scratch` with the student's `patch` applied (`git apply -p1`, so
/// a `git diff` made at the kit's root); `Err` says why a patch does not apply.
fn patched_kit(root: &Path, patch: &Path, scratch: &Path) -> Result<Result<PathBuf, String>> {
    let stem = patch.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = scratch.join(stem);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    crate::coursework::kit::make_kit(root, &dir)?;
    let patch = std::path::absolute(patch)?;
    let applied = Command::new("git")
        .current_dir(&dir)
        // Not the repository the scratch folder may lie in: the kit's own paths.
        .env("GIT_CEILING_DIRECTORIES", scratch)
        .args(["apply", "-p1", "--whitespace=nowarn"])
        .arg(&patch)
        .output()
        .context("running git apply (git must be installed to grade patches)")?;
    if !applied.status.success() {
        let error = String::from_utf8_lossy(&applied.stderr);
        let first = error.lines().find(|l| !l.trim().is_empty()).unwrap_or("git apply failed");
        return Ok(Err(format!("the patch does not apply: {first}")));
    }
    Ok(Ok(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\nrunning 3 tests\ntest tests::a ... ok\ntest tests::b ... FAILED\ntest tests::c ... FAILED\n\nfailures:\n\n---- tests::b stdout ----\n\nthread 'tests::b' panicked at crates/rnn/src/cell.rs:47:9:\nnot yet implemented: exercise elman-step: h_{t-1}\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n---- tests::c stdout ----\n\nthread 'tests::c' panicked at crates/rnn/src/tests.rs:40:13:\nassertion failed: max_difference(outputs, expected.clone()) < 1e-5\n\n\nfailures:\n    tests::b\n    tests::c\n\ntest result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 30 filtered out; finished in 0.05s\n";

    #[test]
    fn libtest_output_gives_each_check_its_outcome_and_message() {
        assert_eq!(outcome_of("tests::a", OUTPUT), CheckOutcome { test: "tests::a", passed: true, message: None });
        let b = outcome_of("tests::b", OUTPUT);
        assert!(!b.passed);
        assert_eq!(b.message.as_deref(), Some("not implemented yet (exercise elman-step: h_{t-1})"));
        let c = outcome_of("tests::c", OUTPUT);
        assert_eq!(c.message.as_deref(), Some("assertion failed: max_difference(outputs, expected.clone()) < 1e-5"));
        let missing = outcome_of("tests::d", OUTPUT);
        assert_eq!((missing.passed, missing.message.as_deref()), (false, Some("the test did not run")));
        assert!((score(&[b, c, outcome_of("tests::a", OUTPUT)]) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn a_command_past_its_time_limit_is_stopped_and_one_within_it_gives_its_output() {
        let mut quick = Command::new("sh");
        quick.args(["-c", "echo done"]);
        assert_eq!(output_within(quick, Duration::from_secs(10)).unwrap().as_deref(), Some("done\n"));
        let started = Instant::now();
        let mut stuck = Command::new("sleep");
        stuck.arg("30");
        assert_eq!(output_within(stuck, Duration::from_millis(300)).unwrap(), None);
        assert!(started.elapsed() < Duration::from_secs(10), "killed, not waited for");
    }

    #[test]
    fn the_first_compiler_error_is_kept_for_the_grade_sheet() {
        let stderr = "   Compiling seq2seq-rnn v0.1.0\nerror[E0425]: cannot find value `h` in this scope\n  --> crates/rnn/src/cell.rs:48:9\n   |\n48 |         h\n\nerror: could not compile `seq2seq-rnn`\n";
        let error = first_compiler_error(stderr).unwrap();
        assert!(
            error.starts_with("error[E0425]: cannot find value `h`") && error.ends_with("48 |         h"),
            "{error}"
        );
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
