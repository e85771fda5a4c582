//! End-to-end tests of the `workbench` binary: a quick training run, translation with its
//! checkpoint, reproducibility, and clear errors on bad input.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fails_with, text, workbench};

fn scratch(name: &str) -> PathBuf {
    common::scratch("e2e", name)
}

/// One quick run shared by the tests that only read it.
fn quick_run() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("quick");
        let out = workbench(&["train", "--arch", "encdec", "--quick", "--seed", "3", "--out", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        dir
    })
}

fn metric_columns(dir: &Path) -> Vec<String> {
    // Everything but the timing columns (elapsed seconds, tokens/s), which vary run to run.
    std::fs::read_to_string(dir.join("metrics.csv"))
        .unwrap()
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            [&cols[..8], &cols[10..]].concat().join(",")
        })
        .collect()
}

#[test]
fn list_names_architectures_and_tasks() {
    let out = workbench(&["list"]);
    assert!(out.status.success());
    let listing = text(&out);
    for name in ["encdec", "toy-fi", "copy", "reverse", "sort", "tsv:PATH"] {
        assert!(listing.contains(name), "{listing}");
    }
}

#[test]
fn quick_training_writes_a_complete_run_directory() {
    let dir = quick_run();
    for file in [
        "config.toml",
        "metrics.csv",
        "test.json",
        "test.src.txt",
        "test.ref.txt",
        "test.hyp.txt",
        "vocab.src.txt",
        "vocab.tgt.txt",
        "model.bpk",
        "checkpoint.json",
    ] {
        assert!(dir.join(file).exists(), "missing {file}");
    }
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    assert!(metrics.starts_with(
        "epoch,split,loss,perplexity,token_accuracy,exact_match,bleu,chrf,elapsed_seconds,tokens_per_second"
    ));
    assert_eq!(metrics.lines().filter(|l| l.contains(",valid,")).count(), 2);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("test.json")).unwrap()).unwrap();
    assert!(report["overall"]["bleu"].is_number());
    assert!(!report["by_length"].as_array().unwrap().is_empty());
    assert!(!report["by_phenomenon"].as_array().unwrap().is_empty());
    assert_eq!(report["demo"]["source"], "tourists visit finland to watch northern lights");
    let hyps = std::fs::read_to_string(dir.join("test.hyp.txt")).unwrap();
    let refs = std::fs::read_to_string(dir.join("test.ref.txt")).unwrap();
    assert_eq!(hyps.lines().count(), refs.lines().count());
    assert_eq!(report["overall"]["sentences"].as_u64().unwrap() as usize, refs.lines().count());
}

#[test]
fn translate_uses_the_checkpoint() {
    let dir = quick_run();
    let out = workbench(&[
        "translate",
        "--run",
        dir.to_str().unwrap(),
        "tourists visit finland",
        "do tourists visit finland ?",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn the_transformer_trains_translates_and_draws_every_head() {
    let dir = scratch("transformer");
    let out = workbench(&["train", "--arch", "transformer", "--quick", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("test.json")).unwrap()).unwrap();
    assert_eq!(report["arch"], "transformer");
    // Scored against the gold alignment (null while a two-epoch model gets no word right).
    assert!(report.as_object().unwrap().contains_key("alignment_accuracy"));
    let png = dir.join("demo.png");
    let out = workbench(&[
        "translate",
        "--run",
        dir.to_str().unwrap(),
        "--beam",
        "3",
        "--attention",
        png.to_str().unwrap(),
        "tourists visit finland",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    for name in ["demo.png", "demo-encoder-self.png", "demo-decoder-self.png", "demo-cross.png"] {
        assert_eq!(&std::fs::read(dir.join(name)).unwrap()[1..4], b"PNG", "{name}");
    }
}

#[test]
fn beam_search_translates_and_evaluates() {
    let dir = quick_run().to_str().unwrap();
    let greedy = workbench(&["translate", "--run", dir, "tourists visit finland", "do tourists visit finland ?"]);
    let width_one =
        workbench(&["translate", "--run", dir, "--beam", "1", "tourists visit finland", "do tourists visit finland ?"]);
    assert!(width_one.status.success(), "{}", text(&width_one));
    assert_eq!(greedy.stdout, width_one.stdout, "beam width 1 translates as greedy search does");
    let wide =
        workbench(&["translate", "--run", dir, "--beam", "4", "--length-penalty", "0.6", "tourists visit finland"]);
    assert!(wide.status.success(), "{}", text(&wide));
    let report = scratch("beam").join("beam.json");
    let out = workbench(&["eval", "--run", dir, "--beam", "3", "--report", report.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["decoding"], "beam 3, length penalty 0");
    // Beside the report, what it scored, one sentence per line: rescoring the exact match from
    // the files gives the report's figure.
    let lines = |kind: &str| -> Vec<String> {
        let file = report.with_extension(format!("{kind}.txt"));
        std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .lines()
            .map(String::from)
            .collect()
    };
    let (sources, references, hypotheses) = (lines("src"), lines("ref"), lines("hyp"));
    let sentences = json["overall"]["sentences"].as_u64().unwrap() as usize;
    assert_eq!((sources.len(), references.len(), hypotheses.len()), (sentences, sentences, sentences));
    let exact = references.iter().zip(&hypotheses).filter(|(r, h)| r == h).count() as f64 * 100.0 / sentences as f64;
    assert!((exact - json["overall"]["exact_match"].as_f64().unwrap()).abs() < 1e-9, "{exact} vs {json}");
    let test: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(quick_run().join("test.json")).unwrap()).unwrap();
    assert_eq!(test["decoding"], "greedy");
    fails_with(&["translate", "--run", dir, "--beam", "0", "x"], &["--beam", "0"]);
    fails_with(&["translate", "--run", dir, "--length-penalty", "0.6", "x"], &["needs --beam"]);
    fails_with(&["translate", "--run", dir, "--beam", "2", "--length-penalty=-1", "x"], &["≥ 0"]);
}

#[test]
fn the_same_seed_gives_the_same_metrics() {
    let first = quick_run();
    let second = scratch("again");
    let out = workbench(&["train", "--arch", "encdec", "--quick", "--seed", "3", "--out", second.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(metric_columns(first), metric_columns(&second));
    assert_eq!(std::fs::read(first.join("test.hyp.txt")).unwrap(), std::fs::read(second.join("test.hyp.txt")).unwrap());
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = scratch("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let d = |name: &str| dir.join(name).to_str().unwrap().to_string();

    fails_with(&["train", "--arch", "gpt", "--out", &d("x")], &["unknown architecture `gpt`", "encdec"]);
    fails_with(&["train", "--task", "toy-en", "--quick", "--out", &d("x")], &["unknown task `toy-en`"]);

    std::fs::write(d("broken.toml"), "[training\nepochs = 2\n").unwrap();
    fails_with(&["train", "--config", &d("broken.toml"), "--out", &d("x")], &["broken.toml", "line 1"]);
    std::fs::write(d("typo.toml"), "[training]\nepochs = 2\nlearnig_rate = 0.1\n").unwrap();
    fails_with(
        &["train", "--config", &d("typo.toml"), "--out", &d("x")],
        &["typo.toml", "learnig_rate", "did you mean `learning_rate`?"],
    );
    std::fs::write(d("model.toml"), "[model]\nhiden_size = 8\n").unwrap();
    fails_with(
        &["train", "--config", &d("model.toml"), "--quick", "--out", &d("x")],
        &["[model]", "hiden_size", "did you mean `hidden_size`?"],
    );

    std::fs::write(d("notab.tsv"), "Hello.\tHei.\nNo tab\n").unwrap();
    fails_with(
        &["train", "--task", &format!("tsv:{}", d("notab.tsv")), "--quick", "--out", &d("x")],
        &["notab.tsv:2", "tab"],
    );

    fails_with(&["translate", "--run", &d("nowhere"), "hello"], &["not a run directory"]);

    // A run whose checkpoint is truncated, then missing; an empty sentence.
    let run = quick_run();
    let copy = dir.join("run");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(run).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let copy_s = copy.to_str().unwrap();
    fails_with(&["translate", "--run", copy_s, "   "], &["empty"]);
    let model = std::fs::read(copy.join("model.bpk")).unwrap();
    std::fs::write(copy.join("model.bpk"), &model[..model.len() / 2]).unwrap();
    fails_with(&["translate", "--run", copy_s, "tourists visit finland"], &["model.bpk", "truncated"]);
    std::fs::remove_file(copy.join("checkpoint.json")).unwrap();
    fails_with(&["translate", "--run", copy_s, "tourists visit finland"], &["checkpoint.json", "missing"]);

    // Training into a directory that already holds a run keeps that run.
    fails_with(&["train", "--quick", "--out", run.to_str().unwrap()], &["already holds a run"]);
    assert!(run.join("model.bpk").exists());
}

#[test]
fn every_position_wise_architecture_trains_and_translates() {
    for (arch, task, sentence) in [
        ("ann", "toy-fi", "tourists visit finland"),
        ("rnn", "copy", "1 2 3"),
        ("lstm", "reverse", "1 2 3"),
        ("birnn", "toy-fi", "do tourists visit finland ?"),
    ] {
        let dir = scratch(&format!("{arch}-{task}"));
        let out = workbench(&["train", "--arch", arch, "--task", task, "--quick", "--out", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{arch} on {task}: {}", text(&out));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("test.json")).unwrap()).unwrap();
        assert_eq!(report["arch"], arch);
        assert!(!report["by_length"].as_array().unwrap().is_empty());
        let out = workbench(&["translate", "--run", dir.to_str().unwrap(), sentence]);
        assert!(out.status.success(), "{arch}: {}", text(&out));
        fails_with(&["translate", "--run", dir.to_str().unwrap(), "--beam", "2", sentence], &["no decoder"]);
    }
}

#[test]
fn attention_models_train_and_report_alignment_accuracy() {
    for (arch, extra) in [("bahdanau", None), ("luong", Some("dot"))] {
        let dir = scratch(arch);
        let mut args = vec!["train", "--arch", arch, "--quick", "--out", dir.to_str().unwrap()];
        if let Some(score) = extra {
            args.extend(["--score", score]);
        }
        let out = workbench(&args);
        assert!(out.status.success(), "{arch}: {}", text(&out));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("test.json")).unwrap()).unwrap();
        let alignment = report["alignment_accuracy"].as_f64().expect("attention is scored against the gold alignment");
        assert!((0.0..=100.0).contains(&alignment));
        let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
        if let Some(score) = extra {
            assert!(config.contains(&format!("score = \"{score}\"")), "{config}");
        }
        let png = dir.join("heatmap.png");
        let out = workbench(&[
            "translate",
            "--run",
            dir.to_str().unwrap(),
            "--attention",
            png.to_str().unwrap(),
            "tourists visit finland",
        ]);
        assert!(out.status.success(), "{arch}: {}", text(&out));
        assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
    }
    fails_with(&["train", "--arch", "encdec", "--score", "dot", "--quick"], &["--score", "luong"]);
    let encdec = quick_run().to_str().unwrap();
    fails_with(
        &["translate", "--run", encdec, "--attention", "/tmp/x.png", "tourists visit finland"],
        &["no attention weights"],
    );
}

#[test]
fn a_quick_compare_of_every_architecture_writes_every_plot_and_the_report() {
    let dir = scratch("compare");
    let out = workbench(&["compare", "--quick", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    // The results table's rows: each model's name in the report and its runs' directory (the
    // variant of `experiments/compare.toml` is named by what differs).
    let rows = [
        ("ann", "ann"),
        ("rnn", "rnn"),
        ("lstm", "lstm"),
        ("lstm (delay = 8)", "lstm-delay8"),
        ("birnn", "birnn"),
        ("encdec", "encdec"),
        ("bahdanau", "bahdanau"),
        ("luong", "luong"),
        ("conv", "conv"),
        ("convs2s", "convs2s"),
        ("transformer", "transformer"),
    ];
    // A file is named by its model's name, dashed: `loss-lstm-delay-8`.
    let dashed = |name: &str| {
        name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
    };
    let mut plots: Vec<String> = rows.iter().map(|(name, _)| format!("loss-{}", dashed(name))).collect();
    plots.extend(
        [
            "valid-loss-by-epoch",
            "valid-loss-by-seconds",
            "exact-by-length",
            "chrf-by-length",
            "bleu-by-length",
            "phenomena",
            "cost",
            "exposure-bias",
            "positional-encoding",
            "positional-encoding-dimensions",
            "probe-agreement-verb",
            "probe-agreement-adjective",
            "saliency-agreement",
            "claims-summary",
            "evolution-panels",
        ]
        .map(String::from),
    );
    for plot in &plots {
        for ext in ["png", "svg", "csv"] {
            let file = dir.join("plots").join(format!("{plot}.{ext}"));
            assert!(file.exists(), "{} is missing", file.display());
        }
        assert_eq!(&std::fs::read(dir.join("plots").join(format!("{plot}.png"))).unwrap()[1..4], b"PNG");
    }
    // The exact-match CSV holds the bootstrap band the figure draws, not the mean three times.
    let exact = std::fs::read_to_string(dir.join("plots/exact-by-length.csv")).unwrap();
    let banded = exact.lines().skip(1).filter(|line| {
        let fields: Vec<f64> = line.split(',').skip(2).filter_map(|f| f.parse().ok()).collect();
        fields.len() == 4 && fields[1] < fields[0] && fields[0] < fields[2]
    });
    assert!(banded.count() > 0, "{exact}");
    for heatmap in [
        "bahdanau",
        "luong",
        "transformer",
        "transformer-encoder-self",
        "transformer-decoder-self",
        "transformer-cross",
        "convs2s",
        "convs2s-cross",
        "luong-question",
        "transformer-question",
    ] {
        assert!(dir.join("plots").join(format!("attention-{heatmap}.png")).exists(), "attention-{heatmap}.png");
    }
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    // Every BLEU and chrF names the sacreBLEU settings that make it comparable.
    for signature in ["`BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:", "`chrF2|nrefs:1|"] {
        assert!(report.contains(signature), "{signature} in report.md");
    }
    for (name, _) in rows {
        assert!(report.contains(&format!("| `{name}` |")), "{name} in the results table");
        assert!(html.contains(&format!("<code>{name}</code>")), "{name} in report.html");
    }
    for section in ["## Results", "## The demo sentence", "## What each step of the evolution buys", "## Plots"] {
        assert!(report.contains(section), "{section}");
    }
    // Every claim has its row, with a verdict; claim 7a is counted, 7b needs parallel hardware.
    for claim in ["**1**", "**2a**", "**2b**", "**3**", "**4**", "**5**", "**6a**", "**6b**", "**7a**", "**7b**"] {
        let row = report.lines().find(|l| l.starts_with(&format!("| {claim} "))).unwrap_or_else(|| panic!("{claim}"));
        assert!(row.contains("supported") || row.contains("not measurable here") || row.contains("counted"), "{row}");
    }
    // A first look already shows the window, look-ahead and bottleneck lessons: claims 1 and 3
    // supported, attention far ahead of the fixed context vector on sentences of 20+ words.
    let row = |claim: &str| report.lines().find(|l| l.starts_with(&format!("| {claim} "))).unwrap().to_string();
    for claim in ["**1**", "**3**"] {
        assert!(row(claim).contains("| **supported** |"), "{}", row(claim));
    }
    let bottleneck = row("**6a**");
    let delta: f64 = bottleneck.split('|').nth(4).and_then(|d| d.split_whitespace().next()?.parse().ok()).unwrap();
    assert!(delta > 20.0, "luong ahead of encdec at 20+ words: {bottleneck}");
    // The quick comparison trains the agreement probe; the latch is left to the full one.
    assert!(report.contains("- `rnn` on `agreement`: ") && !report.contains("on `latch`: "), "probe runs listed");
    // The formulation ceiling: a number for position-wise models, none for models with a decoder.
    let ceiling = |arch: &str| {
        let row = report.lines().find(|l| l.starts_with(&format!("| `{arch}` |"))).unwrap().to_string();
        row.split('|').nth(3).unwrap().trim().to_string()
    };
    assert!(report.contains("| architecture | exact match % | ceiling % |"), "the ceiling column");
    for arch in ["ann", "rnn", "birnn"] {
        let value: f64 = ceiling(arch).parse().unwrap_or_else(|_| panic!("{arch}: ceiling `{}`", ceiling(arch)));
        assert!((0.0..=100.0).contains(&value));
    }
    assert!(
        ceiling("rnn").parse::<f64>().unwrap() < ceiling("birnn").parse::<f64>().unwrap(),
        "left-to-right sees less"
    );
    assert_eq!(ceiling("encdec"), "–");
    assert!(html.contains("data:image/png;base64,") && !html.contains("src=\"plots/"), "images inlined");
    // The page renders in headless Chromium, where one is installed.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/html-renders.sh");
    let dom = dir.join("clicked.html");
    let rendered = std::process::Command::new("bash")
        .arg(&script)
        .arg(dir.join("report.html"))
        .args(["sentence=3&hide=rnn,lstm&metric=bleu&attention=luong", dom.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{}", text(&rendered));
    // The explorer, clicked in the browser: sentence 3 picked, two models unticked, BLEU chosen,
    // Luong's attention drawn.
    if !text(&rendered).contains("skipped") {
        let page = std::fs::read_to_string(&dom).unwrap();
        let source = std::fs::read_to_string(dir.join("runs/ann-seed42/test.src.txt")).unwrap();
        let table = page.split("<table id=\"explorer-translations\" data-sentence=\"3\">").nth(1).expect("sentence 3");
        let table = table.split("</table>").next().unwrap();
        let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(table.contains(&format!("<td>{}</td>", escape(source.lines().nth(2).unwrap()))), "{table}");
        for (arch, stem) in rows {
            let run = dir.join(format!("runs/{stem}-seed42"));
            let row = format!("<tr data-model=\"{arch}\">");
            // `--quick` tests the bottleneck pair on sentences of its own: no row for those.
            if std::fs::read_to_string(run.join("test.src.txt")).unwrap() != source {
                assert!(!table.contains(&row), "{arch}: {table}");
                continue;
            }
            let hypothesis = std::fs::read_to_string(run.join("test.hyp.txt")).unwrap();
            let said = escape(hypothesis.lines().nth(2).unwrap());
            assert!(table.contains(&format!("{row}<td>{arch}</td><td>{said}</td>")), "{arch}: {table}");
        }
        let shown = page.split("data-models=\"").nth(1).unwrap().split('"').next().unwrap();
        let expected: Vec<&str> = rows.iter().map(|r| r.0).filter(|a| !["rnn", "lstm"].contains(a)).collect();
        assert_eq!(shown, expected.join(","));
        assert!(page.contains("validation BLEU</text>"), "the metric picked");
        let heatmap = page.split("<svg id=\"explorer-attention\"").nth(1).unwrap().split("</svg>").next().unwrap();
        assert!(heatmap.contains("data-model=\"luong\"") && heatmap.contains("data-sentence=\"3\""), "{heatmap}");
        let cells = heatmap.matches("<rect").count();
        let words = source.lines().nth(2).unwrap().split(' ').count();
        assert!(cells >= words, "a cell per source word and output step: {cells}, {words}");
    }

    // Rerunning resumes: every finished run is kept, and the report says the same — also a run
    // whose config was written before a key existed (it reads as the key's default).
    let old_config = dir.join("configs").join("ann-seed42.toml");
    let text_now = std::fs::read_to_string(&old_config).unwrap();
    assert!(text_now.contains("max_distance = 0\n"), "{text_now}");
    std::fs::write(&old_config, text_now.replace("max_distance = 0\n", "")).unwrap();
    let table = |text: &str| text.lines().filter(|l| l.starts_with("| `")).map(String::from).collect::<Vec<_>>();
    let again = workbench(&["compare", "--quick", "--out", dir.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
    let probe_runs = 5; // the quick agreement probe: ann, rnn, lstm, birnn, and lstm (delay = 4)
    assert_eq!(text(&again).matches("done before, kept").count(), rows.len() + probe_runs, "{}", text(&again));
    let rerun = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert_eq!(table(&report)[..rows.len()], table(&rerun)[..rows.len()]);

    // `plot` redraws from the run directories alone: the same report, its settings and wall time kept.
    std::fs::remove_file(dir.join("plots/cost.png")).unwrap();
    let out = workbench(&["plot", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(dir.join("plots/cost.png").exists());
    assert_eq!(std::fs::read_to_string(dir.join("report.md")).unwrap(), rerun, "a redraw is the same report");

    // Bad comparison configs are named.
    let bad = scratch("compare-bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("c.toml"), "archs = [\"ann\", \"gpt\"]\n").unwrap();
    fails_with(&["compare", "--config", bad.join("c.toml").to_str().unwrap()], &["c.toml", "gpt"]);
    std::fs::write(bad.join("c.toml"), "[base]\nseeed = 1\n").unwrap();
    fails_with(&["compare", "--config", bad.join("c.toml").to_str().unwrap(), "--quick"], &["seeed"]);
    fails_with(&["plot", bad.to_str().unwrap()], &["no runs/"]);
}

#[test]
fn an_interrupted_comparison_resumes_from_its_last_epoch_with_the_same_results() {
    let archs = "encdec,transformer";
    let whole = scratch("resume-whole");
    let out =
        workbench(&["compare", "--quick", "--probe-seeds", "0", "--archs", archs, "--out", whole.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));

    // Every run stops after its first epoch, as if the machine went down.
    let cut = scratch("resume-cut");
    let cut_s = cut.to_str().unwrap();
    let out = workbench(&[
        "compare",
        "--quick",
        "--probe-seeds",
        "0",
        "--archs",
        archs,
        "--out",
        cut_s,
        "--stop-after-epoch",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("2 run(s) failed"), "{}", text(&out));
    let again =
        workbench(&["compare", "--quick", "--probe-seeds", "0", "--archs", archs, "--out", cut.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(text(&again).matches(": resuming").count(), 2, "{}", text(&again));
    for run in ["encdec-seed42", "transformer-seed42"] {
        let (a, b) = (whole.join("runs").join(run), cut.join("runs").join(run));
        assert_eq!(metric_columns(&a), metric_columns(&b), "{run}: the same epochs, the same numbers");
        assert_eq!(std::fs::read(a.join("test.hyp.txt")).unwrap(), std::fs::read(b.join("test.hyp.txt")).unwrap());
        assert!(!b.join("resume").exists(), "a finished run keeps no resume state");
    }
    // A run with another config is not resumed from a stale state.
    fails_with(&["train", "--resume", "--overwrite", "--out", cut.to_str().unwrap()], &["--resume", "--overwrite"]);
}

/// The baseline's toy-fi runs ship their checkpoints: on a fresh clone, without training, each
/// translates the demo sentence as the committed report recorded it, an attention model draws
/// its heatmap of the demo question, and the beam-search exercise's command runs.
#[test]
fn the_baseline_ships_checkpoints_that_translate_as_its_report_says() {
    let runs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/baseline/runs");
    let archs =
        ["ann", "rnn", "lstm", "lstm-delay8", "birnn", "encdec", "bahdanau", "luong", "conv", "convs2s", "transformer"];
    for arch in archs {
        let run = runs.join(format!("{arch}-seed42"));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(run.join("test.json")).unwrap()).unwrap();
        let (source, recorded) = (report["demo"]["source"].as_str().unwrap(), &report["demo"]["hypothesis"]);
        let out = workbench(&["translate", "--run", run.to_str().unwrap(), source]);
        assert!(out.status.success(), "{arch}: {}", text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), recorded.as_str().unwrap(), "{arch}");
    }
    let png = scratch("shipped").join("question.png");
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    let luong = runs.join("luong-seed42");
    let question = "does the happy family travel to sweden ?";
    let out =
        workbench(&["translate", "--run", luong.to_str().unwrap(), "--attention", png.to_str().unwrap(), question]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
    let encdec = runs.join("encdec-seed42");
    let out = workbench(&["eval", "--run", encdec.to_str().unwrap(), "--beam", "5"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("exact match") && text(&out).contains("(600 sentences"), "{}", text(&out));
}
