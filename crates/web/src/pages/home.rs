//! The landing page: what Bullpen is, how to start, and the tournaments running now.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_domain::{Money, Tournament, TournamentState};
use maud::{html, Markup};

use super::account::error_page;
use super::layout::{empty, page, Viewer};
use crate::api::tournaments::entry_count;
use crate::error::ApiResult;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Most tournaments listed per section of the landing page.
const MAX_LISTED: usize = 6;

/// The landing page route.
pub fn routes() -> Routes {
    Routes::new().get("/", Access::Public, get(home))
}

/// The link of a tournament's page.
pub fn tournament_href(t: &Tournament) -> String {
    format!("/tournaments/{}", t.id.0)
}

/// `part / whole` as a signed percentage with two decimals (`"+1.25%"`), exact integer maths.
pub fn percent_change(now: Money, start: Money) -> String {
    if start.0 == 0 {
        return "—".into();
    }
    let bps = (i128::from(now.0) - i128::from(start.0)) * 10_000 / i128::from(start.0);
    let sign = if bps > 0 {
        "+"
    } else if bps < 0 {
        "−"
    } else {
        ""
    };
    let abs = bps.unsigned_abs();
    format!("{sign}{}.{:02}%", abs / 100, abs % 100)
}

struct RunningRow {
    tournament: Tournament,
    players: u64,
    leader: Option<(String, String)>,
}

async fn running(state: &AppState, all: &[Tournament]) -> ApiResult<Vec<RunningRow>> {
    let mut rows = Vec::new();
    for t in all.iter().filter(|t| t.state == TournamentState::Running).take(MAX_LISTED) {
        let players = entry_count(state, t).await?;
        let leader = state.engine.handle(t.id).and_then(|h| {
            let board = h.leaderboard();
            board
                .rows
                .first()
                .map(|row| (board.name(row.entry_id).to_string(), percent_change(row.equity, t.rules.starting_cash)))
        });
        rows.push(RunningRow { tournament: t.clone(), players, leader });
    }
    Ok(rows)
}

async fn home(State(state): State<AppState>, viewer: Viewer) -> Response {
    let all = match state.store.tournaments().await {
        Ok(all) => all,
        Err(e) => return error_page(&viewer, &e.into()),
    };
    let rows = match running(&state, &all).await {
        Ok(rows) => rows,
        Err(e) => return error_page(&viewer, &e),
    };
    let open: Vec<&Tournament> =
        all.iter().filter(|t| t.state == TournamentState::Registration).take(MAX_LISTED).collect();
    view(&viewer, &rows, &open).into_response()
}

fn view(viewer: &Viewer, rows: &[RunningRow], open: &[&Tournament]) -> Markup {
    page(
        viewer,
        "Stock-market tournaments with virtual cash",
        html! {
            section.hero aria-labelledby="hero-h" {
                h1 #hero-h { "Trade real markets with virtual cash" }
                p.lead {
                    "Bullpen runs stock-market tournaments: every player starts with the same virtual cash, "
                    "trades real or simulated prices under the tournament's rules, and climbs a live leaderboard. "
                    "Join a season, start a private league with friends, or prove yourself in an evaluation challenge."
                }
                @if let Some(user) = &viewer.user {
                    p { "Welcome back, " strong { (user.handle) } "." }
                    p.actions {
                        a.button href="/lobby" { "Browse tournaments" }
                        " "
                        a.button.secondary href="/portfolio" { "Your portfolio" }
                    }
                } @else {
                    p.actions {
                        a.button href="/sign-up" { "Sign up — it's free" }
                        " "
                        a.button.secondary href="/sign-in" { "Sign in" }
                    }
                }
            }
            section aria-labelledby="how-h" {
                h2 #how-h { "How it works" }
                ol.steps {
                    li { strong { "Join a tournament." } " Each one sets its starting cash, commissions, what you may trade and how players are ranked." }
                    li { strong { "Trade." } " Market, limit, stop and stop-limit orders, on the web or through an Alpaca-compatible API for your bots." }
                    li { strong { "Climb the leaderboard." } " Rankings update live; leagues rank you among friends." }
                }
            }
            section aria-labelledby="running-h" {
                h2 #running-h { "Running now" }
                @if rows.is_empty() {
                    (empty("No tournament is running right now. See what opens next in the lobby.", Some(("/lobby", "Open the lobby"))))
                } @else {
                    div.table-wrap {
                        table {
                            caption.visually-hidden { "Tournaments running now" }
                            thead { tr {
                                th scope="col" { "Tournament" }
                                th scope="col" class="num" { "Players" }
                                th scope="col" { "Leader" }
                                th scope="col" { "Ends" }
                            } }
                            tbody {
                                @for row in rows {
                                    tr {
                                        td { a href=(tournament_href(&row.tournament)) { (row.tournament.name) } }
                                        td.num { (row.players) }
                                        td {
                                            @if let Some((name, change)) = &row.leader {
                                                (name) " " span.muted { "(" (change) ")" }
                                            } @else {
                                                span.muted { "No players yet" }
                                            }
                                        }
                                        td { (row.tournament.ends_on.format("%Y-%m-%d").to_string()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !open.is_empty() {
                section aria-labelledby="open-h" {
                    h2 #open-h { "Open for entries" }
                    ul.plain {
                        @for t in open {
                            li {
                                a href=(tournament_href(t)) { (t.name) }
                                " — starts " (t.starts_on.format("%Y-%m-%d").to_string())
                            }
                        }
                    }
                }
            }
            p { a href="/lobby" { "All tournaments" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_changes_are_exact() {
        assert_eq!(percent_change(Money::from_dollars(101_250), Money::from_dollars(100_000)), "+1.25%");
        assert_eq!(percent_change(Money::from_dollars(90_000), Money::from_dollars(100_000)), "−10.00%");
        assert_eq!(percent_change(Money::from_dollars(100_000), Money::from_dollars(100_000)), "0.00%");
        assert_eq!(percent_change(Money::from_dollars(1), Money::ZERO), "—");
    }
}
