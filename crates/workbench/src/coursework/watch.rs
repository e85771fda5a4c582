//! `exercise watch`: the student's loop, as rustlings has it — check the exercise, wait for its
//! file to change, check again; once every check passes, go on to the next exercise (the one
//! `exercise next` names). It polls the file's text, so it needs no file-system events and
//! works the same on every platform and editor (one that saves by replacing the file included).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::coursework::checks::{CheckOutcome, outcomes_text};
use crate::coursework::exercises::Exercise;
use crate::coursework::progress::{Progress, next, progress, record};

/// What the loop does between its decisions: the checks, the wait, and what it tells the student.
pub trait Student {
    /// Runs `exercise`'s checks.
    fn check(&mut self, exercise: &Exercise) -> Result<Vec<CheckOutcome>>;
    /// Waits until the file at `path` changes (`true`) or the student stops (`false`).
    fn wait(&mut self, path: &Path) -> Result<bool>;
    fn say(&mut self, text: &str);
}

/// Watches `exercise`, or without one the next unfinished exercise and then the next, until
/// the student stops (or, following `next`, every exercise passes).
pub fn watch(root: &Path, exercise: Option<&'static Exercise>, student: &mut impl Student) -> Result<()> {
    loop {
        let current = match exercise {
            Some(exercise) => exercise,
            None => match next(root)? {
                Some(exercise) => exercise,
                None => {
                    student.say("every exercise passes its checks: on to the sheets' experiment questions");
                    return Ok(());
                }
            },
        };
        let file = root.join(current.file);
        if progress(root, current)? == Progress::ToDo {
            student.say(&format!(
                "{}: {} — still the kit's todo!(): write it in {} (sheet: {}); checking when the file changes",
                current.id, current.title, current.file, current.sheet
            ));
        } else {
            let outcomes = student.check(current)?;
            record(root, current, &outcomes)?;
            student.say(&outcomes_text(current, &outcomes));
            let passing = outcomes.iter().all(|o| o.passed);
            if passing && exercise.is_none() {
                student.say(&format!("{} passes: on to the next exercise", current.id));
                continue;
            }
            student.say(&if passing {
                format!("{} passes; watching {} for further edits (Ctrl-C to stop)", current.id, current.file)
            } else {
                format!("watching {} (Ctrl-C to stop; a hint: workbench exercise hint {})", current.file, current.id)
            });
        }
        if !student.wait(&file)? {
            return Ok(());
        }
    }
}

/// Polls `path` every `poll` until its bytes differ from what they were when called (`true`), or
/// `stop` says so (`false`). A file missing for a moment (an editor replacing it) is unchanged.
pub fn wait_for_change(path: &Path, poll: Duration, stop: impl Fn() -> bool) -> Result<bool> {
    let before = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    loop {
        if stop() {
            return Ok(false);
        }
        std::thread::sleep(poll);
        if std::fs::read(path).is_ok_and(|now| now != before) {
            // Let the editor finish writing before the check reads it.
            std::thread::sleep(poll);
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    use super::*;
    use crate::coursework::exercises::find;
    use crate::coursework::progress::tests::{checkout, outcomes};

    /// A student whose checks come out as scripted and who stops after `waits` waits.
    struct Scripted {
        results: Vec<(&'static str, Vec<CheckOutcome>)>,
        checked: Vec<&'static str>,
        waited: Vec<PathBuf>,
        waits: usize,
        said: String,
    }

    impl Student for Scripted {
        fn check(&mut self, exercise: &Exercise) -> Result<Vec<CheckOutcome>> {
            self.checked.push(exercise.id);
            let (id, result) = self.results.remove(0);
            assert_eq!(id, exercise.id, "checked out of the script's order");
            Ok(result)
        }
        fn wait(&mut self, path: &Path) -> Result<bool> {
            self.waited.push(path.to_path_buf());
            Ok(self.waited.len() < self.waits)
        }
        fn say(&mut self, text: &str) {
            self.said.push_str(text);
            self.said.push('\n');
        }
    }

    #[test]
    fn watching_checks_after_each_change_and_moves_on_once_an_exercise_passes() {
        let dir = std::env::temp_dir().join(format!("s2s-watch-{}", std::process::id()));
        checkout(&dir, &["ann-windows", "elman-step"]);
        let (ann, elman, lstm) =
            (find("ann-windows").unwrap(), find("elman-step").unwrap(), find("lstm-step").unwrap());
        let mut student = Scripted {
            results: vec![
                ("ann-windows", outcomes(1, 2)),
                ("ann-windows", outcomes(3, 0)),
                ("elman-step", outcomes(2, 0)),
            ],
            checked: vec![],
            waited: vec![],
            waits: 2,
            said: String::new(),
        };
        watch(&dir, None, &mut student).unwrap();
        // A failure waits on its file; a pass goes on; a to-do exercise is waited on unchecked.
        assert_eq!(student.checked, ["ann-windows", "ann-windows", "elman-step"]);
        assert_eq!(student.waited, [dir.join(ann.file), dir.join(lstm.file)]);
        assert!(student.said.contains("1/3 checks passed") && student.said.contains("lstm-step"), "{}", student.said);
        assert_eq!(progress(&dir, elman).unwrap().label(), "passing 2/2", "each check is recorded");

        // One exercise named: it stays on it, passing or not.
        let mut student = Scripted {
            results: vec![("elman-step", outcomes(2, 0)), ("elman-step", outcomes(1, 1))],
            checked: vec![],
            waited: vec![],
            waits: 2,
            said: String::new(),
        };
        watch(&dir, Some(elman), &mut student).unwrap();
        assert_eq!(student.checked, ["elman-step", "elman-step"]);
        assert_eq!(student.waited, [dir.join(elman.file), dir.join(elman.file)]);
        assert_eq!(progress(&dir, elman).unwrap().label(), "failing 1/2");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_wait_ends_when_the_file_changes_or_the_student_stops() {
        let dir = std::env::temp_dir().join(format!("s2s-watch-wait-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cell.rs");
        std::fs::write(&path, "todo!()").unwrap();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(150));
                std::fs::write(&path, "let h = 1;").unwrap();
            })
        };
        let start = Instant::now();
        assert!(wait_for_change(&path, Duration::from_millis(20), || false).unwrap());
        assert!(start.elapsed() >= Duration::from_millis(150), "it returned before the file changed");
        writer.join().unwrap();

        let stop = Arc::new(AtomicBool::new(false));
        let stopper = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                stop.store(true, Ordering::SeqCst);
            })
        };
        assert!(!wait_for_change(&path, Duration::from_millis(20), || stop.load(Ordering::SeqCst)).unwrap());
        stopper.join().unwrap();
        let err = wait_for_change(&dir.join("missing.rs"), Duration::from_millis(20), || true).unwrap_err();
        assert!(err.to_string().contains("missing.rs"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
