//! Probe tasks whose sentences have two valid translations: what an autoregressive decoder buys
//! over a position-wise tagger. A tagger (a BiRNN with slack slots, read to `<eos>`) takes each
//! slot's argmax on its own; where the training data hold two valid targets for one source, each
//! slot's distribution is a mixture of the two, and nothing makes slot 0 and slot 3 pick from the
//! same one. A decoder conditions every word on the words it already emitted, so its first word
//! commits it to one form (the multimodality problem of non-autoregressive translation, Gu et
//! al. 2018).
//!
//! | task          | two valid forms (`free-…` items)                                   | one form (`fixed-…` items)                 |
//! |---------------|---------------------------------------------------------------------|--------------------------------------------|
//! | `free-order`  | `tourists often visit finland` → `turistit usein vierailevat suomessa` or `suomessa vierailevat usein turistit` (a place complement fronted) | `tourists often love coffee` → `turistit usein rakastavat kahvia` (objects are not fronted) |
//! | `free-length` | `tourists live in the forest often` → `turistit asuvat metsässä usein` or `turistit asuvat metsän sisällä usein` (case ending or postposition) | `tourists live in finland often` → `turistit asuvat suomessa usein` (a name takes the case ending only) |
//!
//! Every source comes with all its valid targets ([`Example::references`]); training sees each
//! source once per valid target, so no form is more frequent than the other for any source. A
//! translation is right when it equals any valid target. The item's `distance` is the adverbs
//! between subject and verb (`free-order`) or the target words after the place (`free-length`).

use rand::Rng;
use rand::seq::IndexedRandom;

use crate::Example;
use crate::probes::{ADVERBS, ProbeItem};
use crate::toy_fi::{Frame, NOUNS, PLACES, Place, THINGS, VERBS, Verb};

/// Item kinds: sources with two valid targets, and sources with one.
pub const FREE_ORDER: &str = "free-order";
pub const FIXED_ORDER: &str = "fixed-order";
pub const FREE_LENGTH: &str = "free-length";
pub const FIXED_LENGTH: &str = "fixed-length";

/// Adverbs between subject and verb in `free-order`.
pub const ORDER_ADVERBS: std::ops::RangeInclusive<usize> = 0..=3;
/// Target words after the place in `free-length`.
pub const LENGTH_TAIL: std::ops::RangeInclusive<usize> = 0..=5;

/// The genitive of the places with a common noun, for the postposition form (`metsän sisällä`).
fn genitive(place: &Place) -> Option<&'static str> {
    match place.en {
        ["the", "city"] => Some("kaupungin"),
        ["the", "forest"] => Some("metsän"),
        ["the", "sauna"] => Some("saunan"),
        _ => None,
    }
}

/// A source with its valid targets, the first one the canonical reference.
fn example(source: Vec<&str>, targets: Vec<Vec<&str>>, tag: &str, item: ProbeItem) -> Example {
    let references: Vec<String> = targets.iter().map(|t| t.join(" ")).collect();
    Example {
        source: source.join(" "),
        target: references[0].clone(),
        tags: vec![tag.to_string()],
        alignment: vec![],
        probes: vec![item],
        references: if references.len() > 1 { references } else { vec![] },
    }
}

/// The item at target word `target_index` (what the teacher-forced margin reads), its kind
/// naming the bucket; `exact` is what judges it.
fn item(kind: &str, target_index: usize, distance: usize, correct: &str, contrast: &str) -> ProbeItem {
    ProbeItem {
        kind: kind.into(),
        target_index,
        controller: 0,
        distance: distance as i64,
        correct: correct.into(),
        contrast: contrast.into(),
        attractors: None,
    }
}

fn verbs(frames: &[Frame]) -> Vec<&'static Verb> {
    VERBS.iter().filter(|v| frames.contains(&v.frame)).collect()
}

/// `tourists [adverbs] visit finland`: a place complement may come first in Finnish, an object
/// may not.
pub fn free_order_example(rng: &mut impl Rng) -> Example {
    let noun = NOUNS.choose(rng).expect("nouns");
    let adverbs: Vec<(&str, &str)> =
        (0..rng.random_range(ORDER_ADVERBS)).map(|_| *ADVERBS.choose(rng).expect("adverbs")).collect();
    let free = rng.random_bool(0.5);
    let verb = *verbs(if free { &[Frame::VisitPlace, Frame::InPlace] } else { &[Frame::Partitive] })
        .choose(rng)
        .expect("verbs");
    let (complement_en, complement_fi): (Vec<&str>, &str) = if free {
        let place = PLACES.choose(rng).expect("places");
        let preposition: &[&str] = if verb.frame == Frame::InPlace { &["in"] } else { &[] };
        ([preposition, place.en].concat(), place.inessive)
    } else {
        let thing = THINGS.choose(rng).expect("things");
        (thing.en.to_vec(), thing.partitive)
    };
    let mut source = vec![noun.en[1]];
    source.extend(adverbs.iter().map(|a| a.0));
    source.push(verb.en[0]);
    source.extend(&complement_en);
    let adverbs_fi: Vec<&str> = adverbs.iter().map(|a| a.1).collect();
    // turistit [usein] vierailevat suomessa
    let straight: Vec<&str> = [&[noun.fi[1]][..], &adverbs_fi, &[verb.fi[1], complement_fi]].concat();
    let n = adverbs.len();
    if free {
        // suomessa vierailevat [usein] turistit
        let fronted: Vec<&str> = [&[complement_fi, verb.fi[1]][..], &adverbs_fi, &[noun.fi[1]]].concat();
        example(source, vec![straight, fronted], "free-order", item(FREE_ORDER, 0, n, noun.fi[1], complement_fi))
    } else {
        example(source, vec![straight], "free-order", item(FIXED_ORDER, 0, n, noun.fi[1], complement_fi))
    }
}

/// `tourists live in the forest [adverbs]`: a common noun's place takes the case ending or the
/// genitive and a postposition, a name the case ending only.
pub fn free_length_example(rng: &mut impl Rng) -> Example {
    let noun = NOUNS.choose(rng).expect("nouns");
    let verb = *verbs(&[Frame::InPlace, Frame::ToPlace, Frame::FromPlace]).choose(rng).expect("verbs");
    let free = rng.random_bool(0.5);
    let places: Vec<&Place> = PLACES.iter().filter(|p| genitive(p).is_some() == free).collect();
    let place = *places.choose(rng).expect("places");
    let (preposition, case, postposition) = match verb.frame {
        Frame::InPlace => ("in", place.inessive, "sisällä"),
        Frame::ToPlace => ("to", place.illative, "sisään"),
        _ => ("from", place.elative, "sisältä"),
    };
    let tail: Vec<(&str, &str)> =
        (0..rng.random_range(LENGTH_TAIL)).map(|_| *ADVERBS.choose(rng).expect("adverbs")).collect();
    let mut source = vec![noun.en[1], verb.en[0], preposition];
    source.extend(place.en);
    source.extend(tail.iter().map(|a| a.0));
    let tail_fi: Vec<&str> = tail.iter().map(|a| a.1).collect();
    let short: Vec<&str> = [&[noun.fi[1], verb.fi[1], case][..], &tail_fi].concat();
    let o = tail.len();
    match genitive(place) {
        Some(genitive) => {
            let long: Vec<&str> = [&[noun.fi[1], verb.fi[1], genitive, postposition][..], &tail_fi].concat();
            example(source, vec![short, long], "free-length", item(FREE_LENGTH, 2, o, case, genitive))
        }
        None => example(source, vec![short], "free-length", item(FIXED_LENGTH, 2, o, case, postposition)),
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split(' ').collect()
    }

    #[test]
    fn every_free_order_source_carries_both_orders_and_fixed_ones_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut kinds = [0usize; 2];
        for _ in 0..2000 {
            let e = free_order_example(&mut rng);
            let item = &e.probes[0];
            assert!(e.source_len() <= 10, "{}", e.source);
            assert!(ORDER_ADVERBS.contains(&(item.distance as usize)));
            if item.kind == FREE_ORDER {
                kinds[0] += 1;
                let [straight, fronted] = &e.references[..] else { panic!("two orders: {e:?}") };
                assert_eq!(*straight, e.target);
                // The same words: the complement and the verb fronted, the subject last.
                let (straight, fronted) = (words(straight), words(fronted));
                let n = straight.len();
                assert_eq!(fronted[..2], [straight[n - 1], straight[n - 2]], "{}", e.source);
                assert_eq!(fronted[2..n - 1], straight[1..n - 2], "the adverbs keep their order");
                assert_eq!(fronted[n - 1], straight[0]);
            } else {
                kinds[1] += 1;
                assert_eq!(item.kind, FIXED_ORDER);
                assert!(e.references.is_empty(), "one valid order: {e:?}");
            }
            assert_eq!(words(&e.target)[item.target_index], item.correct, "the item points at its word");
            assert_eq!(item.target_index, 0, "the subject comes first in the canonical order");
        }
        assert!(kinds.iter().all(|&n| n > 900), "{kinds:?}");
    }

    #[test]
    fn every_free_length_source_carries_both_lengths_and_names_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let mut tails = [0usize; 6];
        for _ in 0..2000 {
            let e = free_length_example(&mut rng);
            let item = &e.probes[0];
            assert!(e.source_len() <= 10, "{}", e.source);
            let o = item.distance as usize;
            tails[o] += 1;
            let target = words(&e.target);
            assert_eq!(target[item.target_index], item.correct, "the item points at its word");
            assert_eq!(item.target_index, 2, "the case form follows subject and verb");
            assert_eq!(target.len(), 3 + o, "{} → {}", e.source, e.target);
            if item.kind == FREE_LENGTH {
                let [short, long] = &e.references[..] else { panic!("two lengths: {e:?}") };
                assert_eq!(*short, e.target);
                let long = words(long);
                assert_eq!(long.len(), target.len() + 1, "the postposition form is one word longer");
                assert_eq!(long[2], item.contrast, "the genitive");
                assert_eq!(long[4..], target[3..], "the same tail, one slot later");
                assert!(["sisällä", "sisään", "sisältä"].contains(&long[3]));
            } else {
                assert_eq!(item.kind, FIXED_LENGTH);
                assert!(e.references.is_empty(), "a name takes the case form only: {e:?}");
                assert!(!e.source.contains("the "), "{}", e.source);
            }
        }
        assert!(tails.iter().all(|&n| n > 200), "{tails:?}");
    }
}
