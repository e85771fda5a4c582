//! A report as a list of blocks, rendered twice: Markdown (for a code forge, images linked) and
//! a self-contained HTML page (images inlined as data URIs).

use std::path::Path;

use base64::Engine;

use crate::ReportError;

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading(usize, String),
    /// Inline Markdown: `code`, **bold** and links are kept as written in Markdown and
    /// translated for HTML.
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
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
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
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The inline Markdown this report writes, as HTML: `code`, **bold**.
fn inline(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::new();
    for (k, part) in escaped.split('`').enumerate() {
        if k % 2 == 1 {
            out.push_str(&format!("<code>{part}</code>"));
        } else {
            for (j, piece) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    out.push_str(&format!("<strong>{piece}</strong>"));
                } else {
                    out.push_str(piece);
                }
            }
        }
    }
    out
}

const STYLE: &str = "body{font-family:DejaVu Sans,Verdana,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}\
th{background:#eef}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #ddd}\
figure{margin:1.5em 0}figcaption{font-style:italic;color:#555}code{background:#f4f4f4;padding:0 3px}";

/// The HTML page; images are read from under `base` and inlined.
pub fn html(title: &str, blocks: &[Block], base: &Path) -> Result<String, ReportError> {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, text) => out.push_str(&format!("<h{level}>{}</h{level}>\n", inline(text))),
            Block::Paragraph(text) => out.push_str(&format!("<p>{}</p>\n", inline(text))),
            Block::Table { header, rows } => {
                out.push_str("<table><thead><tr>");
                for cell in header {
                    out.push_str(&format!("<th>{}</th>", inline(cell)));
                }
                out.push_str("</tr></thead><tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", inline(cell)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody></table>\n");
            }
            Block::Image { path, caption } => {
                let file = base.join(path);
                let bytes = std::fs::read(&file).map_err(|e| ReportError::io(&file, e))?;
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                out.push_str(&format!(
                    "<figure><img alt=\"{}\" src=\"data:image/png;base64,{data}\"><figcaption>{}</figcaption></figure>\n",
                    escape(caption),
                    inline(caption)
                ));
            }
            Block::List(items) => {
                out.push_str("<ul>");
                for item in items {
                    out.push_str(&format!("<li>{}</li>", inline(item)));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out.push_str("</body></html>\n");
    Ok(out)
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
            Block::Paragraph("the `encdec` model is **fine** & <ok>".into()),
            Block::Table { header: vec!["arch".into(), "exact".into()], rows: vec![vec!["a|b".into(), "1.0".into()]] },
            Block::Image { path: "a.png".into(), caption: "loss".into() },
            Block::List(vec!["one".into()]),
        ];
        let md = markdown(&blocks);
        assert!(md.contains("# Report") && md.contains("| a\\|b | 1.0 |") && md.contains("![loss](a.png)"));
        let page = html("Report", &blocks, &dir).unwrap();
        assert!(page.contains("<code>encdec</code>") && page.contains("<strong>fine</strong>"));
        assert!(page.contains("&amp; &lt;ok&gt;") && page.contains("data:image/png;base64,iVBORw"));
        assert!(html("x", &[Block::Image { path: "missing.png".into(), caption: String::new() }], &dir).is_err());
    }
}
