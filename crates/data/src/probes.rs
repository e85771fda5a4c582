//! Probe tasks: small generated tasks that each test one claim of the evolution table, and the
//! decisive items every example carries.
//!
//! Both probes use the *aligned layout*: one target label per source word (`∅` where a word has no
//! translation of its own), so the target is as long as the source and every position-wise model
//! can answer every item by construction. What decides an item is one earlier (or later) source
//! word, its *controller*, at a known signed distance.
//!
//! | task        | decisive item | controller | contrast |
//! |-------------|---------------|------------|----------|
//! | `agreement` | the Finnish past-tense verb (`vieraili` / `vierailivat`) | the subject noun, N = 1…40 words back | the verb in the other number |
//! |             | each adjective (`iloinen` / `iloiset`) | the noun M = 1…4 words *ahead* | the adjective in the other number |
//! | `latch`     | the answer at the final `?` | the symbol `a` or `b` at the start, 5…100 steps back | the other symbol |
//! | `position`  | the label of the one `mark`: its index mod 4 (`p0`…`p3`) | the sentence's start, 0…39 words back | the next index's label |
//!
//! English past tense carries no number (`the tourist visited`, `the tourists visited`), the
//! article is always `the`, and the words between are number-neutral adverbs, so the only cue to
//! the verb's number is the noun N words back — a long-distance dependency that toy-fi, where
//! English marks number on every finite verb, does not have.

use rand::Rng;
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

use crate::Example;
use crate::toy_fi::{ADJECTIVES, NOUNS};

/// The target label of a source word with no translation of its own (`the`, latch fillers).
pub const EMPTY_LABEL: &str = "∅";

/// Kinds of decisive items.
pub const VERB_AGREEMENT: &str = "verb-agreement";
pub const ADJECTIVE_AGREEMENT: &str = "adjective-agreement";
pub const LATCH: &str = "latch";
pub const POSITION: &str = "position";

/// Agreement distances N (noun to verb), drawn uniformly so that every distance is equally common.
pub const MAX_VERB_DISTANCE: usize = 40;
/// Adjectives before the noun: 0…4, so an adjective's noun is M = 1…4 words ahead.
pub const MAX_ADJECTIVES: usize = 4;
/// Latch distances (symbol to answer) of the mixed-lag latch, drawn uniformly.
pub const LATCH_DISTANCES: std::ops::RangeInclusive<usize> = 5..=100;

/// The lags a latch run draws from: the mixed-lag range, or 1…T for a run trained per maximum
/// lag T (`[data] max_distance = T`), as Bengio, Simard & Frasconi 1994 trained theirs.
pub fn latch_lags(max_lag: usize) -> std::ops::RangeInclusive<usize> {
    if max_lag == 0 { LATCH_DISTANCES } else { 1..=max_lag }
}
/// The two symbols the latch remembers: chance is 50 %.
pub const LATCH_SYMBOLS: [&str; 2] = ["a", "b"];

/// One decisive item of an example: at `target_index`, the model must prefer `correct` over
/// `contrast`, and only the source word at `controller` tells them apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeItem {
    /// [`VERB_AGREEMENT`], [`ADJECTIVE_AGREEMENT`] or [`LATCH`].
    pub kind: String,
    /// Target word position (0-based, without `<sos>`).
    pub target_index: usize,
    /// Source word position of the controller.
    pub controller: usize,
    /// The decisive word's source position minus the controller's: positive when the controller
    /// comes before it, negative when it comes after.
    pub distance: i64,
    pub correct: String,
    pub contrast: String,
    /// `agreement-attract` only: the nouns between controller and item whose number differs
    /// from the controller's (Linzen et al. 2016's attractors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attractors: Option<usize>,
}

/// The `mark`'s indices (0-based) in the `position` probe, drawn uniformly: ten of each label.
pub const MAX_MARK_INDEX: usize = 39;
/// The word whose position the `position` probe asks for, and its labels by index mod 4.
pub const MARK: &str = "mark";
pub const POSITION_LABELS: [&str; 4] = ["p0", "p1", "p2", "p3"];
/// Filler words after the mark: 0…4, so the mark is not always the last word.
const MAX_WORDS_AFTER_MARK: usize = 4;

/// Past-tense verbs: English (no number), Finnish `[singular, plural]`, and objects that follow
/// them (English, Finnish), translated word for word.
struct PastVerb {
    en: &'static str,
    fi: [&'static str; 2],
    objects: &'static [(&'static str, &'static str)],
}

const PAST_VERBS: &[PastVerb] = &[
    PastVerb {
        en: "visited",
        fi: ["vieraili", "vierailivat"],
        objects: &[("finland", "suomessa"), ("lapland", "lapissa"), ("helsinki", "helsingissä")],
    },
    PastVerb { en: "loved", fi: ["rakasti", "rakastivat"], objects: &[("snow", "lunta"), ("coffee", "kahvia")] },
    PastVerb { en: "watched", fi: ["katsoi", "katsoivat"], objects: &[("reindeer", "poroja"), ("birds", "lintuja")] },
    PastVerb { en: "saw", fi: ["näki", "näkivät"], objects: &[("bears", "karhuja"), ("lakes", "järviä")] },
];

/// Number-neutral adverbs that fill the distance between subject and verb.
pub(crate) const ADVERBS: &[(&str, &str)] = &[
    ("often", "usein"),
    ("again", "taas"),
    ("yesterday", "eilen"),
    ("quietly", "hiljaa"),
    ("slowly", "hitaasti"),
    ("always", "aina"),
    ("then", "sitten"),
    ("still", "vielä"),
    ("happily", "iloisesti"),
    ("finally", "lopulta"),
    ("suddenly", "yhtäkkiä"),
    ("never", "koskaan"),
];

/// Builds an aligned-layout example: target word `j` translates source word `j`.
fn aligned(source: Vec<&str>, target: Vec<&str>, tag: &str, probes: Vec<ProbeItem>) -> Example {
    debug_assert_eq!(source.len(), target.len());
    Example {
        alignment: (0..target.len()).map(|j| vec![j]).collect(),
        source: source.join(" "),
        target: target.join(" "),
        tags: vec![tag.to_string()],
        probes,
        references: vec![],
    }
}

/// `the [adjectives] noun adverb… verb object` → `∅ [adjectives] noun adverb… verb object`, the
/// verb N words after the noun, the subject's number drawn at random.
pub fn agreement_example(rng: &mut impl Rng) -> Example {
    let verb_distance = rng.random_range(1..=MAX_VERB_DISTANCE);
    let adjectives = rng.random_range(0..=MAX_ADJECTIVES);
    let number = usize::from(rng.random_bool(0.5)); // 0 singular, 1 plural
    let noun = NOUNS.choose(rng).expect("nouns");
    let verb = PAST_VERBS.choose(rng).expect("verbs");
    let (object_en, object_fi) = *verb.objects.choose(rng).expect("objects");

    let (mut source, mut target) = (vec!["the"], vec![EMPTY_LABEL]);
    let noun_position = 1 + adjectives;
    let mut probes = Vec::new();
    for (k, (en, fi)) in ADJECTIVES.choose_multiple(rng, adjectives).enumerate() {
        let position = 1 + k;
        probes.push(ProbeItem {
            kind: ADJECTIVE_AGREEMENT.into(),
            target_index: position,
            controller: noun_position,
            distance: position as i64 - noun_position as i64,
            correct: fi[number].into(),
            contrast: fi[1 - number].into(),
            attractors: None,
        });
        source.push(en);
        target.push(fi[number]);
    }
    source.push(noun.en[number]);
    target.push(noun.fi[number]);
    for _ in 1..verb_distance {
        let (en, fi) = *ADVERBS.choose(rng).expect("adverbs");
        source.push(en);
        target.push(fi);
    }
    probes.push(ProbeItem {
        kind: VERB_AGREEMENT.into(),
        target_index: source.len(),
        controller: noun_position,
        distance: verb_distance as i64,
        correct: verb.fi[number].into(),
        contrast: verb.fi[1 - number].into(),
        attractors: None,
    });
    source.extend([verb.en, object_en]);
    target.extend([verb.fi[number], object_fi]);
    aligned(source, target, "agreement", probes)
}

/// Subject–verb distances N of `agreement-attract`.
pub const ATTRACT_DISTANCES: std::ops::RangeInclusive<usize> = 3..=20;
/// At most this many prepositional phrases (`near the bears`) between subject and verb.
pub const MAX_ATTRACTOR_PHRASES: usize = 2;
/// Prepositions of the intervening phrases: number-neutral, labelled `∅` as `the` is.
const PREPOSITIONS: &[&str] = &["near", "with", "behind", "beside"];

/// `the tourist near the bears often visited finland` → `∅ turisti ∅ ∅ karhut usein vieraili
/// suomessa`: agreement across intervening nouns. Each intervening noun is labelled with its own
/// number (so the network must encode it), drawn independently of the subject's; those of the
/// other number are the item's attractors (Linzen, Dupoux & Goldberg 2016). N = 3…20 words from
/// the subject to the verb, 0…2 phrases of three words each, adverbs for the rest.
pub fn agreement_attract_example(rng: &mut impl Rng) -> Example {
    let verb_distance = rng.random_range(ATTRACT_DISTANCES);
    let phrases = rng.random_range(0..=MAX_ATTRACTOR_PHRASES.min((verb_distance - 1) / 3));
    let number = usize::from(rng.random_bool(0.5));
    let noun = NOUNS.choose(rng).expect("nouns");
    let verb = PAST_VERBS.choose(rng).expect("verbs");
    let (object_en, object_fi) = *verb.objects.choose(rng).expect("objects");

    let (mut source, mut target) = (vec!["the", noun.en[number]], vec![EMPTY_LABEL, noun.fi[number]]);
    let mut attractors = 0;
    for _ in 0..phrases {
        let other = NOUNS.choose(rng).expect("nouns");
        let other_number = usize::from(rng.random_bool(0.5));
        attractors += usize::from(other_number != number);
        source.extend([*PREPOSITIONS.choose(rng).expect("prepositions"), "the", other.en[other_number]]);
        target.extend([EMPTY_LABEL, EMPTY_LABEL, other.fi[other_number]]);
    }
    while source.len() < 1 + verb_distance {
        let (en, fi) = *ADVERBS.choose(rng).expect("adverbs");
        source.push(en);
        target.push(fi);
    }
    let item = ProbeItem {
        kind: VERB_AGREEMENT.into(),
        target_index: source.len(),
        controller: 1,
        distance: verb_distance as i64,
        correct: verb.fi[number].into(),
        contrast: verb.fi[1 - number].into(),
        attractors: Some(attractors),
    };
    source.extend([verb.en, object_en]);
    target.extend([verb.fi[number], object_fi]);
    aligned(source, target, "agreement-attract", vec![item])
}

/// `a 3 1 4 … ?` → `∅ ∅ ∅ ∅ … a`: remember the first symbol until the `?`, `distance` steps
/// later, the distance drawn uniformly from `lags`.
pub fn latch_example(rng: &mut impl Rng, lags: std::ops::RangeInclusive<usize>) -> Example {
    let distance = rng.random_range(lags);
    let symbol = rng.random_range(0..LATCH_SYMBOLS.len());
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let mut source = vec![LATCH_SYMBOLS[symbol]];
    source.extend((1..distance).map(|_| DIGITS[rng.random_range(0..10)]));
    source.push("?");
    let mut target = vec![EMPTY_LABEL; distance];
    target.push(LATCH_SYMBOLS[symbol]);
    let probe = ProbeItem {
        kind: LATCH.into(),
        target_index: distance,
        controller: 0,
        distance: distance as i64,
        correct: LATCH_SYMBOLS[symbol].into(),
        contrast: LATCH_SYMBOLS[1 - symbol].into(),
        attractors: None,
    };
    aligned(source, target, "latch", vec![probe])
}

/// `7 2 mark 9` → `∅ ∅ p2 ∅`: the one `mark` is labelled with its index mod 4, every digit with
/// `∅`. Nothing but the mark's place in the sentence tells the label, so a model must know where
/// a word is: a recurrent model counts, attention needs positional encodings, and a convolution
/// without them sees only whether the sentence's start lies in its receptive field.
///
/// One labelled word per sentence, not a label on every word: a decoder fed its previous labels
/// (`p1` → `p2`) could count on from them without knowing any position.
pub fn position_example(rng: &mut impl Rng) -> Example {
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let index = rng.random_range(0..=MAX_MARK_INDEX);
    let after = rng.random_range(0..=MAX_WORDS_AFTER_MARK);
    let mut source: Vec<&str> = (0..index).map(|_| DIGITS[rng.random_range(0..10)]).collect();
    source.push(MARK);
    source.extend((0..after).map(|_| DIGITS[rng.random_range(0..10)]));
    let mut target = vec![EMPTY_LABEL; source.len()];
    target[index] = POSITION_LABELS[index % 4];
    let probe = ProbeItem {
        kind: POSITION.into(),
        target_index: index,
        controller: 0,
        distance: index as i64,
        correct: POSITION_LABELS[index % 4].into(),
        contrast: POSITION_LABELS[(index + 1) % 4].into(),
        attractors: None,
    };
    aligned(source, target, "position", vec![probe])
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn agreement_items_point_at_their_controller_and_only_it_carries_number() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut distances = [0usize; MAX_VERB_DISTANCE + 1];
        let mut adjective_items = 0;
        for _ in 0..4000 {
            let e = agreement_example(&mut rng);
            let (source, target): (Vec<&str>, Vec<&str>) =
                (e.source.split(' ').collect(), e.target.split(' ').collect());
            assert_eq!(source.len(), target.len(), "aligned layout: {}", e.source);
            assert_eq!(source[0], "the");
            for item in &e.probes {
                assert_eq!(target[item.target_index], item.correct);
                assert_ne!(item.correct, item.contrast);
                // The controller is the subject noun, `distance` words from the decisive word.
                let noun = source[item.controller];
                assert!(NOUNS.iter().any(|n| n.en.contains(&noun)), "{noun}");
                assert_eq!(item.target_index as i64 - item.controller as i64, item.distance);
                // Plural subject ⇔ plural form, for verbs and adjectives alike.
                let plural = NOUNS.iter().any(|n| n.en[1] == noun);
                let forms: Vec<[&str; 2]> =
                    PAST_VERBS.iter().map(|v| v.fi).chain(ADJECTIVES.iter().map(|a| a.1)).collect();
                let form = forms.iter().find(|f| f.contains(&item.correct.as_str())).expect("a known form");
                assert_eq!(form[usize::from(plural)], item.correct);
            }
            // No English word besides the noun differs between singular and plural.
            let number_words: Vec<&str> =
                source.iter().copied().filter(|w| NOUNS.iter().any(|n| n.en.contains(w))).collect();
            assert_eq!(number_words.len(), 1, "{}", e.source);
            let verb = e.probes.iter().find(|i| i.kind == VERB_AGREEMENT).expect("one verb item");
            distances[verb.distance as usize] += 1;
            adjective_items += e.probes.iter().filter(|i| i.kind == ADJECTIVE_AGREEMENT).count();
            assert!(e.probes.iter().filter(|i| i.kind == ADJECTIVE_AGREEMENT).all(|i| (-4..=-1).contains(&i.distance)));
        }
        // Stratified: every distance 1..=40 about equally often (4000 / 40 = 100 each).
        assert_eq!(distances[0], 0);
        assert!(distances[1..].iter().all(|&n| (55..=150).contains(&n)), "{distances:?}");
        assert!(
            (7000..9000).contains(&adjective_items),
            "{adjective_items} adjective items (expected ~2 per sentence)"
        );
    }

    #[test]
    fn attractors_carry_their_own_number_and_only_the_subject_decides_the_verb() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut by_count = [0usize; MAX_ATTRACTOR_PHRASES + 1];
        let number_of = |fi: &str| NOUNS.iter().find_map(|n| n.fi.iter().position(|f| *f == fi));
        for _ in 0..3000 {
            let e = agreement_attract_example(&mut rng);
            let (source, target): (Vec<&str>, Vec<&str>) =
                (e.source.split(' ').collect(), e.target.split(' ').collect());
            assert_eq!(source.len(), target.len(), "aligned layout: {}", e.source);
            let [item] = &e.probes[..] else { panic!("one item: {}", e.source) };
            assert!(ATTRACT_DISTANCES.contains(&(item.distance as usize)));
            assert_eq!(item.target_index as i64 - item.controller as i64, item.distance);
            assert_eq!(target[item.target_index], item.correct);
            let subject = number_of(target[item.controller]).expect("the controller is a noun");
            let verb = PAST_VERBS.iter().find(|v| v.fi.contains(&item.correct.as_str())).expect("a verb");
            assert_eq!(verb.fi[subject], item.correct, "the verb agrees with the subject");
            // Every noun between them is labelled with its own English number; those of the other
            // number are counted as attractors.
            let mut attractors = 0;
            for k in item.controller + 1..item.target_index {
                let english = NOUNS.iter().find_map(|n| n.en.iter().position(|w| *w == source[k]));
                match english {
                    Some(n) => {
                        assert_eq!(number_of(target[k]), Some(n), "{} labelled {}", source[k], target[k]);
                        attractors += usize::from(n != subject);
                    }
                    // No other word between them tells singular from plural.
                    None => assert!(number_of(target[k]).is_none(), "{} → {}", source[k], target[k]),
                }
            }
            assert_eq!(item.attractors, Some(attractors), "{}", e.source);
            by_count[attractors] += 1;
        }
        // Each phrase's noun differs from the subject half the time: every count occurs.
        assert!(by_count.iter().all(|&n| n > 150), "{by_count:?}");
    }

    #[test]
    fn latch_answers_the_first_symbol_at_the_end() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut symbols = [0usize; 2];
        for _ in 0..1000 {
            let e = latch_example(&mut rng, LATCH_DISTANCES);
            let source: Vec<&str> = e.source.split(' ').collect();
            let target: Vec<&str> = e.target.split(' ').collect();
            let item = &e.probes[0];
            assert_eq!(source.len(), target.len());
            assert_eq!((source[0], *source.last().unwrap()), (item.correct.as_str(), "?"));
            assert_eq!(item.target_index, source.len() - 1);
            assert!(LATCH_DISTANCES.contains(&(item.distance as usize)));
            assert!(source[1..source.len() - 1].iter().all(|w| w.parse::<u8>().is_ok()), "fillers are digits");
            assert!(target[..target.len() - 1].iter().all(|w| *w == EMPTY_LABEL));
            symbols[usize::from(item.correct == "b")] += 1;
        }
        assert!(symbols.iter().all(|&n| n > 400), "{symbols:?}");
    }

    #[test]
    fn position_labels_the_one_mark_by_its_index_mod_4() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut by_index = [0usize; MAX_MARK_INDEX + 1];
        for _ in 0..4000 {
            let e = position_example(&mut rng);
            let (source, target): (Vec<&str>, Vec<&str>) =
                (e.source.split(' ').collect(), e.target.split(' ').collect());
            assert_eq!(source.len(), target.len(), "aligned layout: {}", e.source);
            let [item] = &e.probes[..] else { panic!("one item: {}", e.source) };
            let index = item.target_index;
            assert_eq!((source[index], item.controller, item.distance), (MARK, 0, index as i64));
            assert_eq!(source.iter().filter(|w| **w == MARK).count(), 1, "{}", e.source);
            assert!(source.len() - index <= 1 + 4, "at most four words after the mark");
            // The label is the index mod 4; every other word is a digit labelled ∅.
            assert_eq!(
                (target[index], item.correct.as_str()),
                (POSITION_LABELS[index % 4], POSITION_LABELS[index % 4])
            );
            assert_eq!(item.contrast, POSITION_LABELS[(index + 1) % 4]);
            for (k, (s, t)) in source.iter().zip(&target).enumerate().filter(|(k, _)| *k != index) {
                assert!(s.parse::<u8>().is_ok() && *t == EMPTY_LABEL, "word {k}: {s} → {t}");
            }
            by_index[index] += 1;
        }
        // Uniform: 4000 / 40 = 100 per index.
        assert!(by_index.iter().all(|&n| (55..=150).contains(&n)), "{by_index:?}");
    }
}
