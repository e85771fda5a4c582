//! Bad values get a message, never a panic: the `workbench` binary driven through the config
//! mistakes students make, each checked for its exit code, its message (file, key, value, what was
//! expected) and that nothing was written; run directories whose files were swapped, cut or
//! broken; corpora with CRLF, a byte-order mark, empty sides, invalid UTF-8 or one enormous line;
//! sentences empty, unknown or too long.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{fails_with, text, workbench};

fn scratch(name: &str) -> PathBuf {
    let dir = common::scratch("hardening", name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Each bad `[model]` / `[data]` value, in a config file, is refused before anything is built or
/// written, with the file, the key, the value and the expected range.
#[test]
fn bad_config_values_are_refused_with_their_key_and_range() {
    let dir = scratch("configs");
    let mut cases: Vec<(&str, &str, &[&str])> = vec![
        ("arch = \"lstm\"\n[model]\ndropout = 1.0\n", "dropout1", &["dropout = 1", "[0, 1)"]),
        ("arch = \"ann\"\n[model]\ndropout = -0.1\n", "dropout-", &["dropout = -0.1", "[0, 1)"]),
        (
            "arch = \"transformer\"\n[model]\nheads = 3\nd_model = 64\n",
            "heads3",
            &["heads = 3", "divisor of d_model = 64"],
        ),
        ("arch = \"transformer\"\n[model]\nheads = 0\n", "heads0", &["heads = 0", "1 to 128"]),
        ("arch = \"encdec\"\n[model]\nhidden_size = 0\n", "hidden0", &["hidden_size = 0", "at least 1"]),
        (
            "arch = \"transformer\"\n[model]\nd_model = 1000000\n",
            "huge",
            &["d_model = 1000000", "at most 16384", "TiB"],
        ),
        ("arch = \"encdec\"\n[model]\nlayers = 0\n", "layers0", &["layers = 0", "1 to 16"]),
        ("arch = \"bahdanau\"\n[model]\nattention_size = 0\n", "attention0", &["attention_size = 0"]),
        ("[data]\nmin_len = 30\nmax_len = 5\n", "lengths", &["max_len", "min_len = 30, max_len = 5"]),
        ("[data]\ntokenizer = \"bpe\"\nsubword_vocab_size = 0\n", "bpe0", &["subword_vocab_size", "at least 64"]),
        ("backend = \"tpu\"\n", "tpu", &["unknown variant `tpu`", "wgpu"]),
        ("[data]\ntask = \"free-ordr\"\n", "task", &["`[data] task`", "free-ordr", "free-order, free-length"]),
        ("[data]\ntask = \"latch\"\nmax_distance = -3\n", "lag", &["max_distance", "expected usize"]),
        ("device = 1\n", "device-cpu", &["`device`", "backend = \"flex\"", "only wgpu and cuda"]),
    ];
    // A GPU backend this build lacks names the cargo feature that brings it.
    if !cfg!(feature = "wgpu") {
        cases.push(("backend = \"wgpu\"\n", "wgpu", &["backend", "one of flex", "cargo feature `wgpu`"]));
    }
    if !cfg!(feature = "ndarray") {
        cases.push((
            "backend = \"ndarray\"\n",
            "ndarray",
            &["backend", "cargo feature `ndarray`", "--features ndarray"],
        ));
    }
    if !cfg!(feature = "cuda") {
        cases.push(("backend = \"cuda\"\n", "cuda", &["backend", "cargo feature `cuda`", "--features cuda"]));
    }
    for (toml, name, expected) in cases {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, toml).unwrap();
        let out = dir.join(format!("run-{name}"));
        let message =
            fails_with(&["train", "--config", path.to_str().unwrap(), "--out", out.to_str().unwrap()], expected);
        assert!(message.contains(&format!("{name}.toml")), "the file is named: {message}");
        assert!(!out.exists(), "{name}: nothing is written for a refused config");
    }
    // `--quick` shrinks a config; it does not repair one the full run refuses.
    let path = dir.join("lengths.toml");
    let out = dir.join("run-lengths-quick");
    let args = ["train", "--quick", "--config", path.to_str().unwrap(), "--out", out.to_str().unwrap()];
    fails_with(&args, &["max_len", "min_len = 30, max_len = 5"]);
    assert!(!out.exists(), "nothing is written for a refused config");
}

/// `--resume` continues only what was started: a finished run says so, and an interrupted run
/// refuses other settings, naming each difference.
#[test]
fn resume_refuses_finished_runs_and_other_settings() {
    let dir = scratch("resume");
    let run = dir.join("run");
    let run_s = run.to_str().unwrap();
    let out = workbench(&["train", "--arch", "rnn", "--quick", "--seed", "5", "--out", run_s]);
    assert!(out.status.success(), "{}", text(&out));
    let metrics = std::fs::read(run.join("metrics.csv")).unwrap();
    fails_with(
        &["train", "--arch", "rnn", "--quick", "--resume", "--seed", "7", "--epochs", "5", "--out", run_s],
        &["finished", "--overwrite"],
    );
    assert_eq!(std::fs::read(run.join("metrics.csv")).unwrap(), metrics, "the finished run is untouched");

    let interrupted = dir.join("interrupted");
    let interrupted_s = interrupted.to_str().unwrap();
    let out = workbench(&[
        "train",
        "--arch",
        "rnn",
        "--quick",
        "--seed",
        "5",
        "--out",
        interrupted_s,
        "--stop-after-epoch",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2), "stopped on purpose: {}", text(&out));
    assert!(text(&out).contains("stopped after epoch 1 as asked"), "{}", text(&out));
    fails_with(
        &["train", "--arch", "rnn", "--quick", "--resume", "--seed", "7", "--out", interrupted_s],
        &["cannot resume", "seed: 5 → 7"],
    );
    let out = workbench(&["train", "--arch", "rnn", "--quick", "--resume", "--seed", "5", "--out", interrupted_s]);
    assert!(out.status.success(), "the same settings resume: {}", text(&out));
}

/// A comparison checks every run's settings before it starts any.
#[test]
fn compare_checks_every_run_before_starting() {
    let dir = scratch("compare");
    let config = dir.join("compare.toml");
    std::fs::write(
        &config,
        "name = \"bad\"\narchs = [\"rnn\", \"transformer\"]\n[overrides.transformer.model]\nheads = 5\n",
    )
    .unwrap();
    let out = dir.join("out");
    fails_with(
        &["compare", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()],
        &["transformer", "heads = 5"],
    );
    assert!(!out.join("runs").join("rnn-seed42").join("test.json").exists(), "no run was trained");
}

/// Every file of a run directory, name → bytes: a failed command must leave them as they were.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect()
}

fn quick_train(arch: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["train", "--arch", arch, "--quick", "--seed", "5", "--out", out.to_str().unwrap()];
    args.extend(extra);
    let output = workbench(&args);
    assert!(output.status.success(), "{arch}: {}", text(&output));
}

/// A run directory whose files were swapped, cut, broken or written by a newer workbench: each
/// is a message naming the file and what is wrong, never a panic, and the files stay as they were.
#[test]
fn untrusted_run_files_get_a_message_and_lose_nothing() {
    let dir = scratch("untrusted");
    let (luong, rnn) = (dir.join("luong"), dir.join("rnn"));
    quick_train("luong", &luong, &[]);
    quick_train("rnn", &rnn, &[]);
    type Spoil = Box<dyn Fn(&Path)>;
    let copy_from_rnn = |names: &'static [&'static str]| -> Spoil {
        let rnn = rnn.clone();
        Box::new(move |run: &Path| {
            for name in names {
                std::fs::copy(rnn.join(name), run.join(name)).unwrap();
            }
        })
    };
    let edit = |name: &'static str, change: fn(Vec<u8>) -> Vec<u8>| -> Spoil {
        Box::new(move |run: &Path| {
            let path = run.join(name);
            std::fs::write(&path, change(std::fs::read(&path).unwrap())).unwrap();
        })
    };
    let cases: Vec<(&str, Spoil, &[&str])> = vec![
        (
            "another architecture's checkpoint",
            copy_from_rnn(&["model.bpk", "checkpoint.json"]),
            &["model.bpk", "holds a `rnn` model, not `luong`"],
        ),
        ("another model file under this header", copy_from_rnn(&["model.bpk"]), &["model.bpk", "truncated or altered"]),
        (
            "a cut vocabulary",
            edit("vocab.src.txt", |bytes| bytes.split(|&b| b == b'\n').take(20).collect::<Vec<_>>().join(&b'\n')),
            &["does not fit", "vocab.src.txt", "shape mismatch"],
        ),
        (
            "a broken header",
            edit("checkpoint.json", |bytes| bytes[..bytes.len() / 2].to_vec()),
            &["checkpoint.json", "unreadable header"],
        ),
        (
            "a newer format",
            edit("checkpoint.json", |bytes| {
                String::from_utf8(bytes).unwrap().replacen("\"format\": 1,", "\"format\": 99,", 1).into()
            }),
            &["checkpoint.json", "newer workbench", "format 99"],
        ),
        ("a broken config", edit("config.toml", |_| b"arch = [\n".to_vec()), &["config.toml", "line 1"]),
        (
            "a config of another architecture",
            edit("config.toml", |bytes| {
                String::from_utf8(bytes).unwrap().replacen("arch = \"luong\"", "arch = \"bahdanau\"", 1).into()
            }),
            &["config.toml", "[model]", "unknown field `input_feeding`"],
        ),
        (
            "a vocabulary that is not UTF-8",
            edit("vocab.src.txt", |mut bytes| {
                bytes.extend(b"caf\xe9\n");
                bytes
            }),
            &["vocab.src.txt", "UTF-8"],
        ),
        (
            "a missing vocabulary",
            Box::new(|run: &Path| std::fs::remove_file(run.join("vocab.tgt.txt")).unwrap()),
            &["vocab.tgt.txt", "No such file"],
        ),
    ];
    for (n, (case, spoil, expected)) in cases.into_iter().enumerate() {
        let run = dir.join(format!("case-{n}"));
        std::fs::create_dir_all(&run).unwrap();
        for (name, bytes) in snapshot(&luong) {
            std::fs::write(run.join(name), bytes).unwrap();
        }
        spoil(&run);
        let before = snapshot(&run);
        let run_s = run.to_str().unwrap();
        for args in [&["translate", "--run", run_s, "tourists visit finland"][..], &["eval", "--run", run_s]] {
            let message = fails_with(args, expected);
            for line in message.lines() {
                let once = |fragment: &str| line.matches(fragment).count() <= 1;
                assert!(once("No such file") && once("UTF-8"), "{case}: a cause said twice: {line}");
            }
        }
        assert_eq!(snapshot(&run), before, "{case}: the run's files are as they were");
    }
}

/// `count` pairs of a made-up language with distinct sources, one per line.
fn corpus_lines(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("w{} says x{} y{}\tz{} sanoo {}", i, i % 7, i % 5, i, i % 3)).collect()
}

/// Corpora as editors and exports write them: CRLF line ends and a byte-order mark train like a
/// clean file; an empty side, invalid UTF-8 or a file without pairs is refused naming its line,
/// and leaves no run directory behind (the retry needs no --overwrite); one enormous line is
/// read and dropped by the length filter.
#[test]
fn corpora_with_windows_habits_broken_lines_and_one_enormous_line() {
    let dir = scratch("corpora");
    std::fs::create_dir_all(&dir).unwrap();
    let train_on = |name: &str, bytes: Vec<u8>| {
        let path = dir.join(format!("{name}.tsv"));
        std::fs::write(&path, bytes).unwrap();
        let out = dir.join(format!("run-{name}"));
        let task = format!("tsv:{}", path.display());
        (
            out.clone(),
            vec![
                "train".to_string(),
                "--arch".into(),
                "rnn".into(),
                "--quick".into(),
                "--task".into(),
                task,
                "--out".into(),
                out.display().to_string(),
            ],
        )
    };
    let lines = corpus_lines(300);
    let plain = lines.join("\n").into_bytes();

    let windows = [b"\xef\xbb\xbf".to_vec(), lines.join("\r\n").into_bytes(), b"\r\n".to_vec()].concat();
    let (out, args) = train_on("windows", windows);
    let output = workbench(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", text(&output));
    for vocab in ["vocab.src.txt", "vocab.tgt.txt"] {
        let words = std::fs::read_to_string(out.join(vocab)).unwrap();
        assert!(!words.contains('\u{feff}') && !words.contains('\r'), "{vocab} holds a mark or a CR");
    }
    assert!(std::fs::read_to_string(out.join("vocab.src.txt")).unwrap().lines().any(|w| w == "w0"), "the first word");

    let mut enormous = plain.clone();
    enormous.extend(format!("\n{}\tz\n", "a ".repeat(1_000_000)).into_bytes());
    let (_, args) = train_on("enormous", enormous);
    let output = workbench(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", text(&output));

    let broken: [(&str, Vec<u8>, &[&str]); 4] = [
        ("empty-target", [&plain[..], b"\nhello\t \n"].concat(), &["empty-target.tsv:301", "target side is empty"]),
        ("empty-source", [b"\thei\n", &plain[..]].concat(), &["empty-source.tsv:1", "source side is empty"]),
        ("latin1", [&plain[..], b"\ncaf\xe9\tkahvila\n"].concat(), &["latin1.tsv:301", "invalid UTF-8"]),
        ("blank", b"\n\r\n  \n".to_vec(), &["blank.tsv", "no sentence pairs"]),
    ];
    for (name, bytes, expected) in broken {
        let (out, args) = train_on(name, bytes);
        fails_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), expected);
        assert!(!out.exists(), "{name}: a refused corpus leaves no run directory");
    }
    let (out, args) = train_on("missing-then-fixed", plain.clone());
    let mut missing = args.clone();
    missing[5] = format!("tsv:{}", dir.join("nowhere.tsv").display());
    let message = fails_with(&missing.iter().map(String::as_str).collect::<Vec<_>>(), &["nowhere.tsv", "No such file"]);
    assert_eq!(message.matches("No such file").count(), 1, "the cause once: {message}");
    let output = workbench(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "the retry after fixing the path: {}", text(&output));
    assert!(out.join("model.bpk").exists());
}

/// Sentences to translate: an empty one is refused; unknown words and a sentence longer than
/// any the run saw are translated with a note that says so.
#[test]
fn sentences_empty_unknown_or_too_long() {
    let dir = scratch("sentences");
    let run = dir.join("run");
    quick_train("rnn", &run, &[]);
    let run_s = run.to_str().unwrap();
    fails_with(&["translate", "--run", run_s, "tourists visit finland", " \t "], &["sentence 2", "empty"]);

    let output = workbench(&["translate", "--run", run_s, "tourists zorblax visit qwerty"]);
    assert!(output.status.success(), "{}", text(&output));
    let notes = String::from_utf8_lossy(&output.stderr);
    assert!(notes.contains("sentence 1") && notes.contains("<unk>: zorblax, qwerty"), "{notes}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1, "one translation");

    let long = vec!["tourists"; 500].join(" ");
    let output = workbench(&["translate", "--run", run_s, "tourists visit finland", &long]);
    assert!(output.status.success(), "{}", text(&output));
    let notes = String::from_utf8_lossy(&output.stderr);
    assert!(notes.contains("sentence 2: 500 tokens") && notes.contains("max_len = 16"), "{notes}");
    assert!(!notes.contains("sentence 1"), "the short known sentence has no note: {notes}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
}

/// A loss that stops being a number ends the run with the epoch and batch, exit status 2, and no
/// half-written checkpoint or metrics (a learning rate of 1e39 overflows the f32 weights at the
/// first Adam step; the second batch's loss is NaN).
#[test]
fn a_diverging_run_stops_with_its_epoch_and_batch() {
    let dir = scratch("diverge");
    let config = dir.join("diverge.toml");
    std::fs::write(&config, "arch = \"rnn\"\n[training]\nlearning_rate = 1e39\n").unwrap();
    let run = dir.join("run");
    let message = fails_with(
        &["train", "--config", config.to_str().unwrap(), "--quick", "--out", run.to_str().unwrap()],
        &["training diverged at epoch 1, batch 2", "NaN", "lower training.learning_rate"],
    );
    assert!(message.contains(run.to_str().unwrap()), "names where the earlier epochs are kept: {message}");
    for never_written in ["metrics.csv", "model.bpk", "checkpoint.json", "test.json"] {
        assert!(!run.join(never_written).exists(), "{never_written} written by a run that learned nothing");
    }
    assert!(run.join("config.toml").exists(), "the run's config stays, to see what diverged");
}
