//! Claim 7b measured on the hardware a student has: what a training step makes of the
//! processor as sentences grow. A recurrent decoder steps through a sentence one word at a time,
//! so at a fixed token budget each of its products has as many rows as the batch has sentences —
//! few, for long sentences — and cannot fill the processor's vector lanes. A Transformer layer
//! multiplies every position at once: `batch · n` rows at any length. Per model and length, the
//! step's analytic operations (counted from its products, `forward_flops`) over its median time on
//! one thread give the achieved GFLOP/s. The rule is fixed here before any timing was seen:
//!
//! - *supported* when Luong's achieved rate at the longest length is at most [`LUONG_MAX_RATIO`]
//!   × its own at the shortest, and the Transformer's at least [`TRANSFORMER_MIN_RATIO`] × its own;
//! - *not supported* otherwise; *not measurable here* with fewer than two lengths timed.
//!
//! The same steps on all threads show how far each model's own step gains from them (the
//! models calibrate the threads, not a matmul of another size). The wall-clock gain on a GPU needs
//! a GPU build (`--features wgpu` or `cuda`) and is not measured here.

use serde::{Deserialize, Serialize};

use crate::claims::Verdict;
use crate::document::Block;

/// The report directory's file holding the timings (written by `compare`, read by `plot`).
pub const TIMING_FILE: &str = "parallel-timing.json";
/// Luong's rate at the longest length over its rate at the shortest: at most this.
pub const LUONG_MAX_RATIO: f64 = 0.5;
/// The Transformer's rate at the longest length over its rate at the shortest: at least this.
pub const TRANSFORMER_MIN_RATIO: f64 = 0.8;

/// One model's training step at one length: median milliseconds on one thread and on all, and
/// the step's operations, counted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub one_thread_ms: f64,
    pub all_threads_ms: f64,
    /// Floating-point operations of one training step (forward + backward ≈ 3 × forward), in GFLOP.
    pub gflop: f64,
}

impl Step {
    /// How many times faster all threads are than one.
    pub fn speedup(&self) -> f64 {
        self.one_thread_ms / self.all_threads_ms
    }

    /// Achieved GFLOP/s on one thread.
    pub fn rate(&self) -> f64 {
        self.gflop / (self.one_thread_ms / 1e3)
    }
}

/// One sentence length of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LengthRow {
    pub length: usize,
    /// Sentences per batch (the token budget over the length).
    pub batch: usize,
    pub luong: Step,
    pub transformer: Step,
}

/// What `compare` measured for claim 7b.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParallelTiming {
    /// The processor, as the system names it.
    pub hardware: String,
    /// The threads of "all threads".
    pub threads: usize,
    /// Target tokens per training step in the sweep.
    pub token_budget: usize,
    pub rows: Vec<LengthRow>,
}

/// Luong's and the Transformer's achieved rate at `long` over their own at `short`.
fn ratios(short: &LengthRow, long: &LengthRow) -> (f64, f64) {
    (long.luong.rate() / short.luong.rate(), long.transformer.rate() / short.transformer.rate())
}

/// The shortest and the longest length timed (`None`: none timed).
fn ends(timing: &ParallelTiming) -> Option<(&LengthRow, &LengthRow)> {
    Some((timing.rows.iter().min_by_key(|r| r.length)?, timing.rows.iter().max_by_key(|r| r.length)?))
}

/// The ratios the rule judges, from the shortest length timed to the longest.
pub fn falls(timing: &ParallelTiming) -> Option<(f64, f64)> {
    ends(timing).filter(|(short, long)| short.length != long.length).map(|(short, long)| ratios(short, long))
}

/// Claim 7b's verdict and its reason, by the rule above.
pub fn judge(timing: &ParallelTiming) -> (Verdict, String) {
    let Some((short, long)) = ends(timing) else {
        return (Verdict::NotMeasurable, "no timed lengths".into());
    };
    if short.length == long.length {
        return (Verdict::NotMeasurable, format!("one length timed (n = {}): nothing to compare", short.length));
    }
    let (luong, transformer) = ratios(short, long);
    let facts = format!(
        "on one thread of {}, from n = {} to {} at {} tokens a step, Luong's step achieves {:.2} → {:.2} GFLOP/s \
         (×{luong:.2}) and the Transformer's {:.2} → {:.2} GFLOP/s (×{transformer:.2}); on all {} threads at n = {} \
         Luong's step runs at {:.2}× and the Transformer's at {:.2}× its one-thread speed; the wall-clock gain on a \
         GPU is not measured here",
        timing.hardware,
        short.length,
        long.length,
        timing.token_budget,
        short.luong.rate(),
        long.luong.rate(),
        short.transformer.rate(),
        long.transformer.rate(),
        timing.threads,
        long.length,
        long.luong.speedup(),
        long.transformer.speedup(),
    );
    if luong <= LUONG_MAX_RATIO && transformer >= TRANSFORMER_MIN_RATIO {
        let why = format!(
            "Luong's rate falls to at most {LUONG_MAX_RATIO} of its own (its per-word products have {} rows at \
             n = {}) while the Transformer keeps at least {TRANSFORMER_MIN_RATIO} of its own",
            long.batch, long.length
        );
        (Verdict::Supported, format!("{why}: {facts}"))
    } else {
        let why = format!(
            "the rule needs Luong ×{LUONG_MAX_RATIO} or less and the Transformer ×{TRANSFORMER_MIN_RATIO} or more"
        );
        (Verdict::NotSupported, format!("{why}: {facts}"))
    }
}

/// The timed steps as a table, with how to read it above.
pub fn blocks(timing: &ParallelTiming) -> Vec<Block> {
    let intro = format!(
        "Claim 7b, timed on {}: a training step (forward, backward, Adam) at {} target tokens per batch, median \
         milliseconds on one thread and on all {}, and the operations each step does (counted from its products: \
         forward + backward ≈ 3 × forward) over its one-thread time — the GFLOP/s it achieves. At a fixed token \
         budget, long sentences leave few in a batch: a recurrent decoder's per-word products shrink to that many \
         rows, a Transformer's keep every token.",
        timing.hardware, timing.token_budget, timing.threads
    );
    let rows = timing
        .rows
        .iter()
        .map(|r| {
            vec![
                r.length.to_string(),
                r.batch.to_string(),
                format!("{:.1} / {:.1}", r.luong.one_thread_ms, r.luong.all_threads_ms),
                format!("{:.2}", r.luong.rate()),
                format!("{:.1} / {:.1}", r.transformer.one_thread_ms, r.transformer.all_threads_ms),
                format!("{:.2}", r.transformer.rate()),
            ]
        })
        .collect();
    let header = [
        "length n",
        "sentences",
        "luong ms, 1 thread / all",
        "luong GFLOP/s, 1 thread",
        "transformer ms, 1 thread / all",
        "transformer GFLOP/s, 1 thread",
    ];
    vec![
        Block::Heading(3, "Claim 7b: what a training step makes of the processor, against length".into()),
        Block::Paragraph(intro),
        Block::Table { header: header.iter().map(|h| h.to_string()).collect(), rows },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Luong's and the Transformer's steps at n = 8 and 128, both doing 1 GFLOP at n = 8; at 128
    /// Luong takes `luong_ms` and the Transformer `transformer_ms` for 1.2 GFLOP.
    fn timing(luong_ms: f64, transformer_ms: f64) -> ParallelTiming {
        let step = |ms: f64, gflop: f64| Step { one_thread_ms: ms, all_threads_ms: ms / 1.5, gflop };
        ParallelTiming {
            hardware: "test CPU".into(),
            threads: 2,
            token_budget: 1024,
            rows: vec![
                LengthRow { length: 8, batch: 128, luong: step(100.0, 1.0), transformer: step(100.0, 1.0) },
                LengthRow { length: 128, batch: 8, luong: step(luong_ms, 1.2), transformer: step(transformer_ms, 1.2) },
            ],
        }
    }

    #[test]
    fn every_outcome_of_the_rule() {
        // 10 GFLOP/s at n = 8 for both; at 128 Luong 1.2 / 0.4 s = 3 (×0.3), the Transformer 10 (×1.0).
        let (verdict, reason) = judge(&timing(400.0, 120.0));
        assert_eq!(verdict, Verdict::Supported, "{reason}");
        assert!(reason.contains("10.00 → 3.00 GFLOP/s (×0.30)") && reason.contains("n = 8 to 128"), "{reason}");
        assert!(reason.contains("8 rows") && reason.contains("not measured here"), "{reason}");
        // Luong keeps its rate (×0.6): no mechanism shown.
        let (verdict, reason) = judge(&timing(200.0, 120.0));
        assert_eq!(verdict, Verdict::NotSupported, "{reason}");
        // The Transformer loses its rate too (×0.5).
        assert_eq!(judge(&timing(400.0, 240.0)).0, Verdict::NotSupported);
        // Just inside the rule's edges: Luong ×0.48, the Transformer ×0.81.
        assert_eq!(judge(&timing(250.0, 148.0)).0, Verdict::Supported);
        // Just outside: Luong ×0.52.
        assert_eq!(judge(&timing(230.0, 148.0)).0, Verdict::NotSupported);
        let mut one = timing(400.0, 120.0);
        one.rows.pop();
        assert_eq!(judge(&one).0, Verdict::NotMeasurable);
        one.rows.clear();
        assert_eq!(judge(&one).0, Verdict::NotMeasurable);
    }

    #[test]
    fn the_table_has_a_row_per_length_and_reads_back_from_json() {
        let t = timing(400.0, 120.0);
        let blocks = blocks(&t);
        let Block::Table { rows, .. } = &blocks[2] else { panic!("a table") };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][..4], ["128".to_string(), "8".into(), "400.0 / 266.7".into(), "3.00".into()]);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<ParallelTiming>(&json).unwrap(), t);
    }
}
