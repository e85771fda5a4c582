//! Coursework end to end, both directions: in the full workspace every exercise's checks pass;
//! a generated kit builds, lists every exercise as to do, fails each check cleanly (a message,
//! never the solution, never a crash of the grader), and grades into a CSV — a broken submission
//! as a row of zeros with the compiler's first error, a gaming one as zeros with notes that say
//! why. The kit builds in a target directory of its
//! own (a kit's crates would replace the workspace's artifacts of the same names), seeded with a
//! copy of this build's dependencies so that only the kit's own crates compile.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::text;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target"))
}

/// `workbench` run in `dir`, its nested cargo building into `target`.
fn workbench_in(dir: &Path, target: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_workbench"))
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("workbench runs")
}

/// A target directory for kits, holding a copy (times kept) of this build's dependencies.
fn kit_target() -> PathBuf {
    let (from, to) = (target_dir().join("debug"), target_dir().join("coursework-kits"));
    let _ = std::fs::remove_dir_all(&to);
    let _ = std::fs::remove_dir_all(target_dir().join("coursework-kits-kits"));
    std::fs::create_dir_all(to.join("debug")).unwrap();
    for folder in ["deps", "build", ".fingerprint"] {
        let copied = Command::new("cp").arg("-a").arg(from.join(folder)).arg(to.join("debug")).status().unwrap();
        assert!(copied.success(), "copying {folder} of {}", from.display());
    }
    to
}

/// `exercise watch elman-step` in `kit`: it waits on the kit's todo!(), checks once the file is
/// saved with the solution (from `solved`), says it passes and goes on watching. The kit's file
/// is put back after, so the kit still grades as unsolved.
fn watch_solves_elman_step(kit: &Path, target: &Path, solved: &Path) {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    use std::time::Duration;

    let mut watcher = Command::new(env!("CARGO_BIN_EXE_workbench"))
        .current_dir(kit)
        .args(["exercise", "watch", "elman-step"])
        .env("CARGO_TARGET_DIR", target)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("workbench runs");
    let (lines, said) = mpsc::channel();
    let stdout = watcher.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut heard = String::new();
    let mut hear_until = |wanted: &str| {
        while !heard.contains(wanted) {
            match said.recv_timeout(Duration::from_secs(900)) {
                Ok(line) => heard.push_str(&(line + "\n")),
                Err(_) => panic!("`exercise watch` never said `{wanted}`: {heard}"),
            }
        }
    };
    hear_until("still the kit's todo!(): write it in crates/rnn/src/cell.rs");
    // Said just before it reads the file it waits on: give it that moment before saving.
    std::thread::sleep(Duration::from_secs(3));
    let file = kit.join("crates/rnn/src/cell.rs");
    let unsolved = std::fs::read(&file).unwrap();
    std::fs::copy(solved, &file).unwrap();
    hear_until("elman-step passes; watching crates/rnn/src/cell.rs for further edits");
    let _ = watcher.kill();
    let _ = watcher.wait();
    std::fs::write(&file, unsolved).unwrap();
    assert!(heard.contains("elman-step: Elman's recurrent step — 2/2 checks passed"), "{heard}");
}

const IDS: [&str; 17] = [
    "ann-windows",
    "elman-step",
    "lstm-step",
    "gru-step",
    "masked-run",
    "birnn-states",
    "decoder-step",
    "attention-weights",
    "additive-score",
    "luong-scores",
    "conv-block",
    "scaled-dot-product",
    "multi-head",
    "positional-encoding",
    "cross-entropy",
    "beam-search",
    "bleu",
];

#[test]
fn the_workspace_passes_every_check_and_a_kit_builds_fails_them_cleanly_and_grades() {
    let (root, own_target) = (workspace(), target_dir());
    let out = workbench_in(&root, &own_target, &["exercise", "check", "--all"]);
    let message = text(&out);
    assert!(out.status.success(), "{message}");
    for id in IDS {
        assert!(message.contains(&format!("{id}: ")), "{id} not checked: {message}");
    }
    assert!(!message.contains("FAIL"), "{message}");
    let listed = text(&workbench_in(&root, &own_target, &["exercise", "list"]));
    assert_eq!(listed.lines().filter(|l| l.contains(" passing ")).count(), IDS.len(), "{listed}");
    assert!(listed.contains(&format!("] {0}/{0} passing", IDS.len())), "{listed}");
    let next = text(&workbench_in(&root, &own_target, &["exercise", "next"]));
    assert!(next.contains("every exercise passes its checks"), "{next}");

    let submissions = common::scratch("coursework", "submissions");
    let kit = submissions.join("a-kit");
    let out = workbench_in(&root, &own_target, &["exercise", "kit", "--out", kit.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!kit.join("exercises/answers").exists(), "the suggested answers stay out of the kit");
    let solution = "tanh(projected + self.hidden_to_hidden.forward(hidden))";
    assert!(std::fs::read_to_string(root.join("crates/rnn/src/cell.rs")).unwrap().contains(solution));
    assert!(!std::fs::read_to_string(kit.join("crates/rnn/src/cell.rs")).unwrap().contains(solution));

    let kits = kit_target();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let check = Command::new(cargo)
        .current_dir(&kit)
        .args(["check", "--workspace", "--all-targets", "--quiet"])
        .env("CARGO_TARGET_DIR", &kits)
        .output()
        .expect("cargo runs");
    assert!(check.status.success(), "the kit does not build: {}", text(&check));

    let listed = text(&workbench_in(&kit, &kits, &["exercise", "list"]));
    assert_eq!(listed.lines().filter(|l| l.contains(" to do ")).count(), IDS.len(), "{listed}");

    let out = workbench_in(&kit, &kits, &["exercise", "check", "elman-step"]);
    let message = text(&out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(message.contains("elman-step: Elman's recurrent step — 0/2 checks passed"), "{message}");
    assert!(message.contains("not implemented yet (exercise elman-step: `projected` already holds"), "{message}");
    assert!(message.contains("error: 2 of 2 checks failed"), "{message}");
    assert!(!message.contains("hidden_to_hidden.forward(hidden)") && !message.contains("panicked"), "{message}");
    // The student's loop: the check is kept (an unwritten exercise still lists as to do), `next`
    // points at the first exercise, `hint --more` adds the sheet's hint.
    let kept = std::fs::read_to_string(kit.join("target/exercise-progress.json")).unwrap();
    let kept: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert_eq!((kept["elman-step"]["passed"].as_u64(), kept["elman-step"]["total"].as_u64()), (Some(0), Some(2)));
    let listed = text(&workbench_in(&kit, &kits, &["exercise", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("elman-step") && l.contains(" to do ")), "{listed}");
    assert!(listed.contains(&format!("] 0/{} passing", IDS.len())), "{listed}");
    let next = text(&workbench_in(&kit, &kits, &["exercise", "next"]));
    assert!(next.starts_with("next: ann-windows — ") && next.contains("(to do)"), "{next}");
    let hint = text(&workbench_in(&kit, &kits, &["exercise", "hint", "elman-step", "--more"]));
    assert!(hint.contains("add the recurrent term") && hint.contains("One line: `Linear::forward`"), "{hint}");
    watch_solves_elman_step(&kit, &kits, &root.join("crates/rnn/src/cell.rs"));

    // A submission with `ann-windows` solved and `elman-step` not compiling (a name that does not
    // exist in its region): the compile error costs `elman-step` alone.
    let broken = submissions.join("b-broken");
    let out = workbench_in(&root, &own_target, &["exercise", "kit", "--out", broken.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let ann = "crates/ann/src/model.rs";
    std::fs::copy(root.join(ann), broken.join(ann)).unwrap();
    let cell = "crates/rnn/src/cell.rs";
    let source = std::fs::read_to_string(broken.join(cell)).unwrap();
    let todo = "todo!(\"exercise elman-step:";
    std::fs::write(broken.join(cell), source.replace(todo, &format!("no_such_name; {todo}"))).unwrap();
    // Its written answers, in the kit's `answers.md`: handed to the teacher beside the feedback.
    let answers = std::fs::read_to_string(broken.join("answers.md")).unwrap();
    let answer = "Beyond its window the ANN can only guess.";
    std::fs::write(broken.join("answers.md"), answers.replacen("*Your answer (replace this line).*", answer, 1))
        .unwrap();
    // A submission that games its checks: `elman-step` unsolved but its tests made to return at
    // once (the test file is not graded), a pass line forged in `gru-step`'s region, and the fused
    // kernel the check compares with called in `lstm-step`'s (flagged, scored 0).
    let gaming = submissions.join("e-gaming");
    let out = workbench_in(&root, &own_target, &["exercise", "kit", "--out", gaming.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let tests = gaming.join("crates/rnn/src/tests.rs");
    let returning = std::fs::read_to_string(&tests).unwrap().replace("_directions() {", "_directions() {\n    return;");
    std::fs::write(&tests, returning.replace("_differences() {", "_differences() {\n    return;")).unwrap();
    let lstm = gaming.join("crates/lstm/src/cell.rs");
    let forged = std::fs::read_to_string(&lstm)
        .unwrap()
        .replace(
            "todo!(\"exercise gru-step:",
            "todo!(\"\\ntest tests::gru_cell_matches_burn_gru ... ok\\n\"); todo!(\"exercise gru-step:",
        )
        .replace(
            "todo!(\"exercise lstm-step:",
            "return self.run_fused(projected.unsqueeze_dim(1), None, state, false).unwrap().1; todo!(\"exercise lstm-step:",
        );
    std::fs::write(&lstm, forged).unwrap();
    // Two patches (`git diff` at a kit's root): one that solves `elman-step`, one that no longer
    // applies.
    let work = submissions.with_extension("patchwork");
    let _ = std::fs::remove_dir_all(&work);
    for (side, from) in [("kit", kit.join(cell)), ("solved", root.join(cell))] {
        std::fs::create_dir_all(work.join(side).join("crates/rnn/src")).unwrap();
        std::fs::copy(from, work.join(side).join(cell)).unwrap();
    }
    let diff = Command::new("git")
        .current_dir(&work)
        .args(["diff", "--no-index", "--src-prefix=a/", "--dst-prefix=b/"])
        .args([format!("kit/{cell}"), format!("solved/{cell}")])
        .output()
        .expect("git runs");
    let patch = String::from_utf8(diff.stdout).unwrap().replace("a/kit/", "a/").replace("b/solved/", "b/");
    assert!(patch.contains(&format!("+++ b/{cell}")) && patch.contains(solution), "{patch}");
    std::fs::write(submissions.join("c-elman.patch"), &patch).unwrap();
    // Stale: the hunk's first context line is not in the kit any more.
    let mut lines: Vec<String> = patch.lines().map(String::from).collect();
    let hunk = lines.iter().position(|l| l.starts_with("@@")).unwrap();
    assert!(lines[hunk + 1].starts_with(' '), "a context line follows the hunk header");
    lines[hunk + 1] = " // a line that is not in the kit".into();
    std::fs::write(submissions.join("d-stale.diff"), lines.join("\n") + "\n").unwrap();
    std::fs::remove_dir_all(&work).unwrap();

    let grades = submissions.join("grades.csv");
    let (submitted, sheet, shared) = (submissions.to_str().unwrap(), grades.to_str().unwrap(), kits.to_str().unwrap());
    let out =
        workbench_in(&root, &own_target, &["exercise", "grade", submitted, "--out", sheet, "--target-dir", shared]);
    assert!(out.status.success(), "{}", text(&out));
    let csv = std::fs::read_to_string(&grades).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], format!("submission,{},total,note", IDS.join(",")));
    let zeros = vec!["0.00"; IDS.len() + 1].join(",");
    assert_eq!(rows[1], format!("a-kit,{zeros},"), "{csv}");
    let ann_only: Vec<&str> = IDS.iter().map(|id| if *id == "ann-windows" { "1.00" } else { "0.00" }).collect();
    assert!(rows[2].starts_with(&format!("b-broken,{},1.00,", ann_only.join(","))), "{csv}");
    assert!(rows[2].contains("elman-step: does not compile (error[E0425]: cannot find value `no_such_name`"), "{csv}");
    let elman: Vec<&str> = IDS.iter().map(|id| if *id == "elman-step" { "1.00" } else { "0.00" }).collect();
    assert_eq!(rows[3], format!("c-elman.patch,{},1.00,", elman.join(",")), "{csv}");
    assert!(rows[4].starts_with(&format!("d-stale.diff,{zeros},the patch does not apply")), "{csv}");
    assert!(rows[5].starts_with(&format!("e-gaming,{zeros},")) && !rows[5].contains("error"), "{csv}");
    for note in [
        "lstm-step: scored 0, its region calls the fused kernel its check compares against",
        "gru-step: scored 0, its region holds a line of libtest's output",
        "changes outside the solution regions are not graded: crates/rnn/src/tests.rs",
    ] {
        assert!(rows[5].contains(note), "{note}: {csv}");
    }
    assert_eq!(rows.len(), 6, "{csv}");

    // A feedback file per student: each check with its message, or why it was not checked.
    let feedback =
        |name: &str| std::fs::read_to_string(submissions.join(format!("grades-feedback/{name}.txt"))).unwrap();
    assert!(feedback("c-elman.patch").contains("elman-step: Elman's recurrent step — 2/2 checks passed"));
    assert!(feedback("c-elman.patch").contains("written answers: none handed in"));
    assert!(feedback("b-broken").contains("written answers: 1 of "), "{}", feedback("b-broken"));
    let handed_in = std::fs::read_to_string(submissions.join("grades-feedback/b-broken.answers.md")).unwrap();
    assert!(handed_in.contains(answer), "{handed_in}");
    let gaming = feedback("e-gaming");
    assert!(gaming.starts_with("e-gaming: 0.00 of 17\nnote: lstm-step: scored 0"), "{gaming}");
    assert!(gaming.contains("not checked: lstm-step: scored 0, its region calls the fused kernel"), "{gaming}");
    assert!(gaming.contains("elman-step: Elman's recurrent step — 0/2 checks passed"), "{gaming}");
    // --resume keeps the rows it has and grades only the submissions missing from the sheet.
    let without_stale: Vec<&str> = rows.iter().copied().filter(|r| !r.starts_with("d-stale")).collect();
    std::fs::write(&grades, without_stale.join("\n") + "\n").unwrap();
    let resumed = workbench_in(
        &root,
        &own_target,
        &["exercise", "grade", submitted, "--out", sheet, "--target-dir", shared, "--resume"],
    );
    assert!(text(&resumed).contains("1 submissions graded (4 kept from before)"), "{}", text(&resumed));
    let again = std::fs::read_to_string(&grades).unwrap();
    assert_eq!(again, format!("{}\n{}\n", without_stale.join("\n"), rows[4]), "the stale patch's row appended");
    std::fs::remove_dir_all(&submissions).unwrap();
    std::fs::remove_dir_all(&kits).unwrap();
    std::fs::remove_dir_all(kits.with_file_name("coursework-kits-kits")).unwrap();
}
