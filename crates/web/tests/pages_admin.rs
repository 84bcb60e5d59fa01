//! The admin pages over HTTP: every page renders for admins only; tournaments are created and
//! edited with custom rules and moved through their lifecycle; roles change; instruments are
//! added, halted and resumed; the audit log lists the changes and verifies its chain. Bad input
//! is a 422 with the error beside its field and changes nothing; posts without the CSRF field
//! are refused.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use bullpen_domain::{InstrumentStatus, Money, Price, ScoringMethod, Symbol, TournamentState, Universe};
use bullpen_store::Role;
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::StatusCode;
use support::{TestApp, TestUser};

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    fn assert_well_formed(&self, what: &str) {
        assert!(self.body.contains(" · Bullpen</title>"), "{what}: no title");
        assert_eq!(self.body.matches("<h1").count(), 1, "{what}: exactly one h1\n{}", self.body);
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn get(app: &TestApp, user: Option<&TestUser>, path: &str) -> Page {
    let mut req = browser().get(format!("{}{}", app.base, path));
    if let Some(u) = user {
        req = req.header("cookie", format!("bullpen_session={}", u.token));
    }
    let res = req.send().await.expect("send");
    Page { status: res.status(), headers: res.headers().clone(), body: res.text().await.expect("body") }
}

/// Posts a form as a browser does: the session cookie and the `_csrf` field.
async fn post(app: &TestApp, user: &TestUser, path: &str, form: &[(&str, &str)]) -> Page {
    let mut fields: Vec<(&str, &str)> = vec![("_csrf", &user.csrf)];
    fields.extend_from_slice(form);
    post_raw(app, user, path, &fields).await
}

async fn post_raw(app: &TestApp, user: &TestUser, path: &str, form: &[(&str, &str)]) -> Page {
    let res = browser()
        .post(format!("{}{}", app.base, path))
        .header("cookie", format!("bullpen_session={}", user.token))
        .form(form)
        .send()
        .await
        .expect("send");
    Page { status: res.status(), headers: res.headers().clone(), body: res.text().await.expect("body") }
}

/// The default tournament form with some fields replaced.
fn tournament_form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form: Vec<(&str, &str)> = vec![
        ("name", "Spring Sprint"),
        ("kind", "ad_hoc"),
        ("state", "draft"),
        ("starts_on", "2026-04-06"),
        ("ends_on", "2026-05-29"),
        ("starting_cash", "100000.00"),
        ("commission_per_trade", "0.00"),
        ("commission_per_share", "0.00"),
        ("commission_bps", "0"),
        ("commission_minimum", "0.00"),
        ("universe_kind", "all"),
        ("universe_values", ""),
        ("short_selling", "on"),
        ("short_min_price", "5.00"),
        ("borrow_fee_bps_per_year", "0"),
        ("margin_multiple_bps", "20000"),
        ("margin_interest_bps", "0"),
        ("max_position_weight_bps", ""),
        ("min_share_price", ""),
        ("max_orders_per_day", ""),
        ("quote_delay_seconds", "0"),
        ("min_holding_seconds", "0"),
        ("late_entry", "on"),
        ("slippage_bps", "0"),
        ("volume_cap_bps", ""),
        ("scoring", "total_return"),
        ("penalty_bps", ""),
        ("profit_target_bps", "1000"),
        ("max_daily_loss_bps", "500"),
        ("max_total_loss_bps", "1000"),
        ("min_trading_days", "4"),
        ("max_best_day_share_bps", ""),
    ];
    for (k, v) in changes {
        match form.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v,
            None => form.push((k, v)),
        }
    }
    // Unticked checkboxes are not sent.
    form.retain(|(_, v)| *v != "__off__");
    form
}

#[tokio::test]
async fn admin_pages_render_for_admins_only() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let player = app.user("ann", Role::Player).await;
    let t = app.tournament.id.0;
    let paths = [
        "/admin".to_string(),
        "/admin/tournaments".into(),
        "/admin/tournaments/new".into(),
        format!("/admin/tournaments/{t}"),
        "/admin/users".into(),
        "/admin/instruments".into(),
        "/admin/instruments?q=aa".into(),
        "/admin/audit".into(),
        "/admin/audit?verify=1".into(),
    ];
    for path in &paths {
        let page = get(&app, Some(&admin), path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}\n{}", page.body);
        page.assert_well_formed(path);
        assert_eq!(get(&app, Some(&player), path).await.status, StatusCode::FORBIDDEN, "{path} as a player");
        let anonymous = get(&app, None, path).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path} signed out");
        assert!(anonymous.location().starts_with("/sign-in?next=/admin"), "{path}");
    }
    let missing = get(&app, Some(&admin), "/admin/tournaments/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_well_formed("missing tournament");
    app.stop().await;
}

#[tokio::test]
async fn admin_creates_a_tournament_with_custom_rules() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let form = tournament_form(&[
        ("name", "Custom Cup"),
        ("state", "registration"),
        ("starting_cash", "50000"),
        ("commission_per_trade", "1.00"),
        ("commission_per_share", "0.005"),
        ("commission_bps", "5"),
        ("commission_minimum", "1.50"),
        ("universe_kind", "symbols"),
        ("universe_values", "aaa, BBB"),
        ("short_selling", "__off__"),
        ("short_min_price", "10"),
        ("borrow_fee_bps_per_year", "300"),
        ("margin", "on"),
        ("margin_multiple_bps", "20000"),
        ("margin_interest_bps", "500"),
        ("max_position_weight_bps", "15000"),
        ("min_share_price", "1"),
        ("max_orders_per_day", "100"),
        ("quote_delay_seconds", "60"),
        ("min_holding_seconds", "300"),
        ("late_entry", "__off__"),
        ("slippage_bps", "10"),
        ("volume_cap_bps", "1000"),
        ("scoring", "drawdown_penalised"),
        ("penalty_bps", "5000"),
    ]);
    let page = post(&app, &admin, "/admin/tournaments/new", &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let t = app.store.tournament_by_name("Custom Cup").await.unwrap().expect("created");
    assert_eq!(page.location(), format!("/admin/tournaments/{}?done=created", t.id.0));
    assert_eq!(t.state, TournamentState::Registration);
    let r = &t.rules;
    assert_eq!(r.starting_cash, Money::from_dollars(50_000));
    assert_eq!(r.commission.per_trade, Money::from_dollars(1));
    assert_eq!(r.commission.per_share, Money(50));
    assert_eq!(r.commission.bps, 5);
    assert_eq!(r.commission.minimum, Money(15_000));
    assert_eq!(r.universe, Universe::Symbols(vec![Symbol::parse("AAA").unwrap(), Symbol::parse("BBB").unwrap()]));
    assert!(!r.short_selling);
    assert_eq!(r.short_min_price, Price::from_dollars(10));
    assert_eq!(r.borrow_fee_bps_per_year, 300);
    let margin = r.margin.as_ref().expect("margin");
    assert_eq!((margin.buying_power_multiple_bps, margin.interest_bps_per_year), (20_000, 500));
    assert_eq!(r.max_position_weight_bps, Some(15_000));
    assert_eq!(r.min_share_price, Some(Price::from_dollars(1)));
    assert_eq!(r.max_orders_per_day, Some(100));
    assert_eq!((r.quote_delay_seconds, r.min_holding_seconds), (60, 300));
    assert!(!r.late_entry);
    assert_eq!((r.slippage_bps, r.volume_cap_bps), (10, Some(1000)));
    assert_eq!(r.scoring, ScoringMethod::DrawdownPenalised { penalty_bps: 5000 });
    assert!(t.challenge.is_none());

    // The admin sees it in the list and on its page, with the values in the form.
    let list = get(&app, Some(&admin), "/admin/tournaments").await;
    assert!(list.body.contains("Custom Cup"));
    let detail = get(&app, Some(&admin), page.location()).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("The tournament was created"));
    assert!(detail.body.contains("value=\"50000.00\""), "{}", detail.body);
    assert!(detail.body.contains("AAA, BBB"));
    // And so do players, through the JSON API.
    let api = browser().get(format!("{}/api/v1/tournaments/{}", app.base, t.id.0)).send().await.unwrap();
    let json: serde_json::Value = api.json().await.unwrap();
    assert_eq!(json["rules"]["starting_cash"], "50000.00");
    let audit = app.store.audit_entries(0, 100).await.unwrap();
    assert!(audit.iter().any(|e| e.draft.action == "admin.tournament.create" && e.draft.actor == Some(admin.user_id)));

    // An evaluation challenge keeps its objectives.
    let form = tournament_form(&[
        ("name", "Eval One"),
        ("kind", "challenge"),
        ("profit_target_bps", "800"),
        ("max_daily_loss_bps", "400"),
        ("max_total_loss_bps", "900"),
        ("trailing_total_loss", "on"),
        ("min_trading_days", "3"),
        ("max_best_day_share_bps", "5000"),
    ]);
    let page = post(&app, &admin, "/admin/tournaments/new", &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let c = app.store.tournament_by_name("Eval One").await.unwrap().unwrap().challenge.expect("objectives");
    assert_eq!((c.profit_target_bps, c.max_daily_loss_bps, c.max_total_loss_bps), (800, 400, 900));
    assert!(c.trailing_total_loss);
    assert_eq!((c.min_trading_days, c.max_best_day_share_bps), (3, Some(5000)));
    app.stop().await;
}

#[tokio::test]
async fn bad_tournament_input_is_shown_beside_the_fields_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let form = tournament_form(&[
        ("name", "Broken Cup"),
        ("starting_cash", "lots"),
        ("commission_bps", "20000"),
        ("ends_on", "2026-01-01"),
        ("max_position_weight_bps", "20000"),
        ("universe_kind", "symbols"),
        ("universe_values", "AAA, 1BAD"),
        ("quote_delay_seconds", "999999"),
    ]);
    let page = post(&app, &admin, "/admin/tournaments/new", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_well_formed("new tournament with errors");
    for (field, text) in [
        ("starting_cash", "enter an amount in dollars"),
        ("ends_on", "the last day must not be before the first day"),
        ("universe_values", "`1BAD` is not a valid symbol"),
    ] {
        assert!(page.body.contains(&format!("id=\"f-{field}-error\"")), "no error beside {field}");
        assert!(page.body.contains(text), "missing {text:?}");
    }
    assert!(page.body.contains("value=\"lots\""), "typed values are kept");
    assert!(app.store.tournament_by_name("Broken Cup").await.unwrap().is_none());

    // Range checks come from the domain validation and are attributed to their field.
    let form = tournament_form(&[
        ("name", "Broken Cup"),
        ("commission_bps", "20000"),
        ("max_position_weight_bps", "20000"),
        ("quote_delay_seconds", "999999"),
    ]);
    let page = post(&app, &admin, "/admin/tournaments/new", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["commission_bps", "max_position_weight_bps", "quote_delay_seconds"] {
        assert!(page.body.contains(&format!("id=\"f-{field}-error\"")), "no error for {field}\n{}", page.body);
    }
    assert!(page.body.contains("quote delay must be between 0 and 86400 seconds"));
    assert!(!page.body.contains("id=\"f-starting_cash-error\""));
    assert!(app.store.tournament_by_name("Broken Cup").await.unwrap().is_none());

    // A taken name is reported beside the name.
    let page = post(&app, &admin, "/admin/tournaments/new", &tournament_form(&[("name", "Test Cup")])).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("a tournament with this name exists"));
    assert_eq!(app.store.tournaments().await.unwrap().len(), 1);

    // Without the CSRF field the post is refused.
    let refused = post_raw(&app, &admin, "/admin/tournaments/new", &tournament_form(&[("name", "Sneaky")])).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app.store.tournament_by_name("Sneaky").await.unwrap().is_none());
    app.stop().await;
}

#[tokio::test]
async fn admin_edits_a_draft_and_moves_it_through_its_lifecycle() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let page = post(&app, &admin, "/admin/tournaments/new", &tournament_form(&[("name", "Draft Cup")])).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let t = app.store.tournament_by_name("Draft Cup").await.unwrap().unwrap();
    let path = format!("/admin/tournaments/{}", t.id.0);

    let edit = tournament_form(&[("name", "Renamed Cup"), ("starting_cash", "25000"), ("slippage_bps", "7")]);
    let page = post(&app, &admin, &path, &edit).await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, format!("{path}?done=saved").as_str()));
    let t2 = app.store.tournament(t.id).await.unwrap().unwrap();
    assert_eq!(t2.name, "Renamed Cup");
    assert_eq!(t2.rules.starting_cash, Money::from_dollars(25_000));
    assert_eq!(t2.rules.slippage_bps, 7);
    assert_eq!(t2.state, TournamentState::Draft);

    // A bad edit changes nothing.
    let page = post(&app, &admin, &path, &tournament_form(&[("name", "Renamed Cup"), ("slippage_bps", "-1")])).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"f-slippage_bps-error\""));
    assert_eq!(app.store.tournament(t.id).await.unwrap().unwrap().rules.slippage_bps, 7);

    // Illegal step: a draft cannot start trading directly.
    let page = post(&app, &admin, &format!("{path}/state"), &[("state", "running")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("cannot move to running"), "{}", page.body);
    for (to, expected) in [("registration", TournamentState::Registration), ("running", TournamentState::Running)] {
        let page = post(&app, &admin, &format!("{path}/state"), &[("state", to)]).await;
        assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, format!("{path}?done=state").as_str()));
        assert_eq!(app.store.tournament(t.id).await.unwrap().unwrap().state, expected);
    }
    // Running: the rules are read-only and a post is refused with a message.
    let detail = get(&app, Some(&admin), &path).await;
    assert!(detail.body.contains("shown read-only") && detail.body.contains("disabled"));
    let page = post(&app, &admin, &path, &tournament_form(&[("name", "Renamed Cup"), ("slippage_bps", "9")])).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.store.tournament(t.id).await.unwrap().unwrap().rules.slippage_bps, 7);
    let actions: Vec<String> =
        app.store.audit_entries(0, 100).await.unwrap().into_iter().map(|e| e.draft.action).collect();
    assert!(actions.contains(&"admin.tournament.update".to_string()));
    assert_eq!(actions.iter().filter(|a| *a == "admin.tournament.state").count(), 2);
    app.stop().await;
}

#[tokio::test]
async fn admin_manages_users_and_roles() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let ann = app.user("ann", Role::Player).await;
    let page = get(&app, Some(&admin), "/admin/users").await;
    assert!(
        page.body.contains("ann@example.com") && page.body.contains(&format!("/admin/users/{}/role", ann.user_id.0))
    );
    // Each role button names its user (the admin's own row has no form).
    assert!(page.body.contains("aria-label=\"Change role for ann\""), "{}", page.body);
    assert!(!page.body.contains("type=\"submit\">Change role"), "a role button without the user's name");

    let path = format!("/admin/users/{}/role", ann.user_id.0);
    let changed = post(&app, &admin, &path, &[("role", "coach")]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(changed.location(), format!("/admin/users?done=role#user-{}", ann.user_id.0));
    assert_eq!(app.store.account(ann.user_id).await.unwrap().unwrap().role, Role::Coach);

    let bad = post(&app, &admin, &path, &[("role", "emperor")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("choose one of the listed roles"));
    assert_eq!(app.store.account(ann.user_id).await.unwrap().unwrap().role, Role::Coach);

    let own = post(&app, &admin, &format!("/admin/users/{}/role", admin.user_id.0), &[("role", "player")]).await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    assert!(own.body.contains("admins cannot change the role of their own account"));
    assert_eq!(app.store.account(admin.user_id).await.unwrap().unwrap().role, Role::Admin);

    let refused = post_raw(&app, &admin, &path, &[("role", "admin")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.account(ann.user_id).await.unwrap().unwrap().role, Role::Coach);

    let disabled = post(&app, &admin, &format!("/admin/users/{}/disable", ann.user_id.0), &[]).await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert!(!app.store.account(ann.user_id).await.unwrap().unwrap().active);
    assert_eq!(get(&app, Some(&ann), "/account").await.status, StatusCode::SEE_OTHER, "signed out");
    let page = get(&app, Some(&admin), "/admin/users?done=disabled").await;
    assert!(page.body.contains("The account was disabled") && page.body.contains("Disabled"));
    let enabled = post(&app, &admin, &format!("/admin/users/{}/enable", ann.user_id.0), &[]).await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER);
    assert!(app.store.account(ann.user_id).await.unwrap().unwrap().active);

    // Pages of users.
    for i in 0..60 {
        app.user(&format!("user{i:02}"), Role::Player).await;
    }
    let first = get(&app, Some(&admin), "/admin/users").await;
    assert!(first.body.contains("Next page"));
    let marker = "href=\"/admin/users?after=";
    let start = first.body.find(marker).expect("next link") + marker.len();
    let after: String = first.body[start..].chars().take_while(char::is_ascii_digit).collect();
    let second = get(&app, Some(&admin), &format!("/admin/users?after={after}")).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("user59") && !second.body.contains("ann@example.com"));
    app.stop().await;
}

#[tokio::test]
async fn admin_adds_halts_and_resumes_instruments() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let saved =
        post(&app, &admin, "/admin/instruments", &[("symbol", "xyz"), ("name", "XYZ Corp."), ("sector", "Energy")])
            .await;
    assert_eq!((saved.status, saved.location()), (StatusCode::SEE_OTHER, "/admin/instruments?q=XYZ&done=saved"));
    let xyz = app.store.instruments().await.unwrap().into_iter().find(|i| i.symbol.as_str() == "XYZ").expect("added");
    assert_eq!((xyz.name.as_str(), xyz.sector.as_str()), ("XYZ Corp.", "Energy"));

    let bad =
        post(&app, &admin, "/admin/instruments", &[("symbol", "1bad"), ("name", "Bad"), ("sector", "Energy")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-symbol-error\"") && bad.body.contains("is not a valid symbol"));
    let bad = post(&app, &admin, "/admin/instruments", &[("symbol", "QQQ"), ("name", ""), ("sector", "Energy")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-name-error\""));
    assert_eq!(app.store.instruments().await.unwrap().len(), 4);

    let halted = post(&app, &admin, "/admin/instruments/AAA/status", &[("status", "halted")]).await;
    assert_eq!((halted.status, halted.location()), (StatusCode::SEE_OTHER, "/admin/instruments?q=AAA&done=halted"));
    let status = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.instruments().await.unwrap().into_iter().find(|i| i.symbol.as_str() == "AAA").unwrap().status }
    };
    assert_eq!(status(&app).await, InstrumentStatus::Halted);
    let page = get(&app, Some(&admin), "/admin/instruments?q=AAA&done=halted").await;
    assert!(page.body.contains("Trading in the instrument is halted") && page.body.contains("Resume AAA"));
    let resumed = post(&app, &admin, "/admin/instruments/AAA/status", &[("status", "active")]).await;
    assert_eq!(resumed.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app).await, InstrumentStatus::Active);

    let refused = post_raw(&app, &admin, "/admin/instruments/AAA/status", &[("status", "halted")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(status(&app).await, InstrumentStatus::Active);
    let unknown = post(&app, &admin, "/admin/instruments/NOPE/status", &[("status", "halted")]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn audit_log_lists_newest_first_and_verifies_the_chain() {
    let app = TestApp::spawn().await;
    let admin = app.user("root", Role::Admin).await;
    let ann = app.user("ann", Role::Player).await;
    let empty = get(&app, Some(&admin), "/admin/audit").await;
    assert!(empty.body.contains("Nothing is recorded yet"));

    for role in ["coach", "analyst", "player"] {
        post(&app, &admin, &format!("/admin/users/{}/role", ann.user_id.0), &[("role", role)]).await;
    }
    let page = get(&app, Some(&admin), "/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let first = page.body.find("admin.user.role").expect("role changes are listed");
    assert!(page.body.contains("root"), "actors by handle");
    // Newest first: the last change (to player) comes before the first one (to coach).
    let to_player = page.body.find("&quot;to&quot;:&quot;player&quot;").expect("last change");
    let to_coach = page.body.find("&quot;to&quot;:&quot;coach&quot;").expect("first change");
    assert!(first <= to_player && to_player < to_coach, "newest first");

    let verified = get(&app, Some(&admin), "/admin/audit?verify=1").await;
    assert!(verified.body.contains("Verified: the chain of 3 entries is intact"), "{}", verified.body);

    // Pages of 50.
    for i in 0..60 {
        let role = if i % 2 == 0 { "coach" } else { "player" };
        post(&app, &admin, &format!("/admin/users/{}/role", ann.user_id.0), &[("role", role)]).await;
    }
    let newest = get(&app, Some(&admin), "/admin/audit").await;
    assert!(newest.body.contains("Older entries") && !newest.body.contains("Newer entries"));
    assert!(newest.body.contains("<td class=\"num\">63</td>") && !newest.body.contains("<td class=\"num\">13</td>"));
    let older = get(&app, Some(&admin), "/admin/audit?before=14").await;
    assert!(older.body.contains("<td class=\"num\">13</td>") && older.body.contains("<td class=\"num\">1</td>"));
    assert!(older.body.contains("Newer entries") && !older.body.contains("Older entries"));
    let verified = get(&app, Some(&admin), "/admin/audit?verify=1").await;
    assert!(verified.body.contains("chain of 63 entries is intact"));
    app.stop().await;
}
