//! How a probe claim reads its runs: which items count (a [`Bucket`]), how each is scored (a
//! [`Measure`]), accuracies per bucket, and the winner's and loser's items paired by seed and
//! sentence for the bootstrap.

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use seq2seq_data::ProbeItem;
use seq2seq_train::probes::ProbeScore;

use crate::runs::{ProbeRun, ProbeRuns};
use crate::stats::{self, Interval, Unit};

/// How a probe's items are scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Decisive items right (teacher-forced margin > 0); chance 50 %.
    Margin,
    /// Sentences translated exactly (greedy), one per sentence; floor 0 %.
    Exact,
}

impl Measure {
    /// Whether `score` counts as right, if it was measured this way.
    fn right(self, score: &ProbeScore) -> Option<bool> {
        match self {
            Measure::Margin => Some(score.is_correct()),
            Measure::Exact => score.exact,
        }
    }

    pub(crate) fn chance(self) -> Option<f64> {
        match self {
            Measure::Margin => Some(50.0),
            Measure::Exact => None,
        }
    }
}

/// Decisive items of one kind in a distance range and, for `agreement-attract`, with an
/// attractor count in a range.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub kind: &'static str,
    pub distance: RangeInclusive<i64>,
    pub attractors: Option<RangeInclusive<usize>>,
}

impl Bucket {
    pub fn new(kind: &'static str, distance: RangeInclusive<i64>) -> Self {
        Bucket { kind, distance, attractors: None }
    }

    pub fn holds(&self, item: &ProbeItem) -> bool {
        item.kind == self.kind
            && self.distance.contains(&item.distance)
            && self.attractors.as_ref().is_none_or(|a| item.attractors.is_some_and(|n| a.contains(&n)))
    }

    /// `verb-agreement items at distance 6…20 with 1…2 attractors`.
    pub fn text(&self) -> String {
        let attractors = match &self.attractors {
            Some(a) if a.start() == a.end() => {
                format!(" with {} attractor{}", a.start(), if *a.start() == 1 { "" } else { "s" })
            }
            Some(a) => format!(" with {}…{} attractors", a.start(), a.end()),
            None => String::new(),
        };
        format!("{} items at distance {}{attractors}", self.kind, bucket_text(&self.distance))
    }
}

/// Per seed (matched by the run's seed), per sentence: the items of `bucket` both models
/// scored, right or not by `measure` (an exact match counts once per sentence).
pub(super) fn paired_units(measure: Measure, bucket: &Bucket, winner: &ProbeRuns, loser: &ProbeRuns) -> Vec<Vec<Unit>> {
    let mut seeds = Vec::new();
    for w in &winner.runs {
        let Some(l) = loser.runs.iter().find(|l| l.seed == w.seed) else { continue };
        let loser_items: HashMap<(usize, usize), &ProbeScore> =
            l.scores.iter().map(|s| ((s.sentence, s.item.target_index), s)).collect();
        let mut units: BTreeMap<usize, Unit> = BTreeMap::new();
        for ws in w.scores.iter().filter(|s| bucket.holds(&s.item)) {
            let Some(ls) = loser_items.get(&(ws.sentence, ws.item.target_index)) else { continue };
            let (Some(a), Some(b)) = (measure.right(ws), measure.right(ls)) else { continue };
            let unit = units.entry(ws.sentence).or_insert(Unit { winner: 0.0, loser: 0.0, items: 0.0 });
            if measure == Measure::Exact && unit.items > 0.0 {
                continue;
            }
            unit.winner += f64::from(u8::from(a));
            unit.loser += f64::from(u8::from(b));
            unit.items += 1.0;
        }
        seeds.push(units.into_values().collect());
    }
    seeds
}

/// One run's items of `bucket`, per sentence: `(right, items)`, scored by `measure` (an exact
/// match counts once per sentence).
fn sentence_scores(run: &ProbeRun, measure: Measure, bucket: &Bucket) -> Vec<(f64, f64)> {
    let mut by_sentence: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    for s in run.scores.iter().filter(|s| bucket.holds(&s.item)) {
        let Some(right) = measure.right(s) else { continue };
        let entry = by_sentence.entry(s.sentence).or_insert((0.0, 0.0));
        if measure == Measure::Exact && entry.1 > 0.0 {
            continue;
        }
        entry.0 += f64::from(u8::from(right));
        entry.1 += 1.0;
    }
    by_sentence.into_values().collect()
}

/// Accuracy (%) of `runs` on the items of `bucket`, scored by `measure`, pooled over seeds
/// (sentences resampled within seeds).
pub fn accuracy(runs: &ProbeRuns, measure: Measure, bucket: &Bucket) -> Option<Interval> {
    let seeds: Vec<Vec<(f64, f64)>> = runs.runs.iter().map(|run| sentence_scores(run, measure, bucket)).collect();
    stats::accuracy(&seeds)
}

/// How many items of `bucket` [`accuracy`] scores, over every seed of `runs` (a sentence once
/// for exact match).
pub fn items(runs: &ProbeRuns, measure: Measure, bucket: &Bucket) -> usize {
    let counted = runs.runs.iter().flat_map(|run| sentence_scores(run, measure, bucket)).map(|(_, n)| n).sum::<f64>();
    counted as usize
}

/// Accuracy (%) of one seed's run on the items of `bucket`, if it has any.
pub fn run_accuracy(run: &ProbeRun, measure: Measure, bucket: &Bucket) -> Option<f64> {
    let (right, items) = sentence_scores(run, measure, bucket).iter().fold((0.0, 0.0), |(r, n), (a, b)| (r + a, n + b));
    (items > 0.0).then(|| 100.0 * right / items)
}

fn bucket_text(bucket: &RangeInclusive<i64>) -> String {
    format!("{}…{}", bucket.start(), bucket.end())
}

/// The runs of `winner` and `loser` on `task`, or which of them are missing.
pub(super) fn find_pair<'a>(
    probes: &'a [ProbeRuns],
    task: &str,
    winner: &str,
    loser: &str,
) -> Result<(&'a ProbeRuns, &'a ProbeRuns), String> {
    let find = |arch: &str| probes.iter().find(|p| p.task == task && p.arch == arch);
    match (find(winner), find(loser)) {
        (Some(w), Some(l)) => Ok((w, l)),
        _ => {
            let absent: Vec<&str> = [winner, loser].into_iter().filter(|a| find(a).is_none()).collect();
            Err(format!("{} on `{task}`", absent.join(", ")))
        }
    }
}
