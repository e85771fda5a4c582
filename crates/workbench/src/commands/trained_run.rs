//! A trained run as `translate` and `eval` use it: opened from its directory, and its test
//! report printed.

use std::path::Path;

use anyhow::Result;
use seq2seq_train::architecture::run_config;
use seq2seq_train::{Backend, GroupScores, TestReport, Translator};

use crate::registry;

/// The trained model in the run directory `run`, on `backend` (or the run's own).
pub fn open(run: &Path, backend: Option<Backend>) -> Result<Box<dyn Translator>> {
    let config = run_config(run)?;
    let architecture = registry::find(&config.arch)?;
    Ok(architecture.open(run, backend)?)
}

/// One bucket's scores: exact match, BLEU, chrF (where recorded) and its size.
fn group_line(g: &GroupScores) -> String {
    let chrf = g.chrf.map(|c| format!("  chrF {c:6.2}")).unwrap_or_default();
    format!("{:6.1}%  BLEU {:6.2}{chrf}  ({} sentences)", g.exact_match, g.bleu, g.sentences)
}

/// A test report's summary: overall scores, then by length and by phenomenon, then the demo.
pub fn print_test_report(report: &TestReport) {
    let o = &report.overall;
    println!(
        "{} on {}: exact match {:.1}%  BLEU {:.2}  chrF {:.2}  token accuracy {:.1}%  perplexity {:.3}  ({} sentences, {} parameters)",
        report.arch,
        report.task,
        o.exact_match,
        o.bleu,
        o.chrf,
        o.token_accuracy,
        o.perplexity,
        o.sentences,
        report.parameters
    );
    if !report.bleu_signature.is_empty() {
        println!("  {}\n  {}", report.bleu_signature, report.chrf_signature);
    }
    println!("exact match by source length:");
    for g in &report.by_length {
        println!("  {:>7} words: {}", g.group, group_line(g));
    }
    if !report.by_phenomenon.is_empty() {
        println!("exact match by phenomenon:");
        for g in &report.by_phenomenon {
            println!("  {:>10}: {}", g.group, group_line(g));
        }
    }
    if let Some(demo) = &report.demo {
        println!(
            "demo: {}\n   → {}  ({})",
            demo.source,
            demo.hypothesis,
            if demo.correct { "correct" } else { "wrong" }
        );
    }
}
