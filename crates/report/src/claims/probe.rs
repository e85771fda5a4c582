//! Claims 1, 3 and 8a–8c, about what a model can see: the loser cannot see the controller (or
//! the position) by construction, so the winner must pass the control — and where the loser can
//! see it on an easier bucket, the loser too, so that its failure is no failure to learn at all.

use seq2seq_data::probes::{ADJECTIVE_AGREEMENT, POSITION, VERB_AGREEMENT};

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
    /// The loser's control, where it can see the controller on an easier bucket: a loser that
    /// never learned the task is no win.
    pub loser_control: Option<Bucket>,
    /// The models by their labels in the report (an architecture, or a run's `label`).
    pub winner: (&'static str, Reach),
    pub loser: (&'static str, Reach),
    pub figure: &'static str,
}

/// The claims about what a model can see (1: a window against recurrence; 3: one direction
/// against two; 8a: a convolution's receptive field; 8b, 8c: where a word is, with and without
/// positions), fixed before any result was seen.
///
/// The conv row's models are the comparison's labelled probe runs
/// (`workbench/src/compare/probe_plan.rs`): causal gated convolutions of 32 channels and
/// kernel 3 on `agreement` (`conv R=11`: 5 layers, so the verb sees N ≤ 10 words back;
/// `conv R=63 dilated`: the same 5 layers with dilations 1, 2, 4, 8, 16), centred ones of 4
/// layers (R = 9: 4 words each side) on `position`, and a Transformer of width 64, each with
/// learned positions and without any.
pub fn probe_claims() -> [ProbeClaim; 5] {
    [
        ProbeClaim {
            number: "1",
            claim: "Recurrence uses context beyond a fixed window",
            task: "agreement",
            decisive: Bucket::new(VERB_AGREEMENT, 3..=10),
            control: Bucket::new(VERB_AGREEMENT, 1..=2),
            loser_control: None,
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
            loser_control: None,
            winner: ("birnn", Reach::Both),
            loser: ("lstm", Reach::Left),
            figure: "plots/probe-agreement-adjective.png",
        },
        ProbeClaim {
            number: "8a",
            claim: "A convolution sees only its receptive field: words beyond it cannot decide, and dilating the same \
                    layers buys reach",
            task: "agreement",
            decisive: Bucket::new(VERB_AGREEMENT, 11..=40),
            control: Bucket::new(VERB_AGREEMENT, 1..=2),
            loser_control: Some(Bucket::new(VERB_AGREEMENT, 1..=2)),
            winner: ("conv R=63 dilated", Reach::Back(62)),
            loser: ("conv R=11", Reach::Back(10)),
            figure: "plots/probe-receptive-field.png",
        },
        ProbeClaim {
            number: "8b",
            claim: "Without positional information a convolution cannot tell where a word is, beyond the sentence's \
                    start in its field",
            task: "position",
            decisive: Bucket::new(POSITION, 12..=39),
            control: Bucket::new(POSITION, 0..=3),
            loser_control: Some(Bucket::new(POSITION, 0..=3)),
            winner: ("conv R=9, learned positions", Reach::Both),
            loser: ("conv R=9, no positions", Reach::Window(4)),
            figure: "plots/probe-position.png",
        },
        ProbeClaim {
            number: "8c",
            claim: "Without positional encodings attention cannot tell where a word is",
            task: "position",
            decisive: Bucket::new(POSITION, 12..=39),
            control: Bucket::new(POSITION, 0..=3),
            loser_control: None,
            winner: ("transformer d=64, learned positions", Reach::Both),
            loser: ("transformer d=64, no positions", Reach::Both),
            figure: "plots/probe-position.png",
        },
    ]
}

/// Judges one probe claim from the probe runs.
pub fn judge_probe(claim: &ProbeClaim, probes: &[ProbeRuns]) -> Claim {
    let (winner_name, winner_reach) = claim.winner;
    let (loser_name, loser_reach) = claim.loser;
    let loser_control = claim.loser_control.as_ref().map(|b| format!("; the loser's: {}", b.text()));
    let probe = format!(
        "`{}`: {} (control: {}{})",
        claim.task,
        claim.decisive.text(),
        claim.control.text(),
        loser_control.unwrap_or_default()
    );
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
        control_items: claim.control.text(),
        loser_control: claim
            .loser_control
            .as_ref()
            .and_then(|b| accuracy(loser, Measure::Margin, b))
            .map(|i| i.estimate),
        loser_control_items: claim.loser_control.as_ref().map(Bucket::text).unwrap_or_default(),
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
