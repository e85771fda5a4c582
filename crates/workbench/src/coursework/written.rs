//! The written half of the coursework: every sheet's experiment questions gathered into one
//! `answers.md` at the kit's root, under a placeholder per sheet; `grade` hands what a student
//! wrote there to the teacher beside the grades (read, not scored).

use std::path::Path;

use anyhow::{Context, Result};

use crate::coursework::exercises::EXERCISES;

/// The answers file, at a kit's root.
pub const ANSWERS_FILE: &str = "answers.md";

/// What each sheet's section holds until the student writes there.
const PLACEHOLDER: &str = "*Your answer (replace this line).*";

/// Every sheet once, in the evolution's order: its title line and its experiment questions.
fn sheets(root: &Path) -> Result<Vec<(String, String)>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut sheets = Vec::new();
    for exercise in EXERCISES {
        if seen.contains(&exercise.sheet) {
            continue;
        }
        seen.push(exercise.sheet);
        let path = root.join(exercise.sheet);
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let title = text.lines().next().unwrap_or_default().trim_start_matches('#').trim().to_string();
        let questions = text.split_once("**Experiment questions.**").map_or("", |(_, q)| q).trim().to_string();
        sheets.push((title, questions));
    }
    Ok(sheets)
}

/// The blank `answers.md` of the workspace at `root`: a section per sheet with its questions.
pub fn template(root: &Path) -> Result<String> {
    let mut text = String::from(
        "# Written answers\n\nAnswer each sheet's experiment questions under its heading, in place of the \
         placeholder line; `git diff` or the kit folder hands them in with the code.\n",
    );
    for (title, questions) in sheets(root)? {
        text.push_str(&format!("\n## {title}\n\n{questions}\n\n{PLACEHOLDER}\n"));
    }
    Ok(text)
}

/// The sections of an answers file: `## ` heading → body.
fn sections(text: &str) -> Vec<(&str, &str)> {
    text.split("\n## ").skip(1).map(|s| s.split_once('\n').unwrap_or((s, ""))).collect()
}

/// What a submission wrote: `(answered, sheets)`, a sheet answered when the section under its
/// heading is no longer the template's; `None` when nothing is.
pub fn answered(template: &str, written: &str) -> Option<(usize, usize)> {
    let blank = sections(template);
    let mine = sections(written);
    let answered = blank
        .iter()
        .filter(|(heading, body)| mine.iter().find(|(h, _)| h == heading).is_some_and(|(_, b)| b.trim() != body.trim()))
        .count();
    (answered > 0).then_some((answered, blank.len()))
}

/// The answers handed in with the kit at `submitted`, against the blank of the workspace at
/// `root`: the text and `(answered, sheets)`, or `None` when there are none.
pub fn handed_in(root: &Path, submitted: &Path) -> Result<Option<(String, (usize, usize))>> {
    let path = submitted.join(ANSWERS_FILE);
    let Ok(written) = std::fs::read_to_string(&path) else { return Ok(None) };
    Ok(answered(&template(root)?, &written).map(|counts| (written, counts)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::workspace_root;

    #[test]
    fn the_template_has_each_sheets_questions_once_and_counts_what_was_answered() {
        let blank = template(workspace_root()).unwrap();
        let sheets: Vec<&str> =
            EXERCISES.iter().map(|e| e.sheet).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        assert_eq!(sections(&blank).len(), sheets.len());
        assert_eq!(blank.matches(PLACEHOLDER).count(), sheets.len());
        assert!(blank.contains("## Exercise 2 — ") && blank.contains("probe-latch-by-lag.png"), "{blank}");
        assert_eq!(answered(&blank, &blank), None, "a blank file answers nothing");
        let one = blank.replacen(PLACEHOLDER, "Up to T = 80 both learn it.", 1);
        assert_eq!(answered(&blank, &one), Some((1, sheets.len())));
        let two = one.replacen(PLACEHOLDER, "The gradient falls by orders of magnitude.", 1);
        assert_eq!(answered(&blank, &two), Some((2, sheets.len())));
        assert_eq!(answered(&blank, "# my notes\n\nall in one place\n"), None, "no sheet's section, nothing counted");
    }

    #[test]
    fn answers_are_read_from_the_kit_root() {
        let dir = std::env::temp_dir().join(format!("s2s-answers-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(handed_in(workspace_root(), &dir).unwrap().is_none(), "no file");
        let blank = template(workspace_root()).unwrap();
        std::fs::write(dir.join(ANSWERS_FILE), &blank).unwrap();
        assert!(handed_in(workspace_root(), &dir).unwrap().is_none(), "still blank");
        std::fs::write(dir.join(ANSWERS_FILE), blank.replacen(PLACEHOLDER, "BLEU needs 4-grams.", 1)).unwrap();
        let (text, (answered, _)) = handed_in(workspace_root(), &dir).unwrap().unwrap();
        assert!(text.contains("BLEU needs 4-grams.") && answered == 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
