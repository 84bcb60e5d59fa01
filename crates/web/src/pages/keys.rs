//! The API keys page: the caller's keys, creating one for a joined tournament (its secret is
//! shown exactly once, in the answer to the creating post), and revoking.

use std::collections::HashMap;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bullpen_domain::{Tournament, TournamentState};
use maud::{html, Markup};
use serde::Deserialize;

use super::account::{
    error_page, form_or_default, form_problem, notice, query_or_default, see_other, with_status, Errors,
};
use super::layout::{csrf_input, empty, field, page, time, Viewer};
use crate::auth::keys::{create, revoke, CreatedKey};
use crate::auth::views::ScopeName;
use crate::error::{ApiError, ApiResult};
use crate::extract::PathParams;
use crate::identity::{Caller, UserPrincipal};
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The key routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/keys", Access::SignedIn, get(keys_page))
        .post("/keys", Access::SignedIn, post(create_submit))
        .post("/keys/{key_id}/revoke", Access::SignedIn, post(revoke_submit))
}

/// The create-key form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KeyForm {
    /// A name to recognise the key by.
    pub label: String,
    /// The tournament (id) whose entry the key trades for.
    pub tournament_id: String,
    /// `trade` or `read_only`.
    pub scope: String,
}

/// `?done=` notices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    /// Which change succeeded.
    pub done: String,
}

/// What the page shows besides the list.
struct View<'a> {
    form: &'a KeyForm,
    errors: &'a Errors,
    created: Option<&'a CreatedKey>,
    done: &'a str,
}

/// Tournaments the user has an entry in that keys are useful for (open or running), by id.
async fn joined(state: &AppState, user: &UserPrincipal) -> ApiResult<(Vec<Tournament>, HashMap<i64, String>)> {
    let all = state.store.tournaments().await?;
    let names = all.iter().map(|t| (t.id.0, t.name.clone())).collect();
    let mut usable = Vec::new();
    for t in all {
        if matches!(t.state, TournamentState::Registration | TournamentState::Running)
            && state.store.entry_of_user(t.id, user.user_id).await?.is_some()
        {
            usable.push(t);
        }
    }
    usable.sort_by_key(|t| t.id);
    Ok((usable, names))
}

async fn render(state: &AppState, viewer: &Viewer, v: View<'_>) -> ApiResult<Markup> {
    let user = viewer.user.as_ref().ok_or_else(ApiError::unauthenticated)?;
    let keys = state.store.api_keys_of_user(user.user_id).await?;
    let (usable, names) = joined(state, user).await?;
    let scope = if v.form.scope.is_empty() { "trade" } else { v.form.scope.as_str() };
    Ok(page(
        viewer,
        "API keys",
        html! {
            h1 { "API keys" }
            p {
                "Keys let your bots and scripts trade one of your tournament entries through the "
                "Alpaca-compatible API (" code { "/v2" } "). Send the key id as " code { "APCA-API-KEY-ID" }
                " and the secret as " code { "APCA-API-SECRET-KEY" } "."
            }
            @match v.done {
                "revoked" => (notice("The key was revoked. It stopped working at once.")),
                _ => {}
            }
            @if let Some(k) = v.created {
                div.notice.secret role="status" {
                    h2 { "Your new key" }
                    p { strong { "Copy the secret now: it is shown only this once." } " We keep only a fingerprint of it." }
                    dl.facts {
                        dt { "Key id" } dd { code data-copy="" { (k.key_id) } }
                        dt { "Secret" } dd { code data-copy="" { (k.secret) } }
                        dt { "Tournament" } dd { (names.get(&k.tournament_id).map(String::as_str).unwrap_or("?")) }
                        dt { "Scope" } dd { (scope_label(k.scope)) }
                    }
                }
            }
            section aria-labelledby="yours-h" {
                h2 #yours-h { "Your keys" }
                @if keys.is_empty() {
                    (empty("You have no API keys yet. Create one below for a tournament you joined.", None))
                } @else {
                    div.table-wrap {
                        table {
                            thead { tr {
                                th scope="col" { "Label" }
                                th scope="col" { "Key id" }
                                th scope="col" { "Tournament" }
                                th scope="col" { "Scope" }
                                th scope="col" { "Created" }
                                th scope="col" { "Last used" }
                                th scope="col" { "Status" }
                            } }
                            tbody {
                                @for k in &keys {
                                    tr {
                                        td { (k.label) }
                                        td { code { (k.key_id) } }
                                        td { (names.get(&k.tournament_id.0).map(String::as_str).unwrap_or("?")) }
                                        td { (scope_label(k.scope.into())) }
                                        td { (time(k.created_at)) }
                                        td { @if let Some(t) = k.last_used_at { (time(t)) } @else { span.muted { "Never" } } }
                                        td {
                                            @if let Some(t) = k.revoked_at {
                                                "Revoked " (time(t))
                                            } @else {
                                                form.inline method="post" action=(format!("/keys/{}/revoke", k.key_id))
                                                    data-confirm=(format!("Revoke the key “{}”? Programs using it stop working at once.", k.label)) {
                                                    (csrf_input(viewer))
                                                    button.danger type="submit" aria-label=(format!("Revoke key {}", k.label)) { "Revoke" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="new-h" {
                h2 #new-h { "Create a key" }
                @if usable.is_empty() {
                    (empty("Keys trade for a tournament entry: join a tournament that is open or running first.", Some(("/lobby", "Find a tournament"))))
                } @else {
                    (form_problem(v.errors))
                    form.stack method="post" action="/keys" novalidate {
                        (csrf_input(viewer))
                        (field("label", "Label", "text", &v.form.label, v.errors.get("label"), true))
                        div.field.has-error[v.errors.get("tournament_id").is_some()] {
                            label for="f-tournament_id" { "Tournament" }
                            select #f-tournament_id name="tournament_id" required
                                aria-invalid=[v.errors.get("tournament_id").map(|_| "true")]
                                aria-describedby=[v.errors.get("tournament_id").map(|_| "f-tournament_id-error")] {
                                @for t in &usable {
                                    option value=(t.id.0) selected[v.form.tournament_id == t.id.0.to_string()] { (t.name) }
                                }
                            }
                            @if let Some(e) = v.errors.get("tournament_id") {
                                p.error #f-tournament_id-error role="alert" { (e) }
                            }
                        }
                        fieldset.field.has-error[v.errors.get("scope").is_some()] {
                            legend { "Scope" }
                            label.choice {
                                input type="radio" name="scope" value="trade" checked[scope == "trade"];
                                " Trade — read and place orders"
                            }
                            label.choice {
                                input type="radio" name="scope" value="read_only" checked[scope == "read_only"];
                                " Read only — account, positions and orders"
                            }
                            @if let Some(e) = v.errors.get("scope") {
                                p.error role="alert" { (e) }
                            }
                        }
                        button type="submit" { "Create key" }
                    }
                }
            }
        },
    ))
}

fn scope_label(scope: ScopeName) -> &'static str {
    match scope {
        ScopeName::Trade => "Trade",
        ScopeName::ReadOnly => "Read only",
    }
}

async fn keys_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let q = query_or_default(query);
    let form = KeyForm::default();
    let errors = Errors::new();
    match render(&state, &viewer, View { form: &form, errors: &errors, created: None, done: &q.done }).await {
        Ok(markup) => markup.into_response(),
        Err(e) => error_page(&viewer, &e),
    }
}

async fn create_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    form: Result<Form<KeyForm>, FormRejection>,
) -> Response {
    let (form, mut errors) = form_or_default(form);
    let user = match caller.user() {
        Ok(u) => u,
        Err(e) => return error_page(&viewer, &e),
    };
    let mut parsed = None;
    if errors.is_empty() {
        let tournament = errors.check(
            "tournament_id",
            form.tournament_id.trim().parse::<i64>().map_err(|_| "choose a tournament you joined".to_string()),
        );
        let scope = errors.check(
            "scope",
            match form.scope.as_str() {
                "trade" => Ok(ScopeName::Trade),
                "read_only" => Ok(ScopeName::ReadOnly),
                _ => Err("choose trade or read only".to_string()),
            },
        );
        if form.label.trim().is_empty() {
            errors.add("label", "give the key a label, such as the name of your bot");
        }
        if let (Some(t), Some(s)) = (tournament, scope) {
            parsed = Some((t, s));
        }
    }
    let rerender = |errors: Errors, status: StatusCode| {
        let state = state.clone();
        let viewer = viewer.clone();
        let form = form.clone();
        async move {
            match render(&state, &viewer, View { form: &form, errors: &errors, created: None, done: "" }).await {
                Ok(markup) => with_status(status, markup),
                Err(e) => error_page(&viewer, &e),
            }
        }
    };
    let Some((tournament_id, scope)) = parsed.filter(|_| errors.is_empty()) else {
        return rerender(errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match create(&state, user, tournament_id, &form.label, scope).await {
        Ok(created) => {
            let cleared = KeyForm::default();
            let none = Errors::new();
            let view = View { form: &cleared, errors: &none, created: Some(&created), done: "" };
            match render(&state, &viewer, view).await {
                Ok(markup) => {
                    let mut response = with_status(StatusCode::CREATED, markup);
                    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    response
                }
                Err(e) => error_page(&viewer, &e),
            }
        }
        Err(e) => {
            match e.code.as_str() {
                "validation_failed" => errors.add("label", e.message),
                "not_joined" => errors.add("tournament_id", "you have not joined this tournament"),
                "too_many_keys" => errors.add("", e.message),
                _ => return error_page(&viewer, &e),
            }
            rerender(errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn revoke_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(key_id): PathParams<String>,
) -> Response {
    let result = async { revoke(&state, caller.user()?, &key_id).await }.await;
    match result {
        Ok(()) => see_other("/keys?done=revoked"),
        Err(e) => error_page(&viewer, &e),
    }
}
