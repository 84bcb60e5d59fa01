//! Private leagues: create one inside a tournament, join one by invite link or code, and the
//! league page with its own leaderboard and the invite to share.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bullpen_domain::{League, Tournament, TournamentState};
use maud::{html, Markup};
use serde::Deserialize;

use super::account::{error_page, form_or_default, notice, query_or_default, see_other, with_status};
use super::layout::{csrf_input, field, page, Viewer};
use super::player::{respond, stream_url, tabs, tournament_for, viewer_entry, OrPage, Tab};
use super::tournament::{leaderboard_table, score_kind};
use crate::api::common::MAX_LIMIT;
use crate::api::leagues::{create_league, join_league, visible_league};
use crate::api::tournaments::{ranking, LeaderboardItem};
use crate::auth::session::secure_request;
use crate::error::ApiError;
use crate::extract::PathParams;
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The league routes.
pub fn routes() -> Routes {
    Routes::new()
        .post("/tournaments/{tournament_id}/leagues", Access::SignedIn, post(create_submit))
        .get("/leagues/join", Access::SignedIn, get(join_page))
        .post("/leagues/join", Access::SignedIn, post(join_submit))
        .get("/leagues/{league_id}", Access::SignedIn, get(league_page))
}

/// The create-league form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    /// League name.
    pub name: String,
}

/// The join form (and the `?code=` of an invite link).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    /// Invite code.
    pub code: String,
}

/// `?created=1` / `?joined=1` notices on the league page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LeagueQuery {
    /// Set after creating the league.
    pub created: String,
    /// Set after joining it.
    pub joined: String,
}

/// The form that creates a league in a tournament (shown on the tournament page).
pub fn create_form(viewer: &Viewer, t: &Tournament, name: &str, error: Option<&str>) -> Markup {
    html! {
        form.stack method="post" action=(format!("/tournaments/{}/leagues", t.id.0)) {
            (csrf_input(viewer))
            (field("name", "New league name", "text", name, error, true))
            button type="submit" { "Create league" }
        }
    }
}

fn join_form(viewer: &Viewer, code: &str, error: Option<&str>) -> Markup {
    html! {
        form.stack method="post" action="/leagues/join" {
            (csrf_input(viewer))
            (field("code", "Invite code", "text", code, error, true))
            button type="submit" { "Join league" }
        }
    }
}

async fn create_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    form: Result<Form<CreateForm>, FormRejection>,
) -> Response {
    respond(
        async {
            let t = tournament_for(&state, &viewer, id).await?;
            let (form, errors) = form_or_default(form);
            let result = if errors.is_empty() {
                create_league(&state, &caller, id, form.name.trim()).await
            } else {
                Err(ApiError::invalid(errors.general().unwrap_or("the form could not be read").to_string()))
            };
            match result {
                Ok((league, _)) => Ok(see_other(&format!("/leagues/{}?created=1", league.id.0))),
                Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
                    let body = html! {
                        h1 { "Create a league" }
                        (tabs(&t, Tab::Overview, true))
                        p { "A private league ranks you among the players you invite, inside " (t.name) "." }
                        (create_form(&viewer, &t, &form.name, Some(&e.message)))
                    };
                    Ok(with_status(e.status, page(&viewer, "Create a league", body)))
                }
                Err(e) => Err(error_page(&viewer, &e)),
            }
        }
        .await,
    )
}

async fn join_page(viewer: Viewer, query: Result<Query<JoinForm>, QueryRejection>) -> Response {
    let q: JoinForm = query_or_default(query);
    join_view(&viewer, q.code.trim(), None, StatusCode::OK)
}

fn join_view(viewer: &Viewer, code: &str, error: Option<&str>, status: StatusCode) -> Response {
    let body = html! {
        h1 { "Join a league" }
        p { "Enter the invite code a friend shared with you (capitals, spaces and dashes do not matter). "
            "You need to have joined the league's tournament first." }
        (join_form(viewer, code, error))
    };
    with_status(status, page(viewer, "Join a league", body))
}

async fn join_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    form: Result<Form<JoinForm>, FormRejection>,
) -> Response {
    let (form, errors) = form_or_default(form);
    if let Some(problem) = errors.general() {
        return join_view(&viewer, "", Some(problem), StatusCode::UNPROCESSABLE_ENTITY);
    }
    match join_league(&state, &caller, &form.code).await {
        Ok((league, _)) => see_other(&format!("/leagues/{}?joined=1", league.id.0)),
        Err(e) if e.status.is_client_error() => {
            let message = if e.code == "not_joined" {
                format!("{} Join that tournament from the lobby first.", e.message)
            } else {
                e.message.clone()
            };
            join_view(&viewer, form.code.trim(), Some(&message), e.status)
        }
        Err(e) => error_page(&viewer, &e),
    }
}

/// The link that opens the join form with the code filled in.
fn invite_link(state: &AppState, headers: &HeaderMap, league: &League) -> String {
    let path = format!("/leagues/join?code={}", league.invite_code);
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)));
    match host {
        Some(host) => {
            let scheme = if secure_request(&state.config, headers) { "https" } else { "http" };
            format!("{scheme}://{host}{path}")
        }
        None => path,
    }
}

async fn league_page(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    headers: HeaderMap,
    PathParams(id): PathParams<i64>,
    query: Result<Query<LeagueQuery>, QueryRejection>,
) -> Response {
    respond(
        async {
            let q: LeagueQuery = query_or_default(query);
            let (league, members) = visible_league(&state, &caller, id).await.or_page(&viewer)?;
            let t = tournament_for(&state, &viewer, league.tournament_id.0).await?;
            let board = ranking(&state, &t, Some(&members), None, MAX_LIMIT).await.or_page(&viewer)?;
            let entry = viewer_entry(&state, &viewer, t.id).await.or_page(&viewer)?;
            let own: Option<&LeaderboardItem> =
                entry.as_ref().and_then(|e| board.items.iter().find(|r| r.entry_id == e.id.0));
            let link = invite_link(&state, &headers, &league);
            let kind = score_kind(&t.rules);
            let live = (t.state == TournamentState::Running).then(|| {
                format!("{}&top={}&league_id={}", stream_url(t.id, "leaderboard"), crate::stream::MAX_TOP, league.id.0)
            });
            let body = html! {
                h1 { (league.name) }
                (tabs(&t, Tab::Overview, entry.is_some()))
                @if q.created == "1" { (notice("League created. Share the invite below with your friends.")) }
                @if q.joined == "1" { (notice(&format!("You joined {}.", league.name))) }
                p {
                    "A private league of " a href=(format!("/tournaments/{}", t.id.0)) { (t.name) } " · "
                    (members.len()) @if members.len() == 1 { " member" } @else { " members" }
                }
                section aria-labelledby="invite-h" {
                    h2 #invite-h { "Invite" }
                    dl.facts {
                        dt { "Invite code" } dd { code data-invite-code="" { (league.invite_code) } }
                        dt { "Invite link" } dd { a href=(link) data-invite-link="" { (link) } }
                    }
                    p.muted { "Anyone who has joined " (t.name) " can join with the code or the link." }
                }
                section aria-labelledby="lb-h" {
                    h2 #lb-h { @if board.is_final { "Final standings" } @else { "League leaderboard" } }
                    @if board.items.is_empty() {
                        p.muted { "The leaderboard fills in once the tournament is running." }
                    } @else {
                        (leaderboard_table(&board, own, kind, "League leaderboard", live))
                        @if t.state == TournamentState::Running {
                            p.muted { "Ranked among the league's members; updates live." }
                        }
                    }
                }
            };
            Ok(page(&viewer, &league.name, body).into_response())
        }
        .await,
    )
}
