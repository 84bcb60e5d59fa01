//! The orders page: open orders (cancel, replace) and the history, with statuses that update
//! live as orders fill, expire or are canceled.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use bullpen_domain::{Entry, Order, OrderId, OrderStatus, OrderType, Tournament, TournamentId, TournamentState};
use bullpen_store::OrderFilter;
use maud::{html, Markup};
use serde::Deserialize;

use super::account::{error_page, form_or_default, notice, query_or_default, see_other, with_status};
use super::layout::{csrf_input, empty, page, time, Viewer};
use super::player::{not_joined, price, respond, stream_url, tabs, tournament_for, viewer_entry, OrPage, Tab};
use crate::api::orders::{cancel_order, own_order, replace_order, OrderPath, ReplaceBody, TimeInForce};
use crate::error::ApiError;
use crate::extract::PathParams;
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Closed orders shown in the history (newest first).
pub const HISTORY: usize = 100;

/// The order routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/tournaments/{tournament_id}/orders", Access::SignedIn, get(orders_page))
        .post("/tournaments/{tournament_id}/orders/{order_id}/cancel", Access::SignedIn, post(cancel_submit))
        .post("/tournaments/{tournament_id}/orders/{order_id}/replace", Access::SignedIn, post(replace_submit))
}

/// Notices after a change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrdersQuery {
    /// The order just placed.
    pub placed: String,
    /// `canceled` or `replaced`.
    pub done: String,
    /// The order the notice is about.
    pub order: String,
}

/// The replace form of an open order (absent or empty fields stay as they are).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReplaceForm {
    /// New total quantity.
    pub qty: String,
    /// New limit price.
    pub limit_price: String,
    /// New stop price.
    pub stop_price: String,
    /// New time in force.
    pub time_in_force: String,
}

impl ReplaceForm {
    /// The API's replace body (validated by [`ReplaceBody::to_change`] afterwards).
    fn to_body(&self) -> Result<ReplaceBody, String> {
        let text = |s: &str| Some(s.trim().trim_start_matches('$').replace(',', "")).filter(|s| !s.is_empty());
        let qty = match text(&self.qty) {
            Some(q) => Some(q.parse::<i64>().map_err(|_| "the quantity must be a whole number of shares".to_string())?),
            None => None,
        };
        let time_in_force = match self.time_in_force.trim() {
            "" => None,
            "day" => Some(TimeInForce::Day),
            "gtc" => Some(TimeInForce::Gtc),
            "ioc" => Some(TimeInForce::Ioc),
            "fok" => Some(TimeInForce::Fok),
            other => return Err(format!("unknown time in force `{other}`")),
        };
        Ok(ReplaceBody {
            qty,
            limit_price: text(&self.limit_price),
            stop_price: text(&self.stop_price),
            time_in_force,
            client_order_id: None,
        })
    }
}

/// A problem with one order's cancel or replace, shown beside it.
struct Problem {
    order: OrderId,
    message: String,
}

/// The human name of an order status.
pub fn status_label(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::PendingNew | OrderStatus::Accepted => "Accepted",
        OrderStatus::New => "Working",
        OrderStatus::PartiallyFilled => "Partly filled",
        OrderStatus::Filled => "Filled",
        OrderStatus::Canceled => "Canceled",
        OrderStatus::Expired => "Expired",
        OrderStatus::Replaced => "Replaced",
        OrderStatus::Rejected => "Rejected",
    }
}

fn side_label(o: &Order) -> &'static str {
    match o.side {
        bullpen_domain::Side::Buy => "Buy",
        bullpen_domain::Side::Sell => "Sell",
        bullpen_domain::Side::SellShort => "Sell short",
        bullpen_domain::Side::BuyToCover => "Buy to cover",
    }
}

fn type_label(o: &Order) -> String {
    let mut text = match o.order_type {
        OrderType::Market => "Market".to_string(),
        OrderType::Limit => "Limit".to_string(),
        OrderType::Stop => "Stop".to_string(),
        OrderType::StopLimit => "Stop limit".to_string(),
    };
    if let Some(p) = o.stop_price {
        text.push_str(&format!(" · stop {}", price(p)));
    }
    if let Some(p) = o.limit_price {
        text.push_str(&format!(" · limit {}", price(p)));
    }
    text
}

struct Data {
    tournament: Tournament,
    open: Vec<Order>,
    history: Vec<Order>,
}

async fn load(state: &AppState, viewer: &Viewer, id: i64, title: &str) -> Result<(Data, Entry), Response> {
    let t = tournament_for(state, viewer, id).await?;
    let Some(entry) = viewer_entry(state, viewer, t.id).await.or_page(viewer)? else {
        return Err(not_joined(viewer, &t, title, Tab::Orders));
    };
    let filter = |open| OrderFilter { entry: Some(entry.id), open: Some(open), after_id: None, limit: None };
    let open = state.store.orders(t.id, &filter(true)).await.or_page(viewer)?;
    let mut history = state.store.orders(t.id, &filter(false)).await.or_page(viewer)?;
    history.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    history.truncate(HISTORY);
    Ok((Data { tournament: t, open, history }, entry))
}

async fn orders_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<i64>,
    query: Result<Query<OrdersQuery>, QueryRejection>,
) -> Response {
    respond(
        async {
            let (data, entry) = load(&state, &viewer, id, "Orders").await?;
            let q: OrdersQuery = query_or_default(query);
            let mut notices = Vec::new();
            if let Ok(placed) = q.placed.parse::<i64>() {
                if let Ok(o) = own_order(&state, entry.id, data.tournament.id, OrderId(placed)).await {
                    notices.push(placed_notice(&o));
                }
            }
            match q.done.as_str() {
                "canceled" => notices.push(format!("Order {} canceled.", q.order)),
                "replaced" => notices.push(format!("Order replaced; the new order is {}.", q.order)),
                _ => {}
            }
            Ok(view(&viewer, &data, &notices, None, StatusCode::OK))
        }
        .await,
    )
}

fn placed_notice(o: &Order) -> String {
    let what = format!("{} {} {}", side_label(o), o.qty, o.symbol);
    match o.status {
        OrderStatus::Filled => {
            format!("Order {} placed: {what} filled at {}.", o.id.0, o.filled_avg_price.map(price).unwrap_or_default())
        }
        OrderStatus::PartiallyFilled => {
            format!("Order {} placed: {what}, {} shares filled so far.", o.id.0, o.filled_qty)
        }
        OrderStatus::Canceled => format!("Order {} placed: {what} could not fill now and was canceled.", o.id.0),
        OrderStatus::Rejected => format!("Order {} was rejected.", o.id.0),
        _ => format!("Order {} placed: {what} is working.", o.id.0),
    }
}

async fn cancel_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(p): PathParams<OrderPath>,
) -> Response {
    let order_id = OrderId(p.order_id);
    match cancel_order(&state, &caller, TournamentId(p.tournament_id), order_id).await {
        Ok(o) => see_other(&format!("/tournaments/{}/orders?done=canceled&order={}", p.tournament_id, o.id.0)),
        Err(e) => change_failed(&state, &viewer, p.tournament_id, order_id, e).await,
    }
}

async fn replace_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(p): PathParams<OrderPath>,
    form: Result<Form<ReplaceForm>, FormRejection>,
) -> Response {
    let order_id = OrderId(p.order_id);
    let (form, errors) = form_or_default(form);
    let change = match errors.general() {
        Some(problem) => Err(ApiError::invalid(problem.to_string())),
        None => form.to_body().map_err(ApiError::invalid).and_then(|b| b.to_change()),
    };
    let tournament = TournamentId(p.tournament_id);
    let result = match change {
        Ok(change) => match state.tournament_handle(tournament).await {
            Ok(handle) => match state.caller_entry(&caller, tournament).await {
                Ok(entry) => replace_order(&state, &handle, entry, order_id, change).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(o) => see_other(&format!("/tournaments/{}/orders?done=replaced&order={}", p.tournament_id, o.id.0)),
        Err(e) => change_failed(&state, &viewer, p.tournament_id, order_id, e).await,
    }
}

/// A refused cancel or replace: the orders page again with the reason beside the order (the
/// error page when the page itself cannot be shown).
async fn change_failed(state: &AppState, viewer: &Viewer, id: i64, order: OrderId, e: ApiError) -> Response {
    if !e.status.is_client_error() {
        return error_page(viewer, &e);
    }
    respond(
        async {
            let (data, _) = load(state, viewer, id, "Orders").await?;
            let problem = Problem { order, message: e.message.clone() };
            Ok(view(viewer, &data, &[], Some(&problem), e.status))
        }
        .await,
    )
}

fn tif_select(order: &Order) -> Markup {
    let current = order.time_in_force.as_str();
    html! {
        div.field {
            label for=(format!("tif-{}", order.id.0)) { "Time in force" }
            select id=(format!("tif-{}", order.id.0)) name="time_in_force" {
                @for (v, l) in [("day", "Day"), ("gtc", "Good till canceled"), ("ioc", "Immediate or cancel"), ("fok", "Fill or kill")] {
                    option value=(v) selected[v == current] { (l) }
                }
            }
        }
    }
}

/// What an order is, in words: "the buy of 10 AAA".
fn what(o: &Order) -> String {
    format!("the {} of {} {}", side_label(o).to_lowercase(), o.qty, o.symbol)
}

fn actions(viewer: &Viewer, t: &Tournament, o: &Order, problem: Option<&Problem>) -> Markup {
    let base = format!("/tournaments/{}/orders/{}", t.id.0, o.id.0);
    let error = problem.filter(|p| p.order == o.id).map(|p| p.message.as_str());
    let err_id = format!("order-{}-error", o.id.0);
    html! {
        form.inline method="post" action=(format!("{base}/cancel")) data-confirm=(format!("Cancel {}?", what(o))) {
            (csrf_input(viewer))
            button.secondary type="submit" aria-label=(format!("Cancel {}", what(o))) { "Cancel" }
        }
        details.replace open[error.is_some()] {
            summary { "Change" }
            form.stack method="post" action=(format!("{base}/replace")) {
                (csrf_input(viewer))
                div.field {
                    label for=(format!("qty-{}", o.id.0)) { "Quantity" }
                    input id=(format!("qty-{}", o.id.0)) name="qty" type="text" inputmode="numeric" value=(o.qty)
                        aria-describedby=[error.map(|_| err_id.as_str())];
                }
                @if let Some(p) = o.limit_price {
                    div.field {
                        label for=(format!("limit-{}", o.id.0)) { "Limit price" }
                        input id=(format!("limit-{}", o.id.0)) name="limit_price" type="text" inputmode="decimal" value=(p);
                    }
                }
                @if let Some(p) = o.stop_price {
                    div.field {
                        label for=(format!("stop-{}", o.id.0)) { "Stop price" }
                        input id=(format!("stop-{}", o.id.0)) name="stop_price" type="text" inputmode="decimal" value=(p);
                    }
                }
                (tif_select(o))
                button type="submit" { "Replace order" }
            }
        }
        @if let Some(e) = error {
            p.error id=(err_id) role="alert" { (e) }
        }
    }
}

fn order_row(viewer: &Viewer, t: &Tournament, o: &Order, open: bool, problem: Option<&Problem>) -> Markup {
    html! {
        tr data-order-id=(o.id.0) data-status=(o.status.as_str()) {
            td { a href=(format!("/tournaments/{}/instruments/{}", t.id.0, o.symbol)) { (o.symbol) } }
            td { (side_label(o)) }
            td.num { (o.qty) }
            td data-field="status" {
                (status_label(o.status))
                @if let Some(r) = &o.reject_reason { br; span.error { (r.to_string()) } }
            }
            @if open {
                td.actions-cell data-field="actions" {
                    @if t.state == TournamentState::Running { (actions(viewer, t, o, problem)) }
                }
            }
            td.wrap { (type_label(o)) }
            td.num data-field="filled_qty" { (o.filled_qty) }
            td.num data-field="filled_avg_price" { @match o.filled_avg_price { Some(p) => (price(p)), None => "—" } }
            td { (o.time_in_force.as_str().to_uppercase()) }
            td { (time(o.created_at)) }
            @if !open { td { (time(o.updated_at)) } }
            td.num.muted.order-id { (o.id.0) }
        }
    }
}

fn table(viewer: &Viewer, t: &Tournament, orders: &[Order], open: bool, problem: Option<&Problem>) -> Markup {
    html! {
        div.table-wrap {
            table.orders data-orders=(if open { "open" } else { "history" }) {
                caption.visually-hidden { @if open { "Open orders" } @else { "Order history" } }
                thead { tr {
                    th scope="col" { "Symbol" }
                    th scope="col" { "Side" }
                    th scope="col" class="num" { "Qty" }
                    th scope="col" { "Status" }
                    @if open { th scope="col" { "Actions" } }
                    th scope="col" { "Type" }
                    th scope="col" class="num" { "Filled" }
                    th scope="col" class="num" { "Avg price" }
                    th scope="col" { "TIF" }
                    th scope="col" { "Placed" }
                    @if !open { th scope="col" { "Updated" } }
                    th scope="col" class="num" { "Order ID" }
                } }
                tbody {
                    @for o in orders { (order_row(viewer, t, o, open, problem)) }
                }
            }
        }
    }
}

fn view(viewer: &Viewer, data: &Data, notices: &[String], problem: Option<&Problem>, status: StatusCode) -> Response {
    let t = &data.tournament;
    let live = t.state == TournamentState::Running;
    let trade = format!("/tournaments/{}/trade", t.id.0);
    let body = html! {
        h1 { "Orders — " (t.name) }
        p.back { a href=(format!("/tournaments/{}", t.id.0)) { "← Back to " (t.name) } }
        (tabs(t, Tab::Orders, true))
        @for n in notices { (notice(n)) }
        @if let Some(p) = problem {
            @if !data.open.iter().any(|o| o.id == p.order) {
                p.notice.bad role="alert" { "Order " (p.order.0) ": " (p.message) }
            }
        }
        div data-stream=[live.then(|| stream_url(t.id, "orders"))] data-events="orders" data-live-region="orders" {
            section aria-labelledby="open-h" {
                h2 #open-h { "Open orders" }
                @if data.open.is_empty() {
                    (empty("You have no open orders. Limit and stop orders wait here until they fill.",
                        live.then_some((trade.as_str(), "Place an order"))))
                } @else {
                    (table(viewer, t, &data.open, true, problem))
                }
                p.live-note.muted hidden data-new-orders="" { "New orders arrived. " a href="" { "Reload" } " to see them." }
            }
            section aria-labelledby="hist-h" {
                h2 #hist-h { "History" }
                @if data.history.is_empty() {
                    (empty("No filled, canceled or expired orders yet.", None))
                } @else {
                    (table(viewer, t, &data.history, false, None))
                    @if data.history.len() == HISTORY { p.muted { "The latest " (HISTORY) " orders." } }
                }
            }
        }
    };
    with_status(status, page(viewer, &format!("Orders — {}", t.name), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_forms_become_the_api_body() {
        let f = ReplaceForm {
            qty: " 12 ".into(),
            limit_price: "$96.00".into(),
            stop_price: String::new(),
            time_in_force: "gtc".into(),
        };
        let body = f.to_body().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.qty, Some(12));
        assert_eq!(body.limit_price.as_deref(), Some("96.00"));
        assert_eq!(body.stop_price, None);
        assert!(body.to_change().is_ok());
        let bad = ReplaceForm { qty: "ten".into(), ..ReplaceForm::default() };
        assert!(bad.to_body().is_err());
        assert!(ReplaceForm::default().to_body().map(|b| b.to_change().is_err()).unwrap_or(false));
    }
}
