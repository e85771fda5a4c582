//! Probe tasks in the normal translation layout, for the claims about encoder-decoders: short
//! sentences that differ in one thing only — a verb moved to the front (`reorder`), or words
//! that contract into one (`length`).
//!
//! | task      | kinds of sentences | bucket |
//! |-----------|--------------------|--------|
//! | `reorder` | statements `tourists often visit finland` → `turistit usein vierailevat suomessa` (word for word), and their questions `do tourists often visit finland ?` → `vierailevatko turistit usein suomessa ?` (the verb moves d words to the front) | verb displacement d = 2…10 |
//! | `length`  | 1–3 clauses joined by `and`, where `live in the forest` → `asuvat metsässä` contracts three words into one | offset o = 0…6: how far the source runs ahead of the target by the last clause |
//!
//! Each sentence carries one decisive item: for `reorder` the first target word (the `-ko` verb
//! against the subject, or the subject against the `-ko` verb), its `distance` the displacement d
//! of the question form (statements carry their question twin's d, so both fill the same
//! buckets); for `length` the last clause's place or object, its `distance` the offset o, its
//! contrast the same word in another case.

use rand::Rng;
use rand::seq::IndexedRandom;

use crate::Example;
use crate::probes::{ADVERBS, ProbeItem};
use crate::toy_fi::{Frame, NOUNS, PLACES, THINGS, VERBS, Verb, question_form};

pub const STATEMENT: &str = "statement";
pub const QUESTION: &str = "question";
pub const CONTRACTION: &str = "contraction";

/// Verb displacements of the questions, drawn uniformly.
pub const DISPLACEMENTS: std::ops::RangeInclusive<usize> = 2..=10;
/// Offsets of the `length` sentences, drawn uniformly.
pub const OFFSETS: std::ops::RangeInclusive<usize> = 0..=6;

/// A sentence pair under construction with its word alignment.
#[derive(Default)]
struct Builder {
    source: Vec<&'static str>,
    target: Vec<String>,
    alignment: Vec<Vec<usize>>,
}

impl Builder {
    /// English words; returns the position of the last.
    fn en(&mut self, words: &[&'static str]) -> usize {
        self.source.extend_from_slice(words);
        self.source.len() - 1
    }
    /// A Finnish word translating the source words `aligned`; returns its position.
    fn fi(&mut self, word: impl Into<String>, aligned: Vec<usize>) -> usize {
        self.target.push(word.into());
        self.alignment.push(aligned);
        self.target.len() - 1
    }
    /// One English word translated by one Finnish word.
    fn word(&mut self, en: &'static str, fi: impl Into<String>) -> usize {
        let at = self.en(&[en]);
        self.fi(fi, vec![at])
    }
    fn into_example(self, tag: &str, item: ProbeItem) -> Example {
        Example {
            source: self.source.join(" "),
            target: self.target.join(" "),
            tags: vec![tag.to_string()],
            alignment: self.alignment,
            probes: vec![item],
            references: vec![],
        }
    }
}

/// A verb whose complement translates word for word (`visit finland`, `love snow`), with the
/// complement's English word, Finnish form and a contrast form (the same word in another case).
fn word_for_word(rng: &mut impl Rng) -> (&'static Verb, &'static str, &'static str, &'static str) {
    let verbs: Vec<&Verb> = VERBS.iter().filter(|v| matches!(v.frame, Frame::VisitPlace | Frame::Partitive)).collect();
    let verb = *verbs.choose(rng).expect("verbs");
    if verb.frame == Frame::VisitPlace {
        let place = PLACES.iter().filter(|p| p.en.len() == 1).collect::<Vec<_>>().choose(rng).copied().expect("places");
        (verb, place.en[0], place.inessive, place.illative)
    } else {
        let thing = THINGS.iter().filter(|t| t.en.len() == 1).collect::<Vec<_>>().choose(rng).copied().expect("things");
        (verb, thing.en[0], thing.partitive, thing.elative)
    }
}

/// A statement or its question, the verb `d` words from the front of the question.
pub fn reorder_example(rng: &mut impl Rng) -> Example {
    let d = rng.random_range(DISPLACEMENTS);
    let adverbs: Vec<(&'static str, &'static str)> = (2..d).map(|_| *ADVERBS.choose(rng).expect("adverbs")).collect();
    let noun = NOUNS.choose(rng).expect("nouns");
    let (verb, object_en, object_fi, _) = word_for_word(rng);
    let asked = question_form(verb.fi[1]);
    let (subject_en, subject_fi) = (noun.en[1], noun.fi[1]);
    let mut pair = Builder::default();
    let item = if rng.random_bool(0.5) {
        // do tourists [adverbs] visit finland ? → vierailevatko turistit [adverbs] suomessa ?
        pair.en(&["do"]);
        pair.fi(asked.clone(), vec![0, d]);
        pair.word(subject_en, subject_fi);
        for (en, fi) in &adverbs {
            pair.word(en, *fi);
        }
        let verb_at = pair.en(&[verb.en[0]]);
        pair.word(object_en, object_fi);
        pair.word("?", "?");
        ProbeItem {
            kind: QUESTION.into(),
            target_index: 0,
            controller: verb_at,
            distance: d as i64,
            correct: asked,
            contrast: subject_fi.into(),
            attractors: None,
        }
    } else {
        // tourists [adverbs] visit finland → turistit [adverbs] vierailevat suomessa
        pair.word(subject_en, subject_fi);
        for (en, fi) in &adverbs {
            pair.word(en, *fi);
        }
        pair.word(verb.en[0], verb.fi[1]);
        pair.word(object_en, object_fi);
        ProbeItem {
            kind: STATEMENT.into(),
            target_index: 0,
            controller: 0,
            distance: d as i64,
            correct: subject_fi.into(),
            contrast: asked,
            attractors: None,
        }
    };
    pair.into_example("reorder", item)
}

/// 1–3 clauses whose contractions add up to an offset `o`: the source runs `o` words ahead of
/// the target by the last clause's complement.
pub fn length_example(rng: &mut impl Rng) -> Example {
    let offset = rng.random_range(OFFSETS);
    let clauses = rng.random_range(offset.div_ceil(2).max(1)..=3);
    let mut contracted = vec![0usize; clauses];
    for _ in 0..offset {
        let open: Vec<usize> = (0..clauses).filter(|&c| contracted[c] < 2).collect();
        contracted[*open.choose(rng).expect("room for the offset")] += 1;
    }
    let mut pair = Builder::default();
    let mut item = None;
    for (c, &words) in contracted.iter().enumerate() {
        if c > 0 {
            pair.word("and", "ja");
        }
        let noun = NOUNS.choose(rng).expect("nouns");
        pair.word(noun.en[1], noun.fi[1]);
        let (form, contrast) = if words == 0 {
            let (verb, en, fi, contrast) = word_for_word(rng);
            pair.word(verb.en[0], verb.fi[1]);
            pair.en(&[en]);
            (fi, contrast)
        } else {
            // live in X / travel to X / come from X, X of `words` English words (`finland`, `the forest`).
            let motion: Vec<&Verb> = VERBS
                .iter()
                .filter(|v| matches!(v.frame, Frame::InPlace | Frame::ToPlace | Frame::FromPlace))
                .collect();
            let verb = *motion.choose(rng).expect("verbs");
            let places: Vec<_> = PLACES.iter().filter(|p| p.en.len() == words).collect();
            let place = *places.choose(rng).expect("places");
            pair.word(verb.en[0], verb.fi[1]);
            let (preposition, form, contrast) = match verb.frame {
                Frame::InPlace => ("in", place.inessive, place.illative),
                Frame::ToPlace => ("to", place.illative, place.inessive),
                _ => ("from", place.elative, place.inessive),
            };
            pair.en(&[preposition]);
            pair.en(place.en);
            (form, contrast)
        };
        let last = pair.source.len() - 1;
        let first = last + 1 - if words == 0 { 1 } else { words + 1 };
        let at = pair.fi(form, (first..=last).collect());
        item = Some(ProbeItem {
            kind: CONTRACTION.into(),
            target_index: at,
            controller: last,
            distance: last as i64 - at as i64,
            correct: form.into(),
            contrast: contrast.into(),
            attractors: None,
        });
    }
    pair.into_example("length", item.expect("at least one clause"))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn words(text: &str) -> Vec<&str> {
        text.split(' ').collect()
    }

    #[test]
    fn questions_front_their_verb_by_d_and_statements_stay_word_for_word() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let mut kinds = [0usize; 2];
        for _ in 0..2000 {
            let e = reorder_example(&mut rng);
            let (source, target) = (words(&e.source), words(&e.target));
            let item = &e.probes[0];
            assert!(DISPLACEMENTS.contains(&(item.distance as usize)));
            assert_eq!(target[0], item.correct);
            assert_eq!(e.alignment.len(), target.len());
            if item.kind == QUESTION {
                kinds[0] += 1;
                assert_eq!((source[0], *source.last().unwrap()), ("do", "?"));
                assert_eq!(item.controller as i64, item.distance, "the verb sits d words from the front");
                assert!(item.correct.ends_with("ko") || item.correct.ends_with("kö"));
                assert_eq!(target[1], item.contrast, "the subject follows the fronted verb");
                assert_eq!(source.len(), target.len() + 1, "`do` folds into the verb");
                assert_eq!(e.alignment[0], vec![0, item.distance as usize]);
            } else {
                kinds[1] += 1;
                assert_eq!(source.len(), target.len());
                assert!(e.alignment.iter().enumerate().all(|(j, a)| a == &vec![j]), "word for word");
                assert_eq!(source.len() as i64, item.distance + 1, "its question twin's displacement");
            }
        }
        assert!(kinds.iter().all(|&n| n > 900), "{kinds:?}");
    }

    #[test]
    fn contractions_make_the_source_run_ahead_by_the_offset() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut offsets = [0usize; 7];
        for _ in 0..2100 {
            let e = length_example(&mut rng);
            let (source, target) = (words(&e.source), words(&e.target));
            let item = &e.probes[0];
            assert_eq!(source.len() - target.len(), item.distance as usize, "{} → {}", e.source, e.target);
            assert_eq!(target[item.target_index], item.correct);
            assert_eq!(item.target_index, target.len() - 1, "the last clause's complement ends the sentence");
            assert_ne!(item.correct, item.contrast);
            // The alignment is monotone and covers every source word exactly once.
            let covered: Vec<usize> = e.alignment.concat();
            assert_eq!(covered, (0..source.len()).collect::<Vec<_>>());
            assert!(source.len() <= 17);
            offsets[item.distance as usize] += 1;
        }
        assert!(offsets.iter().all(|&n| (200..400).contains(&n)), "{offsets:?}");
    }
}
