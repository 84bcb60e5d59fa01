//! Unusual trades as the dashboard and the admin view show them: the scoring pass's results
//! ([`crate::scoring`]) with times as RFC 3339 and documented shapes for the API.

use bullpen_domain::Ts;
use bullpen_warehouse::datafusion::prelude::SessionContext;
use serde::Serialize;
use utoipa::ToSchema;

use super::cells::rfc3339;
use super::EntryRef;
use crate::scoring::{self, CoordinatedPair, TradeAnomaly};
use crate::AnalyticsError;

/// One feature's part in a trade's anomaly score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AnomalyFeature {
    /// `size`, `return`, `holding_period`, `time_of_day`, `concentration` or `frequency`.
    pub feature: String,
    /// Its share of the score (0–1).
    pub share: f64,
    /// The trade's value as a robust z-score against the trader's habits (positive: above usual).
    pub value: f64,
}

/// A flagged trade.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AnomalyView {
    /// The tournament.
    pub tournament_id: i64,
    /// The entry that made it.
    pub entry_id: i64,
    /// Sequence number of the closing fill; with `piece` the round trip's key.
    pub close_seq: i64,
    /// Which lot the fill closed.
    pub piece: i32,
    /// Instrument.
    pub symbol: String,
    /// Closed (RFC 3339).
    pub closed_at: String,
    /// Anomaly score.
    pub score: f64,
    /// The flagging threshold in force (null while the detector warms up).
    pub threshold: Option<f64>,
    /// Whether the score passed the threshold.
    pub flagged: bool,
    /// The features that explain it, largest share first.
    pub features: Vec<AnomalyFeature>,
    /// Why, in words.
    pub reason: String,
}

impl From<TradeAnomaly> for AnomalyView {
    fn from(a: TradeAnomaly) -> AnomalyView {
        AnomalyView {
            tournament_id: a.tournament_id,
            entry_id: a.entry_id,
            close_seq: a.close_seq,
            piece: a.piece,
            symbol: a.symbol,
            closed_at: rfc3339(Ts(a.closed_at)),
            score: a.score,
            threshold: a.threshold,
            flagged: a.flagged,
            features: a
                .contributions
                .into_iter()
                .map(|c| AnomalyFeature { feature: c.feature, share: c.share, value: c.value })
                .collect(),
            reason: a.reason,
        }
    }
}

/// Two entries flagged for trading the same symbols at the same moments in opposite directions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PairView {
    /// The tournament.
    pub tournament_id: i64,
    /// The entry with the smaller id.
    pub entry_a: i64,
    /// The other entry.
    pub entry_b: i64,
    /// Symbols they traded against each other.
    pub symbols: Vec<String>,
    /// Same-minute opposite trades in the same symbol.
    pub events: i64,
    /// First such minute (RFC 3339).
    pub first_at: String,
    /// Last such minute (RFC 3339).
    pub last_at: String,
    /// Co-occurrences expected by chance.
    pub expected: f64,
    /// `events / expected`.
    pub lift: f64,
    /// Probability of as many by chance.
    pub p_value: f64,
    /// `−log10(p_value)`: higher is more suspicious.
    pub score: f64,
    /// Why, in words.
    pub reason: String,
}

impl From<CoordinatedPair> for PairView {
    fn from(p: CoordinatedPair) -> PairView {
        PairView {
            tournament_id: p.tournament_id,
            entry_a: p.entry_a,
            entry_b: p.entry_b,
            symbols: p.symbols,
            events: p.events,
            first_at: rfc3339(Ts(p.first_at)),
            last_at: rfc3339(Ts(p.last_at)),
            expected: p.expected,
            lift: p.lift,
            p_value: p.p_value,
            score: p.score,
            reason: p.reason,
        }
    }
}

/// The platform-wide view: flagged trades and pairs, highest score first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlatformView {
    /// Flagged trades across all tournaments.
    pub trades: Vec<AnomalyView>,
    /// Flagged pairs across all tournaments.
    pub pairs: Vec<PairView>,
}

/// The entry's flagged trades, highest score first.
pub async fn entry_anomalies(ctx: &SessionContext, at: EntryRef) -> Result<Vec<AnomalyView>, AnalyticsError> {
    let found = scoring::anomalies_of_entry(ctx, at.tournament_id.0, at.entry_id.0).await?;
    Ok(found.into_iter().map(AnomalyView::from).collect())
}

/// The `limit` highest-scoring flagged trades and pairs of the platform.
pub async fn platform(ctx: &SessionContext, limit: usize) -> Result<PlatformView, AnalyticsError> {
    let found = scoring::platform_anomalies(ctx, limit).await?;
    Ok(PlatformView {
        trades: found.trades.into_iter().map(AnomalyView::from).collect(),
        pairs: found.pairs.into_iter().map(PairView::from).collect(),
    })
}
