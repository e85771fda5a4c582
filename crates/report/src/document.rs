//! A report as a list of blocks, rendered twice: Markdown (for a code forge, images linked) and
//! a self-contained HTML page (images inlined as data URIs).

use std::path::Path;

use base64::Engine;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::ReportError;

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading(usize, String),
    /// Inline Markdown (`code`, **bold**, *emphasis*, links), rendered by pulldown-cmark for HTML.
    Paragraph(String),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A PNG under the report's directory (relative path) with its caption.
    Image {
        path: String,
        caption: String,
    },
    List(Vec<String>),
    /// A piece of page for `report.html` only (the explorer), and what `report.md` says instead.
    Html {
        html: String,
        markdown: String,
    },
}

pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => out.push_str(&format!("{} {text}\n\n", "#".repeat(*level))),
            Block::Paragraph(text) => out.push_str(&format!("{text}\n\n")),
            Block::Table { header, rows } => {
                let cells = |row: &[String]| {
                    format!("| {} |\n", row.iter().map(|c| c.replace('|', "\\|")).collect::<Vec<_>>().join(" | "))
                };
                out.push_str(&cells(header));
                let rule: String = (0..header.len())
                    .map(|column| {
                        if column > 0 && rows.iter().all(|row| row.get(column).is_none_or(|cell| numeric(cell))) {
                            "---:|"
                        } else {
                            "---|"
                        }
                    })
                    .collect();
                out.push_str(&format!("|{rule}\n"));
                for row in rows {
                    out.push_str(&cells(row));
                }
                out.push('\n');
            }
            Block::Image { path, caption } => out.push_str(&format!("![{caption}]({path})\n\n*{caption}*\n\n")),
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {item}\n"));
                }
                out.push('\n');
            }
            Block::Html { markdown, .. } => out.push_str(&format!("{markdown}\n\n")),
        }
    }
    out
}

/// A cell of figures (`44.5`, `116,468`, `+51.0 [+48.3, +55.4]`, `–`), right-aligned in its
/// column; words and sentences stay left-aligned.
fn numeric(cell: &str) -> bool {
    let cell = cell.trim().trim_start_matches(['+', '-', '−']);
    cell.is_empty() || cell == "—" || cell == "–" || cell.starts_with(|c: char| c.is_ascii_digit())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:DejaVu Sans,Verdana,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}\
.table{overflow-x:auto;margin:1em 0}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px 8px;\
text-align:left;vertical-align:top}th{background:#eef}img{max-width:100%;border:1px solid #ddd}\
p>em:only-child{color:#555}code{background:#f4f4f4;padding:0 3px}";

/// The HTML page: the Markdown of `blocks` rendered by pulldown-cmark (CommonMark with tables),
/// each image read from under `base` and inlined, each table in a box that scrolls sideways
/// when it is wider than the page. Raw HTML in the Markdown is shown as text: `<eos>` is a token
/// here, not a tag.
pub fn html(title: &str, blocks: &[Block], base: &Path) -> Result<String, ReportError> {
    let mut body = String::new();
    for run in blocks.chunk_by(|a, b| !matches!(a, Block::Html { .. }) && !matches!(b, Block::Html { .. })) {
        match run {
            [Block::Html { html, .. }] => body.push_str(html),
            blocks => body.push_str(&markdown_html(blocks, base)?),
        }
    }
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        escape(title)
    ))
}

/// The HTML of `blocks`, none of which is [`Block::Html`].
fn markdown_html(blocks: &[Block], base: &Path) -> Result<String, ReportError> {
    let source = markdown(blocks);
    let mut events = Vec::new();
    for event in Parser::new_ext(&source, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let file = base.join(&*dest_url);
                let bytes = std::fs::read(&file).map_err(|e| ReportError::io(&file, e))?;
                let data = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes));
                events.push(Event::Start(Tag::Image { link_type, dest_url: data.into(), title, id }));
            }
            Event::Start(Tag::Table(_)) => {
                events.push(Event::Html("<div class=\"table\">".into()));
                events.push(event);
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                events.push(Event::Html("</div>".into()));
            }
            Event::Html(text) | Event::InlineHtml(text) => events.push(Event::Text(text)),
            event => events.push(event),
        }
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, events.into_iter());
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_html_render_the_same_blocks() {
        let dir = std::env::temp_dir().join(format!("s2s-doc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.png"), [0x89, b'P', b'N', b'G']).unwrap();
        let blocks = vec![
            Block::Heading(1, "Report".into()),
            Block::Paragraph("the `encdec` model is **fine** & <eos>, *supported* ([figure](plots/a.png))".into()),
            Block::Table {
                header: vec!["arch".into(), "exact".into(), "reason".into()],
                rows: vec![
                    vec!["a|b".into(), "1.0".into(), "both at chance".into()],
                    vec!["c".into(), "+5.2 [+1.0, +9.9]".into(), "7".into()],
                ],
            },
            Block::Image { path: "a.png".into(), caption: "loss".into() },
            Block::List(vec!["one".into()]),
        ];
        let md = markdown(&blocks);
        assert!(md.contains("# Report") && md.contains("| a\\|b | 1.0 |") && md.contains("![loss](a.png)"), "{md}");
        // Figures right-aligned, words (and the first column) left-aligned.
        assert!(md.contains("|---|---:|---|\n"), "{md}");
        let page = html("Report", &blocks, &dir).unwrap();
        for rendered in [
            "<code>encdec</code>",
            "<strong>fine</strong>",
            "<em>supported</em>",
            "<a href=\"plots/a.png\">figure</a>",
            "&amp; &lt;eos&gt;",
            "<td>a|b</td><td style=\"text-align: right\">1.0</td><td>both at chance</td>",
            "<div class=\"table\"><table>",
            "src=\"data:image/png;base64,iVBORw",
            "<li>one</li>",
        ] {
            assert!(page.contains(rendered), "{rendered} in {page}");
        }
        assert!(!page.contains("**") && !page.contains("](plots"), "{page}");
        assert!(html("x", &[Block::Image { path: "missing.png".into(), caption: String::new() }], &dir).is_err());

        // A piece of page goes into the HTML as it is, between the Markdown around it, and its
        // stand-in into the Markdown.
        let piece = Block::Html { html: "<svg id=\"s\"></svg>".into(), markdown: "see the page".into() };
        let blocks = [Block::Paragraph("before".into()), piece, Block::Paragraph("*after*".into())];
        let page = html("x", &blocks, &dir).unwrap();
        assert!(page.contains("<p>before</p>\n<svg id=\"s\"></svg><p><em>after</em></p>"), "{page}");
        assert_eq!(markdown(&blocks), "before\n\nsee the page\n\n*after*\n\n");
    }
}
