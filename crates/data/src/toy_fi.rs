//! `toy-fi`: English sentences and their translations into a small Finnish-flavoured language.
//!
//! Every Finnish form is real Finnish where the rules allow. The grammar is built so that each
//! architecture of the workbench meets a phenomenon it can or cannot handle:
//!
//! | tag           | phenomenon                                                  | example |
//! |---------------|-------------------------------------------------------------|---------|
//! | `lexical`     | word-for-word translation of nouns, adjectives, places      | `happy tourists` → `iloiset turistit` |
//! | `agreement`   | subject–verb agreement across adjectives / a relative clause | `the tourists who love snow visit` → `… vierailevat` |
//! | `locative`    | `in / to / from X` → one inflected word (many-to-one)       | `to finland` → `suomeen` |
//! | `multiword`   | multiword expressions                                        | `northern lights` → `revontulia` |
//! | `negation`    | negation with an agreeing negative verb                      | `do not visit` → `eivät vieraile` |
//! | `question`    | yes/no question, verb first with the -ko/-kö clitic          | `do tourists visit finland ?` → `vierailevatko turistit suomessa ?` |
//! | `chaining`    | clauses joined by `and` / `but`; sentences reach 40+ tokens | `… and …` → `… ja …` |
//!
//! Every pair carries its gold word alignment: for each target word, the source positions it
//! translates. The generator builds a small clause structure, renders it once in English
//! (recording the position of every word) and once in Finnish (pointing back to those positions).

use rand::Rng;

use crate::Example;

/// The demo sentence: in the language, and always held out of the training split.
pub const DEMO_SOURCE: &str = "tourists visit finland to watch northern lights";
/// Its translation.
pub const DEMO_TARGET: &str = "turistit vierailevat suomessa katsomassa revontulia";

/// The second demo sentence, for the attention maps: a question, whose verb moves to the front
/// in Finnish (`does … travel` → `matkustaako`), so the attention leaves the diagonal.
pub const DEMO_QUESTION: (&str, &str) =
    ("does the happy family travel to sweden ?", "matkustaako iloinen perhe ruotsiin ?");

/// The demo pair, rendered by the grammar (so it carries its tags and alignment).
pub fn demo_example() -> Example {
    let purpose = PURPOSES.iter().position(|p| p.0 == "watch").expect("watch");
    let lights = THINGS.iter().position(|t| t.en == ["northern", "lights"]).expect("northern lights");
    let predicate = VerbPhrase { verb: 0, complement: Complement::Place(0), purpose: Some((purpose, Some(lights))) };
    let subject = NounPhrase { noun: 0, plural: true, article: false, adjectives: vec![], relative: None };
    let mut pair = Pair::default();
    pair.tag("lexical");
    render_clause(&mut pair, &Clause { subject, predicate, mood: Mood::Statement });
    pair.into_example()
}

/// Phenomenon tags, in the order reports show them.
pub const TAGS: [&str; 7] = ["lexical", "agreement", "locative", "multiword", "negation", "question", "chaining"];

pub(crate) struct Noun {
    pub(crate) en: [&'static str; 2],
    pub(crate) fi: [&'static str; 2],
}

pub(crate) const NOUNS: &[Noun] = &[
    Noun { en: ["tourist", "tourists"], fi: ["turisti", "turistit"] },
    Noun { en: ["student", "students"], fi: ["opiskelija", "opiskelijat"] },
    Noun { en: ["child", "children"], fi: ["lapsi", "lapset"] },
    Noun { en: ["friend", "friends"], fi: ["ystävä", "ystävät"] },
    Noun { en: ["teacher", "teachers"], fi: ["opettaja", "opettajat"] },
    Noun { en: ["family", "families"], fi: ["perhe", "perheet"] },
    Noun { en: ["neighbour", "neighbours"], fi: ["naapuri", "naapurit"] },
];

/// Adjectives agree in number with their noun: `[singular, plural]`.
pub(crate) const ADJECTIVES: &[(&str, [&str; 2])] = &[
    ("happy", ["iloinen", "iloiset"]),
    ("young", ["nuori", "nuoret"]),
    ("old", ["vanha", "vanhat"]),
    ("tired", ["väsynyt", "väsyneet"]),
    ("curious", ["utelias", "uteliaat"]),
    ("brave", ["rohkea", "rohkeat"]),
];

/// Places: English words, and Finnish inessive (in), illative (to), elative (from).
pub(crate) struct Place {
    pub(crate) en: &'static [&'static str],
    pub(crate) inessive: &'static str,
    pub(crate) illative: &'static str,
    pub(crate) elative: &'static str,
}

pub(crate) const PLACES: &[Place] = &[
    Place { en: &["finland"], inessive: "suomessa", illative: "suomeen", elative: "suomesta" },
    Place { en: &["helsinki"], inessive: "helsingissä", illative: "helsinkiin", elative: "helsingistä" },
    Place { en: &["lapland"], inessive: "lapissa", illative: "lappiin", elative: "lapista" },
    Place { en: &["sweden"], inessive: "ruotsissa", illative: "ruotsiin", elative: "ruotsista" },
    Place { en: &["norway"], inessive: "norjassa", illative: "norjaan", elative: "norjasta" },
    Place { en: &["the", "city"], inessive: "kaupungissa", illative: "kaupunkiin", elative: "kaupungista" },
    Place { en: &["the", "forest"], inessive: "metsässä", illative: "metsään", elative: "metsästä" },
    Place { en: &["the", "sauna"], inessive: "saunassa", illative: "saunaan", elative: "saunasta" },
];

/// Objects: English words, Finnish partitive and elative.
pub(crate) struct Thing {
    pub(crate) en: &'static [&'static str],
    pub(crate) partitive: &'static str,
    pub(crate) elative: &'static str,
}

pub(crate) const THINGS: &[Thing] = &[
    Thing { en: &["snow"], partitive: "lunta", elative: "lumesta" },
    Thing { en: &["coffee"], partitive: "kahvia", elative: "kahvista" },
    Thing { en: &["music"], partitive: "musiikkia", elative: "musiikista" },
    Thing { en: &["reindeer"], partitive: "poroja", elative: "poroista" },
    Thing { en: &["the", "sea"], partitive: "merta", elative: "merestä" },
    Thing { en: &["northern", "lights"], partitive: "revontulia", elative: "revontulista" },
    Thing { en: &["summer", "nights"], partitive: "kesäöitä", elative: "kesäöistä" },
];

/// What follows a verb, in English and in Finnish.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Frame {
    /// `visit X` → inessive, no English preposition.
    VisitPlace,
    /// `live in X` → inessive.
    InPlace,
    /// `travel to X` → illative.
    ToPlace,
    /// `come from X` → elative.
    FromPlace,
    /// `love X`, `watch X` → partitive object.
    Partitive,
    /// `like X` → Finnish `pitää` + elative.
    Elative,
}

pub(crate) struct Verb {
    /// English base form and third person singular.
    pub(crate) en: [&'static str; 2],
    /// Finnish third person singular, plural, and the connegative form used after `ei / eivät`.
    pub(crate) fi: [&'static str; 3],
    pub(crate) frame: Frame,
}

pub(crate) const VERBS: &[Verb] = &[
    Verb { en: ["visit", "visits"], fi: ["vierailee", "vierailevat", "vieraile"], frame: Frame::VisitPlace },
    Verb { en: ["live", "lives"], fi: ["asuu", "asuvat", "asu"], frame: Frame::InPlace },
    Verb { en: ["travel", "travels"], fi: ["matkustaa", "matkustavat", "matkusta"], frame: Frame::ToPlace },
    Verb { en: ["come", "comes"], fi: ["tulee", "tulevat", "tule"], frame: Frame::FromPlace },
    Verb { en: ["love", "loves"], fi: ["rakastaa", "rakastavat", "rakasta"], frame: Frame::Partitive },
    Verb { en: ["watch", "watches"], fi: ["katsoo", "katsovat", "katso"], frame: Frame::Partitive },
    Verb { en: ["like", "likes"], fi: ["pitää", "pitävät", "pidä"], frame: Frame::Elative },
];

/// Purpose clauses after verbs of motion: `to swim` → `uimassa` (the -massa infinitive).
const PURPOSES: &[(&str, &str, bool)] = &[
    // (English verb, Finnish -massa form, takes a partitive object)
    ("watch", "katsomassa", true),
    ("swim", "uimassa", false),
    ("ski", "hiihtämässä", false),
    ("relax", "rentoutumassa", false),
];

/// The -ko / -kö question clitic follows vowel harmony: back vowels take -ko.
pub(crate) fn question_form(verb: &str) -> String {
    let back = verb.chars().any(|c| matches!(c, 'a' | 'o' | 'u'));
    format!("{verb}{}", if back { "ko" } else { "kö" })
}

#[derive(Clone)]
enum Complement {
    Place(usize),
    Thing(usize),
}

#[derive(Clone)]
struct VerbPhrase {
    verb: usize,
    complement: Complement,
    /// Purpose clause (index into PURPOSES) and its object, if any.
    purpose: Option<(usize, Option<usize>)>,
}

struct NounPhrase {
    noun: usize,
    plural: bool,
    /// `the` before a plural noun is optional; singular nouns always take it.
    article: bool,
    adjectives: Vec<usize>,
    relative: Option<VerbPhrase>,
}

#[derive(Clone, Copy, PartialEq)]
enum Mood {
    Statement,
    Negation,
    Question,
}

struct Clause {
    subject: NounPhrase,
    predicate: VerbPhrase,
    mood: Mood,
}

/// Settings of the generator.
#[derive(Clone, Debug)]
pub struct ToyFiGrammar {
    /// Most clauses chained into one sentence.
    pub max_clauses: usize,
    /// Most adjectives before a noun.
    pub max_adjectives: usize,
    /// Probability of a relative clause on a subject.
    pub relative_clause: f64,
}

impl Default for ToyFiGrammar {
    fn default() -> Self {
        Self { max_clauses: 4, max_adjectives: 2, relative_clause: 0.35 }
    }
}

/// A sentence under construction: English words with positions, Finnish words pointing at them.
#[derive(Default)]
struct Pair {
    source: Vec<&'static str>,
    target: Vec<(String, Vec<usize>)>,
    tags: Vec<&'static str>,
}

impl Pair {
    /// Appends English words, returning their positions.
    fn en(&mut self, words: &[&'static str]) -> Vec<usize> {
        let start = self.source.len();
        self.source.extend_from_slice(words);
        (start..self.source.len()).collect()
    }
    fn fi(&mut self, word: impl Into<String>, aligned: Vec<usize>) {
        self.target.push((word.into(), aligned));
    }
    fn tag(&mut self, tag: &'static str) {
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
    }
}

impl ToyFiGrammar {
    fn verb_phrase<R: Rng>(&self, rng: &mut R, allow_purpose: bool) -> VerbPhrase {
        let verb = rng.random_range(0..VERBS.len());
        let complement = match VERBS[verb].frame {
            Frame::Partitive | Frame::Elative => Complement::Thing(rng.random_range(0..THINGS.len())),
            _ => Complement::Place(rng.random_range(0..PLACES.len())),
        };
        let motion = matches!(VERBS[verb].frame, Frame::VisitPlace | Frame::ToPlace | Frame::FromPlace);
        let purpose = (allow_purpose && motion && rng.random_bool(0.4)).then(|| {
            let p = rng.random_range(0..PURPOSES.len());
            (p, PURPOSES[p].2.then(|| rng.random_range(0..THINGS.len())))
        });
        VerbPhrase { verb, complement, purpose }
    }

    fn clause<R: Rng>(&self, rng: &mut R, mood: Mood) -> Clause {
        let plural = rng.random_bool(0.5);
        let n_adjectives = rng.random_range(0..=self.max_adjectives);
        let mut adjectives: Vec<usize> = Vec::new();
        while adjectives.len() < n_adjectives {
            let a = rng.random_range(0..ADJECTIVES.len());
            if !adjectives.contains(&a) {
                adjectives.push(a);
            }
        }
        let relative = rng.random_bool(self.relative_clause).then(|| self.verb_phrase(rng, false));
        Clause {
            subject: NounPhrase {
                noun: rng.random_range(0..NOUNS.len()),
                plural,
                article: !plural || rng.random_bool(0.5),
                adjectives,
                relative,
            },
            predicate: self.verb_phrase(rng, true),
            mood,
        }
    }

    /// Samples one sentence pair.
    pub fn sample<R: Rng>(&self, rng: &mut R) -> Example {
        let mut pair = Pair::default();
        pair.tag("lexical");
        let roll: f64 = rng.random();
        if roll < 0.15 {
            let clause = self.clause(rng, Mood::Question);
            render_clause(&mut pair, &clause);
        } else {
            let n_clauses = rng.random_range(1..=self.max_clauses.max(1));
            for i in 0..n_clauses {
                if i > 0 {
                    pair.tag("chaining");
                    if rng.random_bool(0.5) {
                        let and = pair.en(&["and"]);
                        pair.fi("ja", and);
                    } else {
                        let but = pair.en(&["but"]);
                        pair.fi(",", but.clone());
                        pair.fi("mutta", but);
                    }
                }
                let mood = if rng.random_bool(0.25) { Mood::Negation } else { Mood::Statement };
                let clause = self.clause(rng, mood);
                render_clause(&mut pair, &clause);
            }
        }
        pair.into_example()
    }
}

impl Pair {
    fn into_example(self) -> Example {
        let tags = TAGS.iter().filter(|t| self.tags.contains(t)).map(|t| t.to_string()).collect();
        let (words, alignment): (Vec<String>, Vec<Vec<usize>>) = self.target.into_iter().unzip();
        Example {
            source: self.source.join(" "),
            target: words.join(" "),
            tags,
            alignment,
            probes: vec![],
            references: vec![],
        }
    }
}

/// English: `[the] adjectives noun [who verb complement]`. Returns positions of
/// (article + adjectives, noun, relative clause parts) as the Finnish rendering needs them.
struct RenderedSubject {
    adjectives: Vec<(usize, usize)>,
    noun: usize,
    relative: Option<(usize, RenderedVerbPhrase)>,
}

struct RenderedVerbPhrase {
    verb: usize,
    complement: Vec<usize>,
    purpose: Option<(Vec<usize>, Option<Vec<usize>>)>,
}

fn english_subject(pair: &mut Pair, np: &NounPhrase) -> RenderedSubject {
    let the = if np.article { pair.en(&["the"]) } else { vec![] };
    let adjectives = np.adjectives.iter().map(|&a| (a, pair.en(&[ADJECTIVES[a].0])[0])).collect();
    let noun = pair.en(&[NOUNS[np.noun].en[np.plural as usize]])[0];
    let _ = the; // Finnish has no articles: `the` aligns to nothing.
    let relative = np.relative.as_ref().map(|vp| {
        let who = pair.en(&["who"])[0];
        let verb_form = VERBS[vp.verb].en[if np.plural { 0 } else { 1 }];
        (who, english_verb_phrase(pair, vp, verb_form))
    });
    RenderedSubject { adjectives, noun, relative }
}

fn english_verb_phrase(pair: &mut Pair, vp: &VerbPhrase, verb_form: &'static str) -> RenderedVerbPhrase {
    let verb = pair.en(&[verb_form])[0];
    let preposition: &[&'static str] = match VERBS[vp.verb].frame {
        Frame::InPlace => &["in"],
        Frame::ToPlace => &["to"],
        Frame::FromPlace => &["from"],
        _ => &[],
    };
    let mut complement = pair.en(preposition);
    complement.extend(match vp.complement {
        Complement::Place(p) => pair.en(PLACES[p].en),
        Complement::Thing(t) => pair.en(THINGS[t].en),
    });
    let purpose = vp.purpose.map(|(p, object)| {
        let words = pair.en(&["to", PURPOSES[p].0]);
        (words, object.map(|t| pair.en(THINGS[t].en)))
    });
    RenderedVerbPhrase { verb, complement, purpose }
}

fn finnish_subject(pair: &mut Pair, np: &NounPhrase, en: &RenderedSubject) {
    let number = np.plural as usize;
    for &(a, pos) in &en.adjectives {
        pair.fi(ADJECTIVES[a].1[number], vec![pos]);
        pair.tag("lexical");
    }
    pair.fi(NOUNS[np.noun].fi[number], vec![en.noun]);
    if !np.adjectives.is_empty() {
        pair.tag("agreement");
    }
    if let (Some(vp), Some((who, rendered))) = (&np.relative, &en.relative) {
        pair.tag("agreement");
        pair.fi(",", vec![]);
        pair.fi(if np.plural { "jotka" } else { "joka" }, vec![*who]);
        pair.fi(VERBS[vp.verb].fi[number], vec![rendered.verb]);
        finnish_complement(pair, vp, rendered);
        pair.fi(",", vec![]);
    }
}

fn finnish_complement(pair: &mut Pair, vp: &VerbPhrase, en: &RenderedVerbPhrase) {
    let frame = VERBS[vp.verb].frame;
    let word = match vp.complement {
        Complement::Place(p) => {
            if PLACES[p].en.len() > 1 || frame != Frame::VisitPlace {
                pair.tag("locative");
            }
            match frame {
                Frame::ToPlace => PLACES[p].illative,
                Frame::FromPlace => PLACES[p].elative,
                _ => PLACES[p].inessive,
            }
        }
        Complement::Thing(t) => {
            if is_multiword(t) {
                pair.tag("multiword");
            }
            if frame == Frame::Elative { THINGS[t].elative } else { THINGS[t].partitive }
        }
    };
    pair.fi(word, en.complement.clone());
    if let (Some((p, object)), Some((words, object_words))) = (vp.purpose, &en.purpose) {
        pair.fi(PURPOSES[p].1, words.clone());
        if let (Some(t), Some(positions)) = (object, object_words) {
            if is_multiword(t) {
                pair.tag("multiword");
            }
            pair.fi(THINGS[t].partitive, positions.clone());
        }
    }
}

/// `northern lights` → `revontulia`; `the sea` is only an article and a noun.
fn is_multiword(thing: usize) -> bool {
    THINGS[thing].en.len() > 1 && THINGS[thing].en[0] != "the"
}

fn render_clause(pair: &mut Pair, clause: &Clause) {
    let np = &clause.subject;
    let verb = &VERBS[clause.predicate.verb];
    let number = np.plural as usize;
    match clause.mood {
        Mood::Statement => {
            let subject = english_subject(pair, np);
            let vp = english_verb_phrase(pair, &clause.predicate, verb.en[1 - number]);
            finnish_subject(pair, np, &subject);
            pair.fi(verb.fi[number], vec![vp.verb]);
            finnish_complement(pair, &clause.predicate, &vp);
        }
        Mood::Negation => {
            pair.tag("negation");
            let subject = english_subject(pair, np);
            let not = pair.en(&[if np.plural { "do" } else { "does" }, "not"]);
            let vp = english_verb_phrase(pair, &clause.predicate, verb.en[0]);
            finnish_subject(pair, np, &subject);
            pair.fi(if np.plural { "eivät" } else { "ei" }, not);
            pair.fi(verb.fi[2], vec![vp.verb]);
            finnish_complement(pair, &clause.predicate, &vp);
        }
        Mood::Question => {
            // `do tourists visit finland ?` → `vierailevatko turistit suomessa ?`: the first
            // Finnish word translates a source word further right.
            pair.tag("question");
            let auxiliary = pair.en(&[if np.plural { "do" } else { "does" }])[0];
            let subject = english_subject(pair, np);
            let vp = english_verb_phrase(pair, &clause.predicate, verb.en[0]);
            let mark = pair.en(&["?"]);
            pair.fi(question_form(verb.fi[number]), vec![auxiliary, vp.verb]);
            finnish_subject(pair, np, &subject);
            finnish_complement(pair, &clause.predicate, &vp);
            pair.fi("?", mark);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn index<T>(items: &[T], name: impl Fn(&T) -> bool) -> usize {
        items.iter().position(name).expect("known word")
    }

    fn vp(verb: &str, complement: &str, purpose: Option<(&str, Option<&str>)>) -> VerbPhrase {
        let verb = index(VERBS, |v| v.en[0] == verb);
        let complement = match VERBS[verb].frame {
            Frame::Partitive | Frame::Elative => Complement::Thing(index(THINGS, |t| t.en.join(" ") == complement)),
            _ => Complement::Place(index(PLACES, |p| p.en.join(" ") == complement)),
        };
        let purpose = purpose
            .map(|(p, object)| (index(PURPOSES, |x| x.0 == p), object.map(|o| index(THINGS, |t| t.en.join(" ") == o))));
        VerbPhrase { verb, complement, purpose }
    }

    fn clause(
        noun: &str,
        plural: bool,
        article: bool,
        adjectives: &[&str],
        relative: Option<VerbPhrase>,
        predicate: VerbPhrase,
        mood: Mood,
    ) -> Example {
        let subject = NounPhrase {
            noun: index(NOUNS, |n| n.en[0] == noun),
            plural,
            article,
            adjectives: adjectives.iter().map(|a| index(ADJECTIVES, |x| x.0 == *a)).collect(),
            relative,
        };
        let mut pair = Pair::default();
        render_clause(&mut pair, &Clause { subject, predicate, mood });
        pair.into_example()
    }

    #[test]
    fn the_demo_sentence_is_in_the_language() {
        let e = clause(
            "tourist",
            true,
            false,
            &[],
            None,
            vp("visit", "finland", Some(("watch", Some("northern lights")))),
            Mood::Statement,
        );
        assert_eq!((e.source.as_str(), e.target.as_str()), (DEMO_SOURCE, DEMO_TARGET));
        assert_eq!(e.alignment, vec![vec![0], vec![1], vec![2], vec![3, 4], vec![5, 6]]);
        assert!(e.tags.contains(&"multiword".to_string()));
    }

    #[test]
    fn the_demo_question_is_in_the_language_and_reorders() {
        let e = clause("family", false, true, &["happy"], None, vp("travel", "sweden", None), Mood::Question);
        assert_eq!((e.source.as_str(), e.target.as_str()), DEMO_QUESTION);
        assert_eq!(e.alignment[0], vec![0, 4], "the first target word translates `does … travel`");
    }

    #[test]
    fn the_demo_example_is_rendered_with_its_tags() {
        let demo = demo_example();
        assert_eq!((demo.source.as_str(), demo.target.as_str()), (DEMO_SOURCE, DEMO_TARGET));
        assert_eq!(demo.tags, ["lexical", "multiword"]);
    }

    #[test]
    fn lexical_translation_and_adjective_agreement() {
        let e = clause("tourist", true, false, &["happy", "young"], None, vp("love", "coffee", None), Mood::Statement);
        assert_eq!(e.source, "happy young tourists love coffee");
        assert_eq!(e.target, "iloiset nuoret turistit rakastavat kahvia");
        let e = clause("child", false, true, &["tired"], None, vp("love", "music", None), Mood::Statement);
        assert_eq!(e.target, "väsynyt lapsi rakastaa musiikkia");
    }

    #[test]
    fn subject_verb_agreement_reaches_across_a_relative_clause() {
        let e = clause(
            "tourist",
            true,
            true,
            &[],
            Some(vp("love", "snow", None)),
            vp("visit", "finland", None),
            Mood::Statement,
        );
        assert_eq!(e.source, "the tourists who love snow visit finland");
        assert_eq!(e.target, "turistit , jotka rakastavat lunta , vierailevat suomessa");
        let e = clause(
            "tourist",
            false,
            true,
            &[],
            Some(vp("love", "snow", None)),
            vp("visit", "finland", None),
            Mood::Statement,
        );
        assert_eq!(e.source, "the tourist who loves snow visits finland");
        assert_eq!(e.target, "turisti , joka rakastaa lunta , vierailee suomessa");
        assert!(e.tags.contains(&"agreement".to_string()));
        // The verb aligns with `visits`, four words after its subject `tourist`.
        assert_eq!(e.alignment[6], vec![5]);
    }

    #[test]
    fn locative_cases_are_one_word() {
        let cases = [
            ("live", "finland", "the teacher lives in finland", "opettaja asuu suomessa"),
            ("travel", "the forest", "the teacher travels to the forest", "opettaja matkustaa metsään"),
            ("come", "helsinki", "the teacher comes from helsinki", "opettaja tulee helsingistä"),
        ];
        for (verb, place, source, target) in cases {
            let e = clause("teacher", false, true, &[], None, vp(verb, place, None), Mood::Statement);
            assert_eq!((e.source.as_str(), e.target.as_str()), (source, target));
            assert!(e.tags.contains(&"locative".to_string()));
        }
        let e = clause("teacher", false, true, &[], None, vp("travel", "the forest", None), Mood::Statement);
        assert_eq!(e.alignment[2], vec![3, 4, 5], "`to the forest` → `metsään`");
    }

    #[test]
    fn negation_agrees_in_number() {
        let e = clause("tourist", true, false, &[], None, vp("visit", "finland", None), Mood::Negation);
        assert_eq!(
            (e.source.as_str(), e.target.as_str()),
            ("tourists do not visit finland", "turistit eivät vieraile suomessa")
        );
        let e = clause("friend", false, true, &[], None, vp("like", "the sea", None), Mood::Negation);
        assert_eq!(
            (e.source.as_str(), e.target.as_str()),
            ("the friend does not like the sea", "ystävä ei pidä merestä")
        );
    }

    #[test]
    fn questions_put_the_verb_first_with_vowel_harmony() {
        let e = clause("tourist", true, false, &[], None, vp("visit", "finland", None), Mood::Question);
        assert_eq!(
            (e.source.as_str(), e.target.as_str()),
            ("do tourists visit finland ?", "vierailevatko turistit suomessa ?")
        );
        assert_eq!(e.alignment[0], vec![0, 2], "the first target word translates `do … visit`");
        let e = clause("friend", false, true, &[], None, vp("like", "coffee", None), Mood::Question);
        assert_eq!(e.target, "pitääkö ystävä kahvista ?");
    }

    #[test]
    fn sampled_sentences_are_consistent_and_reach_40_words() {
        let grammar = ToyFiGrammar::default();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut longest = 0;
        for _ in 0..3000 {
            let e = grammar.sample(&mut rng);
            let src: Vec<&str> = e.source.split(' ').collect();
            let tgt: Vec<&str> = e.target.split(' ').collect();
            longest = longest.max(src.len());
            assert_eq!(e.alignment.len(), tgt.len(), "{e:?}");
            assert!(e.alignment.iter().flatten().all(|&p| p < src.len()));
            let has = |tag: &str| e.tags.iter().any(|t| t == tag);
            assert_eq!(has("negation"), src.contains(&"not"), "{e:?}");
            assert_eq!(has("question"), src.last() == Some(&"?"), "{e:?}");
            assert_eq!(has("chaining"), src.contains(&"and") || src.contains(&"but"), "{e:?}");
            assert_eq!(has("multiword"), e.source.contains("northern lights") || e.source.contains("summer nights"));
            assert_eq!(src.contains(&"but"), tgt.contains(&"mutta"));
        }
        assert!(longest >= 40, "longest sentence {longest}");
    }
}
