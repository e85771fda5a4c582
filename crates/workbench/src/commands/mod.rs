//! The subcommands of `workbench`, one file each with its own arguments; `main.rs` parses the
//! command line and hands the chosen one to [`Command::run`].

mod bench;
mod compare;
mod eval;
mod exercise;
mod list;
mod plot;
mod search;
mod train;
mod trained_run;
mod translate;

use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Command {
    /// List the architectures and tasks.
    List,
    /// Train every architecture of a comparison on the same data, then write its report
    /// (report.md, report.html, plots/ with CSV). Finished runs are kept: rerun to resume.
    Compare(compare::CompareArgs),
    /// Redraw a report's plots and text from run directories, without training.
    Plot(plot::PlotArgs),
    /// Train an architecture on a task.
    Train(train::TrainArgs),
    /// Translate sentences with a trained run (greedy decoding or beam search).
    Translate(translate::TranslateArgs),
    /// Training and generation throughput per architecture on synthetic batches at the default
    /// model sizes (median of timed steps), optionally beside PyTorch twins of the same models.
    Bench(bench::BenchArgs),
    /// Coursework: list the exercises, make a student kit, check or grade solutions.
    Exercise {
        #[command(subcommand)]
        action: exercise::ExerciseCommand,
    },
    /// Evaluate a trained run on a task's test split or on a TSV file.
    Eval(eval::EvalArgs),
}

impl Command {
    pub fn run(self) -> Result<()> {
        match self {
            Command::List => list::run(),
            Command::Compare(args) => compare::run(args),
            Command::Plot(args) => plot::run(args),
            Command::Train(args) => train::run(args),
            Command::Translate(args) => translate::run(args),
            Command::Bench(args) => bench::run(args),
            Command::Exercise { action } => exercise::run(action),
            Command::Eval(args) => eval::run(args),
        }
    }
}
