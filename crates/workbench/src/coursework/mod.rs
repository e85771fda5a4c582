//! Coursework: the catalogue of exercises (`exercises.rs`), the student kit cut from the
//! workspace (`kit.rs`), and the checks and grades (`checks.rs`). `workbench exercise` is
//! `commands/exercise.rs`.

pub mod checks;
pub mod exercises;
pub mod kit;
