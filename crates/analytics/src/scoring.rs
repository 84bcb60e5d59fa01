//! The trade-scoring pass: reads the warehouse (never the store), scores every closed round trip
//! with the streaming anomaly detector of `bullpen-insights` and looks for coordinated trading
//! between entries, and writes the results back as two warehouse tables, `trade_anomalies` and
//! `coordinated_pairs` (documented in the warehouse's `SCHEMA.md`).
//!
//! # Incremental, idempotent, crash-safe
//!
//! A cursor in `_bullpen/scoring.json` records, per tournament, the last round trip
//! (`close_seq`) and the last fill (`seq`) scored. A run scores only round trips past the
//! cursor and never beyond what the exporter has committed (its checkpoint's `seq/<tournament>`
//! cursor, when there is one), so rows are written once:
//!
//! * `trade_anomalies/tournament_id=N/part-<from>-<to>.parquet` holds the round trips with
//!   `from < close_seq <= to`. As in the exporter, the step's target is written into the cursor
//!   before the file, and a run that finds it there redoes exactly that step (same rows, same
//!   file name), so a crash at any point leaves no duplicate and no gap.
//! * `coordinated_pairs/tournament_id=N/pairs.parquet` is a statistic over the tournament's
//!   whole history: it is recomputed when the tournament has new fills and replaced atomically.
//!
//! The detector is deterministic: it is seeded with the tournament id, each trade's features
//! use only the trader's earlier trades, and the forest sees trades in sequence order. After
//! each step it is saved (`_bullpen/detectors/tournament-<id>.bin`, see [`saved`]), and the
//! next step resumes it, reading only the new round trips and the history of the traders who
//! made them. Without a usable saved detector (first run, a crash between saving it and moving
//! the cursor, a damaged file, a new configuration) the step replays the tournament from its
//! first round trip instead. Either way a trade's score does not depend on how the stream was
//! cut into runs: scoring in ten runs writes the same rows as scoring once.

mod cursor;
mod inputs;
mod pairs;
mod query;
mod saved;
mod tables;
mod trades;

use serde::Serialize;

use bullpen_warehouse::checkpoint::Checkpoint;
use bullpen_warehouse::Location;

use crate::AnalyticsError;

pub use query::{anomalies_of_entry, platform_anomalies};

/// One feature's part in a trade's anomaly score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureContribution {
    /// Feature name: `size`, `return`, `holding_period`, `time_of_day`, `concentration` or
    /// `frequency` (see `bullpen_insights::features`).
    pub feature: String,
    /// Its share of the score, 0 to 1 (the shares of all six features sum to 1).
    pub share: f64,
    /// The trade's value of the feature as a robust z-score against the trader's own habits
    /// (positive: above the trader's usual).
    pub value: f64,
}

/// A scored round trip (a row of `trade_anomalies`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TradeAnomaly {
    /// The tournament.
    pub tournament_id: i64,
    /// The entry (trader) that made the trade.
    pub entry_id: i64,
    /// Sequence number of the closing fill; with `piece`, the round trip's key.
    pub close_seq: i64,
    /// Index of the lot among those the closing fill closed.
    pub piece: i32,
    /// Instrument symbol.
    pub symbol: String,
    /// When the trade was closed, microseconds since the Unix epoch (UTC).
    pub closed_at: i64,
    /// Anomaly score (mean expected collusive displacement over the forest's trees).
    pub score: f64,
    /// The flagging threshold in force (`None` while the detector warms up).
    pub threshold: Option<f64>,
    /// Whether the score exceeded the threshold.
    pub flagged: bool,
    /// For a flagged trade, the features that explain it, largest share first (empty otherwise).
    pub contributions: Vec<FeatureContribution>,
    /// A sentence explaining the flag (empty for trades that are not flagged).
    pub reason: String,
}

/// A pair of entries flagged for coordinated trading (a row of `coordinated_pairs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoordinatedPair {
    /// The tournament.
    pub tournament_id: i64,
    /// The entry with the smaller id.
    pub entry_a: i64,
    /// The other entry.
    pub entry_b: i64,
    /// Symbols they traded against each other, alphabetically.
    pub symbols: Vec<String>,
    /// Times they traded the same symbol in the same minute in opposite directions.
    pub events: i64,
    /// Start of the first such minute, microseconds since the Unix epoch (UTC).
    pub first_at: i64,
    /// Start of the last such minute, microseconds since the Unix epoch (UTC).
    pub last_at: i64,
    /// Co-occurrences expected by chance for two independent entries this active.
    pub expected: f64,
    /// `events / expected`.
    pub lift: f64,
    /// Probability of at least `events` co-occurrences by chance.
    pub p_value: f64,
    /// `−log10(p_value)` (capped at 300): higher is more suspicious.
    pub score: f64,
    /// A sentence explaining the flag.
    pub reason: String,
}

/// Platform-wide anomalies for the admin view, highest score first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlatformAnomalies {
    /// Flagged trades across all tournaments.
    pub trades: Vec<TradeAnomaly>,
    /// Flagged pairs across all tournaments.
    pub pairs: Vec<CoordinatedPair>,
}

/// What a scoring run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoringReport {
    /// Tournaments that had something new to score.
    pub tournaments: usize,
    /// Round trips scored (rows added to `trade_anomalies`).
    pub trades_scored: usize,
    /// Of those, the flagged ones.
    pub trades_flagged: usize,
    /// Round trips skipped because their trader had too little history or their facts were
    /// unusable (no row is written for them).
    pub trades_skipped: usize,
    /// Earlier round trips replayed to rebuild a detector that was not saved (0 when every
    /// step resumed its saved detector).
    pub trades_replayed: usize,
    /// Pairs currently flagged in the tournaments whose pairs were recomputed.
    pub pairs_flagged: usize,
    /// Files written (relative to the warehouse root).
    pub files_written: Vec<String>,
}

/// Scores what is new in the warehouse at `location` (see the module documentation) and
/// returns what was done. Running it again with nothing new changes nothing.
///
/// Fails with a clear error (and writes nothing) when the warehouse cannot be read or its
/// scoring cursor is corrupt, or when another scoring run holds the warehouse's scoring lock.
pub async fn run_scoring(location: &Location) -> Result<ScoringReport, AnalyticsError> {
    let _lock = cursor::lock(location)?;
    let ctx = bullpen_warehouse::open_session(location).await?;
    let mut cursor = cursor::ScoringCursor::load(location).await?;
    let exported = Checkpoint::load(location).await?;
    let mut report = ScoringReport::default();
    for heads in inputs::tournament_heads(&ctx).await? {
        let tid = heads.tournament_id;
        let bound = exported.streams.get(&format!("seq/{tid}")).map_or(i64::MAX, |s| s.cursor);
        let mut state = cursor.tournament(tid);
        let trips_head = heads.last_close_seq.min(bound);
        let fills_head = heads.last_fill_seq.min(bound);
        let trips_due = state.pending.is_some() || trips_head > state.trips_seq;
        let pairs_due = fills_head > state.fills_seq;
        if !trips_due && !pairs_due {
            continue;
        }
        report.tournaments += 1;
        if trips_due {
            trades::score_tournament(location, &ctx, &mut cursor, tid, trips_head, &mut report).await?;
            state = cursor.tournament(tid);
        }
        if pairs_due {
            let flagged = pairs::score_tournament(location, &ctx, tid, fills_head, &mut report).await?;
            report.pairs_flagged += flagged;
            state.fills_seq = fills_head;
            cursor.set(tid, state);
            cursor.save(location).await?;
        }
    }
    tracing::info!(
        tournaments = report.tournaments,
        scored = report.trades_scored,
        flagged = report.trades_flagged,
        replayed = report.trades_replayed,
        pairs = report.pairs_flagged,
        "trade scoring done"
    );
    Ok(report)
}
