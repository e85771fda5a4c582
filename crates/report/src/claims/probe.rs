//! Claims 1 and 3, about what a model can see: the loser cannot see the controller by
//! construction, so only the winner must pass the control.

use seq2seq_data::probes::{ADJECTIVE_AGREEMENT, VERB_AGREEMENT};

use super::measure::{Bucket, Measure, accuracy, find_pair, paired_units};
use super::verdict::{Claim, Evidence, Reach, TOKEN_MARGIN, decide, missing};
use crate::runs::ProbeRuns;
use crate::stats;

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
