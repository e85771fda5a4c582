//! `workbench exercise kit`: a copy of the workspace with every solution region replaced by a
//! `todo!()` that carries the exercise's hint. The markers stay, so the kit's regions are found
//! again by `exercise list` and `exercise check`, and a kit of a kit is the same kit. The
//! teacher-only blocks — the wrong solutions each check is shown to fail, near-solutions all —
//! are left out, and `answers.md` gathers every sheet's experiment questions for the written
//! answers.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;

use crate::coursework::exercises::{EXERCISES, Exercise, placeholder, regions};
use crate::coursework::written::{ANSWERS_FILE, template};

/// Folders never copied into a kit: build outputs, history, local runs, and the suggested answers.
const LEFT_OUT: &[&str] = &["target", ".git", "runs", "exercises/answers"];

/// Folders a kit made for grading leaves out besides [`LEFT_OUT`]: no check reads them, and the
/// baseline's checkpoints would be copied once per submission.
pub const NOT_GRADED: &[&str] = &["reports"];

/// Writes the kit of the workspace at `root` into `out` (which must not exist yet, or be empty);
/// returns how many regions were cut.
pub fn make_kit(root: &Path, out: &Path) -> Result<usize> {
    write_kit(root, out, &[])
}

/// Refuses an `out` folder that already holds something: a kit, hand-in or class is written into
/// a new or empty folder, never over earlier work.
pub(crate) fn require_empty(out: &Path) -> Result<()> {
    if out.exists() && out.read_dir().with_context(|| format!("reading {}", out.display()))?.next().is_some() {
        bail!("{} already exists and is not empty: choose another --out", out.display());
    }
    Ok(())
}

/// [`make_kit`] without the folders in `also_left_out` (paths from the workspace root).
pub fn write_kit(root: &Path, out: &Path, also_left_out: &[&str]) -> Result<usize> {
    if !root.join("Cargo.toml").exists() || !root.join("crates").is_dir() {
        bail!("{} is not the workbench's workspace (no Cargo.toml and crates/): pass --root", root.display());
    }
    require_empty(out)?;
    let mut files = Vec::new();
    collect(root, root, also_left_out, &mut files)?;
    let mut cut = 0;
    for relative in files {
        let (from, to) = (root.join(&relative), out.join(&relative));
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let exercises: Vec<&Exercise> = EXERCISES.iter().filter(|e| Path::new(e.file) == relative).collect();
        let rust = relative.extension().is_some_and(|e| e == "rs");
        if exercises.is_empty() && !rust {
            std::fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
            continue;
        }
        let text = std::fs::read_to_string(&from).with_context(|| format!("reading {}", from.display()))?;
        let mut text = strip_teacher_only(&text).with_context(|| format!("{}", from.display()))?;
        for exercise in exercises {
            text = cut_region(&text, exercise)
                .with_context(|| format!("{}: exercise `{}`", from.display(), exercise.id))?;
            cut += 1;
        }
        write_atomic(&to, text.as_bytes()).with_context(|| format!("writing {}", to.display()))?;
    }
    let answers = out.join(ANSWERS_FILE);
    write_atomic(&answers, template(root)?.as_bytes()).with_context(|| format!("writing {}", answers.display()))?;
    Ok(cut)
}

/// The markers of a teacher-only block: code the teacher's workspace tests and a kit leaves
/// out, markers and all — each check's wrong solutions, which show that the check fails them and
/// would hand a student a near-solution one fix away.
pub const TEACHER_ONLY: [&str; 2] = ["// BEGIN TEACHER ONLY", "// END TEACHER ONLY"];

/// `text` without its teacher-only blocks; an unclosed, nested or unopened block is an error
/// naming its line.
pub fn strip_teacher_only(text: &str) -> Result<String> {
    let [begin, end] = TEACHER_ONLY;
    let mut kept = String::with_capacity(text.len());
    let mut open: Option<usize> = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let marker = line.trim_start();
        match (marker.starts_with(begin), marker.starts_with(end), open) {
            (true, _, Some(at)) => bail!("line {}: `{begin}` inside the block opened on line {}", n + 1, at + 1),
            (true, _, None) => open = Some(n),
            (_, true, None) => bail!("line {}: `{end}` without a `{begin}` before it", n + 1),
            (_, true, Some(_)) => open = None,
            (false, false, Some(_)) => {}
            (false, false, None) => kept.push_str(line),
        }
    }
    match open {
        Some(at) => bail!("line {}: `{begin}` is never closed by `{end}`", at + 1),
        None => Ok(kept),
    }
}

/// `text` with each of `exercise`'s regions replaced by its placeholder, indented like the markers.
pub fn cut_region(text: &str, exercise: &Exercise) -> Result<String> {
    fill_regions(text, exercise, |_, indent| vec![format!("{indent}{}", placeholder(exercise))])
}

/// `text` with the body of `exercise`'s region number `n` (counted from 0) replaced by
/// `body(n, indent)`, `indent` being its BEGIN marker's; the markers and everything outside the
/// regions stay as they are.
pub fn fill_regions(text: &str, exercise: &Exercise, body: impl Fn(usize, &str) -> Vec<String>) -> Result<String> {
    let found = regions(text, exercise);
    if found.is_empty() {
        bail!("no solution region (its BEGIN / END SOLUTION markers are missing)");
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<String> = Vec::new();
    let mut next = 0;
    for (n, (start, stop, _)) in found.into_iter().enumerate() {
        let indent: String = lines[start].chars().take_while(|c| c.is_whitespace()).collect();
        kept.extend(lines[next..=start].iter().map(|l| l.to_string()));
        kept.extend(body(n, &indent));
        next = stop;
    }
    kept.extend(lines[next..].iter().map(|l| l.to_string()));
    Ok(kept.join("\n") + if text.ends_with('\n') { "\n" } else { "" })
}

/// Every file under `dir`, relative to `root`, except the folders left out ([`LEFT_OUT`] and
/// `also_left_out`).
pub(crate) fn collect(root: &Path, dir: &Path, also_left_out: &[&str], files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let relative = path.strip_prefix(root).expect("under the root").to_path_buf();
        if LEFT_OUT.iter().chain(also_left_out).any(|left| relative == Path::new(left)) {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect(root, &path, also_left_out, files)?;
        } else if entry.file_type()?.is_file() {
            files.push(relative);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::exercises::{Status, find, status};
    use crate::coursework::workspace_root;

    #[test]
    fn a_cut_region_keeps_its_markers_and_indentation_and_nothing_of_the_solution() {
        let exercise = find("elman-step").unwrap();
        let text = "fn step() -> u8 {\n        // BEGIN SOLUTION elman-step\n        let secret = 41;\n        secret + 1\n        // END SOLUTION elman-step\n}\n";
        let kit = cut_region(text, exercise).unwrap();
        assert!(!kit.contains("secret"), "{kit}");
        assert!(kit.contains("        todo!(\"exercise elman-step: `projected`") && kit.contains("h_{{t-1}}"), "{kit}");
        assert!(kit.starts_with("fn step() -> u8 {\n        // BEGIN SOLUTION elman-step\n"));
        assert!(kit.ends_with("        // END SOLUTION elman-step\n}\n"));
        // A kit of a kit is the same kit.
        assert_eq!(cut_region(&kit, exercise).unwrap(), kit);
        assert!(cut_region("fn f() {}\n", exercise).is_err());
        // Every region of the exercise is cut, and what lies between them is kept.
        let two = format!(
            "{text}fn kept() {{}}\nfn other() -> u8 {{\n    // BEGIN SOLUTION elman-step\n    7\n    // END SOLUTION elman-step\n}}\n"
        );
        let kit = cut_region(&two, exercise).unwrap();
        assert!(!kit.contains("secret") && !kit.contains("    7\n") && kit.contains("fn kept() {}"), "{kit}");
        assert_eq!(kit.matches("todo!(\"exercise elman-step:").count(), 2, "{kit}");
    }

    #[test]
    fn teacher_only_blocks_leave_the_kit_markers_and_all() {
        let text = "fn check() {}\n// BEGIN TEACHER ONLY: wrong solutions\n#[test]\nfn wrong() {}\n    // END TEACHER ONLY\nfn kept() {}\n";
        assert_eq!(strip_teacher_only(text).unwrap(), "fn check() {}\nfn kept() {}\n");
        assert_eq!(strip_teacher_only("fn f() {}").unwrap(), "fn f() {}");
        let unclosed = strip_teacher_only("a\n// BEGIN TEACHER ONLY\nb\n").unwrap_err().to_string();
        assert!(unclosed.contains("line 2") && unclosed.contains("never closed"), "{unclosed}");
        let stray = strip_teacher_only("a\n// END TEACHER ONLY\n").unwrap_err().to_string();
        assert!(stray.contains("line 2"), "{stray}");
        let nested = "// BEGIN TEACHER ONLY\n// BEGIN TEACHER ONLY\n// END TEACHER ONLY\n// END TEACHER ONLY\n";
        assert!(strip_teacher_only(nested).unwrap_err().to_string().contains("inside the block opened on line 1"));
    }

    #[test]
    fn the_kit_leaves_out_answers_and_history_and_cuts_every_region() {
        let root = workspace_root();
        let out = std::env::temp_dir().join(format!("s2s-kit-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let cut = make_kit(root, &out).unwrap();
        assert_eq!(cut, EXERCISES.len());
        for exercise in EXERCISES {
            assert_eq!(status(&out, exercise).unwrap(), Status::ToDo, "{}", exercise.id);
        }
        assert!(out.join("Cargo.toml").exists() && out.join("crates/rnn/src/cell.rs").exists());
        assert_eq!(std::fs::read_to_string(out.join(ANSWERS_FILE)).unwrap(), template(root).unwrap());
        for left in LEFT_OUT {
            assert!(!out.join(left).exists(), "{left} was copied");
        }
        // The checks stay; the wrong solutions they are shown to fail do not.
        for (file, check, wrong) in [
            ("crates/train/src/metrics.rs", "fn check_bleu(", "fn bleu_with("),
            ("crates/transformer/src/attention_tests.rs", "fn check_against_loops(", "keys_left_untransposed"),
            ("crates/lstm/src/masking_tests.rs", "fn check_masked_update(", "masking_the_hidden_state_only"),
            ("crates/attention/src/weights_tests.rs", "fn check_context(", "a_sum_over_the_wrong_sentence"),
            ("crates/model/src/decode.rs", "fn check_beam_reorders_rows(", "struct Misrouted"),
        ] {
            let (teacher, kit) =
                (std::fs::read_to_string(root.join(file)).unwrap(), std::fs::read_to_string(out.join(file)).unwrap());
            assert!(teacher.contains(wrong) && !kit.contains(wrong) && kit.contains(check), "{file}");
            assert!(!kit.contains(TEACHER_ONLY[0]), "{file}");
        }
        assert!(make_kit(root, &out).unwrap_err().to_string().contains("not empty"));
        std::fs::remove_dir_all(&out).unwrap();
    }
}
