//! The trader dashboard and reports over HTTP, on a warehouse exported from a real store.
//!
//! Three players trade in one week: Alice buys 10 AAA at 100 and sells at 110, Bob buys 10 AAA
//! at 100 and sells at 105, Carol buys 20 CCC (moved to the Energy sector) at 20 and sells at 18.
//! The store is exported to a temporary warehouse; the API and pages are then called as Alice,
//! as Bob (refused on Alice's entry), as a coach and as an admin, and the figures are checked
//! against what the fills in the store imply.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use bullpen_domain::{DailyBar, EntryId, LedgerEntry, OrderRequest, OrderType, Price, Qty, Side, TimeInForce, Ts};
use bullpen_store::{NewInstrument, Role};
use bullpen_warehouse::{ExportOptions, Exporter, Location};
use bullpen_web::analytics::Analytics;
use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::{sym, TestApp, TestUser, START};

struct Fixture {
    app: TestApp,
    alice: TestUser,
    bob: TestUser,
    carol: TestUser,
    admin: TestUser,
    coach: TestUser,
    entries: [EntryId; 3],
}

fn market(symbol: &str, side: Side, qty: i64) -> OrderRequest {
    OrderRequest {
        client_order_id: None,
        symbol: sym(symbol),
        side,
        order_type: OrderType::Market,
        time_in_force: TimeInForce::Day,
        qty: Qty(qty),
        limit_price: None,
        stop_price: None,
    }
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    app.store
        .upsert_instruments(&[NewInstrument { symbol: sym("CCC"), name: "CCC Inc.".into(), sector: "Energy".into() }])
        .await
        .expect("sector");
    let mut users = Vec::new();
    let mut entries = Vec::new();
    for handle in ["alice", "bob", "carol"] {
        let user = app.user(handle, Role::Player).await;
        let entry = app.handle.join(user.user_id, &format!("User {handle}")).await.expect("join");
        users.push(user);
        entries.push(entry.id);
    }
    let h = &app.handle;
    h.place(entries[0], market("AAA", Side::Buy, 10)).await.expect("alice buys");
    h.place(entries[1], market("AAA", Side::Buy, 10)).await.expect("bob buys");
    h.place(entries[2], market("CCC", Side::Buy, 20)).await.expect("carol buys");
    app.tick(&[("AAA", 105)]).await;
    h.place(entries[1], market("AAA", Side::Sell, 10)).await.expect("bob sells");
    app.tick(&[("AAA", 110), ("CCC", 18)]).await;
    h.place(entries[0], market("AAA", Side::Sell, 10)).await.expect("alice sells");
    h.place(entries[2], market("CCC", Side::Sell, 20)).await.expect("carol sells");
    let bars: Vec<DailyBar> = [("AAA", 110), ("BBB", 50), ("CCC", 18)]
        .iter()
        .map(|(s, c)| {
            let p = Price::from_dollars(*c);
            DailyBar { date: day(), symbol: sym(s), open: p, high: p, low: p, close: p, volume: 1_000 }
        })
        .collect();
    app.store.insert_bars(&bars).await.expect("bars");
    h.close_session(Ts(START.0 + 6 * 3_600_000_000), day()).await.expect("close");
    h.barrier().await.expect("durable");

    attach_analytics(&app).await;
    let admin = app.user("admin", Role::Admin).await;
    let coach = app.user("coach", Role::Coach).await;
    let mut users = users.into_iter();
    let (alice, bob, carol) = (users.next().unwrap(), users.next().unwrap(), users.next().unwrap());
    Fixture { app, alice, bob, carol, admin, coach, entries: [entries[0], entries[1], entries[2]] }
}

/// Exports the store to a warehouse in the app's directory, scores it, and gives the server
/// its analytics over that warehouse. Returns the scoring pass's report.
async fn attach_analytics(app: &TestApp) -> bullpen_analytics::scoring::ScoringReport {
    let location = Location::local(&app.dir.path().join("warehouse")).expect("warehouse");
    let source = Arc::new(bullpen_analytics::StoreSource(app.store.clone()));
    Exporter::open(location.clone(), source, ExportOptions::default())
        .await
        .expect("exporter")
        .run_once()
        .await
        .expect("export");
    let report = bullpen_analytics::scoring::run_scoring(&location).await.expect("scoring");
    let analytics =
        Analytics::with_reports(location, &app.dir.path().join("reports"), app.clock.clone()).expect("report jobs");
    assert!(app.state.set_analytics(analytics));
    report
}

/// The return of an entry's one round trip, from its two fills in the store: (exit − entry) ×
/// shares − both commissions, over entry price × shares.
async fn expected_return(app: &TestApp, entry: EntryId) -> f64 {
    let fills: Vec<LedgerEntry> = app
        .store
        .ledger(app.tournament.id, Some(entry), 0, 100)
        .await
        .expect("ledger")
        .into_iter()
        .filter(|l| l.price.is_some() && l.qty_delta.0 != 0)
        .collect();
    assert_eq!(fills.len(), 2, "{fills:?}");
    let (open, close) = (&fills[0], &fills[1]);
    let qty = open.qty_delta.0 as f64;
    let (p1, p2) = (open.price.unwrap().to_f64_lossy(), close.price.unwrap().to_f64_lossy());
    ((p2 - p1) * qty - open.fee.to_f64_lossy() - close.fee.to_f64_lossy()) / (p1 * qty)
}

async fn get_json(f: &Fixture, user: &TestUser, path: &str) -> (StatusCode, Value) {
    let res = f.app.as_user(user, Method::GET, path).send().await.expect("send");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn base(f: &Fixture, entry: EntryId) -> String {
    format!("/api/v1/tournaments/{}/entries/{}", f.app.tournament.id.0, entry.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_api_ranks_each_trade_among_its_peers() {
    let f = fixture().await;
    let [a, b, c] = f.entries;
    let (ra, rb, rc) =
        (expected_return(&f.app, a).await, expected_return(&f.app, b).await, expected_return(&f.app, c).await);
    assert!(ra > rb && rb > rc, "{ra} {rb} {rc}");

    let (status, peers) = get_json(&f, &f.alice, &format!("{}/peers", base(&f, a))).await;
    assert_eq!(status, StatusCode::OK, "{peers}");
    let group = |g: &str| peers.as_array().unwrap().iter().find(|p| p["group"] == g).unwrap()["trades"][0].clone();
    let symbol = group("symbol");
    assert_eq!((symbol["symbol"].as_str(), symbol["peer_trades"].as_i64()), (Some("AAA"), Some(2)));
    assert!(close(symbol["trade_return"].as_f64().unwrap(), ra), "{symbol}");
    assert!(close(symbol["return_percentile"].as_f64().unwrap(), 1.0), "{symbol}");
    assert!(close(symbol["return_p50"].as_f64().unwrap(), (ra + rb) / 2.0), "{symbol}");
    let sector = group("sector");
    assert_eq!((sector["sector"].as_str(), sector["peer_trades"].as_i64()), (Some("Industrials"), Some(2)));
    let all = group("tournament");
    assert_eq!((all["peer_trades"].as_i64(), all["peer_traders"].as_i64()), (Some(3), Some(3)));
    assert!(close(all["return_p50"].as_f64().unwrap(), rb), "{all}");
    assert!(close(all["return_p10"].as_f64().unwrap(), rc + 0.2 * (rb - rc)), "{all}");
    assert!(close(all["return_p90"].as_f64().unwrap(), rb + 0.8 * (ra - rb)), "{all}");
    // Bob's trade is in the middle of the tournament and last in its symbol.
    let (_, bob_peers) = get_json(&f, &f.bob, &format!("{}/peers", base(&f, b))).await;
    let bob_rank = |g: &str| {
        bob_peers.as_array().unwrap().iter().find(|p| p["group"] == g).unwrap()["trades"][0]["return_percentile"]
            .as_f64()
            .unwrap()
    };
    assert!(close(bob_rank("symbol"), 0.0) && close(bob_rank("tournament"), 0.5));

    // The scatter's distribution and who else traded AAA that week, by pseudonym.
    let (status, points) = get_json(&f, &f.alice, &format!("{}/peers/tournament", base(&f, a))).await;
    assert_eq!(status, StatusCode::OK, "{points}");
    assert_eq!(points["points"].as_array().unwrap().len(), 3);
    let (seq, piece) = (symbol["close_seq"].as_i64().unwrap(), symbol["piece"].as_i64().unwrap());
    let (status, who) = get_json(&f, &f.alice, &format!("{}/round-trips/{seq}/{piece}/who-else", base(&f, a))).await;
    assert_eq!(status, StatusCode::OK, "{who}");
    let traders = who["traders"].as_array().unwrap();
    assert_eq!(traders.len(), 2, "{who}");
    assert_eq!((traders[0]["label"].as_str(), traders[0]["bought"].as_i64()), (Some("You"), Some(10)));
    assert!(traders[1]["label"].as_str().unwrap().starts_with("Trader "), "{who}");
    assert!(!who.to_string().contains("bob"), "no names or handles: {who}");
    let (status, _) = get_json(&f, &f.alice, &format!("{}/round-trips/999/0/who-else", base(&f, a))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // History: two fills newest first, paged; one closed trade.
    let (status, page) = get_json(&f, &f.alice, &format!("{}/history?limit=1", base(&f, a))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["fills"][0]["side"], "sell");
    let next = page["next"].as_str().expect("a second page").to_string();
    let (_, rest) = get_json(&f, &f.alice, &format!("{}/history?limit=1&after={next}", base(&f, a))).await;
    assert_eq!((rest["fills"][0]["side"].as_str(), rest["next"].is_null()), (Some("buy"), true));
    let (_, closed) = get_json(&f, &f.alice, &format!("{}/history?kind=closed&symbol=AAA&side=buy", base(&f, a))).await;
    assert_eq!(closed["round_trips"].as_array().unwrap().len(), 1, "{closed}");
    let (_, none) = get_json(&f, &f.alice, &format!("{}/history?symbol=CCC", base(&f, a))).await;
    assert!(none["fills"].as_array().unwrap().is_empty());
    let (status, _) = get_json(&f, &f.alice, &format!("{}/history?from=2026-02-01&to=2026-01-01", base(&f, a))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Equity: Alice first, Bob the median, the top decile the best of three; the benchmark
    // starts at the starting cash.
    let (status, eq) = get_json(&f, &f.alice, &format!("{}/equity", base(&f, a))).await;
    assert_eq!(status, StatusCode::OK, "{eq}");
    let point = &eq["points"][0];
    let (_, bob_eq) = get_json(&f, &f.bob, &format!("{}/equity", base(&f, b))).await;
    assert_eq!(point["median"], bob_eq["points"][0]["equity"], "{eq}");
    assert_eq!(point["top_decile"], point["equity"], "{eq}");
    // Each of the three instruments gets a third of the cash, rounded down to 1/10,000 of a dollar.
    let dollars = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    let shortfall = dollars(&eq["starting_cash"]) - dollars(&point["benchmark"]);
    assert!((0.0..0.0004).contains(&shortfall), "{eq}");
    assert_eq!(point["entries"].as_i64(), Some(3));

    let (status, fresh) = get_json(&f, &f.alice, &format!("{}/freshness", base(&f, a))).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert!(fresh["as_of"].as_str().is_some_and(|t| t.starts_with("2026-01-05T")), "{fresh}");
    assert_eq!(fresh["seq_behind"].as_i64(), Some(0));

    // Bob may not open Alice's dashboard; an admin may; nobody signed out.
    let (status, body) = get_json(&f, &f.bob, &format!("{}/peers", base(&f, a))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_your_entry")));
    let (status, _) = get_json(&f, &f.admin, &format!("{}/peers", base(&f, a))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get_json(&f, &f.admin, &format!("{}/peers", base(&f, EntryId(a.0 + 1000)))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Anomalies: the entry's own list; the platform view is for admins only.
    let (status, flagged) = get_json(&f, &f.alice, &format!("{}/anomalies", base(&f, a))).await;
    assert!(status == StatusCode::OK && flagged.is_array(), "{status} {flagged}");
    let (status, platform) = get_json(&f, &f.admin, "/api/v1/admin/anomalies?limit=10").await;
    assert!(status == StatusCode::OK && platform["trades"].is_array() && platform["pairs"].is_array(), "{platform}");
    let (status, _) = get_json(&f, &f.alice, "/api/v1/admin/anomalies").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let anonymous = f.app.request(Method::GET, &format!("{}/peers", base(&f, a))).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let _ = &f.carol;
    f.app.stop().await;
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn page(f: &Fixture, user: &TestUser, path: &str) -> (StatusCode, String, String) {
    let res = browser()
        .get(format!("{}{}", f.app.base, path))
        .header("cookie", format!("bullpen_session={}", user.token))
        .send()
        .await
        .expect("send");
    let status = res.status();
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, location, res.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_page_shows_peers_who_else_and_freshness() {
    let f = fixture().await;
    let t = f.app.tournament.id.0;
    let a = f.entries[0];
    let (status, location, _) = page(&f, &f.alice, &format!("/tournaments/{t}/dashboard")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let own = format!("/tournaments/{t}/entries/{}/dashboard", a.0);
    assert_eq!(location, own);

    let (status, _, body) = page(&f, &f.alice, &own).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.matches("<h1").count(), 1);
    assert!(body.contains("Data as of") && body.contains("updated every minute"), "{body}");
    assert!(body.contains("bp-scatter") && body.contains("bp-band") && body.contains("bp-line"), "{body}");
    assert!(body.contains("better than 100% of 2"), "{body}");
    assert!(body.contains("data-history=\"fills\""));
    assert!(!body.contains("style=") && !body.contains("<script>"), "CSP: no inline styles or scripts");

    let (_, _, tournament) = page(&f, &f.alice, &format!("{own}?group=tournament")).await;
    assert!(tournament.contains("data-peer-group=\"tournament\"") && tournament.contains("of 3"), "{tournament}");
    let trip = body.split("data-trip=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (_, _, who) = page(&f, &f.alice, &format!("{own}?trip={trip}")).await;
    assert!(who.contains("Who else traded AAA") && who.contains("Trader "), "{who}");
    assert!(!who.contains("User bob"), "no display names");
    let (_, _, closed) = page(&f, &f.alice, &format!("{own}?kind=closed&symbol=aaa")).await;
    assert!(closed.contains("data-history=\"closed\""), "{closed}");
    let (_, _, bad) = page(&f, &f.alice, &format!("{own}?from=yesterday")).await;
    assert!(bad.contains("from must be a date"), "{bad}");

    let (status, _, _) = page(&f, &f.bob, &own).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, admin) = page(&f, &f.admin, &own).await;
    assert_eq!(status, StatusCode::OK);
    assert!(admin.contains(&format!("Dashboard of entry {}", a.0)));
    let (status, _, admin_view) = page(&f, &f.admin, "/admin/anomalies").await;
    assert_eq!(status, StatusCode::OK, "{admin_view}");
    assert!(admin_view.contains("Possible coordinated trading") && admin_view.contains("Unusual trades"));
    let (_, _, tabs) = page(&f, &f.alice, &format!("/tournaments/{t}/portfolio")).await;
    assert!(tabs.contains(&format!("/tournaments/{t}/dashboard")), "the tournament pages link the dashboard");
    f.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_requested_polled_and_downloaded_by_their_owner() {
    let f = fixture().await;
    let t = f.app.tournament.id.0;
    let a = f.entries[0];
    let request = serde_json::json!({
        "scope": "entry", "tournament_id": t, "entry_id": a.0,
        "from": "2026-01-05", "to": "2026-01-09", "format": "csv"
    });
    let res = f.app.as_user(&f.alice, Method::POST, "/api/v1/reports").json(&request).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let job: Value = res.json().await.unwrap();
    let id = job["id"].as_str().unwrap().to_string();
    assert_eq!(job["state"], "queued");

    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let done = loop {
        let (status, job) = get_json(&f, &f.alice, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        match job["state"].as_str() {
            Some("done") => break job,
            Some("failed") => panic!("the report failed: {job}"),
            _ => {}
        }
        assert!(std::time::Instant::now() < deadline, "the report did not finish: {job}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(done["progress_percent"].as_u64(), Some(100));
    let url = done["download_url"].as_str().unwrap().to_string();
    let file = f.app.as_user(&f.alice, Method::GET, &url).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    let ct = file.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(ct.starts_with("text/csv"), "{ct}");
    assert!(file.headers().get("content-disposition").is_some());
    let text = file.text().await.unwrap();
    assert!(text.contains("AAA"), "the blotter lists the trades: {text}");

    let (_, mine) = get_json(&f, &f.alice, "/api/v1/reports").await;
    assert_eq!(mine["items"][0]["id"].as_str(), Some(id.as_str()));
    // Only the requester and admins see a job.
    let (status, _) = get_json(&f, &f.bob, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = f.app.as_user(&f.bob, Method::GET, &url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = get_json(&f, &f.admin, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, bobs) = get_json(&f, &f.bob, "/api/v1/reports").await;
    assert!(bobs["items"].as_array().unwrap().is_empty());

    // Bob may not report on Alice's entry; tournament reports are for coaches and admins.
    let res = f.app.as_user(&f.bob, Method::POST, "/api/v1/reports").json(&request).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let whole = serde_json::json!({
        "scope": "tournament", "tournament_id": t, "from": "2026-01-05", "to": "2026-01-09", "format": "json"
    });
    let res = f.app.as_user(&f.alice, Method::POST, "/api/v1/reports").json(&whole).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "coach_or_admin_only");
    let res = f.app.as_user(&f.coach, Method::POST, "/api/v1/reports").json(&whole).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let bad = serde_json::json!({
        "scope": "entry", "tournament_id": t, "from": "2026-01-09", "to": "2026-01-05", "format": "pdf"
    });
    let res = f.app.as_user(&f.alice, Method::POST, "/api/v1/reports").json(&bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The reports page lists the job with its download link, and its form posts a new one.
    let (status, _, body) = page(&f, &f.alice, "/reports").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(&format!("data-report-job=\"{id}\"")) && body.contains(&url), "{body}");
    let form = [
        ("_csrf", f.alice.csrf.as_str()),
        ("scope", "entry"),
        ("target", &format!("{t}:{}", a.0)),
        ("from", "2026-01-05"),
        ("to", "2026-01-09"),
        ("format", "html"),
    ];
    let res = browser()
        .post(format!("{}/reports", f.app.base))
        .header("cookie", format!("bullpen_session={}", f.alice.token))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, mine) = get_json(&f, &f.alice, "/api/v1/reports").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    let _ = &f.carol;
    f.app.stop().await;
}

/// Alice closes 230 round trips of 10 to 12 AAA shares, then one of 600: the scoring pass flags
/// that last trade for its size, and her dashboard (API and page) and the admin view show it
/// with its reason; Bob, who is not her, cannot see her list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusual_trade_is_flagged_with_its_reason_on_the_dashboard() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice", Role::Player).await;
    let bob = app.user("bob", Role::Player).await;
    let admin = app.user("admin", Role::Admin).await;
    let entry = app.handle.join(alice.user_id, "User alice").await.expect("join").id;
    app.handle.join(bob.user_id, "User bob").await.expect("join");
    for i in 0..230 {
        let qty = 10 + i % 3;
        app.handle.place(entry, market("AAA", Side::Buy, qty)).await.expect("buy");
        app.handle.place(entry, market("AAA", Side::Sell, qty)).await.expect("sell");
    }
    app.handle.place(entry, market("AAA", Side::Buy, 600)).await.expect("big buy");
    app.handle.place(entry, market("AAA", Side::Sell, 600)).await.expect("big sell");
    app.handle.barrier().await.expect("durable");
    let last_fill = app
        .store
        .ledger(app.tournament.id, Some(entry), 0, 10_000)
        .await
        .expect("ledger")
        .into_iter()
        .filter(|l| l.qty_delta.0 != 0)
        .map(|l| l.seq)
        .max()
        .expect("fills");
    let scoring = attach_analytics(&app).await;
    assert!(scoring.trades_scored >= 220, "{scoring:?}");

    let path = format!("/api/v1/tournaments/{}/entries/{}/anomalies", app.tournament.id.0, entry.0);
    let res = app.as_user(&alice, Method::GET, &path).send().await.expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    let flagged: Value = res.json().await.expect("json");
    let top = &flagged[0];
    assert_eq!(top["close_seq"].as_i64(), Some(last_fill), "{flagged}");
    // A 50-times-larger trade is larger both in dollars and as a share of the portfolio.
    let top_two: Vec<&str> = (0..2).filter_map(|i| top["features"][i]["feature"].as_str()).collect();
    assert!(top_two.contains(&"size") && top_two.contains(&"concentration"), "{flagged}");
    let reason = top["reason"].as_str().expect("reason").to_string();
    assert!(reason.starts_with("Unusual trade") && reason.contains("size"), "{reason}");
    let ordinary = flagged.as_array().unwrap().len() - 1;
    assert!(ordinary * 100 <= 230 * 3, "{ordinary} ordinary trades flagged: {flagged}");
    let res = app.as_user(&bob, Method::GET, &path).send().await.expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let own = format!("/tournaments/{}/entries/{}/dashboard", app.tournament.id.0, entry.0);
    let res = browser()
        .get(format!("{}{}?kind=closed", app.base, own))
        .header("cookie", format!("bullpen_session={}", alice.token))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("page");
    assert!(body.contains("ringed in red") && body.contains("unusual"), "{body}");
    let escaped = reason.replace('\'', "&#39;");
    assert!(body.contains(&escaped) || body.contains(&reason), "the page gives the reason: {reason}");
    let res = browser()
        .get(format!("{}/admin/anomalies", app.base))
        .header("cookie", format!("bullpen_session={}", admin.token))
        .send()
        .await
        .expect("send");
    let admin_view = res.text().await.expect("page");
    assert!(admin_view.contains(&format!("{}", entry.0)) && admin_view.contains("size"), "{admin_view}");
    app.stop().await;
}
