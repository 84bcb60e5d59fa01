//! Admin page for users: accounts a page at a time, changing roles, disabling and enabling.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bullpen_domain::UserId;
use bullpen_store::Role;
use maud::{html, Markup};
use serde::Deserialize;

use super::admin_nav;
use crate::auth::admin::{change_role, disable, enable};
use crate::error::{ApiError, ApiResult};
use crate::extract::PathParams;
use crate::identity::Caller;
use crate::pages::account::{error_page, form_or_default, notice, query_or_default, see_other, with_status};
use crate::pages::layout::{csrf_input, empty, time, Viewer};
use crate::policy::ADMIN;
use crate::routes::Routes;
use crate::state::AppState;

/// Accounts per page.
pub const PAGE_SIZE: u32 = 50;

/// The user admin routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/admin/users", ADMIN, get(users_page))
        .post("/admin/users/{user_id}/role", ADMIN, post(role_submit))
        .post("/admin/users/{user_id}/disable", ADMIN, post(disable_submit))
        .post("/admin/users/{user_id}/enable", ADMIN, post(enable_submit))
}

/// Which page, and a notice after a change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UsersQuery {
    /// Only users with a greater id (the cursor of the page).
    pub after: Option<i64>,
    /// Which change succeeded.
    pub done: String,
}

/// A change posted from a row; `after` brings the admin back to the same page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RowForm {
    /// The new role (role changes only).
    pub role: String,
    /// The page the form was on.
    pub after: Option<i64>,
}

fn page_href(after: Option<i64>, extra: &str) -> String {
    match (after, extra.is_empty()) {
        (Some(a), true) => format!("/admin/users?after={a}"),
        (Some(a), false) => format!("/admin/users?after={a}&{extra}"),
        (None, true) => "/admin/users".into(),
        (None, false) => format!("/admin/users?{extra}"),
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    after: Option<i64>,
    done: &str,
    row_error: Option<(i64, &str)>,
) -> ApiResult<Markup> {
    let me = viewer.user.as_ref().ok_or_else(ApiError::unauthenticated)?.user_id;
    let accounts = state.store.accounts(after.map(UserId), PAGE_SIZE).await?;
    let next = if accounts.len() == PAGE_SIZE as usize { accounts.last().map(|a| a.user.id.0) } else { None };
    Ok(crate::pages::layout::page(
        viewer,
        "Users — administration",
        html! {
            (admin_nav("/admin/users"))
            h1 { "Users" }
            @match done {
                "role" => (notice("The role was changed.")),
                "disabled" => (notice("The account was disabled: its sessions were signed out and its API keys revoked.")),
                "enabled" => (notice("The account was enabled. Its old sessions and keys stay revoked.")),
                _ => {}
            }
            @if let Some((_, e)) = row_error {
                p.notice.bad role="alert" { (e) }
            }
            @if accounts.is_empty() {
                (empty("No accounts on this page.", Some(("/admin/users", "Back to the first page"))))
            } @else {
                div.table-wrap {
                    table {
                        thead { tr {
                            th scope="col" { "Handle" }
                            th scope="col" { "Name" }
                            th scope="col" { "E-mail" }
                            th scope="col" { "Joined" }
                            th scope="col" { "Role" }
                            th scope="col" { "Status" }
                        } }
                        tbody {
                            @for a in &accounts {
                                @let id = a.user.id.0;
                                @let own = a.user.id == me;
                                @let err = row_error.filter(|(u, _)| *u == id).map(|(_, e)| e);
                                tr #(format!("user-{id}")) {
                                    td { (a.user.handle) @if own { " " span.badge { "you" } } }
                                    td { (a.user.display_name) }
                                    td { (a.email) }
                                    td { (time(a.user.created_at)) }
                                    td {
                                        @if own {
                                            (a.role.as_str())
                                        } @else {
                                            form.inline method="post" action=(format!("/admin/users/{id}/role")) {
                                                (csrf_input(viewer))
                                                @if let Some(after) = after { input type="hidden" name="after" value=(after); }
                                                label.visually-hidden for=(format!("role-{id}")) { "Role of " (a.user.handle) }
                                                select id=(format!("role-{id}")) name="role"
                                                    aria-invalid=[err.map(|_| "true")]
                                                    aria-describedby=[err.map(|_| format!("user-{id}-error"))] {
                                                    @for r in Role::ALL {
                                                        option value=(r.as_str()) selected[r == a.role] { (r.as_str()) }
                                                    }
                                                }
                                                " "
                                                button.secondary type="submit" aria-label=(format!("Change role for {}", a.user.handle)) { "Change role" }
                                            }
                                            @if let Some(e) = err {
                                                p.error id=(format!("user-{id}-error")) role="alert" { (e) }
                                            }
                                        }
                                    }
                                    td {
                                        @if a.active { "Active" } @else { strong.down { "Disabled" } }
                                        @if !own {
                                            " "
                                            @if a.active {
                                                form.inline method="post" action=(format!("/admin/users/{id}/disable"))
                                                    data-confirm=(format!("Disable {}? Their sessions end and their API keys are revoked.", a.user.handle)) {
                                                    (csrf_input(viewer))
                                                    @if let Some(after) = after { input type="hidden" name="after" value=(after); }
                                                    button.danger type="submit" aria-label=(format!("Disable {}", a.user.handle)) { "Disable" }
                                                }
                                            } @else {
                                                form.inline method="post" action=(format!("/admin/users/{id}/enable")) {
                                                    (csrf_input(viewer))
                                                    @if let Some(after) = after { input type="hidden" name="after" value=(after); }
                                                    button.secondary type="submit" aria-label=(format!("Enable {}", a.user.handle)) { "Enable" }
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
            nav.pager aria-label="Pages of users" {
                @if after.is_some() { a href="/admin/users" { "First page" } " " }
                @if let Some(n) = next { a href=(page_href(Some(n), "")) { "Next page" } }
            }
        },
    ))
}

async fn users_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<UsersQuery>, QueryRejection>,
) -> Response {
    let q = query_or_default(query);
    match render(&state, &viewer, q.after, &q.done, None).await {
        Ok(markup) => markup.into_response(),
        Err(e) => error_page(&viewer, &e),
    }
}

/// After a change: back to the same page with a notice, or the page again with the error
/// beside the row (422 for bad input, 409 for a refused change such as one's own account).
async fn finish(
    state: &AppState,
    viewer: &Viewer,
    user_id: i64,
    after: Option<i64>,
    result: ApiResult<()>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("{}#user-{user_id}", page_href(after, &format!("done={done}")))),
        Err(e) if matches!(e.code.as_str(), "validation_failed" | "self_change_refused") => {
            match render(state, viewer, after, "", Some((user_id, &e.message))).await {
                Ok(markup) => with_status(e.status, markup),
                Err(e) => error_page(viewer, &e),
            }
        }
        Err(e) => error_page(viewer, &e),
    }
}

fn admin_of(caller: &Caller) -> ApiResult<UserId> {
    Ok(caller.user()?.user_id)
}

async fn role_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(user_id): PathParams<i64>,
    form: Result<Form<RowForm>, FormRejection>,
) -> Response {
    let (form, errors) = form_or_default(form);
    let result = async {
        let admin = admin_of(&caller)?;
        if let Some(e) = errors.general() {
            return Err(ApiError::invalid(e));
        }
        let role = Role::parse(&form.role).ok_or_else(|| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "choose one of the listed roles")
        })?;
        change_role(&state, admin, user_id, role).await.map(|_| ())
    }
    .await;
    finish(&state, &viewer, user_id, form.after, result, "role").await
}

async fn disable_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(user_id): PathParams<i64>,
    form: Result<Form<RowForm>, FormRejection>,
) -> Response {
    let (form, _) = form_or_default(form);
    let result = async { disable(&state, admin_of(&caller)?, user_id).await.map(|_| ()) }.await;
    finish(&state, &viewer, user_id, form.after, result, "disabled").await
}

async fn enable_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(user_id): PathParams<i64>,
    form: Result<Form<RowForm>, FormRejection>,
) -> Response {
    let (form, _) = form_or_default(form);
    let result = async { enable(&state, admin_of(&caller)?, user_id).await.map(|_| ()) }.await;
    finish(&state, &viewer, user_id, form.after, result, "enabled").await
}
