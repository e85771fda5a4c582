//! `workbench list`: the architectures and the tasks.

use anyhow::Result;
use seq2seq_data::Task;

use crate::registry;

pub fn run() -> Result<()> {
    println!("architectures:");
    for arch in registry::architectures() {
        println!("  {:<12} {}", arch.name, arch.summary);
    }
    println!("tasks:");
    for (_, name, summary) in &Task::BUILT_IN {
        println!("  {name:<12} {summary}");
    }
    let (name, summary) = Task::TSV;
    println!("  {name:<12} {summary}");
    Ok(())
}
