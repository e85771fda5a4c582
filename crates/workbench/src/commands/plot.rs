//! `workbench plot`: a report's plots and text redrawn from run directories, without training.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::compare;

#[derive(Args)]
pub struct PlotArgs {
    /// Run directories, or comparison directories (their runs/).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where the report goes [default: the one comparison directory given].
    #[arg(long)]
    out: Option<PathBuf>,
    /// The report's name [default: the output directory's name].
    #[arg(long)]
    name: Option<String>,
}

pub fn run(args: PlotArgs) -> Result<()> {
    let PlotArgs { dirs, out, name } = args;
    let runs = compare::run_dirs(&dirs)?;
    let out = match (out, dirs.as_slice()) {
        (Some(out), _) => out,
        (None, [one]) if one.join("runs").is_dir() => one.clone(),
        (None, _) => bail!("--out: where should the report of several directories go?"),
    };
    // A comparison's own directory keeps how it was made: redraw it whole.
    let record = match dirs.as_slice() {
        [one] if *one == out => compare::ComparisonRecord::load(&out)?.unwrap_or_default(),
        _ => compare::ComparisonRecord::default(),
    };
    let name = name
        .or((!record.name.is_empty()).then_some(record.name))
        .unwrap_or_else(|| out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    compare::write_report(&out, &name, &runs, record.settings, record.wall_seconds)?;
    println!("report: {}", out.join("report.md").display());
    Ok(())
}
