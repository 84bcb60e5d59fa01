//! The player pages over HTTP, as a browser uses them (form posts with the CSRF field,
//! redirects, re-rendered forms): lobby, tournament page and joining, leagues by invite code,
//! the trade ticket's preview and confirmation, rejected orders, orders (cancel, replace),
//! portfolio, instrument charts with the player's trades, challenge progress and empty states.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

use bullpen_domain::{
    ChallengeRules, DailyBar, OrderStatus, Price, TournamentKind, TournamentRules, TournamentState, Ts,
};
use bullpen_engine::PriceUpdate;
use bullpen_store::{NewTournament, OrderFilter, Role};
use chrono::NaiveDate;
use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use support::{sym, usd, TestApp, TestUser, START};

/// One answer of the server.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// Every page has a title and exactly one h1.
    fn assert_well_formed(&self, what: &str) {
        assert_eq!(self.status, StatusCode::OK, "{what}: {}", self.body);
        let ct = self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(ct.starts_with("text/html"), "{what}: content type {ct}");
        assert!(self.body.contains("<title>") && self.body.contains(" · Bullpen</title>"), "{what}: no title");
        assert_eq!(self.body.matches("<h1").count(), 1, "{what}: exactly one h1\n{}", self.body);
    }

    /// The value of the first input named `name`.
    fn input(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let tag_start = self.body[..at].rfind('<')?;
        let tag = &self.body[tag_start..tag_start + self.body[tag_start..].find('>')?];
        let start = tag.find("value=\"")? + "value=\"".len();
        Some(tag[start..].split('"').next().unwrap_or_default().to_string())
    }

    /// The hidden fields of the form posting to `action`.
    fn form_fields(&self, action: &str) -> Vec<(String, String)> {
        let start = self.body.find(&format!("action=\"{action}\"")).expect("the form");
        let end = start + self.body[start..].find("</form>").expect("form end");
        let form = &self.body[start..end];
        form.split("<input")
            .skip(1)
            .filter(|i| i.contains("type=\"hidden\""))
            .filter_map(|i| {
                let attr = |n: &str| {
                    let m = format!("{n}=\"");
                    i.find(&m).map(|s| i[s + m.len()..].split('"').next().unwrap_or_default().to_string())
                };
                Some((attr("name")?, attr("value").unwrap_or_default()))
            })
            .collect()
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn cookie(user: &TestUser) -> String {
    format!("bullpen_session={}", user.token)
}

async fn answer(res: reqwest::Response) -> Page {
    Page { status: res.status(), headers: res.headers().clone(), body: res.text().await.expect("body") }
}

async fn get(app: &TestApp, user: Option<&TestUser>, path: &str) -> Page {
    let mut req = browser().get(format!("{}{}", app.base, path));
    if let Some(u) = user {
        req = req.header("cookie", cookie(u));
    }
    answer(req.send().await.expect("send")).await
}

/// Posts a form as a browser does: the session cookie and the `_csrf` field, no header.
async fn post(app: &TestApp, user: &TestUser, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", user.csrf.as_str())];
    form.extend_from_slice(fields);
    let req = browser().post(format!("{}{}", app.base, path)).header("cookie", cookie(user)).form(&form);
    answer(req.send().await.expect("send")).await
}

/// A signed-in user who joined the test tournament.
async fn player(app: &TestApp, handle: &str) -> TestUser {
    let user = app.user(handle, Role::Player).await;
    app.handle.join(user.user_id, &format!("User {handle}")).await.expect("join");
    user
}

fn tid(app: &TestApp) -> i64 {
    app.tournament.id.0
}

async fn orders_of(app: &TestApp, user: &TestUser) -> Vec<bullpen_domain::Order> {
    let entry = app.store.entry_of_user(app.tournament.id, user.user_id).await.unwrap().expect("entry");
    let filter = OrderFilter { entry: Some(entry.id), open: None, after_id: None, limit: None };
    app.store.orders(app.tournament.id, &filter).await.expect("orders")
}

#[tokio::test]
async fn every_player_page_renders_for_its_caller() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let p1 = player(&app, "alice").await;
    let created = post(&app, &p1, &format!("/tournaments/{t}/leagues"), &[("name", "Desk")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let league = created.location().split('?').next().unwrap().to_string();
    for path in [
        "/lobby".to_string(),
        format!("/tournaments/{t}"),
        format!("/tournaments/{t}/trade"),
        format!("/tournaments/{t}/trade?symbol=AAA&side=sell&type=limit&limit_price=101"),
        format!("/tournaments/{t}/portfolio"),
        format!("/tournaments/{t}/orders"),
        format!("/tournaments/{t}/instruments/AAA"),
        format!("/tournaments/{t}/instruments/aaa?range=all&style=candles"),
        "/leagues/join".to_string(),
        "/leagues/join?code=ABCD-EFGH".to_string(),
        league,
    ] {
        get(&app, Some(&p1), &path).await.assert_well_formed(&path);
    }
    // With one running tournament, /portfolio and /orders go straight to it.
    for (path, to) in [("/portfolio", "portfolio"), ("/orders", "orders")] {
        let page = get(&app, Some(&p1), path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), format!("/tournaments/{t}/{to}"));
    }
    // Public pages for visitors.
    for path in ["/lobby".to_string(), format!("/tournaments/{t}"), format!("/tournaments/{t}/instruments/BBB")] {
        get(&app, None, &path).await.assert_well_formed(&path);
    }
    // Someone in no tournament gets a list with an empty state instead of a redirect.
    let idle = app.user("idle", Role::Player).await;
    let page = get(&app, Some(&idle), "/portfolio").await;
    page.assert_well_formed("/portfolio (no tournament)");
    assert!(page.body.contains("You are not in a running tournament"), "{}", page.body);
    // Unknown things are HTML 404s.
    assert_eq!(get(&app, Some(&p1), "/tournaments/9999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, Some(&p1), &format!("/tournaments/{t}/instruments/NOPE")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, Some(&p1), "/leagues/9999").await.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn a_player_joins_from_the_tournament_page_and_sees_their_row() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    player(&app, "other").await;
    let bob = app.user("bob", Role::Player).await;
    let lobby = get(&app, Some(&bob), "/lobby").await;
    assert!(lobby.body.contains(&format!("action=\"/tournaments/{t}/join\"")), "{}", lobby.body);
    let page = get(&app, Some(&bob), &format!("/tournaments/{t}")).await;
    assert!(page.body.contains(&format!("action=\"/tournaments/{t}/join\"")), "{}", page.body);
    assert!(page.body.contains("Starting cash") && page.body.contains("$100,000.00"), "rules are shown");
    assert!(!page.body.contains("tr class=\"me\""));

    let joined = post(&app, &bob, &format!("/tournaments/{t}/join"), &[]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert_eq!(joined.location(), format!("/tournaments/{t}?joined=1"));
    assert!(app.store.entry_of_user(app.tournament.id, bob.user_id).await.unwrap().is_some());

    let page = get(&app, Some(&bob), joined.location()).await;
    page.assert_well_formed("tournament after joining");
    assert!(page.body.contains("You joined Test Cup"), "{}", page.body);
    let entry = app.store.entry_of_user(app.tournament.id, bob.user_id).await.unwrap().unwrap();
    assert!(page.body.contains(&format!("data-me=\"{}\"", entry.id.0)), "{}", page.body);
    assert!(page.body.contains("class=\"me\""), "own row highlighted: {}", page.body);
    assert!(page.body.contains("data-field=\"percentile\""), "percentile shown");
    assert!(page.body.contains(&format!("/api/v1/stream?tournament_id={t}&amp;topics=leaderboard")), "live");
    let lobby = get(&app, Some(&bob), "/lobby").await;
    assert!(lobby.body.contains("Joined"), "{}", lobby.body);

    // Joining twice is refused with a page that says why.
    let again = post(&app, &bob, &format!("/tournaments/{t}/join"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already joined"), "{}", again.body);
    app.stop().await;
}

#[tokio::test]
async fn a_league_is_created_and_joined_by_code_by_a_second_player() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let p1 = player(&app, "carol").await;
    let p2 = player(&app, "dave").await;

    let bad = post(&app, &p1, &format!("/tournaments/{t}/leagues"), &[("name", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("class=\"error\""), "error beside the field: {}", bad.body);

    let created = post(&app, &p1, &format!("/tournaments/{t}/leagues"), &[("name", "Trading desk")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let league = get(&app, Some(&p1), created.location()).await;
    league.assert_well_formed("league");
    assert!(league.body.contains("Trading desk"));
    let marker = "data-invite-code=\"\">";
    let start = league.body.find(marker).expect("invite code") + marker.len();
    let code = league.body[start..].split('<').next().unwrap().to_string();
    assert!(league.body.contains(&format!("/leagues/join?code={code}")), "invite link");
    let league_path = created.location().split('?').next().unwrap().to_string();

    // The second player cannot see it yet, opens the invite link, and joins.
    assert_eq!(get(&app, Some(&p2), &league_path).await.status, StatusCode::NOT_FOUND);
    let form = get(&app, Some(&p2), &format!("/leagues/join?code={code}")).await;
    assert_eq!(form.input("code").as_deref(), Some(code.as_str()), "code prefilled");
    let wrong = post(&app, &p2, "/leagues/join", &[("code", "ZZZZ-ZZZZ")]).await;
    assert!(wrong.status.is_client_error(), "{}", wrong.status);
    assert!(wrong.body.contains("class=\"error\""), "{}", wrong.body);
    let joined = post(&app, &p2, "/leagues/join", &[("code", &code.to_lowercase())]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    assert_eq!(joined.location(), format!("{league_path}?joined=1"));
    let page = get(&app, Some(&p2), joined.location()).await;
    page.assert_well_formed("league after joining");
    assert!(page.body.contains("2 members"), "{}", page.body);
    assert!(page.body.contains("User carol") && page.body.contains("User dave"), "league leaderboard");
    assert!(page.body.contains("class=\"me\""), "own row highlighted");
    let league_id = league_path.rsplit('/').next().unwrap();
    let live = format!(
        "data-stream=\"/api/v1/stream?tournament_id={t}&amp;topics=leaderboard&amp;top=100&amp;league_id={league_id}\""
    );
    assert!(page.body.contains(&live), "the league leaderboard updates live: {}", page.body);
    assert!(!page.body.contains("reload for the latest"));
    let tournament = get(&app, Some(&p2), &format!("/tournaments/{t}")).await;
    assert!(tournament.body.contains("Trading desk"), "the tournament page lists the league");
    app.stop().await;
}

#[tokio::test]
async fn the_ticket_previews_rules_and_cost_and_the_confirmation_places_the_order() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let p1 = player(&app, "erin").await;
    let ticket = get(&app, Some(&p1), &format!("/tournaments/{t}/trade?symbol=AAA")).await;
    ticket.assert_well_formed("ticket");
    for needle in ["Buying power", "$100,000.00", "value=\"stop_limit\"", "value=\"fok\"", "data-quote=\"AAA\""] {
        assert!(ticket.body.contains(needle), "{needle}: {}", ticket.body);
    }
    assert!(ticket.body.contains("topics=quotes"), "live quotes");

    let order = [("symbol", "AAA"), ("side", "buy"), ("type", "market"), ("time_in_force", "day"), ("qty", "10")];
    let preview = post(&app, &p1, &format!("/tournaments/{t}/trade/preview"), &order).await;
    preview.assert_well_formed("preview");
    for rule in ["order_shape", "instrument", "market_open", "quote", "position_side", "buying_power"] {
        assert!(
            preview.body.contains(&format!("data-rule=\"{rule}\" data-result=\"pass\"")),
            "{rule} passes: {}",
            preview.body
        );
    }
    assert!(preview.body.contains("data-rule=\"holding_time\" data-result=\"not_applicable\""));
    assert!(preview.body.contains("Estimated cost"), "{}", preview.body);
    assert!(preview.body.contains("$1,000.00"), "cost of 10 × $100");
    assert!(preview.body.contains("Commission") && preview.body.contains("$0.00"));
    assert!(preview.body.contains("$99,000.00"), "buying power after");
    assert!(orders_of(&app, &p1).await.is_empty(), "a preview places nothing");

    let fields = preview.form_fields(&format!("/tournaments/{t}/trade"));
    let client_id = fields.iter().find(|(k, _)| k == "client_order_id").map(|(_, v)| v.clone()).expect("id");
    assert!(client_id.starts_with("web-"));
    let form: Vec<(&str, &str)> =
        fields.iter().filter(|(k, _)| k != "_csrf").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let placed = post(&app, &p1, &format!("/tournaments/{t}/trade"), &form).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    assert!(placed.location().starts_with(&format!("/tournaments/{t}/orders?placed=")), "{}", placed.location());
    let orders = orders_of(&app, &p1).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status, OrderStatus::Filled);
    assert_eq!(orders[0].client_order_id, client_id);
    let page = get(&app, Some(&p1), placed.location()).await;
    page.assert_well_formed("orders after placing");
    assert!(page.body.contains("filled at $100.00"), "{}", page.body);

    // Sending the confirmation again (a double click, a reload) does not trade twice.
    let again = post(&app, &p1, &format!("/tournaments/{t}/trade"), &form).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(orders_of(&app, &p1).await.len(), 1);

    // A bad field re-renders the ticket with the error beside it.
    let bad = post(
        &app,
        &p1,
        &format!("/tournaments/{t}/trade/preview"),
        &[("symbol", "AAA"), ("side", "buy"), ("type", "limit"), ("qty", "x")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-qty-error\"") && bad.body.contains("id=\"f-limit_price-error\""), "{}", bad.body);
    app.stop().await;
}

#[tokio::test]
async fn a_rejected_order_shows_the_rule_that_rejected_it() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let p1 = player(&app, "frank").await;
    let order = [("symbol", "AAA"), ("side", "buy"), ("type", "market"), ("time_in_force", "day"), ("qty", "2000")];
    let preview = post(&app, &p1, &format!("/tournaments/{t}/trade/preview"), &order).await;
    preview.assert_well_formed("failing preview");
    assert!(preview.body.contains("data-rule=\"buying_power\" data-result=\"fail\""), "{}", preview.body);
    assert!(preview.body.contains("data-rejected=\"insufficient_buying_power\""));
    assert!(preview.body.contains("Buying power") && preview.body.contains("insufficient buying power"));
    let why = preview.body.split("insufficient buying power: needs ").nth(1).unwrap_or_default();
    assert!(why.starts_with("$200,") && why.contains(", has $"), "amounts with $ and separators: {why:.80}");
    assert!(!preview.body.contains("Place order"), "no confirmation for an order that would be refused");

    let refused = post(&app, &p1, &format!("/tournaments/{t}/trade"), &order).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("data-rejected=\"insufficient_buying_power\""), "{}", refused.body);
    assert!(refused.body.contains("Order rejected") && refused.body.contains("Buying power"));
    assert!(refused.body.contains("data-rule=\"buying_power\" data-result=\"fail\""), "the rules again");
    assert!(orders_of(&app, &p1).await.is_empty());

    // Selling what is not held names the position rule.
    let sell = [("symbol", "BBB"), ("side", "sell"), ("type", "market"), ("qty", "1")];
    let refused = post(&app, &p1, &format!("/tournaments/{t}/trade"), &sell).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("data-rejected=\"insufficient_position\""), "{}", refused.body);
    assert!(refused.body.contains("Side fits your position"));
    app.stop().await;
}

#[tokio::test]
async fn open_orders_are_canceled_and_replaced_from_the_orders_page() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let p1 = player(&app, "gina").await;
    let empty = get(&app, Some(&p1), &format!("/tournaments/{t}/orders")).await;
    assert!(empty.body.contains("You have no open orders"), "{}", empty.body);

    let limit = [
        ("symbol", "AAA"),
        ("side", "buy"),
        ("type", "limit"),
        ("time_in_force", "gtc"),
        ("qty", "5"),
        ("limit_price", "90"),
    ];
    let placed = post(&app, &p1, &format!("/tournaments/{t}/trade"), &limit).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    let id = orders_of(&app, &p1).await[0].id.0;
    let page = get(&app, Some(&p1), &format!("/tournaments/{t}/orders")).await;
    page.assert_well_formed("orders");
    assert!(page.body.contains(&format!("data-order-id=\"{id}\" data-status=\"new\"")), "{}", page.body);
    assert!(page.body.contains(&format!(
        "action=\"/tournaments/{t}/orders/{id}/cancel\" data-confirm=\"Cancel the buy of 5 AAA?\""
    )));
    // Symbol, side, quantity, status and actions come first; the id last; the tournament is named.
    let row = page.body.split(&format!("data-order-id=\"{id}\"")).nth(1).unwrap_or_default();
    let at = |needle: &str| row.find(needle).unwrap_or_else(|| panic!("{needle} not in the row: {row}"));
    assert!(at(">AAA</a>") < at(">Buy<") && at(">Buy<") < at("data-field=\"status\""));
    assert!(at("data-field=\"status\"") < at("data-field=\"actions\""));
    assert!(at("data-field=\"actions\"") < at(&format!(">{id}</td>")));
    assert!(page.body.contains("<h1>Orders — Test Cup</h1>"), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/tournaments/{t}\">← Back to Test Cup")));
    assert!(page.body.contains(&format!("/api/v1/stream?tournament_id={t}&amp;topics=orders")), "live statuses");

    // Replace: a bad quantity is shown beside the order; a good one makes a new order.
    let bad = post(&app, &p1, &format!("/tournaments/{t}/orders/{id}/replace"), &[("qty", "many")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(&format!("id=\"order-{id}-error\"")), "{}", bad.body);
    let replaced = post(
        &app,
        &p1,
        &format!("/tournaments/{t}/orders/{id}/replace"),
        &[("qty", "6"), ("limit_price", "91"), ("time_in_force", "gtc")],
    )
    .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.body);
    let orders = orders_of(&app, &p1).await;
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[0].status, OrderStatus::Replaced);
    let new = &orders[1];
    assert_eq!((new.qty.0, new.limit_price), (6, Some(usd(91))));

    let canceled = post(&app, &p1, &format!("/tournaments/{t}/orders/{}/cancel", new.id.0), &[]).await;
    assert_eq!(canceled.status, StatusCode::SEE_OTHER, "{}", canceled.body);
    let page = get(&app, Some(&p1), canceled.location()).await;
    assert!(page.body.contains(&format!("Order {} canceled", new.id.0)), "{}", page.body);
    assert!(page.body.contains("You have no open orders"));
    assert_eq!(orders_of(&app, &p1).await[1].status, OrderStatus::Canceled);

    // Canceling it again says it is no longer open.
    let again = post(&app, &p1, &format!("/tournaments/{t}/orders/{}/cancel", new.id.0), &[]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("can no longer be changed"), "{}", again.body);
    // Someone else's order is not found.
    let mallory = player(&app, "mallory").await;
    let theirs = post(&app, &mallory, &format!("/tournaments/{t}/orders/{id}/cancel"), &[]).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn the_instrument_page_charts_prices_with_the_players_own_trades() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let p1 = player(&app, "hank").await;
    let bars: Vec<DailyBar> = (1..=20)
        .map(|i| {
            let date = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap() + chrono::Days::new(i);
            let p = Price::from_dollars(90 + i as i64 % 7);
            DailyBar { date, symbol: sym("AAA"), open: p, high: Price(p.0 + 20_000), low: p, close: p, volume: 1_000 }
        })
        .collect();
    app.store.insert_bars(&bars).await.expect("bars");
    let buy = [("symbol", "AAA"), ("side", "buy"), ("type", "market"), ("qty", "10")];
    assert_eq!(post(&app, &p1, &format!("/tournaments/{t}/trade"), &buy).await.status, StatusCode::SEE_OTHER);

    let page = get(&app, Some(&p1), &format!("/tournaments/{t}/instruments/AAA?range=3m")).await;
    page.assert_well_formed("instrument");
    assert!(page.body.contains("<svg"), "a chart");
    assert!(page.body.contains("bp-trade bp-buy"), "own trade marked: {}", page.body);
    assert!(page.body.contains("Bought 10 @ $100.00"));
    assert!(page.body.contains("aria-current=\"true\">3 months"), "range selector");
    let candles = get(&app, Some(&p1), &format!("/tournaments/{t}/instruments/AAA?range=1m&style=candles")).await;
    assert!(candles.body.contains("bp-candle"), "candles");
    // A visitor sees the chart without anyone's trades.
    let public = get(&app, None, &format!("/tournaments/{t}/instruments/AAA")).await;
    assert!(public.body.contains("<svg") && !public.body.contains("bp-trade bp-buy"));
    // No bars in the range: an empty state that says what to do.
    let none = get(&app, Some(&p1), &format!("/tournaments/{t}/instruments/CCC")).await;
    none.assert_well_formed("instrument without bars");
    assert!(none.body.contains("No prices for this range"), "{}", none.body);
    app.stop().await;
}

#[tokio::test]
async fn the_portfolio_shows_positions_allocation_pnl_and_the_equity_curve() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let p1 = player(&app, "ivy").await;
    player(&app, "jack").await;
    let page = get(&app, Some(&p1), &format!("/tournaments/{t}/portfolio")).await;
    page.assert_well_formed("empty portfolio");
    assert!(page.body.contains("You have no positions yet"), "{}", page.body);
    assert!(page.body.contains("Your equity curve starts after the first trading day closes"));

    let buy = [("symbol", "AAA"), ("side", "buy"), ("type", "market"), ("qty", "10")];
    assert_eq!(post(&app, &p1, &format!("/tournaments/{t}/trade"), &buy).await.status, StatusCode::SEE_OTHER);
    app.tick(&[("AAA", 110)]).await;
    let page = get(&app, Some(&p1), &format!("/tournaments/{t}/portfolio")).await;
    page.assert_well_formed("portfolio");
    assert!(page.body.contains("data-symbol=\"AAA\" data-qty=\"10\""), "{}", page.body);
    assert!(page.body.contains("$1,100.00"), "market value");
    assert!(page.body.contains("+$100.00"), "unrealized and total P&L");
    assert!(page.body.contains("Industrials"), "allocation by sector");
    assert!(page.body.contains("$99,000.00"), "cash");
    assert!(page.body.contains("topics=quotes,orders"), "live");
    assert!(page.body.contains("<h1>Portfolio — Test Cup</h1>"), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/tournaments/{t}\">← Back to Test Cup")));

    // After a close, the equity curve is drawn against the median.
    app.handle
        .close_session(
            bullpen_market::clock::Clock::now(app.clock.as_ref()),
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        )
        .await
        .expect("close");
    let page = get(&app, Some(&p1), &format!("/tournaments/{t}/portfolio")).await;
    assert!(page.body.contains("<svg") && page.body.contains("Tournament median"), "{}", page.body);
    assert!(page.body.contains("Top decile"), "the top decile beside the median");
    assert!(page.body.contains("data-benchmark=\"empty\""), "no daily bars, no benchmark: {}", page.body);
    assert!(!page.body.contains("Equal-weight universe"));

    // With the day's bars, the equal-weight universe benchmark is drawn too (dashed).
    let date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let bars: Vec<bullpen_domain::DailyBar> = [("AAA", 110), ("BBB", 50), ("CCC", 20)]
        .iter()
        .map(|(s, d)| bullpen_domain::DailyBar {
            date,
            symbol: support::sym(s),
            open: bullpen_domain::Price::from_dollars(*d),
            high: bullpen_domain::Price::from_dollars(*d),
            low: bullpen_domain::Price::from_dollars(*d),
            close: bullpen_domain::Price::from_dollars(*d),
            volume: 1_000,
        })
        .collect();
    app.store.insert_bars(&bars).await.expect("bars");
    let page = get(&app, Some(&p1), &format!("/tournaments/{t}/portfolio")).await;
    page.assert_well_formed("portfolio with a benchmark");
    assert!(
        page.body.contains("Equal-weight universe") && !page.body.contains("data-benchmark=\"empty\""),
        "{}",
        page.body
    );
    app.stop().await;
}

#[tokio::test]
async fn pages_for_players_who_have_not_joined_say_how_to_join() {
    let app = TestApp::spawn().await;
    let t = tid(&app);
    let visitor = app.user("kim", Role::Player).await;
    for path in
        [format!("/tournaments/{t}/trade"), format!("/tournaments/{t}/portfolio"), format!("/tournaments/{t}/orders")]
    {
        let page = get(&app, Some(&visitor), &path).await;
        page.assert_well_formed(&path);
        assert!(page.body.contains("You have not joined Test Cup"), "{path}: {}", page.body);
        assert!(page.body.contains(&format!("action=\"/tournaments/{t}/join\"")));
    }
    let preview = post(&app, &visitor, &format!("/tournaments/{t}/trade/preview"), &[("symbol", "AAA")]).await;
    assert!(preview.body.contains("You have not joined"), "{}", preview.body);
    // Signed-out visitors are sent to sign in first.
    let page = get(&app, None, &format!("/tournaments/{t}/trade")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/sign-in?next="), "{}", page.location());
    app.stop().await;
}

#[tokio::test]
async fn challenge_progress_shows_each_objective() {
    let app = TestApp::spawn().await;
    let cup = bullpen_engine::admin::create_tournament(
        app.store.as_ref(),
        NewTournament {
            name: "Eval".into(),
            kind: TournamentKind::Challenge,
            state: TournamentState::Registration,
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 2, 27).unwrap(),
            rules: TournamentRules::default(),
            challenge: Some(ChallengeRules::default()),
            created_at: START,
        },
    )
    .await
    .expect("challenge");
    let handle = app.engine.start(cup.id).await.expect("start");
    handle.set_state(TournamentState::Running).await.expect("running");
    let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    handle.open_session(START, day, Vec::new()).await.expect("open");
    let prices = vec![PriceUpdate { symbol: sym("AAA"), price: usd(100), day_volume: None }];
    handle.tick(START, prices).await.expect("tick");
    let user = app.user("lena", Role::Player).await;
    let entry = handle.join(user.user_id, "Lena").await.expect("join");
    let buy = bullpen_domain::OrderRequest {
        client_order_id: None,
        symbol: sym("AAA"),
        side: bullpen_domain::Side::Buy,
        order_type: bullpen_domain::OrderType::Market,
        time_in_force: bullpen_domain::TimeInForce::Day,
        qty: bullpen_domain::Qty(10),
        limit_price: None,
        stop_price: None,
    };
    handle.place(entry.id, buy).await.expect("buy");
    handle.close_session(Ts(START.0 + 6 * 3_600_000_000), day).await.expect("close");

    let page = get(&app, Some(&user), &format!("/tournaments/{}", cup.id.0)).await;
    page.assert_well_formed("challenge tournament");
    assert!(page.body.contains("Challenge objectives"), "{}", page.body);
    for objective in ["profit_target", "max_daily_loss", "max_total_loss", "min_trading_days"] {
        assert!(page.body.contains(&format!("data-objective=\"{objective}\"")), "{objective}: {}", page.body);
    }
    assert!(page.body.contains("data-challenge-status=\"in_progress\""));
    // Amounts read like money: a dollar sign and thousands separators, never "$10000.00".
    let bare = page.body.match_indices('$').any(|(i, _)| {
        let digits = page.body[i + 1..].chars().take_while(|c| c.is_ascii_digit()).count();
        digits > 3
    });
    assert!(!bare && page.body.contains(",000.00"), "unformatted amounts: {}", page.body);
    // A visitor sees the objectives without progress.
    let public = get(&app, None, &format!("/tournaments/{}", cup.id.0)).await;
    assert!(public.body.contains("Profit target: 10.00%"), "{}", public.body);
    app.stop().await;
}
