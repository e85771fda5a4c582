//! The evolution table's claims, judged from this run's numbers. A claim is *supported* when
//! the better model leads by more than the spread over seeds (and by at least [`MARGIN`]
//! points), *not supported* otherwise, and *not measurable here* when a model it needs was not
//! trained (or the measure does not exist for it).

use crate::runs::{ArchRuns, Run, Stat};

/// The smallest lead (in percentage points, or percent for speeds) that counts.
pub const MARGIN: f64 = 1.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    NotSupported,
    NotMeasurable,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not supported",
            Verdict::NotMeasurable => "not measurable here",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub claim: &'static str,
    pub measure: &'static str,
    pub verdict: Verdict,
    pub evidence: String,
}

struct Measure<'a> {
    name: &'static str,
    unit: &'static str,
    of: &'a dyn Fn(&Run) -> Option<f64>,
}

fn find<'a>(groups: &'a [ArchRuns], arch: &str) -> Option<&'a ArchRuns> {
    groups.iter().find(|g| g.arch == arch)
}

fn show(arch: &str, s: &Stat, unit: &str) -> String {
    if s.runs > 1 {
        format!("{arch} {:.1}{unit} ({:.1}–{:.1} over {} seeds)", s.mean, s.low, s.high, s.runs)
    } else {
        format!("{arch} {:.1}{unit}", s.mean)
    }
}

/// Does the best of `better` beat the best of `worse` on `measure`?
fn judge(
    claim: &'static str,
    groups: &[ArchRuns],
    better: &[&'static str],
    worse: &[&'static str],
    measure: Measure<'_>,
    relative: bool,
) -> Claim {
    let best = |names: &[&'static str]| -> Option<(&'static str, Stat)> {
        names
            .iter()
            .filter_map(|name| Some((*name, find(groups, name)?.stat(measure.of)?)))
            .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
    };
    let (Some((b_name, b)), Some((w_name, w))) = (best(better), best(worse)) else {
        let missing: Vec<&str> = better.iter().chain(worse).copied().filter(|n| find(groups, n).is_none()).collect();
        let evidence = if missing.is_empty() {
            format!("no {} was measured", measure.name)
        } else {
            format!("not trained in this comparison: {}", missing.join(", "))
        };
        return Claim { claim, measure: measure.name, verdict: Verdict::NotMeasurable, evidence };
    };
    let lead = if relative { 100.0 * (b.mean / w.mean.max(1e-12) - 1.0) } else { b.mean - w.mean };
    let spread = if relative {
        100.0 * (b.spread() / b.mean.max(1e-12)).max(w.spread() / w.mean.max(1e-12))
    } else {
        b.spread().max(w.spread())
    };
    let needed = spread.max(MARGIN);
    let verdict = if lead > needed { Verdict::Supported } else { Verdict::NotSupported };
    let lead_text = if relative { format!("{lead:+.0}%") } else { format!("{lead:+.1} points") };
    let seeds = b.runs.min(w.runs);
    let spread_text =
        if seeds > 1 { format!("spread over seeds {spread:.1}") } else { "1 seed: no spread measured".to_string() };
    Claim {
        claim,
        measure: measure.name,
        verdict,
        evidence: format!(
            "{} vs {}: {lead_text} (needs more than {needed:.1}; {spread_text})",
            show(b_name, &b, measure.unit),
            show(w_name, &w, measure.unit)
        ),
    }
}

pub fn judge_all(groups: &[ArchRuns]) -> Vec<Claim> {
    let exact = |r: &Run| Some(r.test.overall.exact_match);
    let long = |r: &Run| r.exact_from(20);
    let phenomenon =
        |tag: &'static str| move |r: &Run| r.test.by_phenomenon.iter().find(|g| g.group == tag).map(|g| g.exact_match);
    let question = phenomenon("question");
    let locative = phenomenon("locative");
    let speed = |r: &Run| (r.test.train_tokens_per_second > 0.0).then_some(r.test.train_tokens_per_second);
    let percent = "%";
    vec![
        judge(
            "Recurrent networks beat a feed-forward network, which sees no sequence context",
            groups,
            &["rnn", "lstm"],
            &["ann"],
            Measure { name: "exact match", unit: percent, of: &exact },
            false,
        ),
        judge(
            "LSTMs handle long-term dependencies better than plain RNNs",
            groups,
            &["lstm"],
            &["rnn"],
            Measure { name: "exact match on sentences of 20+ words", unit: percent, of: &long },
            false,
        ),
        judge(
            "BiRNNs capture more context than one direction",
            groups,
            &["birnn"],
            &["lstm", "rnn"],
            Measure { name: "exact match", unit: percent, of: &exact },
            false,
        ),
        judge(
            "An encoder-decoder handles reordering that one-output-per-position models cannot",
            groups,
            &["encdec"],
            &["birnn", "lstm", "rnn", "ann"],
            Measure { name: "exact match on verb-first questions", unit: percent, of: &question },
            false,
        ),
        judge(
            "An encoder-decoder handles length change (`in finland` → `suomessa`) that position-wise models cannot",
            groups,
            &["encdec"],
            &["birnn", "lstm", "rnn", "ann"],
            Measure { name: "exact match on locatives", unit: percent, of: &locative },
            false,
        ),
        judge(
            "The fixed-length context vector is a bottleneck for long sentences: attention removes it",
            groups,
            &["bahdanau", "luong", "transformer"],
            &["encdec"],
            Measure { name: "exact match on sentences of 20+ words", unit: percent, of: &long },
            false,
        ),
        judge(
            "Transformers parallelise and train faster than recurrent encoder-decoders",
            groups,
            &["transformer"],
            &["encdec", "bahdanau", "luong"],
            Measure { name: "training tokens per second", unit: "", of: &speed },
            true,
        ),
    ]
}
