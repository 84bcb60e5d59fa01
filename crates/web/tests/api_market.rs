//! The OpenAPI document, instruments, quotes and bars of the JSON API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use bullpen_domain::{DailyBar, Price};
use chrono::NaiveDate;
use reqwest::Method;
use serde_json::Value;
use support::{sym, TestApp};

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.request(Method::GET, path).send().await.expect("send");
    let status = res.status().as_u16();
    (status, res.json().await.expect("json"))
}

#[tokio::test]
async fn openapi_document_is_3_1_with_errors_and_security_schemes() {
    let app = TestApp::spawn().await;
    let (status, doc) = get_json(&app, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["ErrorBody"]["required"], serde_json::json!(["code", "message"]));
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "bullpen_session");
    assert_eq!(schemes["api_key_id"]["name"], "APCA-API-KEY-ID");
    assert_eq!(schemes["api_key_secret"]["name"], "APCA-API-SECRET-KEY");
    assert_eq!(schemes["csrf"]["in"], "header");

    // Every route of the API module is documented with the same method, and the other way round.
    let (_, table) = bullpen_web::api::routes().into_parts();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .collect();
    for rule in table.rules() {
        let key = (rule.method.to_string(), rule.path.to_string());
        assert!(documented.contains(&key), "{key:?} is not in the OpenAPI document");
        let op = &doc["paths"][rule.path][rule.method.as_str().to_lowercase()];
        assert!(op["responses"].as_object().unwrap().len() >= 2, "{key:?} documents too few responses");
    }
    // Request bodies refuse unknown fields.
    assert_eq!(schemas["OrderBody"]["additionalProperties"], false);
    app.stop().await;
}

#[tokio::test]
async fn instruments_page_by_symbol() {
    let app = TestApp::spawn().await;
    let (status, page) = get_json(&app, "/api/v1/instruments?limit=2").await;
    assert_eq!(status, 200);
    let symbols: Vec<&str> = page["items"].as_array().unwrap().iter().map(|i| i["symbol"].as_str().unwrap()).collect();
    assert_eq!(symbols, ["AAA", "BBB"]);
    assert_eq!(page["next"], "BBB");
    let (_, page) = get_json(&app, "/api/v1/instruments?limit=2&after=BBB").await;
    assert_eq!(page["items"][0]["symbol"], "CCC");
    assert_eq!(page["items"][0]["status"], "active");
    assert_eq!(page["items"][0]["name"], "CCC Inc.");
    assert!(page["next"].is_null());

    let (status, one) = get_json(&app, "/api/v1/instruments/bbb").await;
    assert_eq!((status, one["symbol"].as_str()), (200, Some("BBB")));
    let (status, err) = get_json(&app, "/api/v1/instruments/ZZZ").await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));
    let (status, err) = get_json(&app, "/api/v1/instruments/$$$").await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));

    for (query, status, code) in [
        ("limit=0", 422, "validation_failed"),
        ("limit=1001", 422, "validation_failed"),
        ("limit=abc", 400, "invalid_query"),
        ("after=aaa", 400, "invalid_cursor"),
        ("bogus=1", 400, "invalid_query"),
    ] {
        let (s, err) = get_json(&app, &format!("/api/v1/instruments?{query}")).await;
        assert_eq!((s, err["code"].as_str()), (status, Some(code)), "{query}");
    }
    app.stop().await;
}

#[tokio::test]
async fn quotes_come_from_the_engine_board() {
    let app = TestApp::spawn().await;
    let t = app.tournament.id.0;
    app.tick(&[("AAA", 101)]).await;
    let (status, page) = get_json(&app, &format!("/api/v1/tournaments/{t}/quotes")).await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["symbol"], "AAA");
    assert_eq!(items[0]["price"], "101.00");
    assert_eq!(items[1]["price"], "50.00");
    assert!(page["as_of"].as_str().unwrap().ends_with('Z'));
    let (_, page) = get_json(&app, &format!("/api/v1/tournaments/{t}/quotes?limit=1&after=AAA")).await;
    assert_eq!(page["items"][0]["symbol"], "BBB");
    assert_eq!(page["next"], "BBB");

    let (status, err) = get_json(&app, "/api/v1/tournaments/999999/quotes").await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));
    let (status, err) = get_json(&app, "/api/v1/tournaments/abc/quotes").await;
    assert_eq!((status, err["code"].as_str()), (400, Some("invalid_path")));
    app.stop().await;
}

#[tokio::test]
async fn bars_by_date_range_with_pages_and_limits() {
    let app = TestApp::spawn().await;
    let day = |d| NaiveDate::from_ymd_opt(2025, 1, d).unwrap();
    let bars: Vec<DailyBar> = (2..=8)
        .map(|d| DailyBar {
            date: day(d),
            symbol: sym("AAA"),
            open: Price::from_dollars(10),
            high: Price::from_dollars(12),
            low: Price::from_dollars(9),
            close: Price::from_dollars(11),
            volume: 1000 + i64::from(d),
        })
        .collect();
    app.store.insert_bars(&bars).await.unwrap();

    let (status, page) = get_json(&app, "/api/v1/instruments/AAA/bars?from=2025-01-03&to=2025-01-07&limit=3").await;
    assert_eq!(status, 200);
    let dates: Vec<&str> = page["items"].as_array().unwrap().iter().map(|b| b["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2025-01-03", "2025-01-04", "2025-01-05"]);
    assert_eq!(page["items"][0]["close"], "11.00");
    assert_eq!(page["items"][0]["volume"], 1003);
    assert_eq!(page["next"], "2025-01-05");
    let (_, page) =
        get_json(&app, "/api/v1/instruments/AAA/bars?from=2025-01-03&to=2025-01-07&limit=3&after=2025-01-05").await;
    let dates: Vec<&str> = page["items"].as_array().unwrap().iter().map(|b| b["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2025-01-06", "2025-01-07"]);
    assert!(page["next"].is_null());

    for (query, status, code) in [
        ("from=2025-01-09&to=2025-01-01", 422, "validation_failed"),
        ("from=2000-01-01&to=2025-01-01", 422, "validation_failed"),
        ("from=2025-13-01&to=2025-01-01", 400, "invalid_query"),
        ("from=2025-01-01", 400, "invalid_query"),
        ("from=2025-01-01&to=2025-01-02&limit=5000", 422, "validation_failed"),
    ] {
        let (s, err) = get_json(&app, &format!("/api/v1/instruments/AAA/bars?{query}")).await;
        assert_eq!((s, err["code"].as_str()), (status, Some(code)), "{query}");
    }
    let (status, _) = get_json(&app, "/api/v1/instruments/NOPE/bars?from=2025-01-01&to=2025-01-02").await;
    assert_eq!(status, 404);
    app.stop().await;
}
