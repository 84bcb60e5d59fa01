//! `bullpen etl` and `bullpen sql` as a user runs them, on a simulated tournament kept in a
//! data directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_bullpen");
const SALT: &str = "4242424242424242424242424242424242424242424242424242424242424242";

fn bullpen(args: &[&str], data: &Path) -> Output {
    command(args, data).output().unwrap()
}

fn command(args: &[&str], data: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("BULLPEN_DATABASE_URL")
        .env_remove("BULLPEN_WAREHOUSE_URL")
        .env("BULLPEN_WAREHOUSE_SALT", SALT);
    c
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn simulate(dir: &Path, players: &str, days: &str) {
    let out = bullpen(&["simulate", "--players", players, "--days", days, "--seed", "3"], dir);
    assert!(out.status.success(), "{}", text(&out));
}

/// One number from `bullpen sql … --format csv`.
fn scalar(dir: &Path, sql: &str) -> i64 {
    let out = bullpen(&["sql", sql, "--format", "csv"], dir);
    assert!(out.status.success(), "{sql}: {}", text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout.lines().nth(1).unwrap_or_default().trim().parse().unwrap_or_else(|_| panic!("{sql}: {stdout}"))
}

fn store_count(dir: &Path, sql: &str) -> i64 {
    let db = rusqlite::Connection::open(dir.join("bullpen.db")).unwrap();
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every table of the warehouse `wh`, sorted, as CSV.
fn dump(dir: &Path, wh: &Path) -> String {
    let mut all = String::new();
    for sql in [
        "SELECT * FROM traders ORDER BY trader_id",
        "SELECT * FROM entries ORDER BY entry_id",
        "SELECT * FROM orders_current ORDER BY order_id",
        "SELECT * FROM fills ORDER BY tournament_id, seq",
        "SELECT * FROM round_trips ORDER BY tournament_id, close_seq, piece",
        "SELECT * FROM ledger ORDER BY tournament_id, seq",
        "SELECT * FROM equity_snapshots ORDER BY tournament_id, date, entry_id",
        "SELECT * FROM instruments ORDER BY symbol",
        "SELECT tournament_id, name, state FROM tournaments ORDER BY tournament_id",
    ] {
        let out = bullpen(&["sql", sql, "--format", "csv", "--warehouse", wh.to_str().unwrap()], dir);
        assert!(out.status.success(), "{sql}: {}", text(&out));
        all.push_str(&String::from_utf8(out.stdout).unwrap());
    }
    all
}

#[test]
fn etl_exports_a_simulation_once_and_sql_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    simulate(dir.path(), "20", "3");
    let out = bullpen(&["etl"], dir.path());
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("lag: 0 sequence numbers behind"), "{}", text(&out));

    let trades = store_count(dir.path(), "SELECT COUNT(*) FROM ledger WHERE kind = 'trade'");
    assert!(trades > 0);
    assert_eq!(scalar(dir.path(), "SELECT COUNT(*) FROM fills"), trades);
    assert_eq!(
        scalar(dir.path(), "SELECT COUNT(*) FROM ledger"),
        store_count(dir.path(), "SELECT COUNT(*) FROM ledger")
    );
    assert_eq!(
        scalar(dir.path(), "SELECT COUNT(*) FROM orders_current"),
        store_count(dir.path(), "SELECT COUNT(*) FROM orders")
    );
    assert_eq!(scalar(dir.path(), "SELECT COUNT(*) FROM entries"), 20);
    assert_eq!(scalar(dir.path(), "SELECT COUNT(*) FROM equity_snapshots"), 60);
    assert_eq!(
        scalar(dir.path(), "SELECT COUNT(*) FROM instruments"),
        store_count(dir.path(), "SELECT COUNT(*) FROM instruments")
    );
    // Round trips close at most the shares that were bought or sold.
    assert!(scalar(dir.path(), "SELECT COUNT(*) FROM round_trips") > 0);
    assert_eq!(
        scalar(dir.path(), "SELECT COUNT(*) FROM round_trips r LEFT JOIN fills f ON f.seq = r.close_seq AND f.tournament_id = r.tournament_id WHERE f.seq IS NULL"),
        0
    );

    // A second run finds nothing new.
    let again = bullpen(&["etl"], dir.path());
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("exported 0 rows"), "{}", text(&again));

    // A report query by name.
    let entry = scalar(dir.path(), "SELECT MIN(entry_id) FROM entries");
    let out = bullpen(
        &["sql", "--report", "trader_summary", "--tournament", "1", "--entry", &entry.to_string(), "--format", "json"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["entry_id"].as_i64(), Some(entry), "{json}");
    assert_eq!(json[0]["entries"].as_i64(), Some(20), "{json}");
}

#[test]
fn sql_writes_every_format_and_reads_statements_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    simulate(dir.path(), "5", "2");
    assert!(bullpen(&["etl"], dir.path()).status.success());

    let json = bullpen(&["sql", "SELECT COUNT(*) AS n FROM entries", "--format", "json"], dir.path());
    assert_eq!(String::from_utf8_lossy(&json.stdout).trim(), r#"[{"n":5}]"#, "{}", text(&json));
    let table = bullpen(&["sql", "SELECT COUNT(*) AS n FROM entries"], dir.path());
    assert!(text(&table).contains("| 5 |"), "{}", text(&table));
    let file = dir.path().join("entries.parquet");
    let parquet =
        bullpen(&["sql", "SELECT * FROM entries", "--format", "parquet", "--out", file.to_str().unwrap()], dir.path());
    assert!(parquet.status.success(), "{}", text(&parquet));
    assert_eq!(&std::fs::read(&file).unwrap()[..4], b"PAR1");

    let bad = bullpen(&["sql", "SELECT nope FROM entries"], dir.path());
    assert!(!bad.status.success());
    assert!(text(&bad).contains("nope"), "{}", text(&bad));
    let bad = bullpen(&["sql", "SELECT 1", "--format", "xml"], dir.path());
    assert!(!bad.status.success() && text(&bad).contains("unknown output format"), "{}", text(&bad));

    // The prompt: statements end with `;`, may span lines; an error does not stop the rest.
    let mut child = command(&["sql", "--format", "csv"], dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT COUNT(*) AS n\n  FROM entries;\nSELECT broken;\nSELECT 7 AS seven;\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("n\n5\n") && stdout.contains("seven\n7\n"), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error"), "{}", text(&out));
    assert!(!out.status.success(), "a failed statement makes the exit status non-zero");
}

#[test]
fn an_export_killed_at_any_moment_resumes_to_the_same_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    simulate(dir.path(), "60", "4");
    let clean = tempfile::tempdir().unwrap();
    let out = bullpen(&["etl", "--warehouse", clean.path().to_str().unwrap()], dir.path());
    assert!(out.status.success(), "{}", text(&out));
    let expected = dump(dir.path(), clean.path());
    assert!(expected.lines().count() > 500, "{expected}");
    for delay_ms in [5, 40, 150] {
        let wh = dir.path().join("warehouse");
        if wh.exists() {
            std::fs::remove_dir_all(&wh).unwrap();
        }
        let mut child = command(&["etl"], dir.path()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let out = bullpen(&["etl"], dir.path());
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(dump(dir.path(), &wh), expected, "killed after {delay_ms} ms");
    }
}

#[test]
fn follow_exports_until_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    simulate(dir.path(), "5", "2");
    let mut child = command(&["etl", "--follow", "--interval", "1"], dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first export's report (lines are read on a thread; no fixed sleeps).
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("lag:") && tx.send(()).is_err() {
                return;
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("no export report within a minute");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "etl --follow did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    assert_eq!(scalar(dir.path(), "SELECT COUNT(*) FROM entries"), 5);
}
