//! Claim 7b measured: "Transformers train faster on parallel hardware". A training step of the
//! Transformer and of Luong's attention model at a fixed token budget against sentence length,
//! on one thread and on all of them, beside a matmul that says how many parallel lanes the
//! machine really has. The rule is fixed here before any timing was seen:
//!
//! - *not measurable here* when the machine is not parallel hardware: a large matmul must run at
//!   least [`MIN_LANES`]× faster on all threads than on one;
//! - otherwise, at the longest length, the Transformer's speed-up from the threads over Luong's
//!   speed-up is the gain G: *supported* when G ≥ [`MIN_GAIN`] and the Transformer's step is the
//!   faster one on all threads; *not supported* when G ≤ 1 / [`MIN_GAIN`] or the Transformer's step
//!   is slower there; *not measurable here* in between.
//!
//! Each timing is a median of repeats (`workbench bench`'s method); the table shows them all.

use serde::{Deserialize, Serialize};

use crate::claims::Verdict;
use crate::document::Block;

/// The report directory's file holding the timings (written by `compare`, read by `plot`).
pub const TIMING_FILE: &str = "parallel-timing.json";
/// The matmul speed-up on all threads that makes a machine parallel hardware for this claim.
pub const MIN_LANES: f64 = 3.0;
/// How much more the Transformer must gain from the threads than Luong's model.
pub const MIN_GAIN: f64 = 1.2;

/// Median milliseconds on one thread and on all threads.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub one_thread_ms: f64,
    pub all_threads_ms: f64,
}

impl Pair {
    /// How many times faster all threads are than one.
    pub fn speedup(&self) -> f64 {
        self.one_thread_ms / self.all_threads_ms
    }
}

/// One sentence length of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LengthRow {
    pub length: usize,
    /// Sentences per batch (the token budget over the length).
    pub batch: usize,
    pub luong: Pair,
    pub transformer: Pair,
}

/// What `compare` measured for claim 7b.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParallelTiming {
    /// The processor, as the system names it.
    pub hardware: String,
    /// The threads of "all threads".
    pub threads: usize,
    /// Side of the square matrices of the calibration matmul.
    pub matmul_size: usize,
    pub matmul: Pair,
    /// Target tokens per training step in the sweep.
    pub token_budget: usize,
    pub rows: Vec<LengthRow>,
}

/// Claim 7b's verdict and its reason, by the rule above.
pub fn judge(timing: &ParallelTiming) -> (Verdict, String) {
    let lanes = timing.matmul.speedup();
    let hardware = format!("{} thread(s) of {}", timing.threads, timing.hardware);
    if timing.threads < 2 || lanes < MIN_LANES {
        return (
            Verdict::NotMeasurable,
            format!(
                "no parallel hardware: a {n}×{n} matmul runs {lanes:.2}× faster on {hardware} than on one \
                 (needs {MIN_LANES:.0}×); the timed steps are in the table below",
                n = timing.matmul_size
            ),
        );
    }
    let Some(longest) = timing.rows.iter().max_by_key(|r| r.length) else {
        return (Verdict::NotMeasurable, "no timed lengths".into());
    };
    let gain = longest.transformer.speedup() / longest.luong.speedup();
    let faster = longest.transformer.all_threads_ms < longest.luong.all_threads_ms;
    let facts = format!(
        "at n = {}: the threads speed the Transformer up {:.2}× and Luong {:.2}× (gain {gain:.2}); on all threads a \
         step takes {:.1} ms against {:.1} ms; {hardware}, matmul {lanes:.2}×",
        longest.length,
        longest.transformer.speedup(),
        longest.luong.speedup(),
        longest.transformer.all_threads_ms,
        longest.luong.all_threads_ms
    );
    if gain >= MIN_GAIN && faster {
        (Verdict::Supported, format!("gain ≥ {MIN_GAIN} and the Transformer's step is faster: {facts}"))
    } else if gain <= 1.0 / MIN_GAIN || !faster {
        (Verdict::NotSupported, format!("gain ≤ 1/{MIN_GAIN} or the Transformer's step is slower: {facts}"))
    } else {
        (Verdict::NotMeasurable, format!("the gain lies between 1/{MIN_GAIN} and {MIN_GAIN}: {facts}"))
    }
}

/// The timed steps as a table, with the calibration above it.
pub fn blocks(timing: &ParallelTiming) -> Vec<Block> {
    let n = timing.matmul_size;
    let intro = format!(
        "Claim 7b, timed on {} with {} thread(s): a training step (forward, backward, Adam) at {} target tokens \
         per batch, median milliseconds. Calibration: a {n}×{n} matmul takes {:.2} ms on one thread and {:.2} ms \
         on all, {:.2}× — the parallel lanes this machine offers these products.",
        timing.hardware,
        timing.threads,
        timing.token_budget,
        timing.matmul.one_thread_ms,
        timing.matmul.all_threads_ms,
        timing.matmul.speedup()
    );
    let rows = timing
        .rows
        .iter()
        .map(|r| {
            vec![
                r.length.to_string(),
                r.batch.to_string(),
                format!("{:.1}", r.luong.one_thread_ms),
                format!("{:.1}", r.luong.all_threads_ms),
                format!("{:.1}", r.transformer.one_thread_ms),
                format!("{:.1}", r.transformer.all_threads_ms),
                format!("{:.2}", r.luong.one_thread_ms / r.transformer.one_thread_ms),
                format!("{:.2}", r.luong.all_threads_ms / r.transformer.all_threads_ms),
            ]
        })
        .collect();
    let header = [
        "length n",
        "sentences",
        "luong, 1 thread",
        "luong, all",
        "transformer, 1 thread",
        "transformer, all",
        "luong / transformer, 1 thread",
        "luong / transformer, all",
    ];
    vec![
        Block::Heading(3, "Claim 7b: a training step against length, timed".into()),
        Block::Paragraph(intro),
        Block::Table { header: header.iter().map(|h| h.to_string()).collect(), rows },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(matmul_speedup: f64, transformer_speedup: f64, luong_speedup: f64) -> ParallelTiming {
        let pair = |one: f64, speedup: f64| Pair { one_thread_ms: one, all_threads_ms: one / speedup };
        ParallelTiming {
            hardware: "test CPU".into(),
            threads: 8,
            matmul_size: 512,
            matmul: pair(10.0, matmul_speedup),
            token_budget: 1024,
            rows: vec![
                LengthRow { length: 8, batch: 128, luong: pair(20.0, 1.0), transformer: pair(20.0, 1.0) },
                LengthRow {
                    length: 128,
                    batch: 8,
                    luong: pair(100.0, luong_speedup),
                    transformer: pair(60.0, transformer_speedup),
                },
            ],
        }
    }

    #[test]
    fn every_outcome_of_the_rule() {
        let (verdict, reason) = judge(&timing(1.9, 4.0, 1.0));
        assert_eq!(verdict, Verdict::NotMeasurable);
        assert!(reason.contains("no parallel hardware") && reason.contains("1.90×"), "{reason}");
        let (verdict, reason) = judge(&timing(6.0, 4.0, 1.1));
        assert_eq!(verdict, Verdict::Supported, "{reason}");
        assert!(reason.contains("n = 128"), "{reason}");
        assert_eq!(judge(&timing(6.0, 1.0, 3.0)).0, Verdict::NotSupported);
        assert_eq!(judge(&timing(6.0, 1.1, 1.0)).0, Verdict::NotMeasurable, "a gain of 1.1 decides nothing");
        // The threads help the Transformer, but its step stays slower than Luong's.
        let mut slower = timing(6.0, 4.0, 1.0);
        slower.rows[1].transformer = Pair { one_thread_ms: 800.0, all_threads_ms: 200.0 };
        assert_eq!(judge(&slower).0, Verdict::NotSupported);
        let mut one_thread = timing(6.0, 4.0, 1.0);
        one_thread.threads = 1;
        assert_eq!(judge(&one_thread).0, Verdict::NotMeasurable);
    }

    #[test]
    fn the_table_has_a_row_per_length_and_reads_back_from_json() {
        let t = timing(1.9, 1.2, 1.0);
        let blocks = blocks(&t);
        let Block::Table { rows, .. } = &blocks[2] else { panic!("a table") };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][..2], ["128".to_string(), "8".to_string()]);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<ParallelTiming>(&json).unwrap(), t);
    }
}
