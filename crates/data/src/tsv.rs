//! Real parallel corpora in the Tatoeba / ManyThings tab-separated format:
//! `source<TAB>target[<TAB>anything]`, one pair per line, UTF-8.

use std::collections::BTreeMap;
use std::path::Path;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::{DataConfig, DataError, Example, Splits};

/// Reads every pair of a corpus. Errors name the file and line: invalid UTF-8, a line without
/// a tab, an empty side. A byte-order mark (editors on Windows write one) and CRLF line ends are
/// read as nothing.
pub fn read_pairs(path: &Path, lowercase: bool) -> Result<Vec<(String, String)>, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    parse_pairs(path, &bytes, lowercase)
}

const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

/// The pairs of a corpus's bytes; `path` names the file in errors.
fn parse_pairs(path: &Path, bytes: &[u8], lowercase: bool) -> Result<Vec<(String, String)>, DataError> {
    let bytes = bytes.strip_prefix(BYTE_ORDER_MARK).unwrap_or(bytes);
    let mut pairs = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let line_error = |message: String| DataError::Line { path: path.to_path_buf(), line: line_no, message };
        let line = std::str::from_utf8(raw)
            .map_err(|e| line_error(format!("invalid UTF-8 at byte {} of the line", e.valid_up_to())))?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let source = fields.next().unwrap_or_default().trim();
        let target =
            fields.next().ok_or_else(|| line_error("expected `source<TAB>target`, found no tab".into()))?.trim();
        if source.is_empty() {
            return Err(line_error("the source side is empty".into()));
        }
        if target.is_empty() {
            return Err(line_error("the target side is empty".into()));
        }
        let norm = |s: &str| if lowercase { s.to_lowercase() } else { s.to_string() };
        pairs.push((norm(source), norm(target)));
    }
    if pairs.is_empty() {
        return Err(DataError::File { path: path.to_path_buf(), message: "no sentence pairs found".into() });
    }
    Ok(pairs)
}

/// Splits a corpus by source sentence (all translations of one source stay in one split),
/// deterministically from `seed`.
pub fn load_splits(path: &Path, config: &DataConfig, seed: u64) -> Result<Splits, DataError> {
    let pairs = read_pairs(path, config.lowercase)?;
    let mut by_source: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (source, target) in pairs {
        let len = source.split_whitespace().count();
        if len >= config.min_len && len <= config.max_len {
            by_source.entry(source).or_default().push(target);
        }
    }
    let mut sources: Vec<String> = by_source.keys().cloned().collect();
    let needed = config.valid_size + config.test_size + 1;
    if sources.len() < needed {
        return Err(DataError::File {
            path: path.to_path_buf(),
            message: format!(
                "{} distinct source sentences of {}..={} words; valid_size + test_size + 1 = {needed} needed",
                sources.len(),
                config.min_len,
                config.max_len
            ),
        });
    }
    sources.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let to_examples = |sources: &[String]| -> Vec<Example> {
        sources
            .iter()
            .flat_map(|s| {
                by_source[s].iter().map(move |t| Example { source: s.clone(), target: t.clone(), ..Example::default() })
            })
            .collect()
    };
    let (test, rest) = sources.split_at(config.test_size);
    let (valid, train) = rest.split_at(config.valid_size);
    let mut train = to_examples(train);
    if config.train_size > 0 {
        train.truncate(config.train_size);
    }
    Ok(Splits { train, valid: to_examples(valid), test: to_examples(test) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("s2s-tsv-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("corpus.tsv");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn bad_lines_are_named() {
        let path = write("notab", b"Hello.\tHei.\nNo tab here\n");
        let err = read_pairs(&path, true).unwrap_err().to_string();
        assert!(err.contains("corpus.tsv:2") && err.contains("no tab"), "{err}");

        let path = write("empty", b"Hello.\tHei.\n\t Moi.\n");
        let err = read_pairs(&path, true).unwrap_err().to_string();
        assert!(err.contains(":2") && err.contains("source side is empty"), "{err}");

        let path = write("utf8", b"Hello.\tHei.\nGood \xff day\tHyv\xc3\xa4\xc3\xa4 p\xc3\xa4iv\xc3\xa4\xc3\xa4\n");
        let err = read_pairs(&path, true).unwrap_err().to_string();
        assert!(err.contains(":2") && err.contains("UTF-8"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_word() {
        let path = write("bom", b"\xef\xbb\xbfHello.\tHei.\r\nRun!\tJuokse!\r\n");
        let pairs = read_pairs(&path, false).unwrap();
        assert_eq!(pairs, vec![("Hello.".into(), "Hei.".into()), ("Run!".into(), "Juokse!".into())]);
    }

    proptest::proptest! {

        // A fixed seed: every run (and CI) tries the same cases; the cases that once failed are kept in proptest-regressions/.

        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(1994), ..Default::default() })]

        /// Any bytes at all: pairs or an error naming the file, never a panic; every pair read has
        /// two non-empty sides without tabs or line breaks.
        #[test]
        fn any_bytes_give_pairs_or_a_named_error(bytes in proptest::collection::vec(
            proptest::prop_oneof![proptest::prelude::any::<u8>(), proptest::sample::select(b"\t\n\r ab".to_vec())], 0..300)) {
            match parse_pairs(Path::new("corpus.tsv"), &bytes, true) {
                Ok(pairs) => for (source, target) in pairs {
                    for side in [&source, &target] {
                        proptest::prop_assert!(!side.trim().is_empty() && !side.contains(['\t', '\n']), "{:?}", side);
                    }
                },
                Err(e) => proptest::prop_assert!(e.to_string().starts_with("corpus.tsv"), "{}", e),
            }
        }

        /// Written pairs read back as themselves, whatever the line ends and a leading mark.
        #[test]
        fn written_pairs_read_back(pairs in proptest::collection::vec(("[a-zäö .!?]{0,12}[a-zäö]", "[a-zäö]{1,3}[a-zäö ,]{0,12}"), 1..20),
                                   crlf in proptest::bool::ANY, bom in proptest::bool::ANY) {
            let end = if crlf { "\r\n" } else { "\n" };
            let text: String = pairs.iter().map(|(s, t)| format!("{s}\t{t}{end}")).collect();
            let bytes = [if bom { BYTE_ORDER_MARK } else { b"" }, text.as_bytes()].concat();
            let read = parse_pairs(Path::new("corpus.tsv"), &bytes, false).unwrap();
            let expected: Vec<_> = pairs.iter().map(|(s, t)| (s.trim().to_string(), t.trim().to_string())).collect();
            proptest::prop_assert_eq!(read, expected);
        }
    }

    #[test]
    fn third_column_and_crlf_are_accepted() {
        let path = write("ok", b"Hello.\tHei.\tCC-BY 2.0 (France)\r\nRun!\tJuokse!\n");
        let pairs = read_pairs(&path, true).unwrap();
        assert_eq!(pairs, vec![("hello.".into(), "hei.".into()), ("run!".into(), "juokse!".into())]);
    }

    /// The real English–Finnish sample beside the project (`../shared/corpora/`; required under CI).
    #[test]
    fn the_shared_tatoeba_sample_splits_by_source_sentence() {
        let Some(path) = crate::shared_corpus::tatoeba() else { return };
        let config = DataConfig {
            task: format!("tsv:{}", path.display()),
            train_size: 0,
            valid_size: 200,
            test_size: 300,
            min_len: 1,
            max_len: 30,
            ..DataConfig::default()
        };
        let splits = Splits::build(&config, 1).unwrap();
        let distinct = |xs: &[Example]| xs.iter().map(|e| e.source.clone()).collect::<std::collections::HashSet<_>>();
        let (train, valid, test) = (distinct(&splits.train), distinct(&splits.valid), distinct(&splits.test));
        assert_eq!((valid.len(), test.len()), (200, 300));
        assert!(train.is_disjoint(&test) && train.is_disjoint(&valid) && valid.is_disjoint(&test));
        assert!(splits.train.len() + splits.valid.len() + splits.test.len() > 5_000);
        assert!(splits.train.iter().any(|e| e.target.contains('ä')), "Finnish targets, lower-cased");
        let again = Splits::build(&config, 1).unwrap();
        assert_eq!(splits.test, again.test);
    }
}
