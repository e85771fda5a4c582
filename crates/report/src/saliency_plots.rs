//! Gradient saliency against distance: how strongly a decisive item's margin still depends on
//! its controller's embedding, N words back. One figure per long-range probe (before and after
//! training), and one that sets the four mechanisms side by side.

use std::path::Path;

use seq2seq_plot::{LineChart, Series, line_chart};

use crate::ReportError;
use crate::plots::{Plot, csv};
use crate::probe_plots::{ProbeFigure, colour, figures, label};
use crate::runs::ProbeRuns;

const Y_LABEL: &str = "log10 ‖∂ margin / ∂ controller embedding‖";
const CSV_HEADER: [&str; 5] = ["arch", "state", "distance", "mean_gradient_norm", "items"];

/// The gradient saliency of the controllers against distance (log scale), for the models that
/// record it: how much a decisive item's margin still depends on its controller's embedding,
/// before training (dashed) and trained (solid).
pub fn write_saliency_plots(dir: &Path, probes: &[ProbeRuns]) -> Result<Vec<Plot>, ReportError> {
    let mut plots = Vec::new();
    for figure in figures() {
        let Some(stem) = figure.saliency else { continue };
        let models: Vec<&ProbeRuns> =
            figure.models(probes).into_iter().filter(|p| p.runs.iter().any(|r| r.saliency.is_some())).collect();
        if models.is_empty() {
            continue;
        }
        let labels: Vec<String> = figure.buckets.iter().map(label).collect();
        let (mut series, mut rows) = (Vec::new(), Vec::new());
        for (k, model) in models.iter().enumerate() {
            let colour = figure.colour(k, model);
            for (state, dashed) in [("trained", false), ("untrained", true)] {
                let name = format!("{} {state}", model.arch);
                series.push(saliency_line(model, name, colour, dashed, &figure, &labels, &mut rows));
            }
        }
        let mixed = if figure.task == "latch" { " (lags 5-100 mixed in one run)" } else { "" };
        let name = stem.trim_start_matches("saliency-");
        let title = format!("{name} probe{mixed}: gradient of the decisive margin at its controller");
        // Each bucket with the items its mean rests on (the first model's, trained, all seeds).
        let ticks: Vec<String> = figure
            .buckets
            .iter()
            .zip(&labels)
            .map(|(bucket, label)| format!("{label} ({})", models[0].gradient_norms(true, bucket).len()))
            .collect();
        let x_label = format!("{} (items, all seeds)", figure.x_label);
        draw(dir, stem, &title, &x_label, &series, &ticks, &rows)?;
        let caption = format!(
            "{title}: mean over items and seeds, log scale; dashed: the same seed's weights before training, solid: \
             trained; a line ends where the gradient is exactly zero (a log scale has no zero)"
        );
        plots.push(Plot { stem: stem.into(), caption });
    }
    Ok(plots)
}

/// The four ways of carrying a word across a distance, trained, on the verb of `agreement`:
/// `(model, mechanism)`.
const MECHANISMS: [(&str, &str); 4] = [
    ("rnn", "recurrence (Elman RNN)"),
    ("lstm", "gated memory (LSTM)"),
    ("conv R=21", "convolution (R = 21)"),
    ("transformer d=64", "attention (Transformer)"),
];

/// One figure, four mechanisms: the Elman RNN's gradient decays with distance (Bengio et al.
/// 1994), the LSTM's cell keeps it, a convolution's stops dead at its receptive field (the line
/// ends: beyond it the gradient is exactly zero), attention's does not depend on distance.
pub fn write_mechanisms_plot(dir: &Path, probes: &[ProbeRuns]) -> Result<Option<Plot>, ReportError> {
    let figure = figures().into_iter().find(|f| f.saliency == Some("saliency-agreement")).expect("the verb figure");
    let labels: Vec<String> = figure.buckets.iter().map(label).collect();
    let (mut series, mut rows) = (Vec::new(), Vec::new());
    for (model, mechanism) in MECHANISMS {
        let found = probes.iter().find(|p| p.task == figure.task && p.arch == model);
        let Some(runs) = found.filter(|p| p.runs.iter().any(|r| r.saliency.is_some())) else { continue };
        // Each model in its architecture's colour; the conv, outside the evolution's eight, cyan.
        let colour = colour(&runs.config.arch);
        let name = format!("{mechanism}: {model}");
        series.push(saliency_line(runs, name, colour, false, &figure, &labels, &mut rows));
    }
    if series.len() < 2 {
        return Ok(None);
    }
    let stem = "saliency-mechanisms";
    let title = "four mechanisms: how a verb's margin depends on its subject N words back (trained)";
    draw(dir, stem, title, figure.x_label, &series, &labels, &rows)?;
    let caption = format!(
        "{title}: the gradient of the verb's margin at the subject noun's embedding, mean over items and seeds, log \
         scale. Recurrence decays with distance, gated memory holds it, a convolution sees nothing beyond its \
         receptive field (the line ends where the gradient is exactly zero), attention reaches every word alike"
    );
    Ok(Some(Plot { stem: stem.into(), caption }))
}

/// `model`'s mean saliency per bucket of `figure`, trained (solid) or before training (dashed),
/// on a log scale; buckets without items or with a zero gradient are left out. Adds a CSV row per
/// point.
fn saliency_line(
    model: &ProbeRuns,
    name: String,
    colour: usize,
    untrained: bool,
    figure: &ProbeFigure,
    labels: &[String],
    rows: &mut Vec<Vec<String>>,
) -> Series {
    let state = if untrained { "untrained" } else { "trained" };
    let mut line = Series { name, colour, dashed: untrained, ..Series::default() };
    for (k, bucket) in figure.buckets.iter().enumerate() {
        let norms = model.gradient_norms(!untrained, bucket);
        let mean = norms.iter().sum::<f64>() / norms.len().max(1) as f64;
        if norms.is_empty() || mean <= 0.0 {
            continue;
        }
        line.points.push((k as f64, mean.log10()));
        rows.push(vec![
            model.arch.clone(),
            state.into(),
            labels[k].clone(),
            format!("{mean:.6e}"),
            norms.len().to_string(),
        ]);
    }
    line
}

/// Writes `stem`.png, .svg and .csv.
fn draw(
    dir: &Path,
    stem: &str,
    title: &str,
    x_label: &str,
    series: &[Series],
    labels: &[String],
    rows: &[Vec<String>],
) -> Result<(), ReportError> {
    let chart =
        LineChart { title, x_label, y_label: Y_LABEL, series, x_labels: Some(labels), y_range: None, log_y: false };
    for ext in ["png", "svg"] {
        line_chart(&dir.join(format!("{stem}.{ext}")), &chart)?;
    }
    csv(&dir.join(format!("{stem}.csv")), &CSV_HEADER, rows)
}

#[cfg(test)]
mod tests {
    use seq2seq_train::saliency::{Salience, Saliency};

    use super::*;
    use crate::runs::ProbeRun;

    /// Runs of `arch` on `agreement` whose trained saliency at distance N is `gradient(N)`.
    fn runs(arch: &str, gradient: fn(i64) -> f64) -> ProbeRuns {
        let trained = (1..=40).map(|distance| Salience { distance, gradient_norm: gradient(distance) }).collect();
        let run = ProbeRun {
            seed: 42,
            parameters: 1,
            budget: Default::default(),
            scores: vec![],
            saliency: Some(Saliency { untrained: vec![], trained }),
        };
        let config = seq2seq_train::RunConfig { arch: arch.into(), ..Default::default() };
        ProbeRuns { task: "agreement".into(), arch: arch.into(), config, runs: vec![run] }
    }

    #[test]
    fn the_mechanisms_figure_ends_the_convolution_where_its_gradient_is_zero() {
        let dir = std::env::temp_dir().join(format!("s2s-mechanisms-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let probes = [
            runs("rnn", |n| 0.5f64.powi(n as i32)),
            runs("conv R=21", |n| if n <= 20 { 1.0 } else { 0.0 }),
            runs("ann", |_| 1.0),
        ];
        let plot = write_mechanisms_plot(&dir, &probes).unwrap().expect("two mechanisms drawn");
        let csv = std::fs::read_to_string(dir.join(format!("{}.csv", plot.stem))).unwrap();
        let buckets = |arch: &str| csv.lines().filter(|l| l.starts_with(&format!("{arch},"))).count();
        assert_eq!(buckets("rnn"), 8, "{csv}");
        assert_eq!(buckets("conv R=21"), 6, "the last bucket within R = 21 is 16-20: {csv}");
        assert_eq!(buckets("ann"), 0, "not one of the four mechanisms");
        assert!(dir.join("saliency-mechanisms.png").exists());
        // One mechanism alone is no comparison.
        assert!(write_mechanisms_plot(&dir, &probes[2..]).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
