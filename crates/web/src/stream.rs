//! Server-sent events at `GET /api/v1/stream?tournament_id=…&topics=quotes,orders,leaderboard`.
//!
//! - `quotes`: prices that changed since the last event (the first event is the whole board);
//! - `leaderboard`: the top rows and the caller's own row, whenever the ranking changes; with
//!   `league_id` (a league of this tournament the caller belongs to, or runs, or any league for
//!   an admin), the league's members only, ranked among themselves;
//! - `orders`: the caller's own order updates only (the signed-in user's entry, or the API
//!   key's entry); anonymous callers get none.
//!
//! Comments (`: keep-alive`) keep idle connections open through proxies. Each open stream is
//! counted in the `bullpen_streams_connected` gauge through a [`StreamGuard`].

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use bullpen_domain::{EntryId, LeagueId, Order, Price, Symbol, TournamentId};
use bullpen_engine::{Leaderboard, LeaderboardRow, OrderUpdate, QuoteBoard};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::QueryParams;
use crate::identity::{Caller, Principal};
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Interval of keep-alive comments.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Leaderboard rows sent when `top` is not given.
pub const DEFAULT_TOP: usize = 10;
/// Most leaderboard rows a stream may ask for.
pub const MAX_TOP: usize = 100;

/// The OpenAPI description of this module's routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(stream),
    components(schemas(
        SseEventDoc,
        QuotesEvent,
        QuoteItem,
        LeaderboardEvent,
        LeaderboardItem,
        OrderEvent,
        StreamOrder
    ))
)]
pub struct ApiDoc;

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new().get("/api/v1/stream", Access::Public, get(stream))
}

/// What kind of live stream a [`StreamGuard`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// Server-sent events (`/api/v1/stream`).
    Sse,
    /// Alpaca's `trade_updates` WebSocket (`/stream`).
    TradeUpdates,
}

impl StreamKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamKind::Sse => "sse",
            StreamKind::TradeUpdates => "trade_updates",
        }
    }
}

/// Lives exactly as long as one open stream (an SSE response body or a WebSocket session):
/// opening it counts the stream in the `bullpen_streams_connected` gauge, dropping it (when the
/// client goes away or the server ends the stream) uncounts it.
#[derive(Debug)]
pub struct StreamGuard {
    /// What kind of stream this is.
    pub kind: StreamKind,
    _counted: crate::metrics::StreamGuard,
}

impl StreamGuard {
    /// Counts a stream as open until the guard is dropped.
    pub fn open(state: &AppState, kind: StreamKind) -> StreamGuard {
        tracing::debug!(kind = kind.as_str(), "stream opened");
        StreamGuard { kind, _counted: state.metrics.stream_guard() }
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        tracing::debug!(kind = self.kind.as_str(), "stream closed");
    }
}

/// Query of `/api/v1/stream`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// The tournament to follow.
    pub tournament_id: i64,
    /// Comma-separated topics: `quotes`, `orders`, `leaderboard` (default: all).
    #[param(pattern = "^(quotes|orders|leaderboard)(,(quotes|orders|leaderboard))*$")]
    pub topics: Option<String>,
    /// Leaderboard rows per event (1–100, default 10).
    #[param(minimum = 1, maximum = 100)]
    pub top: Option<usize>,
    /// A league of this tournament the caller belongs to: `leaderboard` events rank its members
    /// only (404 when it is not the caller's league or not of this tournament).
    pub league_id: Option<i64>,
}

/// The topics a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topics {
    /// Price changes.
    pub quotes: bool,
    /// The caller's order updates.
    pub orders: bool,
    /// Leaderboard changes.
    pub leaderboard: bool,
}

impl Topics {
    /// Parses a comma-separated list (empty or missing: all).
    pub fn parse(text: Option<&str>) -> ApiResult<Topics> {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            return Ok(Topics { quotes: true, orders: true, leaderboard: true });
        };
        let mut topics = Topics { quotes: false, orders: false, leaderboard: false };
        for t in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match t {
                "quotes" => topics.quotes = true,
                "orders" => topics.orders = true,
                "leaderboard" => topics.leaderboard = true,
                other => {
                    return Err(ApiError::bad_request(
                        "invalid_query",
                        format!("unknown topic `{other}` (quotes, orders, leaderboard)"),
                    ))
                }
            }
        }
        Ok(topics)
    }
}

/// One price in a `quotes` event.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct QuoteItem {
    /// Symbol.
    pub symbol: String,
    /// Last price (decimal string).
    #[schema(value_type = String)]
    pub price: Price,
    /// When it was set (RFC 3339).
    pub at: String,
}

/// A `quotes` event: the prices that changed.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct QuotesEvent {
    /// Time of the newest tick (RFC 3339).
    pub as_of: String,
    /// Changed prices.
    pub quotes: Vec<QuoteItem>,
}

/// One leaderboard row.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct LeaderboardItem {
    /// 1-based rank.
    pub rank: u32,
    /// Entry id.
    pub entry_id: i64,
    /// Display name.
    pub name: String,
    /// Equity (decimal string).
    pub equity: String,
    /// Score in millionths.
    pub score: i64,
    /// Percentile (100 = best).
    pub percentile: f64,
}

/// A `leaderboard` event.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct LeaderboardEvent {
    /// Engine time of the ranking (RFC 3339).
    pub as_of: String,
    /// Entries ranked.
    pub entries: usize,
    /// The top rows.
    pub rows: Vec<LeaderboardItem>,
    /// The caller's own row, when they have an entry.
    pub you: Option<LeaderboardItem>,
    /// The league whose members are ranked (the query's `league_id`), if any.
    pub league_id: Option<i64>,
}

/// An order in an `orders` event.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct StreamOrder {
    /// Order id.
    pub id: i64,
    /// Client order id.
    pub client_order_id: String,
    /// Symbol.
    pub symbol: String,
    /// buy, sell, sell_short, buy_to_cover.
    pub side: String,
    /// market, limit, stop, stop_limit.
    #[serde(rename = "type")]
    pub order_type: String,
    /// day, gtc, ioc, fok.
    pub time_in_force: String,
    /// Shares ordered.
    pub qty: i64,
    /// Shares filled.
    pub filled_qty: i64,
    /// Average fill price (decimal string).
    pub filled_avg_price: Option<String>,
    /// Limit price.
    pub limit_price: Option<String>,
    /// Stop price.
    pub stop_price: Option<String>,
    /// Status (Alpaca's names).
    pub status: String,
    /// Why it was rejected.
    pub reject_reason: Option<String>,
    /// The order it replaced.
    pub replaces: Option<i64>,
    /// The order that replaced it.
    pub replaced_by: Option<i64>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

impl StreamOrder {
    /// The stream view of an order.
    pub fn of(o: &Order) -> StreamOrder {
        StreamOrder {
            id: o.id.0,
            client_order_id: o.client_order_id.clone(),
            symbol: o.symbol.to_string(),
            side: o.side.as_str().to_string(),
            order_type: o.order_type.as_str().to_string(),
            time_in_force: o.time_in_force.as_str().to_string(),
            qty: o.qty.0,
            filled_qty: o.filled_qty.0,
            filled_avg_price: o.filled_avg_price.map(|p| p.to_string()),
            limit_price: o.limit_price.map(|p| p.to_string()),
            stop_price: o.stop_price.map(|p| p.to_string()),
            status: o.status.as_str().to_string(),
            reject_reason: o.reject_reason.as_ref().map(|r| r.code().to_string()),
            replaces: o.replaces.map(|id| id.0),
            replaced_by: o.replaced_by.map(|id| id.0),
            created_at: o.created_at.to_string(),
            updated_at: o.updated_at.to_string(),
        }
    }
}

/// An `orders` event.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct OrderEvent {
    /// new, fill, partial_fill, canceled, expired, replaced, rejected.
    pub event: String,
    /// The order after the event.
    pub order: StreamOrder,
    /// For `replaced`: the id of the order that was replaced.
    pub replaced: Option<i64>,
}

/// Follows one tournament for one caller.
struct Feed {
    _guard: StreamGuard,
    topics: Topics,
    top: usize,
    entry: Option<EntryId>,
    /// With `league_id`: the league and its members (as of when the stream opened).
    league: Option<(LeagueId, Vec<EntryId>)>,
    quotes: watch::Receiver<QuoteBoard>,
    leaderboard: watch::Receiver<Arc<Leaderboard>>,
    updates: broadcast::Receiver<OrderUpdate>,
    sent_prices: BTreeMap<Symbol, Price>,
    last_leaderboard: Option<LeaderboardEvent>,
    pending: Vec<Event>,
}

fn row_item(lb: &Leaderboard, row: &LeaderboardRow) -> LeaderboardItem {
    LeaderboardItem {
        rank: row.rank,
        entry_id: row.entry_id.0,
        name: lb.name(row.entry_id).to_string(),
        equity: row.equity.to_string(),
        score: row.score,
        percentile: row.percentile,
    }
}

fn event(name: &str, data: &impl Serialize) -> Option<Event> {
    match Event::default().event(name).json_data(data) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::error!(error = %e, "stream event does not serialize");
            None
        }
    }
}

impl Feed {
    /// The `quotes` event for the prices that differ from what was sent, if any.
    fn quotes_event(&mut self, board: &QuoteBoard) -> Option<Event> {
        let changed: Vec<QuoteItem> = board
            .quotes
            .iter()
            .filter(|(s, q)| self.sent_prices.get(*s) != Some(&q.price))
            .map(|(s, q)| QuoteItem { symbol: s.to_string(), price: q.price, at: q.at.to_string() })
            .collect();
        if changed.is_empty() {
            return None;
        }
        for (s, q) in &board.quotes {
            self.sent_prices.insert(s.clone(), q.price);
        }
        event("quotes", &QuotesEvent { as_of: board.as_of.to_string(), quotes: changed })
    }

    /// The `leaderboard` event, unless nothing the caller sees changed.
    fn leaderboard_event(&mut self, lb: &Leaderboard) -> Option<Event> {
        let next = match &self.league {
            None => {
                let rows = lb.rows.iter().take(self.top).map(|r| row_item(lb, r)).collect();
                let you = self.entry.and_then(|e| lb.row(e)).map(|r| row_item(lb, r));
                LeaderboardEvent { as_of: lb.as_of.to_string(), entries: lb.rows.len(), rows, you, league_id: None }
            }
            Some((league, members)) => {
                let ranked = lb.subset(members);
                let rows = ranked.iter().take(self.top).map(|r| row_item(lb, r)).collect();
                let you = self.entry.and_then(|e| ranked.iter().find(|r| r.entry_id == e)).map(|r| row_item(lb, r));
                let (as_of, entries) = (lb.as_of.to_string(), ranked.len());
                LeaderboardEvent { as_of, entries, rows, you, league_id: Some(league.0) }
            }
        };
        let same = self
            .last_leaderboard
            .as_ref()
            .is_some_and(|last| last.rows == next.rows && last.you == next.you && last.entries == next.entries);
        if same {
            return None;
        }
        let e = event("leaderboard", &next);
        self.last_leaderboard = Some(next);
        e
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.pending.pop() {
                return Some(e);
            }
            let want_orders = self.topics.orders && self.entry.is_some();
            tokio::select! {
                changed = self.quotes.changed(), if self.topics.quotes => {
                    changed.ok()?;
                    let board = self.quotes.borrow_and_update().clone();
                    if let Some(e) = self.quotes_event(&board) {
                        return Some(e);
                    }
                }
                changed = self.leaderboard.changed(), if self.topics.leaderboard => {
                    changed.ok()?;
                    let lb = Arc::clone(&self.leaderboard.borrow_and_update());
                    if let Some(e) = self.leaderboard_event(&lb) {
                        return Some(e);
                    }
                }
                update = self.updates.recv(), if want_orders => match update {
                    Ok(u) if Some(u.entry_id) == self.entry => {
                        let data = OrderEvent {
                            event: u.event.to_string(),
                            order: StreamOrder::of(&u.order),
                            replaced: u.replaced.map(|id| id.0),
                        };
                        if let Some(e) = event("orders", &data) {
                            return Some(e);
                        }
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                // Nothing to follow (e.g. only `orders` for an anonymous caller): stay open with
                // keep-alives until the client leaves.
                else => std::future::pending::<()>().await,
            }
        }
    }
}

/// The caller's entry in the tournament, if any (a key of another tournament has none here).
async fn caller_entry(state: &AppState, caller: &Caller, tournament: TournamentId) -> ApiResult<Option<EntryId>> {
    Ok(match &caller.0 {
        Principal::Anonymous => None,
        Principal::Key(k) => (k.tournament_id == tournament).then_some(k.entry_id),
        Principal::User(u) => state.store.entry_of_user(tournament, u.user_id).await?.map(|e| e.id),
    })
}

/// One server-sent event as the OpenAPI document describes it: its name and its JSON data.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SseEventDoc {
    /// `quotes`, `orders` or `leaderboard`.
    pub event: Option<String>,
    /// The event's JSON payload, as text.
    pub data: Option<String>,
    /// Event id, when set.
    pub id: Option<String>,
    /// Reconnection delay, when set.
    pub retry: Option<i64>,
}

/// The members of a league of `tournament` the caller may follow: a member's entry, the
/// league's commissioner or an admin; 404 otherwise (whether or not the league exists).
async fn league_members(
    state: &AppState,
    caller: &Caller,
    tournament: TournamentId,
    entry: Option<EntryId>,
    id: i64,
) -> ApiResult<Vec<EntryId>> {
    let not_found = || ApiError::not_found(format!("no league {id} of yours in this tournament"));
    let league = state.store.league(LeagueId(id)).await?.filter(|l| l.tournament_id == tournament);
    let league = league.ok_or_else(not_found)?;
    let members = state.store.league_members(league.id).await?;
    let runs_it = match &caller.0 {
        Principal::User(u) => u.user_id == league.commissioner || crate::api::common::is_admin(caller),
        _ => false,
    };
    if runs_it || entry.is_some_and(|e| members.contains(&e)) {
        Ok(members)
    } else {
        Err(not_found())
    }
}

/// Live quotes, the caller's order updates and leaderboard changes of a tournament, as
/// server-sent events (`event: quotes | orders | leaderboard`, JSON data).
#[utoipa::path(
    get,
    path = "/api/v1/stream",
    tag = "streams",
    params(StreamQuery),
    responses(
        (status = 200, description = "An endless `text/event-stream`: events `quotes` (QuotesEvent), `orders` \
            (OrderEvent, the caller's own orders only) and `leaderboard` (LeaderboardEvent), with keep-alive comments",
            content_type = "text/event-stream", body = SseEventDoc),
        (status = 400, description = "Bad query (`invalid_query`)", body = ErrorBody),
        (status = 401, description = "API-key headers that do not verify (`invalid_api_key`)", body = ErrorBody),
        (status = 404, description = "No such tournament, or `league_id` is not a league of the caller's in it \
            (`not_found`)", body = ErrorBody),
        (status = 409, description = "The tournament is not running (`tournament_not_running`)", body = ErrorBody),
    )
)]
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StreamQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let topics = Topics::parse(query.topics.as_deref())?;
    let top = query.top.unwrap_or(DEFAULT_TOP);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(ApiError::bad_request("invalid_query", format!("top must be 1 to {MAX_TOP}")));
    }
    let tournament = TournamentId(query.tournament_id);
    let handle = state.tournament_handle(tournament).await?;
    let entry = caller_entry(&state, &caller, tournament).await?;
    let league = match query.league_id {
        Some(id) => Some((LeagueId(id), league_members(&state, &caller, tournament, entry, id).await?)),
        None => None,
    };
    let mut feed = Feed {
        _guard: StreamGuard::open(&state, StreamKind::Sse),
        topics,
        top,
        entry,
        league,
        quotes: handle.quotes(),
        leaderboard: handle.watch_leaderboard(),
        updates: handle.subscribe_updates(),
        sent_prices: BTreeMap::new(),
        last_leaderboard: None,
        pending: Vec::new(),
    };
    // The current state first (pending is popped from the end: leaderboard after quotes).
    if topics.leaderboard {
        let lb = Arc::clone(&feed.leaderboard.borrow_and_update());
        if let Some(e) = feed.leaderboard_event(&lb) {
            feed.pending.push(e);
        }
    }
    if topics.quotes {
        let board = feed.quotes.borrow_and_update().clone();
        if let Some(e) = feed.quotes_event(&board) {
            feed.pending.push(e);
        }
    }
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let e = feed.next_event().await?;
        Some((Ok::<Event, Infallible>(e), feed))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_default_to_all_and_refuse_unknown_names() {
        assert_eq!(Topics::parse(None).unwrap(), Topics { quotes: true, orders: true, leaderboard: true });
        assert_eq!(
            Topics::parse(Some("quotes, orders")).unwrap(),
            Topics { quotes: true, orders: true, leaderboard: false }
        );
        assert_eq!(Topics::parse(Some("trades")).unwrap_err().status, 400);
    }
}
