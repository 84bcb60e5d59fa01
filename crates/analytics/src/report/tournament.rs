//! The report of a whole tournament for coaches and admins: standings with each entry's return,
//! rank, percentile and risk, the distribution of returns, the most traded symbols and the
//! number of flagged trades. Whole-tournament scans, run concurrently.

use std::collections::HashMap;

use bullpen_domain::{benchmark_on, Money};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::queries::run_query;
use bullpen_warehouse::Report as Query;
use chrono::NaiveDate;

use super::data::{self, benchmark, ratio_return};
use super::entry::risk_rows;
use super::model::{Period, ReturnBucket, ReturnDistribution, Standing, TournamentReport, TradedSymbol};
use super::table::{date_param, id_param, query, required, Rows};
use super::{Progress, Window};
use crate::error::AnalyticsError;

/// Buckets of the distribution of returns.
const BUCKETS: usize = 20;

async fn snapshot_days(ctx: &SessionContext, t: i64, to: NaiveDate) -> Result<Vec<NaiveDate>, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT DISTINCT date FROM equity_snapshots WHERE tournament_id = $1 AND date <= $2 ORDER BY date",
        vec![id_param(t), date_param(to)],
    )
    .await?;
    Ok(rows.dates("date")?.into_iter().flatten().collect())
}

async fn standings(
    ctx: &SessionContext,
    t: i64,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<Standing>, AnalyticsError> {
    let result = run_query(ctx, Query::Standings, vec![id_param(t), date_param(start), date_param(end)]).await?;
    let rows = Rows::new(result.batches);
    let (ids, start_equity, end_equity, ret, rank, pct) = (
        rows.i64s("entry_id")?,
        rows.money("start_equity")?,
        rows.money("end_equity")?,
        rows.f64s("period_return")?,
        rows.i64s("rank")?,
        rows.f64s("percentile")?,
    );
    (0..ids.len())
        .map(|i| {
            Ok(Standing {
                rank: required(rank[i], "rank")?,
                entry_id: required(ids[i], "entry_id")?,
                start_equity: required(start_equity[i], "start_equity")?,
                end_equity: required(end_equity[i], "end_equity")?,
                period_return: ret[i].unwrap_or(0.0),
                percentile: pct[i].unwrap_or(0.0),
                risk: None,
            })
        })
        .collect()
}

async fn most_traded(ctx: &SessionContext, t: i64, window: Window) -> Result<Vec<TradedSymbol>, AnalyticsError> {
    let result =
        run_query(ctx, Query::MostTraded, vec![id_param(t), date_param(window.from), date_param(window.to)]).await?;
    let rows = Rows::new(result.batches);
    let (symbol, sector, fills, traders, shares, notional, fees) = (
        rows.strings("symbol")?,
        rows.strings("sector")?,
        rows.i64s("fills")?,
        rows.i64s("traders")?,
        rows.i64s("shares")?,
        rows.money("traded_notional")?,
        rows.money("fees")?,
    );
    (0..symbol.len())
        .map(|i| {
            Ok(TradedSymbol {
                symbol: required(symbol[i].clone(), "symbol")?,
                sector: sector[i].clone().unwrap_or_else(|| "Unknown".to_string()),
                fills: fills[i].unwrap_or(0),
                traders: traders[i].unwrap_or(0),
                shares: shares[i].unwrap_or(0),
                traded_notional: notional[i].unwrap_or(Money::ZERO),
                fees: fees[i].unwrap_or(Money::ZERO),
            })
        })
        .collect()
}

/// Linear-interpolation percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The distribution of returns: summary statistics and equal-width buckets.
pub(crate) fn distribution(returns: &[f64]) -> Option<ReturnDistribution> {
    let mut sorted: Vec<f64> = returns.iter().copied().filter(|r| r.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let width = (max - min) / BUCKETS as f64;
    let mut buckets: Vec<ReturnBucket> = (0..BUCKETS)
        .map(|i| ReturnBucket {
            from_return: min + width * i as f64,
            to_return: if i + 1 == BUCKETS { max } else { min + width * (i + 1) as f64 },
            entries: 0,
        })
        .collect();
    for r in &sorted {
        let i = if width > 0.0 { (((r - min) / width) as usize).min(BUCKETS - 1) } else { 0 };
        buckets[i].entries += 1;
    }
    if width <= 0.0 {
        buckets.truncate(1);
    }
    Some(ReturnDistribution {
        entries: sorted.len() as i64,
        mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
        p10: percentile(&sorted, 0.1),
        p25: percentile(&sorted, 0.25),
        median: percentile(&sorted, 0.5),
        p75: percentile(&sorted, 0.75),
        p90: percentile(&sorted, 0.9),
        min,
        max,
        buckets,
    })
}

/// Builds the report of a whole tournament over `window`.
pub(crate) async fn build(
    ctx: &SessionContext,
    tournament_id: i64,
    window: Window,
    progress: &Progress<'_>,
) -> Result<TournamentReport, AnalyticsError> {
    let t = tournament_id;
    progress(10, "reading the tournament");
    let tournament = data::tournament(ctx, t).await?;
    progress(20, "reading the standings, risk and most traded symbols");
    let days = snapshot_days(ctx, t, window.to).await?;
    let start_close = days.iter().rev().find(|d| **d < window.from).copied();
    let end_close = days.iter().rev().find(|d| **d >= window.from).copied();
    let mut notes = Vec::new();
    let standings_future = async {
        match end_close {
            Some(end) => {
                let start = start_close.or_else(|| window.from.pred_opt()).unwrap_or(window.from);
                standings(ctx, t, start, end).await
            }
            None => Ok(Vec::new()),
        }
    };
    let risk_future = async {
        let result =
            run_query(ctx, Query::TournamentRisk, vec![id_param(t), date_param(window.from), date_param(window.to)])
                .await?;
        risk_rows(&Rows::new(result.batches))
    };
    let (mut standings, risk, most_traded, instruments, closes) = tokio::try_join!(
        standings_future,
        risk_future,
        most_traded(ctx, t, window),
        data::instruments(ctx, tournament.rules.as_ref()),
        data::closes(ctx, window.from, window.to),
    )?;
    progress(70, "computing the distribution and the benchmark");
    let risk: HashMap<i64, _> = risk.into_iter().filter_map(|(id, r)| id.map(|id| (id, r))).collect();
    for s in &mut standings {
        s.risk = risk.get(&s.entry_id).cloned();
    }
    if end_close.is_none() {
        notes.push("No end-of-day snapshot in the window: no standings.".to_string());
    }
    let returns: Vec<f64> = standings.iter().map(|s| s.period_return).collect();
    let universe = |s: &str| instruments.get(s).is_none_or(|(_, inside)| *inside);
    let cash = tournament.info.starting_cash;
    let bench = benchmark(&closes, &universe, window.from, window.to, cash);
    let benchmark_return = end_close.and_then(|d| benchmark_on(&bench, d)).map(|b| ratio_return(cash, b));
    if bench.is_empty() {
        notes.push("No daily bars in the window: the equal-weight benchmark is not computed.".to_string());
    }
    progress(80, "counting flagged trades");
    let anomalies = super::anomalies::count_in_tournament(ctx, t, window, &mut notes).await;
    Ok(TournamentReport {
        tournament: tournament.info,
        period: Period { from: window.from, to: window.to, start_close, end_close },
        benchmark_return,
        distribution: distribution(&returns),
        standings,
        most_traded,
        anomalies,
        notes,
    })
}
