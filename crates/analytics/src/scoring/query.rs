//! Reading the scoring tables back: one entry's flagged trades, and the platform-wide view.

use bullpen_warehouse::datafusion::arrow::array::RecordBatch;
use bullpen_warehouse::datafusion::prelude::SessionContext;

use super::inputs::{bools, collect, f64s, i64s, opt_f64s, opt_strings, strings};
use super::tables::STORED_FEATURES;
use super::{CoordinatedPair, FeatureContribution, PlatformAnomalies, TradeAnomaly};
use crate::AnalyticsError;

/// Columns of `trade_anomalies` as [`rows_to_anomalies`] reads them.
const ANOMALY_COLUMNS: &str = "tournament_id, entry_id, close_seq, piece, symbol, closed_at, score, threshold, \
     flagged, feature_1, share_1, value_1, feature_2, share_2, value_2, feature_3, share_3, value_3, reason";

/// The flagged trades of one entry, highest score first (empty when there are none or the
/// entry is unknown).
pub async fn anomalies_of_entry(
    ctx: &SessionContext,
    tournament_id: i64,
    entry_id: i64,
) -> Result<Vec<TradeAnomaly>, AnalyticsError> {
    let sql = format!(
        "SELECT {ANOMALY_COLUMNS} FROM trade_anomalies \
         WHERE tournament_id = {tournament_id} AND entry_id = {entry_id} AND flagged \
         ORDER BY score DESC, close_seq, piece"
    );
    rows_to_anomalies(&collect(ctx, &sql).await?)
}

/// The `limit` highest-scoring flagged trades and pairs across all tournaments.
pub async fn platform_anomalies(ctx: &SessionContext, limit: usize) -> Result<PlatformAnomalies, AnalyticsError> {
    let trades_sql = format!(
        "SELECT {ANOMALY_COLUMNS} FROM trade_anomalies WHERE flagged \
         ORDER BY score DESC, tournament_id, close_seq, piece LIMIT {limit}"
    );
    let pairs_sql = format!(
        "SELECT tournament_id, entry_a, entry_b, symbols, events, first_at, last_at, expected, lift, p_value, \
         score, reason FROM coordinated_pairs ORDER BY score DESC, tournament_id, entry_a, entry_b LIMIT {limit}"
    );
    let trades = rows_to_anomalies(&collect(ctx, &trades_sql).await?)?;
    let mut pairs = Vec::new();
    for b in collect(ctx, &pairs_sql).await? {
        let (t, a, bb) = (i64s(&b, "tournament_id")?, i64s(&b, "entry_a")?, i64s(&b, "entry_b")?);
        let (symbols, events) = (strings(&b, "symbols")?, i64s(&b, "events")?);
        let (first, last) = (i64s(&b, "first_at")?, i64s(&b, "last_at")?);
        let (expected, lift, p) = (f64s(&b, "expected")?, f64s(&b, "lift")?, f64s(&b, "p_value")?);
        let (score, reason) = (f64s(&b, "score")?, strings(&b, "reason")?);
        for i in 0..b.num_rows() {
            pairs.push(CoordinatedPair {
                tournament_id: t[i],
                entry_a: a[i],
                entry_b: bb[i],
                symbols: symbols[i].split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                events: events[i],
                first_at: first[i],
                last_at: last[i],
                expected: expected[i],
                lift: lift[i],
                p_value: p[i],
                score: score[i],
                reason: reason[i].clone(),
            });
        }
    }
    Ok(PlatformAnomalies { trades, pairs })
}

/// `trade_anomalies` rows (with `tournament_id`) as values.
fn rows_to_anomalies(batches: &[RecordBatch]) -> Result<Vec<TradeAnomaly>, AnalyticsError> {
    let mut out = Vec::new();
    for b in batches {
        let (t, e, seq, piece) =
            (i64s(b, "tournament_id")?, i64s(b, "entry_id")?, i64s(b, "close_seq")?, i64s(b, "piece")?);
        let (symbol, closed) = (strings(b, "symbol")?, i64s(b, "closed_at")?);
        let (score, threshold, flagged) = (f64s(b, "score")?, opt_f64s(b, "threshold")?, bools(b, "flagged")?);
        let reason = opt_strings(b, "reason")?;
        let mut features = Vec::with_capacity(STORED_FEATURES);
        for k in 1..=STORED_FEATURES {
            features.push((
                opt_strings(b, &format!("feature_{k}"))?,
                opt_f64s(b, &format!("share_{k}"))?,
                opt_f64s(b, &format!("value_{k}"))?,
            ));
        }
        for i in 0..b.num_rows() {
            let contributions = features
                .iter()
                .filter_map(|(names, shares, values)| {
                    Some(FeatureContribution {
                        feature: names[i].clone()?,
                        share: shares[i].unwrap_or(0.0),
                        value: values[i].unwrap_or(0.0),
                    })
                })
                .collect();
            out.push(TradeAnomaly {
                tournament_id: t[i],
                entry_id: e[i],
                close_seq: seq[i],
                piece: i32::try_from(piece[i]).unwrap_or(0),
                symbol: symbol[i].clone(),
                closed_at: closed[i],
                score: score[i],
                threshold: threshold[i],
                flagged: flagged[i],
                contributions,
                reason: reason[i].clone().unwrap_or_default(),
            });
        }
    }
    Ok(out)
}
