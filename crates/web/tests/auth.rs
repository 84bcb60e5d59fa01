//! Accounts and security over real HTTP: sign-up, sign-in, sessions and their cookies, CSRF,
//! rate limits and lockout, password reset through the outbox, roles, organisations, API keys,
//! the audit trail, and bad input.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use bullpen_market::clock::Clock;
use bullpen_store::{AuditEntry, KeyScope, Role};
use bullpen_web::secrets::digest;
use bullpen_web::WebConfig;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use support::{TestApp, TestUser};

mod helpers {
    use super::*;

    /// A browser-like session obtained through the forms.
    #[derive(Debug, Clone)]
    pub struct Browser {
        pub token: String,
        pub csrf: String,
        pub user_id: i64,
    }

    pub fn password(handle: &str) -> String {
        format!("{handle}-secret-pw")
    }

    /// The `bullpen_session` Set-Cookie header of a response.
    pub fn set_cookie(res: &Response) -> String {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("bullpen_session="))
            .unwrap_or_else(|| panic!("no session cookie in {:?}", res.headers()))
    }

    pub fn cookie_token(set_cookie: &str) -> String {
        set_cookie.split(';').next().unwrap().trim_start_matches("bullpen_session=").to_string()
    }

    pub async fn json_of(res: Response) -> Value {
        res.json().await.expect("json body")
    }

    pub async fn sign_up(app: &TestApp, handle: &str) -> Browser {
        let res = app
            .request(Method::POST, "/api/v1/auth/sign-up")
            .json(&json!({
                "handle": handle, "display_name": format!("User {handle}"),
                "email": format!("{handle}@example.com"), "password": password(handle),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{:?}", res.text().await);
        let token = cookie_token(&set_cookie(&res));
        let body = json_of(res).await;
        Browser {
            token,
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
            user_id: body["user"]["id"].as_i64().unwrap(),
        }
    }

    pub async fn sign_in(app: &TestApp, login: &str, password: &str) -> Response {
        app.request(Method::POST, "/api/v1/auth/sign-in")
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap()
    }

    pub fn with_cookie(app: &TestApp, b: &Browser, method: Method, path: &str) -> reqwest::RequestBuilder {
        app.request(method, path).header("cookie", format!("bullpen_session={}", b.token))
    }

    pub fn as_browser(app: &TestApp, b: &Browser, method: Method, path: &str) -> reqwest::RequestBuilder {
        with_cookie(app, b, method, path).header("x-csrf-token", &b.csrf)
    }

    pub async fn audit(app: &TestApp) -> Vec<AuditEntry> {
        app.store.audit_entries(0, 100_000).await.unwrap()
    }

    pub async fn actions(app: &TestApp) -> Vec<String> {
        audit(app).await.into_iter().map(|e| e.draft.action).collect()
    }

    /// No audit entry holds `secret` in any field, and the chain verifies.
    pub async fn audit_is_clean_of(app: &TestApp, secret: &str) {
        let mut v = bullpen_store::AuditVerifier::default();
        for e in audit(app).await {
            v.check(&e).unwrap();
            let d = &e.draft;
            for field in [&d.action, &d.target, &d.detail] {
                assert!(!field.contains(secret), "audit entry {} holds a secret: {field}", e.seq);
            }
        }
    }

    pub async fn code(res: Response) -> (u16, String) {
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        (status, body["code"].as_str().unwrap_or_default().to_string())
    }
}

use helpers::*;

#[tokio::test]
async fn sign_up_me_sign_out_and_sign_in_with_real_cookies() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::POST, "/api/v1/auth/sign-up")
        .json(&json!({
            "handle": "ann", "display_name": "  Ann A  ", "email": "Ann@Example.com", "password": password("ann"),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let cookie = set_cookie(&res);
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(cookie.split("; ").any(|a| a == attr), "{attr} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    let token = cookie_token(&cookie);
    assert_eq!(token.len(), 64);
    let body = json_of(res).await;
    assert_eq!(body["user"]["handle"], "ann");
    assert_eq!(body["user"]["display_name"], "Ann A");
    assert_eq!(body["user"]["email"], "ann@example.com");
    assert_eq!(body["role"], "player");
    assert_eq!(body["organisations"], json!([]));
    let ann = Browser {
        token: token.clone(),
        csrf: body["csrf_token"].as_str().unwrap().into(),
        user_id: body["user"]["id"].as_i64().unwrap(),
    };
    // Only the digest of the cookie token is stored.
    assert!(app.store.session(&token).await.unwrap().is_none());
    assert!(app.store.session(&digest(&token)).await.unwrap().is_some());

    let me = json_of(with_cookie(&app, &ann, Method::GET, "/api/v1/auth/me").send().await.unwrap()).await;
    assert_eq!(me["user"]["id"], ann.user_id);
    assert_eq!(me["csrf_token"], ann.csrf.as_str());

    // A cookie-authenticated change without the CSRF header is refused and changes nothing.
    let res = with_cookie(&app, &ann, Method::POST, "/api/v1/auth/sign-out").send().await.unwrap();
    assert_eq!(code(res).await, (403, "csrf_failed".into()));
    let res = with_cookie(&app, &ann, Method::POST, "/api/v1/auth/sign-out")
        .header("x-csrf-token", "0".repeat(64))
        .send()
        .await
        .unwrap();
    assert_eq!(code(res).await, (403, "csrf_failed".into()));
    assert_eq!(with_cookie(&app, &ann, Method::GET, "/api/v1/auth/me").send().await.unwrap().status(), 200);

    let res = as_browser(&app, &ann, Method::POST, "/api/v1/auth/sign-out").send().await.unwrap();
    assert_eq!(res.status(), 204);
    let cleared = set_cookie(&res);
    assert!(cleared.starts_with("bullpen_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    let res = with_cookie(&app, &ann, Method::GET, "/api/v1/auth/me").send().await.unwrap();
    assert_eq!(code(res).await, (401, "unauthenticated".into()));
    assert!(app.store.session(&digest(&token)).await.unwrap().unwrap().revoked_at.is_some());

    // Sign in again, by handle and by e-mail (any case).
    for login in ["ann", "ANN@example.COM"] {
        let res = sign_in(&app, login, &password("ann")).await;
        assert_eq!(res.status(), 200, "{login}");
        let again = cookie_token(&set_cookie(&res));
        assert_ne!(again, token);
        let body = json_of(res).await;
        assert_eq!(body["user"]["id"], ann.user_id);
        let b = Browser { token: again, csrf: body["csrf_token"].as_str().unwrap().into(), user_id: ann.user_id };
        assert_ne!(b.csrf, ann.csrf, "each session has its own CSRF token");
        assert_eq!(with_cookie(&app, &b, Method::GET, "/api/v1/auth/me").send().await.unwrap().status(), 200);
    }
    let acts = actions(&app).await;
    assert_eq!(acts, ["auth.sign_up", "auth.sign_out", "auth.sign_in", "auth.sign_in"]);
    audit_is_clean_of(&app, &password("ann")).await;
    audit_is_clean_of(&app, &token).await;
    app.stop().await;
}

#[tokio::test]
async fn cookies_are_secure_only_when_configured_or_behind_a_trusted_https_proxy() {
    async fn cookie_for(config: WebConfig, proto: Option<&str>) -> String {
        let app = TestApp::spawn_with(config).await;
        sign_up(&app, "ann").await;
        let mut req = app
            .request(Method::POST, "/api/v1/auth/sign-in")
            .json(&json!({ "login": "ann", "password": password("ann") }));
        if let Some(p) = proto {
            req = req.header("x-forwarded-proto", p);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        let c = set_cookie(&res);
        app.stop().await;
        c
    }
    let secure = |c: &str| c.split("; ").any(|a| a == "Secure");
    assert!(!secure(&cookie_for(WebConfig::default(), None).await));
    assert!(!secure(&cookie_for(WebConfig::default(), Some("https")).await), "proxy headers are not trusted");
    assert!(secure(&cookie_for(WebConfig { secure_cookies: true, ..WebConfig::default() }, None).await));
    let proxied = WebConfig { trust_proxy: true, ..WebConfig::default() };
    assert!(secure(&cookie_for(proxied.clone(), Some("https")).await));
    assert!(!secure(&cookie_for(proxied, Some("http")).await));
}

#[tokio::test]
async fn wrong_passwords_are_counted_lock_the_login_and_unlock_with_time() {
    let app = TestApp::spawn().await; // 5 failures, 15 minutes
    sign_up(&app, "ann").await;
    for i in 0..5 {
        let login = if i % 2 == 0 { "ann" } else { "ann@example.com" };
        let res = sign_in(&app, login, "wrong-password-1").await;
        assert_eq!(code(res).await, (401, "invalid_credentials".into()), "attempt {i}");
    }
    // Unknown logins get the same answer.
    assert_eq!(code(sign_in(&app, "nobody", "wrong-password-1").await).await, (401, "invalid_credentials".into()));
    // Locked: even the right password is refused, with Retry-After.
    let res = sign_in(&app, "ann", &password("ann")).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "900");
    assert_eq!(code(res).await.1, "rate_limited");
    let res = sign_in(&app, "ANN@example.com", &password("ann")).await;
    assert_eq!(res.status(), 429, "the lock covers every login of the account");

    app.clock.advance_seconds(899);
    let res = sign_in(&app, "ann", &password("ann")).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "1");
    app.clock.advance_seconds(1);
    assert_eq!(sign_in(&app, "ann", &password("ann")).await.status(), 200);

    let failed: Vec<AuditEntry> =
        audit(&app).await.into_iter().filter(|e| e.draft.action == "auth.sign_in_failed").collect();
    assert_eq!(failed.len(), 6);
    assert!(failed[..5].iter().all(|e| e.draft.target == "ann" && e.draft.actor.is_some()));
    assert!(failed[4].draft.detail.contains("\"locked_for_secs\":900"), "{}", failed[4].draft.detail);
    assert_eq!(failed[5].draft.target, "nobody");
    assert_eq!(failed[5].draft.actor, None);
    audit_is_clean_of(&app, "wrong-password-1").await;
    app.stop().await;
}

#[tokio::test]
async fn one_address_spraying_many_logins_is_limited_by_address() {
    let config = WebConfig { trust_proxy: true, login_failures_before_lockout: 1000, ..WebConfig::default() };
    let app = TestApp::spawn_with(config).await;
    sign_up(&app, "ann").await;
    let attempt = |login: String, ip: &'static str| {
        app.request(Method::POST, "/api/v1/auth/sign-in")
            .header("x-forwarded-for", format!("203.0.113.9, {ip}"))
            .json(&json!({ "login": login, "password": "not-the-password" }))
            .send()
    };
    for i in 0..20 {
        assert_eq!(attempt(format!("user{i}"), "10.0.0.1").await.unwrap().status(), 401, "attempt {i}");
    }
    let res = attempt("someone-else".into(), "10.0.0.1").await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "900");
    // Another address is not affected, nor is the account.
    assert_eq!(attempt("user0".into(), "10.0.0.2").await.unwrap().status(), 401);
    let ok = app
        .request(Method::POST, "/api/v1/auth/sign-in")
        .header("x-forwarded-for", "10.0.0.3")
        .json(&json!({ "login": "ann", "password": password("ann") }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    app.stop().await;
}

fn reset_token(body: &str) -> String {
    let start = body.find("\"token\": \"").map(|i| i + 10).unwrap_or(0);
    body[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
}

#[tokio::test]
async fn password_reset_goes_through_the_outbox_with_single_use_expiring_tokens() {
    let app = TestApp::spawn().await;
    let ann = sign_up(&app, "ann").await;
    let reset = |email: &'static str| {
        app.request(Method::POST, "/api/v1/auth/password-reset").json(&json!({ "email": email })).send()
    };
    let confirm = |token: String, pw: &'static str| {
        app.request(Method::POST, "/api/v1/auth/password-reset/confirm")
            .json(&json!({ "token": token, "new_password": pw }))
            .send()
    };
    // Unknown and known addresses get the same answer.
    let unknown = reset("nobody@example.com").await.unwrap();
    assert_eq!(unknown.status(), 202);
    let unknown_body = unknown.text().await.unwrap();
    let known = reset("ANN@example.com").await.unwrap();
    assert_eq!(known.status(), 202);
    assert_eq!(known.text().await.unwrap(), unknown_body);
    assert!(app.store.outbox_for("nobody@example.com", 10).await.unwrap().is_empty());
    let mail = app.store.outbox_for("ann@example.com", 10).await.unwrap();
    assert_eq!(mail.len(), 1);
    let token = reset_token(&mail[0].body);
    assert_eq!(token.len(), 64, "{}", mail[0].body);

    // A too-short new password is refused without spending the token.
    assert_eq!(code(confirm(token.clone(), "short").await.unwrap()).await, (422, "validation_failed".into()));
    let res = confirm(token.clone(), "brand-new-password").await.unwrap();
    assert_eq!(res.status(), 200);
    // Every session was signed out; the old password is gone, the new one works.
    assert_eq!(with_cookie(&app, &ann, Method::GET, "/api/v1/auth/me").send().await.unwrap().status(), 401);
    assert_eq!(sign_in(&app, "ann", &password("ann")).await.status(), 401);
    assert_eq!(sign_in(&app, "ann", "brand-new-password").await.status(), 200);
    // Single use.
    let res = confirm(token.clone(), "another-new-password").await.unwrap();
    assert_eq!(code(res).await, (422, "reset_token_invalid".into()));
    assert_eq!(code(confirm("f".repeat(64), "another-new-password").await.unwrap()).await.1, "reset_token_invalid");

    // Expired.
    assert_eq!(reset("ann@example.com").await.unwrap().status(), 202);
    let mail = app.store.outbox_for("ann@example.com", 1).await.unwrap();
    let late = reset_token(&mail[0].body);
    app.clock.advance_seconds(3601);
    assert_eq!(code(confirm(late.clone(), "another-new-password").await.unwrap()).await.1, "reset_token_invalid");
    assert_eq!(sign_in(&app, "ann", "brand-new-password").await.status(), 200);

    assert_eq!(actions(&app).await.iter().filter(|a| *a == "auth.password_reset").count(), 1);
    for secret in [&token, &late, "brand-new-password"] {
        audit_is_clean_of(&app, secret).await;
    }
    // Malformed addresses are a validation error, not a 202.
    assert_eq!(code(reset("not-an-address").await.unwrap()).await, (422, "validation_failed".into()));
    app.stop().await;
}

#[tokio::test]
async fn admins_change_roles_visible_in_me_and_audited() {
    let app = TestApp::spawn().await;
    let root = app.user("root", Role::Admin).await;
    let ann = app.user("ann", Role::Player).await;
    let path = format!("/api/v1/admin/users/{}/role", ann.user_id.0);
    let me = |u: &TestUser| app.as_user(u, Method::GET, "/api/v1/auth/me").send();
    assert_eq!(json_of(me(&ann).await.unwrap()).await["role"], "player");

    // Players may not; admins need the CSRF header.
    let res = app.as_user(&ann, Method::PUT, &path).json(&json!({ "role": "admin" })).send().await.unwrap();
    assert_eq!(code(res).await, (403, "forbidden".into()));
    let res = app
        .request(Method::PUT, &path)
        .header("cookie", format!("bullpen_session={}", root.token))
        .json(&json!({ "role": "coach" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(res).await, (403, "csrf_failed".into()));
    let res = app.as_user(&root, Method::PUT, &path).json(&json!({ "role": "king" })).send().await.unwrap();
    assert_eq!(code(res).await, (422, "validation_failed".into()));
    assert_eq!(json_of(me(&ann).await.unwrap()).await["role"], "player", "refusals changed nothing");

    let res = app.as_user(&root, Method::PUT, &path).json(&json!({ "role": "coach" })).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(json_of(res).await["role"], "coach");
    assert_eq!(json_of(me(&ann).await.unwrap()).await["role"], "coach");

    let own = format!("/api/v1/admin/users/{}/role", root.user_id.0);
    let res = app.as_user(&root, Method::PUT, &own).json(&json!({ "role": "player" })).send().await.unwrap();
    assert_eq!(code(res).await, (409, "self_change_refused".into()));
    let res = app.as_user(&root, Method::PUT, "/api/v1/admin/users/999999/role").json(&json!({ "role": "coach" }));
    assert_eq!(code(res.send().await.unwrap()).await, (404, "not_found".into()));

    let entries = audit(&app).await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0].draft;
    assert_eq!((e.action.as_str(), e.actor, e.target.as_str()), ("admin.user.role", Some(root.user_id), "ann"));
    assert_eq!(e.detail, r#"{"from":"player","to":"coach"}"#);
    app.stop().await;
}

#[tokio::test]
async fn admins_page_through_users_and_disable_and_enable_accounts() {
    let app = TestApp::spawn().await;
    let root = app.user("root", Role::Admin).await;
    for h in ["bea", "cid", "dan"] {
        sign_up(&app, h).await;
    }
    let ann = sign_up(&app, "ann").await;
    let ann_key = app
        .key(
            &TestUser {
                user_id: bullpen_domain::UserId(ann.user_id),
                handle: "ann".into(),
                role: Role::Player,
                token: ann.token.clone(),
                csrf: ann.csrf.clone(),
            },
            KeyScope::Trade,
        )
        .await;

    let mut seen = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let q = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let res = app.as_user(&root, Method::GET, &format!("/api/v1/admin/users?limit=2{q}")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let page = json_of(res).await;
        let users = page["users"].as_array().unwrap();
        assert!(users.len() <= 2);
        seen.extend(users.iter().map(|u| u["handle"].as_str().unwrap().to_string()));
        match page["next"].as_i64() {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ["root", "bea", "cid", "dan", "ann"]);
    for (q, expect) in [
        ("limit=0", (422, "validation_failed")),
        ("limit=x", (400, "invalid_query")),
        ("page=2", (400, "invalid_query")),
    ] {
        let res = app.as_user(&root, Method::GET, &format!("/api/v1/admin/users?{q}")).send().await.unwrap();
        assert_eq!(code(res).await, (expect.0, expect.1.to_string()), "{q}");
    }

    let disable = format!("/api/v1/admin/users/{}/disable", ann.user_id);
    let res = app.as_user(&root, Method::POST, &disable).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(json_of(res).await["active"], false);
    assert_eq!(with_cookie(&app, &ann, Method::GET, "/api/v1/auth/me").send().await.unwrap().status(), 401);
    let now = app.clock.now();
    assert!(app.state.keys.verify(app.store.as_ref(), &ann_key.id, &ann_key.secret, now).await.unwrap().is_none());
    assert_eq!(code(sign_in(&app, "ann", &password("ann")).await).await, (403, "account_disabled".into()));
    assert_eq!(code(sign_in(&app, "ann", "wrong-password-2").await).await, (401, "invalid_credentials".into()));
    let own = format!("/api/v1/admin/users/{}/disable", root.user_id.0);
    assert_eq!(code(app.as_user(&root, Method::POST, &own).send().await.unwrap()).await.1, "self_change_refused");

    let enable = format!("/api/v1/admin/users/{}/enable", ann.user_id);
    assert_eq!(app.as_user(&root, Method::POST, &enable).send().await.unwrap().status(), 200);
    assert_eq!(sign_in(&app, "ann", &password("ann")).await.status(), 200);
    assert!(
        app.state.keys.verify(app.store.as_ref(), &ann_key.id, &ann_key.secret, now).await.unwrap().is_none(),
        "keys revoked by disabling stay revoked"
    );
    let acts = actions(&app).await;
    assert!(acts.contains(&"admin.user.disable".to_string()) && acts.contains(&"admin.user.enable".to_string()));
    app.stop().await;
}

#[tokio::test]
async fn organisations_are_scoped_to_their_members() {
    let app = TestApp::spawn().await;
    let root = app.user("root", Role::Admin).await;
    let alice = app.user("alice", Role::Recruiter).await;
    let bob = app.user("bob", Role::Recruiter).await;
    let carol = app.user("carol", Role::Player).await;
    let mut orgs = Vec::new();
    for name in ["Acme Capital", "Bravo Trading"] {
        let res = app.as_user(&root, Method::POST, "/api/v1/admin/organisations").json(&json!({ "name": name })).send();
        let res = res.await.unwrap();
        assert_eq!(res.status(), 201);
        orgs.push(json_of(res).await["id"].as_i64().unwrap());
    }
    let (a, b) = (orgs[0], orgs[1]);
    let dup = app.as_user(&root, Method::POST, "/api/v1/admin/organisations").json(&json!({ "name": "Acme Capital" }));
    assert_eq!(code(dup.send().await.unwrap()).await, (409, "organisation_exists".into()));
    let res = app.as_user(&alice, Method::POST, "/api/v1/admin/organisations").json(&json!({ "name": "Mine" }));
    assert_eq!(res.send().await.unwrap().status(), 403);
    let list = json_of(app.as_user(&root, Method::GET, "/api/v1/admin/organisations").send().await.unwrap()).await;
    assert_eq!(list["organisations"].as_array().unwrap().len(), 2);

    for (org, user) in [(a, &alice), (b, &bob)] {
        let res = app
            .as_user(&root, Method::POST, &format!("/api/v1/admin/organisations/{org}/members"))
            .json(&json!({ "user_id": user.user_id.0 }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }
    let res = app
        .as_user(&root, Method::POST, &format!("/api/v1/admin/organisations/{a}/members"))
        .json(&json!({ "user_id": 424242 }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(res).await, (422, "unknown_user".into()));

    let get = |u: &TestUser, org: i64| app.as_user(u, Method::GET, &format!("/api/v1/organisations/{org}")).send();
    let members =
        |u: &TestUser, org: i64| app.as_user(u, Method::GET, &format!("/api/v1/organisations/{org}/members")).send();
    assert_eq!(get(&alice, a).await.unwrap().status(), 200);
    assert_eq!(json_of(get(&alice, a).await.unwrap()).await["name"], "Acme Capital");
    assert_eq!(code(get(&alice, b).await.unwrap()).await, (403, "forbidden".into()));
    assert_eq!(get(&bob, b).await.unwrap().status(), 200);
    assert_eq!(get(&bob, a).await.unwrap().status(), 403);
    assert_eq!(get(&carol, a).await.unwrap().status(), 403);
    assert_eq!(members(&bob, a).await.unwrap().status(), 403);
    assert_eq!(get(&root, a).await.unwrap().status(), 200);
    assert_eq!(get(&root, 999).await.unwrap().status(), 404);
    assert_eq!(app.request(Method::GET, &format!("/api/v1/organisations/{a}")).send().await.unwrap().status(), 401);
    let m = json_of(members(&alice, a).await.unwrap()).await;
    assert_eq!(m["members"], json!([{ "user_id": alice.user_id.0, "handle": "alice", "display_name": "User alice" }]));
    let me = json_of(app.as_user(&alice, Method::GET, "/api/v1/auth/me").send().await.unwrap()).await;
    assert_eq!(me["organisations"][0]["id"], a);

    let remove = format!("/api/v1/admin/organisations/{a}/members/{}", alice.user_id.0);
    assert_eq!(app.as_user(&root, Method::DELETE, &remove).send().await.unwrap().status(), 204);
    assert_eq!(app.as_user(&root, Method::DELETE, &remove).send().await.unwrap().status(), 404);
    assert_eq!(get(&alice, a).await.unwrap().status(), 403);

    let acts = actions(&app).await;
    assert_eq!(
        acts,
        [
            "admin.organisation.create",
            "admin.organisation.create",
            "admin.organisation.member_add",
            "admin.organisation.member_add",
            "admin.organisation.member_remove"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn api_keys_are_created_for_joined_entries_listed_without_secrets_and_revoked() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann", Role::Player).await;
    let bob = app.user("bob", Role::Player).await;
    let root = app.user("root", Role::Admin).await;
    let tid = app.tournament.id.0;
    let create = |u: &TestUser, body: Value| {
        app.as_user(u, Method::POST, &format!("/api/v1/tournaments/{tid}/keys")).json(&body).send()
    };
    let res = create(&ann, json!({ "label": "bot", "scope": "trade" })).await.unwrap();
    assert_eq!(code(res).await, (404, "not_joined".into()));
    let entry = app.handle.join(ann.user_id, "ann").await.unwrap();

    let res = create(&ann, json!({ "label": "my bot", "scope": "trade" })).await.unwrap();
    assert_eq!(res.status(), 201);
    let key = json_of(res).await;
    let (key_id, secret) = (key["key_id"].as_str().unwrap().to_string(), key["secret"].as_str().unwrap().to_string());
    assert!(key_id.starts_with("PK") && key_id.len() == 20, "{key_id}");
    assert_eq!(secret.len(), 40);
    assert_eq!(key["scope"], "trade");
    assert_eq!(key["entry_id"], entry.id.0);
    assert_eq!(key["tournament_id"], tid);
    let stored = app.store.api_key(&key_id).await.unwrap().unwrap();
    assert_eq!(stored.secret_hash, digest(&secret));
    for bad in [json!({ "label": "", "scope": "trade" }), json!({ "label": "x", "scope": "admin" })] {
        assert_eq!(code(create(&ann, bad).await.unwrap()).await.0, 422);
    }
    let res = create(&ann, json!({ "label": "reader", "scope": "read_only" })).await.unwrap();
    let reader = json_of(res).await["key_id"].as_str().unwrap().to_string();

    // A key is not a session: it may not manage keys.
    let res = app
        .request(Method::GET, "/api/v1/keys")
        .header("apca-api-key-id", &key_id)
        .header("apca-api-secret-key", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The request only notes the use; the server writes noted uses off the request path
    // (every second, or now).
    app.state.keys.flush(app.store.as_ref()).await.unwrap();
    let used = app.store.api_key(&key_id).await.unwrap().unwrap().last_used_at;
    assert_eq!(used, Some(app.clock.now()), "verifying records the last use");
    assert_eq!(app.state.keys.flush(app.store.as_ref()).await.unwrap(), 0, "nothing left to write");

    let list = json_of(app.as_user(&ann, Method::GET, "/api/v1/keys").send().await.unwrap()).await;
    let keys = list["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.get("secret").is_none() && k.get("secret_hash").is_none()));
    let mine = keys.iter().find(|k| k["key_id"] == key_id.as_str()).unwrap();
    assert!(mine["last_used_at"].is_string());
    assert_eq!(mine["label"], "my bot");
    assert!(!list.to_string().contains(&secret));
    let bobs = json_of(app.as_user(&bob, Method::GET, "/api/v1/keys").send().await.unwrap()).await;
    assert_eq!(bobs["keys"], json!([]));

    // Someone else's key is not found; the owner and admins revoke.
    let del = |u: &TestUser, id: &str| app.as_user(u, Method::DELETE, &format!("/api/v1/keys/{id}")).send();
    assert_eq!(code(del(&bob, &key_id).await.unwrap()).await, (404, "not_found".into()));
    assert_eq!(del(&bob, "PKNOSUCHKEY").await.unwrap().status(), 404);
    let now = app.clock.now();
    assert!(app.state.keys.verify(app.store.as_ref(), &key_id, &secret, now).await.unwrap().is_some());
    assert_eq!(del(&ann, &key_id).await.unwrap().status(), 204);
    assert!(app.state.keys.verify(app.store.as_ref(), &key_id, &secret, now).await.unwrap().is_none());
    let res = app
        .request(Method::GET, "/api/v1/keys")
        .header("apca-api-key-id", &key_id)
        .header("apca-api-secret-key", &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(code(res).await, (401, "invalid_api_key".into()));
    assert_eq!(del(&ann, &key_id).await.unwrap().status(), 204, "revoking twice is harmless");
    assert_eq!(del(&root, &reader).await.unwrap().status(), 204);
    assert!(app.store.api_key(&reader).await.unwrap().unwrap().revoked_at.is_some());

    let entries = audit(&app).await;
    let acts: Vec<&str> = entries.iter().map(|e| e.draft.action.as_str()).collect();
    assert_eq!(acts, ["api_key.create", "api_key.create", "api_key.revoke", "api_key.revoke"]);
    assert_eq!(entries[3].draft.actor, Some(root.user_id));
    audit_is_clean_of(&app, &secret).await;
    audit_is_clean_of(&app, &stored.secret_hash).await;
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_changes_nothing() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann").await;
    let accounts = || async { app.store.accounts(None, 100).await.unwrap().len() };
    let before = accounts().await;
    let post = |body: String, content_type: &'static str| {
        app.request(Method::POST, "/api/v1/auth/sign-up").header("content-type", content_type).body(body).send()
    };
    let good = |overrides: Value| {
        let mut v = json!({
            "handle": "bob", "display_name": "Bob", "email": "bob@example.com", "password": "long-enough-pw",
        });
        for (k, val) in overrides.as_object().unwrap() {
            v[k] = val.clone();
        }
        v.to_string()
    };
    let json = "application/json";
    let cases: Vec<(String, &str, u16, &str)> = vec![
        ("{\"handle\": \"bob\",".into(), json, 400, "malformed_json"),
        (good(json!({ "admin": true })), json, 422, "validation_failed"),
        (good(json!({})), "text/plain", 415, "unsupported_media_type"),
        ("{\"handle\": \"bob\"}".into(), json, 422, "validation_failed"),
        (good(json!({ "handle": "Bob!" })), json, 422, "validation_failed"),
        (good(json!({ "handle": "bo" })), json, 422, "validation_failed"),
        (good(json!({ "email": "bob" })), json, 422, "validation_failed"),
        (good(json!({ "password": "short" })), json, 422, "validation_failed"),
        (good(json!({ "password": "x".repeat(129) })), json, 422, "validation_failed"),
        (good(json!({ "display_name": "\u{0}" })), json, 422, "validation_failed"),
        (good(json!({ "handle": "ann" })), json, 409, "handle_taken"),
        (good(json!({ "email": "ANN@example.com" })), json, 409, "email_taken"),
        (good(json!({ "handle": 7 })), json, 422, "validation_failed"),
    ];
    for (body, ct, status, expected) in cases {
        let res = post(body.clone(), ct).await.unwrap();
        assert_eq!(code(res).await, (status, expected.to_string()), "{body}");
    }
    let res = post(good(json!({ "display_name": "x".repeat(100_000) })), json).await.unwrap();
    assert_eq!(res.status(), 413);
    for (path, body) in [
        ("/api/v1/auth/sign-in", "{\"login\": \"ann\", \"password\": \"x\", \"remember\": true}"),
        ("/api/v1/auth/sign-in", "{\"login\": \"\", \"password\": \"x\"}"),
        ("/api/v1/auth/password-reset", "{\"email\": \"ann@example.com\", \"x\": 1}"),
        ("/api/v1/auth/password-reset/confirm", "{\"token\": \"abc\"}"),
    ] {
        let res = app.request(Method::POST, path).header("content-type", json).body(body).send().await.unwrap();
        assert_eq!(code(res).await, (422, "validation_failed".into()), "{path} {body}");
    }
    assert_eq!(accounts().await, before);
    assert!(app.store.outbox_for("ann@example.com", 10).await.unwrap().is_empty());
    assert_eq!(actions(&app).await, ["auth.sign_up"]);
    app.stop().await;
}

#[test]
fn every_account_route_is_in_the_openapi_document() {
    let doc = bullpen_web::openapi::document();
    let (_, table) = bullpen_web::auth::routes().into_parts();
    assert_eq!(table.rules().len(), 19);
    for rule in table.rules() {
        let item = doc.paths.paths.get(rule.path);
        let item = item.unwrap_or_else(|| panic!("{} is not documented", rule.path));
        let op = match rule.method.as_str() {
            "GET" => &item.get,
            "POST" => &item.post,
            "PUT" => &item.put,
            "DELETE" => &item.delete,
            other => panic!("unexpected method {other}"),
        };
        assert!(op.is_some(), "{} {} is not documented", rule.method, rule.path);
    }
}
