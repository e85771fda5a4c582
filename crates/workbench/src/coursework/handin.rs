//! `workbench exercise hand-in`: what a student hands in, and nothing else — the workspace's
//! manifest (so the grader knows the folder for a kit), every file holding a solution region, and
//! the written answers. No git, no patch that comes out empty because the work was committed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::coursework::exercises::{EXERCISES, regions};
use crate::coursework::kit::require_empty;
use crate::coursework::written::ANSWERS_FILE;

/// The files a hand-in holds, from the kit's root.
pub fn handed_in_files() -> Vec<&'static str> {
    let mut files = vec!["Cargo.toml", ANSWERS_FILE];
    for exercise in EXERCISES {
        if !files.contains(&exercise.file) {
            files.push(exercise.file);
        }
    }
    files
}

/// Copies the hand-in of the kit at `kit` into `out` (a new or empty folder); returns the files
/// copied. A file without its regions, or a kit without its answers file, is an error that says
/// which.
pub fn hand_in(kit: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    require_empty(out)?;
    for exercise in EXERCISES {
        let path = kit.join(exercise.file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: not a kit (pass --root the kit's folder)", path.display()))?;
        if regions(&text, exercise).is_empty() {
            bail!(
                "{}: the markers of exercise `{}` are gone (`// BEGIN SOLUTION {1}` … `// END SOLUTION {1}`): \
                 put them back around your code, or it cannot be graded",
                path.display(),
                exercise.id
            );
        }
    }
    let mut copied = Vec::new();
    for file in handed_in_files() {
        let (from, to) = (kit.join(file), out.join(file));
        if !from.exists() && file == ANSWERS_FILE {
            continue; // a kit made before answers.md: the code alone
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
        copied.push(PathBuf::from(file));
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::kit::make_kit;
    use crate::coursework::submission::assemble;
    use crate::coursework::workspace_root;

    #[test]
    fn a_hand_in_holds_the_regions_and_answers_and_grades_as_the_kit_would() {
        let root = workspace_root();
        let scratch = std::env::temp_dir().join(format!("s2s-hand-in-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let kit = scratch.join("kit");
        make_kit(root, &kit).unwrap();
        // The student solves elman-step (the workspace's own solution) and answers one sheet.
        std::fs::copy(root.join("crates/rnn/src/cell.rs"), kit.join("crates/rnn/src/cell.rs")).unwrap();
        let answers = std::fs::read_to_string(kit.join(ANSWERS_FILE)).unwrap();
        std::fs::write(kit.join(ANSWERS_FILE), answers.replacen("*Your answer (replace this line).*", "Mine.", 1))
            .unwrap();
        let out = scratch.join("ada");
        let copied = hand_in(&kit, &out).unwrap();
        assert_eq!(copied.len(), handed_in_files().len());
        assert!(out.join("Cargo.toml").exists() && !out.join("crates/rnn/src/tests.rs").exists());
        assert!(std::fs::read_to_string(out.join(ANSWERS_FILE)).unwrap().contains("Mine."));
        // Graded, it is the kit with elman-step solved, and nothing reads as changed outside.
        let graded = assemble(root, &out, &scratch.join("graded")).unwrap();
        assert!(graded.notes.is_empty() && graded.flagged.is_empty(), "{graded:?}");
        let cell = std::fs::read_to_string(scratch.join("graded/crates/rnn/src/cell.rs")).unwrap();
        assert_eq!(cell, std::fs::read_to_string(root.join("crates/rnn/src/cell.rs")).unwrap());
        // A second hand-in into the same folder, and a kit whose markers were deleted, are refused.
        assert!(hand_in(&kit, &out).unwrap_err().to_string().contains("not empty"));
        let text = std::fs::read_to_string(kit.join("crates/ann/src/model.rs")).unwrap();
        std::fs::write(kit.join("crates/ann/src/model.rs"), text.replace("// END SOLUTION ann-windows", "")).unwrap();
        let error = hand_in(&kit, &scratch.join("bob")).unwrap_err().to_string();
        assert!(error.contains("markers of exercise `ann-windows` are gone"), "{error}");
        std::fs::remove_dir_all(&scratch).unwrap();
    }
}
