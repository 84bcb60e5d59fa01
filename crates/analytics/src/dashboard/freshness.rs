//! How current the warehouse is for a tournament: the time of the newest exported ledger entry
//! (from the export checkpoint) and, when the store's sequence heads are at hand, how far the
//! export is behind them.

use bullpen_domain::{TournamentId, Ts};
use bullpen_warehouse::checkpoint::Checkpoint;
use bullpen_warehouse::{freshness_lag, Location, Source, WarehouseResult};
use serde::Serialize;
use utoipa::ToSchema;

use super::cells::rfc3339;

/// The warehouse's freshness for one tournament.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Freshness {
    /// Time of the newest exported ledger entry of the tournament (RFC 3339; null before its
    /// first export).
    pub as_of: Option<String>,
    /// The tournament's last exported sequence number (0 before the first export).
    pub exported_seq: i64,
    /// Sequence numbers committed in the store and not yet exported, all tournaments (null when
    /// not measured).
    pub seq_behind: Option<i64>,
    /// Seconds of data time the export is behind the store (null when not measured).
    pub seconds_behind: Option<f64>,
    /// How often the server refreshes the warehouse, in seconds.
    pub refresh_seconds: u64,
}

/// The warehouse's freshness for a tournament; with `source` (the production store's sequence
/// heads) also the lag behind it.
pub async fn freshness(
    location: &Location,
    tournament: TournamentId,
    source: Option<&dyn Source>,
    refresh_seconds: u64,
) -> WarehouseResult<Freshness> {
    let checkpoint = Checkpoint::load(location).await?;
    let stream = checkpoint.stream(&format!("seq/{}", tournament.0));
    let (seq_behind, seconds_behind) = match source {
        Some(source) => {
            let lag = freshness_lag(location, source).await?;
            (Some(lag.seq_behind), lag.seconds_behind)
        }
        None => (None, None),
    };
    Ok(Freshness {
        as_of: stream.last_ts.map(|t| rfc3339(Ts(t))),
        exported_seq: stream.cursor,
        seq_behind,
        seconds_behind,
        refresh_seconds,
    })
}
