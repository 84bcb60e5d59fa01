//! Scoring round trips: each trade's facts from the warehouse, the trader's baseline from their
//! earlier trades, and one streaming detector per tournament replayed in sequence order.

use std::collections::{BTreeSet, HashMap};

use bullpen_insights::anomaly::{DetectorConfig, Threshold, TradeAnomalyDetector, TradeScore};
use bullpen_insights::features::{TradeFacts, TraderBaseline, FEATURE_COUNT};
use bullpen_insights::rrcf::ForestConfig;
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::schema::{part_path, PartitionKey};
use bullpen_warehouse::{Location, Table};

use super::cursor::{PendingStep, ScoringCursor};
use super::inputs::{self, Entries, Fill, Trip};
use super::{saved, tables, FeatureContribution, ScoringReport, TradeAnomaly};
use crate::AnalyticsError;

/// A trader's trade is scored once they have closed at least this many earlier trades (a
/// baseline from fewer says little about their habits).
pub(crate) const MIN_HISTORY: usize = 10;
/// The baseline is computed from the trader's last this many trades.
const BASELINE_TRADES: usize = 100;
// A history trimmed to the baseline's window still answers "enough history?" rightly.
const _: () = assert!(MIN_HISTORY <= BASELINE_TRADES);
/// The frequency feature counts the trader's fills in this window before the trade opened.
const FREQUENCY_WINDOW_MICROS: i64 = 7 * MICROS_PER_DAY;
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Concentration is capped at ten times the portfolio (leverage or stale equity).
const MAX_WEIGHT: f64 = 10.0;

/// The detector every tournament is scored with: the insights defaults (50 trees of 256
/// trades, flag above 5× the mean score of the last 2,000 trades, top 3 features) with a
/// shorter warm-up of 200 scored trades, so that small tournaments get flags too, and the
/// tournament id as seed, so that a replay is deterministic.
pub(crate) fn detector_config(tournament_id: i64) -> DetectorConfig {
    DetectorConfig {
        forest: ForestConfig::new(FEATURE_COUNT).seed(tournament_id.unsigned_abs()),
        warmup: 200,
        threshold: Threshold::MeanMultiple { multiple: 5.0, window: 2000 },
        top_features: 3,
    }
}

/// Scores the tournament's round trips past the cursor up to `head`, one step at a time (a
/// pending step first, exactly as it was started), writing one file per step.
///
/// A step resumes the detector saved by the step before ([`saved`]) and reads only the new
/// round trips and the history of the traders who made them; without a usable saved detector
/// it replays the tournament from its first round trip. Both give the same rows.
pub(crate) async fn score_tournament(
    location: &Location,
    ctx: &SessionContext,
    cursor: &mut ScoringCursor,
    tournament_id: i64,
    head: i64,
    report: &mut ScoringReport,
) -> Result<(), AnalyticsError> {
    let mut state = cursor.tournament(tournament_id);
    let config = detector_config(tournament_id);
    loop {
        let step = match &state.pending {
            Some(p) => p.clone(),
            None if head > state.trips_seq => PendingStep {
                to: head,
                file: part_path(Table::TradeAnomalies, &PartitionKey::Tournament(tournament_id), state.trips_seq, head),
            },
            None => return Ok(()),
        };
        state.pending = Some(step.clone());
        cursor.set(tournament_id, state.clone());
        cursor.save(location).await?;

        let started = std::time::Instant::now();
        let scored = match saved::load(location, tournament_id, state.trips_seq, &config).await? {
            Some(detector) => resume(ctx, tournament_id, detector, state.trips_seq, step.to).await?,
            None => {
                let scored = replay_from_start(ctx, tournament_id, state.trips_seq, step.to).await?;
                report.trades_replayed += scored.replayed;
                scored
            }
        };
        let Scored { rows, skipped, detector, replayed } = scored;
        tracing::info!(
            tournament = tournament_id,
            from = state.trips_seq,
            to = step.to,
            scored = rows.len(),
            replayed,
            seconds = started.elapsed().as_secs_f64(),
            "trade scoring step"
        );
        if rows.is_empty() {
            location.delete(&step.file).await?;
        } else {
            let batch = tables::trade_anomalies(&rows)?;
            let bytes = bullpen_warehouse::encode::parquet_bytes(&[batch])?;
            location.put(&step.file, bytes).await?;
            location.sync(vec![step.file.clone()]).await?;
            report.files_written.push(step.file.clone());
        }
        report.trades_scored += rows.len();
        report.trades_flagged += rows.iter().filter(|r| r.flagged).count();
        report.trades_skipped += skipped;

        // Saved before the cursor moves: a crash in between leaves a detector one step ahead of
        // the cursor, which the redo does not use (it replays), so nothing is scored twice.
        saved::save(location, tournament_id, step.to, detector).await?;
        state.trips_seq = step.to;
        state.pending = None;
        cursor.set(tournament_id, state.clone());
        cursor.save(location).await?;
    }
}

/// What a step produced: the rows for the round trips with `from < close_seq <= to`, how many
/// of those were skipped, the detector after all of them, and how many earlier round trips had
/// to be replayed to rebuild it.
struct Scored {
    rows: Vec<TradeAnomaly>,
    skipped: usize,
    detector: TradeAnomalyDetector,
    replayed: usize,
}

/// A step without a saved detector: replays every round trip of the tournament up to `to`.
async fn replay_from_start(
    ctx: &SessionContext,
    tournament_id: i64,
    from: i64,
    to: i64,
) -> Result<Scored, AnalyticsError> {
    let trips = inputs::trips(ctx, tournament_id, i64::MIN, to, Entries::All).await?;
    let fills = inputs::fills(ctx, tournament_id, to, Entries::All).await?;
    let equity = EquityHistory::read(ctx, tournament_id, Entries::All).await?;
    replay(tournament_id, &trips, &fills, &equity, from)
}

/// A step from a saved detector: reads the round trips past `from` and, for the traders who
/// made them, their earlier round trips (for their baselines), fills (for the frequency
/// feature) and equity (for concentration).
async fn resume(
    ctx: &SessionContext,
    tournament_id: i64,
    detector: TradeAnomalyDetector,
    from: i64,
    to: i64,
) -> Result<Scored, AnalyticsError> {
    let started = std::time::Instant::now();
    let fresh = inputs::trips(ctx, tournament_id, from, to, Entries::All).await?;
    let traders: BTreeSet<i64> = fresh.iter().map(|t| t.entry_id).collect();
    let earlier = inputs::trips(ctx, tournament_id, i64::MIN, from, Entries::Only(&traders)).await?;
    let trips_read = started.elapsed();
    let activity = FillTimes::new(&inputs::fills(ctx, tournament_id, to, Entries::Only(&traders)).await?);
    let fills_read = started.elapsed();
    let equity = EquityHistory::read(ctx, tournament_id, Entries::Only(&traders)).await?;
    let inputs_read = started.elapsed();
    let mut scorer = TripScorer::new(tournament_id, detector);
    for trip in &earlier {
        scorer.remember(trip.entry_id, facts_of(trip, &activity, &equity));
    }
    for trip in &fresh {
        scorer.observe(trip, facts_of(trip, &activity, &equity), true)?;
    }
    tracing::debug!(
        tournament = tournament_id,
        traders = traders.len(),
        earlier = earlier.len(),
        trips_s = trips_read.as_secs_f64(),
        fills_s = (fills_read - trips_read).as_secs_f64(),
        equity_s = (inputs_read - fills_read).as_secs_f64(),
        scoring_s = (started.elapsed() - inputs_read).as_secs_f64(),
        "resumed a saved detector"
    );
    Ok(scorer.finish(0))
}

/// Replays every round trip of the tournament (in sequence order) through a fresh detector and
/// returns the verdicts on those with `close_seq > from`, sorted by entry then sequence, how
/// many of those were skipped (too little history, unusable facts), and the detector.
fn replay(
    tournament_id: i64,
    trips: &[Trip],
    fills: &[Fill],
    equity: &EquityHistory,
    from: i64,
) -> Result<Scored, AnalyticsError> {
    let detector = TradeAnomalyDetector::new(detector_config(tournament_id))
        .map_err(|e| AnalyticsError::Invalid(format!("anomaly detector: {e}")))?;
    let activity = FillTimes::new(fills);
    let mut scorer = TripScorer::new(tournament_id, detector);
    let mut replayed = 0;
    for trip in trips {
        let fresh = trip.close_seq > from;
        replayed += usize::from(!fresh);
        scorer.observe(trip, facts_of(trip, &activity, equity), fresh)?;
    }
    Ok(scorer.finish(replayed))
}

/// The detector and each trader's recent trades, fed round trips in sequence order.
struct TripScorer {
    tournament_id: i64,
    detector: TradeAnomalyDetector,
    /// Each trader's valid trades, oldest first; only the last [`BASELINE_TRADES`] matter.
    history: HashMap<i64, Vec<TradeFacts>>,
    rows: Vec<TradeAnomaly>,
    skipped: usize,
}

impl TripScorer {
    fn new(tournament_id: i64, detector: TradeAnomalyDetector) -> Self {
        TripScorer { tournament_id, detector, history: HashMap::new(), rows: Vec::new(), skipped: 0 }
    }

    /// Adds a trade the detector has already seen to its trader's history.
    fn remember(&mut self, entry_id: i64, facts: TradeFacts) {
        if facts.validate().is_ok() {
            push_bounded(self.history.entry(entry_id).or_default(), facts);
        }
    }

    /// Scores a trade (once its trader has enough history) and learns from it; keeps a row for
    /// it when it is `fresh`.
    fn observe(&mut self, trip: &Trip, facts: TradeFacts, fresh: bool) -> Result<(), AnalyticsError> {
        if facts.validate().is_err() {
            self.skipped += usize::from(fresh);
            return Ok(());
        }
        let past = self.history.entry(trip.entry_id).or_default();
        let baseline = (past.len() >= MIN_HISTORY)
            .then(|| TraderBaseline::from_history(&past[past.len().saturating_sub(BASELINE_TRADES)..]))
            .flatten();
        match baseline {
            Some(baseline) => {
                let verdict = self
                    .detector
                    .observe(&facts, &baseline)
                    .map_err(|e| AnalyticsError::Invalid(format!("trade {}/{}: {e}", trip.close_seq, trip.piece)))?;
                if fresh {
                    self.rows.push(anomaly_row(self.tournament_id, trip, verdict));
                }
            }
            None => self.skipped += usize::from(fresh),
        }
        push_bounded(past, facts);
        Ok(())
    }

    fn finish(mut self, replayed: usize) -> Scored {
        self.rows.sort_by_key(|r| (r.entry_id, r.close_seq, r.piece));
        Scored { rows: self.rows, skipped: self.skipped, detector: self.detector, replayed }
    }
}

/// Appends to a trader's history, dropping trades older than the baseline's window now and
/// then (so memory stays bounded; the baseline and the history check see the same trades).
fn push_bounded(past: &mut Vec<TradeFacts>, facts: TradeFacts) {
    if past.len() >= 2 * BASELINE_TRADES {
        past.drain(..past.len() - BASELINE_TRADES);
    }
    past.push(facts);
}

/// Each entry's fill times, sorted, for the frequency feature.
struct FillTimes(HashMap<i64, Vec<i64>>);

impl FillTimes {
    fn new(fills: &[Fill]) -> Self {
        let mut by_entry: HashMap<i64, Vec<i64>> = HashMap::new();
        for f in fills {
            by_entry.entry(f.entry_id).or_default().push(f.at);
        }
        for times in by_entry.values_mut() {
            times.sort_unstable();
        }
        FillTimes(by_entry)
    }

    /// The entry's fills in the window before `at` (excluded).
    fn before(&self, entry_id: i64, at: i64) -> u32 {
        let Some(times) = self.0.get(&entry_id) else { return 0 };
        let start = times.partition_point(|&t| t < at.saturating_sub(FREQUENCY_WINDOW_MICROS));
        let end = times.partition_point(|&t| t < at);
        u32::try_from(end.saturating_sub(start)).unwrap_or(u32::MAX)
    }
}

/// Each entry's end-of-day equity, to weigh a trade against the portfolio it was made from.
pub(crate) struct EquityHistory {
    by_entry: HashMap<i64, Vec<(i64, f64)>>,
    starting_cash: Option<f64>,
}

impl EquityHistory {
    /// From `(entry, day number, equity)` rows and the tournament's starting cash.
    pub(crate) fn new(rows: Vec<(i64, i64, f64)>, starting_cash: Option<f64>) -> Self {
        let mut by_entry: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
        for (entry, day, equity) in rows {
            by_entry.entry(entry).or_default().push((day, equity));
        }
        for days in by_entry.values_mut() {
            days.sort_by_key(|&(day, _)| day);
        }
        EquityHistory { by_entry, starting_cash }
    }

    /// The equity history of the tournament's `entries`, from the warehouse.
    async fn read(ctx: &SessionContext, tournament_id: i64, entries: Entries<'_>) -> Result<Self, AnalyticsError> {
        Ok(EquityHistory::new(
            inputs::snapshots(ctx, tournament_id, entries).await?,
            inputs::starting_cash(ctx, tournament_id).await?,
        ))
    }

    /// The entry's equity at the last close before `at`'s UTC day, else the starting cash.
    fn before(&self, entry_id: i64, at: i64) -> Option<f64> {
        let day = at.div_euclid(MICROS_PER_DAY);
        self.by_entry
            .get(&entry_id)
            .and_then(|days| {
                let n = days.partition_point(|&(d, _)| d < day);
                n.checked_sub(1).map(|i| days[i].1)
            })
            .or(self.starting_cash)
    }
}

/// The facts the features are computed from.
fn facts_of(trip: &Trip, activity: &FillTimes, equity: &EquityHistory) -> TradeFacts {
    let weight = match equity.before(trip.entry_id, trip.opened_at) {
        Some(e) if e > 0.0 => (trip.notional / e).clamp(0.0, MAX_WEIGHT),
        _ => 0.0,
    };
    TradeFacts {
        entry_id: trip.entry_id.unsigned_abs(),
        symbol: trip.symbol.clone(),
        opened_at: trip.opened_at,
        closed_at: trip.closed_at,
        qty: trip.qty,
        entry_price: trip.entry_price,
        exit_price: trip.exit_price,
        notional: trip.notional,
        return_pct: trip.trade_return * 100.0,
        trades_in_window: activity.before(trip.entry_id, trip.opened_at),
        symbol_weight: weight,
    }
}

/// A row of `trade_anomalies` from the detector's verdict.
fn anomaly_row(tournament_id: i64, trip: &Trip, verdict: TradeScore) -> TradeAnomaly {
    let contributions: Vec<FeatureContribution> = verdict
        .contributions
        .iter()
        .map(|c| FeatureContribution {
            feature: c.feature.to_string(),
            share: if verdict.score > 0.0 { c.share / verdict.score } else { 0.0 },
            value: c.value,
        })
        .collect();
    let reason = if verdict.flagged { reason(verdict.score, verdict.threshold, &contributions) } else { String::new() };
    TradeAnomaly {
        tournament_id,
        entry_id: trip.entry_id,
        close_seq: trip.close_seq,
        piece: trip.piece,
        symbol: trip.symbol.clone(),
        closed_at: trip.closed_at,
        score: verdict.score,
        threshold: verdict.threshold,
        flagged: verdict.flagged,
        contributions,
        reason,
    }
}

/// How a feature is named in a sentence.
fn label(feature: &str) -> &str {
    match feature {
        "holding_period" => "holding period",
        "time_of_day" => "time of day",
        "concentration" => "concentration in the symbol",
        "frequency" => "trading frequency",
        other => other,
    }
}

/// Contributions below this share of the score are left out of the sentence (after the first).
const MENTIONED_SHARE: f64 = 0.05;

/// "Unusual trade (score 41.2, threshold 9.8): size 12.4σ above this trader's usual (71 % of the
/// score); return 3.1σ below (18 %)."
pub(crate) fn reason(score: f64, threshold: Option<f64>, contributions: &[FeatureContribution]) -> String {
    let mut parts = Vec::new();
    for (i, c) in contributions.iter().enumerate() {
        if i > 0 && c.share < MENTIONED_SHARE {
            continue;
        }
        let direction = match (c.feature.as_str(), c.value >= 0.0) {
            ("time_of_day", true) => "later than",
            ("time_of_day", false) => "earlier than",
            (_, true) => "above",
            (_, false) => "below",
        };
        let whose = if i == 0 { " this trader's usual" } else { "" };
        let direction =
            if i == 0 || !direction.ends_with("than") { direction } else { direction.trim_end_matches(" than") };
        let of_score = if i == 0 { " of the score" } else { "" };
        parts.push(format!(
            "{} {:.1}σ {direction}{whose} ({:.0} %{of_score})",
            label(&c.feature),
            c.value.abs(),
            c.share * 100.0
        ));
    }
    let threshold = threshold.map_or(String::new(), |t| format!(", threshold {t:.1}"));
    if parts.is_empty() {
        format!("Unusual trade (score {score:.1}{threshold}).")
    } else {
        format!("Unusual trade (score {score:.1}{threshold}): {}.", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_name_the_features_and_their_direction() {
        let c = vec![
            FeatureContribution { feature: "size".into(), share: 0.71, value: 12.43 },
            FeatureContribution { feature: "holding_period".into(), share: 0.18, value: -3.1 },
            FeatureContribution { feature: "return".into(), share: 0.01, value: 0.4 },
        ];
        assert_eq!(
            reason(41.23, Some(9.8), &c),
            "Unusual trade (score 41.2, threshold 9.8): size 12.4σ above this trader's usual (71 % of the score); \
             holding period 3.1σ below (18 %)."
        );
        let night = vec![
            FeatureContribution { feature: "time_of_day".into(), share: 0.6, value: -20.0 },
            FeatureContribution { feature: "time_of_day".into(), share: 0.3, value: 2.0 },
        ];
        assert_eq!(
            reason(30.0, Some(9.0), &night),
            "Unusual trade (score 30.0, threshold 9.0): time of day 20.0σ earlier than this trader's usual \
             (60 % of the score); time of day 2.0σ later (30 %)."
        );
        assert_eq!(reason(5.0, None, &[]), "Unusual trade (score 5.0).");
    }

    #[test]
    fn frequency_and_equity_look_only_at_the_past() {
        let fill = |entry_id, at| Fill { seq: 0, entry_id, at, symbol: "AAPL".into(), buy: true };
        let times = FillTimes::new(&[fill(1, 10), fill(1, 20), fill(1, 30), fill(2, 15)]);
        assert_eq!(times.before(1, 30), 2);
        assert_eq!(times.before(1, 31), 3);
        assert_eq!(times.before(3, 31), 0);
        let equity = EquityHistory::new(vec![(1, 0, 100.0), (1, 2, 300.0), (1, 1, 200.0)], Some(50.0));
        assert_eq!(equity.before(1, MICROS_PER_DAY * 2 + 5), Some(200.0));
        assert_eq!(equity.before(1, 5), Some(50.0));
        assert_eq!(equity.before(9, 5), Some(50.0));
    }
}
