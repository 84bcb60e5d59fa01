//! Tournaments: list, show, join and the tournament leaderboard; also the rule types the admin
//! routes accept.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use bullpen_domain as domain;
use bullpen_domain::scoring::percentile;
use bullpen_domain::{ChallengeRules, EntryId, Tournament, TournamentRules, TournamentState};
use bullpen_engine::LeaderboardRow;
use bullpen_store::FinalStanding;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{
    into_page, live_handle, number_cursor, page, page_limit, parse_money, parse_price, ts, visible_tournament,
    PageQuery, TournamentPath,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{PathParams, QueryParams};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Largest `max_orders_per_day` accepted.
pub const MAX_ORDERS_PER_DAY: u32 = 1_000_000;
/// Largest `min_trading_days` of a challenge accepted.
pub const MAX_TRADING_DAYS: u32 = 100_000;

/// Kind of a tournament.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TournamentKind {
    /// One of the automatic quarterly seasons.
    Season,
    /// Created by an admin.
    AdHoc,
    /// An evaluation challenge with objective rules.
    Challenge,
}

impl From<domain::TournamentKind> for TournamentKind {
    fn from(k: domain::TournamentKind) -> Self {
        match k {
            domain::TournamentKind::Season => TournamentKind::Season,
            domain::TournamentKind::AdHoc => TournamentKind::AdHoc,
            domain::TournamentKind::Challenge => TournamentKind::Challenge,
        }
    }
}

/// Lifecycle state of a tournament: draft → registration → running → finished → archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleState {
    /// Being set up (visible to admins only).
    Draft,
    /// Open for entries.
    Registration,
    /// Trading.
    Running,
    /// Standings frozen.
    Finished,
    /// Kept for history.
    Archived,
}

impl From<TournamentState> for LifecycleState {
    fn from(s: TournamentState) -> Self {
        match s {
            TournamentState::Draft => LifecycleState::Draft,
            TournamentState::Registration => LifecycleState::Registration,
            TournamentState::Running => LifecycleState::Running,
            TournamentState::Finished => LifecycleState::Finished,
            TournamentState::Archived => LifecycleState::Archived,
        }
    }
}

impl From<LifecycleState> for TournamentState {
    fn from(s: LifecycleState) -> Self {
        match s {
            LifecycleState::Draft => TournamentState::Draft,
            LifecycleState::Registration => TournamentState::Registration,
            LifecycleState::Running => TournamentState::Running,
            LifecycleState::Finished => TournamentState::Finished,
            LifecycleState::Archived => TournamentState::Archived,
        }
    }
}

/// Commission charged on each fill; the parts add up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CommissionBody {
    /// Flat amount per fill (decimal string).
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub per_trade: String,
    /// Amount per share (decimal string).
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub per_share: String,
    /// Basis points of the notional.
    #[schema(minimum = 0, maximum = 10000)]
    pub bps: i64,
    /// Minimum per fill (decimal string).
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub minimum: String,
}

impl Default for CommissionBody {
    fn default() -> Self {
        RulesBody::from_rules(&TournamentRules::default()).commission
    }
}

/// Which instruments may be traded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UniverseKind {
    /// Every active instrument.
    All,
    /// Only the symbols in `values`.
    Symbols,
    /// Only instruments of the sectors in `values`.
    Sectors,
}

/// The tradable universe.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UniverseBody {
    /// Kind of universe.
    pub kind: UniverseKind,
    /// Symbols or sectors (empty for `all`).
    #[serde(default)]
    #[schema(max_items = 5000)]
    pub values: Vec<String>,
}

/// Margin trading.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarginBody {
    /// Buying power as a multiple of equity, in basis points (20000 = 2×).
    #[schema(minimum = 10000, maximum = 100000)]
    pub buying_power_multiple_bps: i64,
    /// Annual interest on borrowed cash, in basis points.
    #[schema(minimum = 0, maximum = 10000)]
    pub interest_bps_per_year: i64,
}

/// Ranking method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoringName {
    /// Equity over starting cash.
    TotalReturn,
    /// Sharpe ratio of daily returns.
    Sharpe,
    /// Sortino ratio of daily returns.
    Sortino,
    /// Total return minus a weighted maximum drawdown.
    DrawdownPenalised,
}

/// How entries are ranked.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringBody {
    /// Method.
    pub method: ScoringName,
    /// Weight of the drawdown in basis points (only for `drawdown_penalised`).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub penalty_bps: Option<i64>,
}

/// Every rule of a tournament. In requests, absent fields take the defaults (a plain cash
/// account with free trading and $100,000 starting cash).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RulesBody {
    /// Cash each entry starts with (decimal string).
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub starting_cash: String,
    /// Commission per fill.
    pub commission: CommissionBody,
    /// Tradable instruments.
    pub universe: UniverseBody,
    /// Whether short selling is allowed.
    pub short_selling: bool,
    /// Minimum price to open a short (decimal string).
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub short_min_price: String,
    /// Annual borrow fee on shorts, basis points.
    #[schema(minimum = 0, maximum = 10000)]
    pub borrow_fee_bps_per_year: i64,
    /// Margin, if allowed.
    pub margin: Option<MarginBody>,
    /// Largest position as basis points of equity.
    #[schema(minimum = 1, maximum = 100000)]
    pub max_position_weight_bps: Option<i64>,
    /// Minimum share price to buy (decimal string).
    #[schema(pattern = "^[0-9]{1,12}(\\.[0-9]{1,4})?$")]
    pub min_share_price: Option<String>,
    /// Most orders per entry and trading day.
    #[schema(minimum = 1, maximum = 1000000)]
    pub max_orders_per_day: Option<u32>,
    /// Delay of the quotes players see, seconds.
    #[schema(minimum = 0, maximum = 86400)]
    pub quote_delay_seconds: i64,
    /// Minimum holding time of a lot, seconds.
    #[schema(minimum = 0)]
    pub min_holding_seconds: i64,
    /// Whether players may join after the start.
    pub late_entry: bool,
    /// Slippage of market orders, basis points.
    #[schema(minimum = 0, maximum = 10000)]
    pub slippage_bps: i64,
    /// Largest share of the day's volume one fill may take, basis points.
    #[schema(minimum = 1, maximum = 10000)]
    pub volume_cap_bps: Option<i64>,
    /// Ranking method.
    pub scoring: ScoringBody,
}

impl Default for RulesBody {
    fn default() -> Self {
        RulesBody::from_rules(&TournamentRules::default())
    }
}

impl RulesBody {
    /// The API form of domain rules.
    pub fn from_rules(r: &TournamentRules) -> RulesBody {
        let (kind, values) = match &r.universe {
            domain::Universe::All => (UniverseKind::All, Vec::new()),
            domain::Universe::Symbols(s) => (UniverseKind::Symbols, s.iter().map(|s| s.to_string()).collect()),
            domain::Universe::Sectors(s) => (UniverseKind::Sectors, s.clone()),
        };
        let scoring = match r.scoring {
            domain::ScoringMethod::TotalReturn => ScoringBody { method: ScoringName::TotalReturn, penalty_bps: None },
            domain::ScoringMethod::Sharpe => ScoringBody { method: ScoringName::Sharpe, penalty_bps: None },
            domain::ScoringMethod::Sortino => ScoringBody { method: ScoringName::Sortino, penalty_bps: None },
            domain::ScoringMethod::DrawdownPenalised { penalty_bps } => {
                ScoringBody { method: ScoringName::DrawdownPenalised, penalty_bps: Some(penalty_bps) }
            }
        };
        RulesBody {
            starting_cash: r.starting_cash.to_string(),
            commission: CommissionBody {
                per_trade: r.commission.per_trade.to_string(),
                per_share: r.commission.per_share.to_string(),
                bps: r.commission.bps,
                minimum: r.commission.minimum.to_string(),
            },
            universe: UniverseBody { kind, values },
            short_selling: r.short_selling,
            short_min_price: r.short_min_price.to_string(),
            borrow_fee_bps_per_year: r.borrow_fee_bps_per_year,
            margin: r.margin.as_ref().map(|m| MarginBody {
                buying_power_multiple_bps: m.buying_power_multiple_bps,
                interest_bps_per_year: m.interest_bps_per_year,
            }),
            max_position_weight_bps: r.max_position_weight_bps,
            min_share_price: r.min_share_price.map(|p| p.to_string()),
            max_orders_per_day: r.max_orders_per_day,
            quote_delay_seconds: r.quote_delay_seconds,
            min_holding_seconds: r.min_holding_seconds,
            late_entry: r.late_entry,
            slippage_bps: r.slippage_bps,
            volume_cap_bps: r.volume_cap_bps,
            scoring,
        }
    }

    /// The domain rules; 422 naming the first field that does not parse. Ranges are checked by
    /// the tournament validation afterwards.
    pub fn to_rules(&self) -> ApiResult<TournamentRules> {
        let universe = match self.universe.kind {
            UniverseKind::All if self.universe.values.is_empty() => domain::Universe::All,
            UniverseKind::All => return Err(ApiError::invalid("universe `all` takes no values")),
            UniverseKind::Symbols => {
                let mut symbols = Vec::with_capacity(self.universe.values.len());
                for s in &self.universe.values {
                    symbols.push(domain::Symbol::parse(s).map_err(|e| ApiError::invalid(format!("universe: {e}")))?);
                }
                domain::Universe::Symbols(symbols)
            }
            UniverseKind::Sectors => {
                if self.universe.values.iter().any(|s| s.chars().count() > 100 || s.chars().any(char::is_control)) {
                    return Err(ApiError::invalid(
                        "universe: sectors are at most 100 characters, no control characters",
                    ));
                }
                domain::Universe::Sectors(self.universe.values.clone())
            }
        };
        let scoring = match (self.scoring.method, self.scoring.penalty_bps) {
            (ScoringName::DrawdownPenalised, Some(penalty_bps)) => {
                domain::ScoringMethod::DrawdownPenalised { penalty_bps }
            }
            (ScoringName::DrawdownPenalised, None) => {
                return Err(ApiError::invalid("scoring `drawdown_penalised` needs penalty_bps"))
            }
            (_, Some(_)) => return Err(ApiError::invalid("penalty_bps applies only to `drawdown_penalised`")),
            (ScoringName::TotalReturn, None) => domain::ScoringMethod::TotalReturn,
            (ScoringName::Sharpe, None) => domain::ScoringMethod::Sharpe,
            (ScoringName::Sortino, None) => domain::ScoringMethod::Sortino,
        };
        if self.max_orders_per_day.is_some_and(|n| n > MAX_ORDERS_PER_DAY) {
            return Err(ApiError::invalid(format!("max_orders_per_day must be at most {MAX_ORDERS_PER_DAY}")));
        }
        Ok(TournamentRules {
            starting_cash: parse_money("starting_cash", &self.starting_cash)?,
            commission: domain::CommissionModel {
                per_trade: parse_money("commission.per_trade", &self.commission.per_trade)?,
                per_share: parse_money("commission.per_share", &self.commission.per_share)?,
                bps: self.commission.bps,
                minimum: parse_money("commission.minimum", &self.commission.minimum)?,
            },
            universe,
            short_selling: self.short_selling,
            short_min_price: parse_price("short_min_price", &self.short_min_price)?,
            borrow_fee_bps_per_year: self.borrow_fee_bps_per_year,
            margin: self.margin.as_ref().map(|m| domain::MarginRules {
                buying_power_multiple_bps: m.buying_power_multiple_bps,
                interest_bps_per_year: m.interest_bps_per_year,
            }),
            max_position_weight_bps: self.max_position_weight_bps,
            min_share_price: match &self.min_share_price {
                Some(p) => Some(parse_price("min_share_price", p)?),
                None => None,
            },
            max_orders_per_day: self.max_orders_per_day,
            quote_delay_seconds: self.quote_delay_seconds,
            min_holding_seconds: self.min_holding_seconds,
            late_entry: self.late_entry,
            slippage_bps: self.slippage_bps,
            volume_cap_bps: self.volume_cap_bps,
            scoring,
        })
    }
}

/// Objective rules of an evaluation challenge (absent fields take the defaults).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ChallengeBody {
    /// Profit needed to pass, basis points.
    #[schema(minimum = 1)]
    pub profit_target_bps: i64,
    /// Largest loss within a day, basis points of start-of-day equity.
    #[schema(minimum = 1, maximum = 10000)]
    pub max_daily_loss_bps: i64,
    /// Largest loss overall, basis points.
    #[schema(minimum = 1, maximum = 10000)]
    pub max_total_loss_bps: i64,
    /// Measure the total loss from the high-water mark.
    pub trailing_total_loss: bool,
    /// Days with a trade needed to pass.
    #[schema(minimum = 0, maximum = 100000)]
    pub min_trading_days: u32,
    /// Largest share of the total profit the best day may have, basis points.
    #[schema(minimum = 1, maximum = 10000)]
    pub max_best_day_share_bps: Option<i64>,
}

impl Default for ChallengeBody {
    fn default() -> Self {
        ChallengeBody::from_rules(&ChallengeRules::default())
    }
}

impl ChallengeBody {
    /// The API form of challenge rules.
    pub fn from_rules(c: &ChallengeRules) -> ChallengeBody {
        ChallengeBody {
            profit_target_bps: c.profit_target_bps,
            max_daily_loss_bps: c.max_daily_loss_bps,
            max_total_loss_bps: c.max_total_loss_bps,
            trailing_total_loss: c.trailing_total_loss,
            min_trading_days: c.min_trading_days,
            max_best_day_share_bps: c.max_best_day_share_bps,
        }
    }

    /// The domain rules; 422 beyond the documented ranges (the rest is checked by the
    /// tournament validation).
    pub fn to_rules(&self) -> ApiResult<ChallengeRules> {
        if self.min_trading_days > MAX_TRADING_DAYS {
            return Err(ApiError::invalid(format!("min_trading_days must be at most {MAX_TRADING_DAYS}")));
        }
        Ok(ChallengeRules {
            profit_target_bps: self.profit_target_bps,
            max_daily_loss_bps: self.max_daily_loss_bps,
            max_total_loss_bps: self.max_total_loss_bps,
            trailing_total_loss: self.trailing_total_loss,
            min_trading_days: self.min_trading_days,
            max_best_day_share_bps: self.max_best_day_share_bps,
        })
    }
}

/// A tournament in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TournamentSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: TournamentKind,
    /// Lifecycle state.
    pub state: LifecycleState,
    /// First trading day.
    pub starts_on: NaiveDate,
    /// Last trading day.
    pub ends_on: NaiveDate,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Tournament> for TournamentSummary {
    fn from(t: &Tournament) -> Self {
        TournamentSummary {
            id: t.id.0,
            name: t.name.clone(),
            kind: t.kind.into(),
            state: t.state.into(),
            starts_on: t.starts_on,
            ends_on: t.ends_on,
            created_at: ts(t.created_at),
        }
    }
}

/// A tournament with its rules and entry count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TournamentDetail {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: TournamentKind,
    /// Lifecycle state.
    pub state: LifecycleState,
    /// First trading day.
    pub starts_on: NaiveDate,
    /// Last trading day.
    pub ends_on: NaiveDate,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Rules.
    pub rules: RulesBody,
    /// Objective rules, for evaluation challenges.
    pub challenge: Option<ChallengeBody>,
    /// Number of entries.
    pub entries: u64,
}

impl TournamentDetail {
    /// The detail view of a tournament with `entries` entries.
    pub fn of(t: &Tournament, entries: u64) -> TournamentDetail {
        TournamentDetail {
            id: t.id.0,
            name: t.name.clone(),
            kind: t.kind.into(),
            state: t.state.into(),
            starts_on: t.starts_on,
            ends_on: t.ends_on,
            created_at: ts(t.created_at),
            rules: RulesBody::from_rules(&t.rules),
            challenge: t.challenge.as_ref().map(ChallengeBody::from_rules),
            entries,
        }
    }
}

/// Number of entries of a tournament: from the live leaderboard when it runs, else the store.
pub async fn entry_count(state: &AppState, t: &Tournament) -> ApiResult<u64> {
    if let Some(handle) = state.engine.handle(t.id) {
        return Ok(handle.leaderboard().rows.len() as u64);
    }
    Ok(state.store.entries(t.id).await?.len() as u64)
}

page!(
    /// A page of tournaments, by id.
    TournamentPage,
    TournamentSummary
);

/// Filters of the tournament list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TournamentListQuery {
    /// Only tournaments in this state.
    #[param(inline)]
    pub state: Option<LifecycleState>,
    /// Most items to return (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Cursor: the `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub after: Option<String>,
}

/// Lists tournaments by id (drafts only for admins).
#[utoipa::path(
    get,
    path = "/api/v1/tournaments",
    tag = "tournaments",
    params(TournamentListQuery),
    responses(
        (status = 200, description = "A page of tournaments", body = TournamentPage),
        (status = 400, description = "Bad query string or cursor", body = ErrorBody),
        (status = 401, description = "Invalid API key headers", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<TournamentListQuery>,
) -> ApiResult<Json<TournamentPage>> {
    let limit = page_limit(q.limit)?;
    let after = number_cursor(q.after.as_deref())?.unwrap_or(i64::MIN);
    let admin = super::common::is_admin(&caller);
    let mut all = state.store.tournaments().await?;
    all.sort_by_key(|t| t.id);
    let wanted = q.state.map(TournamentState::from);
    let items: Vec<TournamentSummary> = all
        .iter()
        .filter(|t| t.id.0 > after)
        .filter(|t| admin || t.state != TournamentState::Draft)
        .filter(|t| wanted.is_none_or(|s| t.state == s))
        .take(limit + 1)
        .map(TournamentSummary::from)
        .collect();
    let (items, next) = into_page(items, limit, |t| t.id.to_string());
    Ok(Json(TournamentPage { items, next }))
}

/// One tournament with its rules, dates, state and entry count.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}",
    tag = "tournaments",
    params(TournamentPath),
    responses(
        (status = 200, description = "The tournament", body = TournamentDetail),
        (status = 400, description = "Bad path parameter", body = ErrorBody),
        (status = 401, description = "Invalid API key headers", body = ErrorBody),
        (status = 404, description = "No such tournament", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
) -> ApiResult<Json<TournamentDetail>> {
    let t = visible_tournament(&state, &caller, p.tournament_id).await?;
    let entries = entry_count(&state, &t).await?;
    Ok(Json(TournamentDetail::of(&t, entries)))
}

/// The caller's entry in a tournament.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    /// Entry id.
    pub entry_id: i64,
    /// Tournament.
    pub tournament_id: i64,
    /// Name on leaderboards.
    pub display_name: String,
    /// When the player joined.
    #[schema(format = DateTime)]
    pub joined_at: String,
}

/// Joins the signed-in user to a tournament open for entries.
#[utoipa::path(
    post,
    path = "/api/v1/tournaments/{tournament_id}/join",
    tag = "tournaments",
    params(TournamentPath),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Joined; the new entry", body = EntryView),
        (status = 400, description = "Bad path parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "API keys cannot join, or the CSRF token is missing", body = ErrorBody),
        (status = 404, description = "No such tournament", body = ErrorBody),
        (status = 409, description = "Already joined (`already_joined`) or not open for entries (`tournament_not_open`)", body = ErrorBody),
        (status = 422, description = "Refused by the rules (e.g. `late_entry_not_allowed`)", body = ErrorBody),
        (status = 503, description = "The tournament engine is unavailable", body = ErrorBody),
    )
)]
pub async fn join(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
) -> ApiResult<(StatusCode, Json<EntryView>)> {
    let entry = join_tournament(&state, &caller, p.tournament_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(EntryView {
            entry_id: entry.id.0,
            tournament_id: entry.tournament_id.0,
            display_name: entry.display_name,
            joined_at: ts(entry.joined_at),
        }),
    ))
}

/// Joins the signed-in caller to a tournament open for entries: 409 `already_joined` or
/// `tournament_not_open`, or the engine's refusal (e.g. `late_entry_not_allowed`).
pub async fn join_tournament(state: &AppState, caller: &Caller, tournament_id: i64) -> ApiResult<domain::Entry> {
    let user = caller.user()?;
    let t = visible_tournament(state, caller, tournament_id).await?;
    if state.store.entry_of_user(t.id, user.user_id).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_joined",
            format!("you have already joined tournament {}", t.id.0),
        ));
    }
    if !matches!(t.state, TournamentState::Registration | TournamentState::Running) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "tournament_not_open",
            format!("tournament {} is {}; it does not take entries", t.id.0, t.state.as_str()),
        ));
    }
    let handle = live_handle(state, &t).await?;
    let display_name = match state.store.user(user.user_id).await? {
        Some(u) => u.display_name,
        None => user.handle.clone(),
    };
    Ok(handle.join(user.user_id, &display_name).await?)
}

/// One row of a leaderboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderboardItem {
    /// 1-based rank.
    pub rank: u32,
    /// Entry id.
    pub entry_id: i64,
    /// Name shown.
    pub display_name: String,
    /// Equity (decimal string).
    #[schema(value_type = String)]
    pub equity: domain::Money,
    /// Score (total return as a fraction, or the tournament's ratio).
    pub score: f64,
    /// Percentile (100 = best).
    pub percentile: f64,
    /// Badges awarded at the finish.
    pub badges: Vec<String>,
}

/// A page of a leaderboard, by rank.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeaderboardPage {
    /// Rows of this page.
    pub items: Vec<LeaderboardItem>,
    /// Cursor of the next page (pass it as `after`); null on the last page.
    pub next: Option<String>,
    /// Number of ranked entries.
    pub total: u64,
    /// Whether these are the frozen final standings.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Engine time of a live leaderboard.
    #[schema(format = DateTime)]
    pub as_of: Option<String>,
}

fn live_item(row: &LeaderboardRow, name: &str) -> LeaderboardItem {
    LeaderboardItem {
        rank: row.rank,
        entry_id: row.entry_id.0,
        display_name: name.to_string(),
        equity: row.equity,
        score: row.score as f64 / 1_000_000.0,
        percentile: row.percentile,
        badges: Vec::new(),
    }
}

/// Rows by rank (ranks are 1, 2, 3, …) cut into the page after rank `after`.
fn rank_page<T>(rows: &[T], after: Option<i64>, limit: usize) -> &[T] {
    let start = after.map_or(0, |r| usize::try_from(r).unwrap_or(usize::MAX)).min(rows.len());
    let end = start.saturating_add(limit + 1).min(rows.len());
    rows.get(start..end).unwrap_or(&[])
}

/// A page (after rank `after`) of the ranking of a tournament, or of some of its entries (a
/// league, re-ranked among them): the frozen standings once finished, the live leaderboard
/// while its sequencer runs, empty otherwise.
pub async fn ranking(
    state: &AppState,
    t: &Tournament,
    members: Option<&[EntryId]>,
    after: Option<i64>,
    limit: usize,
) -> ApiResult<LeaderboardPage> {
    let (rows, total, is_final, as_of) = if t.state >= TournamentState::Finished {
        let standings = state.store.final_standings(t.id).await?;
        let chosen: Vec<&FinalStanding> = match members {
            None => standings.iter().collect(),
            Some(m) => standings.iter().filter(|s| m.contains(&s.entry_id)).collect(),
        };
        let n = chosen.len() as u32;
        let page = rank_page(&chosen, after, limit);
        let names: HashMap<EntryId, String> = if page.is_empty() {
            HashMap::new()
        } else {
            state.store.entries(t.id).await?.into_iter().map(|e| (e.id, e.display_name)).collect()
        };
        let start = after.map_or(0, |r| r.max(0) as u32);
        let rows = page
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let rank = if members.is_some() { start + i as u32 + 1 } else { s.rank };
                LeaderboardItem {
                    rank,
                    entry_id: s.entry_id.0,
                    display_name: names.get(&s.entry_id).cloned().unwrap_or_default(),
                    equity: s.equity,
                    score: s.score as f64 / 1_000_000.0,
                    percentile: percentile(rank, n),
                    badges: s.badges.clone(),
                }
            })
            .collect();
        (rows, u64::from(n), true, None)
    } else if let Some(handle) = state.engine.handle(t.id) {
        let board = handle.leaderboard();
        let item = |r: &LeaderboardRow| live_item(r, board.name(r.entry_id));
        let (rows, total) = match members {
            None => (rank_page(&board.rows, after, limit).iter().map(item).collect(), board.rows.len()),
            Some(m) => {
                let subset = board.subset(m);
                (rank_page(&subset, after, limit).iter().map(item).collect(), subset.len())
            }
        };
        (rows, total as u64, false, Some(ts(board.as_of)))
    } else {
        (Vec::new(), 0, false, None)
    };
    let (items, next) = into_page(rows, limit, |r: &LeaderboardItem| r.rank.to_string());
    Ok(LeaderboardPage { items, next, total, is_final, as_of })
}

/// The tournament leaderboard by rank: live while running, the frozen standings once finished.
#[utoipa::path(
    get,
    path = "/api/v1/tournaments/{tournament_id}/leaderboard",
    tag = "tournaments",
    params(TournamentPath, PageQuery),
    responses(
        (status = 200, description = "A page of the leaderboard", body = LeaderboardPage),
        (status = 400, description = "Bad path parameter, query string or cursor", body = ErrorBody),
        (status = 401, description = "Invalid API key headers", body = ErrorBody),
        (status = 404, description = "No such tournament", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
    )
)]
pub async fn leaderboard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<LeaderboardPage>> {
    let limit = page_limit(q.limit)?;
    let after = number_cursor(q.after.as_deref())?;
    let t = visible_tournament(&state, &caller, p.tournament_id).await?;
    Ok(Json(ranking(&state, &t, None, after, limit).await?))
}

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/tournaments", Access::Public, get(list))
        .get("/api/v1/tournaments/{tournament_id}", Access::Public, get(show))
        .post("/api/v1/tournaments/{tournament_id}/join", Access::SignedIn, post(join))
        .get("/api/v1/tournaments/{tournament_id}/leaderboard", Access::Public, get(leaderboard))
}
