//! The anomalies section: trades flagged by the anomaly scoring (`crate::scoring`), kept
//! in the window. A report is still produced when scoring is unavailable, with a note.

use bullpen_warehouse::datafusion::prelude::SessionContext;

use super::model::Anomaly;
use super::Window;

/// Flagged trades of one entry in the window (empty, with a note, when scoring is unavailable).
pub(crate) async fn of_entry(
    _ctx: &SessionContext,
    _tournament_id: i64,
    _entry_id: i64,
    _window: Window,
    notes: &mut Vec<String>,
) -> Vec<Anomaly> {
    notes.push("Anomaly scoring is not available in this build: no trades are flagged.".to_string());
    Vec::new()
}

/// Flagged trades of every entry in the window (`None`, with a note, when scoring is unavailable).
pub(crate) async fn count_in_tournament(
    _ctx: &SessionContext,
    _tournament_id: i64,
    _window: Window,
    notes: &mut Vec<String>,
) -> Option<i64> {
    notes.push("Anomaly scoring is not available in this build: flagged trades are not counted.".to_string());
    None
}
