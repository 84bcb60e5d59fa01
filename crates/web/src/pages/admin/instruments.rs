//! Admin page for the instrument master: list and search, add or update one instrument, halt
//! and resume trading in it.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bullpen_domain::InstrumentStatus;
use maud::{html, Markup};
use serde::Deserialize;

use super::admin_nav;
use crate::api::admin::{check_instrument, set_status, upsert, InstrumentInput};
use crate::error::{ApiError, ApiResult};
use crate::extract::PathParams;
use crate::identity::Caller;
use crate::pages::account::{
    error_page, form_or_default, form_problem, notice, query_component, query_or_default, see_other, with_status,
    Errors,
};
use crate::pages::layout::{csrf_input, empty, field, page, Viewer};
use crate::policy::ADMIN;
use crate::routes::Routes;
use crate::state::AppState;

/// Instruments per page.
pub const PAGE_SIZE: usize = 100;

/// The instrument admin routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/admin/instruments", ADMIN, get(instruments_page))
        .post("/admin/instruments", ADMIN, post(upsert_submit))
        .post("/admin/instruments/{symbol}/status", ADMIN, post(status_submit))
}

/// Search, page and notice.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Text to look for in symbol, name or sector.
    pub q: String,
    /// 1-based page.
    pub page: Option<usize>,
    /// Which change succeeded.
    pub done: String,
}

/// The add-or-update form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InstrumentForm {
    /// Ticker.
    pub symbol: String,
    /// Company name.
    pub name: String,
    /// Sector.
    pub sector: String,
}

/// The status form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    /// `active` or `halted`.
    pub status: String,
}

fn status_label(s: InstrumentStatus) -> &'static str {
    match s {
        InstrumentStatus::Active => "Active",
        InstrumentStatus::Halted => "Halted",
        InstrumentStatus::Delisted => "Delisted",
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
    form: &InstrumentForm,
    errors: &Errors,
) -> ApiResult<Markup> {
    let needle = q.q.trim().to_lowercase();
    let mut all = state.store.instruments().await?;
    all.sort_by(|a, b| a.symbol.as_str().cmp(b.symbol.as_str()));
    let matching: Vec<_> = all
        .into_iter()
        .filter(|i| {
            needle.is_empty()
                || i.symbol.as_str().to_lowercase().contains(&needle)
                || i.name.to_lowercase().contains(&needle)
                || i.sector.to_lowercase().contains(&needle)
        })
        .collect();
    let pages = matching.len().div_ceil(PAGE_SIZE).max(1);
    let current = q.page.unwrap_or(1).clamp(1, pages);
    let shown = matching.iter().skip((current - 1) * PAGE_SIZE).take(PAGE_SIZE);
    let href = |p: usize| {
        if needle.is_empty() {
            format!("/admin/instruments?page={p}")
        } else {
            format!("/admin/instruments?q={}&page={p}", query_component(q.q.trim()))
        }
    };
    Ok(page(
        viewer,
        "Instruments — administration",
        html! {
            (admin_nav("/admin/instruments"))
            h1 { "Instruments" }
            @match q.done.as_str() {
                "saved" => (notice("The instrument was saved.")),
                "halted" => (notice("Trading in the instrument is halted.")),
                "active" => (notice("Trading in the instrument resumed.")),
                _ => {}
            }
            p.muted { "Running tournaments pick up new instruments and status changes when their engine restarts." }
            section aria-labelledby="add-h" {
                h2 #add-h { "Add or update an instrument" }
                (form_problem(errors))
                form.stack method="post" action="/admin/instruments" novalidate {
                    (csrf_input(viewer))
                    (field("symbol", "Symbol", "text", &form.symbol, errors.get("symbol"), true))
                    (field("name", "Company name", "text", &form.name, errors.get("name"), true))
                    (field("sector", "Sector", "text", &form.sector, errors.get("sector"), true))
                    button type="submit" { "Save instrument" }
                }
            }
            section aria-labelledby="list-h" {
                h2 #list-h { "All instruments" }
                form.search method="get" action="/admin/instruments" role="search" {
                    label for="f-q" { "Search symbol, name or sector" }
                    " "
                    input #f-q type="search" name="q" value=(q.q);
                    " "
                    button.secondary type="submit" { "Search" }
                }
                @if matching.is_empty() {
                    @if needle.is_empty() {
                        (empty("No instruments yet. Add one above, or import a symbols file with `bullpen import`.", None))
                    } @else {
                        (empty("No instrument matches this search.", Some(("/admin/instruments", "Show all"))))
                    }
                } @else {
                    p.muted { (matching.len()) " instruments" @if pages > 1 { ", page " (current) " of " (pages) } "." }
                    div.table-wrap {
                        table {
                            thead { tr {
                                th scope="col" { "Symbol" }
                                th scope="col" { "Name" }
                                th scope="col" { "Sector" }
                                th scope="col" { "Status" }
                            } }
                            tbody {
                                @for i in shown {
                                    tr {
                                        td { code { (i.symbol.as_str()) } }
                                        td { (i.name) }
                                        td { (i.sector) }
                                        td {
                                            span.badge { (status_label(i.status)) }
                                            " "
                                            form.inline method="post" action=(format!("/admin/instruments/{}/status", i.symbol.as_str())) {
                                                (csrf_input(viewer))
                                                @if i.status == InstrumentStatus::Active {
                                                    input type="hidden" name="status" value="halted";
                                                    button.danger type="submit" aria-label=(format!("Halt {}", i.symbol.as_str())) { "Halt" }
                                                } @else {
                                                    input type="hidden" name="status" value="active";
                                                    button.secondary type="submit" aria-label=(format!("Resume {}", i.symbol.as_str())) { "Resume" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if pages > 1 {
                        nav.pager aria-label="Pages of instruments" {
                            @if current > 1 { a href=(href(current - 1)) { "Previous page" } " " }
                            @if current < pages { a href=(href(current + 1)) { "Next page" } }
                        }
                    }
                }
            }
        },
    ))
}

async fn instruments_page(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let q = query_or_default(query);
    match render(&state, &viewer, &q, &InstrumentForm::default(), &Errors::new()).await {
        Ok(markup) => markup.into_response(),
        Err(e) => error_page(&viewer, &e),
    }
}

async fn upsert_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    form: Result<Form<InstrumentForm>, FormRejection>,
) -> Response {
    let (form, mut errors) = form_or_default(form);
    let actor = match caller.user() {
        Ok(u) => u.user_id,
        Err(e) => return error_page(&viewer, &e),
    };
    let input = InstrumentInput { symbol: form.symbol.clone(), name: form.name.clone(), sector: form.sector.clone() };
    let item = if errors.is_empty() {
        match check_instrument(&input) {
            Ok(item) => Some(item),
            Err((field, message)) => {
                let field = match field {
                    "symbol" => "symbol",
                    "name" => "name",
                    _ => "sector",
                };
                errors.add(field, message);
                None
            }
        }
    } else {
        None
    };
    let Some(item) = item else {
        return match render(&state, &viewer, &ListQuery::default(), &form, &errors).await {
            Ok(markup) => with_status(StatusCode::UNPROCESSABLE_ENTITY, markup),
            Err(e) => error_page(&viewer, &e),
        };
    };
    match upsert(&state, actor, std::slice::from_ref(&item)).await {
        Ok(_) => see_other(&format!("/admin/instruments?q={}&done=saved", query_component(item.symbol.as_str()))),
        Err(e) => error_page(&viewer, &e),
    }
}

async fn status_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(symbol): PathParams<String>,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Response {
    let (form, _) = form_or_default(form);
    let result = async {
        let actor = caller.user()?.user_id;
        let status = match form.status.as_str() {
            "halted" => InstrumentStatus::Halted,
            "active" => InstrumentStatus::Active,
            _ => return Err(ApiError::invalid("choose halt or resume")),
        };
        set_status(&state, actor, &symbol, status).await
    }
    .await;
    match result {
        Ok(i) => see_other(&format!(
            "/admin/instruments?q={}&done={}",
            query_component(i.symbol.as_str()),
            i.status.as_str()
        )),
        Err(e) => error_page(&viewer, &e),
    }
}
