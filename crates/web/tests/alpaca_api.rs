//! The Alpaca-compatible `/v2` API over a real server: every endpoint, Alpaca's value formats,
//! and its error shapes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use bullpen_store::{KeyScope, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{TestApp, TestKey};

async fn trader(app: &TestApp, handle: &str) -> TestKey {
    let user = app.user(handle, Role::Player).await;
    app.key(&user, KeyScope::Trade).await
}

async fn call(app: &TestApp, key: &TestKey, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.as_key(key, method, path);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("send");
    let status = res.status();
    let text = res.text().await.expect("body");
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("json body") };
    (status, value)
}

fn order(symbol: &str, qty: i64, side: &str, kind: &str, extra: Value) -> Value {
    let mut o = json!({"symbol": symbol, "qty": qty, "side": side, "type": kind, "time_in_force": "gtc"});
    if kind == "market" {
        o["time_in_force"] = json!("day");
    }
    if let (Some(o), Some(extra)) = (o.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            o.insert(k.clone(), v.clone());
        }
    }
    o
}

fn assert_alpaca_error(body: &Value, code: u64) {
    assert_eq!(body["code"].as_u64(), Some(code), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<usize> = s.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12] && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[tokio::test]
async fn account_clock_calendar_and_assets() {
    let app = TestApp::spawn().await;
    let key = trader(&app, "ann").await;

    let (status, acct) = call(&app, &key, Method::GET, "/v2/account", None).await;
    assert_eq!(status, 200, "{acct}");
    assert!(is_uuid(acct["id"].as_str().unwrap()), "{acct}");
    assert_eq!(acct["status"], "ACTIVE");
    assert_eq!(acct["currency"], "USD");
    assert_eq!(acct["cash"], "100000.00");
    assert_eq!(acct["equity"], "100000.00");
    assert_eq!(acct["buying_power"], "100000.00");
    assert_eq!(acct["last_equity"], "100000.00");
    assert_eq!(acct["trading_blocked"], false);
    assert_eq!(acct["shorting_enabled"], true);

    let (status, clock) = call(&app, &key, Method::GET, "/v2/clock", None).await;
    assert_eq!(status, 200);
    assert_eq!(clock["is_open"], true);
    assert_eq!(clock["next_close"], "2026-01-05T16:00:00-05:00");
    assert_eq!(clock["next_open"], "2026-01-06T09:30:00-05:00");
    assert!(clock["timestamp"].as_str().unwrap().starts_with("2026-01-05T09:30:00"));

    let (status, days) = call(&app, &key, Method::GET, "/v2/calendar?start=2026-01-01&end=2026-01-09", None).await;
    assert_eq!(status, 200);
    let dates: Vec<&str> = days.as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"]);
    assert_eq!(days[0]["open"], "09:30");
    assert_eq!(days[0]["close"], "16:00");

    let (status, assets) = call(&app, &key, Method::GET, "/v2/assets?status=active&asset_class=us_equity", None).await;
    assert_eq!(status, 200);
    let symbols: Vec<&str> = assets.as_array().unwrap().iter().map(|a| a["symbol"].as_str().unwrap()).collect();
    assert_eq!(symbols, ["AAA", "BBB", "CCC"]);
    let (status, asset) = call(&app, &key, Method::GET, "/v2/assets/BBB", None).await;
    assert_eq!(status, 200);
    assert_eq!(asset["class"], "us_equity");
    assert_eq!(asset["tradable"], true);
    let by_id = format!("/v2/assets/{}", asset["id"].as_str().unwrap());
    let (status, same) = call(&app, &key, Method::GET, &by_id, None).await;
    assert_eq!((status, same["symbol"].as_str()), (StatusCode::OK, Some("BBB")));
    let (status, err) = call(&app, &key, Method::GET, "/v2/assets/ZZZ", None).await;
    assert_eq!(status, 404);
    assert_alpaca_error(&err, 40410000);
    app.stop().await;
}

#[tokio::test]
async fn orders_submit_list_get_replace_cancel() {
    let app = TestApp::spawn().await;
    let key = trader(&app, "bob").await;

    // Market buy fills at once.
    let (status, m) = call(
        &app,
        &key,
        Method::POST,
        "/v2/orders",
        Some(order("AAA", 10, "buy", "market", json!({"client_order_id": "m-1"}))),
    )
    .await;
    assert_eq!(status, 200, "{m}");
    assert!(is_uuid(m["id"].as_str().unwrap()));
    assert_eq!(m["status"], "filled");
    assert_eq!(m["filled_qty"], "10");
    assert_eq!(m["filled_avg_price"], "100.00");
    assert_eq!(m["qty"], "10");
    assert_eq!(m["side"], "buy");
    assert_eq!(m["type"], "market");
    assert_eq!(m["order_class"], "simple");
    assert_eq!(m["client_order_id"], "m-1");
    assert!(m["filled_at"].as_str().unwrap().ends_with('Z'));

    // Resting limit, stop and stop-limit orders (prices as numbers and as strings).
    let (status, limit) = call(
        &app,
        &key,
        Method::POST,
        "/v2/orders",
        Some(order("BBB", 5, "buy", "limit", json!({"limit_price": 45.5}))),
    )
    .await;
    assert_eq!(status, 200, "{limit}");
    assert_eq!((limit["status"].as_str(), limit["limit_price"].as_str()), (Some("new"), Some("45.50")));
    let (status, stop) = call(
        &app,
        &key,
        Method::POST,
        "/v2/orders",
        Some(order("AAA", 4, "sell", "stop", json!({"stop_price": "90"}))),
    )
    .await;
    assert_eq!(status, 200, "{stop}");
    assert_eq!(stop["stop_price"], "90.00");
    assert_eq!(stop["position_intent"], "sell_to_close");
    let (status, stop_limit) = call(
        &app,
        &key,
        Method::POST,
        "/v2/orders",
        Some(order(
            "CCC",
            3,
            "buy",
            "stop_limit",
            json!({"stop_price": 25, "limit_price": 26, "client_order_id": "sl-1"}),
        )),
    )
    .await;
    assert_eq!(status, 200, "{stop_limit}");
    assert_eq!(stop_limit["type"], "stop_limit");

    // Listing: open by default, newest first; filters.
    let (_, open) = call(&app, &key, Method::GET, "/v2/orders", None).await;
    let ids: Vec<&str> = open.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [stop_limit["id"].as_str().unwrap(), stop["id"].as_str().unwrap(), limit["id"].as_str().unwrap()]);
    let (_, asc) = call(&app, &key, Method::GET, "/v2/orders?status=all&direction=asc&limit=2", None).await;
    let ids: Vec<&str> = asc.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [m["id"].as_str().unwrap(), limit["id"].as_str().unwrap()]);
    let (_, closed) = call(&app, &key, Method::GET, "/v2/orders?status=closed", None).await;
    assert_eq!(closed.as_array().unwrap().len(), 1);
    let (_, by_symbol) =
        call(&app, &key, Method::GET, "/v2/orders?status=all&symbols=AAA,CCC&side=buy&nested=True", None).await;
    assert_eq!(by_symbol.as_array().unwrap().len(), 2);
    let (_, none) = call(&app, &key, Method::GET, "/v2/orders?status=all&after=2026-01-05T15:00:00Z", None).await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    let (_, all) = call(&app, &key, Method::GET, "/v2/orders?status=all&until=2026-01-05T15:00:00%2B00:00", None).await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    let (status, err) = call(&app, &key, Method::GET, "/v2/orders?limit=501", None).await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 40010001);

    // Get by id and by client order id.
    let (status, got) =
        call(&app, &key, Method::GET, &format!("/v2/orders/{}", limit["id"].as_str().unwrap()), None).await;
    assert_eq!((status, &got), (StatusCode::OK, &limit));
    let (status, got) = call(&app, &key, Method::GET, "/v2/orders:by_client_order_id?client_order_id=sl-1", None).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["id"], stop_limit["id"]);
    let (status, err) = call(&app, &key, Method::GET, "/v2/orders:by_client_order_id?client_order_id=nope", None).await;
    assert_eq!(status, 404);
    assert_alpaca_error(&err, 40410000);

    // Replace: a new order; the old one becomes replaced.
    let path = format!("/v2/orders/{}", limit["id"].as_str().unwrap());
    let (status, new) = call(&app, &key, Method::PATCH, &path, Some(json!({"qty": 6, "limit_price": 46.0}))).await;
    assert_eq!(status, 200, "{new}");
    assert_eq!(new["replaces"], limit["id"]);
    assert_eq!((new["qty"].as_str(), new["limit_price"].as_str()), (Some("6"), Some("46.00")));
    let (_, old) = call(&app, &key, Method::GET, &path, None).await;
    assert_eq!(old["status"], "replaced");
    assert_eq!(old["replaced_by"], new["id"]);

    // Cancel one (204), then again (422: no longer open).
    let path = format!("/v2/orders/{}", new["id"].as_str().unwrap());
    let (status, body) = call(&app, &key, Method::DELETE, &path, None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, err) = call(&app, &key, Method::DELETE, &path, None).await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 42210000);

    // Cancel all: 207 with one line per order.
    let (status, lines) = call(&app, &key, Method::DELETE, "/v2/orders", None).await;
    assert_eq!(status, 207);
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["status"] == 200 && l["body"]["status"] == "canceled"));
    let (_, open) = call(&app, &key, Method::GET, "/v2/orders", None).await;
    assert_eq!(open, json!([]));

    // A resting order fills when the price crosses.
    let (_, resting) = call(
        &app,
        &key,
        Method::POST,
        "/v2/orders",
        Some(order("CCC", 10, "buy", "limit", json!({"limit_price": 19}))),
    )
    .await;
    app.tick(&[("CCC", 18)]).await;
    let (_, filled) =
        call(&app, &key, Method::GET, &format!("/v2/orders/{}", resting["id"].as_str().unwrap()), None).await;
    assert_eq!(filled["status"], "filled");
    assert_eq!(filled["filled_avg_price"], "18.00");
    app.stop().await;
}

#[tokio::test]
async fn sides_follow_alpaca_semantics() {
    let app = TestApp::spawn().await;
    let key = trader(&app, "cat").await;
    // Sell with no position opens a short.
    let (status, short) =
        call(&app, &key, Method::POST, "/v2/orders", Some(order("BBB", 10, "sell", "market", json!({})))).await;
    assert_eq!(status, 200, "{short}");
    assert_eq!((short["side"].as_str(), short["position_intent"].as_str()), (Some("sell"), Some("sell_to_open")));
    let (_, pos) = call(&app, &key, Method::GET, "/v2/positions/BBB", None).await;
    assert_eq!((pos["qty"].as_str(), pos["side"].as_str()), (Some("-10"), Some("short")));
    assert_eq!(pos["market_value"], "-500.00");
    // Buy while short covers.
    let (status, cover) =
        call(&app, &key, Method::POST, "/v2/orders", Some(order("BBB", 4, "buy", "market", json!({})))).await;
    assert_eq!(status, 200, "{cover}");
    assert_eq!(cover["position_intent"], "buy_to_close");
    let (_, pos) = call(&app, &key, Method::GET, "/v2/positions/BBB", None).await;
    assert_eq!(pos["qty"], "-6");
    // Buying more than the short is refused like Alpaca refuses it (no flip in one order).
    let (status, err) =
        call(&app, &key, Method::POST, "/v2/orders", Some(order("BBB", 10, "buy", "market", json!({})))).await;
    assert_eq!(status, 403, "{err}");
    assert_alpaca_error(&err, 40310000);
    app.stop().await;
}

#[tokio::test]
async fn positions_list_get_close() {
    let app = TestApp::spawn().await;
    let key = trader(&app, "dan").await;
    for (s, q) in [("AAA", 10), ("BBB", 20), ("CCC", 30)] {
        let (status, o) =
            call(&app, &key, Method::POST, "/v2/orders", Some(order(s, q, "buy", "market", json!({})))).await;
        assert_eq!(status, 200, "{o}");
    }
    app.tick(&[("AAA", 110)]).await;
    let (status, list) = call(&app, &key, Method::GET, "/v2/positions", None).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 3);
    let (_, aaa) = call(&app, &key, Method::GET, "/v2/positions/AAA", None).await;
    assert_eq!(aaa["qty"], "10");
    assert_eq!(aaa["side"], "long");
    assert_eq!(aaa["avg_entry_price"], "100.00");
    assert_eq!(aaa["current_price"], "110.00");
    assert_eq!(aaa["market_value"], "1100.00");
    assert_eq!(aaa["cost_basis"], "1000.00");
    assert_eq!(aaa["unrealized_pl"], "100.00");
    assert_eq!(aaa["unrealized_plpc"], "0.1");
    assert_eq!(aaa["asset_class"], "us_equity");
    assert!(is_uuid(aaa["asset_id"].as_str().unwrap()));
    let (_, acct) = call(&app, &key, Method::GET, "/v2/account", None).await;
    assert_eq!(acct["long_market_value"], "2700.00");
    assert_eq!(acct["equity"], "100100.00");

    // Close part of one by percentage, then the rest, then it is gone.
    let (status, o) = call(&app, &key, Method::DELETE, "/v2/positions/AAA?percentage=50", None).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(
        (o["qty"].as_str(), o["side"].as_str(), o["status"].as_str()),
        (Some("5"), Some("sell"), Some("filled"))
    );
    let (status, o) = call(&app, &key, Method::DELETE, "/v2/positions/AAA", None).await;
    assert_eq!(status, 200);
    assert_eq!(o["qty"], "5");
    let (status, err) = call(&app, &key, Method::GET, "/v2/positions/AAA", None).await;
    assert_eq!(status, 404);
    assert_alpaca_error(&err, 40410000);
    let (status, err) = call(&app, &key, Method::DELETE, "/v2/positions/AAA", None).await;
    assert_eq!(status, 404);
    assert_alpaca_error(&err, 40410000);
    let (status, _) = call(&app, &key, Method::DELETE, "/v2/positions/BBB?qty=1", None).await;
    assert_eq!(status, 200);

    // Close all: 207, one line per position.
    let (status, lines) = call(&app, &key, Method::DELETE, "/v2/positions?cancel_orders=True", None).await;
    assert_eq!(status, 207, "{lines}");
    let mut symbols: Vec<&str> = lines.as_array().unwrap().iter().map(|l| l["symbol"].as_str().unwrap()).collect();
    symbols.sort_unstable();
    assert_eq!(symbols, ["BBB", "CCC"]);
    assert!(lines.as_array().unwrap().iter().all(|l| l["status"] == 200 && l["body"]["status"] == "filled"));
    let (_, list) = call(&app, &key, Method::GET, "/v2/positions", None).await;
    assert_eq!(list, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn activities_and_portfolio_history() {
    let app = TestApp::spawn().await;
    let key = trader(&app, "eve").await;
    for q in [3, 4] {
        let (status, _) =
            call(&app, &key, Method::POST, "/v2/orders", Some(order("AAA", q, "buy", "market", json!({})))).await;
        assert_eq!(status, 200);
    }
    let (status, acts) = call(&app, &key, Method::GET, "/v2/account/activities", None).await;
    assert_eq!(status, 200, "{acts}");
    let acts = acts.as_array().unwrap();
    assert_eq!(acts.len(), 3);
    assert_eq!(acts[0]["activity_type"], "FILL");
    assert_eq!(acts[0]["qty"], "4");
    assert_eq!(acts[0]["price"], "100.00");
    assert_eq!(acts[0]["side"], "buy");
    assert_eq!(acts[0]["type"], "fill");
    assert_eq!(acts[0]["order_status"], "filled");
    assert_eq!(acts[0]["leaves_qty"], "0");
    assert!(is_uuid(acts[0]["order_id"].as_str().unwrap()));
    assert_eq!(acts[2]["activity_type"], "CSD");
    assert_eq!(acts[2]["net_amount"], "100000.00");

    let (_, page1) = call(&app, &key, Method::GET, "/v2/account/activities?direction=asc&page_size=2", None).await;
    let page1 = page1.as_array().unwrap();
    assert_eq!(page1.len(), 2);
    let token = page1[1]["id"].as_str().unwrap();
    let (_, page2) = call(
        &app,
        &key,
        Method::GET,
        &format!("/v2/account/activities?direction=asc&page_size=2&page_token={token}"),
        None,
    )
    .await;
    assert_eq!(page2.as_array().unwrap().len(), 1);
    assert_eq!(page2[0]["qty"], "4");
    let (_, fills) = call(&app, &key, Method::GET, "/v2/account/activities/FILL", None).await;
    assert_eq!(fills.as_array().unwrap().len(), 2);
    let (_, deposits) = call(&app, &key, Method::GET, "/v2/account/activities?activity_types=CSD,DIV", None).await;
    assert_eq!(deposits.as_array().unwrap().len(), 1);
    let (status, err) = call(&app, &key, Method::GET, "/v2/account/activities?page_size=500", None).await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 40010001);

    app.tick(&[("AAA", 110)]).await;
    let (status, hist) =
        call(&app, &key, Method::GET, "/v2/account/portfolio/history?period=1W&timeframe=1D", None).await;
    assert_eq!(status, 200, "{hist}");
    assert_eq!(hist["timeframe"], "1D");
    assert_eq!(hist["base_value"].as_f64(), Some(100_000.0));
    assert_eq!(hist["equity"], json!([100_070.0]));
    assert_eq!(hist["profit_loss"], json!([70.0]));
    assert_eq!(hist["timestamp"], json!([1_767_623_400]));
    let (status, err) = call(&app, &key, Method::GET, "/v2/account/portfolio/history?period=1X", None).await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 40010001);
    app.stop().await;
}

#[tokio::test]
async fn errors_have_alpaca_shapes_and_keys_see_only_their_entry() {
    let app = TestApp::spawn().await;
    let key = trader(&app, "fay").await;
    let other = trader(&app, "gus").await;
    let reader_user = app.user("hal", Role::Player).await;
    let reader = app.key(&reader_user, KeyScope::ReadOnly).await;

    // Validation.
    let (status, err) =
        call(&app, &key, Method::POST, "/v2/orders", Some(order("AAA", 1, "sideways", "market", json!({})))).await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 40010001);
    let (status, err) = call(
        &app,
        &key,
        Method::POST,
        "/v2/orders",
        Some(json!({"symbol": "AAA", "notional": 100, "side": "buy", "type": "market", "time_in_force": "day"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 42210000);
    let (status, err) =
        call(&app, &key, Method::POST, "/v2/orders", Some(order("ZZZ", 1, "buy", "market", json!({})))).await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 42210000);
    let (status, err) = call(
        &app,
        &key,
        Method::POST,
        "/v2/orders",
        Some(order("AAA", 1, "buy", "limit", json!({"limit_price": 1.005}))),
    )
    .await;
    assert_eq!(status, 422);
    assert_alpaca_error(&err, 40010001);
    let (status, err) =
        call(&app, &key, Method::POST, "/v2/orders", Some(order("AAA", 1, "buy", "market", json!({"bogus": true}))))
            .await;
    assert_eq!(status, 422, "{err}");
    assert_alpaca_error(&err, 40010001);
    let res = app
        .as_key(&key, Method::POST, "/v2/orders")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_alpaca_error(&res.json().await.unwrap(), 40010000);

    // Buying power and shares.
    let (status, err) =
        call(&app, &key, Method::POST, "/v2/orders", Some(order("AAA", 5_000, "buy", "market", json!({})))).await;
    assert_eq!(status, 403);
    assert_alpaca_error(&err, 40310000);
    assert!(err["message"].as_str().unwrap().contains("insufficient buying power"), "{err}");

    // A read-only key reads but cannot trade.
    let (status, _) = call(&app, &reader, Method::GET, "/v2/account", None).await;
    assert_eq!(status, 200);
    let (status, err) =
        call(&app, &reader, Method::POST, "/v2/orders", Some(order("AAA", 1, "buy", "market", json!({})))).await;
    assert_eq!(status, 403);
    assert_alpaca_error(&err, 40310000);
    let (status, err) = call(&app, &reader, Method::DELETE, "/v2/orders", None).await;
    assert_eq!(status, 403);
    assert_alpaca_error(&err, 40310000);

    // Another entry's order does not exist for this key.
    let (_, theirs) = call(
        &app,
        &other,
        Method::POST,
        "/v2/orders",
        Some(order("BBB", 1, "buy", "limit", json!({"limit_price": 40}))),
    )
    .await;
    let path = format!("/v2/orders/{}", theirs["id"].as_str().unwrap());
    for method in [Method::GET, Method::DELETE] {
        let (status, err) = call(&app, &key, method, &path, None).await;
        assert_eq!(status, 404);
        assert_alpaca_error(&err, 40410000);
    }
    let (status, _) = call(&app, &key, Method::PATCH, &path, Some(json!({"qty": 2}))).await;
    assert_eq!(status, 404);
    let (_, mine) = call(&app, &key, Method::GET, "/v2/orders?status=all", None).await;
    assert!(mine.as_array().unwrap().iter().all(|o| o["id"] != theirs["id"]));
    let (status, _) = call(&app, &key, Method::GET, "/v2/orders/not-an-id", None).await;
    assert_eq!(status, 404);

    // Without a key (or with a session) the /v2 API is closed.
    let res = app.request(Method::GET, "/v2/account").send().await.unwrap();
    assert_eq!(res.status(), 401);
    let user = app.user("ivy", Role::Player).await;
    let res = app.as_user(&user, Method::GET, "/v2/account").send().await.unwrap();
    assert_eq!(res.status(), 401);
    let bad = TestKey { secret: "wrong".into(), ..key.clone() };
    let res = app.as_key(&bad, Method::GET, "/v2/account").send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_alpaca_error(&res.json().await.unwrap(), 40110000);
    app.stop().await;
}
