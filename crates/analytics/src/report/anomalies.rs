//! The anomalies section: trades flagged by the anomaly scoring ([`crate::scoring`], the
//! `trade_anomalies` table it keeps in the warehouse), kept in the window. A report is still
//! produced when scoring has not run yet, with a note saying so.

use bullpen_warehouse::datafusion::prelude::SessionContext;
use chrono::{DateTime, NaiveDate};

use super::model::Anomaly;
use super::table::{date_param, id_param, query};
use super::Window;
use crate::scoring::anomalies_of_entry;

/// Microseconds since the Unix epoch at the start of `day` (UTC).
fn micros(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_micros())
}

/// The window as `[start, end)` in microseconds (the `closed_at` of scored trades).
fn bounds(window: Window) -> (i64, i64) {
    (micros(window.from), window.to.succ_opt().map_or(i64::MAX, micros))
}

/// Flagged trades of one entry closed in the window, highest score first (empty, with a note,
/// when scoring is unavailable).
pub(crate) async fn of_entry(
    ctx: &SessionContext,
    tournament_id: i64,
    entry_id: i64,
    window: Window,
    notes: &mut Vec<String>,
) -> Vec<Anomaly> {
    let (start, end) = bounds(window);
    match anomalies_of_entry(ctx, tournament_id, entry_id).await {
        Ok(found) => found
            .into_iter()
            .filter(|a| a.flagged && a.closed_at >= start && a.closed_at < end)
            .map(|a| Anomaly {
                ts: DateTime::from_timestamp_micros(a.closed_at),
                symbol: a.symbol,
                score: a.score,
                reasons: a.reason,
            })
            .collect(),
        Err(e) => {
            notes
                .push(format!("Anomaly scoring is not available for this warehouse yet ({e}): no trades are flagged."));
            Vec::new()
        }
    }
}

/// Flagged trades of every entry closed in the window (`None`, with a note, when scoring is
/// unavailable).
pub(crate) async fn count_in_tournament(
    ctx: &SessionContext,
    tournament_id: i64,
    window: Window,
    notes: &mut Vec<String>,
) -> Option<i64> {
    let counted = query(
        ctx,
        "SELECT COUNT(*) AS flagged FROM trade_anomalies \
         WHERE tournament_id = $1 AND flagged AND CAST(closed_at AS DATE) BETWEEN $2 AND $3",
        vec![id_param(tournament_id), date_param(window.from), date_param(window.to)],
    )
    .await
    .and_then(|rows| rows.i64s("flagged"));
    match counted {
        Ok(values) => Some(values.into_iter().flatten().next().unwrap_or(0)),
        Err(e) => {
            notes.push(format!(
                "Anomaly scoring is not available for this warehouse yet ({e}): flagged trades are not counted."
            ));
            None
        }
    }
}
