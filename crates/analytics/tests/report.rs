//! Reports on the warehouse's hand-checked scenario (the warehouse crate's test fixture: three
//! traders, AAPL and XOM, 2024-01-02 … 01-04), against figures worked out by hand, in every
//! format.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../warehouse/tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use bullpen_analytics::jobs::{build_report, ReportFormat, ReportRequest, ReportScope};
use bullpen_analytics::report::{entry_report, tournament_report, Report, Window};
use bullpen_analytics::AnalyticsError;
use bullpen_domain::Money;
use bullpen_warehouse::{open_session, ExportOptions, Exporter, Location};
use support::{day, entry_id, MemorySource, T};

async fn warehouse() -> (tempfile::TempDir, Location) {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::local(dir.path()).unwrap();
    let source = Arc::new(MemorySource::new(10));
    Exporter::open(location.clone(), source, ExportOptions::default()).await.unwrap().run_once().await.unwrap();
    (dir, location)
}

fn dollars(d: i64) -> Money {
    Money::from_dollars(d)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn quiet(_: u8, _: &str) {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_season_report_of_an_entry_has_the_hand_checked_figures() {
    let (_dir, location) = warehouse().await;
    let ctx = open_session(&location).await.unwrap();
    let window = Window::new(day(2), day(5)).unwrap();
    let r = entry_report(&ctx, T.0, entry_id(1).0, window, &quiet).await.unwrap();
    // Alice: buys 10 AAPL @ 100, sells them @ 110 ($1 a fill), buys 5 XOM @ 48; XOM closes at 46.
    assert_eq!(r.period.start_close, None);
    assert_eq!(r.period.end_close, Some(day(4)));
    let s = &r.summary;
    assert_eq!((s.start_equity, s.end_equity, s.change), (dollars(10_000), dollars(10_087), dollars(87)));
    assert!(close(s.total_return, 0.0087), "{s:?}");
    // Equal weight from the Jan 2 closes (AAPL 105, XOM 50) to Jan 4 (112, 46).
    let bench = 5_000.0 * 112.0 / 105.0 + 5_000.0 * 46.0 / 50.0;
    // Exact to 1/10,000 of a dollar (9,933.3333), so within 1e-8 of the real-number return.
    assert!((s.benchmark_return.unwrap() - (bench / 10_000.0 - 1.0)).abs() < 1e-8, "{s:?}");
    assert!((s.excess_return.unwrap() - (0.0087 - (bench / 10_000.0 - 1.0))).abs() < 1e-8);
    assert_eq!((s.rank, s.entries, s.percentile), (Some(2), 3, Some(0.5)));
    assert_eq!((s.fills, s.round_trips, s.winning_trips), (3, 1, 1));
    assert_eq!(r.equity_curve.len(), 3);
    assert_eq!(r.equity_curve[2].equity, dollars(10_087));
    assert_eq!(r.equity_curve[0].benchmark, Some(dollars(10_000)));
    assert_eq!(r.fills.iter().map(|f| f.seq).collect::<Vec<_>>(), vec![4, 7, 10]);
    assert_eq!(r.fills[1].cash_delta, dollars(1_099));
    // By symbol: AAPL closed for +$98 net of fees; XOM open, 5 × 46 = 230 against 241 paid.
    let aapl = r.pnl_by_symbol.iter().find(|p| p.symbol == "AAPL").unwrap();
    assert_eq!(
        (aapl.realized_pnl, aapl.unrealized_pnl, aapl.open_qty, aapl.fees),
        (dollars(98), Money::ZERO, 0, dollars(2))
    );
    assert_eq!(aapl.traded_notional, dollars(2_100));
    let xom = r.pnl_by_symbol.iter().find(|p| p.symbol == "XOM").unwrap();
    assert_eq!((xom.realized_pnl, xom.open_qty, xom.market_value), (Money::ZERO, 5, dollars(230)));
    assert_eq!((xom.unrealized_pnl, xom.last_close, xom.sector.as_str()), (dollars(-11), Some(dollars(46)), "Energy"));
    let sectors: Vec<(&str, Money, Money)> =
        r.pnl_by_sector.iter().map(|s| (s.sector.as_str(), s.realized_pnl, s.unrealized_pnl)).collect();
    assert_eq!(
        sectors,
        vec![("Information Technology", dollars(98), Money::ZERO), ("Energy", Money::ZERO, dollars(-11))]
    );
    // The breakdown adds up exactly, with nothing left over.
    let b = &r.breakdown;
    assert_eq!(
        (b.realized_pnl, b.unrealized_change, b.deposits, b.other),
        (dollars(98), dollars(-11), Money::ZERO, Money::ZERO)
    );
    assert_eq!(b.fees, dollars(3));
    assert_eq!(
        b.start_equity + b.realized_pnl + b.unrealized_change + b.dividends + b.interest + b.deposits + b.other,
        b.end_equity
    );
    assert_eq!(r.risk.days, 3);
    assert!(r.risk.max_drawdown > 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_starts_from_the_previous_close() {
    let (_dir, location) = warehouse().await;
    let ctx = open_session(&location).await.unwrap();
    let window = Window::new(day(4), day(4)).unwrap();
    let r = entry_report(&ctx, T.0, entry_id(1).0, window, &quiet).await.unwrap();
    assert_eq!((r.period.start_close, r.period.end_close), (Some(day(3)), Some(day(4))));
    // Jan 3 close: cash 10,098 (AAPL sold); Jan 4: bought 5 XOM @ 48 + $1, marked at 46.
    assert_eq!((r.summary.start_equity, r.summary.end_equity), (dollars(10_098), dollars(10_087)));
    assert_eq!(r.fills.len(), 1);
    let b = &r.breakdown;
    assert_eq!((b.realized_pnl, b.unrealized_change, b.other), (Money::ZERO, dollars(-11), Money::ZERO));
    assert_eq!(r.summary.round_trips, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_entries_and_tournaments_are_clear_errors() {
    let (_dir, location) = warehouse().await;
    let ctx = open_session(&location).await.unwrap();
    let window = Window::new(day(2), day(5)).unwrap();
    let err = entry_report(&ctx, T.0, entry_id(99).0, window, &quiet).await.unwrap_err();
    assert!(matches!(err, AnalyticsError::NotFound(ref m) if m.contains("entry")), "{err}");
    let err = tournament_report(&ctx, 42, window, &quiet).await.unwrap_err();
    assert!(matches!(err, AnalyticsError::NotFound(ref m) if m.contains("bullpen etl")), "{err}");
    assert!(matches!(Window::new(day(5), day(2)), Err(AnalyticsError::Invalid(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tournament_report_ranks_every_entry() {
    let (_dir, location) = warehouse().await;
    let ctx = open_session(&location).await.unwrap();
    let r = tournament_report(&ctx, T.0, Window::new(day(2), day(5)).unwrap(), &quiet).await.unwrap();
    let ranked: Vec<(i64, i64, Money)> = r.standings.iter().map(|s| (s.rank, s.entry_id, s.end_equity)).collect();
    assert_eq!(
        ranked,
        vec![
            (1, entry_id(2).0, dollars(10_088)),
            (2, entry_id(1).0, dollars(10_087)),
            (3, entry_id(3).0, dollars(10_023))
        ]
    );
    assert!(r.standings.iter().all(|s| s.risk.as_ref().is_some_and(|k| k.days == 3)));
    assert!(close(r.standings[0].percentile, 1.0));
    let d = r.distribution.as_ref().unwrap();
    assert_eq!(d.entries, 3);
    assert_eq!(d.buckets.iter().map(|b| b.entries).sum::<i64>(), 3);
    assert!(close(d.median, 0.0087));
    let traded: Vec<(&str, i64, i64, i64, Money)> =
        r.most_traded.iter().map(|m| (m.symbol.as_str(), m.fills, m.traders, m.shares, m.traded_notional)).collect();
    assert_eq!(traded, vec![("AAPL", 4, 2, 50, dollars(5_110)), ("XOM", 3, 2, 15, dollars(715))]);
}

fn request(format: ReportFormat, scope: ReportScope) -> ReportRequest {
    ReportRequest { scope, from: day(2), to: day(5), format, requested_by: 1 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_renders_the_same_report() {
    let (_dir, location) = warehouse().await;
    let scope = ReportScope::Entry { tournament_id: T.0, entry_id: entry_id(1).0 };
    let stages = std::sync::Mutex::new(Vec::new());
    let progress = |p: u8, stage: &str| stages.lock().unwrap().push((p, stage.to_string()));

    let json = build_report(&location, &request(ReportFormat::Json, scope), &progress).await.unwrap();
    assert_eq!(
        (json.content_type, json.file_name.as_str()),
        ("application/json", "bullpen-entry-4294967297-2024-01-02-2024-01-05.json")
    );
    let parsed: Report = serde_json::from_slice(&json.bytes).unwrap();
    let Report::Entry(entry) = &parsed else { panic!("not an entry report") };
    assert_eq!(entry.summary.end_equity, dollars(10_087));
    let value: serde_json::Value = serde_json::from_slice(&json.bytes).unwrap();
    assert_eq!(value["kind"], "entry");
    assert_eq!(value["summary"]["end_equity"], "10087.00");
    for section in
        ["summary", "risk", "equity_curve", "fills", "pnl_by_symbol", "pnl_by_sector", "breakdown", "anomalies"]
    {
        assert!(!value[section].is_null(), "{section} missing");
    }
    let seen = stages.lock().unwrap().clone();
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    assert_eq!(seen.last().map(|s| s.0), Some(100));

    let csv = build_report(&location, &request(ReportFormat::Csv, scope), &quiet).await.unwrap();
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(csv.bytes.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let end = rows.iter().find(|r| &r[0] == "summary" && &r[1] == "end equity").unwrap();
    assert_eq!(&end[2], "10087.00");
    let fills = rows.iter().filter(|r| &r[0] == "fills").count();
    assert_eq!(fills, 3);
    assert!(rows.iter().any(|r| &r[0] == "pnl_by_symbol" && &r[1] == "XOM" && &r[11] == "-11.00"));

    let html = build_report(&location, &request(ReportFormat::Html, scope), &quiet).await.unwrap();
    let page = String::from_utf8(html.bytes).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg") && page.contains("$10,087.00"));
    assert!(
        !page.contains("http://")
            || page.matches("http://").all(|_| page.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    );
    assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("<link"));

    let pdf = build_report(&location, &request(ReportFormat::Pdf, scope), &quiet).await.unwrap();
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let has = |needle: &[u8]| pdf.bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/FontFile2"), "the font is not embedded");
    assert!(has(b"DejaVuSansMono"), "the font is not named");

    let tournament = ReportScope::Tournament { tournament_id: T.0 };
    for format in ReportFormat::ALL {
        let file = build_report(&location, &request(format, tournament), &quiet).await.unwrap();
        assert!(!file.bytes.is_empty(), "{format:?}");
        assert!(file.file_name.starts_with("bullpen-tournament-1-"));
    }
}
