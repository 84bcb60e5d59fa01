//! Private leagues: create inside a tournament, join by invite code, show and rank.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use bullpen_domain::league::{normalize_invite_code, validate_league_name};
use bullpen_domain::{EntryId, League, LeagueId};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{is_admin, number_cursor, page_limit, ts, visible_tournament, PageQuery, TournamentPath};
use super::tournaments::{ranking, LeaderboardPage};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// A new league.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Trading desk"}))]
pub struct NewLeagueBody {
    /// Name (1–60 characters).
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
}

/// An invite code to join with.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "K7QX-M2PA"}))]
pub struct JoinLeagueBody {
    /// The league's invite code (case, spaces and dashes do not matter).
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
}

/// A league, as its members see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeagueView {
    /// League id.
    pub id: i64,
    /// Tournament it belongs to.
    pub tournament_id: i64,
    /// Name.
    pub name: String,
    /// Code others join with.
    pub invite_code: String,
    /// The user who created it.
    pub commissioner_id: i64,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Number of members.
    pub members: u64,
}

impl LeagueView {
    fn of(league: &League, members: usize) -> LeagueView {
        LeagueView {
            id: league.id.0,
            tournament_id: league.tournament_id.0,
            name: league.name.clone(),
            invite_code: league.invite_code.clone(),
            commissioner_id: league.commissioner.0,
            created_at: ts(league.created_at),
            members: members as u64,
        }
    }
}

/// The `{league_id}` path parameter.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct LeaguePath {
    /// League id.
    pub league_id: i64,
}

/// Creates a league in a tournament the caller has joined; the caller is its commissioner and
/// first member.
#[utoipa::path(
    post,
    path = "/api/v1/tournaments/{tournament_id}/leagues",
    tag = "leagues",
    params(TournamentPath),
    request_body = NewLeagueBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "The new league", body = LeagueView),
        (status = 400, description = "Malformed JSON or bad path parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "API keys cannot do this, or the CSRF token is missing", body = ErrorBody),
        (status = 404, description = "No such tournament, or you have not joined it (`not_joined`)", body = ErrorBody),
        (status = 409, description = "The tournament has finished (`not_allowed_now`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<TournamentPath>,
    JsonBody(body): JsonBody<NewLeagueBody>,
) -> ApiResult<(StatusCode, Json<LeagueView>)> {
    let (league, members) = create_league(&state, &caller, p.tournament_id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(LeagueView::of(&league, members))))
}

/// Creates a league named `name` in a tournament the caller has joined, with the caller as
/// commissioner and first member; returns it with its member count.
pub async fn create_league(
    state: &AppState,
    caller: &Caller,
    tournament_id: i64,
    name: &str,
) -> ApiResult<(League, usize)> {
    let user = caller.user()?;
    let t = visible_tournament(state, caller, tournament_id).await?;
    state.caller_entry(caller, t.id).await?;
    validate_league_name(name).map_err(ApiError::invalid)?;
    let random = || OsRng.next_u64();
    let league =
        bullpen_engine::admin::create_league(state.store.as_ref(), &t, name, user.user_id, random, state.clock.now())
            .await?;
    let members = state.store.league_members(league.id).await?.len();
    Ok((league, members))
}

/// Joins the league with an invite code, with the caller's entry in its tournament.
#[utoipa::path(
    post,
    path = "/api/v1/leagues/join",
    tag = "leagues",
    request_body = JoinLeagueBody,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Joined; the league", body = LeagueView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "API keys cannot do this, or the CSRF token is missing", body = ErrorBody),
        (status = 404, description = "No league has that code, or you have not joined its tournament (`not_joined`)", body = ErrorBody),
        (status = 409, description = "Already a member (`already_member`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Not an invite code", body = ErrorBody),
    )
)]
pub async fn join(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<JoinLeagueBody>,
) -> ApiResult<Json<LeagueView>> {
    let (league, members) = join_league(&state, &caller, &body.code).await?;
    Ok(Json(LeagueView::of(&league, members)))
}

/// Joins the league with invite code `code`, with the caller's entry in its tournament;
/// returns it with its member count.
pub async fn join_league(state: &AppState, caller: &Caller, code: &str) -> ApiResult<(League, usize)> {
    let user = caller.user()?;
    let code = normalize_invite_code(code).ok_or_else(|| ApiError::invalid("that is not an invite code"))?;
    let league = state
        .store
        .league_by_code(&code)
        .await?
        .ok_or_else(|| ApiError::not_found("no league has that invite code"))?;
    let entry = state.caller_entry(caller, league.tournament_id).await?;
    let mut members = state.store.league_members(league.id).await?;
    if members.contains(&entry) {
        return Err(ApiError::new(StatusCode::CONFLICT, "already_member", "you are already a member of this league"));
    }
    state.store.add_league_member(league.id, entry).await?;
    members.push(entry);
    tracing::debug!(league = league.id.0, user = user.user_id.0, "joined league");
    Ok((league, members.len()))
}

/// A league with its members, if the caller may see it: members, the commissioner and admins.
/// Everyone else gets 404, so league ids reveal nothing.
pub async fn visible_league(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(League, Vec<EntryId>)> {
    let user = caller.user()?;
    let not_found = || ApiError::not_found(format!("no league {id}"));
    let league = state.store.league(LeagueId(id)).await?.ok_or_else(not_found)?;
    let members = state.store.league_members(league.id).await?;
    if is_admin(caller) || league.commissioner == user.user_id {
        return Ok((league, members));
    }
    match state.store.entry_of_user(league.tournament_id, user.user_id).await? {
        Some(entry) if members.contains(&entry.id) => Ok((league, members)),
        _ => Err(not_found()),
    }
}

/// A league the caller belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/leagues/{league_id}",
    tag = "leagues",
    params(LeaguePath),
    security(("session" = [])),
    responses(
        (status = 200, description = "The league", body = LeagueView),
        (status = 400, description = "Bad path parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "API keys cannot do this", body = ErrorBody),
        (status = 404, description = "No such league of yours", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<LeaguePath>,
) -> ApiResult<Json<LeagueView>> {
    let (league, members) = visible_league(&state, &caller, p.league_id).await?;
    Ok(Json(LeagueView::of(&league, members.len())))
}

/// The league's leaderboard: its members re-ranked among themselves.
#[utoipa::path(
    get,
    path = "/api/v1/leagues/{league_id}/leaderboard",
    tag = "leagues",
    params(LeaguePath, PageQuery),
    security(("session" = [])),
    responses(
        (status = 200, description = "A page of the league leaderboard", body = LeaderboardPage),
        (status = 400, description = "Bad path parameter, query string or cursor", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "API keys cannot do this", body = ErrorBody),
        (status = 404, description = "No such league of yours", body = ErrorBody),
        (status = 422, description = "Limit out of range", body = ErrorBody),
    )
)]
pub async fn leaderboard(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(p): PathParams<LeaguePath>,
    QueryParams(q): QueryParams<PageQuery>,
) -> ApiResult<Json<LeaderboardPage>> {
    let limit = page_limit(q.limit)?;
    let after = number_cursor(q.after.as_deref())?;
    let (league, members) = visible_league(&state, &caller, p.league_id).await?;
    let Some(t) = state.store.tournament(league.tournament_id).await? else {
        return Err(ApiError::not_found(format!("no league {}", p.league_id)));
    };
    Ok(Json(ranking(&state, &t, Some(&members), after, limit).await?))
}

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/tournaments/{tournament_id}/leagues", Access::SignedIn, post(create))
        .post("/api/v1/leagues/join", Access::SignedIn, post(join))
        .get("/api/v1/leagues/{league_id}", Access::SignedIn, get(show))
        .get("/api/v1/leagues/{league_id}/leaderboard", Access::SignedIn, get(leaderboard))
}
