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
    /// Runs of an architecture with `[model]` settings of its own: a reference line (the LSTM
    /// reading four words late) or the conv row's models, each a label of its own in the report.
    pub variants: &'static [Variant],
    /// Seeds at least (0: the comparison's `probe_seeds` alone): a verdict that counts the seeds
    /// that succeed needs more than two. `probe_seeds = 0` still trains no probe.
    pub min_seeds: usize,
}

/// One architecture with `[model]` settings of its own, trained beside a probe's architectures.
pub struct Variant {
    pub arch: &'static str,
    /// The run directory's part after the architecture: `probe-agreement-lstm-wait4-seed42`.
    pub name: &'static str,
    /// What the report calls it (`conv R=11`, the run config's `label`); `None`: the architecture
    /// with the settings in which it differs (`lstm (delay = 4)`).
    pub label: Option<&'static str>,
    pub model: &'static [(&'static str, Setting)],
}

/// A `[model]` value of a [`Variant`].
#[derive(Clone, Copy)]
pub enum Setting {
    Int(i64),
    Float(f64),
    Text(&'static str),
}

impl Variant {
    /// What the report calls it: its label, or the architecture with its settings
    /// (`lstm (delay = 4)`), as the report names a run that differs from its architecture's.
    pub fn shown_as(&self) -> String {
        if let Some(label) = self.label {
            return label.into();
        }
        let settings: Vec<String> =
            self.model.iter().map(|(key, setting)| format!("{key} = {}", setting.value())).collect();
        format!("{} ({})", self.arch, settings.join(", "))
    }
}

impl Setting {
    fn value(&self) -> toml::Value {
        match self {
            Setting::Int(n) => toml::Value::Integer(*n),
            Setting::Float(x) => toml::Value::Float(*x),
            Setting::Text(text) => toml::Value::String((*text).into()),
        }
    }
}

/// The forward LSTM reading four words late: it sees every adjective's noun (M ≤ 4), so its
/// failure on adjectives without the delay is the layout's, not the cell's. A reference line,
/// in no verdict.
const LSTM_WAIT_4: Variant = Variant { arch: "lstm", name: "wait4", label: None, model: &[("delay", Setting::Int(4))] };

/// A conv of the staircase (claim 8a) with its `[model]` settings: causal, kernel 3, L layers
/// (R = 1 + 2·L words, the verb seeing N ≤ 2·L back). The conv row's stacks have no dropout:
/// with 0.1 at every layer of 32 channels the dilated stack (8a's winner) left its plateau in one
/// seed of two by epoch 12 (83 % on its control), without it in both.
const fn causal_conv(name: &'static str, label: &'static str, model: &'static [(&'static str, Setting)]) -> Variant {
    Variant { arch: "conv", name, label: Some(label), model }
}

/// The conv row's staircase on `agreement`: R = 5, 11, 21 by depth, and 5 layers dilated 1, 2,
/// 4, 8, 16 (R = 63). 32 channels: agreement needs one number carried, not a wide state. A
/// 20-layer stack (R = 41) would cost as much as the other four together. Beside them the
/// Transformer of claim 8c, whose attention reaches every word: the saliency figure's fourth
/// mechanism.
const STAIRCASE: [Variant; 5] = [
    causal_conv("r5", "conv R=5", &[CHANNELS_32, NO_DROPOUT, CAUSAL, ("layers", Setting::Int(2))]),
    causal_conv("r11", "conv R=11", &[CHANNELS_32, NO_DROPOUT, CAUSAL, ("layers", Setting::Int(5))]),
    causal_conv("r21", "conv R=21", &[CHANNELS_32, NO_DROPOUT, CAUSAL, ("layers", Setting::Int(10))]),
    causal_conv(
        "r63-dilated",
        "conv R=63 dilated",
        &[CHANNELS_32, NO_DROPOUT, CAUSAL, ("layers", Setting::Int(5)), ("dilation", Setting::Text("doubling"))],
    ),
    TRANSFORMER_64_RUN,
];
const CHANNELS_32: (&str, Setting) = ("channels", Setting::Int(32));
const NO_DROPOUT: (&str, Setting) = ("dropout", Setting::Float(0.0));
const CAUSAL: (&str, Setting) = ("context", Setting::Text("causal"));

/// Claims 8b and 8c on `position`: a centred conv of 4 layers (R = 9, 32 channels) and a
/// Transformer of width 64, each with learned positions and without any. With sinusoidal
/// encodings the Transformer (8c's winner) scored 66-73 % on its control (i ≤ 3) even with
/// 6,000 sentences × 12: its index mod 4 is no simple function of the sinusoids; with a learned
/// vector per position, 100 % with 4,000 × 10.
const WITH_AND_WITHOUT_POSITIONS: [Variant; 4] = [
    Variant {
        arch: "conv",
        name: "learned-positions",
        label: Some("conv R=9, learned positions"),
        model: &[CHANNELS_32, NO_DROPOUT, LEARNED],
    },
    Variant {
        arch: "conv",
        name: "no-positions",
        label: Some("conv R=9, no positions"),
        model: &[CHANNELS_32, NO_DROPOUT],
    },
    Variant {
        arch: "transformer",
        name: "d64-learned-positions",
        label: Some("transformer d=64, learned positions"),
        model: &[TRANSFORMER_64[0], TRANSFORMER_64[1], LEARNED],
    },
    Variant {
        arch: "transformer",
        name: "d64-no-positions",
        label: Some("transformer d=64, no positions"),
        model: &[TRANSFORMER_64[0], TRANSFORMER_64[1], ("positions", Setting::Text("none"))],
    },
];
const LEARNED: (&str, Setting) = ("positions", Setting::Text("learned"));
const TRANSFORMER_64: [(&str, Setting); 2] = [("d_model", Setting::Int(64)), ("d_ff", Setting::Int(128))];
const TRANSFORMER_64_RUN: Variant =
    Variant { arch: "transformer", name: "d64", label: Some("transformer d=64"), model: &TRANSFORMER_64 };

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
        variants: &[],
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
pub const PLAN: [ProbePlan; 12] = [
    ProbePlan {
        task: "agreement",
        archs: &["ann", "rnn", "lstm", "birnn"],
        train_size: 6_000,
        test_size: 2_000,
        epochs: 12,
        max_distance: 0,
        variants: &[LSTM_WAIT_4],
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
        variants: &[],
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
        variants: &[],
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
        variants: &[],
        min_seeds: 0,
    },
    ProbePlan {
        task: "free-length",
        archs: &["birnn", "encdec"],
        train_size: 6_000,
        test_size: 2_000,
        epochs: 12,
        max_distance: 0,
        variants: &[],
        min_seeds: 0,
    },
    // Claim 8a: the conv staircase on agreement, with agreement's budget: with 4,000 sentences
    // × 10 the dilated stack (the winner) scores 60 % on its control (N ≤ 2); with 6,000 × 12,
    // 99-100 %.
    ProbePlan {
        task: "agreement",
        archs: &[],
        train_size: 6_000,
        test_size: 2_000,
        epochs: 12,
        max_distance: 0,
        variants: &STAIRCASE,
        min_seeds: 0,
    },
    // Claims 8b and 8c: where a word is, with and without positions. Both winners (learned
    // positions) score 100 % on their control with 4,000 sentences × 10.
    ProbePlan {
        task: "position",
        archs: &[],
        train_size: 4_000,
        test_size: 2_000,
        epochs: 10,
        max_distance: 0,
        variants: &WITH_AND_WITHOUT_POSITIONS,
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
    variants: &[LSTM_WAIT_4],
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

    /// The run config of `variant` with seed `seed`.
    pub fn variant_config(&self, variant: &Variant, seed: u64, backend: Backend) -> Result<RunConfig> {
        let mut config = self.run_config(variant.arch, seed, backend)?;
        config.label = variant.label.map(String::from);
        for (key, setting) in variant.model {
            config.model.insert((*key).into(), setting.value());
        }
        Ok(config)
    }

    /// The run directory's name of `variant`: `probe-agreement-conv-r11-seed42`.
    pub fn variant_run_name(&self, variant: &Variant, seed: u64) -> String {
        format!("probe-{}-{}-{}-seed{seed}", self.task, variant.arch, variant.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn a_variant_without_a_label_is_shown_as_its_architecture_and_settings() {
        assert_eq!(LSTM_WAIT_4.shown_as(), "lstm (delay = 4)");
        assert_eq!(STAIRCASE[0].shown_as(), "conv R=5");
    }

    #[test]
    fn the_latch_by_lag_trains_three_seeds_per_lag_under_its_own_names() {
        let by_lag: Vec<&ProbePlan> = PLAN.iter().filter(|p| p.task == "latch" && p.max_distance > 0).collect();
        assert_eq!(by_lag.iter().map(|p| p.max_distance).collect::<Vec<_>>(), LATCH_MAX_LAGS);
        assert!(by_lag.iter().all(|p| p.seeds(2) == 3 && p.seeds(5) == 5 && p.seeds(0) == 0));
        let names: std::collections::HashSet<String> = PLAN
            .iter()
            .flat_map(|p| {
                let variants = p.variants.iter().map(|v| p.variant_run_name(v, 42));
                p.archs.iter().map(|a| p.run_name(a, 42)).chain(variants)
            })
            .collect();
        let runs = PLAN.iter().map(|p| p.archs.len() + p.variants.len()).sum::<usize>();
        assert_eq!(names.len(), runs, "one directory per run");
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
            for variant in plan.variants {
                let config = plan.variant_config(variant, 42, Backend::Flex).unwrap();
                registry::find(variant.arch).unwrap().check(&config).unwrap();
                assert_eq!(config.model.len(), variant.model.len());
                assert_eq!(config.label.as_deref(), variant.label);
            }
        }
    }

    #[test]
    fn the_conv_rows_labels_state_the_receptive_field_its_settings_give() {
        let convs = PLAN.iter().flat_map(|p| p.variants.iter().map(move |v| (p, v))).filter(|(_, v)| v.arch == "conv");
        let mut labels = Vec::new();
        for (plan, variant) in convs {
            let config = plan.variant_config(variant, 42, Backend::Flex).unwrap();
            let conv: seq2seq_conv::ConvConfig = toml::Value::Table(config.model.clone()).try_into().unwrap();
            let label = variant.label.expect("the conv row's runs carry labels");
            let digits: String = label.trim_start_matches("conv R=").chars().take_while(char::is_ascii_digit).collect();
            assert_eq!(digits.parse::<usize>().ok(), Some(conv.receptive_field()), "{label}");
            assert_eq!(label.contains("dilated"), conv.dilation == seq2seq_conv::Dilation::Doubling, "{label}");
            if plan.task == "position" {
                assert_eq!(label.contains("no positions"), conv.positions == seq2seq_conv::Positions::None, "{label}");
            }
            labels.push(label);
        }
        assert!(!labels.is_empty());
    }

    /// Every model a probe or drop claim judges is trained on its probe: an architecture of the
    /// plan for that task, or a variant carrying that label. A label renamed on one side only
    /// would leave the claim "not measurable" for want of a model.
    #[test]
    fn every_claims_pair_is_trained_on_its_probe() {
        let probe = seq2seq_report::claims::probe_claims().map(|c| (c.number, c.task, [c.winner.0, c.loser.0]));
        let drop = seq2seq_report::claims::drop_claims().map(|c| (c.number, c.task, [c.winner, c.loser]));
        for (number, task, pair) in probe.into_iter().chain(drop) {
            let plans: Vec<&ProbePlan> = PLAN.iter().filter(|p| p.task == task).collect();
            assert!(!plans.is_empty(), "claim {number}: no probe plan trains `{task}`");
            for model in pair {
                let trained =
                    plans.iter().any(|p| p.archs.contains(&model) || p.variants.iter().any(|v| v.label == Some(model)));
                assert!(trained, "claim {number}: `{model}` is not trained on `{task}`");
            }
        }
    }
}
