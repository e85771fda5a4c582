//! `workbench exercise grade`: a class's submissions into one CSV and a feedback file per
//! student. Each submission (a kit folder, or a patch against a fresh kit) is rebuilt from its
//! solution regions alone ([`assemble`]), checked, and its row and feedback written as soon as it
//! is graded, so an interrupted run keeps every row it finished and `--resume` goes on from there.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_report::plots::csv_field;

use crate::coursework::checks::{BUILD_FAILED, CheckOutcome, Checkout, outcomes_text, score};
use crate::coursework::exercises::{EXERCISES, Exercise};
use crate::coursework::kit::{NOT_GRADED, write_kit};
use crate::coursework::mirror::{claim, mirror};
use crate::coursework::submission::{assemble, leave_to_do, regions_at};
use crate::coursework::written::{ANSWERS_FILE, handed_in};

/// How a grading run went: submissions graded now, and those kept from an earlier run.
#[derive(Debug, PartialEq)]
pub struct Graded {
    pub graded: usize,
    pub kept: usize,
}

/// Grades every submission in `submissions` into the CSV `out`: one row per submission, one
/// column per exercise (its score, 0 to 1), the total, and a note (the compiler's first error,
/// changes that were not graded, flagged regions); and a feedback file per submission in
/// [`feedback_dir`]. A region that does not compile scores 0 and leaves the others graded; an
/// error outside every region zeroes the row. With `resume`, the rows already in `out` are kept
/// and their submissions not graded again. `target_dir` is shared by all of them; keep it apart
/// from a workspace's own `target/`, whose crates the submissions' would replace.
pub fn grade(root: &Path, submissions: &Path, out: &Path, target_dir: &Path, resume: bool) -> Result<Graded> {
    let entries = submissions_in(submissions)?;
    let header = format!("submission,{},total,note\n", EXERCISES.iter().map(|e| e.id).collect::<Vec<_>>().join(","));
    let mut csv = if resume && out.exists() { earlier_rows(out, &header)? } else { header };
    write_atomic(out, csv.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
    let feedback = feedback_dir(out);
    std::fs::create_dir_all(&feedback).with_context(|| format!("creating {}", feedback.display()))?;
    let build = kits_dir(target_dir).join("build");
    let _claimed = claim(&build)?;
    let mut done = Graded { graded: 0, kept: 0 };
    for (n, entry) in entries.iter().enumerate() {
        let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if csv.lines().skip(1).any(|row| row.starts_with(&format!("{},", csv_field(&name)))) {
            eprintln!("[{}/{}] {name}: graded before, kept", n + 1, entries.len());
            done.kept += 1;
            continue;
        }
        eprintln!("[{}/{}] grading {name}", n + 1, entries.len());
        let started = std::time::Instant::now();
        let graded = grade_one(root, entry, &name, &build, target_dir)?;
        let total: f64 = graded.scores.iter().sum();
        let seconds = started.elapsed().as_secs_f64();
        eprintln!("[{}/{}] {name}: {total:.2} of {} ({seconds:.0} s)", n + 1, entries.len(), EXERCISES.len());
        csv.push_str(&grade_row(&name, &graded.scores, &graded.note));
        write_atomic(out, csv.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
        let file = feedback.join(format!("{name}.txt"));
        write_atomic(&file, feedback_text(&name, &graded).as_bytes())
            .with_context(|| format!("writing {}", file.display()))?;
        if let Some((text, _)) = &graded.answers {
            let file = feedback.join(answers_file(&name));
            write_atomic(&file, text.as_bytes()).with_context(|| format!("writing {}", file.display()))?;
        }
        done.graded += 1;
    }
    Ok(done)
}

/// The file beside a submission's feedback that holds its written answers.
fn answers_file(name: &str) -> String {
    format!("{name}.{ANSWERS_FILE}")
}

/// Where the feedback files of the grade sheet `out` go: `grades.csv` → `grades-feedback/`.
pub fn feedback_dir(out: &Path) -> PathBuf {
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    out.with_file_name(format!("{stem}-feedback"))
}

/// The grade sheet `out` as an earlier run left it, checked to be for these exercises.
fn earlier_rows(out: &Path, header: &str) -> Result<String> {
    let text = std::fs::read_to_string(out).with_context(|| format!("reading {}", out.display()))?;
    if !text.starts_with(header) {
        bail!(
            "{}: its first line is not this grader's header (other exercises?): grade into a new --out, or leave out --resume",
            out.display()
        );
    }
    Ok(if text.ends_with('\n') { text } else { text + "\n" })
}

/// The submissions in `folder`: kit folders and `.patch` / `.diff` files, by name.
fn submissions_in(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("reading {}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| (p.is_dir() && p.join("Cargo.toml").exists()) || is_patch(p))
        .collect();
    entries.sort();
    if entries.is_empty() {
        bail!("{}: no submissions (folders holding a kit's Cargo.toml, or .patch / .diff files)", folder.display());
    }
    Ok(entries)
}

fn is_patch(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e == "patch" || e == "diff")
}

/// One submission's grade: a score per exercise, the note, and per exercise what its checks
/// said or why they did not run.
struct SubmissionGrade {
    scores: Vec<f64>,
    note: String,
    details: Vec<Result<Vec<CheckOutcome>, String>>,
    /// The written answers handed in, and `(answered, sheets)`.
    answers: Option<(String, (usize, usize))>,
}

impl SubmissionGrade {
    fn unchecked(why: String) -> Self {
        let details = EXERCISES.iter().map(|_| Err(why.clone())).collect();
        SubmissionGrade { scores: vec![0.0; EXERCISES.len()], note: why, details, answers: None }
    }
}

/// Grades one submission: assembled in `graded/NAME` beside the build folder, mirrored into
/// `build` (see [`mirror`]) and built there into `target_dir`.
fn grade_one(root: &Path, entry: &Path, name: &str, build: &Path, target_dir: &Path) -> Result<SubmissionGrade> {
    let kits = kits_dir(target_dir);
    let submitted = if is_patch(entry) {
        match patched_kit(root, entry, &kits.join("patched"))? {
            Ok(folder) => folder,
            Err(error) => return Ok(SubmissionGrade::unchecked(error)),
        }
    } else {
        entry.to_path_buf()
    };
    let answers = handed_in(root, &submitted)?;
    let mut assembled = assemble(root, &submitted, &kits.join("graded").join(name))?;
    mirror(&assembled.dir, build)?;
    let checkout = Checkout { root: build, target_dir: Some(target_dir) };
    let graded: Vec<&Exercise> = EXERCISES.iter().collect();
    let mut notes = Vec::new();
    // A region that does not compile costs its own exercise: it is put back to `todo!()` and the
    // kit built again, until it builds or an error lies outside every region.
    let binaries = loop {
        match checkout.build(&graded)? {
            Ok(binaries) => break Ok(binaries),
            Err(failure) => {
                let culprits = regions_at(build, &failure.at)?;
                let first_line = failure.first_error.lines().next().unwrap_or_default().to_string();
                if culprits.is_empty() {
                    notes.push(first_line.clone());
                    break Err(format!("{BUILD_FAILED} {first_line}"));
                }
                for exercise in culprits {
                    // In the kit a teacher opens to see what was graded, too.
                    leave_to_do(build, exercise)?;
                    leave_to_do(&assembled.dir, exercise)?;
                    assembled.flagged.push((exercise.id, format!("{}: does not compile ({first_line})", exercise.id)));
                }
            }
        }
    };
    let mut details = Vec::new();
    for exercise in EXERCISES {
        let flagged = assembled.flagged.iter().find(|(id, _)| *id == exercise.id).map(|(_, why)| why.clone());
        details.push(match (&binaries, flagged) {
            (_, Some(why)) => Err(why),
            (Err(why), None) => Err(why.clone()),
            (Ok(binaries), None) => Ok(checkout.check(exercise, binaries)?),
        });
    }
    let scores = details.iter().map(|d| d.as_ref().map_or(0.0, |outcomes| score(outcomes))).collect();
    notes.extend(assembled.flagged.into_iter().map(|(_, why)| why));
    notes.extend(assembled.notes);
    Ok(SubmissionGrade { scores, note: notes.join("; "), details, answers })
}

/// What a student reads: the total, the note, and each exercise's checks with their messages.
fn feedback_text(name: &str, graded: &SubmissionGrade) -> String {
    let total: f64 = graded.scores.iter().sum();
    let mut text = format!("{name}: {total:.2} of {}\n", EXERCISES.len());
    if !graded.note.is_empty() {
        text.push_str(&format!("note: {}\n", graded.note));
    }
    text.push_str(&match &graded.answers {
        Some((_, (answered, sheets))) => {
            format!(
                "written answers: {answered} of {sheets} sheets, in {} (for the teacher to read)\n",
                answers_file(name)
            )
        }
        None => format!("written answers: none handed in (`{ANSWERS_FILE}` at the kit's root)\n"),
    });
    for ((exercise, detail), score) in EXERCISES.iter().zip(&graded.details).zip(&graded.scores) {
        text.push('\n');
        match detail {
            Ok(outcomes) => text.push_str(&outcomes_text(exercise, outcomes)),
            Err(why) => {
                text.push_str(&format!("{}: {} — {score:.2}, not checked: {why}\n", exercise.id, exercise.title))
            }
        }
    }
    text
}

/// Where the kits being graded are written (`graded/NAME`, each submission's assembled kit, and
/// `build`, the one folder every submission is built in: see [`mirror`]): beside the build
/// directory `target_dir`, never in it — cargo records the sources of a build under its target
/// directory by their path there.
pub fn kits_dir(target_dir: &Path) -> PathBuf {
    let name = target_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target_dir.with_file_name(format!("{name}-kits"))
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
    write_kit(root, &dir, NOT_GRADED)?;
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

    #[test]
    fn feedback_names_every_check_and_why_an_exercise_was_not_checked() {
        let outcome =
            |passed, message: Option<&str>| CheckOutcome { test: "t", passed, message: message.map(String::from) };
        let mut details: Vec<Result<Vec<CheckOutcome>, String>> =
            EXERCISES.iter().map(|e| Ok(e.checks.iter().map(|_| outcome(true, None)).collect())).collect();
        details[1] = Ok(vec![outcome(true, None), outcome(false, Some("not implemented yet (h)"))]);
        details[2] = Err("lstm-step: scored 0, its region calls the fused kernel".into());
        let mut scores = vec![1.0; EXERCISES.len()];
        (scores[1], scores[2]) = (0.5, 0.0);
        let answers = Some(("…".to_string(), (3, 15)));
        let graded = SubmissionGrade { scores, note: "a note".into(), details, answers };
        let text = feedback_text("ada", &graded);
        assert!(text.starts_with(&format!(
            "ada: {:.2} of {}\nnote: a note\nwritten answers: 3 of 15 sheets, in ada.answers.md (for the teacher to read)\n",
            EXERCISES.len() as f64 - 1.5,
            EXERCISES.len()
        )));
        assert!(text.contains("elman-step: Elman's recurrent step — 1/2 checks passed\n  [pass] "), "{text}");
        assert!(text.contains(
            "  [FAIL] ∂loss/∂W_h by autodiff against central finite differences\n         not implemented yet (h)\n"
        ));
        assert!(text.contains("lstm-step: The LSTM step"), "{text}");
        assert!(
            text.contains("— 0.00, not checked: lstm-step: scored 0, its region calls the fused kernel\n"),
            "{text}"
        );
        let unchecked = feedback_text("bob", &SubmissionGrade::unchecked("the patch does not apply".into()));
        assert_eq!(unchecked.matches("not checked: the patch does not apply").count(), EXERCISES.len());
        assert!(
            unchecked.contains("written answers: none handed in (`answers.md` at the kit's root)\n"),
            "{unchecked}"
        );
    }

    #[test]
    fn resuming_keeps_the_rows_of_a_sheet_for_these_exercises_only() {
        let dir = std::env::temp_dir().join(format!("s2s-grade-resume-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header = "submission,a,b,total,note\n";
        let sheet = dir.join("grades.csv");
        std::fs::write(&sheet, format!("{header}ada,1.00,0.00,1.00,")).unwrap();
        assert_eq!(earlier_rows(&sheet, header).unwrap(), format!("{header}ada,1.00,0.00,1.00,\n"));
        let error = earlier_rows(&sheet, "submission,a,b,c,total,note\n").unwrap_err().to_string();
        assert!(error.contains("grades.csv: its first line is not this grader's header"), "{error}");
        assert_eq!(feedback_dir(&sheet), dir.join("grades-feedback"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_row_holds_each_score_the_total_and_a_quoted_note() {
        assert_eq!(grade_row("ann", &[1.0, 0.5, 0.0], ""), "ann,1.00,0.50,0.00,1.50,\n");
        assert_eq!(grade_row("b, c", &[0.25], "x: scored 0, a; y"), "\"b, c\",0.25,0.25,\"x: scored 0, a; y\"\n");
    }
}
