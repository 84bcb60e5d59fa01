//! Crash safety: SIGKILL the process while orders flow, restart it, and prove that every
//! acknowledged order is in the store and `bullpen check` passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_bullpen");

fn complete_lines(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut lines: Vec<String> =
        text.split_inclusive('\n').filter(|l| l.ends_with('\n')).map(|l| l.trim().to_string()).collect();
    lines.retain(|l| !l.is_empty());
    lines
}

fn start_soak(data: &Path, log: &Path) -> Child {
    Command::new(BIN)
        .args(["bench", "soak", "--seconds", "120", "--players", "20", "--clients", "16"])
        .arg("--ack-log")
        .arg(log)
        .arg("--data-dir")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start bullpen bench soak")
}

/// Polls (the condition is a file growing, not a server becoming ready) until `log` holds
/// `at_least` complete lines.
fn wait_for_acks(child: &mut Child, log: &Path, at_least: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while complete_lines(log).len() < at_least {
        assert!(child.try_wait().unwrap().is_none(), "the soak process exited early");
        assert!(Instant::now() < deadline, "no acknowledgements within 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn check(data: &Path, log: &Path) -> String {
    let out = Command::new(BIN).arg("check").arg("--data-dir").arg(data).arg("--acked").arg(log).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "bullpen check failed after a crash:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn sigkill_while_orders_flow_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("acked.log");
    let mut total = 0;
    for round in 1..=2 {
        let mut child = start_soak(&data, &log);
        total += 300;
        wait_for_acks(&mut child, &log, total);
        child.kill().unwrap(); // SIGKILL: no shutdown, no flush, no drain.
        child.wait().unwrap();
        let acked = complete_lines(&log);
        // Rewrite the log with complete lines only (the kill may have cut nothing, but be exact).
        std::fs::write(&log, acked.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
        let report = check(&data, &log);
        assert!(report.contains("all ledgers reconcile"), "round {round}: {report}");
        let verified: usize = report
            .lines()
            .filter_map(|l| l.split(" orders, ").nth(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .filter_map(|n| n.parse::<usize>().ok())
            .sum();
        assert_eq!(verified, acked.len(), "round {round}: every acknowledged order must be checked: {report}");
        total = acked.len();
    }
}

#[test]
fn check_fails_when_an_acknowledged_order_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("acked.log");
    let mut child = start_soak(&data, &log);
    wait_for_acks(&mut child, &log, 50);
    child.kill().unwrap();
    child.wait().unwrap();
    // An order id of the same tournament that was never issued.
    let first: i64 = complete_lines(&log)[0].parse().unwrap();
    let forged = (first >> 40 << 40) | ((1 << 40) - 1);
    std::fs::write(&log, format!("{forged}\n")).unwrap();
    let out = Command::new(BIN).arg("check").arg("--data-dir").arg(&data).arg("--acked").arg(&log).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("acknowledged order {forged} is missing")));
}
