//! The statistics behind every verdict: a paired, hierarchical bootstrap over seeds and
//! sentences (Koehn 2004's paired bootstrap, with the seeds as an outer level).
//!
//! A *unit* is one test sentence of one seed: how many of its decisive items model A and model B
//! got right, out of how many. Both models are scored on the same sentences (a seed fixes the
//! data), so a resample draws seeds with replacement, then that seed's sentences with
//! replacement, and takes both models' scores from the same draws. The difference of the two
//! accuracies over each resample, repeated [`REPLICATES`] times from a fixed RNG seed, gives the
//! 95 % percentile interval.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Resamples per interval.
pub const REPLICATES: usize = 2_000;
/// The bootstrap's own RNG seed: the same runs always give the same interval.
pub const BOOTSTRAP_SEED: u64 = 1_994;

/// One sentence's decisive items: how many the winner got right, how many the loser did, out of
/// `items`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    pub winner: f64,
    pub loser: f64,
    pub items: f64,
}

/// An estimate with its 95 % percentile interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub fn text(&self) -> String {
        format!("{:+.1} [{:+.1}, {:+.1}]", self.estimate, self.low, self.high)
    }
}

/// `100 · (Σ a − Σ b) / Σ items`: the difference of the two accuracies, in points.
fn difference<'a>(units: impl IntoIterator<Item = &'a Unit>) -> f64 {
    let (mut right, mut items) = (0.0, 0.0);
    for unit in units {
        right += unit.winner - unit.loser;
        items += unit.items;
    }
    if items > 0.0 { 100.0 * right / items } else { 0.0 }
}

/// The 95 % percentile interval of `statistic` over hierarchical resamples: seeds with
/// replacement, then within each drawn seed the units of every stratum with replacement (the
/// strata of a seed, e.g. questions and statements, are resampled separately). `seeds[s][k]`
/// holds stratum `k` of seed `s`; `statistic` gets every stratum's drawn units.
fn bootstrap(seeds: &[Vec<Vec<Unit>>], statistic: impl Fn(&[Vec<&Unit>]) -> f64) -> Option<Interval> {
    let strata = seeds.first()?.len();
    if seeds.iter().flatten().flatten().all(|u| u.items == 0.0) {
        return None;
    }
    let everything: Vec<Vec<&Unit>> = (0..strata).map(|k| seeds.iter().flat_map(|s| &s[k]).collect()).collect();
    let estimate = statistic(&everything);
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
    let mut replicates = Vec::with_capacity(REPLICATES);
    let mut drawn: Vec<Vec<&Unit>> = vec![Vec::new(); strata];
    for _ in 0..REPLICATES {
        drawn.iter_mut().for_each(Vec::clear);
        for _ in 0..seeds.len() {
            let seed = &seeds[rng.random_range(0..seeds.len())];
            for (k, stratum) in seed.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
                drawn[k].extend((0..stratum.len()).map(|_| &stratum[rng.random_range(0..stratum.len())]));
            }
        }
        replicates.push(statistic(&drawn));
    }
    replicates.sort_by(f64::total_cmp);
    let at = |q: f64| replicates[((q * REPLICATES as f64) as usize).min(REPLICATES - 1)];
    Some(Interval { estimate, low: at(0.025), high: at(0.975) })
}

/// The accuracy difference A − B (points) with its paired, hierarchical bootstrap interval;
/// `seeds[s]` holds seed `s`'s sentences. `None` without any item.
pub fn paired_difference(seeds: &[Vec<Unit>]) -> Option<Interval> {
    let strata: Vec<Vec<Vec<Unit>>> = seeds.iter().map(|s| vec![s.clone()]).collect();
    bootstrap(&strata, |drawn| difference(drawn[0].iter().copied()))
}

/// How much more A leads B on the hard sentences than on the easy ones (points):
/// `(A − B)(hard) − (A − B)(easy)`, a difference in differences. Equivalently: how much more
/// the hard sentences cost B than A. `seeds[s]` holds seed `s`'s (hard, easy) sentences.
pub fn difference_in_differences(seeds: &[(Vec<Unit>, Vec<Unit>)]) -> Option<Interval> {
    let strata: Vec<Vec<Vec<Unit>>> = seeds.iter().map(|(hard, easy)| vec![hard.clone(), easy.clone()]).collect();
    if strata.iter().any(|s| s.iter().any(|stratum| stratum.is_empty())) {
        return None;
    }
    bootstrap(&strata, |drawn| difference(drawn[0].iter().copied()) - difference(drawn[1].iter().copied()))
}

/// The difference in differences within each seed alone.
pub fn per_seed_differences_in_differences(seeds: &[(Vec<Unit>, Vec<Unit>)]) -> Vec<f64> {
    seeds.iter().map(|(hard, easy)| difference(hard) - difference(easy)).collect()
}

/// One model's accuracy (%) with its hierarchical bootstrap interval: the difference against a
/// model that gets nothing right.
pub fn accuracy(seeds: &[Vec<(f64, f64)>]) -> Option<Interval> {
    let units: Vec<Vec<Unit>> = seeds
        .iter()
        .map(|s| s.iter().map(|&(right, items)| Unit { winner: right, loser: 0.0, items }).collect())
        .collect();
    paired_difference(&units)
}

/// The difference A − B (points) within each seed alone.
pub fn per_seed_differences(seeds: &[Vec<Unit>]) -> Vec<f64> {
    seeds.iter().filter(|s| s.iter().any(|u| u.items > 0.0)).map(|s| difference(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(pattern: &[(f64, f64)]) -> Vec<Unit> {
        pattern.iter().map(|&(a, b)| Unit { winner: a, loser: b, items: 1.0 }).collect()
    }

    #[test]
    fn a_constant_difference_has_no_width() {
        let seed = units(&[(1.0, 0.0); 50]);
        let interval = paired_difference(&[seed.clone(), seed]).unwrap();
        assert_eq!((interval.estimate, interval.low, interval.high), (100.0, 100.0, 100.0));
        assert!(paired_difference(&[vec![]]).is_none());
    }

    /// One seed of n sentences whose differences are +1 for half and 0 for the other half: the
    /// mean is 50 points and its standard error is 100·0.5/√n, so the 95 % interval is about
    /// 50 ± 1.96·50/√n — the textbook answer the bootstrap must reproduce.
    #[test]
    fn the_interval_matches_the_normal_approximation_of_a_known_case() {
        let n = 400;
        let seed: Vec<Unit> = (0..n).map(|i| Unit { winner: (i % 2) as f64, loser: 0.0, items: 1.0 }).collect();
        let interval = paired_difference(&[seed]).unwrap();
        let half_width = 1.96 * 50.0 / (n as f64).sqrt(); // 4.9 points
        assert!((interval.estimate - 50.0).abs() < 1e-9);
        assert!((interval.high - 50.0 - half_width).abs() < 0.2 * half_width, "{interval:?}");
        assert!((50.0 - interval.low - half_width).abs() < 0.2 * half_width, "{interval:?}");
    }

    /// Pairing: two models that agree sentence by sentence differ by exactly 0, however noisy
    /// each is on its own; unpaired resampling would give a wide interval.
    #[test]
    fn paired_resampling_cancels_shared_sentence_noise() {
        let seed: Vec<Unit> = (0..300)
            .map(|i| Unit { winner: (i % 3 == 0) as u8 as f64, loser: (i % 3 == 0) as u8 as f64, items: 1.0 })
            .collect();
        let interval = paired_difference(&[seed]).unwrap();
        assert_eq!((interval.low, interval.high), (0.0, 0.0));
    }

    /// Seeds that disagree widen the interval: the outer level resamples them.
    #[test]
    fn disagreeing_seeds_widen_the_interval() {
        let good = units(&[(1.0, 0.0); 200]);
        let none = units(&[(0.0, 0.0); 200]);
        let agreeing = paired_difference(&[good.clone(), good.clone()]).unwrap();
        let disagreeing = paired_difference(&[good, none]).unwrap();
        assert_eq!(disagreeing.estimate, 50.0);
        assert!(disagreeing.low <= 1.0 && disagreeing.high >= 99.0, "{disagreeing:?}");
        assert!(agreeing.high - agreeing.low < 1e-9);
        assert_eq!(per_seed_differences(&[units(&[(1.0, 0.0), (0.0, 0.0)]), units(&[(0.0, 1.0)])]), vec![50.0, -100.0]);
    }

    /// A leads B by 30 points on the hard sentences and by 10 on the easy ones: Δ = 20, with a
    /// constant per-sentence difference in each stratum, so no width.
    #[test]
    fn a_difference_in_differences_subtracts_the_easy_lead() {
        let hard: Vec<Unit> = (0..10).map(|i| Unit { winner: (i < 3) as u8 as f64, loser: 0.0, items: 1.0 }).collect();
        let easy: Vec<Unit> = (0..10).map(|i| Unit { winner: 1.0, loser: (i >= 1) as u8 as f64, items: 1.0 }).collect();
        let interval = difference_in_differences(&[(hard.clone(), easy.clone())]).unwrap();
        assert!((interval.estimate - 20.0).abs() < 1e-9, "{interval:?}");
        assert!(interval.low < 20.0 && interval.high > 20.0, "resampling moves it: {interval:?}");
        assert_eq!(per_seed_differences_in_differences(&[(hard, easy)]), vec![20.0]);
        let same = units(&[(1.0, 0.0); 20]);
        let flat = difference_in_differences(&[(same.clone(), same)]).unwrap();
        assert_eq!((flat.low, flat.estimate, flat.high), (0.0, 0.0, 0.0));
        assert!(difference_in_differences(&[(vec![], units(&[(1.0, 0.0)]))]).is_none());
    }

    #[test]
    fn accuracy_is_the_share_right_with_its_interval() {
        let seed: Vec<(f64, f64)> = (0..100).map(|i| (if i < 80 { 2.0 } else { 0.0 }, 2.0)).collect();
        let interval = accuracy(&[seed]).unwrap();
        assert!((interval.estimate - 80.0).abs() < 1e-9);
        assert!(interval.low < 80.0 && interval.high > 80.0 && interval.high - interval.low < 20.0, "{interval:?}");
    }
}
