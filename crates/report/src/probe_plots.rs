//! One figure per probe: accuracy on its decisive items (or exact match, for the minimal pairs)
//! against the distance to the controller, one line per model, the chance line, and the
//! bootstrap's 95 % band.

use std::ops::RangeInclusive;
use std::path::Path;

use seq2seq_data::minimal_pairs::{CONTRACTION, QUESTION, STATEMENT};
use seq2seq_data::probes::{ADJECTIVE_AGREEMENT, LATCH, VERB_AGREEMENT};
use seq2seq_plot::{LineChart, Series, line_chart};

use crate::ReportError;
use crate::claims::{exact_accuracy, probe_accuracy};
use crate::plots::{Plot, csv};
use crate::runs::ProbeRuns;
use crate::stats::Interval;

/// The evolution's order: a model keeps its colour in every probe figure, the same as in the
/// full comparison's figures (which colour the architectures in this order).
const EVOLUTION: [&str; 8] = ["ann", "rnn", "lstm", "birnn", "encdec", "bahdanau", "luong", "transformer"];

fn colour(arch: &str) -> usize {
    EVOLUTION.iter().position(|a| *a == arch).unwrap_or(EVOLUTION.len() + 1)
}

/// Chance for a two-way choice between the correct and the contrast form.
const CHANCE: f64 = 50.0;
/// Grey in the palette.
const CHANCE_COLOUR: usize = 7;

/// What a figure plots per bucket.
enum Measure {
    /// Decisive items right (teacher-forced margin > 0), against chance.
    Margin(&'static str),
    /// Exact match of sentences with items of these kinds (dashed when `true`), one line each.
    Exact(&'static [(&'static str, bool)]),
}

struct ProbeFigure {
    stem: &'static str,
    task: &'static str,
    measure: Measure,
    title: &'static str,
    x_label: &'static str,
    /// Distance buckets, as items record them (negative: the controller comes after).
    buckets: Vec<RangeInclusive<i64>>,
}

fn figures() -> Vec<ProbeFigure> {
    vec![
        ProbeFigure {
            stem: "probe-agreement-verb",
            task: "agreement",
            measure: Measure::Margin(VERB_AGREEMENT),
            title: "agreement probe: past-tense verb agreeing with its subject N words back",
            x_label: "N: words from the subject noun back to the verb",
            buckets: vec![1..=2, 3..=4, 5..=6, 7..=10, 11..=15, 16..=20, 21..=30, 31..=40],
        },
        ProbeFigure {
            stem: "probe-agreement-adjective",
            task: "agreement",
            measure: Measure::Margin(ADJECTIVE_AGREEMENT),
            title: "agreement probe: adjective agreeing with its noun M words ahead",
            x_label: "M: words from the adjective ahead to its noun",
            buckets: vec![-1..=-1, -2..=-2, -3..=-3, -4..=-4],
        },
        ProbeFigure {
            stem: "probe-latch",
            task: "latch",
            measure: Measure::Margin(LATCH),
            title: "latch probe: the first symbol recalled at the final `?`",
            x_label: "steps from the symbol to the answer",
            buckets: (0..10).map(|k| if k == 0 { 5..=10 } else { 10 * k + 1..=10 * k + 10 }).collect(),
        },
        ProbeFigure {
            stem: "probe-reorder",
            task: "reorder",
            measure: Measure::Exact(&[(QUESTION, false), (STATEMENT, true)]),
            title: "reorder probe: questions (solid) against their statements (dashed)",
            x_label: "d: words the verb moves to the front in the question",
            buckets: (2..=10).map(|d| d..=d).collect(),
        },
        ProbeFigure {
            stem: "probe-length",
            task: "length",
            measure: Measure::Exact(&[(CONTRACTION, false)]),
            title: "length probe: clauses that contract `in the forest` → `metsässä`",
            x_label: "o: words the source runs ahead of the target",
            buckets: (0..=6).map(|o| o..=o).collect(),
        },
    ]
}

fn label(bucket: &RangeInclusive<i64>) -> String {
    let (a, b) = (bucket.start().abs(), bucket.end().abs());
    if a == b { a.to_string() } else { format!("{}-{}", a.min(b), a.max(b)) }
}

/// Draws every probe figure whose task has runs; returns them in report order.
pub fn write_probe_plots(dir: &Path, probes: &[ProbeRuns]) -> Result<Vec<Plot>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let mut plots = Vec::new();
    for figure in figures() {
        let models: Vec<&ProbeRuns> = probes.iter().filter(|p| p.task == figure.task).collect();
        if models.is_empty() {
            continue;
        }
        let labels: Vec<String> = figure.buckets.iter().map(label).collect();
        let mut series = Vec::new();
        let mut rows = Vec::new();
        let lines: Vec<(&str, bool)> = match figure.measure {
            Measure::Margin(kind) => vec![(kind, false)],
            Measure::Exact(kinds) => kinds.to_vec(),
        };
        for model in &models {
            let colour = colour(&model.arch);
            for &(kind, dashed) in &lines {
                let name = if lines.len() > 1 { format!("{} {kind}", model.arch) } else { model.arch.clone() };
                let mut line = Series { name, colour, dashed, ..Series::default() };
                for (k, bucket) in figure.buckets.iter().enumerate() {
                    let accuracy: Option<Interval> = match figure.measure {
                        Measure::Margin(_) => probe_accuracy(model, kind, bucket),
                        Measure::Exact(_) => exact_accuracy(model, kind, bucket),
                    };
                    let Some(acc) = accuracy else { continue };
                    line.points.push((k as f64, acc.estimate));
                    line.band.push((k as f64, acc.low, acc.high));
                    rows.push(vec![
                        model.arch.clone(),
                        kind.to_string(),
                        labels[k].clone(),
                        format!("{:.4}", acc.estimate),
                        format!("{:.4}", acc.low),
                        format!("{:.4}", acc.high),
                        model.runs.len().to_string(),
                    ]);
                }
                series.push(line);
            }
        }
        if let Measure::Margin(_) = figure.measure {
            series.push(Series {
                name: "chance".into(),
                points: (0..labels.len()).map(|k| (k as f64, CHANCE)).collect(),
                dashed: true,
                colour: CHANCE_COLOUR,
                ..Series::default()
            });
        }
        let seeds = models.iter().map(|m| m.runs.len()).min().unwrap_or(0);
        let title = format!("{} ({seeds} seed{})", figure.title, if seeds == 1 { "" } else { "s" });
        let chart = LineChart {
            title: &title,
            x_label: figure.x_label,
            y_label: match figure.measure {
                Measure::Margin(_) => "decisive items right (%)",
                Measure::Exact(_) => "sentences translated exactly (%)",
            },
            series: &series,
            x_labels: Some(&labels),
            y_range: Some((0.0, 100.0)),
        };
        for ext in ["png", "svg"] {
            line_chart(&dir.join(format!("{}.{ext}", figure.stem)), &chart)?;
        }
        let header = ["arch", "kind", "distance", "accuracy", "low95", "high95", "seeds"];
        csv(&dir.join(format!("{}.csv", figure.stem)), &header, &rows)?;
        let how = match figure.measure {
            Measure::Margin(_) => "teacher-forced margin > 0 counts as right; dashed: chance",
            Measure::Exact(_) => "greedy translations, exact match",
        };
        let caption = format!("{title}: {how}; bands: 95 % bootstrap interval over seeds and sentences");
        plots.push(Plot { stem: figure.stem.into(), caption });
    }
    Ok(plots)
}

/// The gradient saliency of the controllers against distance (log scale), for the models that
/// record it: how much a decisive item's margin still depends on its controller's embedding,
/// before training (dashed) and trained (solid).
pub fn write_saliency_plots(dir: &Path, probes: &[ProbeRuns]) -> Result<Vec<Plot>, ReportError> {
    let mut plots = Vec::new();
    for figure in figures().into_iter().filter(|f| matches!(f.measure, Measure::Margin(VERB_AGREEMENT | LATCH))) {
        let models: Vec<&ProbeRuns> =
            probes.iter().filter(|p| p.task == figure.task && p.runs.iter().any(|r| r.saliency.is_some())).collect();
        if models.is_empty() {
            continue;
        }
        let labels: Vec<String> = figure.buckets.iter().map(label).collect();
        let (mut series, mut rows) = (Vec::new(), Vec::new());
        for model in &models {
            let colour = colour(&model.arch);
            for (state, dashed) in [("trained", false), ("untrained", true)] {
                let mut line = Series { name: format!("{} {state}", model.arch), colour, dashed, ..Series::default() };
                for (k, bucket) in figure.buckets.iter().enumerate() {
                    let norms: Vec<f64> = model
                        .runs
                        .iter()
                        .filter_map(|r| r.saliency.as_ref())
                        .flat_map(|s| if dashed { &s.untrained } else { &s.trained })
                        .filter(|s| bucket.contains(&s.distance))
                        .map(|s| s.gradient_norm)
                        .collect();
                    let mean = norms.iter().sum::<f64>() / norms.len().max(1) as f64;
                    if norms.is_empty() || mean <= 0.0 {
                        continue;
                    }
                    line.points.push((k as f64, mean.log10()));
                    rows.push(vec![
                        model.arch.clone(),
                        state.into(),
                        labels[k].clone(),
                        format!("{mean:.6e}"),
                        norms.len().to_string(),
                    ]);
                }
                series.push(line);
            }
        }
        let stem = format!("saliency-{}", figure.task);
        let title = format!("{} probe: gradient of the decisive margin at its controller", figure.task);
        let chart = LineChart {
            title: &title,
            x_label: figure.x_label,
            y_label: "log10 ‖∂ margin / ∂ controller embedding‖",
            series: &series,
            x_labels: Some(&labels),
            y_range: None,
        };
        for ext in ["png", "svg"] {
            line_chart(&dir.join(format!("{stem}.{ext}")), &chart)?;
        }
        csv(&dir.join(format!("{stem}.csv")), &["arch", "state", "distance", "mean_gradient_norm", "items"], &rows)?;
        let caption = format!(
            "{title}: mean over items and seeds, log scale; dashed: the same seed's weights before training, solid: trained"
        );
        plots.push(Plot { stem, caption });
    }
    Ok(plots)
}
