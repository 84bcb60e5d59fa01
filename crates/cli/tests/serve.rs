//! `bullpen serve` as a process: it starts, answers, shuts down cleanly on SIGTERM (exit 0),
//! keeps the demo idempotent across restarts, and loses nothing it acknowledged.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_bullpen");

/// A running `bullpen serve --demo`.
struct Server {
    child: Child,
    addr: String,
    tournament: i64,
    password: String,
    rest: mpsc::Receiver<String>,
}

fn start(data: &Path) -> Server {
    start_with(data, &[])
}

fn start_with(data: &Path, extra: &[&str]) -> Server {
    let log = std::fs::File::create(data.with_extension("log")).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--demo", "--demo-bots", "20", "--demo-day-seconds", "900"])
        .args(extra)
        .arg("--data-dir")
        .arg(data)
        .env_remove("BULLPEN_DATABASE_URL")
        .env_remove("BULLPEN_DATA_DIR")
        .env_remove("BULLPEN_MARKET_DATA")
        .env_remove("BULLPEN_ADDR")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut addr, mut tournament, mut password) = (None, None, None);
    while addr.is_none() {
        let line = rx.recv_timeout(Duration::from_secs(120)).expect("the server printed its address");
        if let Some(rest) = line.strip_prefix("listening on http://") {
            addr = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("demo tournament ") {
            tournament = rest.split_whitespace().next().and_then(|id| id.parse::<i64>().ok());
        } else if let Some(rest) = line.strip_prefix("demo sign-in: handle demo password ") {
            password = rest.split_whitespace().next().map(str::to_string);
        }
    }
    Server {
        child,
        addr: addr.unwrap(),
        tournament: tournament.expect("demo tournament line"),
        password: password.expect("demo sign-in line"),
        rest: rx,
    }
}

impl Server {
    /// Sends SIGTERM, waits for the exit, and returns the rest of standard output.
    fn terminate(mut self) -> String {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "serve exited with {exit:?}");
        self.rest.try_iter().collect::<Vec<_>>().join("\n")
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Response {
        http(&self.addr, method, path, headers, body)
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 exchange on its own connection.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or_default());
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string())).collect();
    Response { status, headers, body: body.to_string() }
}

/// Signs in as the demo player and returns (cookie header, CSRF token).
fn sign_in(server: &Server) -> (String, String) {
    let body = format!(r#"{{"login":"demo","password":"{}"}}"#, server.password);
    let res = server.request("POST", "/api/v1/auth/sign-in", &[], Some(&body));
    assert_eq!(res.status, 200, "{}", res.body);
    let cookie = res.header("set-cookie").expect("session cookie");
    let cookie = cookie.split(';').next().unwrap().to_string();
    let csrf = res.json()["csrf_token"].as_str().expect("csrf token").to_string();
    (cookie, csrf)
}

fn list_tournaments(data: &Path) -> String {
    let out = Command::new(BIN)
        .args(["tournament", "list", "--data-dir"])
        .arg(data)
        .env_remove("BULLPEN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn serve_demo_answers_stops_on_sigterm_and_restarts_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let server = start(&data);
    let health = server.request("GET", "/healthz", &[], None);
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = server.request("GET", "/readyz", &[], None);
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert!(ready.json()["sequencers"].as_u64().unwrap() >= 1);
    let metrics = server.request("GET", "/metrics", &[], None);
    assert!(metrics.body.contains(&format!("bullpen_engine_orders_total{{tournament=\"{}\"", server.tournament)));
    sign_in(&server);
    let first_id = server.tournament;
    let first_password = server.password.clone();
    let rest = server.terminate();
    assert!(rest.contains("bullpen stopped"), "{rest}");

    let listed = list_tournaments(&data);
    let demo_rows: Vec<&str> = listed.lines().filter(|l| l.contains("Bullpen Demo")).collect();
    assert_eq!(demo_rows.len(), 1, "{listed}");
    assert!(demo_rows[0].contains("running"), "{listed}");

    // A second start reuses the tournament, the bots and the account (with a new password).
    let server = start(&data);
    assert_eq!(server.tournament, first_id);
    assert_ne!(server.password, first_password);
    assert_eq!(server.request("GET", "/readyz", &[], None).status, 200);
    sign_in(&server);
    server.terminate();
    let listed = list_tournaments(&data);
    assert_eq!(listed.lines().filter(|l| l.contains("Bullpen Demo")).count(), 1, "{listed}");
    assert!(listed.lines().any(|l| l.contains("Bullpen Demo") && l.trim_end().ends_with("21")), "{listed}");
}

#[test]
fn an_order_acknowledged_before_sigterm_is_in_the_store_after_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start(&data);
    let (cookie, csrf) = sign_in(&server);
    let key = server.request(
        "POST",
        &format!("/api/v1/tournaments/{}/keys", server.tournament),
        &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
        Some(r#"{"label":"sigterm test","scope":"trade"}"#),
    );
    assert_eq!(key.status, 201, "{}", key.body);
    let key = key.json();
    let (id, secret) = (key["key_id"].as_str().unwrap(), key["secret"].as_str().unwrap());
    let order = server.request(
        "POST",
        "/v2/orders",
        &[("APCA-API-KEY-ID", id), ("APCA-API-SECRET-KEY", secret)],
        Some(
            r#"{"symbol":"SIMA","qty":"2","side":"buy","type":"market","time_in_force":"day","client_order_id":"acked-before-sigterm"}"#,
        ),
    );
    assert_eq!(order.status, 200, "{}", order.body);
    assert_eq!(order.json()["client_order_id"], "acked-before-sigterm");
    // SIGTERM right after the acknowledgement.
    server.terminate();

    let db = rusqlite::Connection::open(data.join("bullpen.db")).unwrap();
    let stored: i64 = db
        .query_row("SELECT count(*) FROM orders WHERE client_order_id = 'acked-before-sigterm'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 1);
    let check = Command::new(BIN).args(["check", "--data-dir"]).arg(&data).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn the_server_feeds_the_warehouse_on_a_schedule_and_reports_its_lag() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start_with(&data, &["--etl-every", "1", "--lag-every", "1"]);
    let metric = |text: &str, name: &str| -> Option<f64> {
        text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse::<f64>().ok()))
    };
    // The demo's bots trade; within a few runs the warehouse holds their fills.
    let mut exported = false;
    let mut text = String::new();
    for _ in 0..120 {
        std::thread::sleep(Duration::from_millis(500));
        text = server.request("GET", "/metrics", &[], None).body;
        let ok_runs = metric(&text, "bullpen_warehouse_exports_total{outcome=\"ok\"}").unwrap_or(0.0);
        let fills = data.join("warehouse").join("fills");
        let has_fills = walk(&fills).iter().any(|p| p.extension().is_some_and(|e| e == "parquet"));
        if ok_runs >= 2.0 && has_fills {
            exported = true;
            break;
        }
    }
    assert!(exported, "no export with fills after a minute:\n{text}");
    assert!(metric(&text, "bullpen_warehouse_lag_sequence_numbers").is_some(), "{text}");
    assert!(text.contains("# TYPE bullpen_warehouse_lag_seconds gauge"), "{text}");
    assert_eq!(metric(&text, "bullpen_warehouse_exports_total{outcome=\"failed\"}"), None, "{text}");
    // Scoring runs beside the exports, woken by those that brought rows: its cursor records the
    // scored tournament.
    let cursor = data.join("warehouse").join("_bullpen").join("scoring.json");
    let scored_tournament = || -> Option<serde_json::Value> {
        let cursor: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cursor).ok()?).ok()?;
        cursor["tournaments"].get(server.tournament.to_string()).cloned()
    };
    let mut scored = None;
    for _ in 0..240 {
        scored = scored_tournament().filter(|t| t["fills_seq"].as_i64() > Some(0));
        if scored.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(scored.is_some(), "no scoring pass after the exports: {:?}", std::fs::read_to_string(&cursor));

    // The demo player asks the server for a report of their entry, computed on that warehouse.
    let (cookie, csrf) = sign_in(&server);
    let auth = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
    let t = server.request("GET", &format!("/api/v1/tournaments/{}", server.tournament), &auth, None).json();
    // The demo runs for a century of replayed days; a report covers its first year.
    let from: chrono::NaiveDate = t["starts_on"].as_str().unwrap().parse().unwrap();
    let to = from + chrono::Duration::days(365);
    let body = serde_json::json!({
        "scope": "entry", "tournament_id": server.tournament, "format": "json",
        "from": from.to_string(), "to": to.to_string(),
    })
    .to_string();
    let res = server.request("POST", "/api/v1/reports", &auth, Some(&body));
    assert_eq!(res.status, 202, "{}", res.body);
    let job = res.json()["id"].as_str().unwrap().to_string();
    let mut done = serde_json::Value::Null;
    for _ in 0..240 {
        let status = server.request("GET", &format!("/api/v1/reports/{job}"), &auth, None).json();
        match status["state"].as_str() {
            Some("done") => {
                done = status;
                break;
            }
            Some("failed") => panic!("report failed: {status}"),
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
    assert_eq!(done["progress_percent"], 100, "{done}");
    let file = server.request("GET", &format!("/api/v1/reports/{job}/download"), &auth, None);
    assert_eq!(file.status, 200, "{}", file.body);
    assert!(file.header("content-type").unwrap().starts_with("application/json"));
    let report: serde_json::Value = serde_json::from_str(&file.body).unwrap();
    assert!(report.is_object(), "{report}");
    server.terminate();
    assert!(data.join("reports").is_dir(), "reports are kept under the data directory");

    // What the server exported is the warehouse `bullpen sql` reads.
    let out = Command::new(BIN)
        .args(["sql", "--format", "csv", "SELECT COUNT(*) AS n FROM fills"])
        .arg("--data-dir")
        .arg(&data)
        .env_remove("BULLPEN_DATABASE_URL")
        .env_remove("BULLPEN_DATA_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    let n: i64 = csv.lines().nth(1).unwrap().trim().parse().unwrap();
    assert!(n > 0, "{csv}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else { return out };
    for entry in read.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
