//! The proof of Alpaca compatibility: the official `alpaca-py` SDK, unmodified, trades against a
//! test server (`tests/python/alpaca_sdk.py`). Needs `BULLPEN_PYTHON` (an interpreter with
//! `tests/python-requirements.txt` installed); without it the test prints a `skipping` line,
//! unless `BULLPEN_REQUIRE_ALL_TESTS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Stdio;
use std::time::Duration;

use bullpen_store::{KeyScope, Role};
use support::TestApp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

/// Longest the script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

fn python() -> Option<String> {
    match std::env::var("BULLPEN_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var("BULLPEN_REQUIRE_ALL_TESTS").as_deref() == Ok("1") => {
            panic!("BULLPEN_PYTHON is not set and BULLPEN_REQUIRE_ALL_TESTS=1")
        }
        _ => None,
    }
}

#[tokio::test]
async fn the_official_alpaca_py_sdk_trades_against_bullpen() {
    let Some(python) = python() else {
        println!("skipping alpaca_sdk: BULLPEN_PYTHON is not set (an interpreter with alpaca-py installed)");
        return;
    };
    let app = TestApp::spawn().await;
    let user = app.user("sdk", Role::Player).await;
    let key = app.key(&user, KeyScope::Trade).await;
    let script = format!("{}/tests/python/alpaca_sdk.py", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(&python)
        .arg(&script)
        .env("BASE_URL", &app.base)
        .env("STREAM_URL", format!("ws://{}/stream", app.addr))
        .env("KEY", &key.id)
        .env("SECRET", &key.secret)
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python} {script}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();

    let run = async {
        let mut last = String::new();
        while let Some(line) = lines.next_line().await.expect("read the script's output") {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("TICK ") {
                let (symbol, dollars) = rest.split_once(' ').expect("TICK <symbol> <dollars>");
                app.tick(&[(symbol, dollars.parse().expect("whole dollars"))]).await;
                stdin.write_all(b"ticked\n").await.expect("answer the script");
                stdin.flush().await.expect("flush");
            }
            last = line;
        }
        let status = child.wait().await.expect("wait for the script");
        (status, last)
    };
    let (status, last) = tokio::time::timeout(SCRIPT_TIMEOUT, run).await.expect("the alpaca-py script timed out");
    assert!(status.success(), "the alpaca-py script failed ({status}); see its FAIL line above");
    assert!(last.starts_with("alpaca-py"), "no summary line, last line: {last}");
    app.stop().await;
}
