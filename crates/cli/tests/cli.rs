//! The `bullpen` binary as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_bullpen");

fn bullpen(args: &[&str], data: &Path) -> Output {
    Command::new(BIN).args(args).arg("--data-dir").arg(data).env_remove("BULLPEN_DATABASE_URL").output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn simulate_is_byte_identical_for_the_same_seed_and_differs_for_another() {
    let run = |seed: &str| {
        let out = Command::new(BIN)
            .args(["simulate", "--players", "30", "--days", "3", "--seed", seed, "--format", "json"])
            .env_remove("BULLPEN_DATA_DIR")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        out.stdout
    };
    let a = run("11");
    assert_eq!(a, run("11"));
    assert_ne!(a, run("12"));
    let json: serde_json::Value = serde_json::from_slice(&a).unwrap();
    let standings = json["standings"].as_array().unwrap();
    assert_eq!(standings.len(), 30);
    let ranks: Vec<u64> = standings.iter().map(|r| r["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, (1..=30).collect::<Vec<_>>());
    assert!(json["orders_accepted"].as_u64().unwrap() > 0);
}

#[test]
fn a_kept_simulation_reconciles_and_shows() {
    let dir = tempfile::tempdir().unwrap();
    let out = bullpen(&["simulate", "--players", "25", "--days", "3", "--seed", "4"], dir.path());
    assert!(out.status.success(), "{}", text(&out));
    let check = bullpen(&["check"], dir.path());
    assert!(check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("all ledgers reconcile"));
    let list = bullpen(&["tournament", "list"], dir.path());
    assert!(text(&list).contains("Simulation seed 4"), "{}", text(&list));
    assert!(text(&list).contains("finished"));
    let show = bullpen(&["tournament", "show", "1"], dir.path());
    assert!(text(&show).contains("final standings"), "{}", text(&show));
    assert!(text(&show).contains("champion"));
}

#[test]
fn check_detects_a_tampered_ledger() {
    let dir = tempfile::tempdir().unwrap();
    assert!(bullpen(&["simulate", "--players", "10", "--days", "2", "--seed", "5"], dir.path()).status.success());
    let db = rusqlite::Connection::open(dir.path().join("bullpen.db")).unwrap();
    let changed = db.execute("UPDATE ledger SET cash_delta = cash_delta + 10000 WHERE seq = (SELECT MAX(seq) FROM ledger WHERE kind = 'trade')", []).unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let check = bullpen(&["check"], dir.path());
    assert!(!check.status.success());
    assert!(text(&check).contains("reconciliation FAILED"), "{}", text(&check));
}

#[test]
fn import_reports_bad_rows_with_file_and_line_and_imports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join("prices");
    std::fs::create_dir(&prices).unwrap();
    std::fs::write(prices.join("symbols.csv"), "symbol,name,sector\nAAA,Alpha Inc,Industrials\nBBB,Beta Corp,Energy\n")
        .unwrap();
    std::fs::write(
        prices.join("bars.csv"),
        "date,symbol,open,high,low,close,volume\n\
         2024-01-02,AAA,10,11,9,10.5,100\n\
         2024-01-02,BBB,20,19,21,20,100\n\
         2024-01-03,AAA,10.5,12,10,11,200\n\
         2024-01-03,AAA,10.5,12,10,11,200\n\
         2024-01-04,AAA,-1,12,10,11,200\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = bullpen(&["import", "prices", prices.to_str().unwrap()], &data);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("bars.csv:3"), "high < low must be reported with its line: {t}");
    assert!(t.contains("bars.csv:5"), "the duplicate must be reported: {t}");
    assert!(t.contains("bars.csv:6"), "the negative price must be reported: {t}");
    assert!(t.contains("imported 2 bars"), "{t}");
}

#[test]
fn invalid_tournament_input_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bullpen(
        &["tournament", "create", "--name", "Bad", "--starts", "2026-03-01", "--ends", "2026-02-01"],
        dir.path(),
    );
    assert!(!bad.status.success());
    let bad_cash = bullpen(
        &[
            "tournament",
            "create",
            "--name",
            "Broke",
            "--starts",
            "2026-03-01",
            "--ends",
            "2026-04-01",
            "--starting-cash",
            "-5",
        ],
        dir.path(),
    );
    assert!(!bad_cash.status.success());
    let list = bullpen(&["tournament", "list"], dir.path());
    assert!(text(&list).contains("no tournaments yet"), "{}", text(&list));
    let ok = bullpen(
        &[
            "tournament",
            "create",
            "--name",
            "Spring Cup",
            "--starts",
            "2026-03-02",
            "--ends",
            "2026-05-29",
            "--commission-bps",
            "5",
            "--no-shorts",
            "--max-orders-per-day",
            "20",
        ],
        dir.path(),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let show = bullpen(&["tournament", "show", "1"], dir.path());
    let t = text(&show);
    assert!(
        t.contains("Spring Cup") && t.contains("\"short_selling\": false") && t.contains("\"max_orders_per_day\": 20"),
        "{t}"
    );
}

#[test]
fn leagues_have_invite_codes_and_their_own_leaderboard() {
    let dir = tempfile::tempdir().unwrap();
    assert!(bullpen(
        &["tournament", "create", "--name", "Cup", "--starts", "2026-03-02", "--ends", "2026-05-29"],
        dir.path()
    )
    .status
    .success());
    for user in ["ann", "bob", "cat"] {
        let out = bullpen(&["tournament", "join", "1", "--user", user], dir.path());
        assert!(out.status.success(), "{}", text(&out));
    }
    let created = bullpen(
        &["tournament", "league", "create", "--tournament", "1", "--name", "Friends", "--owner", "ann"],
        dir.path(),
    );
    let t = text(&created);
    assert!(created.status.success(), "{t}");
    let code = t.split("invite code ").nth(1).unwrap().trim().to_string();
    assert!(bullpen(&["tournament", "league", "join", &code, "--user", "bob"], dir.path()).status.success());
    let wrong = bullpen(&["tournament", "league", "join", "NOPE0000", "--user", "cat"], dir.path());
    assert!(!wrong.status.success());
    let show = text(&bullpen(&["tournament", "league", "show", &code], dir.path()));
    assert!(show.contains("2 members"), "{show}");
    assert!(show.contains("ann") && show.contains("bob") && !show.contains("cat"), "{show}");
}

/// The real S&P 500 bars replayed through the engine (needs `BULLPEN_MARKET_DATA`; CI sets it).
#[test]
fn simulate_replays_real_prices_deterministically() {
    let Some(dir) = std::env::var_os("BULLPEN_MARKET_DATA") else {
        assert!(std::env::var_os("BULLPEN_REQUIRE_ALL_TESTS").is_none(), "BULLPEN_MARKET_DATA must be set in CI");
        println!("skipping: BULLPEN_MARKET_DATA not set");
        return;
    };
    let run = || {
        let out = Command::new(BIN)
            .args(["simulate", "--players", "20", "--days", "5", "--format", "json", "--prices"])
            .arg(&dir)
            .env_remove("BULLPEN_DATA_DIR")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        out.stdout
    };
    let first = run();
    assert_eq!(first, run());
    let json: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(json["instruments"], 505);
    assert_eq!(json["from"], "2018-02-01");
    assert_eq!(json["to"], "2018-02-07");
    assert!(json["orders_accepted"].as_u64().unwrap() > 0);
}

#[test]
fn a_live_ndjson_feed_drives_a_running_tournament_and_reports_bad_lines() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let prices = dir.path().join("bars.csv");
    std::fs::write(&prices, "date,symbol,open,high,low,close,volume\n2026-03-02,AAA,10,11,9,10.5,100\n").unwrap();
    assert!(bullpen(&["import", "prices", prices.to_str().unwrap()], &data).status.success());
    assert!(bullpen(
        &["tournament", "create", "--name", "Live", "--starts", "2026-03-02", "--ends", "2026-05-29"],
        &data
    )
    .status
    .success());
    assert!(bullpen(&["tournament", "join", "1", "--user", "ann"], &data).status.success());
    assert!(bullpen(&["tournament", "set-state", "1", "running"], &data).status.success());
    let mut child = Command::new(BIN)
        .args(["feed", "--tournament", "1", "--data-dir"])
        .arg(&data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"{\"symbol\":\"AAA\",\"price\":\"10.50\",\"ts\":\"2026-03-02T15:00:00Z\"}\n\
              {\"symbol\":\"AAA\",\"price\":\"-1\"}\n\
              {\"symbol\":\"AAA\",\"price\":10.6,\"ts\":\"2026-03-02T15:01:00Z\"}\n\
              not json\n\
              {\"symbol\":\"AAA\",\"price\":\"10.70\",\"ts\":\"2026-03-02T15:02:00Z\"}\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("5 lines, 3 quotes applied"), "{t}");
    assert!(t.contains("bad quote on line 2") && t.contains("bad quote on line 4"), "{t}");
    let check = bullpen(&["check"], &data);
    assert!(check.status.success(), "{}", text(&check));
    // A tournament that is not running refuses the feed.
    assert!(bullpen(
        &["tournament", "create", "--name", "Later", "--starts", "2026-06-01", "--ends", "2026-08-31"],
        &data
    )
    .status
    .success());
    let refused = Command::new(BIN).args(["feed", "--tournament", "2", "--data-dir"]).arg(&data).output().unwrap();
    assert!(!refused.status.success());
    assert!(text(&refused).contains("not running"), "{}", text(&refused));
}
