//! Account activities from the entry's ledger: fills (`FILL`) and non-trade activities —
//! the starting deposit (`CSD`), dividends (`DIV`), splits (`SPLIT`), margin interest (`INT`)
//! and borrow fees (`FEE`). Paginated as Alpaca does: `page_size` (≤ 100), `page_token` (the id
//! of the last activity seen), `direction` (`desc` by default), `date`, `after`, `until`.

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_domain::{LedgerEntry, LedgerKind, Order, OrderId, Qty, Ts};
use bullpen_market::calendar::to_new_york;
use serde::{Deserialize, Serialize};

use super::json::{
    account_uuid, activity_id, alpaca_side, order_uuid, parse_activity_id, parse_date, parse_time, time, AlpacaError,
    AlpacaResult,
};
use super::{AlpacaPath, AlpacaQuery, KeyContext};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Largest page.
pub const MAX_PAGE_SIZE: usize = 100;
/// Ledger rows read from the store per round trip.
const LEDGER_CHUNK: i64 = 10_000;

/// The activity routes.
pub fn routes() -> Routes {
    Routes::new().get("/v2/account/activities", Access::KeyRead, get(all)).get(
        "/v2/account/activities/{activity_type}",
        Access::KeyRead,
        get(of_type),
    )
}

/// The Alpaca activity type of a ledger kind.
pub fn activity_type(kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::Trade => "FILL",
        LedgerKind::Deposit => "CSD",
        LedgerKind::Dividend => "DIV",
        LedgerKind::Split => "SPLIT",
        LedgerKind::Interest => "INT",
        LedgerKind::BorrowFee => "FEE",
    }
}

/// Every activity type this server produces.
pub const ACTIVITY_TYPES: &[&str] = &["FILL", "CSD", "DIV", "SPLIT", "INT", "FEE"];

/// A fill.
#[derive(Debug, Clone, Serialize)]
pub struct TradeActivity {
    /// Activity id.
    pub id: String,
    /// Account UUID.
    pub account_id: String,
    /// `FILL`.
    pub activity_type: &'static str,
    /// When it filled.
    pub transaction_time: String,
    /// `fill` when it completed the order, `partial_fill` otherwise.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Fill price.
    pub price: String,
    /// Shares filled.
    pub qty: String,
    /// `buy` or `sell`.
    pub side: &'static str,
    /// Symbol.
    pub symbol: String,
    /// Shares of the order still open after this fill.
    pub leaves_qty: String,
    /// Order UUID.
    pub order_id: String,
    /// Shares of the order filled up to this fill.
    pub cum_qty: String,
    /// `filled` or `partially_filled` after this fill.
    pub order_status: &'static str,
}

/// A cash or corporate-action activity.
#[derive(Debug, Clone, Serialize)]
pub struct NonTradeActivity {
    /// Activity id.
    pub id: String,
    /// Account UUID.
    pub account_id: String,
    /// `CSD`, `DIV`, `SPLIT`, `INT`, `FEE`.
    pub activity_type: &'static str,
    /// Date (New York).
    pub date: String,
    /// Cash change.
    pub net_amount: String,
    /// What happened.
    pub description: String,
    /// `executed`.
    pub status: &'static str,
    /// Symbol, for dividends and splits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Shares held (dividends) or share change (splits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qty: Option<String>,
    /// Dividend per share.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_share_amount: Option<String>,
}

/// One activity.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Activity {
    /// A fill.
    Trade(TradeActivity),
    /// Anything else.
    NonTrade(NonTradeActivity),
}

/// Query of the activity listings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityQuery {
    /// Comma-separated activity types.
    pub activity_types: Option<String>,
    /// `trade_activity` or `non_trade_activity`.
    pub category: Option<String>,
    /// Only this date (New York).
    pub date: Option<String>,
    /// Only before this time.
    pub until: Option<String>,
    /// Only after this time.
    pub after: Option<String>,
    /// `desc` (default) or `asc`.
    pub direction: Option<String>,
    /// At most this many (default and maximum 100).
    pub page_size: Option<String>,
    /// The id of the last activity of the previous page.
    pub page_token: Option<String>,
}

/// A parsed activity query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFilter {
    /// Wanted types (empty: all).
    pub types: Vec<String>,
    /// Only this New York date.
    pub date: Option<chrono::NaiveDate>,
    /// Strictly after.
    pub after: Option<Ts>,
    /// Strictly before.
    pub until: Option<Ts>,
    /// Oldest first.
    pub ascending: bool,
    /// Page size.
    pub page_size: usize,
    /// Sequence number of the last activity seen.
    pub page_after_seq: Option<i64>,
}

impl ActivityQuery {
    /// Checks the parameters; `path_type` is the type named in the path, if any.
    pub fn parse(&self, path_type: Option<&str>) -> AlpacaResult<ActivityFilter> {
        let mut types: Vec<String> = match (path_type, self.activity_types.as_deref()) {
            (Some(t), _) => vec![t.to_ascii_uppercase()],
            (None, Some(list)) => {
                list.split(',').map(|t| t.trim().to_ascii_uppercase()).filter(|t| !t.is_empty()).collect()
            }
            (None, None) => Vec::new(),
        };
        match self.category.as_deref() {
            None | Some("") => {}
            Some("trade_activity") => types = vec!["FILL".into()],
            Some("non_trade_activity") => {
                let non_trade = ACTIVITY_TYPES.iter().filter(|t| **t != "FILL").map(|t| t.to_string());
                types = if types.is_empty() {
                    non_trade.collect()
                } else {
                    types.into_iter().filter(|t| t != "FILL").collect()
                };
            }
            Some(other) => return Err(AlpacaError::validation(format!("invalid category `{other}`"))),
        }
        let page_size = match self.page_size.as_deref() {
            None => MAX_PAGE_SIZE,
            Some(t) => match t.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
                _ => return Err(AlpacaError::validation(format!("page_size must be 1 to {MAX_PAGE_SIZE}, not `{t}`"))),
            },
        };
        let ascending = match self.direction.as_deref() {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(other) => return Err(AlpacaError::validation(format!("invalid direction `{other}` (asc, desc)"))),
        };
        let page_after_seq = match self.page_token.as_deref() {
            None | Some("") => None,
            Some(t) => {
                Some(parse_activity_id(t).ok_or_else(|| AlpacaError::validation(format!("invalid page_token `{t}`")))?)
            }
        };
        Ok(ActivityFilter {
            types,
            date: self.date.as_deref().map(|d| parse_date("date", d)).transpose()?,
            after: self.after.as_deref().map(|t| parse_time("after", t)).transpose()?,
            until: self.until.as_deref().map(|t| parse_time("until", t)).transpose()?,
            ascending,
            page_size,
            page_after_seq,
        })
    }
}

impl ActivityFilter {
    fn wants(&self, le: &LedgerEntry) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == activity_type(le.kind)))
            && self.date.is_none_or(|d| to_new_york(le.ts).date() == d)
            && self.after.is_none_or(|t| le.ts > t)
            && self.until.is_none_or(|t| le.ts < t)
            && self.page_after_seq.is_none_or(|s| if self.ascending { le.seq > s } else { le.seq < s })
    }
}

/// One page of activities from an entry's whole ledger (in sequence order); `order_of` gives the
/// orders behind fills.
pub fn page(
    ledger: &[LedgerEntry],
    filter: &ActivityFilter,
    account: &str,
    order_of: &HashMap<OrderId, Order>,
) -> Vec<Activity> {
    // Shares filled per order up to each fill.
    let mut cumulative: HashMap<OrderId, i64> = HashMap::new();
    let mut cum_at: HashMap<i64, i64> = HashMap::new();
    for le in ledger.iter().filter(|le| le.kind == LedgerKind::Trade) {
        if let Some(order) = le.order_id {
            let c = cumulative.entry(order).or_default();
            *c += le.qty_delta.0.abs();
            cum_at.insert(le.seq, *c);
        }
    }
    let selected: Box<dyn Iterator<Item = &LedgerEntry>> =
        if filter.ascending { Box::new(ledger.iter()) } else { Box::new(ledger.iter().rev()) };
    selected
        .filter(|le| filter.wants(le))
        .take(filter.page_size)
        .map(|le| activity(le, account, cum_at.get(&le.seq).copied(), order_of))
        .collect()
}

fn activity(le: &LedgerEntry, account: &str, cum: Option<i64>, order_of: &HashMap<OrderId, Order>) -> Activity {
    let id = activity_id(le.ts, le.seq);
    let symbol = le.symbol.as_ref().map(|s| s.to_string());
    if le.kind == LedgerKind::Trade {
        let order = le.order_id.and_then(|o| order_of.get(&o));
        let cum = cum.unwrap_or(le.qty_delta.0.abs());
        let ordered = order.map_or(cum, |o| o.qty.0);
        let leaves = (ordered - cum).max(0);
        return Activity::Trade(TradeActivity {
            id,
            account_id: account.to_string(),
            activity_type: "FILL",
            transaction_time: time(le.ts),
            kind: if leaves == 0 { "fill" } else { "partial_fill" },
            price: le.price.unwrap_or_default().to_string(),
            qty: Qty(le.qty_delta.0.abs()).to_string(),
            side: order.map_or(if le.qty_delta.0 > 0 { "buy" } else { "sell" }, |o| alpaca_side(o.side)),
            symbol: symbol.unwrap_or_default(),
            leaves_qty: leaves.to_string(),
            order_id: le.order_id.map(order_uuid).unwrap_or_default(),
            cum_qty: cum.to_string(),
            order_status: if leaves == 0 { "filled" } else { "partially_filled" },
        });
    }
    let (description, qty, per_share) = match le.kind {
        LedgerKind::Deposit => ("starting cash deposit".to_string(), None, None),
        LedgerKind::Dividend => (
            format!("cash dividend on {}", symbol.as_deref().unwrap_or("")),
            Some(le.qty_after.to_string()),
            le.price.map(|p| p.to_string()),
        ),
        LedgerKind::Split => (
            format!("{}:{} split of {}", le.ratio.0, le.ratio.1, symbol.as_deref().unwrap_or("")),
            Some(le.qty_delta.to_string()),
            None,
        ),
        LedgerKind::Interest => ("margin interest".to_string(), None, None),
        _ => ("short borrow fee".to_string(), None, None),
    };
    Activity::NonTrade(NonTradeActivity {
        id,
        account_id: account.to_string(),
        activity_type: activity_type(le.kind),
        date: to_new_york(le.ts).date().format("%Y-%m-%d").to_string(),
        net_amount: le.cash_delta.to_string(),
        description,
        status: "executed",
        symbol,
        qty,
        per_share_amount: per_share,
    })
}

/// The whole ledger of the key's entry, in sequence order.
pub async fn entry_ledger(state: &AppState, ctx: &KeyContext) -> AlpacaResult<Vec<LedgerEntry>> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let chunk = state.store.ledger(ctx.key.tournament_id, Some(ctx.key.entry_id), after, LEDGER_CHUNK).await?;
        let done = (chunk.len() as i64) < LEDGER_CHUNK;
        if let Some(last) = chunk.last() {
            after = last.seq;
        }
        out.extend(chunk);
        if done {
            return Ok(out);
        }
    }
}

async fn list(state: &AppState, caller: &Caller, filter: ActivityFilter) -> AlpacaResult<Json<Vec<Activity>>> {
    let ctx = KeyContext::of(state, caller).await?;
    let ledger = entry_ledger(state, &ctx).await?;
    let account = account_uuid(ctx.key.entry_id);
    // Look up the orders behind the fills of this page only.
    let first = page(&ledger, &filter, &account, &HashMap::new());
    let mut orders = HashMap::new();
    for a in &first {
        if let Activity::Trade(t) = a {
            if let Some(id) = super::json::parse_order_id(&t.order_id) {
                if let std::collections::hash_map::Entry::Vacant(slot) = orders.entry(id) {
                    if let Some(o) = state.store.order(id).await? {
                        slot.insert(o);
                    }
                }
            }
        }
    }
    if orders.is_empty() {
        return Ok(Json(first));
    }
    Ok(Json(page(&ledger, &filter, &account, &orders)))
}

async fn all(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaQuery(query): AlpacaQuery<ActivityQuery>,
) -> AlpacaResult<Json<Vec<Activity>>> {
    let filter = query.parse(None)?;
    list(&state, &caller, filter).await
}

async fn of_type(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaPath(kind): AlpacaPath<String>,
    AlpacaQuery(query): AlpacaQuery<ActivityQuery>,
) -> AlpacaResult<Json<Vec<Activity>>> {
    let filter = query.parse(Some(&kind))?;
    list(&state, &caller, filter).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use bullpen_domain::{EntryId, Money, Price, Symbol, TournamentId};

    fn le(seq: i64, kind: LedgerKind, qty: i64, order: Option<i64>) -> LedgerEntry {
        LedgerEntry {
            seq,
            tournament_id: TournamentId(1),
            entry_id: EntryId(1),
            ts: Ts(1_767_623_400_000_000 + seq * 1_000_000),
            kind,
            symbol: (kind != LedgerKind::Deposit).then(|| Symbol::parse("AAA").unwrap()),
            qty_delta: Qty(qty),
            cash_delta: Money::from_dollars(if kind == LedgerKind::Deposit { 100_000 } else { -qty * 100 }),
            price: (kind == LedgerKind::Trade).then_some(Price::from_dollars(100)),
            fee: Money::ZERO,
            order_id: order.map(OrderId),
            ratio: (0, 0),
            cash_after: Money::ZERO,
            qty_after: Qty(0),
        }
    }

    #[test]
    fn pages_walk_the_ledger_both_ways() {
        let ledger = vec![
            le(1, LedgerKind::Deposit, 0, None),
            le(2, LedgerKind::Trade, 5, Some(9)),
            le(3, LedgerKind::Trade, 5, Some(9)),
        ];
        let all = ActivityQuery::default().parse(None).unwrap();
        let p = page(&ledger, &all, "acct", &HashMap::new());
        assert_eq!(p.len(), 3);
        let Activity::Trade(newest) = &p[0] else { panic!("fill first") };
        assert_eq!((newest.cum_qty.as_str(), newest.qty.as_str()), ("10", "5"));
        let first_page =
            ActivityQuery { page_size: Some("2".into()), direction: Some("asc".into()), ..Default::default() }
                .parse(None)
                .unwrap();
        let p = page(&ledger, &first_page, "acct", &HashMap::new());
        assert_eq!(p.len(), 2);
        let Activity::Trade(second) = &p[1] else { panic!("fill second") };
        let next = ActivityQuery {
            page_size: Some("2".into()),
            direction: Some("asc".into()),
            page_token: Some(second.id.clone()),
            ..Default::default()
        }
        .parse(None)
        .unwrap();
        assert_eq!(page(&ledger, &next, "acct", &HashMap::new()).len(), 1);
        let csd = ActivityQuery::default().parse(Some("csd")).unwrap();
        let p = page(&ledger, &csd, "acct", &HashMap::new());
        assert!(matches!(&p[..], [Activity::NonTrade(n)] if n.activity_type == "CSD" && n.net_amount == "100000.00"));
    }
}
