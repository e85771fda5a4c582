//! Claims 2b, 4 and 5, about what a harder bucket costs: both models must learn the easy bucket,
//! and the verdict is the difference in differences.

use seq2seq_data::free_forms::{FIXED_LENGTH, FIXED_ORDER, FREE_LENGTH, FREE_ORDER};
use seq2seq_data::probes::{MAX_ATTRACTOR_PHRASES, VERB_AGREEMENT};

use super::measure::{Bucket, Measure, accuracy, find_pair, paired_units, run_accuracy};
use super::verdict::{CONTROL_MIN, Claim, Evidence, TOKEN_MARGIN, decide, missing};
use crate::runs::ProbeRuns;
use crate::stats::{self, Unit};

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
        control_items: claim.easy.text(),
        loser_control: Some(l_easy.unwrap_or(0.0)),
        loser_control_items: claim.easy.text(),
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
