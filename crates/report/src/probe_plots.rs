//! One figure per probe: accuracy on its decisive items (or exact match, for the minimal pairs)
//! against the distance to the controller, one line per model, the chance line, and the
//! bootstrap's 95 % band.

use std::ops::RangeInclusive;
use std::path::Path;

use seq2seq_data::free_forms::{FIXED_LENGTH, FIXED_ORDER, FREE_LENGTH, FREE_ORDER};
use seq2seq_data::minimal_pairs::{CONTRACTION, QUESTION, STATEMENT};
use seq2seq_data::probes::{ADJECTIVE_AGREEMENT, LATCH, MAX_ATTRACTOR_PHRASES, POSITION, VERB_AGREEMENT};
use seq2seq_plot::{LineChart, Series, line_chart};

use crate::ReportError;
use crate::claims::latch_curve;
use crate::claims::{self, Bucket, CONTROL_MIN};
use crate::plots::{Plot, csv};
use crate::runs::ProbeRuns;
use crate::stats::Interval;

/// The evolution's order: a model keeps its colour in every probe figure, the same as in the
/// full comparison's figures (which colour the architectures in this order).
const EVOLUTION: [&str; 10] =
    ["ann", "rnn", "lstm", "birnn", "encdec", "bahdanau", "luong", "conv", "convs2s", "transformer"];

/// An architecture's colour, the same in every figure: its place in the evolution, the chance
/// line's grey left out; a variant (`lstm (delay = 4)`) gets the one colour after them.
pub(crate) fn colour(arch: &str) -> usize {
    labelled_colour(EVOLUTION.iter().position(|a| *a == arch).unwrap_or(EVOLUTION.len()))
}

/// Whether `label` names an architecture of the evolution (not a variant such as
/// `lstm (delay = 4)`).
pub(crate) fn in_evolution(label: &str) -> bool {
    EVOLUTION.contains(&label)
}

/// The colour of the `k`-th labelled model of a figure (its runs carry a `label`): the palette
/// in order, the chance line's grey left out.
pub(crate) fn labelled_colour(k: usize) -> usize {
    if k < CHANCE_COLOUR { k } else { k + 1 }
}

/// The verb-agreement figures' buckets of N.
const VERB_BUCKETS: [RangeInclusive<i64>; 8] = [1..=2, 3..=4, 5..=6, 7..=10, 11..=15, 16..=20, 21..=30, 31..=40];

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

pub(crate) struct ProbeFigure {
    pub(crate) stem: &'static str,
    pub(crate) task: &'static str,
    measure: Measure,
    title: &'static str,
    pub(crate) x_label: &'static str,
    /// Distance buckets, as items record them (negative: the controller comes after).
    pub(crate) buckets: Vec<RangeInclusive<i64>>,
    /// Buckets by attractor count instead, at these distances (`agreement-attract`).
    attractors: Option<RangeInclusive<i64>>,
    /// Draws the runs that carry a `label` (the conv row's variants) instead of the evolution's.
    labelled: bool,
    /// The stem of its gradient-saliency figure, for probes of long-range items.
    pub(crate) saliency: Option<&'static str>,
    /// What the caption adds to read it right.
    note: &'static str,
}

impl ProbeFigure {
    /// The x positions: `(label, bucket)` for items of `kind`.
    pub(crate) fn positions(&self, kind: &'static str) -> Vec<(String, Bucket)> {
        match &self.attractors {
            Some(distance) => (0..=MAX_ATTRACTOR_PHRASES)
                .map(|a| (a.to_string(), Bucket { attractors: Some(a..=a), ..Bucket::new(kind, distance.clone()) }))
                .collect(),
            None => self.buckets.iter().map(|b| (label(b), Bucket::new(kind, b.clone()))).collect(),
        }
    }

    /// The runs this figure draws, in order: the evolution's as they come, labelled ones by
    /// label, a label's number read as a number (`conv R=5` before `conv R=11`).
    pub(crate) fn models<'a>(&self, probes: &'a [ProbeRuns]) -> Vec<&'a ProbeRuns> {
        let mut models: Vec<&ProbeRuns> = probes.iter().filter(|p| self.draws(p)).collect();
        if self.labelled {
            models.sort_by_key(|p| {
                let digits = p.arch.find(|c: char| c.is_ascii_digit()).unwrap_or(p.arch.len());
                let number: String = p.arch[digits..].chars().take_while(char::is_ascii_digit).collect();
                (p.arch[..digits].to_string(), number.parse::<u64>().unwrap_or(0), p.arch.clone())
            });
        }
        models
    }

    /// Whether `runs` belong in this figure: a latch trained per maximum lag has its own, and
    /// labelled runs (the conv row's) have theirs.
    fn draws(&self, runs: &ProbeRuns) -> bool {
        runs.task == self.task
            && runs.config.label.is_some() == self.labelled
            && !(self.task == "latch" && runs.config.data.max_distance > 0)
    }

    /// The colour of `model`, the `k`-th this figure draws.
    pub(crate) fn colour(&self, k: usize, model: &ProbeRuns) -> usize {
        if self.labelled { labelled_colour(k) } else { colour(&model.arch) }
    }
}

pub(crate) fn figures() -> Vec<ProbeFigure> {
    vec![
        ProbeFigure {
            stem: "probe-agreement-verb",
            task: "agreement",
            measure: Measure::Margin(VERB_AGREEMENT),
            title: "agreement probe: past-tense verb agreeing with its subject N words back",
            x_label: "N: words from the subject noun back to the verb",
            buckets: VERB_BUCKETS.to_vec(),
            attractors: None,
            labelled: false,
            saliency: Some("saliency-agreement"),
            note: "",
        },
        ProbeFigure {
            stem: "probe-receptive-field",
            task: "agreement",
            measure: Measure::Margin(VERB_AGREEMENT),
            title: "receptive-field probe: causal convolutions (R words) on the verb agreeing N words back",
            x_label: "N: words from the subject noun back to the verb (a causal field of R words sees N ≤ R − 1)",
            buckets: VERB_BUCKETS.to_vec(),
            attractors: None,
            labelled: true,
            saliency: Some("saliency-receptive-field"),
            note: ". A causal field of R words can see N ≤ R − 1 words back, yet each stack falls to chance before \
                   that edge: the field a trained stack uses is narrower than the one it has (the effective \
                   receptive field, Luo et al. 2016)",
        },
        ProbeFigure {
            stem: "probe-agreement-attract",
            task: "agreement-attract",
            measure: Measure::Margin(VERB_AGREEMENT),
            title: "attractor probe: the verb agreeing with its subject across nouns of the other number",
            x_label: "attractors: intervening nouns of the other number (verb 6-20 words after its subject)",
            buckets: vec![],
            attractors: Some(6..=20),
            labelled: false,
            saliency: None,
            note: "",
        },
        ProbeFigure {
            stem: "probe-agreement-adjective",
            task: "agreement",
            measure: Measure::Margin(ADJECTIVE_AGREEMENT),
            title: "agreement probe: adjective agreeing with its noun M words ahead",
            x_label: "M: words from the adjective ahead to its noun",
            buckets: vec![-1..=-1, -2..=-2, -3..=-3, -4..=-4],
            attractors: None,
            labelled: false,
            saliency: None,
            note: "",
        },
        ProbeFigure {
            stem: "probe-latch",
            task: "latch",
            measure: Measure::Margin(LATCH),
            title: "latch probe, lags 5-100 mixed in one run: the first symbol recalled at the final `?`",
            x_label: "steps from the symbol to the answer",
            buckets: (0..10).map(|k| if k == 0 { 5..=10 } else { 10 * k + 1..=10 * k + 10 }).collect(),
            attractors: None,
            labelled: false,
            saliency: Some("saliency-latch"),
            note: "",
        },
        ProbeFigure {
            stem: "probe-position",
            task: "position",
            measure: Measure::Margin(POSITION),
            title: "position probe: the one `mark` labelled with its index mod 4, with and without positions",
            x_label: "index of the mark: words from the sentence's start",
            buckets: (0..10).map(|k| 4 * k..=4 * k + 3).collect(),
            attractors: None,
            labelled: true,
            saliency: None,
            note: ". Without positions only the sentence's start can tell a convolution where it is; a few points \
                   above chance for the Transformer without positions may come from its causal decoder, which can \
                   infer some position from its mask (Haviv et al. 2022)",
        },
        ProbeFigure {
            stem: "probe-reorder",
            task: "reorder",
            measure: Measure::Exact(&[(QUESTION, false), (STATEMENT, true)]),
            title: "reorder probe: questions (solid) against their statements (dashed)",
            x_label: "d: words the verb moves to the front in the question",
            buckets: (2..=10).map(|d| d..=d).collect(),
            attractors: None,
            labelled: false,
            saliency: None,
            note: "",
        },
        ProbeFigure {
            stem: "probe-length",
            task: "length",
            measure: Measure::Exact(&[(CONTRACTION, false)]),
            title: "length probe: clauses that contract `in the forest` → `metsässä`",
            x_label: "o: words the source runs ahead of the target",
            buckets: (0..=6).map(|o| o..=o).collect(),
            attractors: None,
            labelled: false,
            saliency: None,
            note: "",
        },
        ProbeFigure {
            stem: "probe-free-order",
            task: "free-order",
            measure: Measure::Exact(&[(FREE_ORDER, false), (FIXED_ORDER, true)]),
            title: "free-order probe: two valid word orders (solid) against one (dashed)",
            x_label: "adverbs between subject and verb",
            buckets: (0..=3).map(|d| d..=d).collect(),
            attractors: None,
            labelled: false,
            saliency: None,
            note: "",
        },
        ProbeFigure {
            stem: "probe-free-length",
            task: "free-length",
            measure: Measure::Exact(&[(FREE_LENGTH, false), (FIXED_LENGTH, true)]),
            title: "free-length probe: places with two valid lengths (solid) against one (dashed)",
            x_label: "o: target words after the place",
            buckets: (0..=5).map(|o| o..=o).collect(),
            attractors: None,
            labelled: false,
            saliency: None,
            note: "",
        },
    ]
}

/// The chance line across `positions` x positions: grey, dashed.
fn chance_line(positions: usize) -> Series {
    Series {
        name: "chance".into(),
        points: (0..positions).map(|k| (k as f64, CHANCE)).collect(),
        dashed: true,
        colour: CHANCE_COLOUR,
        ..Series::default()
    }
}

pub(crate) fn label(bucket: &RangeInclusive<i64>) -> String {
    let (a, b) = (bucket.start().abs(), bucket.end().abs());
    if a == b { a.to_string() } else { format!("{}-{}", a.min(b), a.max(b)) }
}

/// Draws every probe figure whose task has runs; returns them in report order.
pub fn write_probe_plots(dir: &Path, probes: &[ProbeRuns]) -> Result<Vec<Plot>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let mut plots = Vec::new();
    for figure in figures() {
        let models = figure.models(probes);
        if models.is_empty() {
            continue;
        }
        let lines: Vec<(&'static str, bool)> = match figure.measure {
            Measure::Margin(kind) => vec![(kind, false)],
            Measure::Exact(kinds) => kinds.to_vec(),
        };
        let measure = match figure.measure {
            Measure::Margin(_) => claims::Measure::Margin,
            Measure::Exact(_) => claims::Measure::Exact,
        };
        // Each position with the items it rests on (the first model's, over its seeds): the
        // models of a probe share its data, seed by seed.
        let labels: Vec<String> = figure
            .positions(lines[0].0)
            .into_iter()
            .map(|(label, bucket)| format!("{label} ({})", claims::items(models[0], measure, &bucket)))
            .collect();
        let mut series = Vec::new();
        let mut rows = Vec::new();
        for (k, model) in models.iter().enumerate() {
            let colour = figure.colour(k, model);
            for &(kind, dashed) in &lines {
                let name = if lines.len() > 1 { format!("{} {kind}", model.arch) } else { model.arch.clone() };
                let mut line = Series { name, colour, dashed, ..Series::default() };
                for (k, (position, bucket)) in figure.positions(kind).iter().enumerate() {
                    let accuracy: Option<Interval> = claims::accuracy(model, measure, bucket);
                    let Some(acc) = accuracy else { continue };
                    line.points.push((k as f64, acc.estimate));
                    line.band.push((k as f64, acc.low, acc.high));
                    rows.push(vec![
                        model.arch.clone(),
                        kind.to_string(),
                        position.clone(),
                        format!("{:.4}", acc.estimate),
                        format!("{:.4}", acc.low),
                        format!("{:.4}", acc.high),
                        model.runs.len().to_string(),
                        claims::items(model, measure, bucket).to_string(),
                    ]);
                }
                series.push(line);
            }
        }
        if let Measure::Margin(_) = figure.measure {
            series.push(chance_line(labels.len()));
        }
        let seeds = models.iter().map(|m| m.runs.len()).min().unwrap_or(0);
        let title = format!("{} ({seeds} seed{})", figure.title, if seeds == 1 { "" } else { "s" });
        let x_label = format!("{} (items scored, all seeds)", figure.x_label);
        let chart = LineChart {
            title: &title,
            x_label: &x_label,
            y_label: match figure.measure {
                Measure::Margin(_) => "decisive items right (%)",
                Measure::Exact(_) => "sentences translated exactly (%)",
            },
            series: &series,
            x_labels: Some(&labels),
            y_range: Some((0.0, 100.0)),
            log_y: false,
        };
        for ext in ["png", "svg"] {
            line_chart(&dir.join(format!("{}.{ext}", figure.stem)), &chart)?;
        }
        let x = if figure.attractors.is_some() { "attractors" } else { "distance" };
        let header = ["arch", "kind", x, "accuracy", "low95", "high95", "seeds", "items"];
        csv(&dir.join(format!("{}.csv", figure.stem)), &header, &rows)?;
        let how = match figure.measure {
            Measure::Margin(_) => "teacher-forced margin > 0 counts as right; dashed: chance",
            Measure::Exact(_) => "greedy translations, exact match (against any valid translation)",
        };
        let caption = format!("{title}: {how}; bands: 95 % bootstrap interval over seeds and sentences{}", figure.note);
        plots.push(Plot { stem: figure.stem.into(), caption });
    }
    plots.extend(write_latch_by_lag_plot(dir, probes)?);
    Ok(plots)
}

/// Claim 2a's figure: per maximum lag T, the share of seeds that learn the latch (solid) and the
/// accuracy on the longest lags, (T/2, T] (dashed, with its band).
fn write_latch_by_lag_plot(dir: &Path, probes: &[ProbeRuns]) -> Result<Option<Plot>, ReportError> {
    let rows = latch_curve::rows(probes);
    if rows.is_empty() {
        return Ok(None);
    }
    let labels: Vec<String> = rows.iter().map(|r| r.max_lag.to_string()).collect();
    let (mut series, mut csv_rows) = (Vec::new(), Vec::new());
    for arch in ["rnn", "lstm"] {
        let colour = colour(arch);
        let mut learned = Series { name: format!("{arch}: seeds that learn it"), colour, ..Series::default() };
        let mut longest =
            Series { name: format!("{arch}: accuracy, longest lags"), colour, dashed: true, ..Series::default() };
        for (k, row) in rows.iter().enumerate() {
            let Some(runs) = (if arch == "rnn" { row.rnn } else { row.lstm }) else { continue };
            let (won, all) = latch_curve::successes(runs, row.max_lag);
            let share = 100.0 * won as f64 / all.max(1) as f64;
            learned.points.push((k as f64, share));
            let bucket = Bucket::new(LATCH, latch_curve::longest_lags(row.max_lag));
            let acc = claims::accuracy(runs, claims::Measure::Margin, &bucket);
            if let Some(acc) = acc {
                longest.points.push((k as f64, acc.estimate));
                longest.band.push((k as f64, acc.low, acc.high));
            }
            csv_rows.push(vec![
                arch.to_string(),
                row.max_lag.to_string(),
                won.to_string(),
                all.to_string(),
                acc.map_or(String::new(), |a| format!("{:.4}", a.estimate)),
                acc.map_or(String::new(), |a| format!("{:.4}", a.low)),
                acc.map_or(String::new(), |a| format!("{:.4}", a.high)),
            ]);
        }
        series.extend([learned, longest]);
    }
    series.push(chance_line(labels.len()));
    let stem = "probe-latch-by-lag";
    let seeds = rows.iter().flat_map(|r| [r.rnn, r.lstm]).flatten().map(|runs| runs.runs.len()).max().unwrap_or(0);
    let title =
        format!("latch probe trained per maximum lag T: which models learn to carry the symbol ({seeds} seeds per T)");
    let title = title.as_str();
    let chart = LineChart {
        title,
        x_label: "T: the longest lag in training and test (lags 1…T)",
        y_label: "seeds that learn it (solid), answers right (dashed) (%)",
        series: &series,
        x_labels: Some(&labels),
        y_range: Some((0.0, 100.0)),
        log_y: false,
    };
    for ext in ["png", "svg"] {
        line_chart(&dir.join(format!("{stem}.{ext}")), &chart)?;
    }
    let header = ["arch", "max_lag", "seeds_learned", "seeds", "longest_lags_accuracy", "low95", "high95"];
    csv(&dir.join(format!("{stem}.csv")), &header, &csv_rows)?;
    let caption = format!(
        "{title}: solid, the share of seeds whose answer accuracy reaches {CONTROL_MIN:.0} % (Bengio, Simard & \
         Frasconi 1994's measure); dashed, the accuracy on the longest lags (T/2, T] with its 95 % bootstrap band \
         (where both lie at 100 %, the dashed line runs inside the solid one); grey, chance"
    );
    Ok(Some(Plot { stem: stem.into(), caption }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every architecture of the evolution and a variant each get a colour of their own, none the
    /// chance line's grey, none wrapping round the palette onto another.
    #[test]
    fn every_architecture_has_a_colour_of_its_own() {
        let mut colours: Vec<usize> = EVOLUTION.iter().map(|arch| colour(arch)).collect();
        colours.push(colour("lstm (delay = 4)"));
        assert!(colours.iter().all(|&c| c != CHANCE_COLOUR && c < seq2seq_plot::PALETTE.len()), "{colours:?}");
        let mut distinct = colours.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), colours.len(), "{colours:?}");
    }
}
