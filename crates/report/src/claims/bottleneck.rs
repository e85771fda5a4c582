//! Claim 6, the fixed-length bottleneck: exact match on long sentences, the encoder-decoder
//! against an attention model, from the main comparison's runs.

use super::verdict::{Claim, EXACT_MARGIN, Evidence, decide, missing};
use crate::runs::{ArchRuns, Run};
use crate::stats::{self, Unit};

/// Claims 6a and 6b: each attention model against [`BOTTLENECK_LOSER`].
pub const BOTTLENECK_CLAIMS: [(&str, &str); 2] = [("6a", "luong"), ("6b", "bahdanau")];

/// The model with one fixed-length context vector.
pub const BOTTLENECK_LOSER: &str = "encdec";

/// Claim 6 on the main comparison: exact match on long sentences, attention against the fixed
/// context vector, per sentence of the test split.
pub fn judge_bottleneck(number: &'static str, winner_name: &'static str, groups: &[ArchRuns]) -> Claim {
    const LONG: usize = 20;
    const SHORT: usize = 10;
    let claim = "The fixed-length context vector is a bottleneck for long sentences; attention removes it";
    let probe = format!("toy-fi test sentences of {LONG}+ words, exact match (control: under {SHORT} words)");
    let pair = format!("`{winner_name}` vs `{BOTTLENECK_LOSER}`");
    let find = |arch: &str| groups.iter().find(|g| g.arch == arch);
    let (Some(winner), Some(loser)) = (find(winner_name), find(BOTTLENECK_LOSER)) else {
        return missing(number, claim, probe, pair, &format!("{winner_name} or {BOTTLENECK_LOSER}"), None);
    };
    let sentences = |run: &Run| run.sentences().unwrap_or_default();
    let mut units = Vec::new();
    let (mut control_right, mut control_all) = (0usize, 0usize);
    let (mut w_right, mut l_right, mut long) = (Vec::new(), Vec::new(), 0usize);
    // Only runs of one seed on the same data share a test split, sentence for sentence.
    let mut paired = 0;
    for w in &winner.runs {
        let same_split = |l: &&Run| l.config.seed == w.config.seed && l.config.data == w.config.data;
        let Some(l) = loser.runs.iter().find(same_split) else { continue };
        paired += 1;
        let (ws, ls) = (sentences(w), sentences(l));
        let mut seed_units = Vec::new();
        for (a, b) in ws.iter().zip(&ls).filter(|(a, b)| a.words == b.words) {
            if a.words < SHORT {
                control_all += 1;
                control_right += usize::from(a.exact);
            }
            if a.words >= LONG {
                let unit =
                    Unit { winner: f64::from(u8::from(a.exact)), loser: f64::from(u8::from(b.exact)), items: 1.0 };
                seed_units.push(unit);
                long += 1;
            }
        }
        w_right.push(seed_units.iter().map(|u| (u.winner, 1.0)).collect::<Vec<_>>());
        l_right.push(seed_units.iter().map(|u| (u.loser, 1.0)).collect::<Vec<_>>());
        units.push(seed_units);
    }
    let seeds = units.iter().filter(|s| !s.is_empty()).count();
    let (Some(delta), Some(w_acc), Some(l_acc)) =
        (stats::paired_difference(&units), stats::accuracy(&w_right), stats::accuracy(&l_right))
    else {
        let reason = if paired == 0 {
            format!("no run of `{winner_name}` shares its seed and data (its test split) with one of `encdec`")
        } else {
            format!("no test sentences of {LONG}+ words (the runs' `max_len` keeps them shorter)")
        };
        return Claim { reason, figure: None, ..missing(number, claim, probe, pair, "", None) };
    };
    let evidence = Evidence {
        delta,
        per_seed: stats::per_seed_differences(&units),
        items: long / seeds.max(1),
        winner: w_acc.estimate,
        loser: l_acc.estimate,
        loser_interval: l_acc,
        control: (control_all > 0).then(|| 100.0 * control_right as f64 / control_all as f64),
        control_items: format!("test sentences under {SHORT} words"),
        loser_control: None,
        loser_control_items: String::new(),
        winner_answerable: 1.0,
        loser_answerable: 1.0,
        chance: None,
        margin: EXACT_MARGIN,
    };
    let (verdict, reason) = decide(&evidence);
    Claim {
        number,
        claim,
        probe,
        pair,
        delta: Some(delta),
        seeds,
        verdict,
        reason: format!("{reason}; {winner_name} {:.1} %, encdec {:.1} %", evidence.winner, evidence.loser),
        figure: Some("plots/exact-by-length.png".into()),
    }
}
