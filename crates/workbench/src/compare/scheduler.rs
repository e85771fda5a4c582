//! The comparison's runs, each a `workbench train` process of its own, `jobs` at a time (each on
//! the least busy of the GPUs it is given): each child's log beside its run directory, its
//! failure reported and the others carried on, and nothing new started after Ctrl-C.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// One run to train.
pub struct Job {
    pub name: String,
    pub config_path: PathBuf,
    pub dir: PathBuf,
    /// Continue an interrupted run of the same config from its last finished epoch.
    pub resume: bool,
}

struct Running {
    job: Job,
    child: Child,
    started: Instant,
    /// The GPU it runs on, when the jobs are spread over several.
    card: Option<usize>,
}

/// The card of `devices` with the fewest of `busy` (the cards of the running jobs), the first of
/// them on a tie; `None` without devices.
fn least_busy(devices: &[usize], busy: &[usize]) -> Option<usize> {
    devices.iter().copied().min_by_key(|card| busy.iter().filter(|b| *b == card).count())
}

/// Runs `workbench train` for each job, `parallel` at a time, spread over `devices` (GPU
/// numbers; none: each run on its config's); returns the failures.
pub fn run_jobs(
    mut jobs: Vec<Job>,
    parallel: usize,
    devices: &[usize],
    stop_after_epoch: Option<u64>,
) -> Result<Vec<String>> {
    let exe = std::env::current_exe().context("finding the workbench binary")?;
    // Each child's thread pool gets its share of the cores (two pools of all cores each would
    // fight over them); a RAYON_NUM_THREADS the user set is kept.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| (cores / parallel.max(1)).max(1).to_string());
    let total = jobs.len();
    jobs.reverse();
    let mut running: Vec<Running> = Vec::new();
    let mut failures = Vec::new();
    let mut done = 0;
    while (!jobs.is_empty() && !crate::interrupt::requested()) || !running.is_empty() {
        // After Ctrl-C (which the terminal sends to the running children too) nothing new starts.
        while running.len() < parallel && !crate::interrupt::requested() {
            let Some(job) = jobs.pop() else { break };
            let log_path = job.dir.with_extension("log");
            let log = std::fs::File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
            let mode = if job.resume { "--resume" } else { "--overwrite" };
            let mut command = Command::new(&exe);
            command.args(["train", mode, "--config"]).arg(&job.config_path).arg("--out").arg(&job.dir);
            if let Some(epoch) = stop_after_epoch {
                command.args(["--stop-after-epoch", &epoch.to_string()]);
            }
            let busy: Vec<usize> = running.iter().filter_map(|r| r.card).collect();
            let card = least_busy(devices, &busy);
            if let Some(card) = card {
                command.args(["--device", &card.to_string()]);
            }
            let child = command
                .env("RAYON_NUM_THREADS", &threads)
                .stdout(log.try_clone()?)
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .with_context(|| format!("starting {}", exe.display()))?;
            let what = if job.resume { "resuming" } else { "training" };
            let on = card.map(|c| format!(" on GPU {c}")).unwrap_or_default();
            eprintln!("{}: {what}{on} (log: {})", job.name, log_path.display());
            running.push(Running { job, child, started: Instant::now(), card });
        }
        std::thread::sleep(Duration::from_millis(200));
        let mut k = 0;
        while k < running.len() {
            match running[k].child.try_wait()? {
                None => k += 1,
                Some(status) => {
                    let finished = running.swap_remove(k);
                    done += 1;
                    let seconds = finished.started.elapsed().as_secs_f64();
                    if status.success() {
                        eprintln!("[{done}/{total}] {}: done in {seconds:.0} s", finished.job.name);
                    } else {
                        let log = finished.job.dir.with_extension("log");
                        eprintln!("[{done}/{total}] {}: FAILED ({status}); see {}", finished.job.name, log.display());
                        failures.push(format!("{} (see {})", finished.job.name, log.display()));
                    }
                }
            }
        }
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_starts_on_the_least_busy_card() {
        assert_eq!(least_busy(&[], &[]), None);
        assert_eq!(least_busy(&[0, 1], &[]), Some(0));
        assert_eq!(least_busy(&[0, 1], &[0]), Some(1));
        assert_eq!(least_busy(&[0, 1], &[0, 1]), Some(0));
        assert_eq!(least_busy(&[2, 3, 5], &[2, 3, 2, 3]), Some(5));
        assert_eq!(least_busy(&[2, 3, 5], &[2, 5, 5, 3, 2]), Some(3));
    }
}
