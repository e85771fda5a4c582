//! The real English–Finnish sample beside the project (`../shared/corpora/`), for tests.

use std::path::PathBuf;

/// The Tatoeba sample's path. Where it is missing, a test that needs it is skipped with a note —
/// except under CI (`CI` set, as CI services and `.ci/run`'s callers set it), where the sample
/// always lies beside the checkout and its absence is a failure, not a silent pass.
pub fn tatoeba() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/tatoeba-fin-eng-6k.tsv");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI provides ../shared/corpora beside the checkout, and the tests of the `tsv:` \
         path and the subword tokenizers need it",
        path.display()
    );
    eprintln!("skipped: {} not found (outside CI)", path.display());
    None
}
