//! Translation metrics computed as sacreBLEU computes them: corpus BLEU (13a tokenisation,
//! 4-grams, exponential smoothing, brevity penalty) and chrF (character 6-grams, β = 2).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// sacreBLEU's `13a` tokenizer (mteval-v13a.pl), as in `sacrebleu/tokenizers/tokenizer_13a.py`.
pub fn tokenize_13a(line: &str) -> Vec<String> {
    static RULES: LazyLock<[(Regex, &str); 4]> = LazyLock::new(|| {
        [
            (Regex::new(r"([\{-\~\[-\` -\&\(-\+\:-\@/])").unwrap(), " $1 "),
            (Regex::new(r"([^0-9])([\.,])").unwrap(), "$1 $2 "),
            (Regex::new(r"([\.,])([^0-9])").unwrap(), " $1 $2"),
            (Regex::new(r"([0-9])(-)").unwrap(), "$1 $2 "),
        ]
    });
    let mut line = line.replace("<skipped>", "").replace("-\n", "").replace('\n', " ");
    if line.contains('&') {
        line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }
    let mut line = format!(" {line} ");
    for (re, rep) in RULES.iter() {
        line = re.replace_all(&line, *rep).into_owned();
    }
    line.split_whitespace().map(str::to_string).collect()
}

fn ngrams(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    for gram in tokens.windows(n) {
        *counts.entry(gram).or_insert(0) += 1;
    }
    counts
}

/// Corpus BLEU in percent, one reference per hypothesis.
pub fn corpus_bleu(hypotheses: &[String], references: &[String]) -> f64 {
    // BEGIN SOLUTION bleu
    const ORDER: usize = 4;
    let mut matches = [0usize; ORDER];
    let mut totals = [0usize; ORDER];
    let (mut hyp_len, mut ref_len) = (0usize, 0usize);
    for (hyp, reference) in hypotheses.iter().zip(references) {
        let h = tokenize_13a(hyp);
        let r = tokenize_13a(reference);
        hyp_len += h.len();
        ref_len += r.len();
        for n in 1..=ORDER {
            let hyp_grams = ngrams(&h, n);
            let ref_grams = ngrams(&r, n);
            totals[n - 1] += h.len().saturating_sub(n - 1);
            matches[n - 1] +=
                hyp_grams.iter().map(|(g, &c)| c.min(ref_grams.get(g).copied().unwrap_or(0))).sum::<usize>();
        }
    }
    if hyp_len == 0 {
        return 0.0;
    }
    let mut precisions = [0.0f64; ORDER];
    let mut smooth = 1.0;
    for n in 0..ORDER {
        if totals[n] == 0 {
            break;
        }
        precisions[n] = if matches[n] == 0 {
            smooth *= 2.0;
            100.0 / (smooth * totals[n] as f64)
        } else {
            100.0 * matches[n] as f64 / totals[n] as f64
        };
    }
    let brevity = if hyp_len < ref_len { (1.0 - ref_len as f64 / hyp_len as f64).exp() } else { 1.0 };
    let log_sum: f64 = precisions.iter().map(|&p| if p > 0.0 { p.ln() } else { -9_999_999_999.0 }).sum();
    brevity * (log_sum / ORDER as f64).exp()
    // END SOLUTION bleu
}

fn char_ngrams(text: &str, n: usize) -> HashMap<String, usize> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut counts = HashMap::new();
    for gram in chars.windows(n) {
        *counts.entry(gram.iter().collect::<String>()).or_insert(0) += 1;
    }
    counts
}

/// The sacreBLEU release whose scores the tests below reproduce to 1e-4.
pub const SACREBLEU_VERSION: &str = "2.6.0";

/// chrF's longest character n-gram.
const CHRF_ORDER: usize = 6;
/// chrF's β: recall weighs β times as much as precision.
const CHRF_BETA: usize = 2;

/// sacreBLEU's signature of [`corpus_bleu`]: one reference, case kept, 13a tokens, exponential
/// smoothing. A BLEU is comparable only with a BLEU of the same signature (Post 2018).
pub fn bleu_signature() -> String {
    format!("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:{SACREBLEU_VERSION}")
}

/// sacreBLEU's signature of [`corpus_chrf`]: character n-grams up to 6, no word n-grams,
/// whitespace dropped.
pub fn chrf_signature() -> String {
    format!("chrF{CHRF_BETA}|nrefs:1|case:mixed|eff:yes|nc:{CHRF_ORDER}|nw:0|space:no|version:{SACREBLEU_VERSION}")
}

/// Corpus chrF in percent (sacreBLEU's defaults: character n-grams up to 6, β = 2, whitespace
/// ignored, statistics summed over the corpus, precision and recall averaged over orders).
pub fn corpus_chrf(hypotheses: &[String], references: &[String]) -> f64 {
    const ORDER: usize = CHRF_ORDER;
    const BETA: f64 = CHRF_BETA as f64;
    let mut stats = [[0usize; 3]; ORDER]; // (hyp n-grams, ref n-grams, matches)
    for (hyp, reference) in hypotheses.iter().zip(references) {
        for n in 1..=ORDER {
            let h = char_ngrams(hyp, n);
            let r = char_ngrams(reference, n);
            stats[n - 1][0] += h.values().sum::<usize>();
            stats[n - 1][1] += r.values().sum::<usize>();
            stats[n - 1][2] += h.iter().map(|(g, &c)| c.min(r.get(g).copied().unwrap_or(0))).sum::<usize>();
        }
    }
    let (mut precision, mut recall, mut effective) = (0.0, 0.0, 0usize);
    for [n_hyp, n_ref, n_match] in stats {
        if n_hyp > 0 && n_ref > 0 {
            precision += n_match as f64 / n_hyp as f64;
            recall += n_match as f64 / n_ref as f64;
            effective += 1;
        }
    }
    if effective == 0 {
        return 0.0;
    }
    precision /= effective as f64;
    recall /= effective as f64;
    let factor = BETA * BETA;
    if precision + recall == 0.0 {
        return 0.0;
    }
    100.0 * (1.0 + factor) * precision * recall / (factor * precision + recall)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    // Expected values computed with sacreBLEU 2.6.0 (`SACREBLEU_VERSION`; pip install sacrebleu):
    //   import sacrebleu
    //   sacrebleu.corpus_bleu(HYPS, [REFS]).score
    //   sacrebleu.corpus_chrf(HYPS, [REFS]).score
    const HYPS: [&str; 3] = [
        "turistit vierailevat suomessa katsomassa revontulia",
        "the cat sat on the mat, didn't it?",
        "vierailevatko iloiset turistit helsingissä",
    ];
    const REFS: [&str; 3] = [
        "turistit vierailevat suomessa katsomassa revontulia",
        "the cat was sitting on the mat, wasn't it?",
        "vierailevatko turistit helsingissä ?",
    ];

    #[test]
    fn bleu_matches_sacrebleu() {
        let bleu = corpus_bleu(&strings(&HYPS), &strings(&REFS));
        assert!((bleu - SACREBLEU_BLEU).abs() < 1e-4, "{bleu}");
        let short = corpus_bleu(&strings(&["a b c d e x"]), &strings(&["a b c d e f g h"]));
        assert!((short - SACREBLEU_SHORT).abs() < 1e-4, "{short}");
        assert!((corpus_bleu(&strings(&["x y z w"]), &strings(&["x y z w"])) - 100.0).abs() < 1e-9);
        assert_eq!(corpus_bleu(&strings(&[""]), &strings(&["a"])), 0.0);
    }

    /// A corpus BLEU under check.
    type Bleu = fn(&[String], &[String]) -> f64;

    /// Cases where the usual mistakes show, with the scores sacreBLEU 2.6.0 printed for them
    /// (`sacrebleu.metrics.BLEU().corpus_score(hyps, [refs]).score`).
    const CASES: [(&str, &[&str], &[&str], f64); 5] = [
        ("no 4-gram matches (smoothed)", &["a b c d x e"], &["a b c x d e"], 35.930411196308434),
        ("no 3- or 4-gram matches", &["a b x c y d"], &["a b c d e f"], 19.304869754804482),
        ("a repeated word (clipped)", &["the the the the the the"], &["the cat is on the mat"], 9.652434877402245),
        ("statistics summed over the corpus", &["a b c d e f g", "x y"], &["a b c d e f g", "x z"], 93.42759554564007),
        ("a short hypothesis (brevity penalty)", &["a b c d e x"], &["a b c d e f g h"], SACREBLEU_SHORT),
    ];

    /// `bleu` scores every case as sacreBLEU does.
    fn check_bleu(bleu: Bleu) {
        for (what, hyps, refs, expected) in CASES {
            let got = bleu(&strings(hyps), &strings(refs));
            assert!((got - expected).abs() < 1e-4, "{what}: BLEU {got}, sacreBLEU {expected}");
        }
    }

    #[test]
    fn bleu_smooths_clips_and_sums_over_the_corpus_as_sacrebleu_does() {
        check_bleu(corpus_bleu);
    }

    // BEGIN TEACHER ONLY: a BLEU one fix away from right, for each mistake the check catches
    /// The mistakes a corpus BLEU is written with, to show that [`check_bleu`] catches each.
    #[derive(Clone, Copy, PartialEq)]
    enum Mistake {
        None,
        NoSmoothing,
        NoClipping,
        NoBrevityPenalty,
        MeanOfSentenceScores,
    }

    /// BLEU written independently of [`corpus_bleu`], with one `mistake`.
    fn bleu_with(mistake: Mistake, hyps: &[String], refs: &[String]) -> f64 {
        if mistake == Mistake::MeanOfSentenceScores {
            let each = hyps.iter().zip(refs).map(|(h, r)| bleu_with(Mistake::None, &[h.clone()], &[r.clone()]));
            return each.sum::<f64>() / hyps.len() as f64;
        }
        let (mut matches, mut totals, mut c, mut r) = ([0.0f64; 4], [0.0f64; 4], 0.0, 0.0);
        for (hyp, reference) in hyps.iter().zip(refs) {
            let (h, g) = (tokenize_13a(hyp), tokenize_13a(reference));
            (c, r) = (c + h.len() as f64, r + g.len() as f64);
            for n in 1..=4 {
                let (hg, rg) = (ngrams(&h, n), ngrams(&g, n));
                for (gram, &count) in &hg {
                    let in_ref = rg.get(gram).copied().unwrap_or(0);
                    matches[n - 1] +=
                        if mistake == Mistake::NoClipping && in_ref > 0 { count } else { count.min(in_ref) } as f64;
                    totals[n - 1] += count as f64;
                }
            }
        }
        let mut k = 0;
        let mut log_sum = 0.0;
        for n in 0..4 {
            let p = if matches[n] > 0.0 {
                matches[n] / totals[n]
            } else if mistake == Mistake::NoSmoothing {
                return 0.0;
            } else {
                k += 1;
                1.0 / (2f64.powi(k) * totals[n])
            };
            log_sum += p.ln() / 4.0;
        }
        let bp = if mistake == Mistake::NoBrevityPenalty || c >= r { 1.0 } else { (1.0 - r / c).exp() };
        100.0 * bp * log_sum.exp()
    }

    #[test]
    fn the_independent_bleu_passes_the_check() {
        check_bleu(|h, r| bleu_with(Mistake::None, h, r));
    }

    #[test]
    #[should_panic(expected = "sacreBLEU")]
    fn the_check_catches_a_bleu_without_smoothing() {
        check_bleu(|h, r| bleu_with(Mistake::NoSmoothing, h, r));
    }

    #[test]
    #[should_panic(expected = "sacreBLEU")]
    fn the_check_catches_unclipped_matches() {
        check_bleu(|h, r| bleu_with(Mistake::NoClipping, h, r));
    }

    #[test]
    #[should_panic(expected = "sacreBLEU")]
    fn the_check_catches_a_missing_brevity_penalty() {
        check_bleu(|h, r| bleu_with(Mistake::NoBrevityPenalty, h, r));
    }

    #[test]
    #[should_panic(expected = "sacreBLEU")]
    fn the_check_catches_a_mean_of_sentence_scores() {
        check_bleu(|h, r| bleu_with(Mistake::MeanOfSentenceScores, h, r));
    }
    // END TEACHER ONLY

    #[test]
    fn chrf_matches_sacrebleu() {
        let chrf = corpus_chrf(&strings(&HYPS), &strings(&REFS));
        assert!((chrf - SACREBLEU_CHRF).abs() < 1e-4, "{chrf}");
        assert!((corpus_chrf(&strings(&["abc"]), &strings(&["abc"])) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn tokenize_13a_splits_punctuation_but_not_decimals() {
        assert_eq!(
            tokenize_13a("Hello, world! 3.14 x-ray 5-6"),
            strings(&["Hello", ",", "world", "!", "3.14", "x-ray", "5", "-", "6"])
        );
    }

    const SACREBLEU_BLEU: f64 = 47.096753609533096;
    const SACREBLEU_SHORT: f64 = 54.44460596606694; // brevity penalty applies
    const SACREBLEU_CHRF: f64 = 80.26821345091088;
}
