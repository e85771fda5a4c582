//! Comparison reports: from finished run directories (one per architecture and seed) to plots
//! with their CSV data, `report.md` for a code forge and a self-contained `report.html`. Every
//! number in a report is read from the runs; the claims section is computed ([`claims`]).

mod ceiling;
pub mod claims;
pub mod document;
mod evolution;
mod evolution_panels;
pub mod explorer;
mod literature;
pub mod plots;
mod probe_plots;
pub mod runs;
mod saliency_plots;
pub mod stats;
mod summary_plot;
mod time_to_target;

use std::path::{Path, PathBuf};

use seq2seq_data::fsutil::write_atomic;

use crate::document::{Block, html, markdown};
pub use crate::runs::{ArchRuns, ProbeRuns, Run, Stat, group, split_probes};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Train(#[from] seq2seq_train::TrainError),
    #[error(transparent)]
    Plot(#[from] seq2seq_plot::PlotError),
}

impl ReportError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        ReportError::Io { path: path.to_path_buf(), source }
    }
}

/// A figure drawn elsewhere (attention heatmaps, the positional encoding) to embed.
#[derive(Clone, Debug)]
pub struct Figure {
    /// Relative to the report's directory.
    pub path: String,
    pub caption: String,
}

/// What the report says besides the runs' numbers.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub name: String,
    /// Lines on how the comparison was made (data, budget, machine).
    pub settings: Vec<String>,
    pub figures: Vec<Figure>,
    /// Wall-clock seconds of the whole comparison, when it was just run.
    pub wall_seconds: Option<f64>,
    /// Claim 7b's timed steps, when the comparison measured them.
    pub parallel: Option<claims::ParallelTiming>,
    /// The attention of each attending model on the first test sentences, for the explorer.
    pub attention: Vec<explorer::ModelAttention>,
}

fn cell(stat: Option<Stat>, decimals: usize) -> String {
    match stat {
        None => "–".into(),
        Some(s) if s.runs > 1 => format!("{:.*} ± {:.*}", decimals, s.mean, decimals, s.spread() / 2.0),
        Some(s) => format!("{:.*}", decimals, s.mean),
    }
}

/// Writes `report.md`, `report.html` and `plots/` into `out` for the main comparison's `groups`
/// and the `probes` runs; returns the files.
pub fn write(
    out: &Path,
    groups: &[ArchRuns],
    probes: &[ProbeRuns],
    context: &Context,
) -> Result<Vec<PathBuf>, ReportError> {
    if groups.is_empty() && probes.is_empty() {
        return Err(ReportError::Input("no finished runs to report on".into()));
    }
    let mut plots = if groups.is_empty() { Vec::new() } else { plots::write_all(&out.join("plots"), groups)? };
    let mut probe_figures = probe_plots::write_probe_plots(&out.join("plots"), probes)?;
    probe_figures.extend(saliency_plots::write_saliency_plots(&out.join("plots"), probes)?);
    probe_figures.extend(saliency_plots::write_mechanisms_plot(&out.join("plots"), probes)?);
    let claims = claims::judge_all(groups, probes, context.parallel.as_ref());
    let mut summary = summary_plot::write_summary_plot(&out.join("plots"), &claims)?;
    summary.extend(evolution_panels::write_evolution_panels(
        &out.join("plots"),
        &claims,
        groups,
        probes,
        context.parallel.as_ref(),
    )?);
    let mut blocks = vec![Block::Heading(1, format!("Comparison: {}", context.name))];
    if groups.is_empty() {
        blocks.push(Block::List(context.settings.clone()));
    } else {
        blocks.extend(results(groups, context));
        if let Some(html) = explorer::section(groups, &context.attention)? {
            let markdown = "The interactive explorer — every model's validation curves, toggled on and off, and \
                            every model's translation of any test sentence — is in `report.html`."
                .to_string();
            blocks.push(Block::Html { html, markdown });
        }
    }
    blocks.extend(evolution::section(groups, probes, &claims, &summary, &probe_figures, context.parallel.as_ref()));
    plots.extend(probe_figures);

    blocks.push(Block::Heading(2, "Plots".into()));
    blocks.push(Block::Paragraph("Every plot is also in `plots/` as SVG, with its data as CSV beside it.".into()));
    for plot in &plots {
        blocks.push(Block::Image { path: plot.png(), caption: plot.caption.clone() });
    }
    for figure in &context.figures {
        blocks.push(Block::Image { path: figure.path.clone(), caption: figure.caption.clone() });
    }
    if let Some(seconds) = context.wall_seconds {
        blocks.push(Block::Paragraph(format!("The whole comparison took {:.0} s of wall-clock time.", seconds)));
    }

    let md_path = out.join("report.md");
    write_atomic(&md_path, markdown(&blocks).as_bytes()).map_err(|e| ReportError::io(&md_path, e))?;
    let html_path = out.join("report.html");
    let page = html(&format!("Comparison: {}", context.name), &blocks, out)?;
    write_atomic(&html_path, page.as_bytes()).map_err(|e| ReportError::io(&html_path, e))?;
    let mut files = vec![md_path, html_path];
    files.extend(plots.iter().map(|p| out.join(p.png())));
    Ok(files)
}

/// The results table's sentence on how its BLEU and chrF were computed (empty for runs that did
/// not record it).
fn metric_signatures(groups: &[ArchRuns]) -> String {
    let (bleu, chrf) =
        (runs::signatures(groups, |t| &t.bleu_signature), runs::signatures(groups, |t| &t.chrf_signature));
    if bleu.is_empty() && chrf.is_empty() {
        return String::new();
    }
    format!(
        " BLEU ({bleu}) and chrF ({chrf}) as sacreBLEU computes them: a score is comparable only with one of the \
         same signature."
    )
}

/// The main comparison: how it was made, the results table and the demo sentence.
fn results(groups: &[ArchRuns], context: &Context) -> Vec<Block> {
    let seeds = groups.iter().map(|g| g.runs.len()).min().unwrap_or(0);
    let first = &groups[0].runs[0];
    let mut blocks = Vec::new();
    let mut archs: Vec<&str> = groups.iter().map(|g| g.runs[0].config.arch.as_str()).collect();
    archs.sort_unstable();
    archs.dedup();
    let variants: Vec<String> =
        groups.iter().filter(|g| g.arch != g.runs[0].config.arch).map(|g| format!("`{}`", g.arch)).collect();
    let variants = match variants.len() {
        0 => String::new(),
        1 => format!(" and a variant of one ({})", variants[0]),
        n => format!(" and {n} variants ({})", variants.join(", ")),
    };
    let mut intro = format!(
        "{} architectures{variants} trained on the `{}` task with the same data, split and tokenizer; {} seed{} per architecture (the first seed is {}).",
        archs.len(),
        first.config.data.task,
        seeds,
        if seeds == 1 { "" } else { "s" },
        first.config.seed
    );
    if seeds > 1 {
        intro
            .push_str(" Tables show the mean ± half the spread (highest − lowest) over seeds; plots shade the spread.");
    } else {
        intro.push_str(" With one seed there is no spread to compare differences against: run `--seeds 3` for that.");
    }
    blocks.push(Block::Paragraph(intro));
    if !context.settings.is_empty() {
        blocks.push(Block::List(context.settings.clone()));
    }

    blocks.push(Block::Heading(2, "Results".into()));
    let header = [
        "architecture",
        "exact match %",
        "ceiling %",
        "BLEU",
        "chrF",
        "perplexity",
        "exact <15 words %",
        "exact 20+ words %",
        "alignment %",
        "parameters",
        "train seconds",
        "tokens/s",
        "peak MiB",
    ];
    let rows = groups
        .iter()
        .map(|g| {
            vec![
                format!("`{}`", g.arch),
                cell(g.stat(|r| Some(r.test.overall.exact_match)), 1),
                cell(g.stat(ceiling::formulation_ceiling), 1),
                cell(g.stat(|r| Some(r.test.overall.bleu)), 1),
                cell(g.stat(|r| Some(r.test.overall.chrf)), 1),
                cell(g.stat(|r| Some(r.test.overall.perplexity)), 2),
                cell(g.stat(|r| Some(r.test.exact_match_under_15)), 1),
                cell(g.stat(|r| r.exact_from(20)), 1),
                cell(g.stat(|r| r.test.alignment_accuracy), 1),
                cell(g.stat(|r| Some(r.test.parameters as f64)), 0),
                cell(g.stat(|r| Some(r.test.train_seconds)), 0),
                cell(g.stat(|r| (r.test.train_tokens_per_second > 0.0).then_some(r.test.train_tokens_per_second)), 0),
                cell(g.stat(|r| r.test.peak_memory_mib), 0),
            ]
        })
        .collect();
    blocks.push(Block::Table { header: header.iter().map(|h| h.to_string()).collect(), rows });
    blocks.push(Block::Paragraph(format!(
        "Exact match, BLEU and chrF are on the test split (greedy decoding, best checkpoint by validation loss). \
         Ceiling: for the position-wise models, the share of test sentences their layout lets them translate at \
         all — every target word's gold-aligned source words in view of its slot (left-to-right: words up to the \
         slot, and k words past it when it reads k words late; the ANN: its window; the conv: its receptive field; the BiRNN: all) and no more words than slots; an exact match near its ceiling \
         is the layout's limit, not the network's (a little above it, the model guessed a word it could not see: \
         one sentence of the test split is worth a few tenths of a point). \
         Alignment: how often the strongest attention weight of a correctly generated word falls inside its gold \
         source span. Seconds and tokens/s are training only; peak MiB is the training process's resident memory.{}",
        metric_signatures(groups)
    )));

    if let Some(demo) = first.test.demo.as_ref() {
        blocks.push(Block::Heading(2, "The demo sentence".into()));
        blocks.push(Block::Paragraph(format!("`{}` → reference `{}`", demo.source, demo.reference)));
        let rows = groups
            .iter()
            .map(|g| {
                let d = g.runs[0].test.demo.as_ref();
                vec![
                    format!("`{}`", g.arch),
                    d.map(|d| format!("`{}`", d.hypothesis)).unwrap_or_default(),
                    d.map(|d| if d.correct { "yes" } else { "no" }.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        blocks.push(Block::Table { header: vec!["architecture".into(), "translation".into(), "exact".into()], rows });
    }

    blocks
}

/// Loads the run directories `dirs`, in order; a run without its `test.json` (or with a bad
/// one) is an error that names it.
pub fn load_runs(dirs: &[PathBuf]) -> Result<Vec<Run>, ReportError> {
    dirs.iter().map(|d| Run::load(d)).collect()
}
