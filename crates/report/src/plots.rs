//! The comparison's plots, each written as PNG and SVG with its data as CSV beside it.

use std::path::{Path, PathBuf};

use seq2seq_data::fsutil::write_atomic;
use seq2seq_plot::{BarPanels, Bars, LineChart, ScoreTable, Series, bar_panels, line_chart, score_table};

use crate::ReportError;
use crate::probe_plots::{colour, in_evolution, labelled_colour};
use crate::runs::{ArchRuns, Run, Sentence, Stat, length_buckets};
use crate::stats;

/// Validation token accuracy (%) that "epochs to target" counts up to.
pub const TARGET_ACCURACY: f64 = 90.0;

/// The losses' axis: per-token cross-entropy on a log scale, where its late epochs stay readable.
const LOSS: &str = "cross-entropy (nats per target token, log scale)";

/// Buckets of fewer test sentences than this are drawn faint: one sentence is 3 points or more.
pub(crate) const FEW: usize = 30;

/// A plot written under `plots/`: its stem (`.png`, `.svg`, `.csv`) and caption.
#[derive(Clone, Debug)]
pub struct Plot {
    pub stem: String,
    pub caption: String,
}

impl Plot {
    pub fn png(&self) -> String {
        format!("plots/{}.png", self.stem)
    }
}

pub(crate) fn csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), ReportError> {
    let mut text = header.join(",");
    text.push('\n');
    for row in rows {
        text.push_str(&row.iter().map(|field| csv_field(field)).collect::<Vec<_>>().join(","));
        text.push('\n');
    }
    write_atomic(path, text.as_bytes()).map_err(|e| ReportError::io(path, e))
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180):
/// `conv R=9, no positions` → `"conv R=9, no positions"`.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

fn stat_series(name: String, colour: usize, dashed: bool, points: &[(f64, Stat)]) -> Series {
    Series {
        name,
        points: points.iter().map(|(x, s)| (*x, s.mean)).collect(),
        band: if points.iter().any(|(_, s)| s.runs > 1) {
            points.iter().map(|(x, s)| (*x, s.low, s.high)).collect()
        } else {
            vec![]
        },
        dashed,
        colour,
        faint: vec![],
    }
}

fn stat_row(label: &[String], s: &Stat) -> Vec<String> {
    let mut row = label.to_vec();
    row.extend([format!("{:.6}", s.mean), format!("{:.6}", s.low), format!("{:.6}", s.high), s.runs.to_string()]);
    row
}

const STAT_COLUMNS: [&str; 4] = ["mean", "low", "high", "runs"];

struct Writer<'a> {
    dir: PathBuf,
    groups: &'a [ArchRuns],
    plots: Vec<Plot>,
}

/// How `groups[i]` is drawn in every figure: `(colour, dashed)`. When at most one group is not
/// one of the evolution's, each architecture has its colour and a variant (`lstm (delay = 8)`)
/// its architecture's, dashed: the same cell, read differently. Else the palette in order
/// (variants of one architecture), solid.
pub(crate) fn group_style(groups: &[ArchRuns], i: usize) -> (usize, bool) {
    let rows: Vec<(&str, &str)> = groups.iter().map(|g| (g.arch.as_str(), g.runs[0].config.arch.as_str())).collect();
    style(&rows, i)
}

/// [`group_style`] of `rows[i]`, each row a group's `(label, architecture)`.
fn style(rows: &[(&str, &str)], i: usize) -> (usize, bool) {
    let (label, arch) = rows[i];
    match rows.iter().filter(|(label, _)| !in_evolution(label)).count() {
        0 | 1 if in_evolution(label) => (colour(label), false),
        0 | 1 => (colour(arch), true),
        _ => (labelled_colour(i), false),
    }
}

impl Writer<'_> {
    /// The colour of group `i`: see [`group_style`].
    fn colour(&self, i: usize) -> usize {
        group_style(self.groups, i).0
    }

    /// Whether group `i` is a variant drawn dashed: see [`group_style`].
    fn dashed(&self, i: usize) -> bool {
        group_style(self.groups, i).1
    }

    fn lines(
        &mut self,
        stem: &str,
        caption: &str,
        chart: LineChart<'_>,
        csv_header: &[&str],
        rows: &[Vec<String>],
    ) -> Result<(), ReportError> {
        for ext in ["png", "svg"] {
            line_chart(&self.dir.join(format!("{stem}.{ext}")), &chart)?;
        }
        csv(&self.dir.join(format!("{stem}.csv")), csv_header, rows)?;
        self.plots.push(Plot { stem: stem.into(), caption: caption.into() });
        Ok(())
    }

    /// 1. Train and validation loss per epoch, one chart per architecture.
    fn loss_curves(&mut self) -> Result<(), ReportError> {
        for (i, g) in self.groups.iter().enumerate() {
            let mut series = Vec::new();
            let mut rows = Vec::new();
            for (split, dashed) in [("train", true), ("valid", false)] {
                let curve: Vec<(f64, Stat)> = g.curve(split, "loss").into_iter().map(|(e, s)| (e as f64, s)).collect();
                rows.extend(curve.iter().map(|(e, s)| stat_row(&[split.to_string(), e.to_string()], s)));
                series.push(stat_series(format!("{} {split}", g.arch), self.colour(i), dashed, &curve));
            }
            let title = format!("{}: training and validation loss", g.arch);
            let caption = format!(
                "{title}. Training loss is the mean over the epoch's batches, with dropout, while the model was \
                 still learning; validation loss is measured after the epoch, without dropout: it can lie below the \
                 training loss"
            );
            let chart = LineChart {
                title: &title,
                x_label: "epoch",
                y_label: LOSS,
                series: &series,
                x_labels: None,
                y_range: None,
                log_y: true,
            };
            let header = [&["split", "epoch"][..], &STAT_COLUMNS].concat();
            self.lines(&format!("loss-{}", g.file_stem()), &caption, chart, &header, &rows)?;
        }
        Ok(())
    }

    /// 2. Validation loss of every architecture against epochs and against training seconds.
    fn validation_loss(&mut self) -> Result<(), ReportError> {
        let mut by_epoch = Vec::new();
        let mut by_seconds = Vec::new();
        let (mut epoch_rows, mut second_rows) = (Vec::new(), Vec::new());
        for (i, g) in self.groups.iter().enumerate() {
            let loss = g.curve("valid", "loss");
            let seconds = g.curve("valid", "elapsed_seconds");
            let curve: Vec<(f64, Stat)> = loss.iter().map(|(e, s)| (*e as f64, *s)).collect();
            epoch_rows.extend(curve.iter().map(|(e, s)| stat_row(&[g.arch.clone(), e.to_string()], s)));
            by_epoch.push(stat_series(g.arch.clone(), self.colour(i), self.dashed(i), &curve));
            let timed: Vec<(f64, Stat)> = loss.iter().zip(&seconds).map(|((_, l), (_, t))| (t.mean, *l)).collect();
            second_rows.extend(timed.iter().map(|(t, s)| stat_row(&[g.arch.clone(), format!("{t:.3}")], s)));
            by_seconds.push(stat_series(g.arch.clone(), self.colour(i), self.dashed(i), &timed));
        }
        let title = "validation loss by epoch";
        let chart = LineChart {
            title,
            x_label: "epoch",
            y_label: LOSS,
            series: &by_epoch,
            x_labels: None,
            y_range: None,
            log_y: true,
        };
        self.lines(
            "valid-loss-by-epoch",
            title,
            chart,
            &[&["arch", "epoch"][..], &STAT_COLUMNS].concat(),
            &epoch_rows,
        )?;
        let title = "validation loss by training time";
        let chart = LineChart {
            title,
            x_label: "training seconds",
            y_label: LOSS,
            series: &by_seconds,
            x_labels: None,
            y_range: None,
            log_y: true,
        };
        self.lines(
            "valid-loss-by-seconds",
            title,
            chart,
            &[&["arch", "seconds"][..], &STAT_COLUMNS].concat(),
            &second_rows,
        )
    }

    /// 3. Exact match, chrF and BLEU by source-length bucket (Bahdanau et al.'s figure).
    fn by_length(&mut self) -> Result<(), ReportError> {
        // Test sentences per bucket (the same test set for every run): named under each bucket,
        // and buckets of fewer than `FEW` drawn faint.
        let (buckets, sentences): (Vec<String>, Vec<usize>) =
            length_buckets(self.groups.iter().flat_map(|g| &g.runs)).into_iter().unzip();
        let labels: Vec<String> = buckets.iter().zip(&sentences).map(|(b, n)| format!("{b} ({n})")).collect();
        let faint: Vec<f64> = (0..buckets.len()).filter(|&k| sentences[k] < FEW).map(|k| k as f64).collect();
        let (bleu_signature, chrf_signature) = (
            crate::runs::signatures(self.groups, |t| &t.bleu_signature),
            crate::runs::signatures(self.groups, |t| &t.chrf_signature),
        );
        let has_chrf =
            self.groups.iter().flat_map(|g| &g.runs).any(|r| r.test.by_length.iter().any(|b| b.chrf.is_some()));
        for (stem, measure, label) in [
            ("exact-by-length", "exact", "exact match (%)"),
            ("chrf-by-length", "chrf", "chrF"),
            ("bleu-by-length", "bleu", "BLEU"),
        ] {
            if measure == "chrf" && !has_chrf {
                continue; // runs written before chrF was recorded per bucket
            }
            let mut series = Vec::new();
            let mut rows = Vec::new();
            for (i, g) in self.groups.iter().enumerate() {
                let points: Vec<(f64, Stat)> = buckets
                    .iter()
                    .enumerate()
                    .filter_map(|(k, bucket)| {
                        let stat = g.stat(|r: &Run| {
                            let b = r.test.by_length.iter().find(|b| b.group == *bucket)?;
                            match measure {
                                "exact" => Some(b.exact_match),
                                "chrf" => b.chrf,
                                _ => Some(b.bleu),
                            }
                        })?;
                        Some((k as f64, stat))
                    })
                    .collect();
                let mut line = stat_series(g.arch.clone(), self.colour(i), self.dashed(i), &points);
                line.faint = faint.clone();
                let band = if measure == "exact" { exact_bands(g, &buckets) } else { None };
                for (k, stat) in &points {
                    // The CSV holds the band the figure draws: the bootstrap interval where there is one.
                    let drawn = band.as_ref().and_then(|b| b.iter().find(|(x, _, _)| x == k));
                    let stat = drawn.map_or(*stat, |&(_, low, high)| Stat { low, high, ..*stat });
                    rows.push(stat_row(&[g.arch.clone(), buckets[*k as usize].clone()], &stat));
                }
                if let Some(band) = band {
                    line.band = band;
                }
                series.push(line);
            }
            // BLEU's geometric mean needs a 4-gram: a bucket whose translations all have fewer
            // than four words scores 0 however right they are, so the figure says so itself.
            let title = match measure {
                "bleu" => format!("{label} by source length (0 where no translation reaches 4 words)"),
                _ => format!("{label} by source length"),
            };
            let chart = LineChart {
                title: &title,
                x_label: "source words (test sentences in the bucket)",
                y_label: label,
                series: &series,
                x_labels: Some(&labels),
                y_range: Some((0.0, 100.0)), // percent and BLEU alike
                log_y: false,
            };
            let caption = if measure == "exact" {
                format!(
                    "{title}; bands: 95 % bootstrap interval over test sentences (and seeds, when there are \
                     several); buckets of fewer than {FEW} sentences faint"
                )
            } else if measure == "chrf" {
                format!(
                    "{title}; buckets of fewer than {FEW} sentences faint. chrF scores character n-grams, so a \
                     short sentence translated right scores 100 ({chrf_signature})"
                )
            } else {
                format!(
                    "{title}; buckets of fewer than {FEW} sentences faint. Corpus BLEU of a handful of short \
                     sentences says little: it is 0 where every translation is right but none reaches four words, \
                     and above 0 for a model whose translations run to four words, wrong ones included. Read \
                     short buckets by chrF or exact match ({bleu_signature})"
                )
            };
            self.lines(stem, &caption, chart, &[&["arch", "source_words"][..], &STAT_COLUMNS].concat(), &rows)?;
        }
        Ok(())
    }

    /// 4. Exact match per phenomenon (and on long sentences) as a labelled heatmap.
    fn phenomena(&mut self) -> Result<(), ReportError> {
        let mut columns: Vec<String> = Vec::new();
        for r in self.groups.iter().flat_map(|g| &g.runs) {
            for p in &r.test.by_phenomenon {
                if p.group != "lexical" && !columns.contains(&p.group) {
                    columns.push(p.group.clone());
                }
            }
        }
        let long = "20+ words".to_string();
        columns.push(long.clone());
        let rows: Vec<String> = self.groups.iter().map(|g| g.arch.clone()).collect();
        let values: Vec<Vec<Option<f64>>> = self
            .groups
            .iter()
            .map(|g| {
                columns
                    .iter()
                    .map(|c| {
                        let stat = if *c == long {
                            g.stat(|r: &Run| r.exact_from(20))
                        } else {
                            g.stat(|r: &Run| r.test.by_phenomenon.iter().find(|p| p.group == *c).map(|p| p.exact_match))
                        };
                        stat.map(|s| s.mean)
                    })
                    .collect()
            })
            .collect();
        let title = "exact match (%) by phenomenon (test sentences in brackets)";
        // Each column with the test sentences it rests on (the first run's test split).
        let first = &self.groups[0].runs[0];
        let shown: Vec<String> = columns
            .iter()
            .map(|c| {
                let sentences = if *c == long {
                    first.sentences_from(20)
                } else {
                    first.test.by_phenomenon.iter().find(|p| p.group == *c).map_or(0, |p| p.sentences)
                };
                format!("{c} ({sentences})")
            })
            .collect();
        let table = ScoreTable { title, rows: &rows, columns: &shown, values: &values, max: 100.0 };
        for ext in ["png", "svg"] {
            score_table(&self.dir.join(format!("phenomena.{ext}")), &table)?;
        }
        let csv_rows: Vec<Vec<String>> = rows
            .iter()
            .zip(&values)
            .map(|(arch, vs)| {
                std::iter::once(arch.clone())
                    .chain(vs.iter().map(|v| v.map(|v| format!("{v:.2}")).unwrap_or_default()))
                    .collect()
            })
            .collect();
        let header: Vec<&str> = std::iter::once("arch").chain(columns.iter().map(String::as_str)).collect();
        csv(&self.dir.join("phenomena.csv"), &header, &csv_rows)?;
        self.plots.push(Plot { stem: "phenomena".into(), caption: title.into() });
        Ok(())
    }

    /// 6. Cost: parameters, seconds per epoch, tokens per second, peak memory, epochs to target.
    fn cost(&mut self) -> Result<(), ReportError> {
        let categories: Vec<String> = self.groups.iter().map(|g| g.arch.clone()).collect();
        let mean = |f: &dyn Fn(&Run) -> Option<f64>| -> Vec<Option<f64>> {
            self.groups.iter().map(|g| g.stat(f).map(|s| s.mean)).collect()
        };
        let panels = vec![
            Bars { title: "parameters".into(), values: mean(&|r| Some(r.test.parameters as f64)) },
            Bars { title: "training seconds per epoch".into(), values: mean(&|r| Some(r.seconds_per_epoch())) },
            Bars {
                title: "training tokens per second".into(),
                values: mean(&|r| (r.test.train_tokens_per_second > 0.0).then_some(r.test.train_tokens_per_second)),
            },
            Bars { title: "peak memory (MiB)".into(), values: mean(&|r| r.test.peak_memory_mib) },
            Bars {
                title: format!("epochs to {TARGET_ACCURACY:.0}% validation token accuracy"),
                values: mean(&|r| r.epochs_to(TARGET_ACCURACY).map(|e| e as f64)),
            },
        ];
        let title = "cost of each architecture";
        let styles: Vec<(usize, bool)> = (0..self.groups.len()).map(|i| group_style(self.groups, i)).collect();
        let bars = BarPanels { title, categories: &categories, styles: &styles, panels: &panels, per_row: 2 };
        for ext in ["png", "svg"] {
            bar_panels(&self.dir.join(format!("cost.{ext}")), &bars)?;
        }
        // Panel titles become CSV column names: no commas in them.
        let header: Vec<String> =
            std::iter::once("arch".to_string()).chain(panels.iter().map(|p| p.title.replace(',', ""))).collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = categories
            .iter()
            .enumerate()
            .map(|(k, arch)| {
                std::iter::once(arch.clone())
                    .chain(panels.iter().map(|p| p.values[k].map(|v| format!("{v:.3}")).unwrap_or_default()))
                    .collect()
            })
            .collect();
        csv(&self.dir.join("cost.csv"), &header, &rows)?;
        self.plots.push(Plot { stem: "cost".into(), caption: title.into() });
        Ok(())
    }

    /// 7. Exposure bias (and misalignment): teacher-forced against free-running validation token
    /// accuracy, position by position.
    fn exposure_bias(&mut self) -> Result<(), ReportError> {
        let mut series = Vec::new();
        let mut rows = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            // Only models with a decoder: position-wise models feed nothing back.
            if g.runs.iter().any(|r| !r.test.autoregressive) || g.curve("valid", "free_running_accuracy").is_empty() {
                continue;
            }
            for (column, label, dashed) in
                [("token_accuracy", "teacher-forced", true), ("free_running_accuracy", "free-running", false)]
            {
                let curve: Vec<(f64, Stat)> =
                    g.curve("valid", column).into_iter().map(|(e, s)| (e as f64, s)).collect();
                rows.extend(
                    curve.iter().map(|(e, s)| stat_row(&[g.arch.clone(), label.to_string(), e.to_string()], s)),
                );
                series.push(stat_series(format!("{} {label}", g.arch), self.colour(i), dashed, &curve));
            }
        }
        if series.is_empty() {
            return Ok(());
        }
        let title = "validation token accuracy by epoch, fed the gold words (teacher-forced) vs its own (free-running)";
        let chart = LineChart {
            title,
            x_label: "epoch",
            y_label: "token accuracy (%)",
            series: &series,
            x_labels: None,
            y_range: None,
            log_y: false,
        };
        let caption = format!(
            "{title}. Free-running, each target position is compared with the model's own word at that position: \
             one dropped or added word shifts every later one, so the gap measures exposure bias and misalignment \
             together"
        );
        let header = [&["arch", "feeding", "epoch"][..], &STAT_COLUMNS].concat();
        self.lines("exposure-bias", &caption, chart, &header, &rows)
    }
}

/// The 95 % bootstrap interval (seeds, then test sentences) of exact match in each length
/// bucket (`START-END` source words), from the runs' test sentences; `None` where a run lacks them.
fn exact_bands(g: &ArchRuns, buckets: &[String]) -> Option<Vec<(f64, f64, f64)>> {
    let sentences: Vec<Vec<Sentence>> = g.runs.iter().map(|r| r.sentences().ok()).collect::<Option<_>>()?;
    let mut band = Vec::new();
    for (k, name) in buckets.iter().enumerate() {
        let (start, end) = name.split_once('-')?;
        let words = start.parse::<usize>().ok()?..=end.parse::<usize>().ok()?;
        let seeds: Vec<Vec<(f64, f64)>> = sentences
            .iter()
            .map(|run| {
                run.iter().filter(|s| words.contains(&s.words)).map(|s| (f64::from(u8::from(s.exact)), 1.0)).collect()
            })
            .collect();
        if let Some(interval) = stats::accuracy(&seeds) {
            band.push((k as f64, interval.low, interval.high));
        }
    }
    Some(band)
}

/// Writes every metrics plot into `dir` (created), returning them in report order.
pub fn write_all(dir: &Path, groups: &[ArchRuns]) -> Result<Vec<Plot>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, e))?;
    let mut writer = Writer { dir: dir.to_path_buf(), groups, plots: Vec::new() };
    writer.loss_curves()?;
    writer.validation_loss()?;
    writer.by_length()?;
    writer.phenomena()?;
    writer.cost()?;
    writer.exposure_bias()?;
    Ok(writer.plots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_variant_is_its_architecture_dashed_and_several_take_the_palette() {
        let rows = [("lstm", "lstm"), ("lstm (delay = 8)", "lstm"), ("conv", "conv")];
        assert_eq!(style(&rows, 0), (colour("lstm"), false));
        assert_eq!(style(&rows, 1), (colour("lstm"), true));
        assert_eq!(style(&rows, 2), (colour("conv"), false));
        let two = [("lstm (delay = 4)", "lstm"), ("lstm (delay = 8)", "lstm")];
        assert_eq!([style(&two, 0), style(&two, 1)], [(labelled_colour(0), false), (labelled_colour(1), false)]);
    }

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("conv R=11"), "conv R=11");
        assert_eq!(csv_field("conv R=9, no positions"), "\"conv R=9, no positions\"");
        assert_eq!(csv_field("a \"b\""), "\"a \"\"b\"\"\"");
    }
}
