//! `workbench exercise grade`: a class's submissions into one CSV. Each submission (a kit folder,
//! or a patch against a fresh kit) is rebuilt from its solution regions alone
//! ([`assemble`]), checked, and its row written as soon as it is graded, so an interrupted run
//! keeps every row it finished.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_report::plots::csv_field;

use crate::coursework::checks::{Checkout, score};
use crate::coursework::exercises::EXERCISES;
use crate::coursework::kit::{NOT_GRADED, write_kit};
use crate::coursework::submission::{assemble, leave_to_do, regions_at};

/// Grades every submission in `submissions` into the CSV `out`: one row per submission, one
/// column per exercise (its score, 0 to 1), the total, and a note (the compiler's first error,
/// changes that were not graded, flagged regions). A region that does not compile scores 0 and
/// leaves the others graded; an error outside every region zeroes the row. `target_dir` is shared by all of them; keep
/// it apart from a workspace's own `target/` (see [`Checkout::target_dir`]). Returns how many
/// submissions it graded.
pub fn grade(root: &Path, submissions: &Path, out: &Path, target_dir: &Path) -> Result<usize> {
    let entries = submissions_in(submissions)?;
    let mut csv = String::from("submission");
    for exercise in EXERCISES {
        csv.push(',');
        csv.push_str(exercise.id);
    }
    csv.push_str(",total,note\n");
    write_atomic(out, csv.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
    for entry in &entries {
        let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        eprintln!("grading {name}");
        let (scores, note) = grade_one(root, entry, &name, target_dir)?;
        csv.push_str(&grade_row(&name, &scores, &note));
        write_atomic(out, csv.as_bytes()).with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(entries.len())
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

/// One submission's scores, one per exercise, and its note.
fn grade_one(root: &Path, entry: &Path, name: &str, target_dir: &Path) -> Result<(Vec<f64>, String)> {
    let kits = kits_dir(target_dir);
    let submitted = if is_patch(entry) {
        match patched_kit(root, entry, &kits.join("patched"))? {
            Ok(folder) => folder,
            Err(error) => return Ok((vec![0.0; EXERCISES.len()], error)),
        }
    } else {
        entry.to_path_buf()
    };
    let mut assembled = assemble(root, &submitted, &kits.join("graded").join(name))?;
    let checkout = Checkout { root: &assembled.dir, target_dir: Some(target_dir) };
    let (mut scores, mut notes) = (Vec::new(), Vec::new());
    // A region that does not compile costs its own exercise: it is put back to `todo!()` and the
    // kit built again, until it builds or an error lies outside every region.
    let binaries = loop {
        match checkout.build()? {
            Ok(binaries) => break Some(binaries),
            Err(failure) => {
                let culprits = regions_at(&assembled.dir, &failure.at)?;
                let first_line = failure.first_error.lines().next().unwrap_or_default().to_string();
                if culprits.is_empty() {
                    notes.push(first_line);
                    break None;
                }
                for exercise in culprits {
                    leave_to_do(&assembled.dir, exercise)?;
                    assembled.flagged.push((exercise.id, format!("{}: does not compile ({first_line})", exercise.id)));
                }
            }
        }
    };
    for exercise in EXERCISES {
        let flagged = assembled.flagged.iter().any(|(id, _)| *id == exercise.id);
        scores.push(match &binaries {
            Some(binaries) if !flagged => score(&checkout.check(exercise, binaries)?),
            _ => 0.0,
        });
    }
    notes.extend(assembled.flagged.into_iter().map(|(_, why)| why));
    notes.extend(assembled.notes);
    Ok((scores, notes.join("; ")))
}

/// Where the kits being graded are written: beside the build directory `target_dir`, never in
/// it — cargo records the sources of a build under its target directory by their path there,
/// so the next submission's copy would be read as the last one's and not rebuilt.
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
    fn a_row_holds_each_score_the_total_and_a_quoted_note() {
        assert_eq!(grade_row("ann", &[1.0, 0.5, 0.0], ""), "ann,1.00,0.50,0.00,1.50,\n");
        assert_eq!(grade_row("b, c", &[0.25], "x: scored 0, a; y"), "\"b, c\",0.25,0.25,\"x: scored 0, a; y\"\n");
    }
}
