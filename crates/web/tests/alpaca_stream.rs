//! The `trade_updates` WebSocket at `/stream`: Alpaca's in-band authentication, `listen`, and
//! the key's own order events only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use bullpen_store::{KeyScope, Role};
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use support::{TestApp, TestKey};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(app: &TestApp) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/stream", app.addr)).await.expect("connect");
    ws
}

async fn send(ws: &mut Ws, value: Value) {
    ws.send(Message::Text(value.to_string().into())).await.expect("send");
}

/// The next JSON message, or `None` when the socket closes or nothing arrives in time.
async fn recv(ws: &mut Ws, wait: Duration) -> Option<Value> {
    loop {
        let msg = tokio::time::timeout(wait, ws.next()).await.ok()??.ok()?;
        match msg {
            Message::Text(t) => return Some(serde_json::from_str(&t).expect("json")),
            Message::Binary(b) => return Some(serde_json::from_slice(&b).expect("json")),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

async fn authorized(app: &TestApp, key: &TestKey) -> Ws {
    let mut ws = connect(app).await;
    send(&mut ws, json!({"action": "authenticate", "data": {"key_id": key.id, "secret_key": key.secret}})).await;
    let reply = recv(&mut ws, Duration::from_secs(5)).await.expect("auth reply");
    assert_eq!(reply, json!({"stream": "authorization", "data": {"status": "authorized", "action": "authenticate"}}));
    send(&mut ws, json!({"action": "listen", "data": {"streams": ["trade_updates"]}})).await;
    let reply = recv(&mut ws, Duration::from_secs(5)).await.expect("listen reply");
    assert_eq!(reply, json!({"stream": "listening", "data": {"streams": ["trade_updates"]}}));
    ws
}

async fn submit(app: &TestApp, key: &TestKey, body: Value) -> Value {
    let res = app.as_key(key, Method::POST, "/v2/orders").json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn trade_updates_stream_the_keys_own_orders() {
    let app = TestApp::spawn().await;
    let user = app.user("wes", Role::Player).await;
    let key = app.key(&user, KeyScope::Trade).await;
    let other_user = app.user("xia", Role::Player).await;
    let other = app.key(&other_user, KeyScope::Trade).await;
    let mut ws = authorized(&app, &key).await;

    // Another entry's fill is not sent; this key's is, with the fill's price, size and position.
    submit(&app, &other, json!({"symbol": "AAA", "qty": 1, "side": "buy", "type": "market", "time_in_force": "day"}))
        .await;
    let order =
        submit(&app, &key, json!({"symbol": "AAA", "qty": 5, "side": "buy", "type": "market", "time_in_force": "day"}))
            .await;
    let update = recv(&mut ws, Duration::from_secs(5)).await.expect("fill");
    assert_eq!(update["stream"], "trade_updates");
    let data = &update["data"];
    assert_eq!(data["event"], "fill");
    assert_eq!(data["order"]["id"], order["id"]);
    assert_eq!(data["order"]["status"], "filled");
    assert_eq!((data["price"].as_str(), data["qty"].as_str()), (Some("100.00"), Some("5")));
    assert_eq!(data["position_qty"], "5");
    assert!(data["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(data["execution_id"].as_str().is_some());

    // A resting order: announced as `new`, then canceled.
    let resting = submit(
        &app,
        &key,
        json!({"symbol": "BBB", "qty": 2, "side": "buy", "type": "limit", "limit_price": "40", "time_in_force": "gtc"}),
    )
    .await;
    let res = app
        .as_key(&key, Method::DELETE, &format!("/v2/orders/{}", resting["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let update = recv(&mut ws, Duration::from_secs(5)).await.expect("new");
    assert_eq!(update["data"]["event"], "new");
    assert_eq!(update["data"]["order"]["id"], resting["id"]);
    assert_eq!(update["data"]["order"]["status"], "new");
    let update = recv(&mut ws, Duration::from_secs(5)).await.expect("canceled");
    assert_eq!(update["data"]["event"], "canceled");
    assert_eq!(update["data"]["order"]["id"], resting["id"]);

    // A resting order that fills on a tick.
    submit(
        &app,
        &key,
        json!({"symbol": "CCC", "qty": 3, "side": "buy", "type": "limit", "limit_price": 19, "time_in_force": "day"}),
    )
    .await;
    let update = recv(&mut ws, Duration::from_secs(5)).await.expect("new");
    assert_eq!(update["data"]["event"], "new");
    app.tick(&[("CCC", 18)]).await;
    let update = recv(&mut ws, Duration::from_secs(5)).await.expect("fill on tick");
    assert_eq!(update["data"]["event"], "fill");
    assert_eq!(update["data"]["price"], "18.00");

    // Unlisten: nothing more arrives.
    send(&mut ws, json!({"action": "listen", "data": {"streams": []}})).await;
    assert_eq!(recv(&mut ws, Duration::from_secs(5)).await.expect("reply")["data"]["streams"], json!([]));
    submit(&app, &key, json!({"symbol": "AAA", "qty": 1, "side": "buy", "type": "market", "time_in_force": "day"}))
        .await;
    assert_eq!(recv(&mut ws, Duration::from_millis(300)).await, None);
    app.stop().await;
}

#[tokio::test]
async fn wrong_credentials_are_refused_and_the_short_auth_form_works() {
    let app = TestApp::spawn().await;
    let user = app.user("yan", Role::Player).await;
    let key = app.key(&user, KeyScope::ReadOnly).await;

    let mut ws = connect(&app).await;
    send(&mut ws, json!({"action": "authenticate", "data": {"key_id": key.id, "secret_key": "wrong"}})).await;
    let reply = recv(&mut ws, Duration::from_secs(5)).await.expect("reply");
    assert_eq!(reply["data"]["status"], "unauthorized");
    assert_eq!(recv(&mut ws, Duration::from_secs(5)).await, None, "the server closes after a failed authentication");

    let mut ws = connect(&app).await;
    send(&mut ws, json!({"action": "listen", "data": {"streams": ["trade_updates"]}})).await;
    assert_eq!(recv(&mut ws, Duration::from_secs(5)).await.expect("reply")["data"]["status"], "unauthorized");

    // A read-only key may listen (`{"action":"auth"}` is the data-stream form).
    let mut ws = connect(&app).await;
    send(&mut ws, json!({"action": "auth", "key": key.id, "secret": key.secret})).await;
    assert_eq!(recv(&mut ws, Duration::from_secs(5)).await.expect("reply")["data"]["status"], "authorized");
    // The refused connections are no longer counted; this one is.
    let mut waited = 0;
    while app.state.metrics.streams_connected() != 1 {
        waited += 1;
        assert!(waited < 100, "streams_connected stays {}", app.state.metrics.streams_connected());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A plain GET is not a WebSocket.
    let res = app.request(Method::GET, "/stream").send().await.unwrap();
    assert_eq!(res.status(), 400);
    app.stop().await;
}
