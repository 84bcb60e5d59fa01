//! HTML: one self-contained page (inline CSS and SVG, no script, no external request) that
//! prints well (`@media print`, tables that do not split rows across pages).

use std::fmt::Write;

use bullpen_charts::escape;

use super::chart;
use super::model::Report;
use super::sections::{notes, sections, title};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:2rem auto;\
max-width:60rem;padding:0 1rem;line-height:1.4}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;\
border-bottom:1px solid #ccc}table{border-collapse:collapse;width:100%;font-size:.85rem}\
th,td{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:left}td.n,th.n{text-align:right;\
font-variant-numeric:tabular-nums}.chart svg{width:100%;height:auto}.muted{color:#666}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr,.chart{break-inside:avoid}}";

/// The report as an HTML page.
pub(crate) fn render(report: &Report) -> String {
    let title = title(report);
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>{STYLE}</style></head>\
         <body><h1>{t}</h1><p class=\"muted\">Bullpen report, computed from the analytics warehouse. Returns are \
         over the window's closes; the benchmark is an equal-weight buy-and-hold of the tournament's instruments \
         from the window's first close.</p>",
        t = escape(&title)
    );
    let chart_svg = match report {
        Report::Entry(r) => Some(("Equity", chart::equity_chart(r))),
        Report::Tournament(r) => r.distribution.as_ref().map(|d| ("Returns", chart::distribution_chart(d))),
    };
    for (i, section) in sections(report).iter().enumerate() {
        if i == 1 {
            if let Some((heading, svg)) = &chart_svg {
                let _ = write!(out, "<h2>{heading}</h2><div class=\"chart\">{svg}</div>");
            }
        }
        let _ = write!(out, "<section id=\"{}\"><h2>{}</h2>", section.key, escape(&section.title));
        if section.rows.is_empty() {
            let _ = write!(out, "<p class=\"muted\">{}</p></section>", escape(section.empty));
            continue;
        }
        out.push_str("<table><thead><tr>");
        let numeric: Vec<bool> = (0..section.headers.len())
            .map(|c| section.rows.iter().any(|r| r.get(c).is_some_and(|cell| cell.is_number())))
            .collect();
        for (c, h) in section.headers.iter().enumerate() {
            let class = if numeric[c] && section.headers.len() > 2 { " class=\"n\"" } else { "" };
            let _ = write!(out, "<th{class}>{}</th>", escape(h));
        }
        out.push_str("</tr></thead><tbody>");
        for row in &section.rows {
            out.push_str("<tr>");
            for cell in row {
                let class = if cell.is_number() { " class=\"n\"" } else { "" };
                let _ = write!(out, "<td{class}>{}</td>", escape(&cell.human()));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></section>");
    }
    let notes = notes(report);
    if !notes.is_empty() {
        out.push_str("<h2>Notes</h2><ul>");
        for n in notes {
            let _ = write!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>");
    }
    out.push_str("</body></html>");
    out
}
