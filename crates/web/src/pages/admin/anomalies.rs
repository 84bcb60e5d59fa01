//! Platform-wide anomalies for admins, from the analytics warehouse's scoring pass: the most
//! unusual trades of every tournament with their reasons, and pairs of accounts that traded the
//! same symbols at the same moments in opposite directions (possible collusion or
//! multi-accounting), each linking to the tournament and the entries' dashboards.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_analytics::dashboard::{self, PlatformView};
use maud::html;

use super::admin_nav;
use crate::api::reports::analytics_error;
use crate::pages::dashboard::pct;
use crate::pages::layout::{empty, page, Viewer};
use crate::pages::player::{respond, OrPage};
use crate::policy::ADMIN;
use crate::routes::Routes;
use crate::state::AppState;

/// Rows of each table.
const LIMIT: usize = 100;

/// The route.
pub fn routes() -> Routes {
    Routes::new().get("/admin/anomalies", ADMIN, get(anomalies_page))
}

fn dashboard_link(tournament: i64, entry: i64) -> String {
    format!("/tournaments/{tournament}/entries/{entry}/dashboard")
}

async fn anomalies_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    respond(
        async {
            let analytics = state.analytics().or_page(&viewer)?;
            let ctx = analytics.session().await.or_page(&viewer)?;
            let view = dashboard::platform(&ctx, LIMIT).await.map_err(analytics_error).or_page(&viewer)?;
            Ok(render(&viewer, &view).into_response())
        }
        .await,
    )
}

fn render(viewer: &Viewer, v: &PlatformView) -> maud::Markup {
    let body = html! {
        h1 { "Anomalies" }
        (admin_nav("/admin/anomalies"))
        p.muted { "From the analytics warehouse's scoring pass (a random cut forest over each trader's trades, and a test of same-minute opposite trades between accounts). Highest scores first." }
        section aria-labelledby="pairs-h" {
            h2 #pairs-h { "Possible coordinated trading" }
            @if v.pairs.is_empty() {
                (empty("No pair of accounts trades against each other more than chance would.", None))
            } @else {
                div.table-wrap {
                    table.pairs {
                        caption.visually-hidden { "Pairs of entries flagged for coordinated trading" }
                        thead { tr {
                            th scope="col" { "Entries" }
                            th scope="col" { "Tournament" }
                            th scope="col" { "Symbols" }
                            th scope="col" class="num" { "Events" }
                            th scope="col" class="num" { "Lift" }
                            th scope="col" class="num" { "Score" }
                            th scope="col" { "Why" }
                        } }
                        tbody {
                            @for p in &v.pairs {
                                tr data-pair=(format!("{}-{}", p.entry_a, p.entry_b)) {
                                    th scope="row" {
                                        a href=(dashboard_link(p.tournament_id, p.entry_a)) { (p.entry_a) }
                                        " and "
                                        a href=(dashboard_link(p.tournament_id, p.entry_b)) { (p.entry_b) }
                                    }
                                    td { a href=(format!("/tournaments/{}", p.tournament_id)) { "Tournament " (p.tournament_id) } }
                                    td { (p.symbols.join(", ")) }
                                    td.num { (p.events) }
                                    td.num { (format!("{:.1}×", p.lift)) }
                                    td.num { (format!("{:.1}", p.score)) }
                                    td { (p.reason) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="trades-h" {
            h2 #trades-h { "Unusual trades" }
            @if v.trades.is_empty() {
                (empty("No trade has been flagged yet.", None))
            } @else {
                div.table-wrap {
                    table.anomalies {
                        caption.visually-hidden { "Flagged trades of every tournament" }
                        thead { tr {
                            th scope="col" { "Trade" }
                            th scope="col" { "Entry" }
                            th scope="col" class="num" { "Score" }
                            th scope="col" { "Top features" }
                            th scope="col" { "Why" }
                        } }
                        tbody {
                            @for a in &v.trades {
                                tr data-trip=(format!("{}-{}", a.close_seq, a.piece)) {
                                    th scope="row" {
                                        (a.symbol) " · "
                                        time datetime=(a.closed_at) data-local="" { (a.closed_at.replace('T', " ").replace('Z', " UTC")) }
                                    }
                                    td {
                                        a href=(dashboard_link(a.tournament_id, a.entry_id)) { (a.entry_id) }
                                        " in "
                                        a href=(format!("/tournaments/{}", a.tournament_id)) { "tournament " (a.tournament_id) }
                                    }
                                    td.num { (format!("{:.2}", a.score)) }
                                    td {
                                        @for (i, f) in a.features.iter().enumerate() {
                                            @if i > 0 { ", " }
                                            (f.feature.replace('_', " ")) " " (pct(f.share).trim_start_matches('+'))
                                        }
                                    }
                                    td { (a.reason) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(viewer, "Anomalies", body)
}
