//! Building blocks of the player pages (lobby, tournament, leagues, trade ticket, portfolio,
//! orders, instruments): money and price text, the tournament's tab bar, the viewer's entry,
//! the "you have not joined" state, and the `?tournament` pickers behind `/portfolio` and
//! `/orders`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_domain::{Entry, Money, Price, Tournament, TournamentId, TournamentState};
use maud::{html, Markup};

use super::account::{error_page, see_other};
use super::layout::{csrf_input, empty, page, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// `/portfolio` and `/orders`: the viewer's running tournaments.
pub fn routes() -> Routes {
    Routes::new().get("/portfolio", Access::SignedIn, get(portfolio_picker)).get(
        "/orders",
        Access::SignedIn,
        get(orders_picker),
    )
}

/// Turns a handler failure into an HTML error page.
// The error IS the response the handler returns at once; boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub trait OrPage<T> {
    /// The value, or the error page of the failure.
    fn or_page(self, viewer: &Viewer) -> Result<T, Response>;
}

impl<T, E: Into<ApiError>> OrPage<T> for Result<T, E> {
    fn or_page(self, viewer: &Viewer) -> Result<T, Response> {
        self.map_err(|e| error_page(viewer, &e.into()))
    }
}

/// Either outcome of a page handler is a response.
pub fn respond(result: Result<Response, Response>) -> Response {
    result.unwrap_or_else(|r| r)
}

/// Groups the digits of a whole number in threes (`1234567` → `1,234,567`).
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Fixed-point units (1/10,000) as `$1,234.56`: cents only, or every significant decimal
/// (at least two) when `cents_only` is false.
fn dollars(units: i64, cents_only: bool) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let (int, frac) = (abs / 10_000, abs % 10_000);
    let frac = if cents_only || frac % 100 == 0 {
        format!("{:02}", frac / 100)
    } else {
        format!("{frac:04}").trim_end_matches('0').to_string()
    };
    format!("{sign}${}.{frac}", group(&int.to_string()))
}

/// Money to the cent (`$1,234.56`, `-$12.00`), rounded once by the domain's rule.
pub fn usd(m: Money) -> String {
    dollars(m.round_to_cent().0, true)
}

/// Money with an explicit sign (`+$12.00`, `-$3.50`, `$0.00`).
pub fn signed_usd(m: Money) -> String {
    let text = usd(m);
    if m.round_to_cent().0 > 0 {
        format!("+{text}")
    } else {
        text
    }
}

/// A price with the decimals it has (`$101.25`, `$0.0525`).
pub fn price(p: Price) -> String {
    dollars(p.0, false)
}

/// The CSS class of a signed amount.
pub fn tone(m: Money) -> &'static str {
    match m.0.signum() {
        1 => "up",
        -1 => "down",
        _ => "",
    }
}

/// A percentile (100 = best) as "top 12%".
pub fn percentile_text(p: f64) -> String {
    let top = (100.0 - p).clamp(0.0, 100.0);
    if top < 1.0 {
        "top 1%".to_string()
    } else {
        format!("top {top:.0}%")
    }
}

/// The human name of a lifecycle state.
pub fn state_name(s: TournamentState) -> &'static str {
    match s {
        TournamentState::Draft => "Draft",
        TournamentState::Registration => "Open for entries",
        TournamentState::Running => "Running",
        TournamentState::Finished => "Finished",
        TournamentState::Archived => "Archived",
    }
}

/// The viewer's entry in a tournament, if signed in and joined.
pub async fn viewer_entry(state: &AppState, viewer: &Viewer, tournament: TournamentId) -> ApiResult<Option<Entry>> {
    match &viewer.user {
        Some(u) => Ok(state.store.entry_of_user(tournament, u.user_id).await?),
        None => Ok(None),
    }
}

/// The `data-stream` URL of a tournament's live events.
pub fn stream_url(tournament: TournamentId, topics: &str) -> String {
    format!("/api/v1/stream?tournament_id={}&topics={topics}", tournament.0)
}

/// Which tab of a tournament's pages is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The tournament page.
    Overview,
    /// The trade ticket.
    Trade,
    /// The portfolio.
    Portfolio,
    /// The orders.
    Orders,
    /// The trader dashboard (from the analytics warehouse).
    Dashboard,
    /// An instrument (no tab of its own).
    Instrument,
}

/// The tab bar of a tournament's pages (trading tabs only for players who joined).
pub fn tabs(t: &Tournament, current: Tab, joined: bool) -> Markup {
    let base = format!("/tournaments/{}", t.id.0);
    let mut items = vec![(Tab::Overview, base.clone(), "Overview")];
    if joined {
        items.push((Tab::Trade, format!("{base}/trade"), "Trade"));
        items.push((Tab::Portfolio, format!("{base}/portfolio"), "Portfolio"));
        items.push((Tab::Orders, format!("{base}/orders"), "Orders"));
        items.push((Tab::Dashboard, format!("{base}/dashboard"), "Dashboard"));
    }
    html! {
        nav.subnav aria-label=(format!("{} pages", t.name)) {
            ul {
                @for (tab, href, label) in &items {
                    li { a href=(href) aria-current=[(*tab == current).then_some("page")] { (label) } }
                }
            }
        }
    }
}

/// The join form of a tournament (a signed-in viewer who has not joined an open tournament).
pub fn join_form(viewer: &Viewer, t: &Tournament) -> Markup {
    html! {
        form.inline method="post" action=(format!("/tournaments/{}/join", t.id.0)) {
            (csrf_input(viewer))
            button type="submit" { "Join " (t.name) }
        }
    }
}

/// The page a player sees on a trading page of a tournament they have not joined.
pub fn not_joined(viewer: &Viewer, t: &Tournament, title: &str, current: Tab) -> Response {
    let open = matches!(t.state, TournamentState::Registration | TournamentState::Running);
    let body = html! {
        h1 { (title) " — " (t.name) }
        (tabs(t, current, false))
        @if open {
            div.empty {
                p { "You have not joined " (t.name) " yet. Join to get your starting cash and trade." }
                (join_form(viewer, t))
            }
        } @else {
            (empty(&format!("You did not join {}; it is {}.", t.name, state_name(t.state).to_lowercase()),
                Some(("/lobby", "Find another tournament"))))
        }
    };
    page(viewer, &format!("{title} — {}", t.name), body).into_response()
}

/// The tournament of a page, or an HTML 404 (drafts are visible to admins only, as in the API).
pub async fn tournament_for(state: &AppState, viewer: &Viewer, id: i64) -> Result<Tournament, Response> {
    let found = state.store.tournament(TournamentId(id)).await.or_page(viewer)?;
    match found {
        Some(t) if t.state != TournamentState::Draft || viewer.is_admin() => Ok(t),
        _ => Err(error_page(viewer, &ApiError::not_found(format!("no tournament {id}")))),
    }
}

/// The viewer's running tournaments, by name.
async fn running_entries(state: &AppState, viewer: &Viewer) -> ApiResult<Vec<Tournament>> {
    let Some(user) = &viewer.user else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for t in state.store.tournaments().await? {
        if t.state == TournamentState::Running && state.store.entry_of_user(t.id, user.user_id).await?.is_some() {
            out.push(t);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

async fn picker(state: &AppState, viewer: &Viewer, title: &str, suffix: &str) -> Response {
    let tournaments = match running_entries(state, viewer).await {
        Ok(t) => t,
        Err(e) => return error_page(viewer, &e),
    };
    if let [only] = tournaments.as_slice() {
        return see_other(&format!("/tournaments/{}/{suffix}", only.id.0));
    }
    let body = html! {
        h1 { (title) }
        @if tournaments.is_empty() {
            (empty("You are not in a running tournament. Join one in the lobby to start trading.",
                Some(("/lobby", "Open the lobby"))))
        } @else {
            p { "Pick a tournament:" }
            ul.plain {
                @for t in &tournaments {
                    li { a href=(format!("/tournaments/{}/{suffix}", t.id.0)) { (t.name) } }
                }
            }
        }
    };
    page(viewer, title, body).into_response()
}

async fn portfolio_picker(State(state): State<AppState>, viewer: Viewer) -> Response {
    picker(&state, &viewer, "Your portfolios", "portfolio").await
}

async fn orders_picker(State(state): State<AppState>, viewer: Viewer) -> Response {
    picker(&state, &viewer, "Your orders", "orders").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_prices_read_like_money() {
        assert_eq!(usd(Money::from_dollars(1_234_567)), "$1,234,567.00");
        assert_eq!(usd(Money(-12_345)), "-$1.23");
        assert_eq!(usd(Money(5)), "$0.00");
        assert_eq!(signed_usd(Money::from_cents(1_250)), "+$12.50");
        assert_eq!(signed_usd(Money::from_cents(-50)), "-$0.50");
        assert_eq!(price(Price(1_012_500)), "$101.25");
        assert_eq!(price(Price(525)), "$0.0525");
        assert_eq!(price(Price(10_000_000)), "$1,000.00");
        assert_eq!(percentile_text(100.0), "top 1%");
        assert_eq!(percentile_text(75.0), "top 25%");
    }
}
