//! The lobby: every tournament a visitor may see, upcoming, running and finished, with a join
//! button for signed-in players.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_domain::{Tournament, TournamentKind, TournamentState};
use maud::{html, Markup};

use super::layout::{empty, page, Viewer};
use super::player::{join_form, respond, state_name, OrPage};
use crate::api::tournaments::entry_count;
use crate::error::ApiResult;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The lobby route.
pub fn routes() -> Routes {
    Routes::new().get("/lobby", Access::Public, get(lobby))
}

/// One tournament of the lobby.
struct Row {
    tournament: Tournament,
    players: u64,
    joined: bool,
}

/// The human name of a tournament kind.
pub fn kind_name(k: TournamentKind) -> &'static str {
    match k {
        TournamentKind::Season => "Season",
        TournamentKind::AdHoc => "Tournament",
        TournamentKind::Challenge => "Evaluation challenge",
    }
}

async fn rows(state: &AppState, viewer: &Viewer) -> ApiResult<Vec<Row>> {
    let mut all = state.store.tournaments().await?;
    all.retain(|t| t.state != TournamentState::Draft);
    all.sort_by(|a, b| a.starts_on.cmp(&b.starts_on).then(a.id.cmp(&b.id)));
    let mut rows = Vec::with_capacity(all.len());
    for t in all {
        let players = entry_count(state, &t).await?;
        let joined = match &viewer.user {
            Some(u) => state.store.entry_of_user(t.id, u.user_id).await?.is_some(),
            None => false,
        };
        rows.push(Row { tournament: t, players, joined });
    }
    Ok(rows)
}

async fn lobby(State(state): State<AppState>, viewer: Viewer) -> Response {
    respond(
        async {
            let rows = rows(&state, &viewer).await.or_page(&viewer)?;
            Ok(view(&viewer, &rows).into_response())
        }
        .await,
    )
}

fn section(viewer: &Viewer, id: &str, title: &str, rows: &[&Row], none: &str) -> Markup {
    html! {
        section aria-labelledby=(id) {
            h2 id=(id) { (title) }
            @if rows.is_empty() {
                (empty(none, None))
            } @else {
                div.table-wrap {
                    table.lobby {
                        caption.visually-hidden { (title) }
                        thead { tr {
                            th scope="col" { "Tournament" }
                            th scope="col" { "Kind" }
                            th scope="col" { "Dates" }
                            th scope="col" class="num" { "Players" }
                            th scope="col" { span.visually-hidden { "Action" } }
                        } }
                        tbody {
                            @for row in rows {
                                (row_view(viewer, row))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn row_view(viewer: &Viewer, row: &Row) -> Markup {
    let t = &row.tournament;
    let href = format!("/tournaments/{}", t.id.0);
    let open = matches!(t.state, TournamentState::Registration | TournamentState::Running);
    let late_closed = t.state == TournamentState::Running && !t.rules.late_entry;
    html! {
        tr {
            td { a href=(href) { (t.name) } }
            td { (kind_name(t.kind)) }
            td { (t.starts_on.format("%Y-%m-%d").to_string()) " – " (t.ends_on.format("%Y-%m-%d").to_string()) }
            td.num { (row.players) }
            td {
                @if row.joined {
                    span.badge { "Joined" } " "
                    @if t.state == TournamentState::Running {
                        a href=(format!("{href}/trade")) { "Trade" }
                    } @else {
                        a href=(href) { "View" }
                    }
                } @else if open && !late_closed {
                    @if viewer.user.is_some() {
                        (join_form(viewer, t))
                    } @else {
                        a href=(format!("/sign-in?next=/tournaments/{}", t.id.0)) { "Sign in to join" }
                    }
                } @else {
                    a href=(href) { @if t.state >= TournamentState::Finished { "Results" } @else { "View" } }
                }
            }
        }
    }
}

fn view(viewer: &Viewer, rows: &[Row]) -> Markup {
    let upcoming: Vec<&Row> = rows.iter().filter(|r| r.tournament.state == TournamentState::Registration).collect();
    let running: Vec<&Row> = rows.iter().filter(|r| r.tournament.state == TournamentState::Running).collect();
    let mut finished: Vec<&Row> = rows.iter().filter(|r| r.tournament.state >= TournamentState::Finished).collect();
    finished.reverse();
    page(
        viewer,
        "Tournaments",
        html! {
            h1 { "Tournaments" }
            p.muted {
                "Every player starts with the same virtual cash. Running tournaments with late entry take players "
                "until they end; " (state_name(TournamentState::Registration).to_lowercase()) " ones start on their first day."
            }
            @if viewer.user.is_none() {
                p { a href="/sign-up" { "Sign up" } " or " a href="/sign-in?next=/lobby" { "sign in" } " to join." }
            }
            (section(viewer, "running-h", "Running", &running, "No tournament is running right now."))
            (section(viewer, "upcoming-h", "Upcoming", &upcoming, "No tournament is open for entries yet; check back soon."))
            (section(viewer, "finished-h", "Finished", &finished, "No tournament has finished yet."))
        },
    )
}
