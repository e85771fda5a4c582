//! The evolution in small multiples: one panel per measured claim, its winner against its loser
//! along the claim's own distance (words to the controller, lag, attractors, adverbs, sentence
//! length), the verdict in the panel's title — what each step buys, and where.

use std::path::Path;

use seq2seq_plot::{LinePanel, LinePanels, Series, line_panels};

use crate::ReportError;
use crate::claims::latch_curve::{self, successes};
use crate::claims::parallel::{self, LUONG_MAX_RATIO, TRANSFORMER_MIN_RATIO};
use crate::claims::{
    BOTTLENECK_CLAIMS, BOTTLENECK_LOSER, Claim, Measure, ParallelTiming, Verdict, accuracy, drop_claims, probe_claims,
};
use crate::plots::{FEW, Plot, csv};
use crate::probe_plots::figures;
use crate::runs::{ArchRuns, ProbeRuns, length_buckets};

/// [`PALETTE`](seq2seq_plot::PALETTE) indices of the roles every panel shares.
const WINNER: usize = 0;
const LOSER: usize = 1;
const CHANCE: usize = 7;

/// A panel's data: per x position, its label and the two models' values.
struct Curve {
    x_label: String,
    y_label: &'static str,
    points: Vec<(String, Option<f64>, Option<f64>)>,
    /// Chance, for a two-way choice.
    chance: Option<f64>,
    /// x positions resting on too few sentences to read much into, drawn faint.
    faint: Vec<f64>,
    y_range: Option<(f64, f64)>,
    winner: String,
    loser: String,
    /// What to say under the panel instead of the head of the verdict's reason.
    note: Option<String>,
}

/// `plots/evolution-panels.{png,svg,csv}`: a panel per claim with a winner and a loser measured
/// along a distance (the counted claims, 5b and 7a, have none).
pub fn write_evolution_panels(
    dir: &Path,
    claims: &[Claim],
    groups: &[ArchRuns],
    probes: &[ProbeRuns],
    timing: Option<&ParallelTiming>,
) -> Result<Vec<Plot>, ReportError> {
    let mut panels = Vec::new();
    let mut rows = Vec::new();
    for claim in claims.iter().filter(|c| c.verdict != Verdict::Counted) {
        let Some(curve) = curve(claim.number, groups, probes, timing) else { continue };
        if curve.points.iter().all(|(_, w, l)| w.is_none() && l.is_none()) {
            continue;
        }
        for (x, w, l) in &curve.points {
            let value = |v: &Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
            rows.push(vec![claim.number.to_string(), x.clone(), value(w), value(l), claim.verdict.text().to_string()]);
        }
        panels.push(panel(claim, curve));
    }
    if panels.is_empty() {
        return Ok(vec![]);
    }
    let legend = [
        Series {
            name: "winner (the model the claim predicts to be better)".into(),
            colour: WINNER,
            ..Series::default()
        },
        Series { name: "loser".into(), colour: LOSER, ..Series::default() },
        Series { name: "chance".into(), colour: CHANCE, dashed: true, ..Series::default() },
    ];
    let figure = LinePanels {
        title: "What each step of the evolution buys, and where: winner against loser along each claim's distance",
        legend: &legend,
        panels: &panels,
        // Four a row: about 16:9, a slide's shape.
        columns: 4,
    };
    for ext in ["png", "svg"] {
        line_panels(&dir.join(format!("evolution-panels.{ext}")), &figure)?;
    }
    csv(&dir.join("evolution-panels.csv"), &["claim", "x", "winner", "loser", "verdict"], &rows)?;
    let caption = "each claim's winner (blue) against its loser (orange) along the distance the claim is about, \
                   its verdict in the title. A panel shows where the two differ, not all a verdict rests on: the \
                   controls (the loser's own easy bucket for 8a and 8b, both models' easy bucket for 2b, 4 and 5), \
                   the interval against the margin and each seed's sign are in the claims table — a panel titled \
                   not measurable here can look like a clean win, and one titled not supported like nothing at \
                   all, so each says why under it, in red. 2a counts seeds that learn; 7b is one thread's \
                   GFLOP/s, judged by how far each falls from its shortest length";
    Ok(vec![Plot { stem: "evolution-panels".into(), caption: caption.into() }])
}

/// `8c supported: transformer d=64: learned positions vs no positions`.
fn panel(claim: &Claim, curve: Curve) -> LinePanel {
    let series = |name: &str, colour: usize, pick: fn(&(String, Option<f64>, Option<f64>)) -> Option<f64>| Series {
        name: name.into(),
        points: curve.points.iter().enumerate().filter_map(|(k, p)| pick(p).map(|v| (k as f64, v))).collect(),
        colour,
        faint: curve.faint.clone(),
        ..Series::default()
    };
    let mut lines = vec![series(&curve.winner, WINNER, |p| p.1), series(&curve.loser, LOSER, |p| p.2)];
    if let Some(chance) = curve.chance {
        let points = (0..curve.points.len()).map(|k| (k as f64, chance)).collect();
        lines.push(Series { name: "chance".into(), points, colour: CHANCE, dashed: true, ..Series::default() });
    }
    LinePanel {
        title: format!("{} {}: {}", claim.number, claim.verdict.text(), pair(&curve.winner, &curve.loser)),
        x_label: curve.x_label,
        y_label: curve.y_label.into(),
        x_labels: curve.points.iter().map(|p| p.0.clone()).collect(),
        series: lines,
        y_range: curve.y_range,
        note: curve.note.or_else(|| note(claim)),
    }
}

/// Why a verdict that is not "supported" came out as it did: the head of its reason, since a
/// panel of two lines far apart can look like a win and one of two lines together like nothing.
fn note(claim: &Claim) -> Option<String> {
    let verdict = match claim.verdict {
        Verdict::NotMeasurable => "not measurable",
        Verdict::NotSupported => "not supported",
        Verdict::Supported | Verdict::Counted => return None,
    };
    Some(format!("{verdict}: {}", reason_head(&claim.reason)))
}

/// A verdict's reason up to its first clause that gives figures: `the loser never learned the
/// task: it scores 71.4 % on the easy bucket (needs 95 %)`.
fn reason_head(reason: &str) -> &str {
    let end = [", so ", "; "].iter().filter_map(|cut| reason.find(cut)).min().unwrap_or(reason.len());
    &reason[..end]
}

/// `winner vs loser`, a prefix both share up to a comma said once: `transformer d=64: learned
/// positions vs no positions`.
fn pair(winner: &str, loser: &str) -> String {
    match (winner.split_once(", "), loser.split_once(", ")) {
        (Some((a, w)), Some((b, l))) if a == b => format!("{a}: {w} vs {l}"),
        _ => format!("{winner} vs {loser}"),
    }
}

/// The curve of claim `number`, from the definitions its verdict was judged by.
fn curve(number: &str, groups: &[ArchRuns], probes: &[ProbeRuns], timing: Option<&ParallelTiming>) -> Option<Curve> {
    if let Some(c) = probe_claims().into_iter().find(|c| c.number == number) {
        return probe_curve(probes, c.task, c.figure, c.decisive.kind, Measure::Margin, (c.winner.0, c.loser.0));
    }
    if let Some(c) = drop_claims().into_iter().find(|c| c.number == number) {
        return probe_curve(probes, c.task, c.figure, c.hard.kind, c.measure, (c.winner, c.loser));
    }
    if let Some(&(_, winner)) = BOTTLENECK_CLAIMS.iter().find(|(n, _)| *n == number) {
        return bottleneck_curve(groups, winner);
    }
    match number {
        "2a" => latch_curve(probes),
        "7b" => timing.map(parallel_curve),
        _ => None,
    }
}

/// Accuracy per bucket of the claim's probe figure, on the items of `kind`.
fn probe_curve(
    probes: &[ProbeRuns],
    task: &str,
    figure: &str,
    kind: &'static str,
    measure: Measure,
    (winner, loser): (&str, &str),
) -> Option<Curve> {
    let figure = figures().into_iter().find(|f| figure == format!("plots/{}.png", f.stem))?;
    let find = |arch: &str| probes.iter().find(|p| p.task == task && p.arch == arch);
    let (w, l) = (find(winner), find(loser));
    let points = figure
        .positions(kind)
        .into_iter()
        .map(|(label, bucket)| {
            let of = |runs: Option<&ProbeRuns>| runs.and_then(|r| accuracy(r, measure, &bucket)).map(|i| i.estimate);
            (label, of(w), of(l))
        })
        .collect();
    // The figure's axis name, without the parenthesis a panel has no room for.
    let x_label = figure.x_label.split(" (").next().unwrap_or(figure.x_label);
    Some(Curve {
        x_label: x_label.into(),
        y_label: if measure == Measure::Margin { "decisive items right (%)" } else { "exact match (%)" },
        points,
        chance: measure.chance(),
        faint: vec![],
        y_range: Some((0.0, 100.0)),
        winner: winner.into(),
        loser: loser.into(),
        note: None,
    })
}

/// Claim 2a: the share of seeds that learn the latch, per maximum lag trained on.
fn latch_curve(probes: &[ProbeRuns]) -> Option<Curve> {
    let rows = latch_curve::rows(probes);
    let share = |runs: Option<&ProbeRuns>, lag: usize| {
        runs.map(|r| successes(r, lag)).filter(|&(_, n)| n > 0).map(|(k, n)| 100.0 * k as f64 / n as f64)
    };
    let points = rows.iter().map(|r| (r.max_lag.to_string(), share(r.lstm, r.max_lag), share(r.rnn, r.max_lag)));
    Some(Curve {
        x_label: "T: the longest lag trained on (one run per T and seed)".into(),
        y_label: "seeds that learn every lag (%)",
        points: points.collect(),
        chance: None,
        faint: vec![],
        y_range: Some((0.0, 100.0)),
        winner: latch_curve::WINNER.into(),
        loser: latch_curve::LOSER.into(),
        note: None,
    })
}

/// Claims 6a and 6b: exact match by source length, the attention model against the
/// encoder-decoder.
fn bottleneck_curve(groups: &[ArchRuns], winner: &str) -> Option<Curve> {
    let find = |arch: &str| groups.iter().find(|g| g.arch == arch);
    let (w, l) = (find(winner)?, find(BOTTLENECK_LOSER)?);
    let buckets = length_buckets(w.runs.iter());
    let exact = |g: &ArchRuns, bucket: &str| {
        g.stat(|r| r.test.by_length.iter().find(|b| b.group == bucket).map(|b| b.exact_match)).map(|s| s.mean)
    };
    let points = buckets.iter().map(|(b, _)| (b.clone(), exact(w, b), exact(l, b))).collect();
    let faint = (0..buckets.len()).filter(|&k| buckets[k].1 < FEW).map(|k| k as f64).collect();
    Some(Curve {
        x_label: format!("source words (toy-fi test sentences; buckets under {FEW} faint)"),
        y_label: "exact match (%)",
        points,
        chance: None,
        faint,
        y_range: Some((0.0, 100.0)),
        winner: winner.into(),
        loser: BOTTLENECK_LOSER.into(),
        note: None,
    })
}

/// Claim 7b: achieved GFLOP/s of a training step on one thread, against sentence length.
fn parallel_curve(timing: &ParallelTiming) -> Curve {
    let points: Vec<_> = timing
        .rows
        .iter()
        .map(|r| (format!("{} × {}", r.length, r.batch), Some(r.transformer.rate()), Some(r.luong.rate())))
        .collect();
    // From zero, so that a fall reads as the share it is.
    let top = points.iter().flat_map(|p| [p.1, p.2]).flatten().fold(0.0, f64::max);
    let note = parallel::falls(timing).map(|(luong, transformer)| {
        format!(
            "from the shortest n to the longest, Luong keeps ×{luong:.2} of its rate and the Transformer ×{transformer:.2} \
             (the rule: ×{LUONG_MAX_RATIO} or less, ×{TRANSFORMER_MIN_RATIO} or more); one timing, one CPU thread"
        )
    });
    Curve {
        x_label: format!("n words × sentences per batch ({} target tokens)", timing.token_budget),
        y_label: "GFLOP/s, one thread",
        points,
        chance: None,
        faint: vec![],
        y_range: Some((0.0, top * 1.05)),
        winner: "transformer".into(),
        loser: "luong".into(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_keeps_a_reason_up_to_its_figures() {
        let reason = "the loser never learned the task: it scores 71.4 % on the easy bucket (needs 95 %), so its \
                      failure on the hard one is no win; conv R=9, learned positions 100.0 %";
        assert_eq!(
            reason_head(reason),
            "the loser never learned the task: it scores 71.4 % on the easy bucket (needs 95 %)"
        );
        let reason = "control not learned: the winner scores 92.1 % on the control bucket (needs 95 %); easy → hard";
        assert_eq!(
            reason_head(reason),
            "control not learned: the winner scores 92.1 % on the control bucket (needs 95 %)"
        );
        assert_eq!(reason_head("no models"), "no models");
    }

    #[test]
    fn a_shared_prefix_is_said_once() {
        assert_eq!(
            pair("transformer d=64, learned positions", "transformer d=64, no positions"),
            "transformer d=64: learned positions vs no positions"
        );
        assert_eq!(pair("conv R=63 dilated", "conv R=11"), "conv R=63 dilated vs conv R=11");
        assert_eq!(pair("a, b", "c, d"), "a, b vs c, d");
    }

    #[test]
    fn every_measured_claim_but_the_latch_bottleneck_and_timing_draws_from_its_probe_figure() {
        // The probe and drop claims name a probe figure whose buckets the panel reuses.
        let stems: Vec<String> = figures().iter().map(|f| format!("plots/{}.png", f.stem)).collect();
        for figure in probe_claims().map(|c| c.figure).into_iter().chain(drop_claims().map(|c| c.figure)) {
            assert!(stems.iter().any(|s| s == figure), "{figure} is no probe figure");
        }
    }
}
