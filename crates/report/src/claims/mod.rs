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
//!
//! `verdict.rs` holds the vocabulary and the rule, `measure.rs` how items are read; one file per
//! kind of claim judges it: `probe.rs` (1, 3, 8a–8c), `latch_curve.rs` (2a), `drop.rs` (2b, 4, 5),
//! `bottleneck.rs` (6), `parallel.rs` (7b).

mod bottleneck;
mod drop;
pub mod latch_curve;
mod measure;
pub mod parallel;
mod probe;
#[cfg(test)]
mod tests;
mod verdict;

pub use bottleneck::{BOTTLENECK_CLAIMS, BOTTLENECK_LOSER, judge_bottleneck};
pub use drop::{DropClaim, FREE_FORM_MARGIN, drop_claims, judge_drop};
pub use measure::{Bucket, Measure, accuracy, items, run_accuracy};
pub use parallel::ParallelTiming;
pub use probe::{ProbeClaim, judge_probe, probe_claims};
pub use verdict::{
    CEILING, CONTROL_MIN, Claim, EXACT_MARGIN, Evidence, MIN_ITEMS, Reach, TOKEN_MARGIN, Verdict, decide,
};

use crate::runs::{ArchRuns, ProbeRuns};

/// Every claim of the evolution table, in order.
pub fn judge_all(groups: &[ArchRuns], probes: &[ProbeRuns], timing: Option<&ParallelTiming>) -> Vec<Claim> {
    let [window, look_ahead, receptive_field, conv_position, attention_position] =
        probe_claims().map(|c| judge_probe(&c, probes));
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
    claims.extend(BOTTLENECK_CLAIMS.map(|(number, winner)| judge_bottleneck(number, winner, groups)));
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
    claims.extend([receptive_field, conv_position, attention_position]);
    claims
}
