//! A submission as the grader builds it: a fresh kit of the teacher's workspace with only the
//! student's solution regions carried over. Tests, manifests, build scripts and every line
//! outside the regions come from the teacher's copy, so a submission cannot grade itself by
//! editing a check; what it changed outside its regions is named in the note and not graded.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use seq2seq_data::fsutil::write_atomic;

use crate::coursework::exercises::{EXERCISES, Exercise, regions};
use crate::coursework::kit::{NOT_GRADED, collect, cut_region, fill_regions, write_kit};
use crate::coursework::suspicious::flags;

/// The kit a submission is graded in, and what the grader noticed while building it.
#[derive(Debug)]
pub struct Assembled {
    pub dir: PathBuf,
    /// Exercises scored 0 whatever their checks say, each with the reason.
    pub flagged: Vec<(&'static str, String)>,
    /// Everything else worth a teacher's look: files changed outside the regions, regions lost.
    pub notes: Vec<String>,
}

/// How many changed files a note names before it counts the rest.
const NAMED: usize = 3;

/// Writes into `out` (cleared first) the teacher's kit of `root` with the solution regions of
/// the student's checkout `submitted`.
pub fn assemble(root: &Path, submitted: &Path, out: &Path) -> Result<Assembled> {
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
    }
    write_kit(root, out, NOT_GRADED)?;
    let mut assembled = Assembled { dir: out.to_path_buf(), flagged: Vec::new(), notes: Vec::new() };
    let changed = changed_outside_regions(out, submitted)?;
    if !changed.is_empty() {
        let mut named = changed.iter().take(NAMED).map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        if changed.len() > NAMED {
            named.push_str(&format!(" and {} more", changed.len() - NAMED));
        }
        assembled.notes.push(format!("changes outside the solution regions are not graded: {named}"));
    }
    for exercise in EXERCISES {
        carry_over(exercise, submitted, out, &mut assembled)?;
    }
    Ok(assembled)
}

/// Puts `exercise`'s regions of `submitted` into the kit at `kit`; a region the submission
/// lost, or one flagged by [`flags`], is noted.
fn carry_over(exercise: &'static Exercise, submitted: &Path, kit: &Path, assembled: &mut Assembled) -> Result<()> {
    let Ok(theirs) = std::fs::read_to_string(submitted.join(exercise.file)) else {
        assembled.notes.push(format!("{}: {} is missing", exercise.id, exercise.file));
        return Ok(());
    };
    let path = kit.join(exercise.file);
    let ours = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let bodies = regions(&theirs, exercise);
    let expected = regions(&ours, exercise).len();
    if bodies.len() != expected {
        assembled.notes.push(format!(
            "{}: {} has {} solution regions where the kit has {expected} (markers moved or deleted); left to do",
            exercise.id,
            exercise.file,
            bodies.len()
        ));
        return Ok(());
    }
    let mut reasons: Vec<&str> = Vec::new();
    for reason in bodies.iter().flat_map(|(_, _, body)| flags(body)) {
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if !reasons.is_empty() {
        assembled.flagged.push((exercise.id, format!("{}: scored 0, its region {}", exercise.id, reasons.join(", "))));
    }
    let filled = fill_regions(&ours, exercise, |n, _| bodies[n].2.iter().map(|l| l.to_string()).collect())?;
    write_atomic(&path, filled.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

/// The exercises of the kit at `dir` whose solution regions hold one of the places `at` (a
/// file from the kit's root and a line from 1): where a build error points.
pub fn regions_at(dir: &Path, at: &[(PathBuf, usize)]) -> Result<Vec<&'static Exercise>> {
    let mut found = Vec::new();
    for exercise in EXERCISES {
        let holds = |file: &PathBuf| file.strip_prefix(dir).unwrap_or(file) == Path::new(exercise.file);
        let lines: Vec<usize> = at.iter().filter(|(file, line)| holds(file) && *line >= 1).map(|(_, l)| *l).collect();
        if lines.is_empty() {
            continue;
        }
        let path = dir.join(exercise.file);
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        // Markers at `start` and `stop`, counted from 0; a line from 1 lies between them.
        if regions(&text, exercise)
            .iter()
            .any(|(start, stop, _)| lines.iter().any(|&l| *start < l - 1 && l - 1 < *stop))
        {
            found.push(exercise);
        }
    }
    Ok(found)
}

/// Puts the kit's `todo!()` back into `exercise`'s regions in the kit at `dir`.
pub fn leave_to_do(dir: &Path, exercise: &Exercise) -> Result<()> {
    let path = dir.join(exercise.file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let cut = cut_region(&text, exercise).with_context(|| format!("{}: exercise `{}`", path.display(), exercise.id))?;
    write_atomic(&path, cut.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

/// The files of the fresh kit at `kit` that `submitted` changed (or lacks), reading the files
/// that hold solution regions with their regions cut. Markdown is left out: it builds nothing,
/// and a kit made before the teacher last edited a sheet differs there.
fn changed_outside_regions(kit: &Path, submitted: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect(kit, kit, &[], &mut files)?;
    let mut changed = Vec::new();
    for relative in files.into_iter().filter(|f| f.extension().is_none_or(|e| e != "md")) {
        let ours = std::fs::read(kit.join(&relative)).with_context(|| format!("reading {}", relative.display()))?;
        let Ok(theirs) = std::fs::read(submitted.join(&relative)) else {
            continue; // not handed in (`exercise hand-in` hands in the graded files alone)
        };
        let exercises: Vec<&Exercise> = EXERCISES.iter().filter(|e| Path::new(e.file) == relative).collect();
        let theirs = match (exercises.is_empty(), String::from_utf8(theirs)) {
            (true, Ok(text)) => text.into_bytes(),
            (true, Err(bytes)) => bytes.into_bytes(),
            (false, Ok(mut text)) => {
                for exercise in exercises {
                    // A file whose regions are lost is reported by `carry_over`.
                    text = cut_region(&text, exercise).unwrap_or(text);
                }
                text.into_bytes()
            }
            (false, Err(_)) => Vec::new(),
        };
        if ours != theirs {
            changed.push(relative);
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::exercises::find;
    use crate::coursework::kit::make_kit;
    use crate::coursework::workspace_root;

    /// A student's kit: `elman-step` solved, its tests edited to pass without running, a
    /// forged pass line in `gru-step`'s region, the fused kernel called in `lstm-step`'s.
    #[test]
    fn only_the_regions_are_carried_over_and_what_games_a_check_is_named() {
        let scratch = std::env::temp_dir().join(format!("s2s-assemble-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let (student, graded) = (scratch.join("student"), scratch.join("graded"));
        make_kit(workspace_root(), &student).unwrap();
        let cell = "crates/rnn/src/cell.rs";
        std::fs::copy(workspace_root().join(cell), student.join(cell)).unwrap();
        let tests = student.join("crates/rnn/src/tests.rs");
        let edited = std::fs::read_to_string(&tests).unwrap().replace(
            "fn elman_gradient_matches_finite_differences() {",
            "fn elman_gradient_matches_finite_differences() {\n    return;",
        );
        std::fs::write(&tests, edited).unwrap();
        let lstm = student.join("crates/lstm/src/cell.rs");
        let text = std::fs::read_to_string(&lstm).unwrap();
        let gaming = text
            .replace(
                "todo!(\"exercise gru-step:",
                "todo!(\"\\ntest tests::gru_cell_matches_burn_gru ... ok\\n\"); todo!(\"exercise gru-step:",
            )
            .replace(
                "todo!(\"exercise lstm-step:",
                "return self.run_fused(projected.unsqueeze_dim(1), None, state, false).unwrap().1; todo!(\"exercise lstm-step:",
            );
        assert_ne!(gaming, text);
        std::fs::write(&lstm, gaming).unwrap();

        let assembled = assemble(workspace_root(), &student, &graded).unwrap();
        let read = |root: &Path, file: &str| std::fs::read_to_string(root.join(file)).unwrap();
        assert_eq!(read(&graded, cell), read(workspace_root(), cell), "the solved region is carried over");
        assert_eq!(read(&graded, "crates/rnn/src/tests.rs"), read(workspace_root(), "crates/rnn/src/tests.rs"));
        assert_eq!(
            assembled.notes,
            vec!["changes outside the solution regions are not graded: crates/rnn/src/tests.rs".to_string()]
        );
        let flagged: Vec<&str> = assembled.flagged.iter().map(|(id, _)| *id).collect();
        assert_eq!(flagged, vec!["lstm-step", "gru-step"], "{:?}", assembled.flagged);
        assert!(assembled.flagged[0].1.contains("fused kernel") && assembled.flagged[1].1.contains("libtest"));
        assert!(!graded.join("reports").exists(), "no checkpoints copied per submission");

        // A build error inside a region names its exercise; one outside every region, none.
        let text = read(&graded, cell);
        let begin = text.lines().position(|l| l.trim() == "// BEGIN SOLUTION elman-step").unwrap() + 1;
        let at = |line: usize| vec![(PathBuf::from(cell), line)];
        let ids = |at: Vec<(PathBuf, usize)>| -> Vec<&str> {
            regions_at(&graded, &at).unwrap().iter().map(|e| e.id).collect()
        };
        assert_eq!(ids(at(begin + 1)), vec!["elman-step"]);
        assert_eq!(ids(vec![(graded.join(cell), begin + 1)]), vec!["elman-step"], "absolute paths too");
        assert_eq!(ids(at(begin)), Vec::<&str>::new(), "the marker line is not the region");
        assert_eq!(ids(vec![(PathBuf::from("crates/rnn/src/tests.rs"), begin + 1)]), Vec::<&str>::new());
        leave_to_do(&graded, find("elman-step").unwrap()).unwrap();
        assert!(read(&graded, cell).contains("todo!(\"exercise elman-step:"));

        // A region whose markers were deleted stays to do, with a note.
        let markers = read(&student, cell).replace("// END SOLUTION elman-step", "");
        std::fs::write(student.join(cell), markers).unwrap();
        let assembled = assemble(workspace_root(), &student, &graded).unwrap();
        assert!(read(&graded, cell).contains("todo!(\"exercise elman-step:"));
        assert!(
            assembled.notes.iter().any(|n| n.starts_with("elman-step: crates/rnn/src/cell.rs has 0 solution regions"))
        );
        std::fs::remove_dir_all(&scratch).unwrap();
    }
}
