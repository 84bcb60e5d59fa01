//! The account pages over HTTP: landing, sign-up, sign-in (errors, lockout, `next`), sign-out,
//! password reset through the outbox, account settings and API keys — as a browser would use
//! them (form posts, cookies, redirects), with the CSRF field and 422 re-renders.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use bullpen_store::Role;
use bullpen_web::WebConfig;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use support::{TestApp, TestUser};

/// A browser without a cookie jar: cookies are passed explicitly, redirects are not followed.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// `bullpen_session=<token>` from Set-Cookie, when the response sets one.
    fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("bullpen_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_string())
    }

    /// The `_csrf` hidden field of the first form.
    fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self.body.find(marker).expect("a _csrf field") + marker.len();
        self.body[start..].split('"').next().unwrap_or_default().to_string()
    }

    /// Every page has a title and exactly one h1.
    fn assert_well_formed(&self, what: &str) {
        assert!(self.body.contains("<title>") && self.body.contains(" · Bullpen</title>"), "{what}: no title");
        assert_eq!(self.body.matches("<h1").count(), 1, "{what}: exactly one h1\n{}", self.body);
        assert!(self.body.contains("<main"), "{what}: a main element");
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn get(app: &TestApp, cookie: Option<&str>, path: &str) -> Page {
    let mut req = browser().get(format!("{}{}", app.base, path));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.expect("send");
    Page { status: res.status(), headers: res.headers().clone(), body: res.text().await.expect("body") }
}

async fn post(app: &TestApp, cookie: Option<&str>, path: &str, form: &[(&str, &str)]) -> Page {
    let mut req = browser().post(format!("{}{}", app.base, path)).form(form);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.expect("send");
    Page { status: res.status(), headers: res.headers().clone(), body: res.text().await.expect("body") }
}

fn cookie_of(user: &TestUser) -> String {
    format!("bullpen_session={}", user.token)
}

/// Signs up through the form; returns the session cookie.
async fn sign_up(app: &TestApp, handle: &str, password: &str) -> String {
    let email = format!("{handle}@example.com");
    let page = post(
        app,
        None,
        "/sign-up",
        &[
            ("handle", handle),
            ("display_name", "Ann Example"),
            ("email", &email),
            ("password", password),
            ("_csrf", ""),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.session_cookie().expect("a session cookie")
}

#[tokio::test]
async fn public_pages_render_with_a_title_and_one_heading() {
    let app = TestApp::spawn().await;
    for path in ["/", "/sign-up", "/sign-in", "/reset", "/reset/confirm", "/reset/confirm?token=abc"] {
        let page = get(&app, None, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page.assert_well_formed(path);
        assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
    }
    let home = get(&app, None, "/").await;
    assert!(home.body.contains("Test Cup"), "the running tournament is listed");
    assert!(home.body.contains("href=\"/sign-up\"") && home.body.contains("href=\"/sign-in\""));
    // Signed in, the landing page greets the user and the sign-in page says who is signed in.
    let ann = app.user("ann", Role::Player).await;
    let home = get(&app, Some(&cookie_of(&ann)), "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Welcome back"));
    app.stop().await;
}

#[tokio::test]
async fn landing_page_has_an_empty_state_when_nothing_runs() {
    let app = TestApp::spawn().await;
    app.handle.set_state(bullpen_domain::TournamentState::Finished).await.expect("finish");
    let page = get(&app, None, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No tournament is running right now"), "{}", page.body);
    assert!(page.body.contains("href=\"/lobby\""));
    app.stop().await;
}

#[tokio::test]
async fn signed_in_pages_send_signed_out_visitors_to_sign_in_and_back() {
    let app = TestApp::spawn().await;
    for path in ["/account", "/keys"] {
        let page = get(&app, None, path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), format!("/sign-in?next={path}"));
    }
    let form = get(&app, None, "/sign-in?next=/keys").await;
    assert!(form.body.contains("name=\"next\" value=\"/keys\""), "{}", form.body);
    // Off-site `next` values are dropped from the form.
    let form = get(&app, None, "/sign-in?next=//evil.example/x").await;
    assert!(form.body.contains("name=\"next\" value=\"\""), "{}", form.body);

    let ann = app.user("ann", Role::Player).await;
    for path in ["/account", "/keys"] {
        let page = get(&app, Some(&cookie_of(&ann)), path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page.assert_well_formed(path);
    }
    app.stop().await;
}

#[tokio::test]
async fn sign_up_creates_the_account_and_signs_in() {
    let app = TestApp::spawn().await;
    let page = post(
        &app,
        None,
        "/sign-up",
        &[
            ("handle", "ann"),
            ("display_name", "Ann"),
            ("email", "Ann@Example.com"),
            ("password", "a long passphrase"),
            ("next", "/keys"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/keys");
    let cookie = page.session_cookie().expect("cookie");
    let raw = page.headers[SET_COOKIE].to_str().unwrap();
    assert!(raw.contains("HttpOnly") && raw.contains("SameSite=Lax") && raw.contains("Path=/"), "{raw}");
    let account = app.store.account_by_handle("ann").await.unwrap().expect("created");
    assert_eq!(account.email, "ann@example.com");
    assert_eq!(account.role, Role::Player);
    // The cookie is a working session for the JSON API too.
    let me = browser().get(format!("{}/api/v1/auth/me", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let settings = get(&app, Some(&cookie), "/account").await;
    assert!(settings.body.contains("ann@example.com"));

    // An off-site `next` lands on the default page instead.
    let page = post(
        &app,
        None,
        "/sign-up",
        &[
            ("handle", "bob"),
            ("display_name", "Bob"),
            ("email", "bob@example.com"),
            ("password", "a long passphrase"),
            ("next", "https://evil.example/"),
        ],
    )
    .await;
    assert_eq!(page.location(), "/lobby");
    app.stop().await;
}

#[tokio::test]
async fn sign_up_with_bad_input_shows_the_errors_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let page = post(
        &app,
        None,
        "/sign-up",
        &[("handle", "A b"), ("display_name", ""), ("email", "nope"), ("password", "short")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_well_formed("sign-up with errors");
    for text in ["handle must be 3 to 32 characters", "display name must be", "is not an e-mail address", "at least 10"]
    {
        assert!(page.body.contains(text), "missing {text:?}\n{}", page.body);
    }
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(page.body.contains("value=\"A b\""), "the typed handle is kept");
    assert!(app.store.account_by_email("nope").await.unwrap().is_none());
    assert!(app.store.accounts(None, 100).await.unwrap().is_empty());

    // A taken handle is reported beside the handle.
    sign_up(&app, "ann", "a long passphrase").await;
    let page = post(
        &app,
        None,
        "/sign-up",
        &[
            ("handle", "ann"),
            ("display_name", "Other"),
            ("email", "other@example.com"),
            ("password", "a long passphrase"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("this handle is taken"));
    assert_eq!(app.store.accounts(None, 100).await.unwrap().len(), 1);

    // A body that is not a form re-renders the form instead of failing.
    let res = browser()
        .post(format!("{}/sign-up", app.base))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("could not be read"));
    app.stop().await;
}

#[tokio::test]
async fn sign_in_shows_a_clear_error_and_honours_next() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann", "a long passphrase").await;
    let wrong = post(&app, None, "/sign-in", &[("login", "ann"), ("password", "not my password")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_well_formed("rejected sign-in");
    assert!(wrong.body.contains("Wrong handle, e-mail address or password"), "{}", wrong.body);
    assert!(wrong.session_cookie().is_none());
    assert!(wrong.body.contains("value=\"ann\""), "the login is kept");

    let empty = post(&app, None, "/sign-in", &[("login", ""), ("password", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("enter your handle or e-mail address"));

    let ok = post(
        &app,
        None,
        "/sign-in",
        &[("login", "ANN@example.com"), ("password", "a long passphrase"), ("next", "/keys")],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/keys");
    let cookie = ok.session_cookie().expect("cookie");
    assert_eq!(get(&app, Some(&cookie), "/keys").await.status, StatusCode::OK);

    for evil in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"] {
        let page =
            post(&app, None, "/sign-in", &[("login", "ann"), ("password", "a long passphrase"), ("next", evil)]).await;
        assert_eq!(page.location(), "/lobby", "{evil}");
    }
    // The attempts are audited like API sign-ins.
    let audit = app.store.audit_entries(0, 100).await.unwrap();
    assert!(audit.iter().any(|e| e.draft.action == "auth.sign_in_failed"));
    assert!(audit.iter().any(|e| e.draft.action == "auth.sign_in"));
    app.stop().await;
}

#[tokio::test]
async fn lockout_says_when_to_retry() {
    let app = TestApp::spawn_with(WebConfig { login_failures_before_lockout: 2, ..WebConfig::default() }).await;
    sign_up(&app, "ann", "a long passphrase").await;
    for _ in 0..2 {
        let page = post(&app, None, "/sign-in", &[("login", "ann"), ("password", "wrong password")]).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let locked = post(&app, None, "/sign-in", &[("login", "ann"), ("password", "a long passphrase")]).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    locked.assert_well_formed("locked out");
    assert!(locked.body.contains("Too many failed sign-ins"), "{}", locked.body);
    assert!(locked.body.contains("try again after <time"), "{}", locked.body);
    assert!(locked.headers.contains_key("retry-after"));
    assert!(locked.session_cookie().is_none());
    app.stop().await;
}

#[tokio::test]
async fn sign_out_ends_the_session_and_needs_the_csrf_field() {
    let app = TestApp::spawn().await;
    let cookie = sign_up(&app, "ann", "a long passphrase").await;
    let account = get(&app, Some(&cookie), "/account").await;
    let csrf = account.csrf();
    assert!(!csrf.is_empty());

    let refused = post(&app, Some(&cookie), "/sign-out", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no _csrf field");
    assert_eq!(get(&app, Some(&cookie), "/account").await.status, StatusCode::OK, "still signed in");

    let out = post(&app, Some(&cookie), "/sign-out", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/sign-in?done=signed-out");
    assert_eq!(out.session_cookie().as_deref(), Some("bullpen_session="));
    let after = get(&app, Some(&cookie), "/account").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location().starts_with("/sign-in"));
    let notice = get(&app, None, "/sign-in?done=signed-out").await;
    assert!(notice.body.contains("You are signed out"));
    app.stop().await;
}

fn reset_link_token(body: &str) -> String {
    let marker = "/reset/confirm?token=";
    let start = body.find(marker).expect("a reset link") + marker.len();
    body[start..].chars().take_while(char::is_ascii_hexdigit).collect()
}

#[tokio::test]
async fn password_reset_through_the_outbox() {
    let app = TestApp::spawn().await;
    sign_up(&app, "ann", "a long passphrase").await;

    let bad = post(&app, None, "/reset", &[("email", "not an address")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("is not an e-mail address"));

    // Unknown addresses get the same answer and no message.
    let unknown = post(&app, None, "/reset", &[("email", "nobody@example.com")]).await;
    assert_eq!((unknown.status, unknown.location()), (StatusCode::SEE_OTHER, "/reset?sent=1"));
    assert!(app.store.outbox_for("nobody@example.com", 10).await.unwrap().is_empty());

    let sent = post(&app, None, "/reset", &[("email", "ann@example.com")]).await;
    assert_eq!((sent.status, sent.location()), (StatusCode::SEE_OTHER, "/reset?sent=1"));
    assert!(get(&app, None, "/reset?sent=1").await.body.contains("a message with a reset link is on its way"));
    let mail = app.store.outbox_for("ann@example.com", 10).await.unwrap();
    assert_eq!(mail.len(), 1);
    let token = reset_link_token(&mail[0].body);
    assert_eq!(token.len(), 64, "{}", mail[0].body);

    let form = get(&app, None, &format!("/reset/confirm?token={token}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!("name=\"token\" value=\"{token}\"")));

    let mismatch = post(
        &app,
        None,
        "/reset/confirm",
        &[("token", &token), ("new_password", "brand new password"), ("confirm", "something else")],
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("the two passwords differ"));

    let done = post(
        &app,
        None,
        "/reset/confirm",
        &[("token", &token), ("new_password", "brand new password"), ("confirm", "brand new password")],
    )
    .await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/sign-in?done=reset"));
    let old = post(&app, None, "/sign-in", &[("login", "ann"), ("password", "a long passphrase")]).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = post(&app, None, "/sign-in", &[("login", "ann"), ("password", "brand new password")]).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);

    // The token works once.
    let again = post(
        &app,
        None,
        "/reset/confirm",
        &[("token", &token), ("new_password", "another new password"), ("confirm", "another new password")],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("unknown, already used or expired"));
    app.stop().await;
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one() {
    let app = TestApp::spawn().await;
    let cookie = sign_up(&app, "ann", "a long passphrase").await;
    let csrf = get(&app, Some(&cookie), "/account").await.csrf();

    let wrong = post(
        &app,
        Some(&cookie),
        "/account/password",
        &[
            ("_csrf", &csrf),
            ("current", "not it at all"),
            ("new_password", "brand new password"),
            ("confirm", "brand new password"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_well_formed("change password rejected");
    assert!(wrong.body.contains("this is not your current password"));

    let short = post(
        &app,
        Some(&cookie),
        "/account/password",
        &[("_csrf", &csrf), ("current", "a long passphrase"), ("new_password", "short"), ("confirm", "short")],
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("at least 10 characters"));

    let ok = post(
        &app,
        Some(&cookie),
        "/account/password",
        &[
            ("_csrf", &csrf),
            ("current", "a long passphrase"),
            ("new_password", "brand new password"),
            ("confirm", "brand new password"),
        ],
    )
    .await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, "/account?done=password"));
    let fresh = ok.session_cookie().expect("a new session");
    assert_eq!(get(&app, Some(&cookie), "/account").await.status, StatusCode::SEE_OTHER, "old session ended");
    let page = get(&app, Some(&fresh), "/account?done=password").await;
    assert!(page.body.contains("Your password was changed"));
    let signin = post(&app, None, "/sign-in", &[("login", "ann"), ("password", "brand new password")]).await;
    assert_eq!(signin.status, StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn keys_are_created_once_shown_and_revoked() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann", Role::Player).await;
    let cookie = cookie_of(&ann);

    // Not joined yet: the page says what to do.
    let page = get(&app, Some(&cookie), "/keys").await;
    assert!(page.body.contains("join a tournament that is open or running first"), "{}", page.body);
    assert!(page.body.contains("You have no API keys yet"));

    app.handle.join(ann.user_id, "ann").await.expect("join");
    let page = get(&app, Some(&cookie), "/keys").await;
    assert!(page.body.contains(&format!("<option value=\"{}\"", app.tournament.id.0)), "{}", page.body);
    let tid = app.tournament.id.0.to_string();

    // Bad input: 422 with the error beside the field, no key.
    let bad = post(
        &app,
        Some(&cookie),
        "/keys",
        &[("_csrf", &ann.csrf), ("label", " "), ("tournament_id", &tid), ("scope", "trade")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("give the key a label"));
    let bad = post(
        &app,
        Some(&cookie),
        "/keys",
        &[("_csrf", &ann.csrf), ("label", "bot"), ("tournament_id", &tid), ("scope", "admin")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("choose trade or read only"));
    assert!(app.store.api_keys_of_user(ann.user_id).await.unwrap().is_empty());

    // Without the CSRF field the post is refused.
    let refused =
        post(&app, Some(&cookie), "/keys", &[("label", "bot"), ("tournament_id", &tid), ("scope", "trade")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app.store.api_keys_of_user(ann.user_id).await.unwrap().is_empty());

    let created = post(
        &app,
        Some(&cookie),
        "/keys",
        &[("_csrf", &ann.csrf), ("label", "my bot"), ("tournament_id", &tid), ("scope", "trade")],
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.assert_well_formed("key created");
    assert_eq!(created.headers["cache-control"], "no-store");
    let keys = app.store.api_keys_of_user(ann.user_id).await.unwrap();
    assert_eq!(keys.len(), 1);
    let key_id = keys[0].key_id.clone();
    let marker = "Secret</dt><dd><code data-copy=\"\">";
    let start = created.body.find(marker).expect("the secret is shown") + marker.len();
    let secret: String = created.body[start..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(secret.len(), 40);

    // The key works, and the list shows it without the secret.
    let v2 = |secret: String| {
        browser()
            .get(format!("{}/v2/account", app.base))
            .header("apca-api-key-id", key_id.clone())
            .header("apca-api-secret-key", secret)
            .send()
    };
    assert_eq!(v2(secret.clone()).await.unwrap().status(), StatusCode::OK);
    let list = get(&app, Some(&cookie), "/keys").await;
    assert!(list.body.contains(&key_id));
    assert!(!list.body.contains(&secret), "the secret is shown only once");

    let revoked = post(&app, Some(&cookie), &format!("/keys/{key_id}/revoke"), &[("_csrf", &ann.csrf)]).await;
    assert_eq!((revoked.status, revoked.location()), (StatusCode::SEE_OTHER, "/keys?done=revoked"));
    assert!(app.store.api_key(&key_id).await.unwrap().unwrap().revoked_at.is_some());
    assert_eq!(v2(secret).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let list = get(&app, Some(&cookie), "/keys?done=revoked").await;
    assert!(list.body.contains("The key was revoked") && list.body.contains("Revoked "));

    // Someone else's key cannot be revoked from the page.
    let bob = app.user("bob", Role::Player).await;
    let other = post(&app, Some(&cookie_of(&bob)), &format!("/keys/{key_id}/revoke"), &[("_csrf", &bob.csrf)]).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    other.assert_well_formed("not found page");
    app.stop().await;
}
