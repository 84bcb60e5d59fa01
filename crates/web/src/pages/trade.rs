//! The trade ticket: a live quote, every order type and time in force, the buying power, a
//! preview (estimated price, cost and commission, and which rules pass or fail) and the
//! confirmation that places the order through the same engine call as the API.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bullpen_domain::{
    CheckResult, Entry, Instrument, InstrumentStatus, OrderPreview, OrderRequest, OrderType, PreviewRule, RejectReason,
    Side, Symbol, TimeInForce, Tournament, TournamentState,
};
use bullpen_engine::{EngineError, TournamentHandle};
use maud::{html, Markup};
use serde::Deserialize;

use super::account::{error_page, form_or_default, form_problem, query_or_default, see_other, with_status, Errors};
use super::layout::{csrf_input, empty, page, Viewer};
use super::player::{
    not_joined, price, respond, signed_usd, stream_url, tabs, tone, tournament_for, usd, viewer_entry, OrPage, Tab,
};
use crate::api::common::parse_price;
use crate::api::orders::{OrderBody, MAX_ORDER_QTY};
use crate::api::portfolio::{account_of, positions_of, AccountView, PositionView};
use crate::error::ApiError;
use crate::extract::PathParams;
use crate::policy::Access;
use crate::routes::Routes;
use crate::secrets::random_token;
use crate::state::AppState;

/// The trade routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/tournaments/{tournament_id}/trade", Access::SignedIn, get(ticket_page))
        .post("/tournaments/{tournament_id}/trade/preview", Access::SignedIn, post(preview_submit))
        .post("/tournaments/{tournament_id}/trade", Access::SignedIn, post(confirm_submit))
}

/// The ticket's fields (also its query string, to prefill it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TradeForm {
    /// Symbol.
    pub symbol: String,
    /// `buy`, `sell`, `sell_short`, `buy_to_cover`.
    pub side: String,
    /// `market`, `limit`, `stop`, `stop_limit`.
    #[serde(rename = "type")]
    pub order_type: String,
    /// `day`, `gtc`, `ioc`, `fok`.
    pub time_in_force: String,
    /// Whole shares.
    pub qty: String,
    /// Limit price (limit and stop-limit orders).
    pub limit_price: String,
    /// Stop price (stop and stop-limit orders).
    pub stop_price: String,
    /// Set by the preview so a repeated confirmation never places the order twice.
    pub client_order_id: String,
}

const SIDES: &[(&str, &str)] =
    &[("buy", "Buy"), ("sell", "Sell"), ("sell_short", "Sell short"), ("buy_to_cover", "Buy to cover")];
const TYPES: &[(&str, &str)] =
    &[("market", "Market"), ("limit", "Limit"), ("stop", "Stop"), ("stop_limit", "Stop limit")];
const TIFS: &[(&str, &str)] = &[
    ("day", "Day — until the close"),
    ("gtc", "Good till canceled"),
    ("ioc", "Immediate or cancel"),
    ("fok", "Fill or kill"),
];

impl TradeForm {
    /// The order the form describes, or the errors beside its fields. The request is built by
    /// the API's own [`OrderBody::to_request`], so both accept exactly the same orders.
    pub fn to_request(&self) -> Result<OrderRequest, Errors> {
        let mut errors = Errors::new();
        let symbol_text = self.symbol.trim().to_ascii_uppercase();
        let symbol = errors.check(
            "symbol",
            if symbol_text.is_empty() {
                Err("choose an instrument".to_string())
            } else {
                Symbol::parse(&symbol_text).map_err(|e| e.to_string())
            },
        );
        let side = errors.check("side", Side::parse(self.side.trim()).ok_or_else(|| "choose a side".to_string()));
        let order_type =
            errors.check("type", OrderType::parse(self.order_type.trim()).ok_or_else(|| "choose an order type".into()));
        let tif_text = if self.time_in_force.trim().is_empty() { "day" } else { self.time_in_force.trim() };
        let tif = errors.check("time_in_force", TimeInForce::parse(tif_text).ok_or_else(|| "choose how long".into()));
        let qty = errors.check(
            "qty",
            self.qty
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|q| (1..=MAX_ORDER_QTY).contains(q))
                .ok_or_else(|| format!("enter a whole number of shares from 1 to {MAX_ORDER_QTY}")),
        );
        let needs_limit = matches!(order_type, Some(OrderType::Limit | OrderType::StopLimit));
        let needs_stop = matches!(order_type, Some(OrderType::Stop | OrderType::StopLimit));
        let limit = price_field(&mut errors, "limit_price", "a limit price", &self.limit_price, needs_limit);
        let stop = price_field(&mut errors, "stop_price", "a stop price", &self.stop_price, needs_stop);
        let client_order_id = Some(self.client_order_id.trim().to_string()).filter(|c| !c.is_empty());
        let (Some(symbol), Some(side), Some(order_type), Some(tif), Some(qty)) = (symbol, side, order_type, tif, qty)
        else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let body = OrderBody {
            symbol: symbol.to_string(),
            side: side.into(),
            order_type: order_type.into(),
            time_in_force: Some(tif.into()),
            qty,
            limit_price: limit,
            stop_price: stop,
            client_order_id,
        };
        body.to_request().map_err(|e| {
            let mut errors = Errors::new();
            errors.add("", e.message);
            errors
        })
    }

    /// The form of an order (to edit it again after a preview).
    fn of(request: &OrderRequest) -> TradeForm {
        TradeForm {
            symbol: request.symbol.to_string(),
            side: request.side.as_str().to_string(),
            order_type: request.order_type.as_str().to_string(),
            time_in_force: request.time_in_force.as_str().to_string(),
            qty: request.qty.to_string(),
            limit_price: request.limit_price.map(|p| p.to_string()).unwrap_or_default(),
            stop_price: request.stop_price.map(|p| p.to_string()).unwrap_or_default(),
            client_order_id: String::new(),
        }
    }
}

/// A price field: required when the order type uses it, ignored (and not sent) otherwise.
fn price_field(errors: &mut Errors, field: &'static str, what: &str, text: &str, needed: bool) -> Option<String> {
    let text = text.trim().trim_start_matches('$').replace(',', "");
    if !needed {
        return None;
    }
    if text.is_empty() {
        errors.add(field, format!("enter {what} for this order type"));
        return None;
    }
    match parse_price(field, &text) {
        Ok(_) => Some(text),
        Err(e) => {
            errors.add(field, e.message);
            None
        }
    }
}

/// Everything the ticket shows around the form.
struct Desk {
    tournament: Tournament,
    handle: TournamentHandle,
    entry: Entry,
    account: AccountView,
    positions: Vec<PositionView>,
    instruments: Vec<Instrument>,
}

/// The viewer's desk in a running tournament they joined, or the page to show instead.
async fn desk(state: &AppState, viewer: &Viewer, id: i64) -> Result<Desk, Response> {
    let t = tournament_for(state, viewer, id).await?;
    let Some(entry) = viewer_entry(state, viewer, t.id).await.or_page(viewer)? else {
        return Err(not_joined(viewer, &t, "Trade", Tab::Trade));
    };
    if t.state != TournamentState::Running {
        let body = html! {
            h1 { "Trade — " (t.name) }
            (tabs(&t, Tab::Trade, true))
            @if t.state == TournamentState::Registration {
                (empty(&format!("{} starts on {}; trading opens then.", t.name, t.starts_on.format("%Y-%m-%d")),
                    Some((&format!("/tournaments/{}", t.id.0), "Back to the tournament"))))
            } @else {
                (empty(&format!("{} has finished; trading is closed.", t.name),
                    Some((&format!("/tournaments/{}", t.id.0), "See the final standings"))))
            }
        };
        return Err(page(viewer, &format!("Trade — {}", t.name), body).into_response());
    }
    let handle = state.tournament_handle(t.id).await.or_page(viewer)?;
    let snapshot = handle.account(entry.id).await.or_page(viewer)?;
    let positions = positions_of(&handle, &snapshot);
    let account = account_of(&handle, &t, &snapshot, &positions);
    let mut instruments = state.store.instruments().await.or_page(viewer)?;
    instruments.retain(|i| i.status == InstrumentStatus::Active && t.rules.in_universe(i));
    Ok(Desk { tournament: t, handle, entry, account, positions, instruments })
}

async fn ticket_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<i64>,
    query: Result<Query<TradeForm>, QueryRejection>,
) -> Response {
    respond(
        async {
            let desk = desk(&state, &viewer, id).await?;
            let mut form: TradeForm = query_or_default(query);
            form.client_order_id.clear();
            Ok(ticket(&viewer, &desk, &form, &Errors::new(), None, StatusCode::OK))
        }
        .await,
    )
}

async fn preview_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<i64>,
    form: Result<Form<TradeForm>, FormRejection>,
) -> Response {
    respond(
        async {
            let desk = desk(&state, &viewer, id).await?;
            let (form, errors) = form_or_default(form);
            let parsed = if errors.is_empty() { form.to_request() } else { Err(errors) };
            let request = match parsed {
                Ok(r) => r,
                Err(e) => return Ok(ticket(&viewer, &desk, &form, &e, None, StatusCode::UNPROCESSABLE_ENTITY)),
            };
            let preview = desk.handle.preview(desk.entry.id, request.clone()).await.or_page(&viewer)?;
            Ok(preview_page(&viewer, &desk, &request, &preview))
        }
        .await,
    )
}

async fn confirm_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<i64>,
    form: Result<Form<TradeForm>, FormRejection>,
) -> Response {
    respond(
        async {
            let desk = desk(&state, &viewer, id).await?;
            let (form, errors) = form_or_default(form);
            let parsed = if errors.is_empty() { form.to_request() } else { Err(errors) };
            let request = match parsed {
                Ok(r) => r,
                Err(e) => return Ok(ticket(&viewer, &desk, &form, &e, None, StatusCode::UNPROCESSABLE_ENTITY)),
            };
            let placed = desk.handle.place(desk.entry.id, request.clone()).await;
            state.metrics.record_placement(&placed);
            match placed {
                Ok(order) => Ok(see_other(&format!("/tournaments/{}/orders?placed={}", id, order.id.0))),
                Err(EngineError::Rejected(reason)) if reason_is_a_rule(&reason) => {
                    // Show every rule again, as they stand now, with the one that refused it.
                    let preview = desk.handle.preview(desk.entry.id, request.clone()).await.ok();
                    let mut retry = TradeForm::of(&request);
                    retry.client_order_id.clear();
                    let rejected = Rejected { reason: &reason, preview: preview.as_ref() };
                    Ok(ticket(&viewer, &desk, &retry, &Errors::new(), Some(rejected), StatusCode::UNPROCESSABLE_ENTITY))
                }
                Err(e) => Err(error_page(&viewer, &ApiError::from(e))),
            }
        }
        .await,
    )
}

fn reason_is_a_rule(reason: &RejectReason) -> bool {
    PreviewRule::of(reason).is_some() || matches!(reason, RejectReason::DuplicateClientOrderId(_))
}

/// A refused order, shown above the ticket.
struct Rejected<'a> {
    reason: &'a RejectReason,
    preview: Option<&'a OrderPreview>,
}

/// A labelled select with its error beside it.
fn select(name: &str, label: &str, options: &[(&str, &str)], selected: &str, error: Option<&str>) -> Markup {
    let id = format!("f-{name}");
    let err_id = format!("{id}-error");
    html! {
        div.field.has-error[error.is_some()] {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())] {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
            @if let Some(e) = error {
                p.error id=(err_id) role="alert" { (e) }
            }
        }
    }
}

/// A labelled input whose wrapper says which order types use it (the script hides it otherwise).
fn input_for(name: &str, label: &str, value: &str, error: Option<&str>, needs: Option<&str>, mode: &str) -> Markup {
    let id = format!("f-{name}");
    let err_id = format!("{id}-error");
    html! {
        div.field.has-error[error.is_some()] data-needs=[needs] {
            label for=(id) { (label) }
            input id=(id) name=(name) type="text" inputmode=(mode) value=(value) autocomplete="off"
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())];
            @if let Some(e) = error {
                p.error id=(err_id) role="alert" { (e) }
            }
        }
    }
}

fn balances(desk: &Desk) -> Markup {
    let a = &desk.account;
    html! {
        dl.facts.balances {
            dt { "Buying power" } dd data-field="buying_power" { (usd(a.buying_power)) }
            dt { "Cash" } dd data-field="cash" { (usd(a.cash)) }
            dt { "Equity" } dd data-field="equity" { (usd(a.equity)) }
            dt { "Open orders" } dd { (a.open_orders) }
        }
    }
}

/// The order form, prefilled.
fn order_form(viewer: &Viewer, desk: &Desk, form: &TradeForm, errors: &Errors) -> Markup {
    let t = &desk.tournament;
    let symbols: Vec<(String, String)> =
        desk.instruments.iter().map(|i| (i.symbol.to_string(), format!("{} — {}", i.symbol, i.name))).collect();
    let symbol_options: Vec<(&str, &str)> = symbols.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let selected_symbol = form.symbol.trim().to_ascii_uppercase();
    let side = if form.side.is_empty() { "buy" } else { form.side.as_str() };
    let kind = if form.order_type.is_empty() { "market" } else { form.order_type.as_str() };
    let tif = if form.time_in_force.is_empty() { "day" } else { form.time_in_force.as_str() };
    html! {
        form.stack.ticket method="post" action=(format!("/tournaments/{}/trade/preview", t.id.0)) data-ticket="" {
            (csrf_input(viewer))
            (form_problem(errors))
            fieldset {
                legend { "Order" }
                (select("symbol", "Instrument", &symbol_options, &selected_symbol, errors.get("symbol")))
                (select("side", "Side", SIDES, side, errors.get("side")))
                (select("type", "Order type", TYPES, kind, errors.get("type")))
                (select("time_in_force", "Time in force", TIFS, tif, errors.get("time_in_force")))
                (input_for("qty", "Quantity (shares)", &form.qty, errors.get("qty"), None, "numeric"))
                (input_for("limit_price", "Limit price (limit and stop-limit orders)", &form.limit_price,
                    errors.get("limit_price"), Some("limit"), "decimal"))
                (input_for("stop_price", "Stop price (stop and stop-limit orders)", &form.stop_price,
                    errors.get("stop_price"), Some("stop"), "decimal"))
            }
            button type="submit" { "Preview order" }
        }
    }
}

fn watchlist(desk: &Desk, selected: &str) -> Markup {
    let t = &desk.tournament;
    let board = desk.handle.quotes();
    let board = board.borrow().clone();
    html! {
        div.table-wrap {
            table.quotes {
                caption { "Live prices" }
                thead { tr {
                    th scope="col" { "Symbol" }
                    th scope="col" { "Name" }
                    th scope="col" class="num" { "Last" }
                    th scope="col" class="num" { "You hold" }
                    th scope="col" { span.visually-hidden { "Actions" } }
                } }
                tbody {
                    @for i in &desk.instruments {
                        @let held = desk.positions.iter().find(|p| p.symbol == i.symbol.as_str()).map_or(0, |p| p.qty);
                        tr.me[i.symbol.as_str() == selected] {
                            td { a href=(format!("/tournaments/{}/instruments/{}", t.id.0, i.symbol)) { (i.symbol) } }
                            td.wrap { (i.name) }
                            td.num data-quote=(i.symbol) data-format="price" {
                                @match board.get(i.symbol.as_str()) { Some(q) => (price(q.price)), None => "—" }
                            }
                            td.num { (held) }
                            td { a href=(format!("/tournaments/{}/trade?symbol={}", t.id.0, i.symbol)) { "Trade" } }
                        }
                    }
                }
            }
        }
    }
}

fn ticket(
    viewer: &Viewer,
    desk: &Desk,
    form: &TradeForm,
    errors: &Errors,
    rejected: Option<Rejected<'_>>,
    status: StatusCode,
) -> Response {
    let t = &desk.tournament;
    let selected = form.symbol.trim().to_ascii_uppercase();
    let title = format!("Trade — {}", t.name);
    let body = html! {
        h1 { "Trade" }
        (tabs(t, Tab::Trade, true))
        @if let Some(r) = &rejected {
            div.notice.bad role="alert" data-rejected=(r.reason.code()) {
                p {
                    strong { "Order rejected" }
                    @if let Some(rule) = PreviewRule::of(r.reason) { " by the rule “" (rule.label()) "”" }
                    ": " (r.reason.to_string()) "."
                }
            }
            @if let Some(p) = r.preview { (rules_table(p)) }
        }
        div.grid.two data-stream=(stream_url(t.id, "quotes")) data-events="quotes" {
            div {
                (balances(desk))
                (order_form(viewer, desk, form, errors))
            }
            div {
                @if desk.instruments.is_empty() {
                    (empty("No instrument can be traded in this tournament right now.", None))
                } @else {
                    (watchlist(desk, &selected))
                }
            }
        }
    };
    with_status(status, page(viewer, &title, body))
}

fn result_cell(result: &CheckResult) -> Markup {
    match result {
        CheckResult::Pass => html! { span.badge.good { "Pass" } },
        CheckResult::Fail { .. } => html! { span.badge.bad { "Fail" } },
        CheckResult::NotApplicable => html! { span.badge.muted { "Not applicable" } },
        CheckResult::NotChecked => html! { span.badge.muted { "Not checked" } },
    }
}

/// Every rule of a preview with its result.
fn rules_table(p: &OrderPreview) -> Markup {
    html! {
        div.table-wrap {
            table.rules data-rules="" {
                caption { "Rules" }
                thead { tr {
                    th scope="col" { "Rule" }
                    th scope="col" { "Result" }
                    th scope="col" { "Details" }
                } }
                tbody {
                    @for c in &p.checks {
                        tr data-rule=(c.rule.as_str()) data-result=(result_name(&c.result)) class=[c.failed().then_some("failed")] {
                            th scope="row" { (c.rule.label()) }
                            td { (result_cell(&c.result)) }
                            td.wrap { (c.detail) }
                        }
                    }
                }
            }
        }
    }
}

fn result_name(r: &CheckResult) -> &'static str {
    match r {
        CheckResult::Pass => "pass",
        CheckResult::Fail { .. } => "fail",
        CheckResult::NotApplicable => "not_applicable",
        CheckResult::NotChecked => "not_checked",
    }
}

fn describe(request: &OrderRequest) -> String {
    let side = SIDES.iter().find(|(v, _)| *v == request.side.as_str()).map_or("", |(_, l)| l);
    let kind = TYPES.iter().find(|(v, _)| *v == request.order_type.as_str()).map_or("", |(_, l)| l);
    let mut text = format!("{side} {} {} — {kind}", request.qty, request.symbol);
    if let Some(p) = request.stop_price {
        text.push_str(&format!(", stop {}", price(p)));
    }
    if let Some(p) = request.limit_price {
        text.push_str(&format!(", limit {}", price(p)));
    }
    text.push_str(&format!(", {}", request.time_in_force.as_str().to_uppercase()));
    text
}

fn hidden_order(request: &OrderRequest, client_order_id: &str) -> Markup {
    html! {
        input type="hidden" name="symbol" value=(request.symbol);
        input type="hidden" name="side" value=(request.side.as_str());
        input type="hidden" name="type" value=(request.order_type.as_str());
        input type="hidden" name="time_in_force" value=(request.time_in_force.as_str());
        input type="hidden" name="qty" value=(request.qty);
        @if let Some(p) = request.limit_price { input type="hidden" name="limit_price" value=(p); }
        @if let Some(p) = request.stop_price { input type="hidden" name="stop_price" value=(p); }
        input type="hidden" name="client_order_id" value=(client_order_id);
    }
}

fn preview_page(viewer: &Viewer, desk: &Desk, request: &OrderRequest, p: &OrderPreview) -> Response {
    let t = &desk.tournament;
    let buying = request.side.is_buy();
    let client_order_id = format!("web-{}", random_token(12));
    let body = html! {
        h1 { "Preview your order" }
        (tabs(t, Tab::Trade, true))
        p.lead data-order-summary="" { (describe(request)) }
        @if p.passes() {
            p.notice.good role="status" { "Every rule passes. Check the estimate, then place the order." }
        } @else if let Some(reason) = p.rejection() {
            div.notice.bad role="alert" data-rejected=(reason.code()) {
                p {
                    strong { "This order would be rejected" }
                    @if let Some(rule) = PreviewRule::of(reason) { " by the rule “" (rule.label()) "”" }
                    ": " (reason.to_string()) "."
                }
            }
        }
        div.grid.two {
            section aria-labelledby="est-h" {
                h2 #est-h { "Estimate" }
                dl.facts.estimate data-stream=(stream_url(t.id, "quotes")) data-events="quotes" {
                    dt { "Last price" } dd.num data-quote=(request.symbol) data-format="price" { @match p.quote { Some(q) => (price(q)), None => "—" } }
                    dt { "Expected fill price" } dd data-field="expected_price" { @match p.expected_price { Some(q) => (price(q)), None => "—" } }
                    dt { "Value" } dd data-field="notional" { @match p.notional { Some(m) => (usd(m)), None => "—" } }
                    dt { "Commission" } dd data-field="commission" { @match p.commission { Some(m) => (usd(m)), None => "—" } }
                    @if let Some(needed) = p.buying_power_needed {
                        dt { "Estimated cost" } dd data-field="cost" { (usd(needed)) }
                    }
                    @if let Some(change) = p.cash_change {
                        dt { @if buying { "Cash change" } @else { "Estimated proceeds" } }
                        dd data-field="cash_change" class=(tone(change)) { (signed_usd(change)) }
                    }
                    dt { "Buying power" } dd data-field="buying_power" { (usd(p.buying_power)) }
                    @if let Some(after) = p.buying_power_after {
                        dt { "Buying power after" } dd data-field="buying_power_after" class=(tone(after)) { (usd(after)) }
                    }
                }
                p.muted { "Estimates use the last price; market orders fill at the price when they reach the market"
                    @if t.rules.slippage_bps > 0 { ", with " (t.rules.slippage_bps) " bps slippage" } "." }
                @if p.passes() {
                    form.stack method="post" action=(format!("/tournaments/{}/trade", t.id.0)) data-confirm-order="" {
                        (csrf_input(viewer))
                        (hidden_order(request, &client_order_id))
                        p.actions {
                            button type="submit" { "Place order" }
                            a.button.secondary href=(edit_href(t, request)) { "Change it" }
                        }
                    }
                } @else {
                    p.actions { a.button href=(edit_href(t, request)) { "Change the order" } }
                }
            }
            section aria-labelledby="rules-h" {
                h2 #rules-h .visually-hidden { "Rules" }
                (rules_table(p))
            }
        }
    };
    page(viewer, &format!("Preview — {}", t.name), body).into_response()
}

/// The ticket prefilled with an order.
fn edit_href(t: &Tournament, request: &OrderRequest) -> String {
    let mut href = format!(
        "/tournaments/{}/trade?symbol={}&side={}&type={}&time_in_force={}&qty={}",
        t.id.0,
        request.symbol,
        request.side.as_str(),
        request.order_type.as_str(),
        request.time_in_force.as_str(),
        request.qty
    );
    if let Some(p) = request.limit_price {
        href.push_str(&format!("&limit_price={p}"));
    }
    if let Some(p) = request.stop_price {
        href.push_str(&format!("&stop_price={p}"));
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> TradeForm {
        let mut f = TradeForm::default();
        for (k, v) in pairs {
            let v = v.to_string();
            match *k {
                "symbol" => f.symbol = v,
                "side" => f.side = v,
                "type" => f.order_type = v,
                "time_in_force" => f.time_in_force = v,
                "qty" => f.qty = v,
                "limit_price" => f.limit_price = v,
                "stop_price" => f.stop_price = v,
                _ => {}
            }
        }
        f
    }

    #[test]
    fn a_form_becomes_the_same_request_the_api_builds() {
        let f =
            form(&[("symbol", "aaa"), ("side", "buy"), ("type", "limit"), ("qty", "10"), ("limit_price", "$95.50")]);
        let r = f.to_request().map_err(|e| format!("{e:?}")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.symbol.as_str(), "AAA");
        assert_eq!(r.limit_price.map(|p| p.0), Some(955_000));
        assert_eq!(r.stop_price, None);
        assert_eq!(r.time_in_force, TimeInForce::Day);
    }

    #[test]
    fn bad_fields_get_their_own_errors_and_unused_prices_are_ignored() {
        let f = form(&[("symbol", ""), ("side", "up"), ("type", "stop_limit"), ("qty", "0"), ("limit_price", "x")]);
        let errors = f.to_request().err().unwrap_or_default();
        for field in ["symbol", "side", "qty", "limit_price", "stop_price"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let market =
            form(&[("symbol", "AAA"), ("side", "sell"), ("type", "market"), ("qty", "3"), ("limit_price", "1")]);
        assert_eq!(market.to_request().map(|r| r.limit_price).ok(), Some(None));
    }
}
