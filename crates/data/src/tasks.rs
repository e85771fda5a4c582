//! Tasks and their deterministic train / valid / test splits.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::toy_fi::{self, DEMO_QUESTION, DEMO_SOURCE, DEMO_TARGET, ToyFiGrammar};
use crate::{DataError, Example, TokenizerKind, free_forms, minimal_pairs, probes, tsv};

/// What to translate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// The embedded English → Finnish-flavoured toy language (the default).
    ToyFi,
    /// Copy a digit sequence (sanity check, as in Joey NMT).
    Copy,
    /// Reverse a digit sequence.
    Reverse,
    /// Sort a digit sequence.
    Sort,
    /// Probe: past-tense subject–verb and adjective–noun agreement over a controlled distance.
    Agreement,
    /// Probe: subject–verb agreement across intervening nouns of either number (attractors).
    AgreementAttract,
    /// Probe: remember a symbol across 5–100 steps (1…T steps with `max_distance = T`).
    Latch,
    /// Probe: label one word with its index mod 4 (where a word is, nothing else).
    Position,
    /// Probe: statements and questions whose verb moves 2–10 words to the front.
    Reorder,
    /// Probe: clauses whose `in the forest` → `metsässä` contractions add up to an offset of 0–6.
    Length,
    /// Probe: sentences with two valid word orders (a place complement fronted) beside sentences with one.
    FreeOrder,
    /// Probe: places with two valid renderings of different length beside places with one.
    FreeLength,
    /// A real parallel corpus: `source<TAB>target[<TAB>anything]` per line.
    Tsv(PathBuf),
}

impl Task {
    /// Every built-in task, as configs and `--task` spell it, with what it is (`workbench list`);
    /// [`FromStr`] and [`Display`](fmt::Display) read their names from here.
    pub const BUILT_IN: [(Task, &'static str, &'static str); 12] = [
        (Task::ToyFi, "toy-fi", "English → Finnish-flavoured toy language with 7 tagged phenomena (default)"),
        (Task::Copy, "copy", "copy a digit sequence"),
        (Task::Reverse, "reverse", "reverse a digit sequence"),
        (Task::Sort, "sort", "sort a digit sequence"),
        (
            Task::Agreement,
            "agreement",
            "probe: past-tense verb agreeing with a noun 1-40 words back, adjectives with a noun 1-4 words ahead",
        ),
        (
            Task::AgreementAttract,
            "agreement-attract",
            "probe: past-tense verb agreeing with its subject 3-20 words back across 0-2 nouns of either number (attractors)",
        ),
        (
            Task::Latch,
            "latch",
            "probe: remember the first symbol (a or b) across 5-100 digits (1-T with max_distance = T), answer at the final ?",
        ),
        (
            Task::Position,
            "position",
            "probe: label the one `mark` among 1-44 digits with its index mod 4 (p0-p3), index 0-39",
        ),
        (Task::Reorder, "reorder", "probe: statements and their questions, the verb moved 2-10 words to the front"),
        (Task::Length, "length", "probe: 1-3 clauses where `in the forest` -> `metsässä` contracts, offsets 0-6"),
        (
            Task::FreeOrder,
            "free-order",
            "probe: sentences with two valid word orders (`suomessa vierailevat turistit`) beside ones with one",
        ),
        (
            Task::FreeLength,
            "free-length",
            "probe: places with two valid renderings (`metsässä` / `metsän sisällä`) beside names with one",
        ),
    ];

    /// A real corpus, as configs spell it, and what it is.
    pub const TSV: (&'static str, &'static str) =
        ("tsv:PATH", "a parallel corpus, source<TAB>target per line (Tatoeba / ManyThings format)");

    /// The demo sentence of the task, if it has one.
    pub fn demo(&self) -> Option<(&'static str, &'static str)> {
        match self {
            Task::ToyFi => Some((DEMO_SOURCE, DEMO_TARGET)),
            Task::Copy => Some(("3 1 4 1 5 9 2 6", "3 1 4 1 5 9 2 6")),
            Task::Reverse => Some(("3 1 4 1 5 9 2 6", "6 2 9 5 1 4 1 3")),
            Task::Sort => Some(("3 1 4 1 5 9 2 6", "1 1 2 3 4 5 6 9")),
            _ => None,
        }
    }

    /// A second demo sentence whose translation reorders (a question), for attention maps.
    pub fn demo_question(&self) -> Option<&'static str> {
        matches!(self, Task::ToyFi).then_some(DEMO_QUESTION.0)
    }

    /// Probe tasks carry decisive items and fix their own sentence lengths (the probe's
    /// distances), so `min_len` / `max_len` do not apply to them.
    pub fn is_probe(&self) -> bool {
        matches!(
            self,
            Task::Agreement
                | Task::AgreementAttract
                | Task::Latch
                | Task::Position
                | Task::Reorder
                | Task::Length
                | Task::FreeOrder
                | Task::FreeLength
        )
    }

    /// Whether the training loss scores only each example's decisive items. The latch is posed
    /// as in the literature (Bengio et al. 1994; Hochreiter & Schmidhuber 1997): one target, at
    /// the end. Its other slots hold `∅` placeholders only because the aligned layout needs a label
    /// per source word; scored, they are ~98 % of the tokens and learned within the first batches,
    /// and their early gradients fill Adam's second moments, shrinking the steps of the one
    /// answer that matters for the rest of a short run. The `position` probe, one labelled word
    /// among `∅` placeholders, is posed the same way.
    pub fn scores_decisive_items_only(&self) -> bool {
        matches!(self, Task::Latch | Task::Position)
    }
}

impl FromStr for Task {
    type Err = DataError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some((task, _, _)) = Task::BUILT_IN.iter().find(|(_, name, _)| *name == s) {
            return Ok(task.clone());
        }
        match s.strip_prefix("tsv:") {
            Some(path) if !path.is_empty() => Ok(Task::Tsv(PathBuf::from(path))),
            _ => Err(DataError::UnknownTask(s.to_string())),
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Task::Tsv(path) => write!(f, "tsv:{}", path.display()),
            task => {
                let (_, name, _) =
                    Task::BUILT_IN.iter().find(|(t, _, _)| t == task).expect("every other task is built in");
                f.write_str(name)
            }
        }
    }
}

/// The `[data]` section of an experiment config.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// `toy-fi`, `copy`, `reverse`, `sort`, a probe (`agreement`, `agreement-attract`, `latch`,
    /// `reorder`, `length`, `free-order`, `free-length`) or `tsv:PATH`.
    pub task: String,
    /// Training pairs (for `tsv:`, at most this many; 0 = all).
    pub train_size: usize,
    /// Validation pairs (for `tsv:`, distinct source sentences).
    pub valid_size: usize,
    /// Test pairs (for `tsv:`, distinct source sentences).
    pub test_size: usize,
    /// Shortest source sentence, in words.
    pub min_len: usize,
    /// Longest source sentence, in words. A probe's lengths are its distances, so its sentences
    /// are not cut by length; `max_distance` bounds them instead.
    pub max_len: usize,
    /// Probe tasks only: keep sentences whose decisive items all lie at most this far from their
    /// controllers (0: the task's whole range). A short probe for a quick look; for `latch`, the
    /// maximum lag T of a run trained per lag (its lags drawn uniformly from 1…T).
    pub max_distance: usize,
    /// `word`, `char`, `bpe` or `wordpiece`.
    pub tokenizer: String,
    /// Target vocabulary size of the subword tokenizers.
    pub subword_vocab_size: usize,
    /// Lower-case corpus text (`tsv:` only; the toy tasks are lower case already).
    pub lowercase: bool,
    /// Sentences per batch.
    pub batch_size: usize,
    /// Group sentences of similar length into batches (less padding, faster epochs).
    pub bucketing: bool,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            task: "toy-fi".into(),
            train_size: 20_000,
            valid_size: 500,
            test_size: 1_000,
            min_len: 3,
            max_len: 45,
            max_distance: 0,
            tokenizer: "word".into(),
            subword_vocab_size: 2_000,
            lowercase: true,
            batch_size: 64,
            bucketing: true,
        }
    }
}

impl DataConfig {
    pub fn task(&self) -> Result<Task, DataError> {
        self.task.parse()
    }

    pub fn tokenizer_kind(&self) -> Result<TokenizerKind, DataError> {
        self.tokenizer.parse()
    }

    /// Checks ranges; errors name the field.
    pub fn validate(&self) -> Result<(), DataError> {
        let setting = |field, message: &str| Err(DataError::Setting { field, message: message.into() });
        self.task()?;
        let tokenizer = self.tokenizer_kind()?;
        if matches!(tokenizer, TokenizerKind::Bpe | TokenizerKind::WordPiece)
            && self.subword_vocab_size < MIN_SUBWORD_VOCAB
        {
            return setting(
                "subword_vocab_size",
                &format!(
                    "expected at least {MIN_SUBWORD_VOCAB} with tokenizer = \"{}\" (got {}): a subword vocabulary needs room for the characters and the special tokens",
                    self.tokenizer, self.subword_vocab_size
                ),
            );
        }
        if self.min_len == 0 {
            return setting("min_len", "expected at least 1");
        }
        if self.max_len < self.min_len {
            return setting(
                "max_len",
                &format!("expected max_len >= min_len (got min_len = {}, max_len = {})", self.min_len, self.max_len),
            );
        }
        if self.batch_size == 0 {
            return setting("batch_size", "expected at least 1");
        }
        if self.valid_size == 0 || self.test_size == 0 {
            return setting("valid_size", "expected valid_size and test_size of at least 1");
        }
        if !matches!(self.task()?, Task::Tsv(_)) && self.train_size == 0 {
            return setting("train_size", "expected at least 1");
        }
        Ok(())
    }
}

/// The smallest subword vocabulary `bpe` / `wordpiece` may be asked to learn.
pub const MIN_SUBWORD_VOCAB: usize = 64;

/// The three splits of a task.
#[derive(Clone, Debug)]
pub struct Splits {
    pub train: Vec<Example>,
    pub valid: Vec<Example>,
    pub test: Vec<Example>,
}

impl Splits {
    /// Builds the splits of `config.task`, deterministically from `seed`.
    pub fn build(config: &DataConfig, seed: u64) -> Result<Self, DataError> {
        config.validate()?;
        let task = config.task()?;
        match &task {
            Task::Tsv(path) => tsv::load_splits(path, config, seed),
            Task::ToyFi => {
                let grammar = ToyFiGrammar::default();
                generate(config, seed, Some(toy_fi::demo_example()), |rng| grammar.sample(rng))
            }
            Task::Copy | Task::Reverse | Task::Sort => {
                let demo = task.demo().map(|(source, _)| {
                    digits_example(&task, source.split(' ').map(|d| d.parse().expect("digit")).collect())
                });
                generate(config, seed, demo, |rng| digits(rng, &task, config.min_len, config.max_len))
            }
            Task::Agreement => generate(config, seed, None, probes::agreement_example),
            Task::AgreementAttract => generate(config, seed, None, probes::agreement_attract_example),
            Task::Latch => {
                let lags = probes::latch_lags(config.max_distance);
                generate(config, seed, None, |rng| probes::latch_example(rng, lags.clone()))
            }
            Task::Position => generate(config, seed, None, probes::position_example),
            Task::Reorder => generate(config, seed, None, minimal_pairs::reorder_example),
            Task::Length => generate(config, seed, None, minimal_pairs::length_example),
            Task::FreeOrder => generate(config, seed, None, free_forms::free_order_example),
            Task::FreeLength => generate(config, seed, None, free_forms::free_length_example),
        }
    }
}

/// Samples unique pairs (by source) within the length range; the first go to test, then
/// valid, then train. The demo pair never enters train or valid, and opens the test split. A
/// training source with several valid translations is trained once with each.
fn generate(
    config: &DataConfig,
    seed: u64,
    demo: Option<Example>,
    mut sample: impl FnMut(&mut ChaCha8Rng) -> Example,
) -> Result<Splits, DataError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let wanted = config.train_size + config.valid_size + config.test_size;
    let mut seen: HashSet<String> = HashSet::new();
    let mut pool = Vec::with_capacity(wanted);
    let max_attempts = wanted * 200 + 10_000;
    let mut attempts = 0;
    while pool.len() < wanted {
        attempts += 1;
        if attempts > max_attempts {
            return Err(DataError::Setting {
                field: "train_size",
                message: format!(
                    "only {} distinct sentences of {}..={} words found after {max_attempts} draws; \
                     ask for fewer pairs or a wider length range",
                    pool.len(),
                    config.min_len,
                    config.max_len
                ),
            });
        }
        let example = sample(&mut rng);
        let len = example.source_len();
        // A probe's lengths are its distances: the length range does not cut them, `max_distance` does.
        let in_range = if example.probes.is_empty() {
            (config.min_len..=config.max_len).contains(&len)
        } else {
            config.max_distance == 0
                || example.probes.iter().all(|item| item.distance.unsigned_abs() as usize <= config.max_distance)
        };
        if !in_range || !seen.insert(example.source.clone()) {
            continue;
        }
        if demo.as_ref().is_some_and(|d| d.source == example.source) {
            continue;
        }
        pool.push(example);
    }
    let mut test: Vec<Example> = pool.drain(..config.test_size).collect();
    let valid: Vec<Example> = pool.drain(..config.valid_size).collect();
    if let Some(demo) = demo.filter(|d| (config.min_len..=config.max_len).contains(&d.source_len())) {
        test.pop();
        test.insert(0, demo);
    }
    let train = pool.into_iter().flat_map(Example::variants).collect();
    Ok(Splits { train, valid, test })
}

fn digits(rng: &mut ChaCha8Rng, task: &Task, min_len: usize, max_len: usize) -> Example {
    let len = rng.random_range(min_len..=max_len);
    digits_example(task, (0..len).map(|_| rng.random_range(0..10)).collect())
}

fn digits_example(task: &Task, source: Vec<u8>) -> Example {
    let mut order: Vec<usize> = (0..source.len()).collect();
    match task {
        Task::Reverse => order.reverse(),
        Task::Sort => order.sort_by_key(|&i| source[i]),
        _ => {}
    }
    let join = |xs: &mut dyn Iterator<Item = u8>| xs.map(|d| d.to_string()).collect::<Vec<_>>().join(" ");
    Example {
        source: join(&mut source.iter().copied()),
        target: join(&mut order.iter().map(|&i| source[i])),
        tags: vec![],
        alignment: order.iter().map(|&i| vec![i]).collect(),
        probes: vec![],
        references: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(task: &str) -> DataConfig {
        DataConfig { task: task.into(), train_size: 300, valid_size: 50, test_size: 50, ..DataConfig::default() }
    }

    #[test]
    fn splits_are_deterministic_disjoint_and_hold_out_the_demo() {
        let config = small("toy-fi");
        let a = Splits::build(&config, 7).unwrap();
        let b = Splits::build(&config, 7).unwrap();
        assert_eq!(a.train, b.train);
        assert_eq!(a.test, b.test);
        let c = Splits::build(&config, 8).unwrap();
        assert_ne!(a.train, c.train);
        let train: HashSet<_> = a.train.iter().map(|e| &e.source).collect();
        assert!(a.test.iter().chain(&a.valid).all(|e| !train.contains(&e.source)));
        assert!(!train.contains(&DEMO_SOURCE.to_string()));
        assert_eq!(a.test[0].source, DEMO_SOURCE);
        assert_eq!(a.test[0].target, DEMO_TARGET);
        assert_eq!((a.train.len(), a.valid.len(), a.test.len()), (300, 50, 50));
    }

    #[test]
    fn digit_tasks_transform_their_source() {
        let reverse = Splits::build(&small("reverse"), 1).unwrap();
        for e in &reverse.train {
            let rev: Vec<_> = e.source.split(' ').rev().collect();
            assert_eq!(e.target, rev.join(" "));
        }
        let sort = Splits::build(&small("sort"), 1).unwrap();
        for e in &sort.train {
            let mut sorted: Vec<_> = e.source.split(' ').collect();
            sorted.sort();
            assert_eq!(e.target, sorted.join(" "));
        }
        let copy = Splits::build(&small("copy"), 1).unwrap();
        assert!(copy.train.iter().all(|e| e.source == e.target));
    }

    #[test]
    fn probe_tasks_build_whole_distance_ranges_and_name_themselves() {
        let latch = Splits::build(&small("latch"), 2).unwrap();
        let longest = latch.train.iter().map(Example::source_len).max().unwrap();
        assert!(longest > 90, "max_len 45 does not cut the latch's distances: longest {longest}");
        assert!(latch.test.iter().all(|e| e.probes.len() == 1));
        let agreement = Splits::build(&small("agreement"), 2).unwrap();
        assert!(agreement.test.iter().all(|e| e.probes.iter().any(|i| i.kind == probes::VERB_AGREEMENT)));
        for name in ["agreement", "agreement-attract", "latch", "reorder", "length", "free-order", "free-length"] {
            let task: Task = name.parse().unwrap();
            assert!(task.is_probe() && task.to_string() == name && task.demo().is_none());
        }
        assert!(!Task::ToyFi.is_probe());
    }

    /// Every task reads back as itself from its name, each name once; `tsv:` keeps its path.
    #[test]
    fn task_names_round_trip() {
        for (task, name, _) in &Task::BUILT_IN {
            assert_eq!(name.parse::<Task>().unwrap(), *task);
            assert_eq!(task.to_string(), *name);
            assert_eq!(Task::BUILT_IN.iter().filter(|(_, other, _)| other == name).count(), 1, "{name}");
        }
        let tsv: Task = "tsv:corpus/fin.tsv".parse().unwrap();
        assert_eq!((tsv.to_string(), tsv), ("tsv:corpus/fin.tsv".into(), Task::Tsv("corpus/fin.tsv".into())));
        assert!("tsv:".parse::<Task>().is_err() && "copy ".parse::<Task>().is_err());
    }

    #[test]
    fn max_distance_bounds_every_probe_item_and_zero_keeps_the_whole_range() {
        let distances = |config: &DataConfig| -> Vec<u64> {
            let splits = Splits::build(config, 2).unwrap();
            splits.train.iter().flat_map(|e| e.probes.iter().map(|i| i.distance.unsigned_abs())).collect()
        };
        let whole = distances(&small("agreement"));
        assert!(whole.iter().any(|&d| d > 20), "the whole range reaches N = 40");
        let short = distances(&DataConfig { max_distance: 6, ..small("agreement") });
        assert!(short.iter().all(|&d| d <= 6), "{short:?}");
        assert!((1..=6).all(|d| short.contains(&d)), "every distance up to the bound is kept");
        // The latch draws its lags from 1…T: every lag up to the bound, the short ones included.
        let latch = distances(&DataConfig { max_distance: 12, ..small("latch") });
        assert!(latch.iter().all(|&d| (1..=12).contains(&d)), "{latch:?}");
        assert!((3..=12).all(|d| latch.contains(&d)), "{latch:?}");
    }

    #[test]
    fn a_source_with_two_valid_translations_is_trained_with_both_and_tested_once() {
        let splits = Splits::build(&small("free-order"), 3).unwrap();
        let free = |e: &&Example| e.references.len() == 2;
        let sources: HashSet<&str> = splits.train.iter().map(|e| e.source.as_str()).collect();
        assert_eq!(sources.len(), 300, "train_size counts sources");
        for e in splits.train.iter().filter(free) {
            let targets: Vec<&str> =
                splits.train.iter().filter(|t| t.source == e.source).map(|t| t.target.as_str()).collect();
            assert_eq!(targets, e.references.iter().map(String::as_str).collect::<Vec<_>>(), "{}", e.source);
        }
        assert!(splits.train.iter().filter(free).count() > 100);
        let once: HashSet<&str> = splits.test.iter().map(|e| e.source.as_str()).collect();
        assert_eq!(once.len(), splits.test.len(), "each source tested once, with all its references");
        let e = splits.test.iter().find(free).unwrap();
        assert!(e.accepts(&e.references[1]) && e.accepts(&e.target) && !e.accepts("turistit"));
    }

    #[test]
    fn unknown_task_is_named() {
        let err = "toy-en".parse::<Task>().unwrap_err().to_string();
        assert!(err.contains("toy-en") && err.contains("tsv:PATH"), "{err}");
        assert!("tsv:".parse::<Task>().is_err());
        assert_eq!("tsv:a.tsv".parse::<Task>().unwrap(), Task::Tsv("a.tsv".into()));
    }
}
