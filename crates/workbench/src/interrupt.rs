//! Ctrl-C (SIGINT, and SIGTERM): the first one asks the running training to stop after its
//! current batch (it keeps its last finished epoch, which `--resume` continues); a second one
//! ends the process at once, as a user pressing Ctrl-C twice expects.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler (once, at start-up).
pub fn install() {
    let handler = || {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: stopping after the current batch (Ctrl-C again to stop at once)");
    };
    if let Err(e) = ctrlc::set_handler(handler) {
        eprintln!("warning: Ctrl-C will stop at once, not after the current batch: {e}");
    }
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
