//! Reports at will: one entry's report, or a whole tournament's for coaches and admins, over a
//! window of days, computed only from the warehouse and rendered as JSON, CSV, HTML or PDF.
//!
//! The model ([`model`]) is computed once ([`entry_report`], [`tournament_report`]) and every
//! renderer draws the same figures, so formats never disagree.

mod anomalies;
mod chart;
mod csv;
mod data;
mod entry;
mod html;
pub mod model;
mod pdf;
mod sections;
mod table;
mod tournament;

use bullpen_warehouse::datafusion::prelude::SessionContext;
use chrono::NaiveDate;

pub use model::{EntryReport, Report, TournamentReport};

use crate::error::AnalyticsError;

/// A progress callback: percent done and the stage in words.
pub type Progress<'a> = dyn Fn(u8, &str) + Send + Sync + 'a;

/// The days a report covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Window {
    /// A window, or an error when `from` is after `to` or the range is not a sane one (more
    /// than ten years).
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Window, AnalyticsError> {
        if from > to {
            return Err(AnalyticsError::Invalid(format!("the window starts ({from}) after it ends ({to})")));
        }
        if (to - from).num_days() > 3_660 {
            return Err(AnalyticsError::Invalid(format!("the window {from} to {to} is longer than ten years")));
        }
        Ok(Window { from, to })
    }
}

/// The report of one entry over `window`.
pub async fn entry_report(
    ctx: &SessionContext,
    tournament_id: i64,
    entry_id: i64,
    window: Window,
    progress: &Progress<'_>,
) -> Result<EntryReport, AnalyticsError> {
    entry::build(ctx, tournament_id, entry_id, window, progress).await
}

/// The report of a whole tournament over `window`.
pub async fn tournament_report(
    ctx: &SessionContext,
    tournament_id: i64,
    window: Window,
    progress: &Progress<'_>,
) -> Result<TournamentReport, AnalyticsError> {
    tournament::build(ctx, tournament_id, window, progress).await
}

/// The report as pretty JSON.
pub fn to_json(report: &Report) -> Result<Vec<u8>, AnalyticsError> {
    serde_json::to_vec_pretty(report).map_err(|e| AnalyticsError::Render(e.to_string()))
}

/// The report as one CSV table with a `section` column (see [`csv`](self::csv)).
pub fn to_csv(report: &Report) -> Result<Vec<u8>, AnalyticsError> {
    csv::render(report)
}

/// The report as a self-contained, printable HTML page with inline SVG charts.
pub fn to_html(report: &Report) -> String {
    html::render(report)
}

/// The report as a PDF with embedded fonts and the same SVG charts as the web pages.
pub fn to_pdf(report: &Report) -> Result<Vec<u8>, AnalyticsError> {
    pdf::render(report)
}
