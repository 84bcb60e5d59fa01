//! Administration of tournaments and instruments. Every action is recorded in the audit log.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::Json;
use bullpen_domain::lifecycle::validate_new_tournament;
use bullpen_domain::{
    Instrument, Symbol, Tournament, TournamentId, TournamentKind as DomainKind, TournamentState, UserId,
};
use bullpen_store::{NewInstrument, NewTournament};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::common::{load_error, TournamentPath};
use super::market::{find_instrument, InstrumentStatus, InstrumentView, SymbolPath};
use super::tournaments::{entry_count, ChallengeBody, LifecycleState, RulesBody, TournamentDetail};
use crate::audit;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{JsonBody, PathParams};
use crate::identity::Caller;
use crate::policy::ADMIN;
use crate::routes::Routes;
use crate::state::AppState;

/// Most instruments in one upsert.
pub const MAX_UPSERT: usize = 1000;

/// Kinds an admin can create (seasons are created by the scheduler).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NewTournamentKind {
    /// An ad-hoc tournament.
    #[default]
    AdHoc,
    /// An evaluation challenge (needs `challenge`).
    Challenge,
}

/// States a tournament can be created in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitialState {
    /// Invisible to players until published.
    #[default]
    Draft,
    /// Open for entries at once.
    Registration,
}

/// A tournament to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Summer Sprint", "starts_on": "2026-07-01", "ends_on": "2026-09-30", "state": "registration"}))]
pub struct NewTournamentBody {
    /// Unique name (1–100 characters).
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Kind (default `ad_hoc`).
    #[serde(default)]
    pub kind: NewTournamentKind,
    /// Initial state (default `draft`).
    #[serde(default)]
    pub state: InitialState,
    /// First trading day.
    pub starts_on: NaiveDate,
    /// Last trading day.
    pub ends_on: NaiveDate,
    /// Rules (defaults for absent fields).
    #[serde(default)]
    pub rules: Option<RulesBody>,
    /// Objective rules; required for challenges, refused otherwise.
    #[serde(default)]
    pub challenge: Option<ChallengeBody>,
}

fn actor(caller: &Caller) -> ApiResult<UserId> {
    Ok(caller.user()?.user_id)
}

/// Creates a tournament.
#[utoipa::path(
    post,
    path = "/api/v1/admin/tournaments",
    tag = "admin",
    request_body = NewTournamentBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "The new tournament", body = TournamentDetail),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or the CSRF token is missing", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Invalid name, dates or rules", body = ErrorBody),
    )
)]
pub async fn create_tournament(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewTournamentBody>,
) -> ApiResult<(StatusCode, Json<TournamentDetail>)> {
    let actor = actor(&caller)?;
    let rules = body.rules.clone().unwrap_or_default().to_rules()?;
    let kind = match body.kind {
        NewTournamentKind::AdHoc => DomainKind::AdHoc,
        NewTournamentKind::Challenge => DomainKind::Challenge,
    };
    if kind != DomainKind::Challenge && body.challenge.is_some() {
        return Err(ApiError::invalid("challenge rules apply only to kind `challenge`"));
    }
    let new = NewTournament {
        name: body.name.trim().to_string(),
        kind,
        state: match body.state {
            InitialState::Draft => TournamentState::Draft,
            InitialState::Registration => TournamentState::Registration,
        },
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        rules,
        challenge: body.challenge.as_ref().map(ChallengeBody::to_rules).transpose()?,
        created_at: state.clock.now(),
    };
    let t = new_tournament(&state, actor, new).await?;
    Ok((StatusCode::CREATED, Json(TournamentDetail::of(&t, 0))))
}

/// Validates and creates a tournament (audited): 422 for invalid fields, 409 for a taken name.
/// Shared by the JSON API and the admin pages.
pub async fn new_tournament(state: &AppState, actor: UserId, new: NewTournament) -> ApiResult<Tournament> {
    if new.kind != DomainKind::Challenge && new.challenge.is_some() {
        return Err(ApiError::invalid("challenge rules apply only to kind `challenge`"));
    }
    let t = bullpen_engine::admin::create_tournament(state.store.as_ref(), new).await?;
    audit::record(
        state,
        Some(actor),
        "admin.tournament.create",
        t.id,
        json!({"name": t.name, "kind": t.kind.as_str(), "state": t.state.as_str()}),
    )
    .await?;
    Ok(t)
}

/// Replaces the name, dates, rules and challenge objectives of a tournament that is still a
/// draft or open for registration (audited); its kind, state and creation time are kept. 404
/// for an unknown tournament, 409 `not_editable` once it runs (or for a new starting cash once
/// players have joined), 409 for a taken name, 422 for invalid fields. A running sequencer is
/// restarted so it trades under the new rules. Used by the admin pages.
pub async fn edit_tournament(state: &AppState, actor: UserId, edited: Tournament) -> ApiResult<Tournament> {
    let id = edited.id;
    let current =
        state.store.tournament(id).await?.ok_or_else(|| ApiError::not_found(format!("no tournament {}", id.0)))?;
    let not_editable = |why: String| ApiError::new(StatusCode::CONFLICT, "not_editable", why);
    if !matches!(current.state, TournamentState::Draft | TournamentState::Registration) {
        return Err(not_editable(format!(
            "tournament {} is {}; only drafts and tournaments open for registration can be edited",
            id.0,
            current.state.as_str()
        )));
    }
    let name = edited.name.trim().to_string();
    validate_new_tournament(&name, edited.starts_on, edited.ends_on, &edited.rules, edited.challenge.as_ref())
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    match (current.kind == DomainKind::Challenge, edited.challenge.is_some()) {
        (true, false) => return Err(ApiError::invalid("an evaluation challenge needs its objective rules")),
        (false, true) => return Err(ApiError::invalid("challenge rules apply only to kind `challenge`")),
        _ => {}
    }
    if edited.rules.starting_cash != current.rules.starting_cash && entry_count(state, &current).await? > 0 {
        return Err(not_editable("the starting cash cannot change once players have joined".into()));
    }
    let updated =
        Tournament { name, kind: current.kind, state: current.state, created_at: current.created_at, ..edited };
    state.store.update_tournament(&updated).await?;
    if state.engine.handle(id).is_some() {
        state.engine.stop(id).await?;
        state.engine.start(id).await.map_err(load_error)?;
    }
    let detail = json!({
        "name": updated.name,
        "dates_changed": (updated.starts_on, updated.ends_on) != (current.starts_on, current.ends_on),
        "rules_changed": updated.rules != current.rules,
        "challenge_changed": updated.challenge != current.challenge,
    });
    audit::record(state, Some(actor), "admin.tournament.update", id, detail).await?;
    Ok(updated)
}

/// A lifecycle state to move to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"state": "registration"}))]
pub struct StateBody {
    /// The next state: one step forward, or `archived` for a draft.
    pub state: LifecycleState,
}

/// Moves a tournament one step through its lifecycle. Opening registration or starting starts
/// its sequencer; finishing freezes the standings and stops it.
#[utoipa::path(
    put,
    path = "/api/v1/admin/tournaments/{tournament_id}/state",
    tag = "admin",
    params(TournamentPath),
    request_body = StateBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The tournament in its new state", body = TournamentDetail),
        (status = 400, description = "Malformed JSON or bad path parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or the CSRF token is missing", body = ErrorBody),
        (status = 404, description = "No such tournament", body = ErrorBody),
        (status = 409, description = "Not a legal transition from the current state (`illegal_transition`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Unknown state", body = ErrorBody),
        (status = 503, description = "The tournament engine is unavailable", body = ErrorBody),
    )
)]
pub async fn set_state(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    JsonBody(body): JsonBody<StateBody>,
) -> ApiResult<Json<TournamentDetail>> {
    let actor = actor(&caller)?;
    let t = move_tournament(&state, actor, TournamentId(p.tournament_id), TournamentState::from(body.state)).await?;
    let entries = entry_count(&state, &t).await?;
    Ok(Json(TournamentDetail::of(&t, entries)))
}

/// Moves a tournament one step through its lifecycle (audited), starting or stopping its
/// sequencer: 404 for an unknown tournament, 409 `illegal_transition`. Shared by the JSON API
/// and the admin pages.
pub async fn move_tournament(
    state: &AppState,
    actor: UserId,
    id: TournamentId,
    to: TournamentState,
) -> ApiResult<Tournament> {
    let t = state.store.tournament(id).await?.ok_or_else(|| ApiError::not_found(format!("no tournament {}", id.0)))?;
    if !t.state.can_transition_to(to) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            format!("tournament {} is {} and cannot move to {}", id.0, t.state.as_str(), to.as_str()),
        ));
    }
    let mut frozen = 0;
    match to {
        TournamentState::Registration | TournamentState::Running => {
            let handle = match state.engine.handle(id) {
                Some(h) => h,
                None => state.engine.start(id).await.map_err(load_error)?,
            };
            handle.set_state(to).await?;
        }
        TournamentState::Finished | TournamentState::Archived | TournamentState::Draft => {
            match state.engine.handle(id) {
                Some(handle) => {
                    frozen = handle.set_state(to).await?.len();
                    state.engine.stop(id).await?;
                }
                None if to == TournamentState::Finished => {
                    let handle = state.engine.start(id).await.map_err(load_error)?;
                    let result = handle.set_state(to).await;
                    state.engine.stop(id).await?;
                    frozen = result?.len();
                }
                None => state.store.set_tournament_state(id, to).await?,
            }
        }
    }
    audit::record(
        state,
        Some(actor),
        "admin.tournament.state",
        id,
        json!({"from": t.state.as_str(), "to": to.as_str(), "standings_frozen": frozen}),
    )
    .await?;
    state.store.tournament(id).await?.ok_or_else(|| ApiError::not_found(format!("no tournament {}", id.0)))
}

/// An instrument to insert or update.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentInput {
    /// Ticker: 1–12 of `A-Z 0-9 . -`, starting with a letter (upper-cased).
    #[schema(min_length = 1, max_length = 12)]
    pub symbol: String,
    /// Company name (1–200 characters).
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Sector (1–100 characters).
    #[schema(min_length = 1, max_length = 100)]
    pub sector: String,
}

/// Instruments to insert or update (by symbol).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"instruments": [{"symbol": "XYZ", "name": "XYZ Corp.", "sector": "Energy"}]}))]
pub struct UpsertInstrumentsBody {
    /// 1–1000 instruments, each symbol once.
    #[schema(min_items = 1, max_items = 1000)]
    pub instruments: Vec<InstrumentInput>,
}

/// The instruments written.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstrumentList {
    /// In request order.
    pub items: Vec<InstrumentView>,
}

fn check_text(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(format!("must be 1-{max} characters without control characters"));
    }
    Ok(value.to_string())
}

/// Checks one instrument's fields; on failure the field (`symbol`, `name` or `sector`) and
/// what is wrong with it. Shared by the JSON API and the instruments page.
pub fn check_instrument(input: &InstrumentInput) -> Result<NewInstrument, (&'static str, String)> {
    let symbol = Symbol::parse(&input.symbol)
        .ok()
        .filter(|s| s.as_str() == input.symbol.trim().to_ascii_uppercase() && input.symbol.len() <= 12)
        .ok_or_else(|| ("symbol", format!("`{}` is not a valid symbol", input.symbol)))?;
    Ok(NewInstrument {
        symbol,
        name: check_text(&input.name, 200).map_err(|e| ("name", e))?,
        sector: check_text(&input.sector, 100).map_err(|e| ("sector", e))?,
    })
}

/// Inserts new instruments and updates the name and sector of known ones. Running tournaments
/// see new instruments after their sequencer restarts.
#[utoipa::path(
    post,
    path = "/api/v1/admin/instruments",
    tag = "admin",
    request_body = UpsertInstrumentsBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The instruments as stored", body = InstrumentList),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or the CSRF token is missing", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "An invalid or repeated symbol, name or sector", body = ErrorBody),
    )
)]
pub async fn upsert_instruments(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<UpsertInstrumentsBody>,
) -> ApiResult<Json<InstrumentList>> {
    let actor = actor(&caller)?;
    if body.instruments.is_empty() || body.instruments.len() > MAX_UPSERT {
        return Err(ApiError::invalid(format!("send 1-{MAX_UPSERT} instruments")));
    }
    let mut seen = HashSet::new();
    let mut items = Vec::with_capacity(body.instruments.len());
    for (i, input) in body.instruments.iter().enumerate() {
        let item =
            check_instrument(input).map_err(|(field, e)| ApiError::invalid(format!("instruments[{i}].{field} {e}")))?;
        if !seen.insert(item.symbol.clone()) {
            return Err(ApiError::invalid(format!("instruments[{i}]: {} appears twice", item.symbol)));
        }
        items.push(item);
    }
    let stored = upsert(&state, actor, &items).await?;
    Ok(Json(InstrumentList { items: stored.iter().map(InstrumentView::from).collect() }))
}

/// Inserts or updates checked instruments (audited). Shared by the JSON API and the
/// instruments page.
pub async fn upsert(state: &AppState, actor: UserId, items: &[NewInstrument]) -> ApiResult<Vec<Instrument>> {
    let stored = state.store.upsert_instruments(items).await?;
    let symbols: Vec<&str> = stored.iter().take(20).map(|i| i.symbol.as_str()).collect();
    audit::record(
        state,
        Some(actor),
        "admin.instrument.upsert",
        format!("{} instruments", stored.len()),
        json!({"count": stored.len(), "symbols": symbols}),
    )
    .await?;
    Ok(stored)
}

/// A new instrument status.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "halted"}))]
pub struct InstrumentStatusBody {
    /// Tradability.
    pub status: InstrumentStatus,
}

/// Sets an instrument's status (halt, resume, delist). Running sequencers keep the status they
/// loaded until they restart.
#[utoipa::path(
    put,
    path = "/api/v1/admin/instruments/{symbol}/status",
    tag = "admin",
    params(SymbolPath),
    request_body = InstrumentStatusBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The instrument", body = InstrumentView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or the CSRF token is missing", body = ErrorBody),
        (status = 404, description = "No such instrument", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody),
    )
)]
pub async fn set_instrument_status(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<SymbolPath>,
    JsonBody(body): JsonBody<InstrumentStatusBody>,
) -> ApiResult<Json<InstrumentView>> {
    let actor = actor(&caller)?;
    let instrument = set_status(&state, actor, &p.symbol, body.status.into()).await?;
    Ok(Json(InstrumentView::from(&instrument)))
}

/// Sets an instrument's status (audited): 404 for an unknown symbol. Shared by the JSON API and
/// the instruments page.
pub async fn set_status(
    state: &AppState,
    actor: UserId,
    symbol: &str,
    status: bullpen_domain::InstrumentStatus,
) -> ApiResult<Instrument> {
    let mut instrument = find_instrument(state, symbol).await?;
    let from = instrument.status;
    instrument.status = status;
    state.store.set_instrument_status(&instrument.symbol, instrument.status).await?;
    audit::record(
        state,
        Some(actor),
        "admin.instrument.status",
        &instrument.symbol,
        json!({"from": from.as_str(), "to": instrument.status.as_str()}),
    )
    .await?;
    Ok(instrument)
}

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/admin/tournaments", ADMIN, post(create_tournament))
        .put("/api/v1/admin/tournaments/{tournament_id}/state", ADMIN, put(set_state))
        .post("/api/v1/admin/instruments", ADMIN, post(upsert_instruments))
        .put("/api/v1/admin/instruments/{symbol}/status", ADMIN, put(set_instrument_status))
}
