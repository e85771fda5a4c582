//! Reading finished run directories: `config.toml`, `test.json` and `metrics.csv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use seq2seq_train::probes::{ProbeScore, read_probes};
use seq2seq_train::run_dir::{CONFIG_FILE, METRICS_FILE, TEST_FILE};
use seq2seq_train::saliency::{Saliency, read_saliency};
use seq2seq_train::{GroupScores, RunConfig, TestReport};

use crate::ReportError;

/// One row of `metrics.csv`, by column name.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochMetrics {
    pub epoch: usize,
    pub split: String,
    pub values: BTreeMap<String, f64>,
}

impl EpochMetrics {
    pub fn get(&self, column: &str) -> Option<f64> {
        self.values.get(column).copied()
    }
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct Run {
    pub dir: PathBuf,
    pub config: RunConfig,
    pub test: TestReport,
    pub metrics: Vec<EpochMetrics>,
    /// The scored decisive items of a probe task (`probes.jsonl`).
    pub probes: Option<Vec<ProbeScore>>,
    /// Gradient saliency of the controllers (`saliency.json`), for probe runs that have it.
    pub saliency: Option<Saliency>,
}

/// One test sentence: its length in source words and whether it was translated exactly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sentence {
    pub words: usize,
    /// Words of the reference translation.
    pub reference_words: usize,
    pub exact: bool,
}

impl Run {
    pub fn load(dir: &Path) -> Result<Run, ReportError> {
        let config = RunConfig::from_file(&dir.join(CONFIG_FILE))?;
        let test_path = dir.join(TEST_FILE);
        let text = std::fs::read_to_string(&test_path).map_err(|e| ReportError::io(&test_path, e))?;
        let test: TestReport = serde_json::from_str(&text)
            .map_err(|e| ReportError::Input(format!("{}: not a test report: {e}", test_path.display())))?;
        let metrics = read_metrics(&dir.join(METRICS_FILE))?;
        let (probes, saliency) = (read_probes(dir)?, read_saliency(dir)?);
        Ok(Run { dir: dir.to_path_buf(), config, test, metrics, probes, saliency })
    }

    /// Every test sentence, from `test.src.txt`, `test.ref.txt` and `test.hyp.txt`.
    pub fn sentences(&self) -> Result<Vec<Sentence>, ReportError> {
        let read = |name: &str| {
            let path = self.dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| ReportError::io(&path, e))
        };
        let (sources, references, hypotheses) = (read("test.src.txt")?, read("test.ref.txt")?, read("test.hyp.txt")?);
        let (references, hypotheses): (Vec<&str>, Vec<&str>) =
            (references.lines().collect(), hypotheses.lines().collect());
        if references.len() != hypotheses.len() || sources.lines().count() != references.len() {
            return Err(ReportError::Input(format!(
                "{}: test.src.txt, test.ref.txt and test.hyp.txt differ in their number of lines",
                self.dir.display()
            )));
        }
        Ok(sources
            .lines()
            .zip(references.iter().zip(&hypotheses))
            .map(|(source, (reference, hypothesis))| Sentence {
                words: source.split_whitespace().count(),
                reference_words: reference.split_whitespace().count(),
                exact: reference == hypothesis,
            })
            .collect())
    }

    /// The rows of one split (`train` or `valid`), by epoch.
    pub fn split(&self, split: &str) -> Vec<&EpochMetrics> {
        self.metrics.iter().filter(|m| m.split == split).collect()
    }

    /// Mean training seconds per epoch.
    pub fn seconds_per_epoch(&self) -> f64 {
        self.test.train_seconds / self.test.epochs_trained.max(1) as f64
    }

    /// The length buckets of test sentences of at least `words` source words.
    fn buckets_from(&self, words: usize) -> impl Iterator<Item = &GroupScores> {
        self.test.by_length.iter().filter(move |g| bucket_start(&g.group).is_some_and(|s| s >= words))
    }

    /// Test sentences of at least `words` source words.
    pub fn sentences_from(&self, words: usize) -> usize {
        self.buckets_from(words).map(|g| g.sentences).sum()
    }

    /// Exact match (%) over the test sentences of at least `words` source words.
    pub fn exact_from(&self, words: usize) -> Option<f64> {
        let buckets: Vec<_> = self.buckets_from(words).collect();
        let sentences = self.sentences_from(words);
        (sentences > 0)
            .then(|| buckets.iter().map(|g| g.exact_match * g.sentences as f64).sum::<f64>() / sentences as f64)
    }

    /// The first epoch's validation row whose token accuracy reached `target` percent.
    fn first_valid_at(&self, target: f64) -> Option<&EpochMetrics> {
        self.split("valid").into_iter().find(|m| m.get("token_accuracy").is_some_and(|a| a >= target))
    }

    /// Training seconds (the epochs' batches; evaluation not counted) until the end of the first
    /// epoch whose validation token accuracy reached `target` percent.
    pub fn seconds_to(&self, target: f64) -> Option<f64> {
        self.first_valid_at(target)?.get("elapsed_seconds")
    }

    /// First epoch whose validation token accuracy reached `target` percent.
    pub fn epochs_to(&self, target: f64) -> Option<usize> {
        self.first_valid_at(target).map(|m| m.epoch)
    }
}

/// The first source length of a length bucket named `START-END` (as `test.json` names them).
pub fn bucket_start(group: &str) -> Option<usize> {
    group.split('-').next()?.parse().ok()
}

/// Parses `metrics.csv` by its header, so older files with fewer columns still read.
pub fn read_metrics(path: &Path) -> Result<Vec<EpochMetrics>, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::io(path, e))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let (Some(epoch_col), Some(split_col)) =
        (header.iter().position(|h| *h == "epoch"), header.iter().position(|h| *h == "split"))
    else {
        return Err(ReportError::Input(format!(
            "{}: line 1: expected a header with `epoch` and `split`",
            path.display()
        )));
    };
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let bad = |what: &str| ReportError::Input(format!("{}: line {}: {what}", path.display(), n + 2));
        if fields.len() != header.len() {
            return Err(bad(&format!("{} fields, expected {}", fields.len(), header.len())));
        }
        let epoch = fields[epoch_col].parse().map_err(|_| bad("the epoch is not a whole number"))?;
        let mut values = BTreeMap::new();
        for (k, (name, field)) in header.iter().zip(&fields).enumerate() {
            if k != epoch_col && k != split_col {
                let value = field.parse().map_err(|_| bad(&format!("`{name}` is not a number: `{field}`")))?;
                values.insert(name.to_string(), value);
            }
        }
        rows.push(EpochMetrics { epoch, split: fields[split_col].to_string(), values });
    }
    Ok(rows)
}

/// Mean and spread (lowest and highest) of one measure over seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub runs: usize,
}

impl Stat {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Stat> {
        let values: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        if values.is_empty() {
            return None;
        }
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Stat { mean, low, high, runs: values.len() })
    }

    pub fn spread(&self) -> f64 {
        self.high - self.low
    }
}

/// The source-length buckets of `runs`' test reports in length order, each with its number of
/// test sentences (the most any run counted: the runs share one test set).
pub fn length_buckets<'a>(runs: impl Iterator<Item = &'a Run>) -> Vec<(String, usize)> {
    let mut all: Vec<(usize, String, usize)> = Vec::new(); // (first length, name, sentences)
    for b in runs.flat_map(|r| &r.test.by_length) {
        match all.iter_mut().find(|(_, name, _)| *name == b.group) {
            Some(found) => found.2 = found.2.max(b.sentences),
            None => all.push((bucket_start(&b.group).unwrap_or(0), b.group.clone(), b.sentences)),
        }
    }
    all.sort();
    all.into_iter().map(|(_, name, sentences)| (name, sentences)).collect()
}

/// The distinct sacreBLEU signatures `of` the runs' test reports, quoted as code and joined
/// (empty where no run recorded one).
pub fn signatures(groups: &[ArchRuns], of: fn(&TestReport) -> &String) -> String {
    let mut found: Vec<&str> = Vec::new();
    for signature in groups.iter().flat_map(|g| &g.runs).map(|r| of(&r.test)) {
        if !signature.is_empty() && !found.contains(&signature.as_str()) {
            found.push(signature);
        }
    }
    found.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// Every seed's run of one architecture.
#[derive(Clone, Debug)]
pub struct ArchRuns {
    pub arch: String,
    pub runs: Vec<Run>,
}

impl ArchRuns {
    /// The label as a file name: `lstm (delay = 3)` → `lstm-delay-3`.
    pub fn file_stem(&self) -> String {
        let dashed: String = self.arch.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        dashed.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-")
    }

    pub fn stat(&self, measure: impl Fn(&Run) -> Option<f64>) -> Option<Stat> {
        Stat::of(self.runs.iter().filter_map(measure))
    }

    /// Per epoch (present in every run): the stat of `column` in `split`.
    pub fn curve(&self, split: &str, column: &str) -> Vec<(usize, Stat)> {
        let epochs = self.runs.iter().map(|r| r.split(split).len()).min().unwrap_or(0);
        (0..epochs)
            .filter_map(|e| {
                let stat = Stat::of(self.runs.iter().filter_map(|r| r.split(split)[e].get(column)))?;
                Some((e + 1, stat))
            })
            .collect()
    }
}

/// One seed's run of an architecture on a probe task: its scored decisive items.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeRun {
    pub seed: u64,
    pub parameters: usize,
    /// The run's budget: training sentences, epochs and `[data] max_distance` (0: whole range).
    pub budget: ProbeBudget,
    pub scores: Vec<ProbeScore>,
    pub saliency: Option<Saliency>,
}

/// What a probe run was trained on.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProbeBudget {
    pub train_size: usize,
    pub epochs: usize,
    pub max_distance: usize,
}

/// Every seed's run of one architecture on one probe task.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeRuns {
    pub task: String,
    /// The architecture, or a variant's label (see [`group`]).
    pub arch: String,
    /// The first run's config.
    pub config: RunConfig,
    pub runs: Vec<ProbeRun>,
}

impl ProbeRuns {
    /// Every seed's gradient saliency of the controllers at `distances`, trained or before
    /// training (empty for runs without `saliency.json`).
    pub fn gradient_norms(&self, trained: bool, distances: &std::ops::RangeInclusive<i64>) -> Vec<f64> {
        (self.runs.iter().filter_map(|r| r.saliency.as_ref()))
            .flat_map(|s| if trained { &s.trained } else { &s.untrained })
            .filter(|s| distances.contains(&s.distance))
            .map(|s| s.gradient_norm)
            .collect()
    }
}

/// Splits runs into the main comparison's and the probe runs (those with `probes.jsonl`),
/// grouped by task and architecture in the order they first appear.
pub fn split_probes(runs: Vec<Run>) -> (Vec<Run>, Vec<ProbeRuns>) {
    let mut main = Vec::new();
    let mut probes: Vec<ProbeRuns> = Vec::new();
    for run in runs {
        let Some(scores) = run.probes else {
            main.push(run);
            continue;
        };
        let task = run.config.data.task.clone();
        // A latch trained per maximum lag is a group of its own per lag, named by it, whichever
        // directory comes first.
        let lag = per_lag(&run.config);
        let reference = probes.iter().find(|p| {
            p.task == task && p.config.arch == run.config.arch && p.config.label.is_none() && per_lag(&p.config) == lag
        });
        let arch = match (label(reference.map(|p| &p.config), &run.config), lag) {
            (arch, None) => arch,
            (arch, Some(t)) => format!("{arch} (lags 1…{t})"),
        };
        let budget = ProbeBudget {
            train_size: run.config.data.train_size,
            epochs: run.config.training.epochs,
            max_distance: run.config.data.max_distance,
        };
        let probe_run =
            ProbeRun { seed: run.config.seed, parameters: run.test.parameters, budget, scores, saliency: run.saliency };
        match probes.iter_mut().find(|p| p.task == task && p.arch == arch) {
            Some(p) => p.runs.push(probe_run),
            None => probes.push(ProbeRuns { task, arch, config: run.config, runs: vec![probe_run] }),
        }
    }
    (main, probes)
}

/// The maximum lag T of a latch run trained per lag (`max_distance = T`), if it is one.
pub fn per_lag(config: &RunConfig) -> Option<usize> {
    (config.data.task == "latch" && config.data.max_distance > 0).then_some(config.data.max_distance)
}

/// Groups runs by architecture, in the order architectures first appear. Runs that differ
/// from the first run of their architecture in more than the seed are a variant of their own,
/// labelled with the difference (`lstm (delay = 3)`), never averaged in as another seed.
pub fn group(runs: Vec<Run>) -> Vec<ArchRuns> {
    let mut groups: Vec<ArchRuns> = Vec::new();
    for run in runs {
        let reference =
            groups.iter().find(|g| g.runs[0].config.arch == run.config.arch && g.runs[0].config.label.is_none());
        let arch = label(reference.map(|g| &g.runs[0].config), &run.config);
        match groups.iter_mut().find(|g| g.arch == arch) {
            Some(g) => g.runs.push(run),
            None => groups.push(ArchRuns { arch, runs: vec![run] }),
        }
    }
    groups
}

/// `config`'s own `label`, or its architecture with the settings in which it differs from
/// `reference` beyond the seed: `lstm (delay = 3)`. A key one side lacks (a run from before the
/// key existed) is no difference.
fn label(reference: Option<&RunConfig>, config: &RunConfig) -> String {
    if let Some(label) = &config.label {
        return label.clone();
    }
    let Some(reference) = reference else { return config.arch.clone() };
    let changes: Vec<String> = reference
        .differences(config)
        .iter()
        .filter_map(|line| {
            let (key, change) = line.split_once(": ")?;
            let (before, after) = change.split_once(" → ")?;
            let differs = key != "seed" && before != "(unset)" && after != "(unset)";
            differs.then(|| format!("{} = {after}", key.rsplit('.').next().unwrap_or(key)))
        })
        .collect();
    if changes.is_empty() { config.arch.clone() } else { format!("{} ({})", config.arch, changes.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_read_by_header_and_bad_lines_are_named() {
        let dir = std::env::temp_dir().join(format!("s2s-report-metrics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("metrics.csv");
        std::fs::write(&path, "epoch,split,loss,token_accuracy\n1,train,2.5,40\n1,valid,2.0,50.5\n").unwrap();
        let rows = read_metrics(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].split, "valid");
        assert_eq!(rows[1].get("token_accuracy"), Some(50.5));
        std::fs::write(&path, "epoch,split,loss\n1,train,x\n").unwrap();
        let err = read_metrics(&path).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("`loss`"), "{err}");
        std::fs::write(&path, "epoch,split,loss\n1,train\n").unwrap();
        assert!(read_metrics(&path).unwrap_err().to_string().contains("2 fields, expected 3"));
    }

    #[test]
    fn runs_that_differ_beyond_the_seed_are_labelled_variants_not_seeds() {
        let config = |arch: &str, seed: u64, delay: Option<i64>| {
            let mut config = RunConfig { arch: arch.into(), seed, ..RunConfig::default() };
            if let Some(delay) = delay {
                config.model.insert("delay".into(), toml::Value::Integer(delay));
            }
            config
        };
        let reference = config("lstm", 42, Some(0));
        assert_eq!(label(None, &reference), "lstm");
        assert_eq!(label(Some(&reference), &config("lstm", 43, Some(0))), "lstm", "another seed");
        assert_eq!(label(Some(&reference), &config("lstm", 42, Some(3))), "lstm (delay = 3)");
        assert_eq!(label(Some(&reference), &config("lstm", 42, None)), "lstm", "a run from before the key");
        let mut smaller = config("lstm", 44, Some(3));
        smaller.data.train_size = 600;
        assert_eq!(label(Some(&reference), &smaller), "lstm (train_size = 600, delay = 3)");
        let named = RunConfig { label: Some("lstm R=5".into()), ..smaller.clone() };
        assert_eq!(label(Some(&reference), &named), "lstm R=5", "a config's own label wins");
        let variant = ArchRuns { arch: label(Some(&reference), &smaller), runs: vec![] };
        assert_eq!(variant.file_stem(), "lstm-train-size-600-delay-3");
    }

    #[test]
    fn stats_over_seeds() {
        let s = Stat::of([1.0, 3.0, 2.0]).unwrap();
        assert_eq!((s.mean, s.low, s.high, s.runs), (2.0, 1.0, 3.0, 3));
        assert_eq!(s.spread(), 2.0);
        assert!(Stat::of([]).is_none());
    }
}
