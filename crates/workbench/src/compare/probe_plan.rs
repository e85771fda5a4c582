//! The probe runs `workbench compare` trains beside the main comparison: which architectures
//! meet which probe, on how much data, for how many epochs. Fixed here, before any result was
//! seen (`seq2seq_report::claims` fixes the pairs, buckets and margins they are judged by).

use anyhow::{Context, Result};
use seq2seq_train::{Backend, RunConfig};

/// One probe task and the architectures trained on it, each with its built-in model defaults.
pub struct ProbePlan {
    pub task: &'static str,
    pub archs: &'static [&'static str],
    pub train_size: usize,
    pub test_size: usize,
    pub epochs: usize,
    /// The probe's longest controller distance (`[data] max_distance`; 0: its whole range).
    pub max_distance: usize,
    /// Reference runs: a left-to-right architecture again with a delay (`[model] delay`, wait-k),
    /// drawn beside the others (`lstm (delay = 4)`) and judged in no claim.
    pub delayed: &'static [(&'static str, usize)],
    /// Seeds at least (0: the comparison's `probe_seeds` alone): a verdict that counts the seeds
    /// that succeed needs more than two. `probe_seeds = 0` still trains no probe.
    pub min_seeds: usize,
}

/// The latch trained per maximum lag T (claim 2a, Bengio et al.'s curve): lags uniform in 1…T,
/// the mixed-lag latch's budget, three seeds, so that "succeeds in every seed" and "in no seed"
/// can be told apart from one seed's luck.
const fn latch_by_lag(max_lag: usize) -> ProbePlan {
    ProbePlan {
        task: "latch",
        archs: &["rnn", "lstm"],
        train_size: 2_000,
        test_size: 600,
        epochs: 16,
        max_distance: max_lag,
        delayed: &[],
        min_seeds: 3,
    }
}

/// The maximum lags T of claim 2a's runs.
pub const LATCH_MAX_LAGS: [usize; 5] = [5, 10, 20, 40, 80];

/// The probes of claims 1–5: agreement (ann vs rnn, lstm vs birnn on adjectives), agreement
/// across attractors (rnn vs lstm, birnn drawn beside), the latch (rnn vs lstm: only the
/// recurrent cell differs) with mixed lags and trained per maximum lag, and the free-form
/// sentences (encdec vs birnn). The `reorder` and `length` tasks stay available to `train`; a
/// BiRNN with slack slots absorbs any deterministic reordering or shift, so they judge no claim.
///
/// Budgets are set by the *winner's easy bucket* alone, never by a claim's Δ: the LSTM learns
/// agreement at N ≤ 2 with 6,000 sentences × 12 epochs (not with 3,000 × 8), and an
/// encoder-decoder learns short sentences of this lexicon with 6,000 × 12. The latch trains 2,000
/// sequences scored on its answer alone for 16 epochs: in a mixed-lag run the LSTM leaves chance
/// late. Test sets are as large as the buckets need.
pub const PLAN: [ProbePlan; 10] = [
    ProbePlan {
        task: "agreement",
        archs: &["ann", "rnn", "lstm", "birnn"],
        train_size: 6_000,
        test_size: 2_000,
        epochs: 12,
        max_distance: 0,
        // A reference line, in no verdict: the forward LSTM reading four words late sees every
        // adjective's noun (M ≤ 4), so its failure without the delay is the layout's.
        delayed: &[("lstm", 4)],
        min_seeds: 0,
    },
    // Claim 2b: agreement across attractors, the BiRNN as a third line; the agreement budget.
    ProbePlan {
        task: "agreement-attract",
        archs: &["rnn", "lstm", "birnn"],
        train_size: 6_000,
        test_size: 2_000,
        epochs: 12,
        max_distance: 0,
        delayed: &[],
        min_seeds: 0,
    },
    // The mixed-lag latch (5…100 in one run): the second figure of claim 2a.
    ProbePlan {
        task: "latch",
        archs: &["rnn", "lstm"],
        train_size: 2_000,
        test_size: 600,
        epochs: 16,
        max_distance: 0,
        delayed: &[],
        min_seeds: 0,
    },
    latch_by_lag(LATCH_MAX_LAGS[0]),
    latch_by_lag(LATCH_MAX_LAGS[1]),
    latch_by_lag(LATCH_MAX_LAGS[2]),
    latch_by_lag(LATCH_MAX_LAGS[3]),
    latch_by_lag(LATCH_MAX_LAGS[4]),
    // Claims 4 and 5: sentences with two valid translations beside sentences with one (at most
    // ten words, so the encoder-decoder stays clear of its bottleneck).
    ProbePlan {
        task: "free-order",
        archs: &["birnn", "encdec"],
        train_size: 6_000,
        test_size: 2_000,
        epochs: 12,
        max_distance: 0,
        delayed: &[],
        min_seeds: 0,
    },
    ProbePlan {
        task: "free-length",
        archs: &["birnn", "encdec"],
        train_size: 6_000,
        test_size: 2_000,
        epochs: 12,
        max_distance: 0,
        delayed: &[],
        min_seeds: 0,
    },
];

/// `--quick`: the agreement probe alone, one seed, its verbs at most 10 words from their subjects
/// (claim 1's window lesson and claim 3's look-ahead lesson), so its sentences are short and the
/// budget that teaches the control fits in seconds.
pub const QUICK_PLAN: [ProbePlan; 1] = [ProbePlan {
    task: "agreement",
    archs: &["ann", "rnn", "lstm", "birnn"],
    train_size: 3_000,
    test_size: 600,
    epochs: 8,
    max_distance: 10,
    // The LSTM reading four words late sees every adjective's noun (M ≤ 4): the reference line
    // that shows the forward models' failure on adjectives is the layout's, not the cell's.
    delayed: &[("lstm", 4)],
    min_seeds: 0,
}];

impl ProbePlan {
    /// The seeds this probe trains when the comparison asks for `probe_seeds`.
    pub fn seeds(&self, probe_seeds: usize) -> usize {
        if probe_seeds == 0 { 0 } else { probe_seeds.max(self.min_seeds) }
    }

    /// The run directory's name: `probe-latch-rnn-seed42`; a latch trained per maximum lag
    /// carries it (`probe-latch-lag20-rnn-seed42`).
    pub fn run_name(&self, arch: &str, seed: u64) -> String {
        match (self.task, self.max_distance) {
            ("latch", t) if t > 0 => format!("probe-latch-lag{t}-{arch}-seed{seed}"),
            (task, _) => format!("probe-{task}-{arch}-seed{seed}"),
        }
    }

    /// The run config of `arch` on this probe with seed `seed`.
    pub fn run_config(&self, arch: &str, seed: u64, backend: Backend) -> Result<RunConfig> {
        let mut config = RunConfig { arch: arch.into(), seed, backend, ..RunConfig::default() };
        config.data.task = self.task.into();
        config.data.train_size = self.train_size;
        config.data.valid_size = 200;
        config.data.test_size = self.test_size;
        config.data.max_distance = self.max_distance;
        config.training.epochs = self.epochs;
        // A probe trains its whole budget (and tests its best validation checkpoint): a learner
        // on a plateau — the latch at chance before it finds the symbol — must not stop early.
        config.training.patience = 0;
        config.training.train_eval_size = 100;
        config.validate().with_context(|| format!("the probe config of `{arch}` on `{}`", self.task))?;
        Ok(config)
    }

    /// The run config of a reference run: `arch` reading `delay` words late.
    pub fn delayed_config(&self, arch: &str, delay: usize, seed: u64, backend: Backend) -> Result<RunConfig> {
        let mut config = self.run_config(arch, seed, backend)?;
        config.model.insert("delay".into(), toml::Value::Integer(delay as i64));
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn the_latch_by_lag_trains_three_seeds_per_lag_under_its_own_names() {
        let by_lag: Vec<&ProbePlan> = PLAN.iter().filter(|p| p.task == "latch" && p.max_distance > 0).collect();
        assert_eq!(by_lag.iter().map(|p| p.max_distance).collect::<Vec<_>>(), LATCH_MAX_LAGS);
        assert!(by_lag.iter().all(|p| p.seeds(2) == 3 && p.seeds(5) == 5 && p.seeds(0) == 0));
        let names: std::collections::HashSet<String> =
            PLAN.iter().flat_map(|p| p.archs.iter().map(move |a| p.run_name(a, 42))).collect();
        assert_eq!(names.len(), PLAN.iter().map(|p| p.archs.len()).sum::<usize>(), "one directory per run");
        assert_eq!(by_lag[2].run_name("rnn", 42), "probe-latch-lag20-rnn-seed42");
        assert_eq!(PLAN[2].run_name("rnn", 42), "probe-latch-rnn-seed42");
    }

    #[test]
    fn every_planned_run_is_a_known_architecture_on_a_probe_task() {
        for plan in PLAN.iter().chain(&QUICK_PLAN) {
            assert!(plan.task.parse::<seq2seq_data::Task>().unwrap().is_probe());
            for arch in plan.archs {
                registry::find(arch).unwrap();
                let config = plan.run_config(arch, 42, Backend::Flex).unwrap();
                assert_eq!((config.data.task.as_str(), config.seed), (plan.task, 42));
            }
            for &(arch, delay) in plan.delayed {
                let config = plan.delayed_config(arch, delay, 42, Backend::Flex).unwrap();
                registry::find(arch).unwrap().check(&config).unwrap();
                assert_eq!(config.model.get("delay").and_then(|d| d.as_integer()), Some(delay as i64));
            }
        }
    }
}
