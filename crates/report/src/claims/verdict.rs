//! The verdict vocabulary: what a claim's row says, the evidence a verdict is decided from, and
//! the rule that decides it.

use crate::stats::Interval;

/// Margin for decisive-token accuracy (chance 50 %), in points.
pub const TOKEN_MARGIN: f64 = 5.0;
/// Margin for exact match, in points.
pub const EXACT_MARGIN: f64 = 3.0;
/// The winner must reach this accuracy (%) on the control bucket.
pub const CONTROL_MIN: f64 = 95.0;
/// Fewer decisive items than this (per seed, on average) cannot decide a claim.
pub const MIN_ITEMS: usize = 100;
/// Both models at or above this accuracy (%): a ceiling, nothing to tell apart.
pub const CEILING: f64 = 98.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    NotSupported,
    NotMeasurable,
    /// A fact of the architecture, counted rather than measured.
    Counted,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not supported",
            Verdict::NotMeasurable => "not measurable here",
            Verdict::Counted => "counted (by construction)",
        }
    }
}

/// One row of the report's claims table.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub number: &'static str,
    pub claim: &'static str,
    pub probe: String,
    /// `winner vs loser`.
    pub pair: String,
    /// Winner − loser, points, with its 95 % interval.
    pub delta: Option<Interval>,
    pub seeds: usize,
    pub verdict: Verdict,
    pub reason: String,
    /// The figure that shows it (relative to the report), if any.
    pub figure: Option<String>,
}

/// What a model can see from the slot it answers at, by construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A window of this many words on each side (the ANN).
    Window(i64),
    /// Everything up to and including its slot (left-to-right recurrent models).
    Left,
    /// Everything up to this many words past its slot (a left-to-right model with a delay, wait-k).
    Ahead(i64),
    /// Its slot and this many words before it, none after (a causal convolution of field R:
    /// `Back(R − 1)`).
    Back(i64),
    /// The whole sentence (bidirectional models, encoders).
    Both,
}

impl Reach {
    /// Whether a controller `distance` words before the decisive word (negative: after) is in view.
    pub fn sees(self, distance: i64) -> bool {
        match self {
            Reach::Window(w) => distance.abs() <= w,
            Reach::Left => distance >= 0,
            Reach::Ahead(k) => distance >= -k,
            Reach::Back(k) => (0..=k).contains(&distance),
            Reach::Both => true,
        }
    }
}

/// Everything a verdict is decided from.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// Winner − loser on the decisive items (points).
    pub delta: Interval,
    /// The same difference within each seed alone.
    pub per_seed: Vec<f64>,
    /// Decisive items per seed, on average.
    pub items: usize,
    /// Mean accuracies (%) on the decisive items.
    pub winner: f64,
    pub loser: f64,
    /// The loser's accuracy interval, for the cue-leak check.
    pub loser_interval: Interval,
    /// The winner's accuracy (%) on its control bucket.
    pub control: Option<f64>,
    /// What the control bucket holds: `fixed-length items at distance 3…5`.
    pub control_items: String,
    /// The loser's accuracy (%) on the easy bucket, for claims about degradation with distance
    /// (both models must have learned the task); `None` where the loser cannot see by construction.
    pub loser_control: Option<f64>,
    /// What the loser's easy bucket holds: `position items at distance 0…3`.
    pub loser_control_items: String,
    /// Share of decisive items whose controller the winner / the loser can see.
    pub winner_answerable: f64,
    pub loser_answerable: f64,
    /// Accuracy by guessing (50 for a two-way choice), or `None` (exact match: the floor is 0).
    pub chance: Option<f64>,
    pub margin: f64,
}

/// The verdict and its reason, from the evidence alone (preconditions first).
pub fn decide(e: &Evidence) -> (Verdict, String) {
    let not_measurable = |reason: String| (Verdict::NotMeasurable, reason);
    if e.items < MIN_ITEMS {
        return not_measurable(format!("too few items: {} decisive items per seed (needs {MIN_ITEMS})", e.items));
    }
    if e.winner_answerable < 0.5 {
        return not_measurable(format!(
            "unanswerable by construction: the winner can see the controller of only {:.0} % of the decisive items",
            100.0 * e.winner_answerable
        ));
    }
    if let Some(control) = e.control.filter(|&c| c < CONTROL_MIN) {
        return not_measurable(format!(
            "control not learned: the winner scores {control:.1} % on its control, {} (needs {CONTROL_MIN:.0} %)",
            e.control_items
        ));
    }
    if let Some(control) = e.loser_control.filter(|&c| c < CONTROL_MIN) {
        return not_measurable(format!(
            "the loser never learned the task: it scores {control:.1} % on {} (needs {CONTROL_MIN:.0} %), so its \
             failure on the hard one is no win",
            e.loser_control_items
        ));
    }
    let floor = e.chance.unwrap_or(0.0);
    if e.loser_answerable == 0.0 && e.loser_interval.low > floor + e.margin {
        return not_measurable(format!(
            "cue leak: the loser scores {:.1} % [{:.1}, {:.1}] where it cannot see the controller (chance {floor:.0} %)",
            e.loser, e.loser_interval.low, e.loser_interval.high
        ));
    }
    if e.winner >= CEILING && e.loser >= CEILING {
        return not_measurable(format!(
            "both at ceiling ({:.1} % and {:.1} %): nothing to tell apart",
            e.winner, e.loser
        ));
    }
    if (e.winner - floor).abs() < e.margin && (e.loser - floor).abs() < e.margin {
        let what = if e.chance.is_some() { "chance" } else { "the floor" };
        return not_measurable(format!(
            "both at {what} ({:.1} % and {:.1} %): neither learned the task",
            e.winner, e.loser
        ));
    }
    let d = &e.delta;
    if d.low > e.margin && e.per_seed.iter().all(|&x| x > 0.0) {
        (
            Verdict::Supported,
            format!(
                "the whole 95 % interval of Δ {} lies above the {:.0}-point margin, and Δ > 0 in every seed",
                d.text(),
                e.margin
            ),
        )
    } else if d.high < -e.margin {
        (
            Verdict::NotSupported,
            format!("contradicted: Δ {} lies below −{:.0} points — the loser is better", d.text(), e.margin),
        )
    } else if d.high < e.margin {
        (Verdict::NotSupported, format!("Δ {} lies below the margin of {:.0} points", d.text(), e.margin))
    } else if d.low > e.margin {
        not_measurable(format!(
            "Δ {} is above the margin overall, but not positive in every seed ({:?})",
            d.text(),
            e.per_seed
        ))
    } else {
        not_measurable(format!("inconclusive: Δ {} straddles the margin of {:.0} points", d.text(), e.margin))
    }
}

pub(crate) fn missing(
    number: &'static str,
    claim: &'static str,
    probe: String,
    pair: String,
    what: &str,
    figure: Option<String>,
) -> Claim {
    Claim {
        number,
        claim,
        probe,
        pair,
        delta: None,
        seeds: 0,
        verdict: Verdict::NotMeasurable,
        reason: format!("not trained in this comparison: {what}"),
        figure,
    }
}
