//! Administration pages (admins only): tournaments with all their rules and lifecycle, users
//! and roles, instruments, and the audit log. Every change goes through the same services as
//! the JSON admin API, so it is validated and audited the same way.

pub mod anomalies;
pub mod audit;
pub mod instruments;
pub mod tournaments;
pub mod users;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_domain::{InstrumentStatus, TournamentState};
use maud::html;

use super::account::error_page;
use super::layout::{page, Viewer};
use crate::error::ApiResult;
use crate::policy::ADMIN;
use crate::routes::Routes;
use crate::state::AppState;

/// Every admin page route.
pub fn routes() -> Routes {
    Routes::new()
        .get("/admin", ADMIN, get(index))
        .merge(tournaments::routes())
        .merge(users::routes())
        .merge(instruments::routes())
        .merge(audit::routes())
        .merge(anomalies::routes())
}

/// The admin section's own navigation, shown at the top of each admin page.
pub fn admin_nav(current: &str) -> maud::Markup {
    let links = [
        ("/admin", "Overview"),
        ("/admin/tournaments", "Tournaments"),
        ("/admin/users", "Users"),
        ("/admin/instruments", "Instruments"),
        ("/admin/audit", "Audit log"),
        ("/admin/anomalies", "Anomalies"),
    ];
    html! {
        nav.subnav aria-label="Administration" {
            ul {
                @for (href, label) in links {
                    li {
                        @if href == current {
                            a href=(href) aria-current="page" { (label) }
                        } @else {
                            a href=(href) { (label) }
                        }
                    }
                }
            }
        }
    }
}

struct Counts {
    by_state: Vec<(TournamentState, usize)>,
    instruments: usize,
    halted: usize,
    audit_entries: i64,
}

async fn counts(state: &AppState) -> ApiResult<Counts> {
    let tournaments = state.store.tournaments().await?;
    let by_state = [
        TournamentState::Draft,
        TournamentState::Registration,
        TournamentState::Running,
        TournamentState::Finished,
        TournamentState::Archived,
    ]
    .into_iter()
    .map(|s| (s, tournaments.iter().filter(|t| t.state == s).count()))
    .collect();
    let instruments = state.store.instruments().await?;
    let halted = instruments.iter().filter(|i| i.status == InstrumentStatus::Halted).count();
    Ok(Counts { by_state, instruments: instruments.len(), halted, audit_entries: audit::last_seq(state).await? })
}

async fn index(State(state): State<AppState>, viewer: Viewer) -> Response {
    let c = match counts(&state).await {
        Ok(c) => c,
        Err(e) => return error_page(&viewer, &e),
    };
    page(
        &viewer,
        "Administration",
        html! {
            (admin_nav("/admin"))
            h1 { "Administration" }
            div.grid.two {
                section.card aria-labelledby="adm-t" {
                    h2 #adm-t { a href="/admin/tournaments" { "Tournaments" } }
                    ul.plain {
                        @for (s, n) in &c.by_state {
                            li { (n) " " (s.as_str()) }
                        }
                    }
                    p { a.button href="/admin/tournaments/new" { "New tournament" } }
                }
                section.card aria-labelledby="adm-u" {
                    h2 #adm-u { a href="/admin/users" { "Users" } }
                    p { "Change roles, disable and enable accounts." }
                }
                section.card aria-labelledby="adm-i" {
                    h2 #adm-i { a href="/admin/instruments" { "Instruments" } }
                    p { (c.instruments) " instruments, " (c.halted) " halted." }
                }
                section.card aria-labelledby="adm-a" {
                    h2 #adm-a { a href="/admin/audit" { "Audit log" } }
                    p { (c.audit_entries) " entries. Verify the hash chain from the log page." }
                }
            }
        },
    )
    .into_response()
}
