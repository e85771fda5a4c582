//! A trained run as `translate` and `eval` use it: opened from its directory, and its test
//! report printed.

use std::path::Path;

use anyhow::Result;
use seq2seq_train::architecture::run_config;
use seq2seq_train::{Backend, TestReport, Translator};

use crate::registry;

/// The trained model in the run directory `run`, on `backend` (or the run's own).
pub fn open(run: &Path, backend: Option<Backend>) -> Result<Box<dyn Translator>> {
    let config = run_config(run)?;
    let architecture = registry::find(&config.arch)?;
    Ok(architecture.open(run, backend)?)
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
    println!("exact match by source length:");
    for g in &report.by_length {
        println!("  {:>7} words: {:6.1}%  BLEU {:6.2}  ({} sentences)", g.group, g.exact_match, g.bleu, g.sentences);
    }
    if !report.by_phenomenon.is_empty() {
        println!("exact match by phenomenon:");
        for g in &report.by_phenomenon {
            println!("  {:>10}: {:6.1}%  BLEU {:6.2}  ({} sentences)", g.group, g.exact_match, g.bleu, g.sentences);
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
