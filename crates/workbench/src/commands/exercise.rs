//! `workbench exercise …`: the coursework's commands, over the catalogue, the kit and the checks
//! of `coursework/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Subcommand;

use crate::coursework::checks::{CheckOutcome, Checkout, print_outcomes};
use crate::coursework::class::make_class;
use crate::coursework::exercises::{EXERCISES, Exercise, find};
use crate::coursework::grade::{feedback_dir, grade};
use crate::coursework::handin::hand_in;
use crate::coursework::kit::make_kit;
use crate::coursework::progress::{bar, next, progress, record, sheet_hint};
use crate::coursework::watch::{Student, wait_for_change, watch};

#[derive(Subcommand)]
pub enum ExerciseCommand {
    /// The exercises, their sheets and files, and where each stands in this checkout: to do,
    /// unchecked (written or edited since its last check), passing or failing.
    List {
        /// The workspace (or kit) [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// The next exercise to work on: the first, in the evolution's order, not passing every check.
    Next {
        /// The workspace (or kit) [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Check an exercise each time its file is saved, until Ctrl-C; without an id, the next
    /// unfinished exercise, going on to the next one as each passes.
    Watch {
        /// Exercise id [default: the next unfinished one, then the next].
        id: Option<String>,
        /// The workspace (or kit) [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// An exercise's hint: the kit's one-liner; with --more, the sheet's longer hint too.
    Hint {
        /// Exercise id (see `workbench exercise list`).
        id: String,
        /// The sheet's longer hint as well.
        #[arg(long)]
        more: bool,
        /// The workspace (or kit) [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write a student kit: the workspace with every solution replaced by a `todo!()` and a hint,
    /// without exercises/answers/.
    Kit {
        /// Where the kit goes (a new or empty folder).
        #[arg(long)]
        out: PathBuf,
        /// The full workspace [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Copy what is graded into a new folder to hand in: the files holding solution regions,
    /// answers.md and the manifest (zip it, or hand in the folder; the grader takes it as a kit).
    HandIn {
        /// Where the hand-in goes (a new or empty folder), e.g. ../hand-in-ada.
        #[arg(long)]
        out: PathBuf,
        /// The kit [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write a made-up class to try the grader on (and to time it): hand-ins that are solved,
    /// partly solved, broken (a region that does not compile) and gaming (a forged pass line) in
    /// turn, their regions the workspace's solutions.
    Class {
        /// Where the hand-ins go (a new or empty folder).
        #[arg(long)]
        out: PathBuf,
        /// Students in the class.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
        size: u32,
        /// The full workspace [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Run an exercise's checks (or every exercise's) and print a score; the checks compare
    /// with independent references and never show the solution.
    Check {
        /// Exercise id (see `workbench exercise list`).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Check every exercise.
        #[arg(long)]
        all: bool,
        /// The workspace or kit to check [default: the current directory].
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Grade a folder of submissions (kit folders, or patches against the kit) into a CSV: one
    /// row per submission, written as it is graded, and a feedback file per student beside it
    /// (`grades.csv` → `grades-feedback/NAME.txt`: each check, its message). Only a submission's solution regions are
    /// graded, in a fresh kit of --root; changes elsewhere are named in the note, and a region
    /// that calls its check's reference or reaches outside the test scores 0 with the reason.
    Grade {
        /// The folder holding one kit folder, or one `.patch` / `.diff` file (`git diff` at the
        /// kit's root), per submission.
        submissions: PathBuf,
        /// The full workspace, from which a fresh kit is made for each submission.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The grade sheet (CSV).
        #[arg(long)]
        out: PathBuf,
        /// Build directory shared by all submissions (the dependencies compile once, the first
        /// time); never a workspace's own `target/`, whose crates the submissions' would replace.
        #[arg(long, default_value = "target/grading")]
        target_dir: PathBuf,
        /// Keep the rows already in --out and grade only the submissions not in it (after an
        /// interrupted run, or when late submissions arrive).
        #[arg(long)]
        resume: bool,
    },
}

pub fn run(action: ExerciseCommand) -> Result<()> {
    match action {
        ExerciseCommand::List { root } => {
            println!("{:<20} {:<14} {:<38} {}", "exercise", "status", "sheet", "code to write");
            let mut done = 0;
            for exercise in EXERCISES {
                let state = progress(&root, exercise)?;
                done += usize::from(state.done());
                println!("{:<20} {:<14} {:<38} {}", exercise.id, state.label(), exercise.sheet, exercise.file);
            }
            println!("\n{}", bar(done, EXERCISES.len(), 34));
            Ok(())
        }
        ExerciseCommand::Next { root } => {
            match next(&root)? {
                Some(exercise) => {
                    println!("next: {} — {} ({})", exercise.id, exercise.title, progress(&root, exercise)?.label());
                    println!("  sheet: {}\n  code:  {}", exercise.sheet, exercise.file);
                    println!("  check: workbench exercise check {0}   hint: workbench exercise hint {0}", exercise.id);
                }
                None => println!("every exercise passes its checks: on to the sheets' experiment questions"),
            }
            Ok(())
        }
        ExerciseCommand::Watch { id, root } => {
            let exercise = id.map(|id| find(&id)).transpose()?;
            watch(&root, exercise, &mut Terminal { root: &root })
        }
        ExerciseCommand::Hint { id, more, root } => {
            let exercise = find(&id)?;
            println!("{}: {}", exercise.id, exercise.hint);
            if more {
                match sheet_hint(&root, exercise)? {
                    Some(hint) => println!("\n{hint}\n\n(from {})", exercise.sheet),
                    None => println!("\n{} has no longer hint", exercise.sheet),
                }
            } else {
                println!("(a longer one: workbench exercise hint {} --more)", exercise.id);
            }
            Ok(())
        }
        ExerciseCommand::Kit { out, root } => {
            let cut = make_kit(&root, &out)?;
            println!(
                "kit written to {} ({cut} solution regions cut); build it with `cargo check` there",
                out.display()
            );
            Ok(())
        }
        ExerciseCommand::HandIn { out, root } => {
            let files = hand_in(&root, &out)?;
            println!(
                "{} files copied to {}: the solution regions' files, your answers and the manifest; hand in \
                 that folder (or an archive of it)",
                files.len(),
                out.display()
            );
            Ok(())
        }
        ExerciseCommand::Class { out, size, root } => {
            let class = make_class(&root, &out, size as usize)?;
            for (name, _) in &class {
                println!("{name}");
            }
            println!(
                "{} hand-ins written to {}; grade them with: workbench exercise grade {} --out grades.csv",
                class.len(),
                out.display(),
                out.display()
            );
            Ok(())
        }
        ExerciseCommand::Check { id, all, root } => {
            let exercises =
                if all { EXERCISES.iter().collect() } else { vec![find(id.as_deref().unwrap_or_default())?] };
            let checkout = Checkout { root: &root, target_dir: None };
            let (mut failed, mut total) = (0, 0);
            for (exercise, outcomes) in checkout.check_all(&exercises)? {
                print_outcomes(exercise, &outcomes);
                record(&root, exercise, &outcomes)?;
                failed += outcomes.iter().filter(|o| !o.passed).count();
                total += outcomes.len();
            }
            if failed > 0 {
                bail!("{failed} of {total} checks failed");
            }
            Ok(())
        }
        ExerciseCommand::Grade { submissions, root, out, target_dir, resume } => {
            let target_dir = std::path::absolute(&target_dir)?;
            let done = grade(&root, &submissions, &out, &target_dir, resume)?;
            println!(
                "{} submissions graded ({} kept from before) into {}; feedback per student in {}",
                done.graded,
                done.kept,
                out.display(),
                feedback_dir(&out).display()
            );
            Ok(())
        }
    }
}

/// `exercise watch` at a terminal: the checks built and run in the checkout, the file polled
/// twice a second, until Ctrl-C.
struct Terminal<'a> {
    root: &'a Path,
}

impl Student for Terminal<'_> {
    fn check(&mut self, exercise: &Exercise) -> Result<Vec<CheckOutcome>> {
        let checkout = Checkout { root: self.root, target_dir: None };
        let mut checked = checkout.check_all(&[exercise])?;
        // Ctrl-C during a build stops cargo too: what it left is no outcome to record.
        if crate::interrupt::requested() {
            bail!("interrupted");
        }
        Ok(checked.pop().map(|(_, outcomes)| outcomes).unwrap_or_default())
    }

    fn wait(&mut self, path: &Path) -> Result<bool> {
        wait_for_change(path, Duration::from_millis(500), crate::interrupt::requested)
    }

    fn say(&mut self, text: &str) {
        println!("{}", text.trim_end());
    }
}
