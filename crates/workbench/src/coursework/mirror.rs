//! The grader's build folder. Every submission is built in the same folder, which is made to
//! hold exactly the files of the submission's assembled kit while writing only the files that
//! differ from what it held: cargo rebuilds a workspace crate when one of its sources is newer
//! than its last build, so a file left alone keeps its crate's artifacts, and a submission
//! recompiles only the crates whose regions differ from the submission built before it (and the
//! crates above them). Cargo files a workspace crate's build under the crate's path inside its
//! workspace, so another copy of the workspace built into the same target directory (a kit's
//! `exercise check`, a second grader, a copied directory) would pass for this folder's last
//! build: a grading run takes the folder for itself ([`claim`]), and its first build compiles
//! every crate from the folder's own files.

use std::fs::{File, TryLockError};
use std::path::Path;

use anyhow::{Context, Result, bail};
use seq2seq_data::fsutil::write_atomic;

use crate::coursework::kit::collect;

/// Takes the build folder `dir` for this grading run: a lock beside it that a second run on the
/// same folder is refused by (held until the returned file is dropped), and every file in it
/// stamped with the current time, so that the run's first build trusts no earlier one.
pub fn claim(dir: &Path) -> Result<File> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.with_extension("lock");
    let lock = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => bail!(
            "{}: another grading run is building in {}: wait for it, or grade with another --target-dir",
            path.display(),
            dir.display()
        ),
        Err(TryLockError::Error(e)) => return Err(e).with_context(|| format!("locking {}", path.display())),
    }
    let mut files = Vec::new();
    collect(dir, dir, &[], &mut files)?;
    let now = std::time::SystemTime::now();
    for relative in files {
        let path = dir.join(relative);
        // Setting the times needs ownership, not write access.
        let file = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        file.set_modified(now).with_context(|| format!("stamping {}", path.display()))?;
    }
    Ok(lock)
}

/// Makes `to` hold the files of `from`, and no others: a file whose bytes differ (or that `to`
/// lacks) is written, one `from` lacks is removed, an equal one is not touched. Returns how
/// many files were written or removed.
pub fn mirror(from: &Path, to: &Path) -> Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let (mut wanted, mut held) = (Vec::new(), Vec::new());
    collect(from, from, &[], &mut wanted)?;
    collect(to, to, &[], &mut held)?;
    let mut changed = 0;
    for stale in held.iter().filter(|f| !wanted.contains(f)) {
        let path = to.join(stale);
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        changed += 1;
    }
    for relative in &wanted {
        let (source, target) = (from.join(relative), to.join(relative));
        let bytes = std::fs::read(&source).with_context(|| format!("reading {}", source.display()))?;
        if std::fs::read(&target).is_ok_and(|there| there == bytes) {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        write_atomic(&target, &bytes).with_context(|| format!("writing {}", target.display()))?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn only_what_differs_is_written_and_what_is_gone_is_removed() {
        let scratch = std::env::temp_dir().join(format!("s2s-mirror-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let (from, to) = (scratch.join("from"), scratch.join("to"));
        std::fs::create_dir_all(from.join("crates/a/src")).unwrap();
        std::fs::write(from.join("Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::write(from.join("crates/a/src/lib.rs"), "fn a() {}\n").unwrap();
        assert_eq!(mirror(&from, &to).unwrap(), 2);
        assert_eq!(std::fs::read_to_string(to.join("crates/a/src/lib.rs")).unwrap(), "fn a() {}\n");

        // Mark what is there as built long ago, then change one file and drop another.
        let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        for file in ["Cargo.toml", "crates/a/src/lib.rs"] {
            std::fs::File::open(to.join(file)).unwrap().set_modified(long_ago).unwrap();
        }
        std::fs::write(from.join("crates/a/src/lib.rs"), "fn a() { todo!() }\n").unwrap();
        std::fs::write(to.join("crates/a/src/left.rs"), "fn left() {}\n").unwrap();
        assert_eq!(mirror(&from, &to).unwrap(), 2);
        let modified = |file: &str| std::fs::metadata(to.join(file)).unwrap().modified().unwrap();
        assert_eq!(modified("Cargo.toml"), long_ago, "an equal file keeps its time");
        assert!(modified("crates/a/src/lib.rs") > long_ago);
        assert_eq!(std::fs::read_to_string(to.join("crates/a/src/lib.rs")).unwrap(), "fn a() { todo!() }\n");
        assert!(!to.join("crates/a/src/left.rs").exists());
        assert_eq!(mirror(&from, &to).unwrap(), 0, "nothing left to write");

        // A run claims the folder: everything stamped now, and a second claim refused.
        std::fs::File::open(to.join("Cargo.toml")).unwrap().set_modified(long_ago).unwrap();
        let held = claim(&to).unwrap();
        assert!(modified("Cargo.toml") > long_ago);
        let refused = claim(&to).unwrap_err().to_string();
        assert!(refused.contains("another grading run"), "{refused}");
        drop(held);
        claim(&to).unwrap();
        std::fs::remove_dir_all(&scratch).unwrap();
    }
}
