//! Walks every registered route × every kind of caller and fails on any unexpected access.
//!
//! The expectations below are written route by route, independently of `policy.rs`: a route
//! registered with the wrong rule (an admin route open to players, a trading route open to
//! another tournament's key, …) fails here, and so does a new route nobody wrote an
//! expectation for.
#![allow(clippy::expect_used)]

mod support;

use bullpen_domain::{TournamentKind, TournamentRules, TournamentState};
use bullpen_store::{KeyScope, NewTournament, Role};
use reqwest::{Method, StatusCode};
use support::{TestApp, TestKey, TestUser, START};

/// The kinds of caller every route is tried with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Player,
    Coach,
    Recruiter,
    Analyst,
    Admin,
    /// A member of the organisation named in `{org_id}` paths.
    OrgMember,
    /// A member of a different organisation.
    OtherOrgMember,
    /// A read-only key of the test tournament.
    ReadKey,
    /// A trade key of the test tournament.
    TradeKey,
    /// A trade key of another tournament.
    ForeignKey,
}

const EVERYONE: &[Who] = &[
    Who::Anonymous,
    Who::Player,
    Who::Coach,
    Who::Recruiter,
    Who::Analyst,
    Who::Admin,
    Who::OrgMember,
    Who::OtherOrgMember,
    Who::ReadKey,
    Who::TradeKey,
    Who::ForeignKey,
];
const USERS: &[Who] =
    &[Who::Player, Who::Coach, Who::Recruiter, Who::Analyst, Who::Admin, Who::OrgMember, Who::OtherOrgMember];
const ADMINS: &[Who] = &[Who::Admin];
const ORG: &[Who] = &[Who::Admin, Who::OrgMember];
const USERS_AND_KEYS: &[Who] = &[
    Who::Player,
    Who::Coach,
    Who::Recruiter,
    Who::Analyst,
    Who::Admin,
    Who::OrgMember,
    Who::OtherOrgMember,
    Who::ReadKey,
    Who::TradeKey,
];
const USERS_AND_TRADE_KEY: &[Who] = &[
    Who::Player,
    Who::Coach,
    Who::Recruiter,
    Who::Analyst,
    Who::Admin,
    Who::OrgMember,
    Who::OtherOrgMember,
    Who::TradeKey,
];
const ANY_KEY: &[Who] = &[Who::ReadKey, Who::TradeKey, Who::ForeignKey];
const TRADE_KEYS: &[Who] = &[Who::TradeKey, Who::ForeignKey];

/// Who may call a route, written out per route family.
fn expected(method: &Method, path: &str) -> Option<&'static [Who]> {
    let read = method == Method::GET;
    let p = path;
    let tournament_scoped = |suffix: &str| p.starts_with("/api/v1/tournaments/{tournament_id}/") && p.contains(suffix);
    Some(match () {
        // Operations, documentation and public market information.
        _ if matches!(p, "/healthz" | "/readyz" | "/metrics" | "/api/v1/openapi.json") => EVERYONE,
        // The Alpaca stream authenticates in-band; the SSE stream filters order events by caller.
        _ if matches!(p, "/stream" | "/api/v1/stream") => EVERYONE,
        _ if p.starts_with("/api/v1/auth/sign-up")
            || p.starts_with("/api/v1/auth/sign-in")
            || p.starts_with("/api/v1/auth/password-reset") =>
        {
            EVERYONE
        }
        _ if p.starts_with("/api/v1/auth/") => USERS,
        _ if p.starts_with("/api/v1/admin/") => ADMINS,
        _ if p.starts_with("/api/v1/organisations/{org_id}") => ORG,
        _ if p.starts_with("/api/v1/keys") => USERS,
        // Reports: signed-in users (ownership and the coach/admin rule are checked per job).
        _ if p.starts_with("/api/v1/reports") => USERS,
        // An entry's dashboard: users (their own entry; admins any) and the tournament's keys
        // (their own entry), read only.
        _ if read && tournament_scoped("/entries/{entry_id}/") => USERS_AND_KEYS,
        _ if p == "/api/v1/tournaments/{tournament_id}/keys" => USERS,
        _ if p.starts_with("/api/v1/instruments") && read => EVERYONE,
        _ if read && matches!(p, "/api/v1/tournaments" | "/api/v1/tournaments/{tournament_id}") => EVERYONE,
        _ if read && (tournament_scoped("/leaderboard") || tournament_scoped("/quotes")) => EVERYONE,
        _ if p == "/api/v1/tournaments/{tournament_id}/join" => USERS,
        _ if p.starts_with("/api/v1/leagues") || p == "/api/v1/tournaments/{tournament_id}/leagues" => USERS,
        _ if tournament_scoped("/orders")
            || tournament_scoped("/positions")
            || tournament_scoped("/account")
            || tournament_scoped("/fills") =>
        {
            if read {
                USERS_AND_KEYS
            } else {
                USERS_AND_TRADE_KEY
            }
        }
        // HTML pages: public pages and static files, signed-in pages, admin pages.
        _ if matches!(p, "/" | "/sign-up" | "/sign-in" | "/reset" | "/reset/confirm" | "/static/{name}") => EVERYONE,
        _ if p == "/sign-out" || p.starts_with("/account") || p.starts_with("/keys") || p == "/reports" => USERS,
        _ if p == "/admin" || p.starts_with("/admin/") => ADMINS,
        // Player pages: the lobby, tournament and instrument pages are public; trading, leagues,
        // portfolios and orders need an account.
        _ if read
            && matches!(
                p,
                "/lobby" | "/tournaments/{tournament_id}" | "/tournaments/{tournament_id}/instruments/{symbol}"
            ) =>
        {
            EVERYONE
        }
        _ if p.starts_with("/tournaments/{tournament_id}/")
            || p.starts_with("/leagues/")
            || matches!(p, "/portfolio" | "/orders") =>
        {
            USERS
        }
        _ if p.starts_with("/v2/") => {
            if read {
                ANY_KEY
            } else {
                TRADE_KEYS
            }
        }
        _ => return None,
    })
}

/// Sample values for path parameters: real ids where the route is scoped by them, ids that
/// do not exist elsewhere (so allowed calls change nothing).
fn fill(path: &str, tournament: i64, org: i64) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else { break };
        let name = &rest[start + 1..start + len];
        out.push_str(&match name {
            "tournament_id" => tournament.to_string(),
            "org_id" => org.to_string(),
            "symbol" => "ZZZZ".to_string(),
            "order_id" => "00000000-0000-0000-0000-000000000000".to_string(),
            "key_id" => "PKDOESNOTEXIST".to_string(),
            _ => "999999".to_string(),
        });
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether a response is the policy's refusal (as opposed to the handler's own answer).
async fn refused(response: reqwest::Response) -> Option<StatusCode> {
    let status = response.status();
    // A signed-out visitor opening a page is sent to the sign-in page: that is the policy's
    // refusal too (seen as the 303 itself, or as the sign-in page a redirect-following client
    // lands on, with the `next` the middleware adds).
    let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok());
    if matches!(status, StatusCode::SEE_OTHER | StatusCode::FOUND)
        && location.is_some_and(|l| l.starts_with("/sign-in"))
    {
        return Some(StatusCode::UNAUTHORIZED);
    }
    if response.url().path() == "/sign-in" && response.url().query().is_some_and(|q| q.starts_with("next=")) {
        return Some(StatusCode::UNAUTHORIZED);
    }
    if status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN {
        return None;
    }
    let is_html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let text = response.text().await.unwrap_or_default();
    // A page that is not for the viewer is the policy's "Not allowed" page.
    if is_html {
        return (status == StatusCode::FORBIDDEN && text.contains("<h1>Not allowed</h1>")).then_some(status);
    }
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    // Under /v2 refusals come in Alpaca's shape, with its numeric codes, which handlers use too
    // (a rule refusing an order is also 40310000): the policy's refusals are told by their messages.
    if let Some(code) = body["code"].as_u64() {
        let message = body["message"].as_str().unwrap_or_default();
        let policy_message = matches!(
            message,
            "you may not do this" | "sign in or present a valid API key" | "unknown, revoked or wrong API key"
        );
        return (matches!(code, 40_110_000 | 40_310_000) && policy_message).then_some(status);
    }
    let code = body["code"].as_str().unwrap_or_default().to_string();
    matches!(code.as_str(), "unauthenticated" | "invalid_api_key" | "forbidden" | "csrf_failed").then_some(status)
}

struct Callers {
    users: Vec<(Who, TestUser)>,
    keys: Vec<(Who, TestKey)>,
}

async fn callers(app: &TestApp) -> (Callers, i64) {
    let mut users = Vec::new();
    for (who, handle, role) in [
        (Who::Player, "player", Role::Player),
        (Who::Coach, "coach", Role::Coach),
        (Who::Recruiter, "recruiter", Role::Recruiter),
        (Who::Analyst, "analyst", Role::Analyst),
        (Who::Admin, "admin", Role::Admin),
        (Who::OrgMember, "member", Role::Recruiter),
        (Who::OtherOrgMember, "outsider", Role::Recruiter),
    ] {
        users.push((who, app.user(handle, role).await));
    }
    let now = START;
    let org = app.store.create_organisation("Firm A", now).await.expect("org a");
    let other = app.store.create_organisation("Firm B", now).await.expect("org b");
    app.store.add_organisation_member(org.id, users[5].1.user_id).await.expect("member");
    app.store.add_organisation_member(other.id, users[6].1.user_id).await.expect("outsider");

    let trader = app.user("keyholder", Role::Player).await;
    let read_key = app.key(&trader, KeyScope::ReadOnly).await;
    let trade_key = app.key(&trader, KeyScope::Trade).await;

    // A key of another tournament.
    let other_cup = bullpen_engine::admin::create_tournament(
        app.store.as_ref(),
        NewTournament {
            name: "Other Cup".into(),
            kind: TournamentKind::AdHoc,
            state: TournamentState::Registration,
            starts_on: app.tournament.starts_on,
            ends_on: app.tournament.ends_on,
            rules: TournamentRules::default(),
            challenge: None,
            created_at: now,
        },
    )
    .await
    .expect("other cup");
    let other_handle = app.engine.start(other_cup.id).await.expect("start other");
    let foreigner = app.user("foreigner", Role::Player).await;
    let entry = other_handle.join(foreigner.user_id, "foreigner").await.expect("join other");
    let foreign_key = {
        let id = format!("PK{}", bullpen_web::secrets::random_id(18));
        let secret = bullpen_web::secrets::random_token(20);
        app.store
            .create_api_key(&bullpen_store::ApiKey {
                key_id: id.clone(),
                secret_hash: bullpen_web::secrets::digest(&secret),
                user_id: foreigner.user_id,
                tournament_id: other_cup.id,
                entry_id: entry.id,
                scope: KeyScope::Trade,
                label: "foreign".into(),
                created_at: now,
                last_used_at: None,
                revoked_at: None,
            })
            .await
            .expect("foreign key");
        TestKey { id, secret, entry }
    };
    let keys = vec![(Who::ReadKey, read_key), (Who::TradeKey, trade_key), (Who::ForeignKey, foreign_key)];
    (Callers { users, keys }, org.id)
}

#[tokio::test]
async fn every_route_answers_only_the_callers_it_should() {
    let app = TestApp::spawn().await;
    let (callers, org) = callers(&app).await;
    let table = app.state.routes.get().expect("route table").clone();
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in table.rules() {
        let Some(allowed) = expected(&rule.method, rule.path) else {
            failures.push(format!("{} {}: no expectation written for this route", rule.method, rule.path));
            continue;
        };
        let path = fill(rule.path, app.tournament.id.0, org);
        for who in EVERYONE {
            let request = match who {
                Who::Anonymous => app.request(rule.method.clone(), &path),
                Who::ReadKey | Who::TradeKey | Who::ForeignKey => {
                    let key = &callers.keys.iter().find(|(w, _)| w == who).expect("key").1;
                    app.as_key(key, rule.method.clone(), &path)
                }
                _ => {
                    let user = &callers.users.iter().find(|(w, _)| w == who).expect("user").1;
                    // A fresh session per request: a sign-out route must not spoil later checks.
                    let session = app.new_session(user).await;
                    app.as_user(&session, rule.method.clone(), &path)
                }
            };
            let request = if rule.method == Method::GET || rule.method == Method::DELETE {
                request
            } else {
                request.json(&serde_json::json!({}))
            };
            // Streams answer with headers first; only the status matters here.
            let response = tokio::time::timeout(std::time::Duration::from_secs(10), request.send())
                .await
                .expect("no answer within 10 s")
                .expect("send");
            let refusal = refused(response).await;
            let should_pass = allowed.contains(who);
            checked += 1;
            match (should_pass, refusal) {
                (true, Some(status)) => {
                    failures.push(format!("{} {} as {who:?}: refused with {status}", rule.method, rule.path))
                }
                (false, None) => failures.push(format!("{} {} as {who:?}: NOT refused", rule.method, rule.path)),
                _ => {}
            }
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{} unexpected answers out of {checked}:\n{}", failures.len(), failures.join("\n"));
    app.stop().await;
}

#[tokio::test]
async fn signed_in_state_changes_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let user = app.user("csrf", Role::Player).await;
    let table = app.state.routes.get().expect("route table").clone();
    let rule = table
        .rules()
        .iter()
        .find(|r| r.method != Method::GET && expected(&r.method, r.path) == Some(USERS))
        .expect("a signed-in state-changing route");
    let path = fill(rule.path, app.tournament.id.0, 0);
    let response = app
        .request(rule.method.clone(), &path)
        .header("cookie", format!("{}={}", bullpen_web::identity::SESSION_COOKIE, user.token))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{} {}", rule.method, rule.path);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["code"], "csrf_failed");
    app.stop().await;
}
