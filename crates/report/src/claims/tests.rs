//! The judges on hand-made runs: every precondition, and each kind of claim.

use seq2seq_data::ProbeItem;
use seq2seq_data::free_forms::{FIXED_ORDER, FREE_ORDER};
use seq2seq_data::probes::{POSITION, VERB_AGREEMENT};
use seq2seq_train::probes::ProbeScore;

use super::*;
use crate::runs::ProbeRuns;
use crate::stats::Interval;

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
        control_items: "verb-agreement items at distance 1…2".into(),
        loser_control: None,
        loser_control_items: "verb-agreement items at distance 1…2".into(),
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
        (Box::new(|e| e.control = Some(80.0)), "80.0 % on its control, verb-agreement items at distance 1…2"),
        (
            Box::new(|e| e.loser_control = Some(60.0)),
            "the loser never learned the task: it scores 60.0 % on verb-agreement items at distance 1…2",
        ),
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
    assert!(
        Reach::Back(10).sees(10) && Reach::Back(10).sees(0) && !Reach::Back(10).sees(11) && !Reach::Back(10).sees(-1)
    );
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

/// `runs` labelled `label` on `task`: per seed, 400 sentences with one item of `kind` each, at
/// distance `sentence % 40`, right when `right(distance)` (and on every other sentence beyond).
fn runs_by_distance(task: &str, label: &str, kind: &'static str, right: impl Fn(i64) -> bool) -> ProbeRuns {
    let item = |sentence: usize| ProbeItem {
        kind: kind.into(),
        target_index: sentence % 40,
        controller: 0,
        distance: (sentence % 40) as i64,
        correct: "p0".into(),
        contrast: "p1".into(),
        attractors: None,
    };
    runs_of(task, label, item, |s| right((s % 40) as i64) || (s / 40) % 2 == 0)
}

#[test]
fn the_conv_row_is_judged_by_its_labelled_runs() {
    let [_, _, receptive_field, conv_position, attention_position] = probe_claims();
    // 8a: the dilated stack right everywhere; R = 11 right within N ≤ 10, at chance beyond.
    let dilated = runs_by_distance("agreement", "conv R=63 dilated", VERB_AGREEMENT, |_| true);
    let short = runs_by_distance("agreement", "conv R=11", VERB_AGREEMENT, |n| n <= 10);
    let judged = judge_probe(&receptive_field, &[dilated.clone(), short]);
    assert_eq!(judged.verdict, Verdict::Supported, "{}", judged.reason);
    assert!((judged.delta.unwrap().estimate - 50.0).abs() < 1e-9, "{:?}", judged.delta);
    // A short stack at chance even within its field never learned the task: no win.
    let untrained = runs_by_distance("agreement", "conv R=11", VERB_AGREEMENT, |_| false);
    let judged = judge_probe(&receptive_field, &[dilated.clone(), untrained]);
    assert!(judged.reason.contains("the loser never learned the task"), "{}", judged.reason);
    // Right beyond its field: the verb's number leaks through something else.
    let leaky = runs_by_distance("agreement", "conv R=11", VERB_AGREEMENT, |_| true);
    let judged = judge_probe(&receptive_field, &[dilated, leaky]);
    assert!(judged.reason.contains("cue leak"), "{}", judged.reason);

    // 8b: with positions right everywhere, without them only where the start is in view.
    let placed = runs_by_distance("position", "conv R=9, learned positions", POSITION, |_| true);
    let unplaced = runs_by_distance("position", "conv R=9, no positions", POSITION, |i| i <= 4);
    let judged = judge_probe(&conv_position, &[placed, unplaced]);
    assert_eq!(judged.verdict, Verdict::Supported, "{}", judged.reason);
    assert!(judged.probe.contains("the loser's: position items at distance 0…3"), "{}", judged.probe);
    // 8c: the Transformer without positions sees every word, so no cue-leak check: a loser as
    // good as the winner is no support.
    let attention =
        runs_by_distance("position", "transformer d=64, learned positions", POSITION, |i| i <= 3 || i % 3 != 0);
    let counting = runs_by_distance("position", "transformer d=64, no positions", POSITION, |i| i <= 3 || i % 3 != 0);
    let judged = judge_probe(&attention_position, &[attention, counting]);
    assert_eq!(judged.verdict, Verdict::NotSupported, "{}", judged.reason);
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

/// Items are counted over seeds: per item for a margin, per sentence for exact match.
#[test]
fn items_are_counted_over_seeds() {
    // 400 sentences a seed, distances 1…10 in turn: 40 at distance 1, in each of 2 seeds.
    let runs = probe_runs("agreement", "rnn", |_| VERB_AGREEMENT, |_| true);
    assert_eq!(items(&runs, Measure::Margin, &Bucket::new(VERB_AGREEMENT, 1..=1)), 80);
    assert_eq!(items(&runs, Measure::Margin, &Bucket::new(VERB_AGREEMENT, 1..=2)), 160);
    assert_eq!(items(&runs, Measure::Exact, &Bucket::new(VERB_AGREEMENT, 1..=10)), 800);
    assert_eq!(items(&runs, Measure::Margin, &Bucket::new(VERB_AGREEMENT, 11..=20)), 0);
}
