//! Every relative link and image path in the README, CONTRIBUTING, the book (`docs/src/`) and the
//! exercise sheets resolves to a file or folder of the repository: a renamed figure or moved
//! chapter fails here, not in front of a class. Links with a scheme (`https:`) and anchors within
//! a page are not followed.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace")
}

/// The Markdown files that are checked, from the repository root.
fn pages(root: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = ["README.md", "CONTRIBUTING.md"].iter().map(|p| root.join(p)).collect();
    for folder in ["docs/src", "exercises"] {
        collect_markdown(&root.join(folder), &mut pages);
    }
    pages
}

fn collect_markdown(dir: &Path, into: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_markdown(&path, into);
        } else if path.extension().is_some_and(|e| e == "md") {
            into.push(path);
        }
    }
}

/// The link and image targets of `markdown` that name a path (no scheme, not a bare anchor),
/// without their `#anchor`.
fn local_targets(markdown: &str) -> Vec<String> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .filter(|url| !url.is_empty() && !url.starts_with('#') && !url.contains("://") && !url.starts_with("mailto:"))
        .map(|url| url.split('#').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_link_reader_finds_paths_and_leaves_out_the_web_and_anchors() {
    let text = "[a](docs/a.md#part) ![f](../plots/x.png) [web](https://example.org/x.md) [here](#top) <b>[c](c.md)</b>";
    assert_eq!(local_targets(text), ["docs/a.md", "../plots/x.png", "c.md"]);
}

#[test]
fn every_relative_link_and_figure_in_the_docs_resolves() {
    let root = root();
    let pages = pages(&root);
    assert!(pages.len() > 20, "the book's chapters are found: {}", pages.len());
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for target in local_targets(&text) {
            checked += 1;
            let resolved = page.parent().unwrap().join(&target);
            if !resolved.exists() {
                broken.push(format!("{}: {target}", page.strip_prefix(&root).unwrap().display()));
            }
        }
    }
    assert!(checked > 100, "links found: {checked}");
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
}
