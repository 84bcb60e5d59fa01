//! The exporter: incremental, idempotent, and resumable after a crash at any step without
//! duplicates or gaps.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::sync::Arc;

use bullpen_warehouse::datafusion::arrow::util::pretty::pretty_format_batches;
use bullpen_warehouse::queries::run_sql;
use bullpen_warehouse::{open_session, CrashAt, CrashPoint, ExportOptions, Exporter, Location, WarehouseError};
use support::MemorySource;

const SALT: &str = "0101010101010101010101010101010101010101010101010101010101010101";

/// Every table's content, sorted, as text.
const DUMPS: [(&str, &str); 10] = [
    ("instruments", "SELECT * FROM instruments ORDER BY symbol"),
    ("bars", "SELECT * FROM bars ORDER BY symbol, date"),
    ("traders", "SELECT * FROM traders ORDER BY trader_id"),
    ("tournaments", "SELECT * FROM tournaments ORDER BY tournament_id"),
    ("entries", "SELECT * FROM entries ORDER BY entry_id"),
    ("orders_current", "SELECT * FROM orders_current ORDER BY order_id"),
    ("fills", "SELECT * FROM fills ORDER BY tournament_id, seq"),
    ("round_trips", "SELECT * FROM round_trips ORDER BY tournament_id, close_seq, piece"),
    ("ledger", "SELECT * FROM ledger ORDER BY tournament_id, seq"),
    ("equity_snapshots", "SELECT * FROM equity_snapshots ORDER BY tournament_id, date, entry_id"),
];

async fn dump(dir: &Path) -> Vec<(String, String)> {
    let ctx = open_session(&Location::local(dir).unwrap()).await.unwrap();
    let mut out = Vec::new();
    for (name, sql) in DUMPS {
        let result = run_sql(&ctx, sql).await.unwrap();
        out.push((name.to_string(), pretty_format_batches(&result.batches).unwrap().to_string()));
    }
    out
}

async fn count(dir: &Path, sql: &str) -> i64 {
    let ctx = open_session(&Location::local(dir).unwrap()).await.unwrap();
    let result = run_sql(&ctx, sql).await.unwrap();
    let col = result.batches[0].column(0);
    col.as_any().downcast_ref::<bullpen_warehouse::datafusion::arrow::array::Int64Array>().unwrap().value(0)
}

fn options(chunk_seq: i64, crash_at: Option<CrashAt>) -> ExportOptions {
    ExportOptions { chunk_seq, salt_hex: Some(SALT.into()), crash_at }
}

async fn exporter(dir: &Path, source: &Arc<MemorySource>, options: ExportOptions) -> Exporter {
    Exporter::open(Location::local(dir).unwrap(), source.clone(), options).await.unwrap()
}

/// A clean export of everything visible up to `cap`, in one run.
async fn clean_export(dir: &Path, cap: i64) {
    let source = Arc::new(MemorySource::new(cap));
    exporter(dir, &source, options(3, None)).await.run_once().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_everything_once_and_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let source = Arc::new(MemorySource::new(10));
    let ex = exporter(dir.path(), &source, options(3, None)).await;
    let report = ex.run_once().await.unwrap();
    let rows = |t: &str| report.tables.get(t).map_or(0, |c| c.rows);
    assert_eq!(
        (rows("ledger"), rows("fills"), rows("round_trips"), rows("orders"), rows("entries"), rows("traders")),
        (10, 7, 3, 7, 3, 3)
    );
    assert_eq!((rows("equity_snapshots"), rows("bars"), rows("instruments"), rows("tournaments")), (9, 6, 2, 1));
    assert_eq!((report.lag.seq_behind, report.lag.seconds_behind), (0, Some(0.0)));
    assert_eq!(ex.lag_gauge().get(), Some(report.lag));

    // Nothing new: nothing written, and the files are byte-for-byte what they were.
    let before = dump(dir.path()).await;
    let again = ex.run_once().await.unwrap();
    assert_eq!(again.total_rows(), 0, "{:?}", again.tables);
    assert_eq!(dump(dir.path()).await, before);

    // A fresh exporter (no cached lots) goes on from the checkpoint.
    let ex = exporter(dir.path(), &source, options(3, None)).await;
    assert_eq!(ex.run_once().await.unwrap().total_rows(), 0);
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM ledger").await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_runs_equal_one_run() {
    let whole = tempfile::tempdir().unwrap();
    clean_export(whole.path(), 10).await;

    let steps = tempfile::tempdir().unwrap();
    let source = Arc::new(MemorySource::new(5));
    let ex = exporter(steps.path(), &source, options(3, None)).await;
    for cap in [5, 8, 10] {
        source.set_cap(cap);
        ex.run_once().await.unwrap();
    }
    assert_eq!(dump(steps.path()).await, dump(whole.path()).await);
    // The resting limit order was exported at seq 6 and again when it filled at seq 10.
    assert_eq!(count(steps.path(), "SELECT COUNT(*) FROM orders WHERE order_id = 7 + (1 << 40)").await, 2);
    assert_eq!(count(steps.path(), "SELECT COUNT(*) FROM orders_current").await, 7);
}

/// Crash at every step of a run, at both points, let the store move on, resume: the result is
/// the same as a clean export (no duplicates, no gaps), and the lag reports what is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_any_step_resumes_without_duplicates_or_gaps() {
    let clean = tempfile::tempdir().unwrap();
    clean_export(clean.path(), 10).await;
    let expected = dump(clean.path()).await;

    for point in [CrashPoint::AfterIntent, CrashPoint::AfterFiles] {
        for step in 0.. {
            let dir = tempfile::tempdir().unwrap();
            let source = Arc::new(MemorySource::new(8));
            let crashing = exporter(dir.path(), &source, options(3, Some(CrashAt { point, step }))).await;
            match crashing.run_once().await {
                Err(WarehouseError::Interrupted(_)) => {}
                Ok(report) => {
                    assert!(step > 3, "too few steps ({}) to test", report.steps);
                    break;
                }
                Err(e) => panic!("{point:?} at step {step}: {e}"),
            }
            drop(crashing);
            // The store moves on before the next run.
            source.set_cap(10);
            let resumed = exporter(dir.path(), &source, options(3, None)).await;
            let report = resumed.run_once().await.unwrap();
            assert_eq!(report.lag.seq_behind, 0);
            let got = dump(dir.path()).await;
            for ((name, want), (_, have)) in expected.iter().zip(&got) {
                assert_eq!(have, want, "{point:?} at step {step}: table {name} differs");
            }
            // No order version twice.
            assert_eq!(
                count(dir.path(), "SELECT COUNT(*) FROM (SELECT order_id, seq FROM orders GROUP BY order_id, seq HAVING COUNT(*) > 1)")
                    .await,
                0
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_open_lots_are_rebuilt_from_the_ledger() {
    let clean = tempfile::tempdir().unwrap();
    clean_export(clean.path(), 10).await;

    let dir = tempfile::tempdir().unwrap();
    let source = Arc::new(MemorySource::new(6));
    exporter(dir.path(), &source, options(100, None)).await.run_once().await.unwrap();
    std::fs::remove_dir_all(dir.path().join("_bullpen/lots")).unwrap();
    source.set_cap(10);
    exporter(dir.path(), &source, options(100, None)).await.run_once().await.unwrap();
    assert_eq!(dump(dir.path()).await, dump(clean.path()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traders_are_pseudonymous_and_the_lag_shows_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let source = Arc::new(MemorySource::new(8));
    let ex =
        Exporter::open(Location::local(dir.path()).unwrap(), source.clone(), ExportOptions::default()).await.unwrap();
    ex.run_once().await.unwrap();
    // No personal column anywhere, and no name in any text column.
    let ctx = open_session(&Location::local(dir.path()).unwrap()).await.unwrap();
    let columns = run_sql(
        &ctx,
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .await
    .unwrap();
    let text = pretty_format_batches(&columns.batches).unwrap().to_string();
    for personal in ["user_id", "handle", "display_name", "email", "client_order_id"] {
        assert!(!text.contains(personal), "a `{personal}` column is exported:\n{text}");
    }
    let text_columns: Vec<&str> = text.lines().filter(|l| l.contains("Utf8")).collect();
    assert!(text_columns.len() > 10, "{text}");
    for line in text_columns {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (table, column) = (cells[1], cells[2]);
        for name in ["Alice", "Bob", "Carol"] {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} LIKE '%{name}%'");
            assert_eq!(count(dir.path(), &sql).await, 0, "{name} in {table}.{column}");
        }
    }
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM traders WHERE length(trader_id) = 32").await, 3);
    assert_eq!(
        count(dir.path(), "SELECT COUNT(*) FROM entries e JOIN traders t ON e.trader_id = t.trader_id").await,
        3
    );

    // The store moves on: the lag counts the sequence numbers and the data time not exported.
    source.set_cap(10);
    let lag = bullpen_warehouse::freshness_lag(ex.location(), source.as_ref()).await.unwrap();
    assert_eq!(lag.seq_behind, 2);
    let (store_ts, exported_ts) = (support::at(4, 10).0, support::at(3, 8).0);
    assert_eq!(lag.seconds_behind, Some((store_ts - exported_ts) as f64 / 1e6));
}

/// The same export through an S3-compatible object store (MinIO, moto, AWS): set
/// `BULLPEN_TEST_S3_ENDPOINT` (e.g. `http://127.0.0.1:5055` for `moto_server -p 5055`, which
/// `.ci/run` starts) and `BULLPEN_TEST_S3_BUCKET` (an existing bucket). Skipped with a notice
/// without them, unless `BULLPEN_REQUIRE_ALL_TESTS=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_to_an_s3_compatible_store_like_to_a_directory() {
    let (Ok(endpoint), Ok(bucket)) =
        (std::env::var("BULLPEN_TEST_S3_ENDPOINT"), std::env::var("BULLPEN_TEST_S3_BUCKET"))
    else {
        if std::env::var("BULLPEN_REQUIRE_ALL_TESTS").as_deref() == Ok("1") {
            panic!("BULLPEN_TEST_S3_ENDPOINT / BULLPEN_TEST_S3_BUCKET are not set and BULLPEN_REQUIRE_ALL_TESTS=1");
        }
        println!("skipping the S3 export test: set BULLPEN_TEST_S3_ENDPOINT and BULLPEN_TEST_S3_BUCKET");
        return;
    };
    let s3 = bullpen_warehouse::S3Options {
        endpoint: Some(endpoint),
        region: Some("us-east-1".into()),
        access_key_id: Some(std::env::var("BULLPEN_TEST_S3_ACCESS_KEY_ID").unwrap_or_else(|_| "test".into())),
        secret_access_key: Some(std::env::var("BULLPEN_TEST_S3_SECRET_ACCESS_KEY").unwrap_or_else(|_| "test".into())),
        allow_http: true,
    };
    let url = format!("s3://{bucket}/bullpen-test-{}-{}", std::process::id(), support::at(2, 0).0);
    let remote = Location::parse(&url, &s3).unwrap();
    let source = Arc::new(MemorySource::new(8));
    let ex = Exporter::open(remote.clone(), source.clone(), options(3, None)).await.unwrap();
    ex.run_once().await.unwrap();
    source.set_cap(10);
    ex.run_once().await.unwrap();

    let local = tempfile::tempdir().unwrap();
    clean_export(local.path(), 10).await;
    let expected = dump(local.path()).await;
    let ctx = open_session(&remote).await.unwrap();
    for (name, sql) in DUMPS {
        let result = run_sql(&ctx, sql).await.unwrap();
        let have = pretty_format_batches(&result.batches).unwrap().to_string();
        let want = &expected.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(&have, want, "table {name}");
    }
}
