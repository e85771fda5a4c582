//! `workbench exercise class`: a made-up class to try the grader on and to time it — hand-ins
//! that are solved, partly solved, broken (a region that does not compile) and gaming (a forged
//! pass line) in turn, each holding what `exercise hand-in` hands in, its regions taken from the
//! teacher's solutions.

use std::path::Path;

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;

use crate::coursework::exercises::{EXERCISES, Exercise, regions};
use crate::coursework::handin::handed_in_files;
use crate::coursework::kit::{NOT_GRADED, fill_regions, require_empty, write_kit};

/// What a made-up student handed in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// Every exercise solved (the teacher's solutions, each region under a comment naming the
    /// student, so that no two hand-ins are the same text).
    Solved,
    /// The first exercises solved, the rest left to do (how many varies by student).
    Partial,
    /// Every exercise solved, one region with a name that does not exist.
    Broken,
    /// Every exercise solved but one, whose region forges libtest's pass line instead.
    Gaming,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Solved => "solved",
            Kind::Partial => "partial",
            Kind::Broken => "broken",
            Kind::Gaming => "gaming",
        }
    }
}

/// The kinds in turn, student by student.
const KINDS: [Kind; 4] = [Kind::Solved, Kind::Partial, Kind::Broken, Kind::Gaming];

/// Exercises a partial student number `k` solved: the first 3, 7, 11 or 15.
fn solved_by_partial(k: usize) -> usize {
    3 + 4 * ((k / KINDS.len()) % 4)
}

/// The exercise a broken or gaming student number `k` breaks or games.
fn target(k: usize) -> &'static Exercise {
    &EXERCISES[(5 * k + 1) % EXERCISES.len()]
}

/// Writes `size` hand-ins into `out` (a new or empty folder), `student-01-solved`,
/// `student-02-partial`, …; returns each one's name and kind.
pub fn make_class(root: &Path, out: &Path, size: usize) -> Result<Vec<(String, Kind)>> {
    if size == 0 {
        bail!("--size: expected at least 1 student");
    }
    require_empty(out)?;
    let kit = out.with_extension("kit");
    if kit.exists() {
        std::fs::remove_dir_all(&kit).with_context(|| format!("clearing {}", kit.display()))?;
    }
    write_kit(root, &kit, NOT_GRADED)?;
    let mut class = Vec::new();
    for k in 0..size {
        let kind = KINDS[k % KINDS.len()];
        let name = format!("student-{:02}-{}", k + 1, kind.name());
        let dir = out.join(&name);
        for file in handed_in_files() {
            let text = std::fs::read_to_string(kit.join(file)).with_context(|| format!("reading the kit's {file}"))?;
            let text = hand_in_text(root, file, text, kind, k)?;
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("a file in a folder"))
                .with_context(|| format!("creating the folder of {}", path.display()))?;
            write_atomic(&path, text.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
        }
        class.push((name, kind));
    }
    std::fs::remove_dir_all(&kit).with_context(|| format!("removing {}", kit.display()))?;
    Ok(class)
}

/// The kit's `file` (its `text`) as student `k` of `kind` hands it in.
fn hand_in_text(root: &Path, file: &str, mut text: String, kind: Kind, k: usize) -> Result<String> {
    if !EXERCISES.iter().any(|e| e.file == file) {
        return Ok(text);
    }
    let path = root.join(file);
    let teachers = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    for (n, exercise) in EXERCISES.iter().enumerate().filter(|(_, e)| e.file == file) {
        let solved = match kind {
            Kind::Solved | Kind::Broken => true,
            Kind::Partial => n < solved_by_partial(k),
            Kind::Gaming => target(k).id != exercise.id,
        };
        let broken = kind == Kind::Broken && target(k).id == exercise.id;
        let forged = kind == Kind::Gaming && target(k).id == exercise.id;
        if !(solved || forged) {
            continue;
        }
        let bodies = regions(&teachers, exercise);
        text = fill_regions(&text, exercise, |region, indent| {
            let mut lines: Vec<String> = if forged {
                vec![format!("{indent}todo!(\"\\ntest tests::{} ... ok\\n\")", exercise.id.replace('-', "_"))]
            } else {
                // Each student's code is their own, as in a real class: no two hand-ins share a
                // region's text, so the grader cannot reuse one student's build for the next.
                let own = format!("{indent}// student {:02}'s own code", k + 1);
                let body = bodies.get(region).into_iter().flat_map(|b| b.2.iter().map(|l| l.to_string()));
                std::iter::once(own).chain(body).collect()
            };
            if broken && region == 0 {
                lines.insert(0, format!("{indent}let _ = no_such_name;"));
            }
            lines
        })
        .with_context(|| format!("{file}: exercise `{}`", exercise.id))?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coursework::exercises::find;
    use crate::coursework::suspicious::flags;
    use crate::coursework::workspace_root;

    /// The text of `exercise`'s first region in student `name`'s hand-in.
    fn region(out: &Path, name: &str, id: &str) -> String {
        let exercise = find(id).unwrap();
        let text = std::fs::read_to_string(out.join(name).join(exercise.file)).unwrap();
        regions(&text, exercise)[0].2.join("\n")
    }

    #[test]
    fn a_class_takes_each_kind_in_turn_from_the_teachers_solutions() {
        let out = std::env::temp_dir().join(format!("s2s-class-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let class = make_class(workspace_root(), &out, 5).unwrap();
        let kinds: Vec<Kind> = class.iter().map(|(_, kind)| *kind).collect();
        assert_eq!(kinds, [Kind::Solved, Kind::Partial, Kind::Broken, Kind::Gaming, Kind::Solved]);
        assert_eq!(class[1].0, "student-02-partial");
        let todo = |text: String| text.contains("todo!(\"exercise ");
        let teachers = |id: &str| {
            let exercise = find(id).unwrap();
            let text = std::fs::read_to_string(workspace_root().join(exercise.file)).unwrap();
            regions(&text, exercise)[0].2.join("\n")
        };
        for exercise in EXERCISES {
            let (first, fifth) =
                (region(&out, "student-01-solved", exercise.id), region(&out, "student-05-solved", exercise.id));
            let (own, code) = first.split_once('\n').unwrap();
            assert_eq!(
                (own.trim(), code),
                ("// student 01's own code", teachers(exercise.id).as_str()),
                "{}",
                exercise.id
            );
            assert_ne!(first, fifth, "{}: two students, two texts", exercise.id);
        }
        // The partial student solved the first three exercises.
        let partial: Vec<bool> = EXERCISES.iter().map(|e| !todo(region(&out, "student-02-partial", e.id))).collect();
        assert_eq!(partial.iter().filter(|s| **s).count(), 3);
        assert!(partial[..3].iter().all(|s| *s));
        let broken = region(&out, "student-03-broken", target(2).id);
        assert!(broken.contains("no_such_name") && broken.contains(&teachers(target(2).id)), "{broken}");
        let gamed = region(&out, "student-04-gaming", target(3).id);
        assert!(!flags(&gamed.lines().collect::<Vec<_>>()).is_empty(), "the forged line is flagged: {gamed}");
        assert!(out.join("student-04-gaming/answers.md").exists() && !out.with_extension("kit").exists());
        assert!(make_class(workspace_root(), &out, 1).unwrap_err().to_string().contains("not empty"));
        std::fs::remove_dir_all(&out).unwrap();
    }
}
