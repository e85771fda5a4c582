//! The evolution in one figure: every claim's Δ (winner − loser) with its 95 % interval,
//! coloured by its verdict — the figure that closes a lecture; the claims table beside it links
//! each claim's probe figure.

use std::path::Path;

use seq2seq_plot::{Forest, ForestRow, forest};

use crate::ReportError;
use crate::claims::{Claim, Verdict};
use crate::plots::{Plot, csv};
use crate::stats::Interval;

/// [`PALETTE`](seq2seq_plot::PALETTE) indices: green supported, red not supported, grey not
/// measurable, blue counted.
fn colour(verdict: Verdict) -> usize {
    match verdict {
        Verdict::Supported => 2,
        Verdict::NotSupported => 3,
        Verdict::NotMeasurable => 7,
        Verdict::Counted => 0,
    }
}

/// `plots/claims-summary.{png,svg,csv}`: one row per claim.
pub fn write_summary_plot(dir: &Path, claims: &[Claim]) -> Result<Vec<Plot>, ReportError> {
    if claims.iter().all(|c| c.delta.is_none()) {
        return Ok(vec![]);
    }
    let rows: Vec<ForestRow> = claims
        .iter()
        .map(|c| ForestRow {
            label: format!("{}  {}", c.number, c.pair.replace('`', "")),
            interval: c.delta.map(|d| (d.estimate, d.low, d.high)),
            note: c.verdict.text().to_string(),
            colour: colour(c.verdict),
        })
        .collect();
    let title = "What each step of the evolution buys: Δ = winner − loser, points, 95 % interval";
    let chart =
        Forest { title, x_label: "Δ (points): how much better the winner does where the claim says", rows: &rows };
    for ext in ["png", "svg"] {
        forest(&dir.join(format!("claims-summary.{ext}")), &chart)?;
    }
    let header = ["claim", "pair", "delta", "low", "high", "verdict"];
    let table: Vec<Vec<String>> = claims
        .iter()
        .map(|c| {
            let number = |f: fn(&Interval) -> f64| c.delta.as_ref().map_or(String::new(), |d| format!("{:.3}", f(d)));
            vec![
                c.number.to_string(),
                c.pair.replace('`', ""),
                number(|d| d.estimate),
                number(|d| d.low),
                number(|d| d.high),
                c.verdict.text().to_string(),
            ]
        })
        .collect();
    csv(&dir.join("claims-summary.csv"), &header, &table)?;
    let caption = "every claim at a glance: Δ with its 95 % interval. Rows without one are counted (5b, 7a), judged \
                   by a rule of their own (2a: the seeds that learn each lag; 7b: GFLOP/s against length) or not \
                   measurable here; the table gives each reason. On the probes scored against a contrast form (1, 3, \
                   8a–8c) the loser sits at 50 % chance at worst, so Δ reaches 50 points at most there; on exact \
                   match (4–6) it can reach 100. A verdict also needs the interval above the claim's margin (3–10 \
                   points) and Δ positive in every seed";
    Ok(vec![Plot { stem: "claims-summary".into(), caption: caption.into() }])
}
