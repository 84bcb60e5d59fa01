//! Orders, positions, account and fills of the caller's own entry through the JSON API, and
//! how the API treats bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use bullpen_store::{KeyScope, OrderFilter, Role};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use support::{TestApp, TestKey, TestUser};

fn orders_path(app: &TestApp) -> String {
    format!("/api/v1/tournaments/{}/orders", app.tournament.id.0)
}

fn path(app: &TestApp, rest: &str) -> String {
    format!("/api/v1/tournaments/{}/{rest}", app.tournament.id.0)
}

async fn send(req: RequestBuilder) -> (u16, Value) {
    let res: Response = req.send().await.expect("send");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
}

async fn player(app: &TestApp, handle: &str) -> (TestUser, TestKey) {
    let user = app.user(handle, Role::Player).await;
    let key = app.key(&user, KeyScope::Trade).await;
    (user, key)
}

async fn order_count(app: &TestApp) -> usize {
    app.store.orders(app.tournament.id, &OrderFilter::default()).await.unwrap().len()
}

#[tokio::test]
async fn market_and_limit_orders_with_a_key_and_a_session() {
    let app = TestApp::spawn().await;
    let (user, key) = player(&app, "alice").await;

    let (status, order) = send(
        app.as_key(&key, Method::POST, &orders_path(&app))
            .json(&json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 10, "client_order_id": "first"})),
    )
    .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "filled");
    assert_eq!(order["filled_qty"], 10);
    assert_eq!(order["filled_avg_price"], "100.00");
    assert_eq!(order["client_order_id"], "first");
    assert_eq!(order["time_in_force"], "day");
    assert_eq!(order["type"], "market");
    assert_eq!(order["entry_id"], key.entry.id.0);

    // A retry with the same client order id returns the original and trades nothing more.
    let (status, again) = send(
        app.as_key(&key, Method::POST, &orders_path(&app))
            .json(&json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 10, "client_order_id": "first"})),
    )
    .await;
    assert_eq!((status, &again["id"]), (201, &order["id"]));

    // The signed-in owner trades the same entry with the session (and CSRF token).
    let (status, limit) = send(app.as_user(&user, Method::POST, &orders_path(&app)).json(&json!({
        "symbol": "bbb", "side": "buy", "type": "limit", "time_in_force": "gtc", "qty": 5, "limit_price": "45.50"
    })))
    .await;
    assert_eq!(status, 201, "{limit}");
    assert_eq!(limit["status"], "new");
    assert_eq!(limit["symbol"], "BBB");
    assert_eq!(limit["limit_price"], "45.50");

    // Stop and stop-limit orders rest too.
    let (status, stop) = send(app.as_key(&key, Method::POST, &orders_path(&app)).json(&json!({
        "symbol": "AAA", "side": "sell", "type": "stop", "qty": 5, "stop_price": "90"
    })))
    .await;
    assert_eq!((status, stop["status"].as_str()), (201, Some("new")), "{stop}");
    let (status, stop_limit) = send(app.as_key(&key, Method::POST, &orders_path(&app)).json(&json!({
        "symbol": "CCC", "side": "buy", "type": "stop_limit", "qty": 5, "stop_price": "25", "limit_price": "26"
    })))
    .await;
    assert_eq!((status, stop_limit["status"].as_str()), (201, Some("new")), "{stop_limit}");

    // The limit fills when the market crosses it.
    app.tick(&[("BBB", 45)]).await;
    let (status, shown) =
        send(app.as_user(&user, Method::GET, &format!("{}/{}", orders_path(&app), limit["id"]))).await;
    assert_eq!((status, shown["status"].as_str()), (200, Some("filled")));
    assert_eq!(shown["filled_avg_price"], "45.00");
    app.stop().await;
}

#[tokio::test]
async fn order_lists_filter_and_page() {
    let app = TestApp::spawn().await;
    let (_, key) = player(&app, "bob").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let price = format!("{}", 90 + i);
        let (status, o) = send(app.as_key(&key, Method::POST, &orders_path(&app)).json(&json!({
            "symbol": "AAA", "side": "buy", "type": "limit", "time_in_force": "gtc", "qty": 1, "limit_price": price
        })))
        .await;
        assert_eq!(status, 201, "{o}");
        ids.push(o["id"].as_i64().unwrap());
    }
    let (status, _) = send(
        app.as_key(&key, Method::POST, &orders_path(&app))
            .json(&json!({"symbol": "CCC", "side": "buy", "type": "market", "qty": 1})),
    )
    .await;
    assert_eq!(status, 201);

    let (status, page) = send(app.as_key(&key, Method::GET, &format!("{}?limit=2", orders_path(&app)))).await;
    assert_eq!(status, 200);
    let got: Vec<i64> = page["items"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert_eq!(got, ids[..2]);
    let next = page["next"].as_str().unwrap().to_string();
    assert_eq!(next, ids[1].to_string());
    let (_, page) = send(app.as_key(&key, Method::GET, &format!("{}?limit=2&after={next}", orders_path(&app)))).await;
    let got: Vec<i64> = page["items"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert_eq!(got, ids[2..4]);

    let (_, open) = send(app.as_key(&key, Method::GET, &format!("{}?status=open", orders_path(&app)))).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 5);
    assert!(open["next"].is_null());
    let (_, closed) = send(app.as_key(&key, Method::GET, &format!("{}?status=closed", orders_path(&app)))).await;
    assert_eq!(closed["items"].as_array().unwrap().len(), 1);
    assert_eq!(closed["items"][0]["status"], "filled");
    let (_, all) = send(app.as_key(&key, Method::GET, &orders_path(&app))).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 6);

    for (query, status, code) in [
        ("status=sideways", 400, "invalid_query"),
        ("limit=0", 422, "validation_failed"),
        ("after=-4", 400, "invalid_cursor"),
    ] {
        let (s, err) = send(app.as_key(&key, Method::GET, &format!("{}?{query}", orders_path(&app)))).await;
        assert_eq!((s, err["code"].as_str()), (status, Some(code)), "{query}");
    }
    app.stop().await;
}

#[tokio::test]
async fn cancel_and_replace_working_orders() {
    let app = TestApp::spawn().await;
    let (_, key) = player(&app, "carol").await;
    let (_, o) = send(app.as_key(&key, Method::POST, &orders_path(&app)).json(&json!({
        "symbol": "AAA", "side": "buy", "type": "limit", "time_in_force": "gtc", "qty": 3, "limit_price": "95"
    })))
    .await;
    let one = format!("{}/{}", orders_path(&app), o["id"]);

    let (status, replaced) =
        send(app.as_key(&key, Method::PATCH, &one).json(&json!({"qty": 4, "limit_price": "96.25"}))).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["qty"], 4);
    assert_eq!(replaced["limit_price"], "96.25");
    assert_eq!(replaced["replaces"], o["id"]);
    let (_, old) = send(app.as_key(&key, Method::GET, &one)).await;
    assert_eq!(old["status"], "replaced");
    assert_eq!(old["replaced_by"], replaced["id"]);

    let (status, err) = send(app.as_key(&key, Method::PATCH, &one).json(&json!({"qty": 5}))).await;
    assert_eq!((status, err["code"].as_str()), (422, Some("order_not_open")));
    let new_one = format!("{}/{}", orders_path(&app), replaced["id"]);
    let (status, err) = send(app.as_key(&key, Method::PATCH, &new_one).json(&json!({}))).await;
    assert_eq!((status, err["code"].as_str()), (422, Some("validation_failed")));
    let (status, err) = send(app.as_key(&key, Method::PATCH, &new_one).json(&json!({"limit_price": "96.257"}))).await;
    assert_eq!((status, err["code"].as_str()), (422, Some("off_tick")), "{err}");

    let (status, canceled) = send(app.as_key(&key, Method::DELETE, &new_one)).await;
    assert_eq!((status, canceled["status"].as_str()), (200, Some("canceled")));
    assert!(canceled["canceled_at"].is_string());
    let (status, err) = send(app.as_key(&key, Method::DELETE, &new_one)).await;
    assert_eq!((status, err["code"].as_str()), (422, Some("order_not_open")));
    let (status, err) = send(app.as_key(&key, Method::DELETE, &format!("{}/12345", orders_path(&app)))).await;
    assert_eq!(status, 404, "{err}");
    app.stop().await;
}

#[tokio::test]
async fn other_players_orders_are_invisible() {
    let app = TestApp::spawn().await;
    let (alice, alice_key) = player(&app, "alice").await;
    let (bob, bob_key) = player(&app, "bob").await;
    let (_, o) = send(app.as_key(&alice_key, Method::POST, &orders_path(&app)).json(&json!({
        "symbol": "AAA", "side": "buy", "type": "limit", "time_in_force": "gtc", "qty": 1, "limit_price": "90"
    })))
    .await;
    let one = format!("{}/{}", orders_path(&app), o["id"]);

    for req in [
        app.as_key(&bob_key, Method::GET, &one),
        app.as_user(&bob, Method::GET, &one),
        app.as_key(&bob_key, Method::DELETE, &one),
        app.as_key(&bob_key, Method::PATCH, &one).json(&json!({"qty": 2})),
    ] {
        let (status, err) = send(req).await;
        assert_eq!(status, 404, "{err}");
    }
    let (_, list) = send(app.as_key(&bob_key, Method::GET, &orders_path(&app))).await;
    assert_eq!(list["items"], json!([]));
    // Alice's order is untouched and still hers.
    let (status, mine) = send(app.as_user(&alice, Method::GET, &one)).await;
    assert_eq!((status, mine["status"].as_str(), mine["qty"].as_i64()), (200, Some("new"), Some(1)));
    app.stop().await;
}

#[tokio::test]
async fn access_rules_for_trading_routes() {
    let app = TestApp::spawn().await;
    let (user, _) = player(&app, "dora").await;
    let read_key = app.key(&user, KeyScope::ReadOnly).await;
    let body = json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 1});

    let (status, err) = send(app.as_key(&read_key, Method::POST, &orders_path(&app)).json(&body)).await;
    assert_eq!((status, err["code"].as_str()), (403, Some("forbidden")));
    for rest in ["orders", "positions", "account", "fills"] {
        let (status, page) = send(app.as_key(&read_key, Method::GET, &path(&app, rest))).await;
        assert_eq!(status, 200, "{rest}: {page}");
    }
    let (status, _) = send(app.request(Method::POST, &orders_path(&app)).json(&body)).await;
    assert_eq!(status, 401);
    let (status, _) = send(app.request(Method::GET, &path(&app, "account"))).await;
    assert_eq!(status, 401);
    // A session without the CSRF token cannot trade.
    let (status, err) = send(
        app.request(Method::POST, &orders_path(&app))
            .header("cookie", format!("bullpen_session={}", user.token))
            .json(&body),
    )
    .await;
    assert_eq!((status, err["code"].as_str()), (403, Some("csrf_failed")));
    // A signed-in user who has not joined.
    let outsider = app.user("eve", Role::Player).await;
    let (status, err) = send(app.as_user(&outsider, Method::POST, &orders_path(&app)).json(&body)).await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_joined")));
    // A key of this tournament used on another one.
    let (status, _) = send(app.as_key(&read_key, Method::GET, "/api/v1/tournaments/999/orders")).await;
    assert_eq!(status, 403);
    assert_eq!(order_count(&app).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn invalid_orders_are_refused_with_codes_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (_, key) = player(&app, "frank").await;
    let post = |body: Value| app.as_key(&key, Method::POST, &orders_path(&app)).json(&body);
    let cases = [
        (json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 0}), 422, "validation_failed"),
        (json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": -3}), 422, "validation_failed"),
        (json!({"symbol": "AAA", "side": "hold", "type": "market", "qty": 1}), 422, "validation_failed"),
        (json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": "1"}), 422, "validation_failed"),
        (
            json!({"symbol": "AAA", "side": "buy", "type": "limit", "qty": 1, "limit_price": "abc"}),
            422,
            "validation_failed",
        ),
        (
            json!({"symbol": "AAA", "side": "buy", "type": "limit", "qty": 1, "limit_price": 95}),
            422,
            "validation_failed",
        ),
        (json!({"symbol": "AAA", "side": "buy", "type": "limit", "qty": 1}), 422, "missing_limit_price"),
        (
            json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 1, "stop_price": "3"}),
            422,
            "unexpected_stop_price",
        ),
        (json!({"symbol": "a b", "side": "buy", "type": "market", "qty": 1}), 422, "validation_failed"),
        (json!({"symbol": "ZZZ", "side": "buy", "type": "market", "qty": 1}), 422, "unknown_symbol"),
        (json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 5000}), 422, "insufficient_buying_power"),
        (json!({"symbol": "AAA", "side": "sell", "type": "market", "qty": 1}), 422, "insufficient_position"),
        (json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 1, "leverage": 10}), 422, "validation_failed"),
        (json!({"side": "buy", "type": "market", "qty": 1}), 422, "validation_failed"),
    ];
    for (body, status, code) in cases {
        let (s, err) = send(post(body.clone())).await;
        assert_eq!((s, err["code"].as_str()), (status, Some(code)), "{body}: {err}");
        assert!(!err["message"].as_str().unwrap().is_empty());
    }

    // Malformed JSON, wrong content type, oversized body.
    let (s, err) = send(
        app.as_key(&key, Method::POST, &orders_path(&app))
            .header("content-type", "application/json")
            .body("{\"symbol\": \"AAA\","),
    )
    .await;
    assert_eq!((s, err["code"].as_str()), (400, Some("malformed_json")));
    let (s, err) = send(
        app.as_key(&key, Method::POST, &orders_path(&app))
            .header("content-type", "text/plain")
            .body(r#"{"symbol":"AAA","side":"buy","type":"market","qty":1}"#),
    )
    .await;
    assert_eq!((s, err["code"].as_str()), (415, Some("unsupported_media_type")));
    let huge = format!(
        r#"{{"symbol":"AAA","side":"buy","type":"market","qty":1,"client_order_id":"{}"}}"#,
        "x".repeat(100_000)
    );
    let res = app
        .as_key(&key, Method::POST, &orders_path(&app))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "payload_too_large");
    // Bad path parameters.
    let (s, err) = send(app.as_key(&key, Method::GET, &format!("{}/not-a-number", orders_path(&app)))).await;
    assert_eq!((s, err["code"].as_str()), (400, Some("invalid_path")));
    assert_eq!(order_count(&app).await, 0, "no refused request may leave an order behind");
    app.stop().await;
}

#[tokio::test]
async fn positions_account_and_fills() {
    let app = TestApp::spawn().await;
    let (user, key) = player(&app, "gina").await;
    for (symbol, side, qty) in [("AAA", "buy", 10), ("BBB", "buy", 20), ("AAA", "sell", 4), ("CCC", "sell_short", 50)] {
        let (status, o) = send(
            app.as_key(&key, Method::POST, &orders_path(&app))
                .json(&json!({"symbol": symbol, "side": side, "type": "market", "qty": qty})),
        )
        .await;
        assert_eq!((status, o["status"].as_str()), (201, Some("filled")), "{o}");
    }
    let (_, _) = send(app.as_key(&key, Method::POST, &orders_path(&app)).json(&json!({
        "symbol": "BBB", "side": "buy", "type": "limit", "time_in_force": "gtc", "qty": 10, "limit_price": "40"
    })))
    .await;
    app.tick(&[("AAA", 110), ("CCC", 18)]).await;

    let (status, page) = send(app.as_user(&user, Method::GET, &path(&app, "positions"))).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["symbol"], "AAA");
    assert_eq!(items[0]["qty"], 6);
    assert_eq!(items[0]["side"], "long");
    assert_eq!(items[0]["avg_entry_price"], "100.00");
    assert_eq!(items[0]["current_price"], "110.00");
    assert_eq!(items[0]["market_value"], "660.00");
    assert_eq!(items[0]["unrealized_pnl"], "60.00");
    assert_eq!(items[2]["symbol"], "CCC");
    assert_eq!(items[2]["qty"], -50);
    assert_eq!(items[2]["side"], "short");
    assert_eq!(items[2]["market_value"], "-900.00");
    assert_eq!(items[2]["unrealized_pnl"], "100.00");
    let (_, page) =
        send(app.as_key(&key, Method::GET, &format!("{}?limit=1&after=AAA", path(&app, "positions")))).await;
    assert_eq!(page["items"][0]["symbol"], "BBB");
    assert_eq!(page["next"], "BBB");

    let (status, account) = send(app.as_key(&key, Method::GET, &path(&app, "account"))).await;
    assert_eq!(status, 200, "{account}");
    // Cash: 100,000 − 1,000 − 1,000 + 400 + 1,000 (short proceeds) = 99,400.
    assert_eq!(account["cash"], "99400.00");
    // Equity: cash + 660 + 1,000 (BBB 20 × 50) − 900 = 100,160.
    assert_eq!(account["equity"], "100160.00");
    assert_eq!(account["long_market_value"], "1660.00");
    assert_eq!(account["short_market_value"], "-900.00");
    // Buying power: equity − gross exposure (2,560) − reserved (10 × 40).
    assert_eq!(account["buying_power"], "97200.00");
    assert_eq!(account["positions"], 3);
    assert_eq!(account["open_orders"], 1);
    assert_eq!(account["rank"], 1);
    assert_eq!(account["entries"], 1);
    assert_eq!(account["starting_cash"], "100000.00");
    assert_eq!(account["realized_pnl"], "0.00");

    let (status, fills) = send(app.as_key(&key, Method::GET, &format!("{}?limit=3", path(&app, "fills")))).await;
    assert_eq!(status, 200, "{fills}");
    let items = fills["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["symbol"], "AAA");
    assert_eq!(items[0]["side"], "buy");
    assert_eq!(items[0]["qty"], 10);
    assert_eq!(items[0]["price"], "100.00");
    assert_eq!(items[0]["cash_delta"], "-1000.00");
    assert_eq!(items[2]["side"], "sell");
    assert_eq!(items[2]["position_after"], 6);
    let next = fills["next"].as_str().unwrap();
    let (_, more) = send(app.as_key(&key, Method::GET, &format!("{}?after={next}", path(&app, "fills")))).await;
    let more = more["items"].as_array().unwrap();
    assert_eq!(more.len(), 1);
    assert_eq!(more[0]["symbol"], "CCC");
    assert_eq!(more[0]["qty"], 50);

    // Another player sees only their own (empty) account.
    let (_, other) = player(&app, "hank").await;
    let (_, page) = send(app.as_key(&other, Method::GET, &path(&app, "positions"))).await;
    assert_eq!(page["items"], json!([]));
    let (_, page) = send(app.as_key(&other, Method::GET, &path(&app, "fills"))).await;
    assert_eq!(page["items"], json!([]));
    app.stop().await;
}
