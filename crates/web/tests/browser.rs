//! The pages in a real browser: headless Chromium (Debian's `chromium`) driven by
//! `playwright-core` from `tests/browser/run.mjs` against a running test server.
//!
//! The scenarios (sign-up to sign-out with orders, live updates, the dashboard and a report, a league joined through
//! its invite link, an admin creating a tournament, a rejected order) and the quality checks
//! on every page they visit live in the script; this test starts the server, seeds an admin
//! with a real password, runs the script and moves prices when the script asks
//! (`TICK AAA 105` on its standard output, answered with `ok` on its standard input).
//!
//! Needs Chromium (`BULLPEN_CHROMIUM`, default `/usr/bin/chromium`), Node.js (`BULLPEN_NODE`,
//! default `node`) and `npm ci --prefix tests/browser`. Without them the test is skipped,
//! unless `BULLPEN_REQUIRE_ALL_TESTS=1`. Screenshots go to `BULLPEN_SCREENSHOT_DIR`, default
//! `$CARGO_TARGET_DIR/screenshots` (or `target/screenshots`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bullpen_analytics::StoreSource;
use bullpen_domain::{ChallengeRules, DailyBar, Price, TournamentKind, TournamentRules, TournamentState};
use bullpen_engine::PriceUpdate;
use bullpen_market::clock::Clock;
use bullpen_store::{KeyScope, NewTournament, Role};
use bullpen_warehouse::{ExportOptions, Exporter, Location};
use bullpen_web::analytics::Analytics;
use bullpen_web::auth::credentials::{create_account, AccountForm};
use chrono::{Datelike, NaiveDate};
use support::TestApp;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// The admin the script signs in as.
const ADMIN_HANDLE: &str = "browser-admin";
const ADMIN_PASSWORD: &str = "browser-admin-password";

/// The running evaluation challenge the script joins.
const CHALLENGE_NAME: &str = "Pro Challenge";

/// The whole browser run may take this long.
const RUN_LIMIT: Duration = Duration::from_secs(240);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

fn require_all() -> bool {
    std::env::var("BULLPEN_REQUIRE_ALL_TESTS").is_ok_and(|v| v == "1")
}

fn env_path(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Chromium and Node.js, or why the run cannot happen.
fn tools(root: &Path) -> Result<(String, String), String> {
    let chromium = env_path("BULLPEN_CHROMIUM").or_else(|| {
        let default = "/usr/bin/chromium";
        Path::new(default).exists().then(|| default.to_string())
    });
    let node = env_path("BULLPEN_NODE");
    let (chromium, node) = match (chromium, node) {
        (Some(c), n) => (c, n.unwrap_or_else(|| "node".into())),
        (None, _) => return Err("Chromium not found (set BULLPEN_CHROMIUM or install Debian's chromium)".into()),
    };
    if !Path::new(&chromium).exists() {
        return Err(format!("Chromium not found at {chromium}"));
    }
    if !std::process::Command::new(&node).arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Err(format!("Node.js not found ({node}; set BULLPEN_NODE)"));
    }
    if !root.join("tests/browser/node_modules/playwright-core/package.json").exists() {
        return Err("playwright-core is not installed (run `npm ci --prefix tests/browser`)".into());
    }
    Ok((chromium, node))
}

fn screenshot_dir(root: &Path) -> PathBuf {
    if let Some(dir) = env_path("BULLPEN_SCREENSHOT_DIR") {
        return PathBuf::from(dir);
    }
    match env_path("CARGO_TARGET_DIR") {
        Some(target) => PathBuf::from(target).join("screenshots"),
        None => root.join("target/screenshots"),
    }
}

/// Parses `TICK SYM PRICE [SYM PRICE ...]` (whole dollars).
fn parse_tick(line: &str) -> Option<Vec<(String, i64)>> {
    let rest = line.strip_prefix("TICK ")?;
    let parts: Vec<&str> = rest.split_whitespace().collect();
    if parts.is_empty() || !parts.len().is_multiple_of(2) {
        return None;
    }
    parts.chunks(2).map(|p| Some((p[0].to_string(), p[1].parse().ok()?))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_work_in_a_real_browser() {
    let root = workspace_root();
    let (chromium, node) = match tools(&root) {
        Ok(t) => t,
        Err(why) => {
            if require_all() {
                panic!("browser test cannot run but BULLPEN_REQUIRE_ALL_TESTS=1: {why}");
            }
            println!("skipping browser test: {why}");
            return;
        }
    };
    let shots = screenshot_dir(&root);
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    for entry in std::fs::read_dir(&shots).expect("read screenshot dir").flatten() {
        if entry.path().extension().is_some_and(|e| e == "png") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    println!("screenshots: {}", shots.display());

    let app = TestApp::spawn().await;
    create_account(
        app.store.as_ref(),
        AccountForm {
            handle: ADMIN_HANDLE.into(),
            display_name: "Browser Admin".into(),
            email: "browser-admin@example.com".into(),
            password: ADMIN_PASSWORD.into(),
            role: Role::Admin,
        },
        app.clock.now(),
    )
    .await
    .expect("admin account");
    // Two months of daily bars before the tournament starts, so price charts have a history.
    let mut bars = Vec::new();
    let mut day = NaiveDate::from_ymd_opt(2025, 11, 3).expect("date");
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
    let mut n: i64 = 0;
    while day < start {
        if day.weekday().num_days_from_monday() < 5 {
            for (symbol, dollars) in support::PRICES {
                // A gentle zig-zag ending near the opening price, in cents.
                let close = dollars * 100 - 400 + (n % 7) * 60 + n * 2;
                bars.push(DailyBar {
                    date: day,
                    symbol: support::sym(symbol),
                    open: Price::from_cents(close - 30),
                    high: Price::from_cents(close + 80),
                    low: Price::from_cents(close - 90),
                    close: Price::from_cents(close),
                    volume: 1_000_000,
                });
            }
            n += 1;
        }
        day = day.succ_opt().expect("next day");
    }
    app.store.insert_bars(&bars).await.expect("bars");
    // A running evaluation challenge beside the test tournament.
    let challenge = bullpen_engine::admin::create_tournament(
        app.store.as_ref(),
        NewTournament {
            name: CHALLENGE_NAME.into(),
            kind: TournamentKind::Challenge,
            state: TournamentState::Registration,
            starts_on: start,
            ends_on: NaiveDate::from_ymd_opt(2026, 2, 27).expect("date"),
            rules: TournamentRules::default(),
            challenge: Some(ChallengeRules::default()),
            created_at: app.clock.now(),
        },
    )
    .await
    .expect("challenge");
    let challenge = app.engine.start(challenge.id).await.expect("start challenge");
    challenge.set_state(TournamentState::Running).await.expect("running");
    challenge.open_session(app.clock.now(), start, Vec::new()).await.expect("open");
    let opening = support::PRICES
        .iter()
        .map(|(s, p)| PriceUpdate { symbol: support::sym(s), price: support::usd(*p), day_volume: None })
        .collect();
    challenge.tick(app.clock.now(), opening).await.expect("tick");
    // The analytics warehouse, exported from the store every half second (as the server's ETL
    // does every minute), with report jobs, for the dashboard and reports pages.
    let location = Location::local(&app.dir.path().join("warehouse")).expect("warehouse");
    let analytics = Analytics::with_reports(location.clone(), &app.dir.path().join("reports"), app.clock.clone())
        .expect("report jobs");
    assert!(app.state.set_analytics(analytics));
    let exporter = Exporter::open(location, Arc::new(StoreSource(app.store.clone())), ExportOptions::default())
        .await
        .expect("exporter");
    let etl = tokio::spawn(async move {
        loop {
            if let Err(e) = exporter.run_once().await {
                eprintln!("warehouse export failed: {e}");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    // A rival already in the test tournament, so its leaderboard has someone to rank against.
    let rival = app.user("rival", Role::Player).await;
    app.key(&rival, KeyScope::Trade).await;

    let started = Instant::now();
    let mut child = tokio::process::Command::new(&node)
        .arg(root.join("tests/browser/run.mjs"))
        .current_dir(root.join("tests/browser"))
        .env("BASE_URL", &app.base)
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", &shots)
        .env("ADMIN_LOGIN", ADMIN_HANDLE)
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("TOURNAMENT_NAME", &app.tournament.name)
        .env("TOURNAMENT_ID", app.tournament.id.0.to_string())
        .env("CHALLENGE_NAME", CHALLENGE_NAME)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start {node}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stderr = child.stderr.take().expect("stderr");
    let stderr_task = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });

    let conversation = async {
        while let Some(line) = lines.next_line().await.expect("read script output") {
            println!("{line}");
            if let Some(prices) = parse_tick(&line) {
                let prices: Vec<(&str, i64)> = prices.iter().map(|(s, p)| (s.as_str(), *p)).collect();
                app.tick(&prices).await;
                stdin.write_all(b"ok\n").await.expect("answer the script");
                stdin.flush().await.expect("flush");
            } else if line.starts_with("TICK") {
                panic!("malformed tick request: {line}");
            }
        }
        child.wait().await.expect("wait for the script")
    };
    let status = match tokio::time::timeout(RUN_LIMIT, conversation).await {
        Ok(status) => status,
        Err(_) => panic!("the browser run took longer than {RUN_LIMIT:?}"),
    };
    let errors = stderr_task.await.unwrap_or_default();
    if !errors.trim().is_empty() {
        eprintln!("{errors}");
    }
    println!("browser run took {:.1} s", started.elapsed().as_secs_f64());
    etl.abort();
    assert!(status.success(), "browser scenarios failed ({status}); see the output above");
    app.stop().await;
}
