//! Coursework: the catalogue of exercises (`exercises.rs`), the student kit cut from the
//! workspace (`kit.rs`), a submission rebuilt from its solution regions alone (`submission.rs`)
//! after reading them for ways round a check (`suspicious.rs`), the checks (`checks.rs`) and
//! the grade sheet (`grade.rs`),
//! a student's progress between checks (`progress.rs`) and the check-on-save loop (`watch.rs`). `workbench exercise` is `commands/exercise.rs`.

pub mod checks;
pub mod exercises;
pub mod grade;
pub mod handin;
pub mod kit;
pub mod progress;
pub mod submission;
pub mod suspicious;
pub mod watch;
pub mod written;
