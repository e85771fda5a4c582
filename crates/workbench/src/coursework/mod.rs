//! Coursework: the catalogue of exercises (`exercises.rs`), the student kit cut from the
//! workspace (`kit.rs`), a submission rebuilt from its solution regions alone (`submission.rs`)
//! after reading them for ways round a check (`suspicious.rs`), the checks (`checks.rs`) and
//! the grade sheet (`grade.rs`) built in one folder rewritten file by file (`mirror.rs`),
//! a student's progress between checks (`progress.rs`), the check-on-save loop (`watch.rs`), the
//! hand-in (`handin.rs`), the written answers (`written.rs`) and a made-up class to try the grader
//! on (`class.rs`). `workbench exercise` is `commands/exercise.rs`.

pub mod checks;
pub mod class;
pub mod exercises;
pub mod grade;
pub mod handin;
pub mod kit;
pub mod mirror;
pub mod progress;
pub mod submission;
pub mod suspicious;
pub mod watch;
pub mod written;

/// The workspace these exercises are cut from, for the tests that read its solutions.
#[cfg(test)]
pub(crate) fn workspace_root() -> &'static std::path::Path {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}
