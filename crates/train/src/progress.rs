//! Progress during training: a bar on a terminal (epoch, batch, loss, tokens/s), plain lines
//! otherwise (CI logs, pipes).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::evaluate::Scores;

pub struct Progress {
    bar: Option<ProgressBar>,
    epochs: usize,
    batches: usize,
    arch: String,
}

impl Progress {
    pub fn new(epochs: usize, batches: usize, arch: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(batches as u64);
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} batches {msg} ({elapsed})")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Self { bar, epochs, batches, arch: arch.to_string() }
    }

    pub fn start_epoch(&mut self, epoch: usize) {
        if let Some(bar) = &self.bar {
            bar.reset();
            bar.set_length(self.batches as u64);
            bar.set_prefix(format!("{} epoch {epoch}/{}", self.arch, self.epochs));
        }
    }

    pub fn batch(&self, done: usize, loss: f64, tokens_per_second: f64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
            bar.set_message(format!("loss {loss:.4}  {tokens_per_second:.0} tok/s"));
        }
    }

    pub fn end_epoch(&self, epoch: usize, train: &Scores, valid: &Scores, seconds: f64, improved: bool) {
        self.note(&format!(
            "{} epoch {epoch}/{}: train loss {:.4} | valid loss {:.4} ppl {:.2} tok-acc {:.1}% exact {:.1}% BLEU {:.1} | {seconds:.1}s{}",
            self.arch,
            self.epochs,
            train.loss,
            valid.loss,
            valid.perplexity,
            valid.token_accuracy,
            valid.exact_match,
            valid.bleu,
            if improved { " *" } else { "" }
        ));
    }

    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
