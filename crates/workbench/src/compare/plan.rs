//! Which runs a comparison trains: the probes' runs, then every architecture's seeds. Every
//! run's settings are checked before any run starts; a run whose config is unchanged and that is
//! finished is kept, an interrupted one resumes.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_train::{RunConfig, run_dir};

use super::CompareConfig;
use super::probe_plan::{PLAN, ProbePlan, QUICK_PLAN};
use super::scheduler::Job;
use crate::registry;

/// The runs of a comparison.
pub struct Plan {
    /// What is left to train, the slowest architectures first.
    pub jobs: Vec<Job>,
    /// Every run's directory, kept or to train.
    pub dirs: Vec<PathBuf>,
    /// The probes it trains, and with how many seeds.
    pub probes: &'static [ProbePlan],
    pub probe_seeds: usize,
}

/// Writes each run's config into `out/configs/` and lists what is left to train.
pub fn plan(config: &CompareConfig, out: &Path, quick: bool) -> Result<Plan> {
    let (configs, runs) = (out.join("configs"), out.join("runs"));
    for dir in [&configs, &runs] {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let (probes, probe_seeds) =
        if quick { (&QUICK_PLAN[..], config.probe_seeds.min(1)) } else { (&PLAN[..], config.probe_seeds) };
    let mut plan = Plan { jobs: Vec::new(), dirs: Vec::new(), probes, probe_seeds };
    let mut add = |name: String, run_config: RunConfig| -> Result<()> {
        let (config_path, dir) = (configs.join(format!("{name}.toml")), runs.join(&name));
        registry::find(&run_config.arch)?.check(&run_config).with_context(|| format!("run {name}"))?;
        // Compared as settings, not as text: a config written before a key existed reads as its
        // default, so a new key does not retrain every finished run; nor does another card.
        let unchanged = std::fs::read_to_string(&config_path)
            .is_ok_and(|old| RunConfig::from_toml(&old).is_ok_and(|old| old.same_run(&run_config)));
        plan.dirs.push(dir.clone());
        if unchanged && run_dir::finished(&dir) {
            eprintln!("{name}: done before, kept");
            return Ok(());
        }
        write_atomic(&config_path, run_config.to_toml().as_bytes())
            .with_context(|| format!("writing {}", config_path.display()))?;
        let resume = unchanged && run_dir::resumable(&dir);
        plan.jobs.push(Job { name, config_path, dir, resume });
        Ok(())
    };
    // The probes first in the list, so that (reversed below) they train last.
    let first = config.run_config(&config.archs[0], 0, false)?;
    let seed = |k: usize| first.seed.wrapping_add(k as u64);
    for probe in probes {
        for arch in probe.archs {
            for k in 0..probe.seeds(probe_seeds) {
                let run_config = RunConfig { device: first.device, ..probe.run_config(arch, seed(k), first.backend)? };
                add(probe.run_name(arch, run_config.seed), run_config)?;
            }
        }
        for variant in probe.variants {
            for k in 0..probe.seeds(probe_seeds) {
                let run_config =
                    RunConfig { device: first.device, ..probe.variant_config(variant, seed(k), first.backend)? };
                add(probe.variant_run_name(variant, run_config.seed), run_config)?;
            }
        }
    }
    for row in config.rows() {
        for k in 0..config.seeds {
            let run_config = config.run_config(row, k, quick)?;
            add(format!("{row}-seed{}", run_config.seed), run_config)?;
        }
    }
    // Later architectures in the evolution are the slower ones: start them first, so that the
    // quick ones (and the small probe runs) fill the gaps at the end instead of leaving a core idle.
    plan.jobs.reverse();
    Ok(plan)
}
