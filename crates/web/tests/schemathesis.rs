//! Runs schemathesis (PyPI) against the OpenAPI document of a running server: no 5xx, and
//! every response conforms to the document. Needs the interpreter in `BULLPEN_PYTHON` with
//! `tests/python-requirements.txt` installed; without it the test is skipped, unless
//! `BULLPEN_REQUIRE_ALL_TESTS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bullpen_store::{KeyScope, Role};
use bullpen_warehouse::{ExportOptions, Exporter, Location};
use bullpen_web::analytics::Analytics;
use support::TestApp;

/// Operations that would end the run's own session or rights (sign-out, demoting or disabling
/// users, who may include the run's admin): fuzzed last, in a run of their own.
const SELF_DESTRUCTIVE: &str = "^/api/v1/(auth/sign-out|admin/users/\\{user_id\\}/(role|disable))$";

/// One schemathesis run: its name, its options and its environment.
type Run = (&'static str, Vec<String>, Vec<(&'static str, String)>);

fn python() -> Option<String> {
    match std::env::var("BULLPEN_PYTHON") {
        Ok(p) if !p.trim().is_empty() => Some(p),
        _ => {
            if std::env::var("BULLPEN_REQUIRE_ALL_TESTS").is_ok_and(|v| v == "1") {
                panic!("BULLPEN_PYTHON is not set but BULLPEN_REQUIRE_ALL_TESTS=1");
            }
            None
        }
    }
}

async fn run(python: &str, base: &str, args: &[String], env: &[(&str, String)]) -> (bool, String) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/schemathesis_run.sh");
    let mut command = tokio::process::Command::new("sh");
    command.arg(script).arg(base).args(args).env("BULLPEN_PYTHON", python).kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::time::timeout(Duration::from_secs(240), command.output())
        .await
        .expect("schemathesis took longer than 4 minutes")
        .expect("run schemathesis");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_errors_and_no_schema_violations() {
    let Some(python) = python() else {
        println!("skipping schemathesis: BULLPEN_PYTHON is not set");
        return;
    };
    let app = TestApp::spawn().await;
    // The server's analytics: a warehouse exported from the test store, and report jobs.
    let location = Location::local(&app.dir.path().join("warehouse")).expect("warehouse");
    let source = Arc::new(bullpen_analytics::StoreSource(app.store.clone()));
    let exporter = Exporter::open(location.clone(), source, ExportOptions::default()).await.expect("exporter");
    exporter.run_once().await.expect("export");
    let analytics =
        Analytics::with_reports(location, &app.dir.path().join("reports"), app.clock.clone()).expect("report jobs");
    assert!(app.state.set_analytics(analytics));
    // An admin who also plays in the test tournament, so every kind of route is reachable with
    // one session, and a player with a trade key for the key-authenticated runs.
    let admin = app.user("root", Role::Admin).await;
    app.key(&admin, KeyScope::Trade).await;
    let player = app.user("player", Role::Player).await;
    let key = app.key(&player, KeyScope::Trade).await;
    let session = vec![
        "-H".to_string(),
        format!("Cookie: bullpen_session={}", admin.token),
        "-H".into(),
        format!("X-CSRF-Token: {}", admin.csrf),
    ];
    let key_headers = vec![
        "-H".to_string(),
        format!("APCA-API-KEY-ID: {}", key.id),
        "-H".into(),
        format!("APCA-API-SECRET-KEY: {}", key.secret),
    ];

    let mut failures = Vec::new();
    let pinned = vec![("ST_TOURNAMENT_ID", app.tournament.id.0.to_string())];
    let runs: Vec<Run> = vec![
        (
            "as a player (API key) in the test tournament",
            [
                key_headers,
                vec![
                    "--include-path-regex".into(),
                    "^/api/v1/tournaments/\\{tournament_id\\}/(orders|positions|account|fills)".into(),
                    "--mode".into(),
                    "positive".into(),
                ],
            ]
            .concat(),
            pinned,
        ),
        (
            "as the admin (session)",
            [session.clone(), vec!["--exclude-path-regex".into(), SELF_DESTRUCTIVE.into()]].concat(),
            Vec::new(),
        ),
        (
            "as the admin, operations that end the session",
            [session, vec!["--include-path-regex".into(), SELF_DESTRUCTIVE.into()]].concat(),
            Vec::new(),
        ),
    ];
    for (name, args, env) in runs {
        let started = std::time::Instant::now();
        let (ok, output) = run(&python, &app.base, &args, &env).await;
        println!(
            "=== schemathesis {name}: {} in {:.1?}\n{output}",
            if ok { "passed" } else { "FAILED" },
            started.elapsed()
        );
        if !ok {
            failures.push(name);
        }
    }
    app.stop().await;
    assert!(failures.is_empty(), "schemathesis failed: {failures:?} (output above)");
}
