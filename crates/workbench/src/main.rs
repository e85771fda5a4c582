//! `workbench`: train, translate with and evaluate the sequence models of seq2seq-workbench.
//! Each subcommand is a file of `commands/`; this file parses the command line and dispatches.

mod bench;
mod commands;
mod compare;
mod coursework;
mod figures;
mod interrupt;
mod memory;
mod registry;
#[cfg(test)]
mod tests;

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static HEAP: memory::CountingAllocator = memory::CountingAllocator::new();

#[derive(Parser)]
#[command(name = "workbench", version, about = "Train the lineage of sequence models on one translation task")]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    memory::keep_freed_pages();
    interrupt::install();
    match cli.command.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            // 130: the shell's code for a command ended by Ctrl-C.
            ExitCode::from(if interrupt::requested() { 130 } else { 2 })
        }
    }
}

/// The error and its causes, each once: a library error that already quotes its cause (`path:
/// No such file`) is not followed by the cause again.
fn message(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1).map(|cause| cause.to_string()) {
        if !text.ends_with(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    text
}
