//! What the literature expects of each claim, written down before any probe was run. The report
//! sets it beside the verdict, and lists every claim where this run says something else, with
//! the run's reason: a probe is never tuned until the two agree.

use crate::claims::{Claim, Verdict};

/// The verdict a claim's sources lead one to expect, and under what condition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expectation {
    pub verdict: Verdict,
    /// When the sources say it holds (empty: always).
    pub condition: &'static str,
    pub sources: &'static str,
}

impl Expectation {
    /// `supported at convergence (Sutskever et al. 2014)`.
    pub fn text(&self) -> String {
        let condition = if self.condition.is_empty() { String::new() } else { format!(" {}", self.condition) };
        let verdict = if self.verdict == Verdict::Counted { "counted" } else { self.verdict.text() };
        format!("{verdict}{condition} ({})", self.sources)
    }
}

/// The expectation of claim `number` (`"1"`, `"2a"`, …).
pub fn expected(number: &str) -> Option<Expectation> {
    let supported = |condition, sources| Some(Expectation { verdict: Verdict::Supported, condition, sources });
    match number {
        "1" => supported("", "Elman 1990: a recurrent state carries what a fixed window cannot see"),
        "2a" => supported(
            "",
            "Bengio, Simard & Frasconi 1994: a simple RNN's share of successful trainings falls as the lag grows; Hochreiter & Schmidhuber 1997",
        ),
        "2b" => supported("", "Linzen, Dupoux & Goldberg 2016: agreement errors grow with attractors, the LSTM's too"),
        "3" => supported("", "Schuster & Paliwal 1997"),
        "4" => supported(
            "",
            "Gu et al. 2018: non-autoregressive translation against autoregressive, the multimodality problem",
        ),
        "5" => supported(
            "",
            "Gu et al. 2018: non-autoregressive translation against autoregressive, the multimodality problem",
        ),
        "5b" => Some(Expectation { verdict: Verdict::Counted, condition: "", sources: "by the layout's construction" }),
        "6a" => supported("", "Luong, Pham & Manning 2015; Cho et al. 2014: encoder-decoders degrade beyond ~20 words"),
        "6b" => supported("", "Bahdanau, Cho & Bengio 2014, Fig. 2"),
        "7a" => Some(Expectation { verdict: Verdict::Counted, condition: "", sources: "Vaswani et al. 2017, Table 1" }),
        "7b" => supported("on parallel hardware", "Vaswani et al. 2017, §4 and Table 2"),
        "8a" => supported(
            "",
            "Gehring et al. 2017, §3.2: L layers of kernel k see (k − 1)·L + 1 words; Kalchbrenner et al. 2016: dilation grows the field exponentially",
        ),
        "8b" => supported(
            "",
            "Gehring et al. 2017, §3.1 (position embeddings); Islam, Jia & Bruce 2020: zero padding leaks position near the edge only",
        ),
        "8c" => supported(
            "in the encoder",
            "Vaswani et al. 2017, §3.5; Haviv et al. 2022: a causal decoder can infer position from its mask",
        ),
        _ => None,
    }
}

/// One line per claim whose verdict differs from its expectation: what was expected, what this
/// run found, and the run's reason.
pub fn differences(claims: &[Claim]) -> Vec<String> {
    claims
        .iter()
        .filter_map(|claim| {
            let expectation = expected(claim.number)?;
            (expectation.verdict != claim.verdict).then(|| {
                format!(
                    "**{}**: the literature expects *{}*; this run: *{}* — {}",
                    claim.number,
                    expectation.text(),
                    claim.verdict.text(),
                    claim.reason
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::judge_all;

    #[test]
    fn every_claim_has_an_expectation() {
        for claim in judge_all(&[], &[], None) {
            let expectation = expected(claim.number).unwrap_or_else(|| panic!("claim {} has none", claim.number));
            assert!(!expectation.sources.is_empty());
        }
    }

    #[test]
    fn only_claims_that_differ_are_listed_with_their_reason() {
        let claims = judge_all(&[], &[], None);
        let listed = differences(&claims);
        // With no runs every measured claim is "not measurable here" (a model missing); 5b and 7a
        // are counted, as expected, so they are the claims not listed.
        assert_eq!(listed.len(), claims.len() - 2, "{listed:#?}");
        assert!(!listed.iter().any(|line| line.starts_with("**7a**") || line.starts_with("**5b**")));
        let four = listed.iter().find(|line| line.starts_with("**4**")).unwrap();
        assert!(four.contains("supported (Gu et al. 2018") && four.contains("*not measurable here*"), "{four}");
        let mut agreeing = claims.clone();
        for claim in &mut agreeing {
            claim.verdict = expected(claim.number).unwrap().verdict;
        }
        assert!(differences(&agreeing).is_empty());
    }
}
