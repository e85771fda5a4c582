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
//!   models at floor / chance or at ceiling, or no parallel hardware to time.

use std::ops::RangeInclusive;

use seq2seq_data::minimal_pairs::{CONTRACTION, QUESTION, STATEMENT};
use seq2seq_data::probes::{ADJECTIVE_AGREEMENT, LATCH, VERB_AGREEMENT};

use crate::parallel::{self, ParallelTiming};
use crate::runs::{ArchRuns, ProbeRuns, Run};
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

/// A claim tested on a probe task: decisive items of one kind in a distance bucket.
pub struct ProbeClaim {
    pub number: &'static str,
    pub claim: &'static str,
    pub task: &'static str,
    pub kind: &'static str,
    pub decisive: RangeInclusive<i64>,
    /// The winner's control: items of this kind in this bucket.
    pub control: (&'static str, RangeInclusive<i64>),
    pub winner: (&'static str, Reach),
    pub loser: (&'static str, Reach),
    pub figure: &'static str,
}

/// The probe claims, fixed before any result was seen (`../shared/design/claims-probes.md`).
pub fn probe_claims() -> Vec<ProbeClaim> {
    vec![
        ProbeClaim {
            number: "1",
            claim: "Recurrence uses context beyond a fixed window",
            task: "agreement",
            kind: VERB_AGREEMENT,
            decisive: 3..=10,
            control: (VERB_AGREEMENT, 1..=2),
            winner: ("rnn", Reach::Left),
            loser: ("ann", Reach::Window(2)),
            figure: "plots/probe-agreement-verb.png",
        },
        ProbeClaim {
            number: "2a",
            claim: "An LSTM carries information over longer lags than an Elman RNN",
            task: "latch",
            kind: LATCH,
            decisive: 41..=100,
            control: (LATCH, 5..=20),
            winner: ("lstm", Reach::Left),
            loser: ("rnn", Reach::Left),
            figure: "plots/probe-latch.png",
        },
        ProbeClaim {
            number: "2b",
            claim: "An LSTM keeps long-distance agreement better than an Elman RNN",
            task: "agreement",
            kind: VERB_AGREEMENT,
            decisive: 11..=40,
            control: (VERB_AGREEMENT, 1..=2),
            winner: ("lstm", Reach::Left),
            loser: ("rnn", Reach::Left),
            figure: "plots/probe-agreement-verb.png",
        },
        ProbeClaim {
            number: "3",
            claim: "A BiRNN uses right context that one direction cannot see",
            task: "agreement",
            kind: ADJECTIVE_AGREEMENT,
            decisive: -4..=-1,
            control: (VERB_AGREEMENT, 1..=2),
            winner: ("birnn", Reach::Both),
            loser: ("lstm", Reach::Left),
            figure: "plots/probe-agreement-adjective.png",
        },
    ]
}

/// Per seed (matched by the run's seed), per sentence: the decisive items both models scored.
fn probe_units(claim: &ProbeClaim, winner: &ProbeRuns, loser: &ProbeRuns) -> (Vec<Vec<Unit>>, Vec<i64>) {
    let mut seeds = Vec::new();
    let mut distances = Vec::new();
    for w in &winner.runs {
        let Some(l) = loser.runs.iter().find(|l| l.seed == w.seed) else { continue };
        let (wp, lp) = (&w.scores, &l.scores);
        let decisive = |s: &&seq2seq_train::probes::ProbeScore| {
            s.item.kind == claim.kind && claim.decisive.contains(&s.item.distance)
        };
        let loser_items: std::collections::HashMap<(usize, usize), &seq2seq_train::probes::ProbeScore> =
            lp.iter().map(|s| ((s.sentence, s.item.target_index), s)).collect();
        let mut units: std::collections::BTreeMap<usize, Unit> = Default::default();
        for ws in wp.iter().filter(decisive) {
            let Some(ls) = loser_items.get(&(ws.sentence, ws.item.target_index)) else { continue };
            let unit = units.entry(ws.sentence).or_insert(Unit { a: 0.0, b: 0.0, items: 0.0 });
            unit.a += f64::from(u8::from(ws.is_correct()));
            unit.b += f64::from(u8::from(ls.is_correct()));
            unit.items += 1.0;
            distances.push(ws.item.distance);
        }
        seeds.push(units.into_values().collect());
    }
    (seeds, distances)
}

/// Accuracy (%) of `runs` on items of `kind` with a distance in `bucket`, pooled over seeds.
pub fn probe_accuracy(runs: &ProbeRuns, kind: &str, bucket: &RangeInclusive<i64>) -> Option<Interval> {
    let seeds: Vec<Vec<(f64, f64)>> = runs
        .runs
        .iter()
        .map(|run| &run.scores)
        .map(|scores| {
            let mut by_sentence: std::collections::BTreeMap<usize, (f64, f64)> = Default::default();
            for s in scores.iter().filter(|s| s.item.kind == kind && bucket.contains(&s.item.distance)) {
                let entry = by_sentence.entry(s.sentence).or_insert((0.0, 0.0));
                entry.0 += f64::from(u8::from(s.is_correct()));
                entry.1 += 1.0;
            }
            by_sentence.into_values().collect()
        })
        .collect();
    stats::accuracy(&seeds)
}

fn bucket_text(bucket: &RangeInclusive<i64>) -> String {
    format!("{}…{}", bucket.start(), bucket.end())
}

fn missing(
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
    let probe = format!(
        "`{}`: {} items at distance {} (control: {} at {})",
        claim.task,
        claim.kind,
        bucket_text(&claim.decisive),
        claim.control.0,
        bucket_text(&claim.control.1)
    );
    let pair = format!("`{winner_name}` vs `{loser_name}`");
    let (winner, loser) = match find_pair(probes, claim.task, winner_name, loser_name) {
        Ok(found) => found,
        Err(what) => return missing(claim.number, claim.claim, probe, pair, &what, Some(claim.figure.into())),
    };
    let (units, distances) = probe_units(claim, winner, loser);
    let seeds = units.iter().filter(|s| !s.is_empty()).count();
    let Some(delta) = stats::paired_difference(&units) else {
        return Claim {
            reason: format!(
                "too few items: no `{}` items at distance {} in these runs (a probe run with a smaller \
                 `max_distance`, as `--quick`'s, stops short of the bucket)",
                claim.kind,
                bucket_text(&claim.decisive)
            ),
            ..missing(claim.number, claim.claim, probe, pair, "", Some(claim.figure.into()))
        };
    };
    let share = |reach: Reach| distances.iter().filter(|&&d| reach.sees(d)).count() as f64 / distances.len() as f64;
    let accuracy = |runs: &ProbeRuns| probe_accuracy(runs, claim.kind, &claim.decisive).expect("items exist");
    let loser_interval = accuracy(loser);
    let evidence = Evidence {
        delta,
        per_seed: stats::per_seed_differences(&units),
        items: distances.len() / seeds.max(1),
        winner: accuracy(winner).estimate,
        loser: loser_interval.estimate,
        loser_interval,
        control: probe_accuracy(winner, claim.control.0, &claim.control.1).map(|i| i.estimate),
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

/// A claim tested on minimal pairs in the translation layout, by exact match: how much more the
/// hard sentences cost the loser than the winner, against the easy ones.
pub struct PairClaim {
    pub number: &'static str,
    pub claim: &'static str,
    pub task: &'static str,
    /// Sentences whose item is of this kind, in this distance bucket.
    pub hard: (&'static str, RangeInclusive<i64>),
    /// The same, for the easy sentences (also the winner's control).
    pub easy: (&'static str, RangeInclusive<i64>),
    pub winner: &'static str,
    pub loser: &'static str,
    pub figure: &'static str,
}

/// Claims 4 and 5, fixed before any result was seen.
pub fn pair_claims() -> Vec<PairClaim> {
    vec![
        PairClaim {
            number: "4",
            claim: "An encoder-decoder reorders words that one-output-per-position models cannot",
            task: "reorder",
            hard: (QUESTION, 5..=10),
            easy: (STATEMENT, 5..=10),
            winner: "encdec",
            loser: "birnn",
            figure: "plots/probe-reorder.png",
        },
        PairClaim {
            number: "5",
            claim: "An encoder-decoder changes length (`in the forest` → `metsässä`) where position-wise models cannot",
            task: "length",
            hard: (CONTRACTION, 3..=6),
            easy: (CONTRACTION, 0..=0),
            winner: "encdec",
            loser: "birnn",
            figure: "plots/probe-length.png",
        },
    ]
}

/// Per seed (matched by seed): the (hard, easy) sentences both models translated.
fn pair_units(claim: &PairClaim, winner: &ProbeRuns, loser: &ProbeRuns) -> Vec<(Vec<Unit>, Vec<Unit>)> {
    let exact_by_sentence = |scores: &[seq2seq_train::probes::ProbeScore],
                             (kind, bucket): &(&str, RangeInclusive<i64>)| {
        let mut sentences: std::collections::BTreeMap<usize, bool> = Default::default();
        for s in scores.iter().filter(|s| s.item.kind == *kind && bucket.contains(&s.item.distance)) {
            if let Some(exact) = s.exact {
                sentences.insert(s.sentence, exact);
            }
        }
        sentences
    };
    let mut seeds = Vec::new();
    for w in &winner.runs {
        let Some(l) = loser.runs.iter().find(|l| l.seed == w.seed) else { continue };
        let units = |bucket| {
            let (ws, ls) = (exact_by_sentence(&w.scores, bucket), exact_by_sentence(&l.scores, bucket));
            ws.iter()
                .filter_map(|(sentence, &a)| {
                    let &b = ls.get(sentence)?;
                    Some(Unit { a: f64::from(u8::from(a)), b: f64::from(u8::from(b)), items: 1.0 })
                })
                .collect::<Vec<Unit>>()
        };
        seeds.push((units(&claim.hard), units(&claim.easy)));
    }
    seeds
}

/// Exact match (%) of `runs` on sentences whose item is of `kind` in `bucket`, over seeds.
pub fn exact_accuracy(runs: &ProbeRuns, kind: &str, bucket: &RangeInclusive<i64>) -> Option<Interval> {
    let seeds: Vec<Vec<(f64, f64)>> = runs
        .runs
        .iter()
        .map(|run| {
            run.scores
                .iter()
                .filter(|s| s.item.kind == kind && bucket.contains(&s.item.distance))
                .filter_map(|s| s.exact.map(|e| (f64::from(u8::from(e)), 1.0)))
                .collect()
        })
        .collect();
    stats::accuracy(&seeds)
}

/// Judges one minimal-pair claim from the probe runs.
pub fn judge_pairs(claim: &PairClaim, probes: &[ProbeRuns]) -> Claim {
    let probe = format!(
        "`{}`: exact match, {} sentences at {} against {} sentences at {}",
        claim.task,
        claim.hard.0,
        bucket_text(&claim.hard.1),
        claim.easy.0,
        bucket_text(&claim.easy.1)
    );
    let pair = format!("`{}` vs `{}`", claim.winner, claim.loser);
    let (winner, loser) = match find_pair(probes, claim.task, claim.winner, claim.loser) {
        Ok(found) => found,
        Err(what) => return missing(claim.number, claim.claim, probe, pair, &what, Some(claim.figure.into())),
    };
    let units = pair_units(claim, winner, loser);
    let seeds = units.iter().filter(|(h, e)| !h.is_empty() && !e.is_empty()).count();
    let (Some(delta), Some(w_hard), Some(l_hard)) = (
        stats::difference_in_differences(&units),
        exact_accuracy(winner, claim.hard.0, &claim.hard.1),
        exact_accuracy(loser, claim.hard.0, &claim.hard.1),
    ) else {
        return missing(claim.number, claim.claim, probe, pair, "sentences in both buckets", Some(claim.figure.into()));
    };
    let items = units.iter().map(|(h, e)| h.len().min(e.len())).sum::<usize>() / seeds.max(1);
    let easy = |runs: &ProbeRuns| exact_accuracy(runs, claim.easy.0, &claim.easy.1).map(|i| i.estimate);
    let (w_easy, l_easy) = (easy(winner), easy(loser));
    let evidence = Evidence {
        delta,
        per_seed: stats::per_seed_differences_in_differences(&units),
        items,
        winner: w_hard.estimate,
        loser: l_hard.estimate,
        loser_interval: l_hard,
        control: w_easy,
        winner_answerable: 1.0,
        loser_answerable: 1.0,
        chance: None,
        margin: EXACT_MARGIN,
    };
    let (verdict, reason) = decide(&evidence);
    let cost = |runs: &ProbeRuns, easy: Option<f64>, hard: f64| {
        format!("{} {:.1} % → {hard:.1} %", runs.arch, easy.unwrap_or(0.0))
    };
    Claim {
        number: claim.number,
        claim: claim.claim,
        probe,
        pair,
        delta: Some(delta),
        seeds,
        verdict,
        reason: format!(
            "{reason}; easy → hard: {}, {}",
            cost(winner, w_easy, evidence.winner),
            cost(loser, l_easy, evidence.loser)
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
    let mut claims: Vec<Claim> = probe_claims().iter().map(|c| judge_probe(c, probes)).collect();
    claims.extend(pair_claims().iter().map(|c| judge_pairs(c, probes)));
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
        claim: "Transformers therefore train faster on parallel hardware",
        probe: "timed training step against length on 1 thread and all threads, with a matmul calibration".into(),
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

    use seq2seq_data::ProbeItem;
    use seq2seq_train::probes::ProbeScore;

    use crate::runs::ProbeRun;

    /// `runs` of `arch` on `task`: per seed, 400 sentences with one item each, at distance
    /// `1 + sentence % 10` and of `kind(sentence)`, right when `right(sentence)`.
    fn probe_runs(
        task: &str,
        arch: &str,
        kind: impl Fn(usize) -> &'static str,
        right: impl Fn(usize) -> bool,
    ) -> ProbeRuns {
        let runs = [42, 43]
            .map(|seed| ProbeRun {
                seed,
                parameters: 1,
                budget: Default::default(),
                saliency: None,
                scores: (0..400)
                    .map(|sentence| ProbeScore {
                        sentence,
                        item: ProbeItem {
                            kind: kind(sentence).into(),
                            target_index: 3,
                            controller: 0,
                            distance: 1 + (sentence % 10) as i64,
                            correct: "x".into(),
                            contrast: "y".into(),
                        },
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

        // Claim 4: the encoder-decoder translates everything; the BiRNN its statements but only
        // a third of its questions.
        let kind = |s: usize| if s % 2 == 0 { QUESTION } else { STATEMENT };
        let encdec = probe_runs("reorder", "encdec", kind, |_| true);
        let birnn = probe_runs("reorder", "birnn", kind, |s| s % 2 == 1 || s % 3 == 0);
        let claim = judge_pairs(&pair_claims()[0], &[encdec.clone(), birnn]);
        assert_eq!(claim.verdict, Verdict::Supported, "{}", claim.reason);
        assert!(claim.delta.unwrap().estimate > 50.0);
        // A BiRNN as good as the encoder-decoder: both at ceiling, nothing to tell apart.
        let perfect = probe_runs("reorder", "birnn", kind, |_| true);
        let claim = judge_pairs(&pair_claims()[0], &[encdec, perfect]);
        assert!(claim.reason.contains("ceiling"), "{}", claim.reason);
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
