//! The server starts, answers, sets security headers and refuses unknown routes as JSON.

mod support;

use reqwest::Method;
use support::TestApp;

#[tokio::test]
async fn health_answers_with_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.request(Method::GET, "/healthz").send().await.expect("send");
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let csp = h["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_are_json_404s() {
    let app = TestApp::spawn().await;
    let res = app.request(Method::GET, "/no/such/thing").send().await.expect("send");
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["code"], "not_found");
    let res = app.request(Method::DELETE, "/healthz").send().await.expect("send");
    assert_eq!(res.status(), 405);
    app.stop().await;
}
