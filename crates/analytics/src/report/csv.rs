//! CSV: one file, one block per section, separated by an empty line. Every row of a block
//! starts with the section's key (`summary`, `risk`, `pnl_by_symbol`, `fills`, …) and each
//! block opens with its own header row (`section,<columns>`), so a spreadsheet shows titled
//! tables one under the other and a filter on the first column keeps one section. Numbers are
//! plain (money as exact decimals, returns as fractions), dates ISO 8601.

use super::model::Report;
use super::sections::{notes, sections};
use crate::error::AnalyticsError;

fn render_err(e: impl std::fmt::Display) -> AnalyticsError {
    AnalyticsError::Render(format!("CSV: {e}"))
}

/// The report as CSV.
pub(crate) fn render(report: &Report) -> Result<Vec<u8>, AnalyticsError> {
    let mut out = Vec::new();
    for (i, section) in sections(report).iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
        let header: Vec<&str> = std::iter::once("section").chain(section.headers.iter().copied()).collect();
        writer.write_record(&header).map_err(render_err)?;
        for row in &section.rows {
            let cells = std::iter::once(section.key.to_string()).chain(row.iter().map(|c| c.plain()));
            writer.write_record(cells).map_err(render_err)?;
        }
        writer.flush().map_err(render_err)?;
    }
    let notes = notes(report);
    if !notes.is_empty() {
        out.push(b'\n');
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
        writer.write_record(["section", "note"]).map_err(render_err)?;
        for note in notes {
            writer.write_record(["notes", note.as_str()]).map_err(render_err)?;
        }
        writer.flush().map_err(render_err)?;
    }
    Ok(out)
}
