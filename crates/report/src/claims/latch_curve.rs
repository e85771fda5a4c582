//! Claim 2a as Bengio, Simard & Frasconi 1994 measured it: the latch trained separately per
//! maximum lag T (lags uniform in 1…T), and per T the share of seeds that learn it. A model that
//! cannot carry a symbol over long lags still learns short ones; what it cannot do is learn them
//! when the lags are long. The rule is fixed here before any run:
//!
//! - a seed *succeeds* at T when its answer accuracy on the test sequences is at least
//!   [`CONTROL_MIN`] %;
//! - *not measurable here* unless both models succeed at the smallest T in every seed (a model
//!   that fails even there never learned the task: no lag can show what it forgets);
//! - a T *separates* them when the LSTM succeeds there in every seed and the RNN in none;
//! - *supported* when at a separating T the difference in differences against the smallest T
//!   (the RNN's drop minus the LSTM's, paired bootstrap) has its whole 95 % interval above the
//!   margin and is positive in every seed; the largest such T is reported;
//! - *not measurable here* when T's separate them but at none does Δ clear the margin;
//! - *not supported* when no T separates them.
//!
//! Short lags have few distinct sequences (2·10^(L−1) at lag L), and the test split is drawn
//! first: at T = 5 it holds most sequences of lags 1–2, which training then rarely sees.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use seq2seq_data::probes::{LATCH, LATCH_DISTANCES};

use super::drop::cost;
use super::measure::{Bucket, Measure, accuracy, run_accuracy};
use super::verdict::{CONTROL_MIN, Claim, TOKEN_MARGIN, Verdict, missing};
use crate::runs::{ProbeRun, ProbeRuns, per_lag};
use crate::stats::{self, Unit};

const NUMBER: &str = "2a";
const CLAIM: &str = "An LSTM learns to carry information over lags where an Elman RNN cannot";
pub const WINNER: &str = "lstm";
pub const LOSER: &str = "rnn";
pub const FIGURE: &str = "plots/probe-latch-by-lag.png";

/// One maximum lag T: each model's runs trained on lags 1…T.
pub struct LagRow<'a> {
    pub max_lag: usize,
    pub rnn: Option<&'a ProbeRuns>,
    pub lstm: Option<&'a ProbeRuns>,
}

/// Every latch item of a run's test split.
pub fn all_lags(max_lag: usize) -> Bucket {
    Bucket::new(LATCH, 1..=max_lag as i64)
}

/// The longest lags of a run trained on 1…T: the upper half, (T/2, T].
pub fn longest_lags(max_lag: usize) -> RangeInclusive<i64> {
    (max_lag / 2 + 1) as i64..=max_lag as i64
}

/// The latch runs trained per maximum lag (`[data] max_distance` = T > 0), by T.
pub fn rows(probes: &[ProbeRuns]) -> Vec<LagRow<'_>> {
    let mut rows: BTreeMap<usize, LagRow> = BTreeMap::new();
    for p in probes.iter().filter(|p| p.task == "latch" && p.config.data.max_distance > 0) {
        let max_lag = p.config.data.max_distance;
        let row = rows.entry(max_lag).or_insert(LagRow { max_lag, rnn: None, lstm: None });
        match p.config.arch.as_str() {
            LOSER => row.rnn = Some(p),
            WINNER => row.lstm = Some(p),
            _ => {}
        }
    }
    rows.into_values().collect()
}

/// Whether one seed's run learned the latch: its answers on every lag of its test split.
pub fn succeeds(run: &ProbeRun, max_lag: usize) -> bool {
    run_accuracy(run, Measure::Margin, &all_lags(max_lag)).is_some_and(|a| a >= CONTROL_MIN)
}

/// Seeds that succeed, out of the seeds trained.
pub fn successes(runs: &ProbeRuns, max_lag: usize) -> (usize, usize) {
    (runs.runs.iter().filter(|r| succeeds(r, max_lag)).count(), runs.runs.len())
}

/// Per seed (matched by seed), per test sequence: the LSTM's answer against the RNN's.
fn paired(lstm: &ProbeRuns, rnn: &ProbeRuns) -> Vec<(u64, Vec<Unit>)> {
    lstm.runs
        .iter()
        .filter_map(|w| {
            let l = rnn.runs.iter().find(|l| l.seed == w.seed)?;
            let right: BTreeMap<usize, bool> = l.scores.iter().map(|s| (s.sentence, s.is_correct())).collect();
            let units = w
                .scores
                .iter()
                .filter(|s| s.item.kind == LATCH)
                .filter_map(|s| {
                    let b = *right.get(&s.sentence)?;
                    Some(Unit {
                        winner: f64::from(u8::from(s.is_correct())),
                        loser: f64::from(u8::from(b)),
                        items: 1.0,
                    })
                })
                .collect();
            Some((w.seed, units))
        })
        .collect()
}

fn successes_text(row: &LagRow) -> String {
    let of = |runs: Option<&ProbeRuns>| {
        runs.map_or("–".to_string(), |r| {
            let (won, all) = successes(r, row.max_lag);
            format!("{won}/{all}")
        })
    };
    format!("T = {}: {} {}, {} {}", row.max_lag, LOSER, of(row.rnn), WINNER, of(row.lstm))
}

/// The mixed-lag runs beside the curve, in words: `; trained on lags 5…100 in one run: …`.
fn mixed_lags(probes: &[ProbeRuns]) -> String {
    let mixed = |arch: &str| {
        let runs =
            probes.iter().find(|p| p.task == "latch" && p.config.arch == arch && per_lag(&p.config).is_none())?;
        let bucket = Bucket::new(LATCH, *LATCH_DISTANCES.start() as i64..=*LATCH_DISTANCES.end() as i64);
        accuracy(runs, Measure::Margin, &bucket).map(|a| format!("{arch} {:.1} %", a.estimate))
    };
    match (mixed(LOSER), mixed(WINNER)) {
        (Some(rnn), Some(lstm)) => format!(
            "; trained instead on lags {}…{} in one run (none shorter), the answers are right for {rnn}, {lstm} \
             (plots/probe-latch.png)",
            LATCH_DISTANCES.start(),
            LATCH_DISTANCES.end()
        ),
        _ => String::new(),
    }
}

/// Claim 2a's verdict, by the rule above.
pub fn judge(probes: &[ProbeRuns]) -> Claim {
    let rows = rows(probes);
    let lags: Vec<String> = rows.iter().map(|r| r.max_lag.to_string()).collect();
    let probe = format!(
        "`latch` trained per maximum lag T ∈ {{{}}} (lags 1…T): seeds whose answer accuracy reaches {CONTROL_MIN:.0} %",
        if lags.is_empty() { "…".to_string() } else { lags.join(", ") }
    );
    let pair = format!("`{WINNER}` vs `{LOSER}`");
    let figure = Some(FIGURE.to_string());
    let complete: Vec<(&LagRow, &ProbeRuns, &ProbeRuns)> =
        rows.iter().filter_map(|r| Some((r, r.lstm?, r.rnn?))).collect();
    let Some(&(first, first_lstm, first_rnn)) = complete.first() else {
        let what = "`rnn` and `lstm` on `latch` per maximum lag (`[data] max_distance` = T)";
        return missing(NUMBER, CLAIM, probe, pair, what, figure);
    };
    let table: Vec<String> = complete.iter().map(|(r, _, _)| successes_text(r)).collect();
    let seeds = first_lstm.runs.len().min(first_rnn.runs.len());
    let claim = |delta, verdict, reason: String| Claim {
        number: NUMBER,
        claim: CLAIM,
        probe: probe.clone(),
        pair: pair.clone(),
        delta,
        seeds,
        verdict,
        reason: format!("{reason}; seeds that succeed: {}{}", table.join("; "), mixed_lags(probes)),
        figure: figure.clone(),
    };
    for (name, runs) in [(LOSER, first_rnn), (WINNER, first_lstm)] {
        let (won, all) = successes(runs, first.max_lag);
        if won < all {
            let reason = format!(
                "`{name}` never learned the task: it reaches {CONTROL_MIN:.0} % at the smallest lag T = {} in only \
                 {won} of {all} seeds, so no longer lag can show what it forgets",
                first.max_lag
            );
            return claim(None, Verdict::NotMeasurable, reason);
        }
    }
    let separating: Vec<&(&LagRow, &ProbeRuns, &ProbeRuns)> = complete
        .iter()
        .rev()
        .filter(|(r, lstm, rnn)| successes(lstm, r.max_lag).0 == lstm.runs.len() && successes(rnn, r.max_lag).0 == 0)
        .collect();
    if separating.is_empty() {
        let longest = complete.last().map_or(first.max_lag, |(r, _, _)| r.max_lag);
        let rnn_everywhere = complete.iter().all(|(r, _, rnn)| successes(rnn, r.max_lag).0 == rnn.runs.len());
        let reason = if rnn_everywhere {
            format!(
                "no lag separates them: the Elman RNN learns the latch in every seed at every T up to {longest}, as \
                 the LSTM does, when lags from 1 up are in its training data"
            )
        } else {
            "no lag separates them: at no T does the LSTM learn the latch in every seed while the Elman RNN learns \
             it in none"
                .to_string()
        };
        return claim(None, Verdict::NotSupported, reason);
    }
    let at = |runs: &ProbeRuns, max_lag: usize| accuracy(runs, Measure::Margin, &all_lags(max_lag)).map(|a| a.estimate);
    let easy = paired(first_lstm, first_rnn);
    let mut judged = Vec::new();
    for &&(row, lstm, rnn) in &separating {
        // (hard, easy) per seed: this T against the smallest, each model's runs paired by seed.
        let units: Vec<(Vec<Unit>, Vec<Unit>)> = paired(lstm, rnn)
            .into_iter()
            .filter_map(|(seed, h)| Some((h, easy.iter().find(|(s, _)| *s == seed)?.1.clone())))
            .collect();
        let Some(delta) = stats::difference_in_differences(&units) else { continue };
        let per_seed = stats::per_seed_differences_in_differences(&units);
        let drops = format!(
            "easy (T = {}) → hard (T = {}): {}, {}",
            first.max_lag,
            row.max_lag,
            cost(WINNER, at(first_lstm, first.max_lag), at(lstm, row.max_lag).unwrap_or(0.0)),
            cost(LOSER, at(first_rnn, first.max_lag), at(rnn, row.max_lag).unwrap_or(0.0)),
        );
        if delta.low > TOKEN_MARGIN && per_seed.iter().all(|&d| d > 0.0) {
            let reason = format!(
                "at T = {} the LSTM succeeds in every seed and the RNN in none; the whole 95 % interval of Δ {} \
                 lies above the {TOKEN_MARGIN:.0}-point margin, and Δ > 0 in every seed; {drops}",
                row.max_lag,
                delta.text()
            );
            return claim(Some(delta), Verdict::Supported, reason);
        }
        judged.push((row.max_lag, delta, per_seed, drops));
    }
    let Some((max_lag, delta, per_seed, drops)) = judged.into_iter().next() else {
        return claim(None, Verdict::NotMeasurable, "too few paired test sequences".into());
    };
    let reason = format!(
        "at T = {max_lag} the LSTM succeeds in every seed and the RNN in none, but Δ {} does not clear the \
         {TOKEN_MARGIN:.0}-point margin in every seed ({per_seed:.1?}), nor at any smaller such T; {drops}",
        delta.text()
    );
    claim(Some(delta), Verdict::NotMeasurable, reason)
}

#[cfg(test)]
mod tests {
    use seq2seq_data::ProbeItem;
    use seq2seq_train::RunConfig;
    use seq2seq_train::probes::ProbeScore;

    use super::*;

    /// Three seeds of `arch` trained on lags 1…`max_lag`: 300 test sequences each, the answer
    /// right when `right(seed, sentence)`.
    fn lag_runs(arch: &str, max_lag: usize, right: impl Fn(u64, usize) -> bool) -> ProbeRuns {
        let mut config = RunConfig { arch: arch.into(), ..RunConfig::default() };
        config.data.task = "latch".into();
        config.data.max_distance = max_lag;
        let runs = [42, 43, 44]
            .map(|seed| ProbeRun {
                seed,
                parameters: 1,
                budget: Default::default(),
                saliency: None,
                scores: (0..300)
                    .map(|sentence| {
                        let lag = 1 + sentence % max_lag;
                        ProbeScore {
                            sentence,
                            item: ProbeItem {
                                kind: LATCH.into(),
                                target_index: lag,
                                controller: 0,
                                distance: lag as i64,
                                correct: "a".into(),
                                contrast: "b".into(),
                                attractors: None,
                            },
                            margin: if right(seed, sentence) { 1.0 } else { -1.0 },
                            exact: None,
                        }
                    })
                    .collect(),
            })
            .to_vec();
        ProbeRuns { task: "latch".into(), arch: format!("{arch} (max_distance = {max_lag})"), config, runs }
    }

    /// Both models at every T of `lags`: the LSTM always right, the RNN right at T ≤ `rnn_reach`
    /// and right on half its answers beyond.
    fn curve(lags: &[usize], rnn_reach: usize) -> Vec<ProbeRuns> {
        lags.iter()
            .flat_map(|&t| {
                [lag_runs("lstm", t, |_, _| true), lag_runs("rnn", t, move |_, s| t <= rnn_reach || s % 2 == 0)]
            })
            .collect()
    }

    #[test]
    fn the_lstm_learning_where_the_rnn_cannot_is_supported_at_the_largest_such_lag() {
        let probes = curve(&[5, 10, 20, 40, 80], 10);
        let claim = judge(&probes);
        assert_eq!(claim.verdict, Verdict::Supported, "{}", claim.reason);
        assert!(claim.reason.contains("at T = 80"), "{}", claim.reason);
        assert!(claim.reason.contains("T = 10: rnn 3/3, lstm 3/3; T = 20: rnn 0/3, lstm 3/3"), "{}", claim.reason);
        let delta = claim.delta.unwrap();
        assert!((delta.estimate - 50.0).abs() < 1e-9, "{delta:?}");
        assert_eq!(claim.seeds, 3);
    }

    #[test]
    fn an_rnn_that_fails_even_the_shortest_lags_is_not_counted_as_a_loss() {
        // The RNN at chance at T = 5 too: it never learned the latch.
        let probes = curve(&[5, 10, 20], 0);
        let claim = judge(&probes);
        assert_eq!(claim.verdict, Verdict::NotMeasurable, "{}", claim.reason);
        assert!(claim.reason.contains("`rnn` never learned the task"), "{}", claim.reason);
        assert!(claim.delta.is_none());
    }

    #[test]
    fn an_rnn_that_learns_every_lag_leaves_the_claim_not_supported() {
        let claim = judge(&curve(&[5, 10, 20, 40, 80], 80));
        assert_eq!(claim.verdict, Verdict::NotSupported, "{}", claim.reason);
        assert!(claim.reason.contains("no lag separates them"), "{}", claim.reason);
        // One RNN seed of three succeeding at every T is enough to separate nothing either.
        let mut probes = curve(&[5, 10, 20], 5);
        let rnn_at_20 = probes.iter_mut().find(|p| p.config.arch == "rnn" && p.config.data.max_distance == 20).unwrap();
        *rnn_at_20 = lag_runs("rnn", 20, |seed, s| seed == 44 || s % 2 == 0);
        let rnn_at_10 = probes.iter_mut().find(|p| p.config.arch == "rnn" && p.config.data.max_distance == 10).unwrap();
        *rnn_at_10 = lag_runs("rnn", 10, |seed, s| seed == 44 || s % 2 == 0);
        assert_eq!(judge(&probes).verdict, Verdict::NotSupported);
    }

    #[test]
    fn a_separating_lag_whose_delta_misses_the_margin_decides_nothing_unless_a_smaller_one_clears_it() {
        // At T = 20 the RNN is right on 94 % (it fails, barely), the LSTM on 100 %: Δ ≈ 6
        // straddles the margin. At T = 10 the RNN is at chance: Δ = 50 clears it, and is reported.
        let runs = |t: usize, rnn: fn(usize) -> bool| {
            [lag_runs("lstm", t, |_, _| true), lag_runs("rnn", t, move |_, s| rnn(s))]
        };
        let mut probes: Vec<ProbeRuns> = runs(5, |_| true).into();
        probes.extend(runs(10, |s| s % 2 == 0));
        probes.extend(runs(20, |s| s % 50 >= 3));
        let claim = judge(&probes);
        assert_eq!(claim.verdict, Verdict::Supported, "{}", claim.reason);
        assert!(claim.reason.contains("at T = 10"), "{}", claim.reason);
        // Without the clear one, the barely separating T decides nothing.
        probes.retain(|p| p.config.data.max_distance != 10);
        let claim = judge(&probes);
        assert_eq!(claim.verdict, Verdict::NotMeasurable, "{}", claim.reason);
        assert!(claim.reason.contains("does not clear"), "{}", claim.reason);
    }

    #[test]
    fn without_runs_per_lag_the_claim_names_what_is_missing() {
        let claim = judge(&[]);
        assert_eq!(claim.verdict, Verdict::NotMeasurable);
        assert!(claim.reason.contains("per maximum lag"), "{}", claim.reason);
        assert_eq!(longest_lags(20), 11..=20);
        assert_eq!(longest_lags(5), 3..=5);
    }
}
