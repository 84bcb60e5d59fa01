//! PDF: A4 pages drawn with krilla, text in DejaVu Sans Mono (from the `typst-assets` crate,
//! embedded and subset), and the same SVG charts as the HTML and the web pages, converted to
//! PDF vector graphics by krilla-svg with the same embedded font.
//!
//! Layout is two passes: the report's sections are laid out into pages of drawing operations
//! (a monospaced font makes column widths a matter of counting characters), then each page is
//! drawn. Long tables continue on the next page under a repeated header; tables longer than
//! [`MAX_ROWS`] are cut with a note (the CSV and JSON have every row).

use std::sync::Arc;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use krilla_svg::{SurfaceExt, SvgSettings};

use super::chart;
use super::model::Report;
use super::sections::{notes, sections, title, Section};
use crate::error::AnalyticsError;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 42.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// DejaVu Sans Mono's advance width, in ems (1233 / 2048).
const ADVANCE: f32 = 0.602;
const TABLE_SIZE: f32 = 7.0;
const ROW_HEIGHT: f32 = 9.5;
/// Rows of a table drawn in the PDF at most.
pub(crate) const MAX_ROWS: usize = 500;
/// Widest column, in characters (longer cells are cut with an ellipsis).
const MAX_COLUMN: usize = 40;

const REGULAR: &str = "DejaVuSansMono.ttf";
const BOLD: &str = "DejaVuSansMono-Bold.ttf";

/// A drawing operation on a page.
enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, grey: bool, text: String },
    Rule { y: f32 },
    Chart { y: f32, height: f32, svg: String },
}

/// The two fonts, found among `typst-assets`' bundled fonts by their file's name table.
fn font_bytes(file: &str) -> Option<&'static [u8]> {
    let family_style = match file {
        BOLD => ("DejaVu Sans Mono", "Bold"),
        _ => ("DejaVu Sans Mono", "Book"),
    };
    typst_assets::fonts().find(|data| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(data.to_vec());
        let found = db.faces().any(|f| {
            f.families.iter().any(|(name, _)| name == family_style.0)
                && f.post_script_name.ends_with(if family_style.1 == "Bold" { "-Bold" } else { "Mono" })
        });
        found
    })
}

struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: vec![Vec::new()], y: MARGIN }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Makes room for `height` points, starting a page when needed.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_HEIGHT - MARGIN {
            self.new_page();
        }
    }

    /// Wrapped text.
    fn paragraph(&mut self, text: &str, size: f32, bold: bool, grey: bool) {
        let per_line = ((TEXT_WIDTH / (size * ADVANCE)) as usize).max(10);
        let mut line = String::new();
        let mut lines = Vec::new();
        for word in text.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > per_line {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
        for l in lines {
            self.room(size * 1.35);
            self.y += size * 1.35;
            let y = self.y;
            self.ops().push(Op::Text { x: MARGIN, y, size, bold, grey, text: l });
        }
    }

    fn heading(&mut self, text: &str) {
        self.room(40.0);
        self.y += 10.0;
        self.paragraph(text, 11.0, true, false);
        self.y += 3.0;
        let y = self.y;
        self.ops().push(Op::Rule { y });
        self.y += 2.0;
    }

    fn chart(&mut self, svg: String) {
        let height = TEXT_WIDTH * (chart::HEIGHT / chart::WIDTH) as f32;
        self.room(height + 8.0);
        self.y += 6.0;
        let y = self.y;
        self.ops().push(Op::Chart { y, height, svg });
        self.y += height;
    }

    fn table_row(&mut self, cells: &[String], widths: &[usize], numeric: &[bool], bold: bool) {
        self.y += ROW_HEIGHT;
        let char_width = TABLE_SIZE * ADVANCE;
        let mut x = MARGIN;
        for (i, cell) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let text = clip(cell, width);
            let pad = if numeric.get(i).copied().unwrap_or(false) { width - text.chars().count() } else { 0 };
            let y = self.y;
            self.ops().push(Op::Text { x: x + pad as f32 * char_width, y, size: TABLE_SIZE, bold, grey: false, text });
            x += (width + 2) as f32 * char_width;
        }
    }

    fn table(&mut self, section: &Section) {
        if section.rows.is_empty() {
            self.paragraph(section.empty, 8.0, false, true);
            return;
        }
        let shown = &section.rows[..section.rows.len().min(MAX_ROWS)];
        let text: Vec<Vec<String>> = shown.iter().map(|r| r.iter().map(|c| c.human()).collect()).collect();
        let headers: Vec<String> = section.headers.iter().map(|h| h.to_string()).collect();
        let columns = headers.len();
        let numeric: Vec<bool> = (0..columns)
            .map(|c| columns > 2 && shown.iter().any(|r| r.get(c).is_some_and(|x| x.is_number())))
            .collect();
        let mut widths: Vec<usize> = (0..columns)
            .map(|c| {
                text.iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .chain([headers[c].chars().count()])
                    .max()
                    .unwrap_or(0)
                    .min(MAX_COLUMN)
            })
            .collect();
        let available = (TEXT_WIDTH / (TABLE_SIZE * ADVANCE)) as usize;
        while widths.iter().map(|w| w + 2).sum::<usize>() > available {
            let Some(widest) = (0..columns).max_by_key(|c| widths[*c]) else { break };
            if widths[widest] <= 6 {
                break;
            }
            widths[widest] -= 1;
        }
        self.room(ROW_HEIGHT * 2.0 + 2.0);
        self.table_row(&headers, &widths, &numeric, true);
        for row in &text {
            if self.y + ROW_HEIGHT > PAGE_HEIGHT - MARGIN {
                self.new_page();
                self.table_row(&headers, &widths, &numeric, true);
            }
            self.table_row(row, &widths, &numeric, false);
        }
        if section.rows.len() > shown.len() {
            let note = format!(
                "First {} of {} rows; the CSV and JSON reports have them all.",
                shown.len(),
                section.rows.len()
            );
            self.paragraph(&note, 8.0, false, true);
        }
    }
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn layout(report: &Report) -> Vec<Vec<Op>> {
    let mut l = Layout::new();
    l.paragraph(&title(report), 14.0, true, false);
    l.paragraph(
        "Bullpen report, computed from the analytics warehouse. Returns are over the window's closes; the benchmark \
         is an equal-weight buy-and-hold of the tournament's instruments from the window's first close.",
        8.0,
        false,
        true,
    );
    let chart_svg = match report {
        Report::Entry(r) => Some(("Equity", chart::equity_chart(r))),
        Report::Tournament(r) => r.distribution.as_ref().map(|d| ("Returns", chart::distribution_chart(d))),
    };
    let mut chart_svg = chart_svg;
    for (i, section) in sections(report).iter().enumerate() {
        if i == 1 {
            if let Some((heading, svg)) = chart_svg.take() {
                l.heading(heading);
                l.chart(svg);
            }
        }
        l.heading(&section.title);
        l.table(section);
    }
    let notes = notes(report);
    if !notes.is_empty() {
        l.heading("Notes");
        for n in notes {
            l.paragraph(&format!("- {n}"), 8.0, false, false);
        }
    }
    l.pages
}

fn render_err(what: &str) -> AnalyticsError {
    AnalyticsError::Render(format!("PDF: {what}"))
}

/// The report as PDF bytes.
pub(crate) fn render(report: &Report) -> Result<Vec<u8>, AnalyticsError> {
    let regular_bytes = font_bytes(REGULAR).ok_or_else(|| render_err("the bundled regular font is missing"))?;
    let bold_bytes = font_bytes(BOLD).ok_or_else(|| render_err("the bundled bold font is missing"))?;
    let regular = Font::new(regular_bytes.into(), 0).ok_or_else(|| render_err("cannot read the regular font"))?;
    let bold = Font::new(bold_bytes.into(), 0).ok_or_else(|| render_err("cannot read the bold font"))?;
    let mut fontdb = usvg::fontdb::Database::new();
    fontdb.load_font_data(regular_bytes.to_vec());
    fontdb.load_font_data(bold_bytes.to_vec());
    fontdb.set_sans_serif_family("DejaVu Sans Mono");
    fontdb.set_monospace_family("DejaVu Sans Mono");
    let svg_options =
        usvg::Options { fontdb: Arc::new(fontdb), font_family: "DejaVu Sans Mono".into(), ..Default::default() };

    let mut document = Document::new();
    document.set_metadata(krilla::metadata::Metadata::new().title(title(report)).creator("Bullpen".to_string()));
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| render_err("bad page size"))?;
    let pages = layout(report);
    let count = pages.len();
    for (n, ops) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, bold: is_bold, grey, text } => {
                    let shade = if grey { 100 } else { 20 };
                    surface
                        .set_fill(Some(Fill { paint: rgb::Color::new(shade, shade, shade).into(), ..Fill::default() }));
                    let font = if is_bold { bold.clone() } else { regular.clone() };
                    surface.draw_text(Point::from_xy(x, y), font, size, &text, false, TextDirection::Auto);
                }
                Op::Rule { y } => {
                    let mut path = PathBuilder::new();
                    path.move_to(MARGIN, y);
                    path.line_to(PAGE_WIDTH - MARGIN, y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(180, 180, 180).into(),
                            width: 0.5,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
                Op::Chart { y, height, svg } => {
                    let tree =
                        usvg::Tree::from_str(&svg, &svg_options).map_err(|e| render_err(&format!("chart: {e}")))?;
                    let size = Size::from_wh(TEXT_WIDTH, height).ok_or_else(|| render_err("bad chart size"))?;
                    surface.push_transform(&Transform::from_translate(MARGIN, y));
                    surface.draw_svg(&tree, size, SvgSettings::default());
                    surface.pop();
                }
            }
        }
        let footer = format!("page {} of {count}", n + 1);
        surface.set_fill(Some(Fill { paint: rgb::Color::new(120, 120, 120).into(), ..Fill::default() }));
        let x = PAGE_WIDTH - MARGIN - footer.len() as f32 * 7.0 * ADVANCE;
        surface.draw_text(
            Point::from_xy(x, PAGE_HEIGHT - MARGIN / 2.0),
            regular.clone(),
            7.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| render_err(&format!("{e:?}")))
}
