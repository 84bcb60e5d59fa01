//! Operations endpoints: liveness, readiness (and its failure when a running tournament has
//! no sequencer), and Prometheus metrics labelled by route template.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use bullpen_domain::{OrderRequest, OrderType, Qty, Side, TimeInForce};
use reqwest::Method;
use support::{sym, TestApp};

#[tokio::test]
async fn healthz_is_public_and_alive() {
    let app = TestApp::spawn().await;
    let res = app.request(Method::GET, "/healthz").send().await.expect("send");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    app.stop().await;
}

#[tokio::test]
async fn readyz_needs_a_sequencer_for_every_running_tournament() {
    let app = TestApp::spawn().await;
    let res = app.request(Method::GET, "/readyz").send().await.expect("send");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["sequencers"], 1);

    // The tournament stays Running in the store, but its sequencer is gone.
    app.engine.stop(app.tournament.id).await.expect("stop");
    let res = app.request(Method::GET, "/readyz").send().await.expect("send");
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["code"], "not_ready");
    let message = body["message"].as_str().expect("message");
    assert!(message.contains(&app.tournament.id.0.to_string()), "{message}");

    // Liveness does not depend on it.
    assert_eq!(app.request(Method::GET, "/healthz").send().await.expect("send").status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_report_the_engine() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        assert_eq!(app.request(Method::GET, "/healthz").send().await.expect("send").status(), 200);
    }
    let secret_path = "/v2/orders/some-secret-looking-id-123";
    let _ = app.request(Method::GET, secret_path).send().await.expect("send");
    app.handle
        .place(
            app.key(&app.user("ann", bullpen_store::Role::Player).await, bullpen_store::KeyScope::Trade).await.entry.id,
            OrderRequest {
                client_order_id: None,
                symbol: sym("AAA"),
                side: Side::Buy,
                order_type: OrderType::Market,
                time_in_force: TimeInForce::Day,
                qty: Qty(2),
                limit_price: None,
                stop_price: None,
            },
        )
        .await
        .expect("order");
    app.state.metrics.record_order("accepted");
    app.state.metrics.record_order("insufficient_buying_power");
    let _stream = app.state.metrics.stream_guard();

    let res = app.request(Method::GET, "/metrics").send().await.expect("send");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = res.text().await.expect("text");
    for family in [
        "# TYPE http_requests_total counter",
        "# TYPE http_request_duration_seconds histogram",
        "# TYPE bullpen_orders_total counter",
        "# TYPE bullpen_engine_orders_total counter",
        "# TYPE bullpen_sequencer_batch_orders histogram",
        "# TYPE bullpen_sequencer_commit_duration_seconds histogram",
        "# TYPE bullpen_streams_connected gauge",
    ] {
        assert!(text.contains(family), "missing {family}:\n{text}");
    }
    assert!(text.contains("http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 3"), "{text}");
    assert!(text.contains("http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 3"), "{text}");
    // Raw paths never become labels.
    assert!(!text.contains("some-secret-looking-id"), "{text}");
    assert!(text.contains("route=\"unmatched\"") || text.contains("route=\"/v2/orders/{order_id}\""), "{text}");
    let t = app.tournament.id.0;
    assert!(
        text.contains(&format!("bullpen_engine_orders_total{{tournament=\"{t}\",outcome=\"accepted\"}} 1")),
        "{text}"
    );
    assert!(text.contains(&format!("bullpen_sequencer_batch_orders_count{{tournament=\"{t}\"}}")), "{text}");
    assert!(text.contains("bullpen_orders_total{outcome=\"accepted\",reason=\"\"} 1"), "{text}");
    assert!(
        text.contains("bullpen_orders_total{outcome=\"rejected\",reason=\"insufficient_buying_power\"} 1"),
        "{text}"
    );
    assert!(text.contains("bullpen_streams_connected 1"), "{text}");

    let res = app
        .request(Method::GET, "/metrics")
        .header("accept", "application/openmetrics-text; version=1.0.0")
        .send()
        .await
        .expect("send");
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    assert!(res.text().await.unwrap().ends_with("# EOF\n"));
    app.stop().await;
}

#[tokio::test]
async fn orders_through_the_json_api_are_counted_by_outcome() {
    let app = TestApp::spawn().await;
    let user = app.user("ann", bullpen_store::Role::Player).await;
    let key = app.key(&user, bullpen_store::KeyScope::Trade).await;
    let orders = format!("/api/v1/tournaments/{}/orders", app.tournament.id.0);
    let submit = |qty: i64| {
        app.as_key(&key, Method::POST, &orders).json(&serde_json::json!({
            "symbol": "AAA", "side": "buy", "type": "market", "qty": qty
        }))
    };
    assert_eq!(submit(1).send().await.expect("send").status(), 201);
    assert_eq!(submit(1).send().await.expect("send").status(), 201);
    // Far more than the starting cash buys.
    assert_eq!(submit(10_000_000).send().await.expect("send").status(), 422);

    let text = app.request(Method::GET, "/metrics").send().await.expect("send").text().await.expect("text");
    assert!(text.contains("bullpen_orders_total{outcome=\"accepted\",reason=\"\"} 2"), "{text}");
    assert!(
        text.contains("bullpen_orders_total{outcome=\"rejected\",reason=\"insufficient_buying_power\"} 1"),
        "{text}"
    );
    app.stop().await;
}
