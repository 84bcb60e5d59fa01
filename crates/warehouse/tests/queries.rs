//! The report queries (`queries/*.sql`) on the fixed scenario of `support`, against expected
//! outputs worked out by hand (and, for risk, by the engine's own scoring functions).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use bullpen_domain::scoring;
use bullpen_domain::Money;
use bullpen_warehouse::output::write_batches;
use bullpen_warehouse::queries::run_report;
use bullpen_warehouse::{open_session, ExportOptions, Exporter, Location, OutputFormat, Report, ReportParams};
use serde_json::Value;
use support::{entry_id, MemorySource, T};

async fn warehouse() -> (tempfile::TempDir, bullpen_warehouse::datafusion::prelude::SessionContext) {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();
    let source = Arc::new(MemorySource::new(10));
    Exporter::open(location.clone(), source, ExportOptions::default()).await.unwrap().run_once().await.unwrap();
    let ctx = open_session(&location).await.unwrap();
    (dir, ctx)
}

/// The report's rows as JSON objects.
async fn rows(ctx: &bullpen_warehouse::datafusion::prelude::SessionContext, report: Report, entry: i64) -> Vec<Value> {
    let result =
        run_report(ctx, report, ReportParams { tournament_id: T.0, entry_id: entry_id(entry).0 }).await.unwrap();
    let mut json = Vec::new();
    write_batches(&result.batches, &result.schema, OutputFormat::Json, &mut json).unwrap();
    match serde_json::from_slice(&json).unwrap() {
        Value::Array(rows) => rows,
        other => panic!("not an array: {other}"),
    }
}

/// A number from a JSON cell (decimals may come as text).
fn num(row: &Value, key: &str) -> f64 {
    match &row[key] {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        Value::Null => f64::NAN,
        other => panic!("{key}: {other}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trader_summary_ranks_and_totals() {
    let (_dir, ctx) = warehouse().await;
    // Final equities (Jan 4): entry 2 $10,088, entry 1 $10,087, entry 3 $10,023.
    let expected =
        [(1, 10_087.0, 2, 0.5, 3, 2_340.0, 3.0, 1, 1, 98.0), (2, 10_088.0, 1, 1.0, 2, 3_010.0, 2.0, 1, 0, -21.5)];
    for (entry, equity, rank, percentile, fills, notional, fees, trips, winners, realized) in expected {
        let r = rows(&ctx, Report::TraderSummary, entry).await;
        assert_eq!(r.len(), 1, "{r:?}");
        let r = &r[0];
        assert_eq!(r["entry_id"].as_i64(), Some(entry_id(entry).0));
        assert_eq!(r["as_of"].as_str(), Some("2024-01-04"));
        assert!(close(num(r, "start_equity"), 10_000.0) && close(num(r, "end_equity"), equity), "{r}");
        assert!(close(num(r, "total_return"), (equity - 10_000.0) / 10_000.0), "{r}");
        assert_eq!((r["rank"].as_u64(), r["entries"].as_i64()), (Some(rank), Some(3)), "{r}");
        assert!(close(num(r, "percentile"), percentile), "{r}");
        assert_eq!(r["fills"].as_i64(), Some(fills), "{r}");
        assert!(close(num(r, "traded_notional"), notional) && close(num(r, "fees"), fees), "{r}");
        assert_eq!((r["round_trips"].as_i64(), r["winning_trips"].as_i64()), (Some(trips), Some(winners)), "{r}");
        assert!(close(num(r, "realized_pnl"), realized), "{r}");
    }
    // An entry that does not exist has no summary.
    assert!(rows(&ctx, Report::TraderSummary, 99).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trader_risk_matches_the_engine_scoring() {
    let (_dir, ctx) = warehouse().await;
    let source = MemorySource::new(10);
    for entry in 1..=3 {
        let equity: Vec<Money> = source
            .data
            .snapshots
            .iter()
            .filter(|(_, s)| s.entry_id == entry_id(entry))
            .map(|(_, s)| s.equity)
            .collect();
        let start = Money::from_dollars(10_000);
        let returns = scoring::daily_returns(start, &equity);
        let r = rows(&ctx, Report::TraderRisk, entry).await;
        assert_eq!(r.len(), 1);
        let r = &r[0];
        assert_eq!(r["days"].as_i64(), Some(3));
        assert!(close(num(r, "volatility"), scoring::volatility(&returns)), "{entry}: {r}");
        assert!(close(num(r, "sharpe"), scoring::sharpe(&returns)), "{entry}: {r}");
        assert!(close(num(r, "sortino"), scoring::sortino(&returns)), "{entry}: {r}");
        assert!(close(num(r, "max_drawdown"), scoring::max_drawdown(start, &equity)), "{entry}: {r}");
    }
    // Entry 1: 10,049 → 10,098 → 10,087: the drawdown is 11 / 10,098.
    let r = &rows(&ctx, Report::TraderRisk, 1).await[0];
    assert!(close(num(r, "max_drawdown"), 11.0 / 10_098.0), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pnl_by_symbol_splits_closed_and_open() {
    let (_dir, ctx) = warehouse().await;
    let r = rows(&ctx, Report::PnlBySymbol, 1).await;
    assert_eq!(r.len(), 2, "{r:?}");
    let (aapl, xom) = (&r[0], &r[1]);
    assert_eq!((aapl["symbol"].as_str(), aapl["sector"].as_str()), (Some("AAPL"), Some("Information Technology")));
    assert_eq!(
        (aapl["fills"].as_i64(), aapl["round_trips"].as_i64(), aapl["open_qty"].as_i64()),
        (Some(2), Some(1), Some(0))
    );
    assert!(close(num(aapl, "traded_notional"), 2_100.0) && close(num(aapl, "fees"), 2.0), "{aapl}");
    assert!(close(num(aapl, "realized_pnl"), 98.0) && close(num(aapl, "avg_return"), 0.098), "{aapl}");
    assert!(close(num(aapl, "last_close"), 112.0) && close(num(aapl, "market_value"), 0.0), "{aapl}");
    assert_eq!(
        (xom["symbol"].as_str(), xom["fills"].as_i64(), xom["open_qty"].as_i64()),
        (Some("XOM"), Some(1), Some(5))
    );
    assert!(close(num(xom, "realized_pnl"), 0.0) && num(xom, "avg_return").is_nan(), "{xom}");
    assert!(close(num(xom, "last_close"), 46.0) && close(num(xom, "market_value"), 230.0), "{xom}");

    // Entry 2 still holds half its AAPL.
    let r = rows(&ctx, Report::PnlBySymbol, 2).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["open_qty"].as_i64(), Some(10));
    assert!(close(num(&r[0], "realized_pnl"), -21.5) && close(num(&r[0], "market_value"), 1_120.0), "{}", r[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_round_trips_rank_each_trade_in_its_symbol_week() {
    let (_dir, ctx) = warehouse().await;
    // AAPL in the week of Monday 2024-01-01: entry 1 made +9.8 %, entry 2 −21.5 / 1,010.
    let (won, lost) = (0.098, -21.5 / 1_010.0);
    let r = rows(&ctx, Report::PeerRoundTrips, 2).await;
    assert_eq!(r.len(), 1, "{r:?}");
    let r = &r[0];
    assert_eq!((r["symbol"].as_str(), r["piece"].as_i64(), r["close_seq"].as_i64()), (Some("AAPL"), Some(0), Some(8)));
    assert!(r["week"].as_str().unwrap().starts_with("2024-01-01"), "{r}");
    assert!(close(num(r, "trade_return"), lost), "{r}");
    assert!(close(num(r, "return_percentile"), 0.0), "{r}");
    assert_eq!((r["peer_trades"].as_i64(), r["peer_traders"].as_i64()), (Some(2), Some(2)));
    assert!(close(num(r, "return_p50"), (won + lost) / 2.0), "{r}");
    assert!(close(num(r, "return_p10"), lost + 0.1 * (won - lost)), "{r}");
    assert!(close(num(r, "return_p90"), lost + 0.9 * (won - lost)), "{r}");

    let r = rows(&ctx, Report::PeerRoundTrips, 1).await;
    assert_eq!(r.len(), 1);
    assert!(close(num(&r[0], "return_percentile"), 1.0), "{}", r[0]);
    // Both held their AAPL a day and three minutes: tied, so both rank at 0.
    assert!(close(num(&r[0], "holding_percentile"), 0.0), "{}", r[0]);

    // Entry 3's short in XOM is alone in its window.
    let r = rows(&ctx, Report::PeerRoundTrips, 3).await;
    assert_eq!(r.len(), 1);
    assert_eq!((r[0]["symbol"].as_str(), r[0]["peer_trades"].as_i64()), (Some("XOM"), Some(1)));
    assert!(close(num(&r[0], "trade_return"), 23.0 / 250.0), "{}", r[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_round_trip_groups_rank_by_symbol_sector_and_tournament() {
    let (_dir, ctx) = warehouse().await;
    let (won, lost, xom) = (0.098, -21.5 / 1_010.0, 23.0 / 250.0);
    let r = rows(&ctx, Report::PeerRoundTripGroups, 2).await;
    let groups: Vec<&str> = r.iter().map(|row| row["peer_group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["sector", "symbol", "tournament"], "{r:?}");
    for row in &r {
        assert_eq!((row["symbol"].as_str(), row["close_seq"].as_i64()), (Some("AAPL"), Some(8)), "{row}");
        assert_eq!(row["sector"].as_str(), Some("Information Technology"));
        assert!(close(num(row, "trade_return"), lost) && close(num(row, "return_percentile"), 0.0), "{row}");
    }
    // Symbol and sector: the two AAPL trades; the tournament adds the XOM short.
    for row in &r[..2] {
        assert_eq!((row["peer_trades"].as_i64(), row["peer_traders"].as_i64()), (Some(2), Some(2)), "{row}");
        assert!(close(num(row, "return_p50"), (won + lost) / 2.0), "{row}");
    }
    let all = &r[2];
    assert_eq!((all["group_key"].as_str(), all["peer_trades"].as_i64()), (Some("all"), Some(3)));
    assert!(close(num(all, "return_p50"), xom) && close(num(all, "return_p10"), lost + 0.2 * (xom - lost)), "{all}");
    assert!(close(num(all, "return_p90"), xom + 0.8 * (won - xom)), "{all}");
    // Entry 1's winner is first everywhere; entry 3's short is alone in Energy.
    let best = rows(&ctx, Report::PeerRoundTripGroups, 1).await;
    assert!(best.iter().all(|row| close(num(row, "return_percentile"), 1.0)), "{best:?}");
    let energy = rows(&ctx, Report::PeerRoundTripGroups, 3).await;
    let sector = energy.iter().find(|row| row["peer_group"] == "sector").unwrap();
    assert_eq!((sector["group_key"].as_str(), sector["peer_trades"].as_i64()), (Some("Energy"), Some(1)));
    let tournament = energy.iter().find(|row| row["peer_group"] == "tournament").unwrap();
    assert!(close(num(tournament, "return_percentile"), 0.5), "{tournament}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equity_curve_beside_the_median_and_top_decile() {
    let (_dir, ctx) = warehouse().await;
    let r = rows(&ctx, Report::EquityCurve, 1).await;
    assert_eq!(r.len(), 3, "{r:?}");
    let dates: Vec<&str> = r.iter().map(|row| row["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2024-01-02", "2024-01-03", "2024-01-04"]);
    // Jan 4: entry 2 $10,088, entry 1 $10,087, entry 3 $10,023: three entries, so the median is
    // the middle one and the top decile (the 3rd of 3 by nearest rank) the best.
    let last = &r[2];
    assert_eq!(last["entries"].as_i64(), Some(3));
    assert!(close(num(last, "equity"), 10_087.0), "{last}");
    assert!(close(num(last, "middle_low"), 10_087.0) && close(num(last, "middle_high"), 10_087.0), "{last}");
    assert!(close(num(last, "top_decile"), 10_088.0), "{last}");
    assert!(rows(&ctx, Report::EquityCurve, 99).await.is_empty());
}

#[test]
fn every_report_has_its_sql_file_and_name() {
    for report in Report::ALL {
        assert!(report.sql().contains("$1") && report.sql().contains("$2"), "{}", report.name());
        assert_eq!(Report::parse(report.name()).unwrap(), report);
    }
    assert!(Report::parse("drop_tables").is_err());
}

/// The rows of a window query (`run_query`) as JSON objects.
async fn window_rows(
    ctx: &bullpen_warehouse::datafusion::prelude::SessionContext,
    report: Report,
    params: Vec<bullpen_warehouse::datafusion::scalar::ScalarValue>,
) -> Vec<Value> {
    let result = bullpen_warehouse::queries::run_query(ctx, report, params).await.unwrap();
    let mut json = Vec::new();
    write_batches(&result.batches, &result.schema, OutputFormat::Json, &mut json).unwrap();
    match serde_json::from_slice(&json).unwrap() {
        Value::Array(rows) => rows,
        other => panic!("not an array: {other}"),
    }
}

fn id(v: i64) -> bullpen_warehouse::datafusion::scalar::ScalarValue {
    bullpen_warehouse::datafusion::scalar::ScalarValue::Int64(Some(v))
}

/// A day of January 2024 as a `Date32` parameter.
fn jan(d: i32) -> bullpen_warehouse::datafusion::scalar::ScalarValue {
    // 2024-01-01 is day 19,723 of the Unix epoch.
    bullpen_warehouse::datafusion::scalar::ScalarValue::Date32(Some(19_722 + d))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_risk_over_the_season_equals_trader_risk_and_windows_chain_from_the_previous_close() {
    let (_dir, ctx) = warehouse().await;
    for entry in 1..=3 {
        let season = rows(&ctx, Report::TraderRisk, entry).await;
        let window = window_rows(&ctx, Report::EntryRisk, vec![id(T.0), id(entry_id(entry).0), jan(1), jan(31)]).await;
        assert_eq!(window.len(), 1);
        for key in ["days", "volatility", "sharpe", "sortino", "max_drawdown"] {
            assert!(close(num(&window[0], key), num(&season[0], key)), "{entry} {key}: {window:?} {season:?}");
        }
    }
    // Entry 1 over Jan 3–4 only: returns 10,049 → 10,098 → 10,087, the peak starts at 10,049.
    let r = &window_rows(&ctx, Report::EntryRisk, vec![id(T.0), id(entry_id(1).0), jan(3), jan(4)]).await[0];
    assert_eq!(r["days"].as_i64(), Some(2));
    let returns: [f64; 2] = [10_098.0 / 10_049.0 - 1.0, 10_087.0 / 10_098.0 - 1.0];
    let mean = (returns[0] + returns[1]) / 2.0;
    let std = (((returns[0] - mean).powi(2) + (returns[1] - mean).powi(2)) / 1.0).sqrt();
    assert!(close(num(r, "mean_return"), mean), "{r}");
    assert!(close(num(r, "volatility"), std * 252f64.sqrt()), "{r}");
    assert!(close(num(r, "sharpe"), mean / std * 252f64.sqrt()), "{r}");
    let downside = (returns[1].powi(2) / 2.0).sqrt();
    assert!(close(num(r, "sortino"), mean / downside * 252f64.sqrt()), "{r}");
    assert!(close(num(r, "max_drawdown"), 11.0 / 10_098.0), "{r}");
    // A window after the last snapshot has no days.
    let r = &window_rows(&ctx, Report::EntryRisk, vec![id(T.0), id(entry_id(1).0), jan(20), jan(31)]).await[0];
    assert_eq!(r["days"].as_i64(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tournament_risk_gives_every_entry_its_entry_risk() {
    let (_dir, ctx) = warehouse().await;
    let all = window_rows(&ctx, Report::TournamentRisk, vec![id(T.0), jan(3), jan(4)]).await;
    assert_eq!(all.len(), 3);
    for (entry, row) in (1..=3).zip(&all) {
        assert_eq!(row["entry_id"].as_i64(), Some(entry_id(entry).0));
        let one = &window_rows(&ctx, Report::EntryRisk, vec![id(T.0), id(entry_id(entry).0), jan(3), jan(4)]).await[0];
        for key in ["days", "mean_return", "volatility", "sharpe", "sortino", "max_drawdown"] {
            assert!(close(num(row, key), num(one, key)), "{entry} {key}: {row} {one}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standings_rank_returns_between_two_closes() {
    let (_dir, ctx) = warehouse().await;
    // From the starting cash (no snapshot on Dec 31) to Jan 4: 10,088 > 10,087 > 10,023.
    let r = window_rows(&ctx, Report::Standings, vec![id(T.0), jan(0), jan(4)]).await;
    let got: Vec<(i64, f64, f64, f64, i64)> = r
        .iter()
        .map(|x| {
            (
                x["entry_id"].as_i64().unwrap(),
                num(x, "start_equity"),
                num(x, "end_equity"),
                num(x, "percentile"),
                x["rank"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (entry_id(2).0, 10_000.0, 10_088.0, 1.0, 1),
            (entry_id(1).0, 10_000.0, 10_087.0, 0.5, 2),
            (entry_id(3).0, 10_000.0, 10_023.0, 0.0, 3)
        ]
    );
    assert!(r.iter().all(|x| x["entries"].as_i64() == Some(3)));
    assert!(close(num(&r[0], "period_return"), 0.0088));
    // From the Jan 3 close: each entry's return from its own Jan 3 equity.
    let source = MemorySource::new(10);
    let equity = |entry: i64, d: u32| {
        source
            .data
            .snapshots
            .iter()
            .find(|(_, s)| s.entry_id == entry_id(entry) && s.date == support::day(d))
            .map(|(_, s)| s.equity.to_f64_lossy())
            .unwrap()
    };
    let r = window_rows(&ctx, Report::Standings, vec![id(T.0), jan(3), jan(4)]).await;
    assert_eq!(r.len(), 3);
    let mut expected: Vec<(i64, f64)> = (1..=3).map(|e| (entry_id(e).0, equity(e, 4) / equity(e, 3) - 1.0)).collect();
    expected.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (row, (entry, ret)) in r.iter().zip(&expected) {
        assert_eq!(row["entry_id"].as_i64(), Some(*entry));
        assert!(close(num(row, "period_return"), *ret), "{row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn most_traded_sums_the_window_fills_by_symbol() {
    let (_dir, ctx) = warehouse().await;
    let r = window_rows(&ctx, Report::MostTraded, vec![id(T.0), jan(1), jan(31)]).await;
    let got: Vec<(&str, i64, i64, i64, f64, f64)> = r
        .iter()
        .map(|x| {
            (
                x["symbol"].as_str().unwrap(),
                x["fills"].as_i64().unwrap(),
                x["traders"].as_i64().unwrap(),
                x["shares"].as_i64().unwrap(),
                num(x, "traded_notional"),
                num(x, "fees"),
            )
        })
        .collect();
    assert_eq!(got, vec![("AAPL", 4, 2, 50, 5_110.0, 4.0), ("XOM", 3, 2, 15, 715.0, 3.0)]);
    assert_eq!(r[0]["sector"].as_str(), Some("Information Technology"));
    // Jan 4 only: the cover and Alice's XOM buy.
    let r = window_rows(&ctx, Report::MostTraded, vec![id(T.0), jan(4), jan(4)]).await;
    assert_eq!(r.len(), 1);
    assert_eq!((r[0]["symbol"].as_str(), r[0]["fills"].as_i64()), (Some("XOM"), Some(2)));
}
