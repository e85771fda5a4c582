//! The evolution table's claims, each tested by the probe that isolates it. Every claim's
//! probe, model pair, buckets and margin are fixed here, in code, before any result is seen:
//! they are never tuned to agree with the literature.
//!
//! A verdict compares the winner's and the loser's accuracy on the same decisive items (a paired,
//! hierarchical bootstrap over seeds and sentences, [`stats`](crate::stats)):
//! - *supported*: the whole 95 % interval of Δ = winner − loser lies above the margin δ, and Δ is
//!   positive in every seed;
//! - *not supported*: the whole interval lies below δ (*contradicted* when it lies below −δ);
//! - *not measurable here*: the interval straddles δ, or a precondition fails — a model missing,
//!   too few items, the winner has not learned the control bucket, most items unanswerable by
//!   construction, a cue leak (a model above chance where it cannot see the controller), both
//!   models at floor / chance or at ceiling, or too few timed lengths.
//! - Claims about what a harder bucket costs (2a: longer lags, 2b: attractors, 4 and 5: two valid
//!   forms) also need *both* models on their easy bucket, and judge the difference in differences
//!   ([`DropClaim`], [`latch_curve`]).

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use seq2seq_data::ProbeItem;
use seq2seq_data::free_forms::{FIXED_LENGTH, FIXED_ORDER, FREE_LENGTH, FREE_ORDER};
use seq2seq_data::probes::{ADJECTIVE_AGREEMENT, MAX_ATTRACTOR_PHRASES, VERB_AGREEMENT};
use seq2seq_train::probes::ProbeScore;

use crate::latch_curve;
use crate::parallel::{self, ParallelTiming};
use crate::runs::{ArchRuns, ProbeRun, ProbeRuns, Run};
use crate::stats::{self, Interval, Unit};

/// Margin for decisive-token accuracy (chance 50 %), in points.
pub const TOKEN_MARGIN: f64 = 5.0;
/// Margin for exact match, in points.
pub const EXACT_MARGIN: f64 = 3.0;
/// The winner must reach this accuracy (%) on the control bucket.
pub const CONTROL_MIN: f64 = 95.0;
/// Fewer decisive items than this (per seed, on average) cannot decide a claim.
pub const MIN_ITEMS: usize = 100;
/// Both models at or above this accuracy (%): a ceiling, nothing to tell apart.
pub const CEILING: f64 = 98.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    NotSupported,
    NotMeasurable,
    /// A fact of the architecture, counted rather than measured.
    Counted,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not supported",
            Verdict::NotMeasurable => "not measurable here",
            Verdict::Counted => "counted (by construction)",
        }
    }
}

/// One row of the report's claims table.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub number: &'static str,
    pub claim: &'static str,
    pub probe: String,
    /// `winner vs loser`.
    pub pair: String,
    /// Winner − loser, points, with its 95 % interval.
    pub delta: Option<Interval>,
    pub seeds: usize,
    pub verdict: Verdict,
    pub reason: String,
    /// The figure that shows it (relative to the report), if any.
    pub figure: Option<String>,
}

/// What a model can see from the slot it answers at, by construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A window of this many words on each side (the ANN).
    Window(i64),
    /// Everything up to and including its slot (left-to-right recurrent models).
    Left,
    /// Everything up to this many words past its slot (a left-to-right model with a delay, wait-k).
    Ahead(i64),
    /// The whole sentence (bidirectional models, encoders).
    Both,
}

impl Reach {
    /// Whether a controller `distance` words before the decisive word (negative: after) is in view.
    pub fn sees(self, distance: i64) -> bool {
        match self {
            Reach::Window(w) => distance.abs() <= w,
            Reach::Left => distance >= 0,
            Reach::Ahead(k) => distance >= -k,
            Reach::Both => true,
        }
    }
}

/// Everything a verdict is decided from.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// Winner − loser on the decisive items (points).
    pub delta: Interval,
    /// The same difference within each seed alone.
    pub per_seed: Vec<f64>,
    /// Decisive items per seed, on average.
    pub items: usize,
    /// Mean accuracies (%) on the decisive items.
    pub winner: f64,
    pub loser: f64,
    /// The loser's accuracy interval, for the cue-leak check.
    pub loser_interval: Interval,
    /// The winner's accuracy (%) on its control bucket.
    pub control: Option<f64>,
    /// The loser's accuracy (%) on the easy bucket, for claims about degradation with distance
    /// (both models must have learned the task); `None` where the loser cannot see by construction.
    pub loser_control: Option<f64>,
    /// Share of decisive items whose controller the winner / the loser can see.
    pub winner_answerable: f64,
    pub loser_answerable: f64,
    /// Accuracy by guessing (50 for a two-way choice), or `None` (exact match: the floor is 0).
    pub chance: Option<f64>,
    pub margin: f64,
}

/// The verdict and its reason, from the evidence alone (preconditions first).
pub fn decide(e: &Evidence) -> (Verdict, String) {
    let nm = |reason: String| (Verdict::NotMeasurable, reason);
    if e.items < MIN_ITEMS {
        return nm(format!("too few items: {} decisive items per seed (needs {MIN_ITEMS})", e.items));
    }
    if e.winner_answerable < 0.5 {
        return nm(format!(
            "unanswerable by construction: the winner can see the controller of only {:.0} % of the decisive items",
            100.0 * e.winner_answerable
        ));
    }
    if let Some(control) = e.control.filter(|&c| c < CONTROL_MIN) {
        return nm(format!(
            "control not learned: the winner scores {control:.1} % on the control bucket (needs {CONTROL_MIN:.0} %)"
        ));
    }
    if let Some(control) = e.loser_control.filter(|&c| c < CONTROL_MIN) {
        return nm(format!(
            "the loser never learned the task: it scores {control:.1} % on the easy bucket (needs {CONTROL_MIN:.0} %), \
             so its failure on the hard one is no win"
        ));
    }
    let floor = e.chance.unwrap_or(0.0);
    if e.loser_answerable == 0.0 && e.loser_interval.low > floor + e.margin {
        return nm(format!(
            "cue leak: the loser scores {:.1} % [{:.1}, {:.1}] where it cannot see the controller (chance {floor:.0} %)",
            e.loser, e.loser_interval.low, e.loser_interval.high
        ));
    }
    if e.winner >= CEILING && e.loser >= CEILING {
        return nm(format!("both at ceiling ({:.1} % and {:.1} %): nothing to tell apart", e.winner, e.loser));
    }
    if (e.winner - floor).abs() < e.margin && (e.loser - floor).abs() < e.margin {
        let what = if e.chance.is_some() { "chance" } else { "the floor" };
        return nm(format!("both at {what} ({:.1} % and {:.1} %): neither learned the task", e.winner, e.loser));
    }
    let d = &e.delta;
    if d.low > e.margin && e.per_seed.iter().all(|&x| x > 0.0) {
        (
            Verdict::Supported,
            format!(
                "the whole 95 % interval of Δ {} lies above the {:.0}-point margin, and Δ > 0 in every seed",
                d.text(),
                e.margin
            ),
        )
    } else if d.high < -e.margin {
        (
            Verdict::NotSupported,
            format!("contradicted: Δ {} lies below −{:.0} points — the loser is better", d.text(), e.margin),
        )
    } else if d.high < e.margin {
        (Verdict::NotSupported, format!("Δ {} lies below the margin of {:.0} points", d.text(), e.margin))
    } else if d.low > e.margin {
        nm(format!("Δ {} is above the margin overall, but not positive in every seed ({:?})", d.text(), e.per_seed))
    } else {
        nm(format!("inconclusive: Δ {} straddles the margin of {:.0} points", d.text(), e.margin))
    }
}

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

    fn chance(self) -> Option<f64> {
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

/// A claim tested on a probe task: decisive items of one kind in a distance bucket.
pub struct ProbeClaim {
    pub number: &'static str,
    pub claim: &'static str,
    pub task: &'static str,
    pub decisive: Bucket,
    /// The winner's control.
    pub control: Bucket,
    pub winner: (&'static str, Reach),
    pub loser: (&'static str, Reach),
    pub figure: &'static str,
}

/// The claims about what a model can see (1: a window against recurrence; 3: one direction
/// against two), fixed before any result was seen: the loser cannot see the controller by
/// construction, so only the winner must pass the control.
pub fn probe_claims() -> [ProbeClaim; 2] {
    [
        ProbeClaim {
            number: "1",
            claim: "Recurrence uses context beyond a fixed window",
            task: "agreement",
            decisive: Bucket::new(VERB_AGREEMENT, 3..=10),
            control: Bucket::new(VERB_AGREEMENT, 1..=2),
            winner: ("rnn", Reach::Left),
            loser: ("ann", Reach::Window(2)),
            figure: "plots/probe-agreement-verb.png",
        },
        ProbeClaim {
            number: "3",
            claim: "A BiRNN uses right context that one direction cannot see",
            task: "agreement",
            decisive: Bucket::new(ADJECTIVE_AGREEMENT, -4..=-1),
            control: Bucket::new(VERB_AGREEMENT, 1..=2),
            winner: ("birnn", Reach::Both),
            loser: ("lstm", Reach::Left),
            figure: "plots/probe-agreement-adjective.png",
        },
    ]
}

/// Per seed (matched by the run's seed), per sentence: the items of `bucket` both models
/// scored, right or not by `measure` (an exact match counts once per sentence).
fn paired_units(measure: Measure, bucket: &Bucket, winner: &ProbeRuns, loser: &ProbeRuns) -> Vec<Vec<Unit>> {
    let mut seeds = Vec::new();
    for w in &winner.runs {
        let Some(l) = loser.runs.iter().find(|l| l.seed == w.seed) else { continue };
        let loser_items: HashMap<(usize, usize), &ProbeScore> =
            l.scores.iter().map(|s| ((s.sentence, s.item.target_index), s)).collect();
        let mut units: BTreeMap<usize, Unit> = BTreeMap::new();
        for ws in w.scores.iter().filter(|s| bucket.holds(&s.item)) {
            let Some(ls) = loser_items.get(&(ws.sentence, ws.item.target_index)) else { continue };
            let (Some(a), Some(b)) = (measure.right(ws), measure.right(ls)) else { continue };
            let unit = units.entry(ws.sentence).or_insert(Unit { a: 0.0, b: 0.0, items: 0.0 });
            if measure == Measure::Exact && unit.items > 0.0 {
                continue;
            }
            unit.a += f64::from(u8::from(a));
            unit.b += f64::from(u8::from(b));
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

/// Accuracy (%) of one seed's run on the items of `bucket`, if it has any.
pub fn run_accuracy(run: &ProbeRun, measure: Measure, bucket: &Bucket) -> Option<f64> {
    let (right, items) = sentence_scores(run, measure, bucket).iter().fold((0.0, 0.0), |(r, n), (a, b)| (r + a, n + b));
    (items > 0.0).then(|| 100.0 * right / items)
}

pub(crate) fn bucket_text(bucket: &RangeInclusive<i64>) -> String {
    format!("{}…{}", bucket.start(), bucket.end())
}

pub(crate) fn missing(
    number: &'static str,
    claim: &'static str,
    probe: String,
    pair: String,
    what: &str,
    figure: Option<String>,
) -> Claim {
    Claim {
        number,
        claim,
        probe,
        pair,
        delta: None,
        seeds: 0,
        verdict: Verdict::NotMeasurable,
        reason: format!("not trained in this comparison: {what}"),
        figure,
    }
}

/// The runs of `winner` and `loser` on `task`, or which of them are missing.
fn find_pair<'a>(
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

/// Judges one probe claim from the probe runs.
pub fn judge_probe(claim: &ProbeClaim, probes: &[ProbeRuns]) -> Claim {
    let (winner_name, winner_reach) = claim.winner;
    let (loser_name, loser_reach) = claim.loser;
    let probe = format!("`{}`: {} (control: {})", claim.task, claim.decisive.text(), claim.control.text());
    let pair = format!("`{winner_name}` vs `{loser_name}`");
    let (winner, loser) = match find_pair(probes, claim.task, winner_name, loser_name) {
        Ok(found) => found,
        Err(what) => return missing(claim.number, claim.claim, probe, pair, &what, Some(claim.figure.into())),
    };
    let units = paired_units(Measure::Margin, &claim.decisive, winner, loser);
    let distances: Vec<i64> = winner
        .runs
        .iter()
        .filter(|w| loser.runs.iter().any(|l| l.seed == w.seed))
        .flat_map(|w| w.scores.iter().filter(|s| claim.decisive.holds(&s.item)).map(|s| s.item.distance))
        .collect();
    let seeds = units.iter().filter(|s| !s.is_empty()).count();
    let Some(delta) = stats::paired_difference(&units) else {
        return Claim {
            reason: format!(
                "too few items: no {} in these runs (a probe run with a smaller `max_distance`, as `--quick`'s, \
                 stops short of the bucket)",
                claim.decisive.text()
            ),
            ..missing(claim.number, claim.claim, probe, pair, "", Some(claim.figure.into()))
        };
    };
    let share = |reach: Reach| distances.iter().filter(|&&d| reach.sees(d)).count() as f64 / distances.len() as f64;
    let accuracy_of = |runs: &ProbeRuns| accuracy(runs, Measure::Margin, &claim.decisive).expect("items exist");
    let loser_interval = accuracy_of(loser);
    let evidence = Evidence {
        delta,
        per_seed: stats::per_seed_differences(&units),
        items: distances.len() / seeds.max(1),
        winner: accuracy_of(winner).estimate,
        loser: loser_interval.estimate,
        loser_interval,
        control: accuracy(winner, Measure::Margin, &claim.control).map(|i| i.estimate),
        loser_control: None,
        winner_answerable: share(winner_reach),
        loser_answerable: share(loser_reach),
        chance: Some(50.0),
        margin: TOKEN_MARGIN,
    };
    let (verdict, reason) = decide(&evidence);
    Claim {
        number: claim.number,
        claim: claim.claim,
        probe,
        pair,
        delta: Some(delta),
        seeds,
        verdict,
        reason: format!("{reason}; {} {:.1} %, {} {:.1} %", winner_name, evidence.winner, loser_name, evidence.loser),
        figure: Some(claim.figure.into()),
    }
}

/// A claim about what a harder bucket costs (longer distances, attractors, two valid forms): how
/// much more the hard bucket costs the loser than the winner, against an easy bucket both must
/// pass (the difference in differences).
pub struct DropClaim {
    pub number: &'static str,
    pub claim: &'static str,
    pub task: &'static str,
    pub measure: Measure,
    pub hard: Bucket,
    /// Both models must reach [`CONTROL_MIN`] here: a loser that fails even the easy items
    /// never learned the task, and its failure on the hard ones is no win.
    pub easy: Bucket,
    pub winner: &'static str,
    pub loser: &'static str,
    /// Points Δ must clear.
    pub margin: f64,
    pub figure: &'static str,
}

/// Margin for the free-form probes (claims 4 and 5), in points of exact match.
pub const FREE_FORM_MARGIN: f64 = 10.0;

/// Claims 2b, 4 and 5, fixed before any result was seen.
pub fn drop_claims() -> [DropClaim; 3] {
    [
        DropClaim {
            number: "2b",
            claim: "An LSTM keeps agreement across attractors better than an Elman RNN",
            task: "agreement-attract",
            measure: Measure::Margin,
            hard: Bucket { attractors: Some(1..=MAX_ATTRACTOR_PHRASES), ..Bucket::new(VERB_AGREEMENT, 6..=20) },
            easy: Bucket { attractors: Some(0..=0), ..Bucket::new(VERB_AGREEMENT, 6..=20) },
            winner: "lstm",
            loser: "rnn",
            margin: TOKEN_MARGIN,
            figure: "plots/probe-agreement-attract.png",
        },
        DropClaim {
            number: "4",
            claim: "An autoregressive decoder commits to one of two valid word orders; a position-wise tagger mixes them",
            task: "free-order",
            measure: Measure::Exact,
            hard: Bucket::new(FREE_ORDER, 0..=3),
            easy: Bucket::new(FIXED_ORDER, 0..=3),
            winner: "encdec",
            loser: "birnn",
            margin: FREE_FORM_MARGIN,
            figure: "plots/probe-free-order.png",
        },
        DropClaim {
            number: "5",
            claim: "An autoregressive decoder commits to one of two valid lengths (`metsässä` / `metsän sisällä`); a position-wise tagger mixes them",
            task: "free-length",
            measure: Measure::Exact,
            hard: Bucket::new(FREE_LENGTH, 3..=5),
            easy: Bucket::new(FIXED_LENGTH, 3..=5),
            winner: "encdec",
            loser: "birnn",
            margin: FREE_FORM_MARGIN,
            figure: "plots/probe-free-length.png",
        },
    ]
}

/// `lstm 99.0 % → 97.5 %`: a model's accuracy on the easy bucket, then on the hard one.
pub(crate) fn cost(arch: &str, easy: Option<f64>, hard: f64) -> String {
    format!("{arch} {:.1} % → {hard:.1} %", easy.unwrap_or(0.0))
}

/// Judges one degradation claim from the probe runs.
pub fn judge_drop(claim: &DropClaim, probes: &[ProbeRuns]) -> Claim {
    let probe = format!("`{}`: {} against {}", claim.task, claim.hard.text(), claim.easy.text());
    let probe = match claim.measure {
        Measure::Exact => format!("{probe}, exact match"),
        Measure::Margin => probe,
    };
    let pair = format!("`{}` vs `{}`", claim.winner, claim.loser);
    let (winner, loser) = match find_pair(probes, claim.task, claim.winner, claim.loser) {
        Ok(found) => found,
        Err(what) => return missing(claim.number, claim.claim, probe, pair, &what, Some(claim.figure.into())),
    };
    let hard = paired_units(claim.measure, &claim.hard, winner, loser);
    let easy = paired_units(claim.measure, &claim.easy, winner, loser);
    let units: Vec<(Vec<Unit>, Vec<Unit>)> = hard.into_iter().zip(easy).collect();
    let seeds = units.iter().filter(|(h, e)| !h.is_empty() && !e.is_empty()).count();
    let (Some(delta), Some(w_hard), Some(l_hard)) = (
        stats::difference_in_differences(&units),
        accuracy(winner, claim.measure, &claim.hard),
        accuracy(loser, claim.measure, &claim.hard),
    ) else {
        return missing(claim.number, claim.claim, probe, pair, "items in both buckets", Some(claim.figure.into()));
    };
    let items = units.iter().map(|(h, e)| h.len().min(e.len())).sum::<usize>() / seeds.max(1);
    let easy = |runs: &ProbeRuns| accuracy(runs, claim.measure, &claim.easy).map(|i| i.estimate);
    let (w_easy, l_easy) = (easy(winner), easy(loser));
    let per_seed = |runs: &ProbeRuns| {
        let seeds: Vec<String> = runs
            .runs
            .iter()
            .filter_map(|run| {
                run_accuracy(run, claim.measure, &claim.easy).map(|a| format!("{a:.1} % (seed {})", run.seed))
            })
            .collect();
        seeds.join(", ")
    };
    let evidence = Evidence {
        delta,
        per_seed: stats::per_seed_differences_in_differences(&units),
        items,
        winner: w_hard.estimate,
        loser: l_hard.estimate,
        loser_interval: l_hard,
        control: w_easy,
        loser_control: Some(l_easy.unwrap_or(0.0)),
        winner_answerable: 1.0,
        loser_answerable: 1.0,
        chance: claim.measure.chance(),
        margin: claim.margin,
    };
    let (verdict, reason) = decide(&evidence);
    Claim {
        number: claim.number,
        claim: claim.claim,
        probe,
        pair,
        delta: Some(delta),
        seeds,
        verdict,
        reason: format!(
            "{reason}; easy → hard: {}, {}{}{}",
            cost(&winner.arch, w_easy, evidence.winner),
            cost(&loser.arch, l_easy, evidence.loser),
            match claim.measure {
                Measure::Exact => format!(
                    "; hard sentences translated as none of their valid forms (mixed or wrong): {} {:.1} %, {} {:.1} %",
                    winner.arch,
                    100.0 - evidence.winner,
                    loser.arch,
                    100.0 - evidence.loser
                ),
                Measure::Margin => String::new(),
            },
            // A model below the easy bucket's bar: is it every seed, or one that never took off?
            [(winner, w_easy), (loser, l_easy)]
                .iter()
                .filter(|(_, easy)| easy.is_some_and(|e| e < CONTROL_MIN))
                .map(|(runs, _)| format!("; {} on the easy bucket per seed: {}", runs.arch, per_seed(runs)))
                .collect::<String>()
        ),
        figure: Some(claim.figure.into()),
    }
}

/// Claim 6 on the main comparison: exact match on long sentences, attention against the fixed
/// context vector, per sentence of the test split.
pub fn judge_bottleneck(number: &'static str, winner_name: &'static str, groups: &[ArchRuns]) -> Claim {
    const LONG: usize = 20;
    const SHORT: usize = 10;
    let claim = "The fixed-length context vector is a bottleneck for long sentences; attention removes it";
    let probe = format!("toy-fi test sentences of {LONG}+ words, exact match (control: under {SHORT} words)");
    let pair = format!("`{winner_name}` vs `encdec`");
    let find = |arch: &str| groups.iter().find(|g| g.arch == arch);
    let (Some(winner), Some(loser)) = (find(winner_name), find("encdec")) else {
        return missing(number, claim, probe, pair, &format!("{winner_name} or encdec"), None);
    };
    let sentences = |run: &Run| run.sentences().unwrap_or_default();
    let mut units = Vec::new();
    let (mut control_right, mut control_all) = (0usize, 0usize);
    let (mut w_right, mut l_right, mut long) = (Vec::new(), Vec::new(), 0usize);
    // Only runs of one seed on the same data share a test split, sentence for sentence.
    let mut paired = 0;
    for w in &winner.runs {
        let same_split = |l: &&Run| l.config.seed == w.config.seed && l.config.data == w.config.data;
        let Some(l) = loser.runs.iter().find(same_split) else { continue };
        paired += 1;
        let (ws, ls) = (sentences(w), sentences(l));
        let mut seed_units = Vec::new();
        for (a, b) in ws.iter().zip(&ls).filter(|(a, b)| a.words == b.words) {
            if a.words < SHORT {
                control_all += 1;
                control_right += usize::from(a.exact);
            }
            if a.words >= LONG {
                let unit = Unit { a: f64::from(u8::from(a.exact)), b: f64::from(u8::from(b.exact)), items: 1.0 };
                seed_units.push(unit);
                long += 1;
            }
        }
        w_right.push(seed_units.iter().map(|u| (u.a, 1.0)).collect::<Vec<_>>());
        l_right.push(seed_units.iter().map(|u| (u.b, 1.0)).collect::<Vec<_>>());
        units.push(seed_units);
    }
    let seeds = units.iter().filter(|s| !s.is_empty()).count();
    let (Some(delta), Some(w_acc), Some(l_acc)) =
        (stats::paired_difference(&units), stats::accuracy(&w_right), stats::accuracy(&l_right))
    else {
        let reason = if paired == 0 {
            format!("no run of `{winner_name}` shares its seed and data (its test split) with one of `encdec`")
        } else {
            format!("no test sentences of {LONG}+ words (the runs' `max_len` keeps them shorter)")
        };
        return Claim { reason, figure: None, ..missing(number, claim, probe, pair, "", None) };
    };
    let evidence = Evidence {
        delta,
        per_seed: stats::per_seed_differences(&units),
        items: long / seeds.max(1),
        winner: w_acc.estimate,
        loser: l_acc.estimate,
        loser_interval: l_acc,
        control: (control_all > 0).then(|| 100.0 * control_right as f64 / control_all as f64),
        loser_control: None,
        winner_answerable: 1.0,
        loser_answerable: 1.0,
        chance: None,
        margin: EXACT_MARGIN,
    };
    let (verdict, reason) = decide(&evidence);
    Claim {
        number,
        claim,
        probe,
        pair,
        delta: Some(delta),
        seeds,
        verdict,
        reason: format!("{reason}; {winner_name} {:.1} %, encdec {:.1} %", evidence.winner, evidence.loser),
        figure: Some("plots/exact-by-length.png".into()),
    }
}

/// Every claim of the evolution table, in order.
pub fn judge_all(groups: &[ArchRuns], probes: &[ProbeRuns], timing: Option<&ParallelTiming>) -> Vec<Claim> {
    let [window, look_ahead] = probe_claims().map(|c| judge_probe(&c, probes));
    let [attractors, reorder, length] = drop_claims().map(|c| judge_drop(&c, probes));
    let mut claims = vec![window, latch_curve::judge(probes), attractors, look_ahead, reorder, length];
    claims.push(Claim {
        number: "5b",
        claim: "A position-wise model emits at most one word per source word (plus its slack slots)",
        probe: "counted: a target longer than source + slack is out of reach (the results table's ceiling column)"
            .into(),
        pair: "`encdec` vs `birnn`".into(),
        delta: None,
        seeds: 0,
        verdict: Verdict::Counted,
        reason: "a property of the layout: slot j emits target word j, and there are as many slots as source words \
                 plus slack"
            .into(),
        figure: None,
    });
    claims.push(judge_bottleneck("6a", "luong", groups));
    claims.push(judge_bottleneck("6b", "bahdanau", groups));
    claims.push(Claim {
        number: "7a",
        claim: "A Transformer layer needs O(1) sequential steps where a recurrent layer needs O(n)",
        probe: "sequential steps per training step, counted (see the table below)".into(),
        pair: "`transformer` vs `luong`".into(),
        delta: None,
        seeds: 0,
        verdict: Verdict::Counted,
        reason: "a property of the computation graph (Vaswani et al. 2017, Table 1), not a measurement".into(),
        figure: None,
    });
    let (verdict, reason) = timing.map(parallel::judge).unwrap_or_else(|| {
        let reason = "not timed: the comparison writes parallel-timing.json (`compare` without --quick)";
        (Verdict::NotMeasurable, reason.into())
    });
    claims.push(Claim {
        number: "7b",
        claim: "Transformers suit parallel hardware: as sentences grow, a recurrent step's products shrink to the batch, a Transformer's keep every token",
        probe: "achieved GFLOP/s of a training step (its counted operations over its median time, one thread) against length n at 1,024 target tokens".into(),
        pair: "`transformer` vs `luong`".into(),
        delta: None,
        seeds: 0,
        verdict,
        reason,
        figure: None,
    });
    claims
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(low: f64, high: f64) -> Evidence {
        let interval = Interval { estimate: (low + high) / 2.0, low, high };
        Evidence {
            delta: interval,
            per_seed: vec![interval.estimate; 3],
            items: 300,
            winner: 90.0,
            loser: 90.0 - interval.estimate,
            loser_interval: Interval { estimate: 60.0, low: 55.0, high: 65.0 },
            control: Some(99.0),
            loser_control: None,
            winner_answerable: 1.0,
            loser_answerable: 1.0,
            chance: Some(50.0),
            margin: 5.0,
        }
    }

    #[test]
    fn the_interval_against_the_margin_decides() {
        assert_eq!(decide(&evidence(20.0, 40.0)).0, Verdict::Supported);
        let (verdict, reason) = decide(&evidence(-2.0, 4.0));
        assert_eq!(verdict, Verdict::NotSupported);
        assert!(!reason.contains("contradicted"), "{reason}");
        let (verdict, reason) = decide(&evidence(-30.0, -10.0));
        assert_eq!(verdict, Verdict::NotSupported);
        assert!(reason.contains("contradicted"), "{reason}");
        let (verdict, reason) = decide(&evidence(2.0, 12.0));
        assert_eq!(verdict, Verdict::NotMeasurable);
        assert!(reason.contains("straddles"), "{reason}");
        // Above the margin overall but one seed went the other way.
        let mut e = evidence(20.0, 40.0);
        e.per_seed[1] = -1.0;
        assert_eq!(decide(&e).0, Verdict::NotMeasurable);
    }

    #[test]
    fn every_failed_precondition_is_named() {
        let cases: Vec<(Box<dyn Fn(&mut Evidence)>, &str)> = vec![
            (Box::new(|e| e.items = 40), "too few items"),
            (Box::new(|e| e.winner_answerable = 0.2), "unanswerable by construction"),
            (Box::new(|e| e.control = Some(80.0)), "control not learned"),
            (Box::new(|e| e.loser_control = Some(60.0)), "the loser never learned the task"),
            (
                Box::new(|e| {
                    e.loser_answerable = 0.0;
                    e.loser_interval = Interval { estimate: 75.0, low: 70.0, high: 80.0 };
                }),
                "cue leak",
            ),
            (
                Box::new(|e| {
                    e.winner = 99.5;
                    e.loser = 99.0;
                }),
                "ceiling",
            ),
            (
                Box::new(|e| {
                    e.winner = 52.0;
                    e.loser = 49.0;
                }),
                "chance",
            ),
            (
                Box::new(|e| {
                    e.chance = None;
                    e.winner = 1.0;
                    e.loser = 0.0;
                }),
                "floor",
            ),
        ];
        for (change, words) in cases {
            let mut e = evidence(20.0, 40.0);
            change(&mut e);
            let (verdict, reason) = decide(&e);
            assert_eq!(verdict, Verdict::NotMeasurable, "{words}: {reason}");
            assert!(reason.contains(words), "expected `{words}` in: {reason}");
        }
        // A loser that cannot see the controller but sits at chance is no leak.
        let mut e = evidence(20.0, 40.0);
        e.loser_answerable = 0.0;
        e.loser_interval = Interval { estimate: 51.0, low: 47.0, high: 55.0 };
        assert_eq!(decide(&e).0, Verdict::Supported);
    }

    #[test]
    fn reach_by_construction() {
        assert!(Reach::Window(2).sees(2) && Reach::Window(2).sees(-2) && !Reach::Window(2).sees(3));
        assert!(Reach::Left.sees(40) && !Reach::Left.sees(-1));
        assert!(Reach::Ahead(2).sees(40) && Reach::Ahead(2).sees(-2) && !Reach::Ahead(2).sees(-3));
        assert!(Reach::Both.sees(-4));
    }

    use crate::runs::ProbeRun;

    /// `runs` of `arch` on `task`: per seed, 400 sentences with one item each, at distance
    /// `1 + sentence % 10` and of `kind(sentence)`, right when `right(sentence)`.
    fn probe_runs(
        task: &str,
        arch: &str,
        kind: impl Fn(usize) -> &'static str,
        right: impl Fn(usize) -> bool,
    ) -> ProbeRuns {
        let item = |sentence: usize| ProbeItem {
            kind: kind(sentence).into(),
            target_index: 3,
            controller: 0,
            distance: 1 + (sentence % 10) as i64,
            correct: "x".into(),
            contrast: "y".into(),
            attractors: None,
        };
        runs_of(task, arch, item, right)
    }

    /// `runs` of `arch` on `agreement-attract`: per seed, 400 sentences, the verb `6 + sentence %
    /// 15` words after its subject across `sentence % 3` attractors, right when `right(sentence)`.
    fn attract_runs(arch: &str, right: impl Fn(usize) -> bool) -> ProbeRuns {
        let item = |sentence: usize| ProbeItem {
            kind: VERB_AGREEMENT.into(),
            target_index: 8,
            controller: 1,
            distance: 6 + (sentence % 15) as i64,
            correct: "vieraili".into(),
            contrast: "vierailivat".into(),
            attractors: Some(sentence % 3),
        };
        runs_of("agreement-attract", arch, item, right)
    }

    fn runs_of(task: &str, arch: &str, item: impl Fn(usize) -> ProbeItem, right: impl Fn(usize) -> bool) -> ProbeRuns {
        let runs = [42, 43]
            .map(|seed| ProbeRun {
                seed,
                parameters: 1,
                budget: Default::default(),
                saliency: None,
                scores: (0..400)
                    .map(|sentence| ProbeScore {
                        sentence,
                        item: item(sentence),
                        margin: if right(sentence) { 1.0 } else { -1.0 },
                        exact: Some(right(sentence)),
                    })
                    .collect(),
            })
            .to_vec();
        ProbeRuns {
            task: task.into(),
            arch: arch.into(),
            config: seq2seq_train::RunConfig { arch: arch.into(), ..Default::default() },
            runs,
        }
    }

    #[test]
    fn probe_runs_built_to_a_known_answer_get_it() {
        // Claim 1: the RNN is right everywhere; the ANN only within its window (N ≤ 2), at chance beyond.
        let rnn = probe_runs("agreement", "rnn", |_| VERB_AGREEMENT, |_| true);
        let ann = probe_runs("agreement", "ann", |_| VERB_AGREEMENT, |s| s % 10 < 2 || (s / 10) % 2 == 0);
        let claim = judge_probe(&probe_claims()[0], &[rnn.clone(), ann]);
        assert_eq!(claim.verdict, Verdict::Supported, "{}", claim.reason);
        assert_eq!(claim.seeds, 2);
        let delta = claim.delta.unwrap();
        assert!((delta.estimate - 50.0).abs() < 1e-9 && delta.low > 40.0, "{delta:?}");
        // The same ANN right everywhere beyond its window is a cue leak, not a result.
        let leaky = probe_runs("agreement", "ann", |_| VERB_AGREEMENT, |_| true);
        let claim = judge_probe(&probe_claims()[0], &[rnn, leaky]);
        assert!(claim.reason.contains("cue leak"), "{}", claim.reason);

        // Claim 4: the encoder-decoder translates everything; the BiRNN its one-order sentences
        // but only a third of those with two valid orders.
        let free_order_runs = |arch: &str, right: fn(usize) -> bool| {
            let item = |s: usize| ProbeItem {
                kind: (if s % 2 == 0 { FREE_ORDER } else { FIXED_ORDER }).into(),
                target_index: 0,
                controller: 0,
                distance: (s % 4) as i64,
                correct: "turistit".into(),
                contrast: "suomessa".into(),
                attractors: None,
            };
            runs_of("free-order", arch, item, right)
        };
        let encdec = free_order_runs("encdec", |_| true);
        let birnn = free_order_runs("birnn", |s| s % 2 == 1 || s % 3 == 0);
        let free_order = &drop_claims()[1];
        let claim = judge_drop(free_order, &[encdec.clone(), birnn]);
        assert_eq!(claim.verdict, Verdict::Supported, "{}", claim.reason);
        assert!(claim.delta.unwrap().estimate > 50.0);
        assert!(
            claim.reason.contains("none of their valid forms (mixed or wrong): encdec 0.0 %, birnn 66.5 %"),
            "{}",
            claim.reason
        );
        // A BiRNN as good as the encoder-decoder: both at ceiling, nothing to tell apart.
        let perfect = free_order_runs("birnn", |_| true);
        let claim = judge_drop(free_order, &[encdec.clone(), perfect]);
        assert!(claim.reason.contains("ceiling"), "{}", claim.reason);
        // A BiRNN that gets only half its one-order sentences right never learned the task: its
        // worse two-order ones are no win for the encoder-decoder.
        let untrained = free_order_runs("birnn", |s| s % 4 == 1);
        let claim = judge_drop(free_order, &[encdec, untrained]);
        assert_eq!(claim.verdict, Verdict::NotMeasurable, "{}", claim.reason);
        assert!(claim.reason.contains("the loser never learned the task"), "{}", claim.reason);
    }

    #[test]
    fn attractors_are_judged_by_the_difference_in_differences() {
        let claim = &drop_claims()[0];
        let lstm = attract_runs("lstm", |_| true);
        // Above the margin: the RNN loses 60 % of the items with attractors, none without.
        let rnn = attract_runs("rnn", |s| s % 3 == 0 || s % 5 < 2);
        let judged = judge_drop(claim, &[lstm.clone(), rnn]);
        assert_eq!(judged.verdict, Verdict::Supported, "{}", judged.reason);
        assert!((judged.delta.unwrap().estimate - 60.0).abs() < 1.0, "{:?}", judged.delta);
        assert!(judged.reason.contains("lstm 100.0 % → 100.0 %, rnn 100.0 % → 39.8 %"), "{}", judged.reason);
        // Below it: both drop alike, so the LSTM keeps nothing the RNN does not.
        let lstm_drops = attract_runs("lstm", |s| s % 3 == 0 || s % 5 < 2);
        let rnn = attract_runs("rnn", |s| s % 3 == 0 || s % 5 < 2);
        let judged = judge_drop(claim, &[lstm_drops, rnn]);
        assert_eq!(judged.verdict, Verdict::NotSupported, "{}", judged.reason);
        assert!(judged.delta.unwrap().estimate.abs() < 1e-9);
        // Straddling it: the RNN loses one item in twenty with attractors.
        let rnn = attract_runs("rnn", |s| s % 3 == 0 || s % 20 != 1);
        let judged = judge_drop(claim, &[lstm.clone(), rnn]);
        assert_eq!(judged.verdict, Verdict::NotMeasurable, "{}", judged.reason);
        assert!(judged.reason.contains("straddles"), "{}", judged.reason);
        // The RNN at chance even without attractors: it never learned agreement, no verdict; the
        // reason gives each seed's easy bucket.
        let rnn = attract_runs("rnn", |s| s % 2 == 0);
        let judged = judge_drop(claim, &[lstm, rnn]);
        assert!(judged.reason.contains("the loser never learned the task"), "{}", judged.reason);
        assert!(
            judged.reason.contains("rnn on the easy bucket per seed: 50.0 % (seed 42), 50.0 % (seed 43)"),
            "{}",
            judged.reason
        );
    }

    #[test]
    fn a_missing_model_is_not_measurable_and_named() {
        let claim = &probe_claims()[0];
        let judged = judge_probe(claim, &[]);
        assert_eq!(judged.verdict, Verdict::NotMeasurable);
        assert!(judged.reason.contains("rnn, ann"), "{}", judged.reason);
        assert!(judge_all(&[], &[], None).iter().all(|c| c.verdict != Verdict::Supported));
        let seven = judge_all(&[], &[], None).into_iter().find(|c| c.number == "7b").unwrap();
        assert!(seven.reason.contains("not timed"), "{}", seven.reason);
    }
}
