//! Small multiples: a grid of line charts sharing one legend — the same comparison (a winner
//! against a loser) drawn once per question, each panel on its own axes.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::line::{LineChart, draw_legend_row};
use super::{Figure, text_err};
use crate::{FONT, PlotError, render};

/// One panel of [`LinePanels`]: a line chart without a legend of its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinePanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Names of the integer x positions (categories).
    pub x_labels: Vec<String>,
    pub series: Vec<super::Series>,
    /// Fixed y range; fitted to the data when `None`.
    pub y_range: Option<(f64, f64)>,
    /// A warning under the panel, in red, wrapped to two lines (what the lines cannot show, such
    /// as why a verdict is not measurable).
    pub note: Option<String>,
}

/// A grid of [`LinePanel`]s, `columns` wide, under a title and one legend whose entries name
/// the roles the panels' series share (their colours and dashes).
pub struct LinePanels<'a> {
    pub title: &'a str,
    pub legend: &'a [super::Series],
    pub panels: &'a [LinePanel],
    pub columns: usize,
}

/// Pixels of one panel, and of the title and legend strip above the grid.
const PANEL: (u32, u32) = (520, 340);
const HEADER: u32 = 84;

impl LinePanels<'_> {
    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.columns.max(1))
    }
}

impl Figure for LinePanels<'_> {
    fn size(&self) -> (u32, u32) {
        (PANEL.0 * self.columns.max(1) as u32, HEADER + PANEL.1 * self.rows() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<(), String> {
        area.fill(&WHITE).map_err(text_err)?;
        let (header, grid) = area.split_vertically(HEADER as i32);
        let title = TextStyle::from((FONT, 22).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        let (width, _) = header.dim_in_pixel();
        header.draw(&Text::new(self.title, (width as i32 / 2, 10), title)).map_err(text_err)?;
        draw_legend_row(&header, self.legend, 50)?;
        let cells = grid.split_evenly((self.rows(), self.columns.max(1)));
        for (panel, cell) in self.panels.iter().zip(&cells) {
            let (_, height) = cell.dim_in_pixel();
            let cell = match &panel.note {
                Some(note) => {
                    let (plot, strip) = cell.split_vertically(height as i32 - NOTE as i32);
                    draw_note(&strip, note)?;
                    plot
                }
                None => cell.clone(),
            };
            let chart = LineChart {
                title: &panel.title,
                x_label: &panel.x_label,
                y_label: &panel.y_label,
                series: &panel.series,
                x_labels: Some(&panel.x_labels),
                y_range: panel.y_range,
                log_y: false,
            };
            chart.draw_plot(&cell, 16)?;
        }
        area.present().map_err(text_err)
    }
}

/// Lines of a note, at most.
const NOTE_LINES: usize = 3;
/// Pixels under a panel for its note.
const NOTE: u32 = 4 + 16 * NOTE_LINES as u32;

/// `note` in red, centred, broken at spaces into lines of at most [`NOTE_LINE`] characters
/// ([`NOTE_LINES`] at most; a longer note ends in `…`).
fn draw_note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, note: &str) -> Result<(), String> {
    let style =
        TextStyle::from((FONT, 14).into_font()).color(&RGBColor(190, 30, 30)).pos(Pos::new(HPos::Center, VPos::Top));
    let (width, _) = area.dim_in_pixel();
    for (k, line) in wrap(note, NOTE_LINE, NOTE_LINES).iter().enumerate() {
        area.draw(&Text::new(line.as_str(), (width as i32 / 2, 2 + 16 * k as i32), style.clone())).map_err(text_err)?;
    }
    Ok(())
}

/// Characters of a note's line that fit a panel's width.
const NOTE_LINE: usize = 68;

/// `text` broken at spaces into at most `lines` lines of at most `width` characters, a unit
/// (`%`) kept with its number; what does not fit ends the last line in `…`.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(number) if word.starts_with('%') => *number = format!("{number} {word}"),
            _ => words.push(word.to_string()),
        }
    }
    let mut out: Vec<String> = Vec::new();
    for word in &words {
        let fits = out.last().is_some_and(|line| line.chars().count() + 1 + word.chars().count() <= width);
        if let Some(line) = out.last_mut().filter(|_| fits) {
            line.push(' ');
            line.push_str(word);
        } else if out.len() == lines {
            if let Some(last) = out.last_mut() {
                let kept: String = last.chars().take(width.saturating_sub(1)).collect();
                *last = format!("{}…", kept.trim_end());
            }
            break;
        } else {
            out.push(word.clone());
        }
    }
    out
}

/// Writes small multiples to `path` (`.png` or `.svg`).
pub fn line_panels(path: &Path, panels: &LinePanels<'_>) -> Result<(), PlotError> {
    if panels.panels.is_empty() {
        return Err(PlotError::Input(format!("{}: no panels to draw", panels.title)));
    }
    if let Some(empty) = panels.panels.iter().find(|p| p.series.iter().all(|s| s.points.is_empty())) {
        return Err(PlotError::Input(format!("{}: panel `{}` has no points", panels.title, empty.title)));
    }
    render(path, panels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Series;

    fn panel(title: &str, points: Vec<(f64, f64)>) -> LinePanel {
        LinePanel {
            title: title.into(),
            x_label: "N".into(),
            y_label: "accuracy (%)".into(),
            x_labels: vec!["1-2".into(), "3-4".into()],
            series: vec![Series { name: "winner".into(), points, ..Series::default() }],
            y_range: Some((0.0, 100.0)),
            note: None,
        }
    }

    #[test]
    fn a_note_wraps_at_spaces_and_says_when_it_is_cut() {
        assert_eq!(wrap("the loser never learned the task", 16, 2), ["the loser never", "learned the task"]);
        assert_eq!(wrap("a b", 16, 2), ["a b"]);
        assert_eq!(wrap("one two three four five", 9, 2), ["one two", "three…"]);
        assert_eq!(wrap("it needs 95 %), so", 11, 3), ["it needs", "95 %), so"], "a unit stays with its number");
    }

    #[test]
    fn panels_fill_a_grid_and_an_empty_panel_is_refused() {
        let legend = [Series { name: "winner".into(), ..Series::default() }];
        let panels =
            [panel("1", vec![(0.0, 50.0), (1.0, 90.0)]), panel("2", vec![(0.0, 60.0)]), panel("3", vec![(1.0, 70.0)])];
        let mut panels = panels;
        panels[1].note = Some("not measurable: the loser never learned the task".into());
        let figure = LinePanels { title: "t", legend: &legend, panels: &panels, columns: 2 };
        assert_eq!(figure.size(), (2 * PANEL.0, HEADER + 2 * PANEL.1));
        let dir = std::env::temp_dir().join(format!("s2s-panels-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for ext in ["png", "svg"] {
            line_panels(&dir.join(format!("p.{ext}")), &figure).unwrap();
        }
        assert_eq!(&std::fs::read(dir.join("p.png")).unwrap()[1..4], b"PNG");
        let empty = [panel("empty", vec![])];
        let error = line_panels(&dir.join("e.png"), &LinePanels { panels: &empty, ..figure }).unwrap_err();
        assert!(error.to_string().contains("panel `empty` has no points"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
