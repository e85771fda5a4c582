//! A comparison's report: the runs loaded and grouped, the demo sentence's attention heatmaps
//! and the positional encoding drawn, how the comparison was made (`comparison.json`), and
//! `seq2seq_report` writing the text, tables and plots.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use seq2seq_data::fsutil::write_atomic;
use seq2seq_model::decode::Search;
use seq2seq_report::explorer::{ATTENTION_SENTENCES, AttentionMap, ModelAttention};
use seq2seq_report::{Figure, group, split_probes};
use seq2seq_train::{Translator, run_dir};
use serde::{Deserialize, Serialize};

use crate::{figures, registry};

/// How a comparison was made (its settings and wall time), kept beside its report as
/// `comparison.json` so that `workbench plot` redraws the report whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRecord {
    pub name: String,
    pub settings: Vec<String>,
    pub wall_seconds: Option<f64>,
}

impl ComparisonRecord {
    pub const FILE: &str = "comparison.json";

    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(Self::FILE);
        let json = serde_json::to_vec_pretty(self).expect("settings serialise");
        write_atomic(&path, &json).with_context(|| format!("writing {}", path.display()))
    }

    /// What `dir`'s comparison recorded, if it did.
    pub fn load(dir: &Path) -> Result<Option<ComparisonRecord>> {
        let path = dir.join(Self::FILE);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let record =
            serde_json::from_slice(&text).with_context(|| format!("{}: not a comparison record", path.display()))?;
        Ok(Some(record))
    }
}

/// Loads `dirs`, draws the attention heatmaps of the demo sentence and the positional encoding
/// where the runs allow, and writes the report into `out`.
pub fn write_report(
    out: &Path,
    name: &str,
    dirs: &[PathBuf],
    mut settings: Vec<String>,
    wall: Option<f64>,
) -> Result<()> {
    let mut runs = seq2seq_report::load_runs(dirs)?;
    // Every default filled in, so that a run from before a setting existed reads as its default
    // and runs that differ in a setting are told apart (`lstm (delay = 4)`), never merged as seeds.
    for run in &mut runs {
        if let Ok(model) = registry::find(&run.config.arch).and_then(|a| Ok(a.resolved_model(&run.config)?)) {
            run.config.model = model;
        }
    }
    let (runs, mut probes) = split_probes(runs);
    let mut groups = group(runs);
    // Report order: the registry's (the evolution), whatever order the directories came in.
    let order: Vec<&str> = registry::architectures().iter().map(|a| a.name).collect();
    let rank = |arch: &str| order.iter().position(|name| *name == arch).unwrap_or(usize::MAX);
    // A variant (`lstm (delay = 3)`) follows its architecture.
    // An architecture's labelled variants after it.
    groups.sort_by_key(|g| (rank(&g.runs[0].config.arch), g.runs[0].config.label.is_some()));
    probes.sort_by_key(|p| (p.task.clone(), rank(&p.config.arch)));
    if let Some(first) = groups.first().and_then(|g| g.runs.first()) {
        let d = &first.config.data;
        settings.insert(
            0,
            format!(
                "data: `{}`, {} training / {} validation / {} test pairs, {}–{} source words, `{}` tokens, batches of {}",
                d.task, d.train_size, d.valid_size, d.test_size, d.min_len, d.max_len, d.tokenizer, d.batch_size
            ),
        );
        let t = &first.config.training;
        settings.insert(
            1,
            format!(
                "training: at most {} epochs, learning rate {} ({} schedule), early stopping after {} epochs without a better validation loss",
                t.epochs,
                t.learning_rate,
                format!("{:?}", t.lr_schedule).to_lowercase(),
                t.patience
            ),
        );
    }
    let plots = out.join("plots");
    std::fs::create_dir_all(&plots).with_context(|| format!("creating {}", plots.display()))?;
    let (mut figures, mut attention) = (Vec::new(), Vec::new());
    for g in &groups {
        let run = &g.runs[0];
        let stem = g.file_stem();
        let translator = registry::find(&run.config.arch).and_then(|a| Ok(a.open(&run.dir, None)?));
        match translator
            .as_ref()
            .map_err(|e| anyhow!("{e:#}"))
            .and_then(|t| attention_figures(t.as_ref(), &plots, &stem))
        {
            Ok(mut drawn) => figures.append(&mut drawn),
            // Without the checkpoint (a committed report keeps none), keep the heatmap drawn before.
            Err(_) if plots.join(format!("attention-{stem}.png")).exists() => {
                figures.extend(earlier_attention_figures(&plots, &stem))
            }
            Err(e) => settings.push(format!("no attention heatmap for `{}`: {e:#}", g.arch)),
        }
        // No checkpoint, no attention in the explorer: the heatmap's note above says why.
        if let Ok(Some(maps)) = translator.and_then(|t| test_attention(t.as_ref(), &run.dir)) {
            attention.push(ModelAttention { arch: g.arch.clone(), maps });
        }
        if let Some(d_model) = run.config.model.get("d_model").and_then(|v| v.as_integer()) {
            figures.extend(figures::positional_encoding(&plots, d_model as usize)?);
        }
    }
    let parallel = crate::bench::parallel_timing::load(out)?;
    let context =
        seq2seq_report::Context { name: name.into(), settings, figures, wall_seconds: wall, parallel, attention };
    seq2seq_report::write(out, &groups, &probes, &context)?;
    Ok(())
}

/// The demo sentence's attention heatmap (and per-head grids), for models that attend, drawn
/// into `plots/attention-{stem}*.png`.
fn attention_figures(translator: &dyn Translator, plots: &Path, stem: &str) -> Result<Vec<Figure>> {
    let task = translator.config().data.task()?;
    let Some((source, _)) = task.demo() else { return Ok(vec![]) };
    let search = Search::greedy(translator.config().training.max_output_len);
    let translation = translator.translate(&[source.to_string()], &search)?.remove(0);
    let path = plots.join(format!("attention-{stem}.png"));
    let mut drawn = figures::draw_attention(&path, translator, source, &translation, true)?;
    if let Some(question) = task.demo_question().filter(|_| !drawn.is_empty()) {
        let translation = translator.translate(&[question.to_string()], &search)?.remove(0);
        let path = plots.join(format!("attention-{stem}-question.png"));
        drawn.extend(figures::draw_attention(&path, translator, question, &translation, false)?);
    }
    Ok(drawn
        .into_iter()
        .map(|(file, caption)| {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Figure { path: format!("plots/{name}"), caption }
        })
        .collect())
}

/// The attention of `translator`, the run in `dir`, on its first test sentences (greedy, as its
/// test was decoded), for the report's explorer; `None` when the model does not attend.
fn test_attention(translator: &dyn Translator, dir: &Path) -> Result<Option<Vec<AttentionMap>>> {
    let path = dir.join("test.src.txt");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let sentences: Vec<String> = text.lines().take(ATTENTION_SENTENCES).map(String::from).collect();
    let search = Search::greedy(translator.config().training.max_output_len);
    let mut maps = Vec::new();
    for translation in translator.translate(&sentences, &search)? {
        let Some(weights) = translation.attention else { return Ok(None) };
        let output = figures::output_rows(&translation.tokens, weights.len());
        maps.push(AttentionMap { source: translation.source_tokens, output, weights });
    }
    Ok(Some(maps))
}

/// Heatmaps drawn by an earlier run of the report, for runs whose checkpoint is gone.
fn earlier_attention_figures(plots: &Path, arch: &str) -> Vec<Figure> {
    let mut figures = vec![Figure {
        path: format!("plots/attention-{arch}.png"),
        caption: format!("`{arch}`: attention on the demo sentence"),
    }];
    if plots.join(format!("attention-{arch}-question.png")).exists() {
        figures.push(Figure {
            path: format!("plots/attention-{arch}-question.png"),
            caption: format!("`{arch}`: attention on the demo question"),
        });
    }
    for (kind, suffix) in figures::GRIDS {
        let name = format!("attention-{arch}-{suffix}.png");
        if plots.join(&name).exists() {
            figures.push(Figure {
                path: format!("plots/{name}"),
                caption: format!("`{arch}`: {} per layer and head", kind.name()),
            });
        }
    }
    figures
}

/// The run directories under each of `dirs`: a run directory itself, or a comparison's `runs/`.
pub fn run_dirs(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for dir in dirs {
        if run_dir::has_results(dir) {
            found.push(dir.clone());
            continue;
        }
        let runs = dir.join("runs");
        let entries = std::fs::read_dir(&runs).with_context(|| {
            format!("{}: neither a run directory (no test.json) nor a comparison (no runs/)", dir.display())
        })?;
        let mut inside: Vec<PathBuf> =
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| run_dir::has_results(p)).collect();
        inside.sort();
        found.extend(inside);
    }
    if found.is_empty() {
        bail!(
            "no finished runs (directories with test.json) in {}",
            dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(found)
}
