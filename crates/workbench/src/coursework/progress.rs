//! A student's progress through the exercises: what `exercise check` last found, kept in
//! `target/exercise-progress.json` with the region it checked, so that `exercise list` can say
//! passing / failing / to do without building anything, `exercise next` can point at the next
//! exercise, and an edit made since the last check reads as "changed, check again".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use seq2seq_data::fsutil::write_atomic;
use serde::{Deserialize, Serialize};

use crate::coursework::checks::CheckOutcome;
use crate::coursework::exercises::{EXERCISES, Exercise, Status, regions, status};

/// Where an exercise stands in a checkout.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// Its region still holds the kit's `todo!()`.
    ToDo,
    /// Written, but not checked since its last edit.
    Unchecked,
    /// Checked as it stands: how many of its checks passed, of how many.
    Checked { passed: usize, total: usize },
}

impl Progress {
    pub fn done(&self) -> bool {
        matches!(self, Progress::Checked { passed, total } if passed == total)
    }

    pub fn label(&self) -> String {
        match self {
            Progress::ToDo => "to do".into(),
            Progress::Unchecked => "unchecked".into(),
            Progress::Checked { passed, total } if passed == total => format!("passing {passed}/{total}"),
            Progress::Checked { passed, total } => format!("failing {passed}/{total}"),
        }
    }
}

/// The last check of one exercise: the region text it ran and what came out.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Recorded {
    region: String,
    passed: usize,
    total: usize,
}

fn record_path(root: &Path) -> PathBuf {
    root.join("target").join("exercise-progress.json")
}

/// The text of `exercise`'s regions under `root`, as one string.
fn region_text(root: &Path, exercise: &Exercise) -> Result<String> {
    let path = root.join(exercise.file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(regions(&text, exercise).iter().map(|(_, _, body)| body.join("\n")).collect::<Vec<_>>().join("\n--\n"))
}

fn read_records(root: &Path) -> BTreeMap<String, Recorded> {
    // A missing or unreadable record only means nothing was checked yet.
    std::fs::read(record_path(root)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

/// Keeps what `exercise`'s check found in the checkout at `root`.
pub fn record(root: &Path, exercise: &Exercise, outcomes: &[CheckOutcome]) -> Result<()> {
    let mut records = read_records(root);
    let passed = outcomes.iter().filter(|o| o.passed).count();
    records
        .insert(exercise.id.into(), Recorded { region: region_text(root, exercise)?, passed, total: outcomes.len() });
    let path = record_path(root);
    std::fs::create_dir_all(path.parent().expect("under target/"))
        .with_context(|| format!("creating {}", path.display()))?;
    write_atomic(&path, &serde_json::to_vec_pretty(&records)?).with_context(|| format!("writing {}", path.display()))
}

/// Where `exercise` stands under `root`.
pub fn progress(root: &Path, exercise: &Exercise) -> Result<Progress> {
    if status(root, exercise)? == Status::ToDo {
        return Ok(Progress::ToDo);
    }
    Ok(match read_records(root).get(exercise.id) {
        Some(r) if r.region == region_text(root, exercise)? => Progress::Checked { passed: r.passed, total: r.total },
        _ => Progress::Unchecked,
    })
}

/// The first exercise, in the evolution's order, that is not passing every check.
pub fn next(root: &Path) -> Result<Option<&'static Exercise>> {
    for exercise in EXERCISES {
        if !progress(root, exercise)?.done() {
            return Ok(Some(exercise));
        }
    }
    Ok(None)
}

/// `[#####-----] 5/17 passing`, `width` marks wide.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0);
    format!("[{}{}] {done}/{total} passing", "#".repeat(filled), "-".repeat(width - filled))
}

/// The sheet's `**Hints.**` paragraph for `exercise`: the stronger hint, after the kit's one-liner.
pub fn sheet_hint(root: &Path, exercise: &Exercise) -> Result<Option<String>> {
    let path = root.join(exercise.sheet);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let Some((_, after)) = text.split_once("**Hints.**") else { return Ok(None) };
    let paragraph = after.split("\n\n").next().unwrap_or_default();
    Ok(Some(paragraph.split_whitespace().collect::<Vec<_>>().join(" ")))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::coursework::exercises::{find, placeholder};
    use crate::coursework::workspace_root;

    /// A checkout holding every exercise's file with one region: the kit's `todo!()`, except
    /// `written` ones.
    pub(crate) fn checkout(dir: &Path, written: &[&str]) {
        let _ = std::fs::remove_dir_all(dir);
        for exercise in EXERCISES {
            let path = dir.join(exercise.file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            let body =
                if written.contains(&exercise.id) { "let solved = 1;".to_string() } else { placeholder(exercise) };
            text.push_str(&format!("// BEGIN SOLUTION {0}\n{body}\n// END SOLUTION {0}\n", exercise.id));
            std::fs::write(&path, text).unwrap();
        }
    }

    pub(crate) fn outcomes(passed: usize, failed: usize) -> Vec<CheckOutcome> {
        let one = |passed| CheckOutcome { test: "t", passed, message: None };
        (0..passed).map(|_| one(true)).chain((0..failed).map(|_| one(false))).collect()
    }

    #[test]
    fn progress_follows_checks_and_edits_and_next_points_at_the_first_unfinished() {
        let dir = std::env::temp_dir().join(format!("s2s-progress-{}", std::process::id()));
        checkout(&dir, &["ann-windows", "elman-step", "lstm-step"]);
        let (ann, elman, lstm, gru) = (
            find("ann-windows").unwrap(),
            find("elman-step").unwrap(),
            find("lstm-step").unwrap(),
            find("gru-step").unwrap(),
        );
        assert_eq!(progress(&dir, gru).unwrap(), Progress::ToDo);
        assert_eq!(progress(&dir, ann).unwrap(), Progress::Unchecked);
        assert_eq!(next(&dir).unwrap().unwrap().id, "ann-windows");

        record(&dir, ann, &outcomes(3, 0)).unwrap();
        record(&dir, elman, &outcomes(1, 1)).unwrap();
        assert_eq!(progress(&dir, ann).unwrap().label(), "passing 3/3");
        assert_eq!(progress(&dir, elman).unwrap().label(), "failing 1/2");
        assert_eq!(next(&dir).unwrap().unwrap().id, "elman-step", "failing comes before unchecked");
        record(&dir, elman, &outcomes(2, 0)).unwrap();
        assert_eq!(next(&dir).unwrap().unwrap().id, lstm.id);

        // An edit after the check: unchecked again.
        let path = dir.join(ann.file);
        let text = std::fs::read_to_string(&path).unwrap().replace("let solved = 1;", "let solved = 2;");
        std::fs::write(&path, text).unwrap();
        assert_eq!(progress(&dir, ann).unwrap(), Progress::Unchecked);
        assert_eq!(next(&dir).unwrap().unwrap().id, "ann-windows");
        assert_eq!(progress(&dir, elman).unwrap().label(), "passing 2/2", "other records kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_bar_and_the_sheet_hint() {
        assert_eq!(bar(5, 17, 17), "[#####------------] 5/17 passing");
        assert_eq!(bar(0, 17, 10), "[----------] 0/17 passing");
        assert_eq!(bar(17, 17, 10), "[##########] 17/17 passing");
        let root = workspace_root();
        let hint = sheet_hint(root, find("elman-step").unwrap()).unwrap().unwrap();
        assert!(hint.starts_with("One line: `Linear::forward`, an addition and"), "{hint}");
        for exercise in EXERCISES {
            assert!(sheet_hint(root, exercise).unwrap().is_some(), "{}: a sheet with hints", exercise.id);
        }
    }
}
