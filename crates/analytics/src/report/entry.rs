//! The report of one entry over a window of days, from the warehouse only. The queries read
//! one entry's rows (the files are sorted by entry, so the page index skips the rest) and run
//! concurrently; the standings read only the two snapshot days that bound the window.

use std::collections::BTreeMap;

use bullpen_domain::{benchmark_on, Money};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use bullpen_warehouse::queries::run_query;
use bullpen_warehouse::Report as Query;
use chrono::NaiveDate;

use super::data::{self, benchmark, close_on, ratio_return, Closes, MARK_LOOKBACK_DAYS};
use super::model::{Breakdown, CurvePoint, EntryReport, Fill, Period, Risk, SectorPnl, Summary, SymbolPnl};
use super::table::{date_param, id_param, query, required, Rows};
use super::{Progress, Window};
use crate::error::AnalyticsError;

/// One ledger row of the entry.
struct LedgerRow {
    date: NaiveDate,
    kind: String,
    symbol: Option<String>,
    cash_delta: Money,
    qty_after: i64,
}

/// One closed round trip of the entry.
struct Trip {
    date: NaiveDate,
    symbol: String,
    realized_pnl: Money,
}

/// A fill with its partition day.
struct DatedFill {
    date: NaiveDate,
    fill: Fill,
}

async fn trader_id(ctx: &SessionContext, tournament_id: i64, entry_id: i64) -> Result<String, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT trader_id FROM entries WHERE tournament_id = $1 AND entry_id = $2",
        vec![id_param(tournament_id), id_param(entry_id)],
    )
    .await?;
    match rows.strings("trader_id")?.into_iter().next() {
        Some(Some(id)) => Ok(id),
        _ => Err(AnalyticsError::NotFound(format!(
            "entry {entry_id} of tournament {tournament_id} is not in the warehouse (a wrong id, or run `bullpen etl` to bring it up to date)"
        ))),
    }
}

async fn equity_series(
    ctx: &SessionContext,
    t: i64,
    e: i64,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, Money)>, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT date, equity FROM equity_snapshots WHERE tournament_id = $1 AND entry_id = $2 AND date <= $3 ORDER BY date",
        vec![id_param(t), id_param(e), date_param(to)],
    )
    .await?;
    let (dates, equity) = (rows.dates("date")?, rows.money("equity")?);
    dates.into_iter().zip(equity).map(|(d, m)| Ok((required(d, "date")?, required(m, "equity")?))).collect()
}

async fn fills(ctx: &SessionContext, t: i64, e: i64, to: NaiveDate) -> Result<Vec<DatedFill>, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT seq, date, ts, order_id, symbol, side, qty, price, notional, fee, cash_delta, position_after \
         FROM fills WHERE tournament_id = $1 AND entry_id = $2 AND date <= $3 ORDER BY seq",
        vec![id_param(t), id_param(e), date_param(to)],
    )
    .await?;
    let (seq, date, ts, order_id, symbol, side) = (
        rows.i64s("seq")?,
        rows.dates("date")?,
        rows.times("ts")?,
        rows.i64s("order_id")?,
        rows.strings("symbol")?,
        rows.strings("side")?,
    );
    let (qty, price, notional, fee, cash_delta, position_after) = (
        rows.i64s("qty")?,
        rows.money("price")?,
        rows.money("notional")?,
        rows.money("fee")?,
        rows.money("cash_delta")?,
        rows.i64s("position_after")?,
    );
    let mut out = Vec::with_capacity(seq.len());
    for i in 0..seq.len() {
        out.push(DatedFill {
            date: required(date[i], "date")?,
            fill: Fill {
                seq: required(seq[i], "seq")?,
                ts: required(ts[i], "ts")?,
                order_id: order_id[i],
                symbol: required(symbol[i].clone(), "symbol")?,
                side: required(side[i].clone(), "side")?,
                qty: required(qty[i], "qty")?,
                price: required(price[i], "price")?,
                notional: required(notional[i], "notional")?,
                fee: required(fee[i], "fee")?,
                cash_delta: required(cash_delta[i], "cash_delta")?,
                position_after: required(position_after[i], "position_after")?,
            },
        });
    }
    Ok(out)
}

async fn trips(ctx: &SessionContext, t: i64, e: i64, to: NaiveDate) -> Result<Vec<Trip>, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT date, symbol, realized_pnl FROM round_trips WHERE tournament_id = $1 AND entry_id = $2 AND date <= $3",
        vec![id_param(t), id_param(e), date_param(to)],
    )
    .await?;
    let (date, symbol, pnl) = (rows.dates("date")?, rows.strings("symbol")?, rows.money("realized_pnl")?);
    let mut out = Vec::with_capacity(date.len());
    for ((d, s), p) in date.into_iter().zip(symbol).zip(pnl) {
        out.push(Trip {
            date: required(d, "date")?,
            symbol: required(s, "symbol")?,
            realized_pnl: required(p, "realized_pnl")?,
        });
    }
    Ok(out)
}

async fn ledger(ctx: &SessionContext, t: i64, e: i64, to: NaiveDate) -> Result<Vec<LedgerRow>, AnalyticsError> {
    let rows = query(
        ctx,
        "SELECT date, kind, symbol, cash_delta, qty_after FROM ledger \
         WHERE tournament_id = $1 AND entry_id = $2 AND date <= $3 ORDER BY seq",
        vec![id_param(t), id_param(e), date_param(to)],
    )
    .await?;
    let (date, kind, symbol, cash, qty) = (
        rows.dates("date")?,
        rows.strings("kind")?,
        rows.strings("symbol")?,
        rows.money("cash_delta")?,
        rows.i64s("qty_after")?,
    );
    let mut out = Vec::with_capacity(date.len());
    for i in 0..date.len() {
        out.push(LedgerRow {
            date: required(date[i], "date")?,
            kind: required(kind[i].clone(), "kind")?,
            symbol: symbol[i].clone(),
            cash_delta: required(cash[i], "cash_delta")?,
            qty_after: qty[i].unwrap_or(0),
        });
    }
    Ok(out)
}

/// The risk row of `entry_risk.sql` / `tournament_risk.sql`.
pub(crate) fn risk_rows(rows: &Rows) -> Result<Vec<(Option<i64>, Risk)>, AnalyticsError> {
    let entry = rows.i64s("entry_id").unwrap_or_else(|_| vec![None; rows.len()]);
    let (days, mean, vol, sharpe, sortino, dd) = (
        rows.i64s("days")?,
        rows.f64s("mean_return")?,
        rows.f64s("volatility")?,
        rows.f64s("sharpe")?,
        rows.f64s("sortino")?,
        rows.f64s("max_drawdown")?,
    );
    Ok((0..days.len())
        .map(|i| {
            (
                entry[i],
                Risk {
                    days: days[i].unwrap_or(0),
                    mean_daily_return: mean[i].unwrap_or(0.0),
                    volatility: vol[i].unwrap_or(0.0),
                    sharpe: sharpe[i].unwrap_or(0.0),
                    sortino: sortino[i].unwrap_or(0.0),
                    max_drawdown: dd[i].unwrap_or(0.0),
                },
            )
        })
        .collect())
}

async fn risk(ctx: &SessionContext, t: i64, e: i64, window: Window) -> Result<Risk, AnalyticsError> {
    let result = run_query(
        ctx,
        Query::EntryRisk,
        vec![id_param(t), id_param(e), date_param(window.from), date_param(window.to)],
    )
    .await?;
    let rows = Rows::new(result.batches);
    Ok(risk_rows(&rows)?.into_iter().next().map(|(_, r)| r).unwrap_or(Risk {
        days: 0,
        mean_daily_return: 0.0,
        volatility: 0.0,
        sharpe: 0.0,
        sortino: 0.0,
        max_drawdown: 0.0,
    }))
}

/// The standings row of one entry: (rank, entries, percentile).
async fn standing(
    ctx: &SessionContext,
    t: i64,
    e: i64,
    start_day: NaiveDate,
    end_day: NaiveDate,
) -> Result<(Option<i64>, i64, Option<f64>), AnalyticsError> {
    let result =
        run_query(ctx, Query::Standings, vec![id_param(t), date_param(start_day), date_param(end_day)]).await?;
    let rows = Rows::new(result.batches);
    let (ids, rank, percentile, entries) =
        (rows.i64s("entry_id")?, rows.i64s("rank")?, rows.f64s("percentile")?, rows.i64s("entries")?);
    let total = entries.first().copied().flatten().unwrap_or(0);
    Ok(ids.iter().position(|id| *id == Some(e)).map_or((None, total, None), |i| (rank[i], total, percentile[i])))
}

/// `qty × mark`, exact; saturates far beyond any real amount.
fn value(qty: i64, mark: Money) -> Money {
    Money(i64::try_from(i128::from(qty) * i128::from(mark.0)).unwrap_or(if (qty < 0) == (mark.0 < 0) {
        i64::MAX
    } else {
        i64::MIN
    }))
}

/// Per symbol as of the end of `day`: (open qty, mark, unrealized P&L).
fn unrealized_on(
    symbol: &str,
    day: Option<NaiveDate>,
    fills: &[DatedFill],
    trips: &[Trip],
    ledger: &[LedgerRow],
    closes: &Closes,
) -> (i64, Option<Money>, Option<Money>, Money) {
    let Some(day) = day else { return (0, None, None, Money::ZERO) };
    let qty = ledger
        .iter()
        .rev()
        .find(|l| l.date <= day && l.symbol.as_deref() == Some(symbol) && matches!(l.kind.as_str(), "trade" | "split"))
        .map_or(0, |l| l.qty_after);
    let cash_flow: Money =
        fills.iter().filter(|f| f.date <= day && f.fill.symbol == symbol).map(|f| f.fill.cash_delta).sum();
    let realized: Money = trips.iter().filter(|t| t.date <= day && t.symbol == symbol).map(|t| t.realized_pnl).sum();
    let bar = close_on(closes, symbol, day);
    let mark =
        bar.or_else(|| fills.iter().rev().find(|f| f.date <= day && f.fill.symbol == symbol).map(|f| f.fill.price));
    let market_value = mark.map_or(Money::ZERO, |m| value(qty, m));
    (qty, bar, Some(market_value), market_value + cash_flow - realized)
}

/// Builds the report of one entry over `window`.
pub(crate) async fn build(
    ctx: &SessionContext,
    tournament_id: i64,
    entry_id: i64,
    window: Window,
    progress: &Progress<'_>,
) -> Result<EntryReport, AnalyticsError> {
    let (t, e, to) = (tournament_id, entry_id, window.to);
    progress(10, "reading the tournament and the entry");
    let (tournament, trader) = tokio::try_join!(data::tournament(ctx, t), trader_id(ctx, t, e))?;
    progress(20, "reading equity, fills, round trips and ledger");
    let lookback = window.from.checked_sub_days(chrono::Days::new(MARK_LOOKBACK_DAYS)).unwrap_or(window.from);
    let series_and_standing = async {
        let series = equity_series(ctx, t, e, to).await?;
        let start_close = series.iter().rev().find(|(d, _)| *d < window.from).map(|(d, _)| *d);
        let end_close = series.iter().rev().find(|(d, _)| *d >= window.from).map(|(d, _)| *d);
        let standing = match end_close {
            Some(end) => {
                let start = start_close.or_else(|| window.from.pred_opt()).unwrap_or(window.from);
                standing(ctx, t, e, start, end).await?
            }
            None => (None, 0, None),
        };
        Ok::<_, AnalyticsError>((series, start_close, end_close, standing))
    };
    let (
        (series, start_close, end_close, (rank, entries, percentile)),
        fills,
        trips,
        ledger,
        instruments,
        closes,
        risk,
    ) = tokio::try_join!(
        series_and_standing,
        fills(ctx, t, e, to),
        trips(ctx, t, e, to),
        ledger(ctx, t, e, to),
        data::instruments(ctx, tournament.rules.as_ref()),
        data::closes(ctx, lookback, to),
        risk(ctx, t, e, window),
    )?;
    progress(60, "computing P&L, benchmark and breakdown");
    let mut notes = Vec::new();
    let equity_at = |day: Option<NaiveDate>| day.and_then(|d| series.iter().find(|(s, _)| *s == d).map(|(_, m)| *m));
    let start_equity = equity_at(start_close).unwrap_or(tournament.info.starting_cash);
    let end_equity = equity_at(end_close).unwrap_or(start_equity);
    if end_close.is_none() {
        notes.push("No end-of-day snapshot in the window: the end equity is the start equity.".to_string());
    }
    let universe = |s: &str| instruments.get(s).is_none_or(|(_, inside)| *inside);
    let bench = benchmark(&closes, &universe, window.from, to, start_equity);
    if bench.is_empty() {
        notes.push("No daily bars in the window: the equal-weight benchmark is not computed.".to_string());
    }
    let in_window = |d: NaiveDate| d >= window.from && d <= to;
    let equity_curve: Vec<CurvePoint> = series
        .iter()
        .filter(|(d, _)| in_window(*d))
        .map(|(d, m)| CurvePoint { date: *d, equity: *m, benchmark: benchmark_on(&bench, *d) })
        .collect();
    let benchmark_return = end_close.and_then(|d| benchmark_on(&bench, d)).map(|b| ratio_return(start_equity, b));
    let total_return = ratio_return(start_equity, end_equity);

    let before_window = window.from.pred_opt();
    let mut symbols: Vec<String> = fills.iter().map(|f| f.fill.symbol.clone()).collect();
    symbols.extend(ledger.iter().filter_map(|l| l.symbol.clone()));
    symbols.sort();
    symbols.dedup();
    let sector_of = |s: &str| instruments.get(s).map_or_else(|| "Unknown".to_string(), |(sector, _)| sector.clone());
    let mut pnl_by_symbol = Vec::new();
    let mut unrealized_start_total = Money::ZERO;
    for symbol in &symbols {
        let window_fills: Vec<&Fill> =
            fills.iter().filter(|f| in_window(f.date) && &f.fill.symbol == symbol).map(|f| &f.fill).collect();
        let window_trips: Vec<&Trip> = trips.iter().filter(|t| in_window(t.date) && &t.symbol == symbol).collect();
        let dividends: Money = ledger
            .iter()
            .filter(|l| in_window(l.date) && l.kind == "dividend" && l.symbol.as_deref() == Some(symbol))
            .map(|l| l.cash_delta)
            .sum();
        let (open_qty, last_close, market_value, unrealized) =
            unrealized_on(symbol, Some(to), &fills, &trips, &ledger, &closes);
        let (.., unrealized_start) = unrealized_on(symbol, before_window, &fills, &trips, &ledger, &closes);
        unrealized_start_total += unrealized_start;
        let row = SymbolPnl {
            symbol: symbol.clone(),
            sector: sector_of(symbol),
            fills: window_fills.len() as i64,
            traded_notional: window_fills.iter().map(|f| f.notional).sum(),
            fees: window_fills.iter().map(|f| f.fee).sum(),
            round_trips: window_trips.len() as i64,
            realized_pnl: window_trips.iter().map(|t| t.realized_pnl).sum(),
            open_qty,
            last_close,
            market_value: market_value.unwrap_or(Money::ZERO),
            unrealized_pnl: unrealized,
            dividends,
        };
        if row.fills > 0 || row.round_trips > 0 || row.open_qty != 0 || row.dividends != Money::ZERO {
            pnl_by_symbol.push(row);
        }
    }
    pnl_by_symbol.sort_by(|a, b| {
        (b.realized_pnl + b.unrealized_pnl).cmp(&(a.realized_pnl + a.unrealized_pnl)).then(a.symbol.cmp(&b.symbol))
    });
    let pnl_by_sector = by_sector(&pnl_by_symbol);

    let sum_kind = |kinds: &[&str]| -> Money {
        ledger.iter().filter(|l| in_window(l.date) && kinds.contains(&l.kind.as_str())).map(|l| l.cash_delta).sum()
    };
    let realized_pnl: Money = pnl_by_symbol.iter().map(|r| r.realized_pnl).sum();
    let unrealized_end: Money = pnl_by_symbol.iter().map(|r| r.unrealized_pnl).sum();
    let unrealized_change = unrealized_end - unrealized_start_total;
    // The first deposit is the starting cash, already the start equity when the window starts
    // with the tournament.
    let all_deposits = sum_kind(&["deposit"]);
    let initial = if start_close.is_none() { tournament.info.starting_cash.min(all_deposits) } else { Money::ZERO };
    let (dividends, interest, deposits) =
        (sum_kind(&["dividend"]), sum_kind(&["interest", "borrow_fee"]), all_deposits - initial);
    let explained = start_equity + realized_pnl + unrealized_change + dividends + interest + deposits;
    let breakdown = Breakdown {
        start_equity,
        realized_pnl,
        unrealized_change,
        dividends,
        interest,
        deposits,
        fees: pnl_by_symbol.iter().map(|r| r.fees).sum(),
        other: end_equity - explained,
        end_equity,
    };
    let window_fills: Vec<Fill> = fills.into_iter().filter(|f| in_window(f.date)).map(|f| f.fill).collect();
    let window_trips: Vec<&Trip> = trips.iter().filter(|t| in_window(t.date)).collect();
    let summary = Summary {
        start_equity,
        end_equity,
        change: end_equity - start_equity,
        total_return,
        benchmark_return,
        excess_return: benchmark_return.map(|b| total_return - b),
        rank,
        entries,
        percentile,
        fills: window_fills.len() as i64,
        round_trips: window_trips.len() as i64,
        winning_trips: window_trips.iter().filter(|t| t.realized_pnl.0 > 0).count() as i64,
    };
    progress(70, "scoring anomalies");
    let anomalies = super::anomalies::of_entry(ctx, t, e, window, &mut notes).await;
    Ok(EntryReport {
        tournament: tournament.info,
        entry_id,
        trader_id: trader,
        period: Period { from: window.from, to, start_close, end_close },
        summary,
        risk,
        equity_curve,
        fills: window_fills,
        pnl_by_symbol,
        pnl_by_sector,
        breakdown,
        anomalies,
        notes,
    })
}

fn by_sector(rows: &[SymbolPnl]) -> Vec<SectorPnl> {
    let mut sectors: BTreeMap<&str, SectorPnl> = BTreeMap::new();
    for r in rows {
        let s = sectors.entry(r.sector.as_str()).or_insert_with(|| SectorPnl {
            sector: r.sector.clone(),
            symbols: 0,
            traded_notional: Money::ZERO,
            fees: Money::ZERO,
            realized_pnl: Money::ZERO,
            unrealized_pnl: Money::ZERO,
            market_value: Money::ZERO,
            dividends: Money::ZERO,
        });
        s.symbols += 1;
        s.traded_notional += r.traded_notional;
        s.fees += r.fees;
        s.realized_pnl += r.realized_pnl;
        s.unrealized_pnl += r.unrealized_pnl;
        s.market_value += r.market_value;
        s.dividends += r.dividends;
    }
    let mut out: Vec<SectorPnl> = sectors.into_values().collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.realized_pnl + s.unrealized_pnl));
    out
}
