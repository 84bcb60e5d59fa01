//! Tournaments (list, show, join, leaderboard) and private leagues through the JSON API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use bullpen_domain::{TournamentKind, TournamentRules, TournamentState};
use bullpen_store::{KeyScope, NewTournament, Role};
use chrono::NaiveDate;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use support::{TestApp, START};

async fn send(req: RequestBuilder) -> (u16, Value) {
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")))
}

async fn tournament(app: &TestApp, name: &str, state: TournamentState) -> i64 {
    let t = bullpen_engine::admin::create_tournament(
        app.store.as_ref(),
        NewTournament {
            name: name.into(),
            kind: TournamentKind::AdHoc,
            state,
            starts_on: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            rules: TournamentRules::default(),
            challenge: None,
            created_at: START,
        },
    )
    .await
    .unwrap();
    t.id.0
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn list_and_show_tournaments_hiding_drafts() {
    let app = TestApp::spawn().await;
    let cup = app.tournament.id.0;
    let draft = tournament(&app, "Draft Cup", TournamentState::Draft).await;
    let open = tournament(&app, "Open Cup", TournamentState::Registration).await;
    let admin = app.user("root", Role::Admin).await;

    let (status, page) = send(app.request(Method::GET, "/api/v1/tournaments")).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page), [cup, open]);
    assert!(page["next"].is_null());
    assert_eq!(page["items"][0]["state"], "running");
    assert_eq!(page["items"][0]["kind"], "ad_hoc");
    assert_eq!(page["items"][0]["starts_on"], "2026-01-05");

    let (_, page) = send(app.as_user(&admin, Method::GET, "/api/v1/tournaments?limit=1")).await;
    assert_eq!(ids(&page), [cup]);
    let next = page["next"].as_str().unwrap().to_string();
    let (_, page) = send(app.as_user(&admin, Method::GET, &format!("/api/v1/tournaments?limit=1&after={next}"))).await;
    assert_eq!(ids(&page), [draft], "admins see drafts");
    let (_, page) = send(app.request(Method::GET, "/api/v1/tournaments?state=registration")).await;
    assert_eq!(ids(&page), [open]);

    let (status, t) = send(app.request(Method::GET, &format!("/api/v1/tournaments/{cup}"))).await;
    assert_eq!(status, 200);
    assert_eq!(t["name"], "Test Cup");
    assert_eq!(t["entries"], 0);
    assert_eq!(t["rules"]["starting_cash"], "100000.00");
    assert_eq!(t["rules"]["scoring"]["method"], "total_return");
    assert_eq!(t["rules"]["universe"]["kind"], "all");
    assert!(t["challenge"].is_null());

    let (status, err) = send(app.request(Method::GET, &format!("/api/v1/tournaments/{draft}"))).await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));
    let (status, _) = send(app.as_user(&admin, Method::GET, &format!("/api/v1/tournaments/{draft}"))).await;
    assert_eq!(status, 200);
    let (status, err) = send(app.request(Method::GET, "/api/v1/tournaments/x1")).await;
    assert_eq!((status, err["code"].as_str()), (400, Some("invalid_path")));
    let (status, err) = send(app.request(Method::GET, "/api/v1/tournaments?state=paused")).await;
    assert_eq!((status, err["code"].as_str()), (400, Some("invalid_query")));
    app.stop().await;
}

#[tokio::test]
async fn join_a_tournament_once() {
    let app = TestApp::spawn().await;
    let cup = app.tournament.id.0;
    let open = tournament(&app, "Open Cup", TournamentState::Registration).await;
    let draft = tournament(&app, "Draft Cup", TournamentState::Draft).await;
    let ann = app.user("ann", Role::Player).await;

    let (status, entry) = send(app.as_user(&ann, Method::POST, &format!("/api/v1/tournaments/{cup}/join"))).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["display_name"], "User ann");
    assert_eq!(entry["tournament_id"], cup);
    let (status, err) = send(app.as_user(&ann, Method::POST, &format!("/api/v1/tournaments/{cup}/join"))).await;
    assert_eq!((status, err["code"].as_str()), (409, Some("already_joined")));
    let (_, t) = send(app.request(Method::GET, &format!("/api/v1/tournaments/{cup}"))).await;
    assert_eq!(t["entries"], 1);

    // A tournament open for registration starts its sequencer on the first join.
    let (status, entry) = send(app.as_user(&ann, Method::POST, &format!("/api/v1/tournaments/{open}/join"))).await;
    assert_eq!(status, 201, "{entry}");
    assert!(app.engine.handle(bullpen_domain::TournamentId(open)).is_some());

    let (status, _) = send(app.as_user(&ann, Method::POST, &format!("/api/v1/tournaments/{draft}/join"))).await;
    assert_eq!(status, 404, "drafts are invisible to players");
    let admin = app.user("root", Role::Admin).await;
    let (status, err) = send(app.as_user(&admin, Method::POST, &format!("/api/v1/tournaments/{draft}/join"))).await;
    assert_eq!((status, err["code"].as_str()), (409, Some("tournament_not_open")));
    let (status, _) = send(app.request(Method::POST, &format!("/api/v1/tournaments/{cup}/join"))).await;
    assert_eq!(status, 401);
    let key = app.key(&ann, KeyScope::Trade).await;
    let (status, _) = send(app.as_key(&key, Method::POST, &format!("/api/v1/tournaments/{cup}/join"))).await;
    assert_eq!(status, 403, "API keys cannot join");
    let (status, err) = send(app.as_user(&ann, Method::POST, "/api/v1/tournaments/424242/join")).await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));
    app.stop().await;
}

#[tokio::test]
async fn leaderboard_pages_by_rank_then_freezes() {
    let app = TestApp::spawn().await;
    let cup = app.tournament.id.0;
    let mut keys = Vec::new();
    for (handle, qty) in [("p1", 100), ("p2", 300), ("p3", 200)] {
        let user = app.user(handle, Role::Player).await;
        let key = app.key(&user, KeyScope::Trade).await;
        let (status, _) = send(
            app.as_key(&key, Method::POST, &format!("/api/v1/tournaments/{cup}/orders"))
                .json(&json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": qty})),
        )
        .await;
        assert_eq!(status, 201);
        keys.push(key);
    }
    app.tick(&[("AAA", 110)]).await;
    app.handle.barrier().await.unwrap();

    let path = format!("/api/v1/tournaments/{cup}/leaderboard");
    let (status, page) = send(app.request(Method::GET, &format!("{path}?limit=2"))).await;
    assert_eq!(status, 200, "{page}");
    let names: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|r| r["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["p2", "p3"], "keys join under the handle");
    assert_eq!(page["items"][0]["rank"], 1);
    assert_eq!(page["items"][0]["equity"], "103000.00");
    assert_eq!(page["items"][0]["percentile"], 100.0);
    assert!((page["items"][0]["score"].as_f64().unwrap() - 0.03).abs() < 1e-9);
    assert_eq!(page["total"], 3);
    assert_eq!(page["final"], false);
    assert_eq!(page["next"], "2");
    let (_, page) = send(app.request(Method::GET, &format!("{path}?after=2"))).await;
    assert_eq!(page["items"][0]["display_name"], "p1");
    assert_eq!(page["items"][0]["rank"], 3);
    assert_eq!(page["items"][0]["percentile"], 0.0);
    assert!(page["next"].is_null());

    // Finishing freezes the standings; the leaderboard then shows them with badges.
    let admin = app.user("root", Role::Admin).await;
    let (status, t) = send(
        app.as_user(&admin, Method::PUT, &format!("/api/v1/admin/tournaments/{cup}/state"))
            .json(&json!({"state": "finished"})),
    )
    .await;
    assert_eq!((status, t["state"].as_str()), (200, Some("finished")), "{t}");
    let (status, page) = send(app.request(Method::GET, &path)).await;
    assert_eq!(status, 200);
    assert_eq!(page["final"], true);
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["display_name"], "p2");
    assert_eq!(page["items"][0]["equity"], "103000.00");
    assert!(page["items"][0]["badges"].as_array().is_some());
    let (status, err) = send(
        app.as_key(&keys[0], Method::POST, &format!("/api/v1/tournaments/{cup}/orders"))
            .json(&json!({"symbol": "AAA", "side": "sell", "type": "market", "qty": 1})),
    )
    .await;
    assert_eq!((status, err["code"].as_str()), (409, Some("tournament_not_running")));
    let (status, err) = send(app.request(Method::GET, "/api/v1/tournaments/77777/leaderboard")).await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));
    app.stop().await;
}

#[tokio::test]
async fn leagues_create_join_show_and_rank() {
    let app = TestApp::spawn().await;
    let cup = app.tournament.id.0;
    let ann = app.user("ann", Role::Player).await;
    let ben = app.user("ben", Role::Player).await;
    let cid = app.user("cid", Role::Player).await;
    let leagues = format!("/api/v1/tournaments/{cup}/leagues");

    // The creator must have joined.
    let (status, err) = send(app.as_user(&ann, Method::POST, &leagues).json(&json!({"name": "Desk"}))).await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_joined")));
    for u in [&ann, &ben, &cid] {
        let (status, _) = send(app.as_user(u, Method::POST, &format!("/api/v1/tournaments/{cup}/join"))).await;
        assert_eq!(status, 201);
    }
    for (body, status, code) in [
        (json!({"name": "   "}), 422, "validation_failed"),
        (json!({"name": "x".repeat(61)}), 422, "validation_failed"),
        (json!({"name": "Desk", "password": "p"}), 422, "validation_failed"),
        (json!({}), 422, "validation_failed"),
    ] {
        let (s, err) = send(app.as_user(&ann, Method::POST, &leagues).json(&body)).await;
        assert_eq!((s, err["code"].as_str()), (status, Some(code)), "{body}");
    }
    let (status, league) = send(app.as_user(&ann, Method::POST, &leagues).json(&json!({"name": " Desk "}))).await;
    assert_eq!(status, 201, "{league}");
    assert_eq!(league["name"], "Desk");
    assert_eq!(league["members"], 1);
    assert_eq!(league["commissioner_id"], ann.user_id.0);
    let code = league["invite_code"].as_str().unwrap().to_string();
    let id = league["id"].as_i64().unwrap();

    let join = "/api/v1/leagues/join";
    let typed = format!("{}-{}", &code[..4], code[4..].to_lowercase());
    let (status, joined) = send(app.as_user(&ben, Method::POST, join).json(&json!({"code": typed}))).await;
    assert_eq!((status, joined["members"].as_i64()), (200, Some(2)), "{joined}");
    let (status, err) = send(app.as_user(&ben, Method::POST, join).json(&json!({"code": code}))).await;
    assert_eq!((status, err["code"].as_str()), (409, Some("already_member")));
    let (status, err) = send(app.as_user(&ben, Method::POST, join).json(&json!({"code": "nope"}))).await;
    assert_eq!((status, err["code"].as_str()), (422, Some("validation_failed")));
    let (status, err) = send(app.as_user(&ben, Method::POST, join).json(&json!({"code": "23456789"}))).await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));
    let outsider = app.user("dan", Role::Player).await;
    let (status, err) = send(app.as_user(&outsider, Method::POST, join).json(&json!({"code": code}))).await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not_joined")));

    // Members see the league; others get 404.
    let (status, shown) = send(app.as_user(&ben, Method::GET, &format!("/api/v1/leagues/{id}"))).await;
    assert_eq!((status, shown["invite_code"].as_str()), (200, Some(code.as_str())));
    let (status, _) = send(app.as_user(&cid, Method::GET, &format!("/api/v1/leagues/{id}"))).await;
    assert_eq!(status, 404);
    let (status, _) = send(app.as_user(&cid, Method::GET, &format!("/api/v1/leagues/{id}/leaderboard"))).await;
    assert_eq!(status, 404);
    let (status, _) = send(app.request(Method::GET, &format!("/api/v1/leagues/{id}"))).await;
    assert_eq!(status, 401);

    // The league leaderboard ranks members among themselves.
    let ben_key = app.key(&ben, KeyScope::Trade).await;
    let (status, _) = send(
        app.as_key(&ben_key, Method::POST, &format!("/api/v1/tournaments/{cup}/orders"))
            .json(&json!({"symbol": "AAA", "side": "buy", "type": "market", "qty": 100})),
    )
    .await;
    assert_eq!(status, 201);
    app.tick(&[("AAA", 120)]).await;
    app.handle.barrier().await.unwrap();
    let (status, board) = send(app.as_user(&ann, Method::GET, &format!("/api/v1/leagues/{id}/leaderboard"))).await;
    assert_eq!(status, 200, "{board}");
    let names: Vec<&str> =
        board["items"].as_array().unwrap().iter().map(|r| r["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["User ben", "User ann"]);
    assert_eq!(board["items"][1]["rank"], 2);
    assert_eq!(board["total"], 2);
    let (_, board) = send(app.as_user(&ann, Method::GET, &format!("/api/v1/leagues/{id}/leaderboard?limit=1"))).await;
    assert_eq!(board["next"], "1");
    let (_, board) =
        send(app.as_user(&ann, Method::GET, &format!("/api/v1/leagues/{id}/leaderboard?limit=1&after=1"))).await;
    assert_eq!(board["items"][0]["display_name"], "User ann");
    app.stop().await;
}
