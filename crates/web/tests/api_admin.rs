//! Admin routes of the JSON API: tournaments and instruments, each action audited, and only
//! for admins.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use bullpen_domain::TournamentId;
use bullpen_store::{AuditEntry, KeyScope, Role};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use support::TestApp;

async fn send(req: RequestBuilder) -> (u16, Value) {
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
}

async fn audit(app: &TestApp) -> Vec<AuditEntry> {
    app.store.audit_entries(0, 1000).await.unwrap()
}

fn new_tournament(name: &str) -> Value {
    json!({"name": name, "starts_on": "2026-07-01", "ends_on": "2026-09-30"})
}

#[tokio::test]
async fn admins_create_tournaments_and_every_creation_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let post = |body: Value| app.as_user(&admin, Method::POST, "/api/v1/admin/tournaments").json(&body);

    let (status, t) = send(post(json!({
        "name": "Summer Sprint",
        "starts_on": "2026-07-01",
        "ends_on": "2026-09-30",
        "state": "registration",
        "rules": {
            "starting_cash": "50000",
            "commission": {"per_trade": "1.50"},
            "universe": {"kind": "symbols", "values": ["AAA", "bbb"]},
            "margin": {"buying_power_multiple_bps": 20000, "interest_bps_per_year": 500},
            "scoring": {"method": "drawdown_penalised", "penalty_bps": 5000},
            "max_orders_per_day": 20
        }
    })))
    .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["state"], "registration");
    assert_eq!(t["kind"], "ad_hoc");
    assert_eq!(t["rules"]["starting_cash"], "50000.00");
    assert_eq!(t["rules"]["commission"]["per_trade"], "1.50");
    assert_eq!(t["rules"]["commission"]["per_share"], "0.00");
    assert_eq!(t["rules"]["universe"]["values"], json!(["AAA", "BBB"]));
    assert_eq!(t["rules"]["scoring"]["penalty_bps"], 5000);
    assert_eq!(t["rules"]["late_entry"], true);
    let id = t["id"].as_i64().unwrap();
    let stored = app.store.tournament(TournamentId(id)).await.unwrap().unwrap();
    assert_eq!(stored.rules.max_orders_per_day, Some(20));

    let (status, c) = send(post(json!({
        "name": "Eval 1", "kind": "challenge", "starts_on": "2026-07-01", "ends_on": "2026-07-31",
        "challenge": {"profit_target_bps": 800}
    })))
    .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["challenge"]["profit_target_bps"], 800);
    assert_eq!(c["challenge"]["max_daily_loss_bps"], 500);
    assert_eq!(c["state"], "draft");

    let entries = audit(&app).await;
    let creations: Vec<&AuditEntry> = entries.iter().filter(|e| e.draft.action == "admin.tournament.create").collect();
    assert_eq!(creations.len(), 2);
    assert_eq!(creations[0].draft.actor, Some(admin.user_id));
    assert_eq!(creations[0].draft.target, id.to_string());
    assert!(creations[0].draft.detail.contains("Summer Sprint"));

    let before = app.store.tournaments().await.unwrap().len();
    let audited = audit(&app).await.len();
    let cases = [
        (new_tournament(""), 422, "validation_failed"),
        (json!({"name": "Backwards", "starts_on": "2026-09-30", "ends_on": "2026-07-01"}), 422, "validation_failed"),
        (json!({"name": "No dates"}), 422, "validation_failed"),
        (json!({"name": "Bad date", "starts_on": "2026-02-30", "ends_on": "2026-07-01"}), 422, "validation_failed"),
        (
            json!({"name": "Cash", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "rules": {"starting_cash": "0"}}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Cash2", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "rules": {"starting_cash": 5}}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Slip", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "rules": {"slippage_bps": 20000}}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Pen", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "rules": {"scoring": {"method": "sharpe", "penalty_bps": 3}}}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Uni", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "rules": {"universe": {"kind": "symbols", "values": []}}}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Chal", "kind": "challenge", "starts_on": "2026-07-01", "ends_on": "2026-07-02"}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Adhoc", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "challenge": {}}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Season", "kind": "season", "starts_on": "2026-07-01", "ends_on": "2026-07-02"}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Run", "state": "running", "starts_on": "2026-07-01", "ends_on": "2026-07-02"}),
            422,
            "validation_failed",
        ),
        (
            json!({"name": "Extra", "starts_on": "2026-07-01", "ends_on": "2026-07-02", "prize": 1}),
            422,
            "validation_failed",
        ),
        (new_tournament("Summer Sprint"), 409, "conflict"),
    ];
    for (body, status, code) in cases {
        let (s, err) = send(post(body.clone())).await;
        assert_eq!((s, err["code"].as_str()), (status, Some(code)), "{body}: {err}");
    }
    assert_eq!(app.store.tournaments().await.unwrap().len(), before, "refused creations change nothing");
    assert_eq!(audit(&app).await.len(), audited, "refused creations are not audited as done");
    app.stop().await;
}

#[tokio::test]
async fn only_admins_reach_admin_routes() {
    let app = TestApp::spawn().await;
    let player = app.user("pat", Role::Player).await;
    let coach = app.user("cora", Role::Coach).await;
    let key = app.key(&player, KeyScope::Trade).await;
    let cup = app.tournament.id.0;
    let routes = [
        (Method::POST, "/api/v1/admin/tournaments".to_string(), new_tournament("Nope")),
        (Method::PUT, format!("/api/v1/admin/tournaments/{cup}/state"), json!({"state": "finished"})),
        (
            Method::POST,
            "/api/v1/admin/instruments".to_string(),
            json!({"instruments": [{"symbol": "NEW", "name": "N", "sector": "S"}]}),
        ),
        (Method::PUT, "/api/v1/admin/instruments/AAA/status".to_string(), json!({"status": "halted"})),
    ];
    for (method, path, body) in routes {
        let (s, _) = send(app.request(method.clone(), &path).json(&body)).await;
        assert_eq!(s, 401, "{method} {path}");
        for user in [&player, &coach] {
            let (s, err) = send(app.as_user(user, method.clone(), &path).json(&body)).await;
            assert_eq!((s, err["code"].as_str()), (403, Some("forbidden")), "{method} {path}");
        }
        let (s, _) = send(app.as_key(&key, method.clone(), &path).json(&body)).await;
        assert_eq!(s, 403, "{method} {path}");
    }
    assert_eq!(app.store.tournaments().await.unwrap().len(), 1);
    assert_eq!(app.instruments().await.len(), 3);
    assert!(audit(&app).await.iter().all(|e| !e.draft.action.starts_with("admin.")));
    app.stop().await;
}

#[tokio::test]
async fn lifecycle_transitions_start_and_stop_the_engine() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let (_, t) =
        send(app.as_user(&admin, Method::POST, "/api/v1/admin/tournaments").json(&new_tournament("Autumn Open"))).await;
    let id = t["id"].as_i64().unwrap();
    let tid = TournamentId(id);
    let state_path = format!("/api/v1/admin/tournaments/{id}/state");
    let put = |state: &str| app.as_user(&admin, Method::PUT, &state_path).json(&json!({"state": state}));

    let (s, err) = send(put("running")).await;
    assert_eq!((s, err["code"].as_str()), (409, Some("illegal_transition")));
    let (s, err) = send(put("paused")).await;
    assert_eq!((s, err["code"].as_str()), (422, Some("validation_failed")));
    let (s, t) = send(put("registration")).await;
    assert_eq!((s, t["state"].as_str()), (200, Some("registration")), "{t}");
    assert!(app.engine.handle(tid).is_some(), "registration starts the sequencer so players can join");
    let player = app.user("pia", Role::Player).await;
    let (s, _) = send(app.as_user(&player, Method::POST, &format!("/api/v1/tournaments/{id}/join"))).await;
    assert_eq!(s, 201);
    let (s, t) = send(put("running")).await;
    assert_eq!((s, t["state"].as_str(), t["entries"].as_i64()), (200, Some("running"), Some(1)), "{t}");
    let (s, t) = send(put("finished")).await;
    assert_eq!((s, t["state"].as_str()), (200, Some("finished")), "{t}");
    assert!(app.engine.handle(tid).is_none(), "finishing stops the sequencer");
    assert_eq!(app.store.final_standings(tid).await.unwrap().len(), 1);
    let (s, t) = send(put("archived")).await;
    assert_eq!((s, t["state"].as_str()), (200, Some("archived")), "{t}");
    let (s, err) = send(put("archived")).await;
    assert_eq!((s, err["code"].as_str()), (409, Some("illegal_transition")));
    let (s, _) = send(
        app.as_user(&admin, Method::PUT, "/api/v1/admin/tournaments/5555/state").json(&json!({"state": "running"})),
    )
    .await;
    assert_eq!(s, 404);

    let changes: Vec<String> = audit(&app)
        .await
        .into_iter()
        .filter(|e| e.draft.action == "admin.tournament.state")
        .map(|e| e.draft.detail)
        .collect();
    assert_eq!(changes.len(), 4);
    assert!(changes[0].contains(r#""from":"draft""#) && changes[0].contains(r#""to":"registration""#));
    assert!(changes[2].contains(r#""standings_frozen":1"#), "{}", changes[2]);
    app.stop().await;
}

#[tokio::test]
async fn instruments_upsert_and_status_are_audited() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let (s, list) = send(app.as_user(&admin, Method::POST, "/api/v1/admin/instruments").json(&json!({
        "instruments": [
            {"symbol": "ddd", "name": "Delta Dynamics", "sector": "Energy"},
            {"symbol": "AAA", "name": "Alpha Renamed", "sector": "Utilities"}
        ]
    })))
    .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"][0]["symbol"], "DDD");
    assert_eq!(list["items"][1]["name"], "Alpha Renamed");
    let all = app.instruments().await;
    assert_eq!(all.len(), 4);

    let before = audit(&app).await.len();
    for (body, code) in [
        (json!({"instruments": []}), "validation_failed"),
        (json!({"instruments": [{"symbol": "1BAD", "name": "x", "sector": "y"}]}), "validation_failed"),
        (json!({"instruments": [{"symbol": "EEE", "name": " ", "sector": "y"}]}), "validation_failed"),
        (
            json!({"instruments": [{"symbol": "EEE", "name": "e", "sector": "y"}, {"symbol": "eee", "name": "e", "sector": "y"}]}),
            "validation_failed",
        ),
        (json!({"instruments": [{"symbol": "EEE", "name": "e"}]}), "validation_failed"),
    ] {
        let (s, err) = send(app.as_user(&admin, Method::POST, "/api/v1/admin/instruments").json(&body)).await;
        assert_eq!((s, err["code"].as_str()), (422, Some(code)), "{body}");
    }
    assert_eq!(app.instruments().await.len(), 4);

    let (s, i) = send(
        app.as_user(&admin, Method::PUT, "/api/v1/admin/instruments/ccc/status").json(&json!({"status": "halted"})),
    )
    .await;
    assert_eq!((s, i["status"].as_str()), (200, Some("halted")), "{i}");
    let (s, one) = send(app.request(Method::GET, "/api/v1/instruments/CCC")).await;
    assert_eq!((s, one["status"].as_str()), (200, Some("halted")));
    let (s, _) = send(
        app.as_user(&admin, Method::PUT, "/api/v1/admin/instruments/ZZZ/status").json(&json!({"status": "halted"})),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) =
        send(app.as_user(&admin, Method::PUT, "/api/v1/admin/instruments/CCC/status").json(&json!({"status": "gone"})))
            .await;
    assert_eq!(s, 422);

    let entries = audit(&app).await;
    assert_eq!(entries.len(), before + 1);
    let upsert = entries.iter().find(|e| e.draft.action == "admin.instrument.upsert").unwrap();
    assert!(upsert.draft.detail.contains("DDD"), "{}", upsert.draft.detail);
    let status = entries.last().unwrap();
    assert_eq!(status.draft.action, "admin.instrument.status");
    assert_eq!(status.draft.target, "CCC");
    assert!(status.draft.detail.contains(r#""to":"halted""#));
    app.stop().await;
}
