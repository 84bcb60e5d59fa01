//! Server-sent events at `/api/v1/stream`: quotes after ticks, the caller's own order updates,
//! leaderboard changes, nothing private for anonymous callers, and a counted stream lifetime.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use bullpen_store::{KeyScope, Role};
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use support::TestApp;

/// Reads server-sent events from a response body.
struct Events {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>>,
    buffer: String,
}

impl Events {
    fn new(res: reqwest::Response) -> Events {
        Events { body: Box::pin(res.bytes_stream()), buffer: String::new() }
    }

    /// The next event (name and JSON data), waiting at most `wait`.
    async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if !data.is_empty() {
                    return Some((name, serde_json::from_str(&data).expect("event data is JSON")));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next()).await.ok()??.ok()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Events until one named `name` matching `want` arrives; returns the events skipped too.
    async fn until(&mut self, name: &str, want: impl Fn(&Value) -> bool) -> (Value, Vec<(String, Value)>) {
        let mut skipped = Vec::new();
        loop {
            let (n, data) = self
                .next(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("no `{name}` event; saw {skipped:?}"));
            if n == name && want(&data) {
                return (data, skipped);
            }
            skipped.push((n, data));
        }
    }
}

fn has_quote(data: &Value, symbol: &str, price: &str) -> bool {
    data["quotes"].as_array().is_some_and(|q| q.iter().any(|q| q["symbol"] == symbol && q["price"] == price))
}

async fn market_buy(app: &TestApp, key: &support::TestKey, symbol: &str, qty: i64) -> Value {
    let res = app
        .as_key(key, Method::POST, "/v2/orders")
        .json(&json!({"symbol": symbol, "qty": qty, "side": "buy", "type": "market", "time_in_force": "day"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_key_holder_sees_quotes_its_orders_and_the_leaderboard() {
    let app = TestApp::spawn().await;
    let user = app.user("sam", Role::Player).await;
    let key = app.key(&user, KeyScope::Trade).await;
    let other_user = app.user("tom", Role::Player).await;
    let other = app.key(&other_user, KeyScope::Trade).await;
    let path = format!("/api/v1/stream?tournament_id={}", app.tournament.id.0);
    let res = app.as_key(&key, Method::GET, &path).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut events = Events::new(res);

    // The current board first.
    let (first, _) = events.until("quotes", |d| has_quote(d, "AAA", "100.00")).await;
    assert_eq!(first["quotes"].as_array().unwrap().len(), 3);

    // A tick: only the changed price.
    app.tick(&[("AAA", 105)]).await;
    let (moved, _) = events.until("quotes", |d| has_quote(d, "AAA", "105.00")).await;
    assert_eq!(moved["quotes"].as_array().unwrap().len(), 1);

    // Someone else's order is not shown; one's own is.
    market_buy(&app, &other, "BBB", 1).await;
    let mine = market_buy(&app, &key, "CCC", 7).await;
    let (update, skipped) = events.until("orders", |_| true).await;
    assert!(skipped.iter().all(|(n, _)| n != "orders"), "{skipped:?}");
    assert_eq!(update["event"], "fill");
    assert_eq!(update["order"]["symbol"], "CCC");
    assert_eq!(update["order"]["qty"], 7);
    assert_eq!(update["order"]["client_order_id"], mine["client_order_id"]);

    // The leaderboard moves with prices; the caller's row is included.
    app.tick(&[("CCC", 30)]).await;
    let (board, _) = events.until("leaderboard", |d| d["you"]["equity"] == "100070.00").await;
    assert_eq!(board["rows"][0]["name"], "sam");
    assert_eq!(board["you"]["rank"], 1);
    // Graceful shutdown waits for open responses: the client leaves first.
    drop(events);
    app.stop().await;
}

#[tokio::test]
async fn anonymous_callers_get_no_order_events() {
    let app = TestApp::spawn().await;
    let user = app.user("uma", Role::Player).await;
    let key = app.key(&user, KeyScope::Trade).await;
    let path = format!("/api/v1/stream?tournament_id={}&topics=quotes,orders", app.tournament.id.0);
    let res = app.request(Method::GET, &path).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut events = Events::new(res);
    events.until("quotes", |d| has_quote(d, "AAA", "100.00")).await;
    market_buy(&app, &key, "AAA", 2).await;
    app.tick(&[("BBB", 55)]).await;
    let (_, skipped) = events.until("quotes", |d| has_quote(d, "BBB", "55.00")).await;
    assert!(skipped.iter().all(|(n, _)| n != "orders" && n != "leaderboard"), "{skipped:?}");
    drop(events);
    app.stop().await;
}

#[tokio::test]
async fn a_signed_in_player_sees_their_own_orders() {
    let app = TestApp::spawn().await;
    let user = app.user("val", Role::Player).await;
    let key = app.key(&user, KeyScope::Trade).await;
    let path = format!("/api/v1/stream?tournament_id={}&topics=orders", app.tournament.id.0);
    let res = app.as_user(&user, Method::GET, &path).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut events = Events::new(res);
    market_buy(&app, &key, "BBB", 3).await;
    let (update, skipped) = events.until("orders", |_| true).await;
    assert!(skipped.is_empty(), "only orders were asked for: {skipped:?}");
    assert_eq!(update["order"]["status"], "filled");
    assert_eq!(update["order"]["side"], "buy");
    drop(events);
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused_and_streams_are_counted() {
    let app = TestApp::spawn().await;
    let id = app.tournament.id.0;
    let res = app.request(Method::GET, "/api/v1/stream").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res =
        app.request(Method::GET, &format!("/api/v1/stream?tournament_id={id}&topics=trades")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid_query");
    let res = app.request(Method::GET, "/api/v1/stream?tournament_id=999999").send().await.unwrap();
    assert_eq!(res.status(), 404);

    assert_eq!(app.state.metrics.streams_connected(), 0);
    let res =
        app.request(Method::GET, &format!("/api/v1/stream?tournament_id={id}&topics=quotes")).send().await.unwrap();
    let mut events = Events::new(res);
    events.next(Duration::from_secs(5)).await.expect("first event");
    assert_eq!(app.state.metrics.streams_connected(), 1);
    drop(events);
    // The server notices the client left at its next write.
    let mut price = 100;
    while app.state.metrics.streams_connected() != 0 {
        price += 1;
        assert!(price < 200, "the stream was never uncounted");
        app.tick(&[("AAA", price)]).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_league_members_stream_ranks_the_league_only() {
    let app = TestApp::spawn().await;
    let t = app.tournament.id;
    let (ann, bob, cid) =
        (app.user("ann", Role::Player).await, app.user("bob", Role::Player).await, app.user("cid", Role::Player).await);
    let (ann_key, bob_key, cid_key) = (
        app.key(&ann, KeyScope::Trade).await,
        app.key(&bob, KeyScope::Trade).await,
        app.key(&cid, KeyScope::Trade).await,
    );
    let league = app
        .store
        .create_league(bullpen_store::NewLeague {
            tournament_id: t,
            name: "Desk".into(),
            invite_code: "DESK-0001".into(),
            commissioner: ann.user_id,
            created_at: bullpen_market::clock::Clock::now(app.clock.as_ref()),
        })
        .await
        .unwrap();
    for entry in [ann_key.entry.id, cid_key.entry.id] {
        app.store.add_league_member(league.id, entry).await.unwrap();
    }
    let path = format!("/api/v1/stream?tournament_id={}&topics=leaderboard&league_id={}", t.0, league.id.0);

    // Not a member, signed out, or no such league: 404.
    assert_eq!(app.as_key(&bob_key, Method::GET, &path).send().await.unwrap().status(), 404);
    assert_eq!(app.as_user(&bob, Method::GET, &path).send().await.unwrap().status(), 404);
    assert_eq!(app.request(Method::GET, &path).send().await.unwrap().status(), 404);
    let missing = format!("/api/v1/stream?tournament_id={}&league_id=999999", t.0);
    assert_eq!(app.as_user(&ann, Method::GET, &missing).send().await.unwrap().status(), 404);

    // A member sees the league's two entries only, ranked among themselves, live.
    let res = app.as_user(&ann, Method::GET, &path).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut events = Events::new(res);
    let (first, _) = events.until("leaderboard", |_| true).await;
    assert_eq!(first["league_id"], league.id.0);
    assert_eq!(first["entries"], 2);
    let names = |d: &Value| {
        d["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert!(names(&first).iter().all(|n| n == "ann" || n == "cid"), "{first}");
    market_buy(&app, &bob_key, "AAA", 100).await;
    market_buy(&app, &cid_key, "CCC", 100).await;
    app.tick(&[("CCC", 30), ("AAA", 200)]).await;
    let (moved, _) = events.until("leaderboard", |d| d["rows"][0]["name"] == "cid").await;
    assert_eq!(names(&moved), ["cid", "ann"], "bob leads the tournament but is not in the league: {moved}");
    assert_eq!((moved["you"]["name"].as_str(), moved["you"]["rank"].as_u64()), (Some("ann"), Some(2)));
    assert_eq!(moved["rows"][0]["rank"], 1);
    drop(events);
    app.stop().await;
}
