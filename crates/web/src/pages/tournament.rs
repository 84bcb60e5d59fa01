//! The tournament page: its rules, the live leaderboard with the player's own row highlighted
//! and percentile, their leagues, evaluation-challenge progress, and the join button.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bullpen_domain::scoring::percentile;
use bullpen_domain::{
    ChallengeOutcome, Entry, League, ScoringMethod, Tournament, TournamentRules, TournamentState, Universe,
};
use maud::{html, Markup};
use serde::Deserialize;

use super::account::{notice, query_or_default, see_other};
use super::challenge::{progress, progress_view, rules_view};
use super::layout::{empty, page, Viewer};
use super::lobby::kind_name;
use super::player::{
    join_form, percentile_text, price, respond, state_name, stream_url, tabs, tournament_for, usd, viewer_entry,
    OrPage, Tab,
};
use crate::api::tournaments::{entry_count, join_tournament, ranking, LeaderboardItem, LeaderboardPage};
use crate::error::ApiResult;
use crate::extract::PathParams;
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Leaderboard rows shown (and streamed) on the tournament page.
pub const TOP: usize = 25;

/// The tournament page routes.
pub fn routes() -> Routes {
    Routes::new().get("/tournaments/{tournament_id}", Access::Public, get(tournament_page)).post(
        "/tournaments/{tournament_id}/join",
        Access::SignedIn,
        post(join_submit),
    )
}

/// `?joined=1` after joining.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// Set after a successful join.
    pub joined: String,
}

/// How a leaderboard's score reads: a return as a percentage, a ratio as a number.
pub fn score_kind(rules: &TournamentRules) -> &'static str {
    match rules.scoring {
        ScoringMethod::TotalReturn | ScoringMethod::DrawdownPenalised { .. } => "percent",
        ScoringMethod::Sharpe | ScoringMethod::Sortino => "ratio",
    }
}

/// A score as the leaderboard shows it.
pub fn score_text(kind: &str, score: f64) -> String {
    if kind == "percent" {
        format!("{:+.2}%", score * 100.0)
    } else {
        format!("{score:.2}")
    }
}

/// The viewer's own row, wherever it ranks.
async fn own_row(state: &AppState, t: &Tournament, entry: &Entry) -> ApiResult<Option<LeaderboardItem>> {
    if t.state >= TournamentState::Finished {
        let standings = state.store.final_standings(t.id).await?;
        let n = standings.len() as u32;
        return Ok(standings.iter().find(|s| s.entry_id == entry.id).map(|s| LeaderboardItem {
            rank: s.rank,
            entry_id: s.entry_id.0,
            display_name: entry.display_name.clone(),
            equity: s.equity,
            score: s.score as f64 / 1_000_000.0,
            percentile: percentile(s.rank, n),
            badges: s.badges.clone(),
        }));
    }
    Ok(state.engine.handle(t.id).and_then(|h| {
        let board = h.leaderboard();
        board.row(entry.id).map(|r| LeaderboardItem {
            rank: r.rank,
            entry_id: r.entry_id.0,
            display_name: board.name(r.entry_id).to_string(),
            equity: r.equity,
            score: r.score as f64 / 1_000_000.0,
            percentile: r.percentile,
            badges: Vec::new(),
        })
    }))
}

/// Leagues of the tournament the entry belongs to.
async fn my_leagues(state: &AppState, t: &Tournament, entry: &Entry) -> ApiResult<Vec<(League, usize)>> {
    let mut out = Vec::new();
    for league in state.store.leagues(t.id).await? {
        let members = state.store.league_members(league.id).await?;
        if members.contains(&entry.id) {
            out.push((league, members.len()));
        }
    }
    Ok(out)
}

struct View {
    tournament: Tournament,
    players: u64,
    entry: Option<Entry>,
    board: LeaderboardPage,
    own: Option<LeaderboardItem>,
    leagues: Vec<(League, usize)>,
    challenge: Option<ChallengeOutcome>,
    joined_now: bool,
}

async fn tournament_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<i64>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    respond(
        async {
            let t = tournament_for(&state, &viewer, id).await?;
            let q: PageQuery = query_or_default(query);
            let entry = viewer_entry(&state, &viewer, t.id).await.or_page(&viewer)?;
            let players = entry_count(&state, &t).await.or_page(&viewer)?;
            let board = ranking(&state, &t, None, None, TOP).await.or_page(&viewer)?;
            let (own, leagues, challenge) = match &entry {
                Some(e) => (
                    own_row(&state, &t, e).await.or_page(&viewer)?,
                    my_leagues(&state, &t, e).await.or_page(&viewer)?,
                    progress(&state, &t, e.id).await.or_page(&viewer)?,
                ),
                None => (None, Vec::new(), None),
            };
            let v = View { tournament: t, players, entry, board, own, leagues, challenge, joined_now: q.joined == "1" };
            Ok(view(&viewer, &v).into_response())
        }
        .await,
    )
}

async fn join_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams(id): PathParams<i64>,
) -> Response {
    match join_tournament(&state, &caller, id).await {
        Ok(_) => see_other(&format!("/tournaments/{id}?joined=1")),
        Err(e) => super::account::error_page(&viewer, &e),
    }
}

/// The rules of a tournament as a definition list.
pub fn rules_facts(r: &TournamentRules) -> Markup {
    let c = &r.commission;
    let commission = if c.per_trade.0 == 0 && c.per_share.0 == 0 && c.bps == 0 {
        "Free".to_string()
    } else {
        let mut parts = Vec::new();
        if c.per_trade.0 != 0 {
            parts.push(format!("{} per trade", usd(c.per_trade)));
        }
        if c.per_share.0 != 0 {
            parts.push(format!("{} per share", super::player::price(bullpen_domain::Price(c.per_share.0))));
        }
        if c.bps != 0 {
            parts.push(format!("{} bps of the value", c.bps));
        }
        let mut text = parts.join(" + ");
        if c.minimum.0 > 0 {
            text.push_str(&format!(" (minimum {})", usd(c.minimum)));
        }
        text
    };
    let universe = match &r.universe {
        Universe::All => "Every listed instrument".to_string(),
        Universe::Symbols(s) => s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        Universe::Sectors(s) => format!("Sectors: {}", s.join(", ")),
    };
    let scoring = match r.scoring {
        ScoringMethod::TotalReturn => "Total return".to_string(),
        ScoringMethod::Sharpe => "Sharpe ratio of daily returns".to_string(),
        ScoringMethod::Sortino => "Sortino ratio of daily returns".to_string(),
        ScoringMethod::DrawdownPenalised { penalty_bps } => {
            format!("Total return minus {penalty_bps} bps × the maximum drawdown")
        }
    };
    html! {
        dl.facts {
            dt { "Starting cash" } dd { (usd(r.starting_cash)) }
            dt { "Commission" } dd { (commission) }
            dt { "Tradable" } dd { (universe) }
            dt { "Short selling" } dd {
                @if r.short_selling { "Allowed above " (price(r.short_min_price)) } @else { "Not allowed" }
                @if r.short_selling && r.borrow_fee_bps_per_year > 0 { "; borrow fee " (r.borrow_fee_bps_per_year) " bps a year" }
            }
            dt { "Margin" } dd {
                @match &r.margin {
                    Some(m) => { (format!("{:.2}", m.buying_power_multiple_bps as f64 / 10_000.0)) "× buying power; interest " (m.interest_bps_per_year) " bps a year" }
                    None => "None (cash account)",
                }
            }
            @if let Some(w) = r.max_position_weight_bps {
                dt { "Largest position" } dd { (format!("{}.{:02}%", w / 100, w % 100)) " of equity" }
            }
            @if let Some(p) = r.min_share_price {
                dt { "Minimum share price" } dd { (price(p)) }
            }
            @if let Some(n) = r.max_orders_per_day {
                dt { "Orders per day" } dd { "At most " (n) }
            }
            @if r.quote_delay_seconds > 0 {
                dt { "Quote delay" } dd { (r.quote_delay_seconds) " s" }
            }
            @if r.min_holding_seconds > 0 {
                dt { "Minimum holding time" } dd { (r.min_holding_seconds) " s" }
            }
            @if r.slippage_bps > 0 {
                dt { "Slippage" } dd { (r.slippage_bps) " bps on market orders" }
            }
            @if let Some(v) = r.volume_cap_bps {
                dt { "Volume cap" } dd { (format!("{}.{:02}%", v / 100, v % 100)) " of the day's volume per fill" }
            }
            dt { "Late entry" } dd { @if r.late_entry { "Allowed" } @else { "Not allowed after the start" } }
            dt { "Ranking" } dd { (scoring) }
        }
    }
}

/// One leaderboard row.
pub fn leaderboard_row(row: &LeaderboardItem, me: Option<i64>, kind: &str) -> Markup {
    let mine = me == Some(row.entry_id);
    html! {
        tr.me[mine] data-entry=(row.entry_id) aria-current=[mine.then_some("true")] {
            td.num { (row.rank) }
            td {
                (row.display_name)
                @if mine { " " span.badge { "You" } }
                @for b in &row.badges { " " span.badge { (b) } }
            }
            td.num { (usd(row.equity)) }
            td.num { (score_text(kind, row.score)) }
            td.num { (percentile_text(row.percentile)) }
        }
    }
}

/// A leaderboard table; with `stream`, it updates live.
pub fn leaderboard_table(
    board: &LeaderboardPage,
    own: Option<&LeaderboardItem>,
    kind: &str,
    caption: &str,
    stream: Option<String>,
) -> Markup {
    let me = own.map(|o| o.entry_id);
    let own_outside = own.filter(|o| !board.items.iter().any(|r| r.entry_id == o.entry_id));
    html! {
        div.table-wrap data-stream=[stream.as_ref()] data-events=[stream.as_ref().map(|_| "leaderboard")] {
            table.leaderboard data-leaderboard="" data-me=[me] data-score=(kind) {
                caption.visually-hidden { (caption) }
                thead { tr {
                    th scope="col" class="num" { "Rank" }
                    th scope="col" { "Player" }
                    th scope="col" class="num" { "Equity" }
                    th scope="col" class="num" { @if kind == "percent" { "Return" } @else { "Score" } }
                    th scope="col" class="num" { "Percentile" }
                } }
                tbody {
                    @for row in &board.items {
                        (leaderboard_row(row, me, kind))
                    }
                    @if let Some(o) = own_outside {
                        tr.gap aria-hidden="true" { td colspan="5" { "…" } }
                        (leaderboard_row(o, me, kind))
                    }
                }
            }
        }
    }
}

fn view(viewer: &Viewer, v: &View) -> Markup {
    let t = &v.tournament;
    let open = matches!(t.state, TournamentState::Registration | TournamentState::Running);
    let can_join = open && (t.state != TournamentState::Running || t.rules.late_entry);
    let kind = score_kind(&t.rules);
    let live = t.state == TournamentState::Running && !v.board.is_final;
    let stream = live.then(|| format!("{}&top={TOP}", stream_url(t.id, "leaderboard")));
    page(
        viewer,
        &t.name,
        html! {
            h1 { (t.name) }
            (tabs(t, Tab::Overview, v.entry.is_some()))
            @if v.joined_now { (notice(&format!("You joined {}. Good luck!", t.name))) }
            p {
                span.badge { (state_name(t.state)) } " "
                (kind_name(t.kind)) " · "
                (t.starts_on.format("%Y-%m-%d").to_string()) " – " (t.ends_on.format("%Y-%m-%d").to_string())
                " · " (v.players) @if v.players == 1 { " player" } @else { " players" }
            }
            @match (&viewer.user, &v.entry) {
                (_, Some(_)) if t.state == TournamentState::Running => {
                    p.actions {
                        a.button href=(format!("/tournaments/{}/trade", t.id.0)) { "Trade" }
                        a.button.secondary href=(format!("/tournaments/{}/portfolio", t.id.0)) { "Portfolio" }
                    }
                }
                (_, Some(_)) => { p { span.badge { "Joined" } } }
                (Some(_), None) if can_join => { p { (join_form(viewer, t)) } }
                (None, None) if can_join => {
                    p { a.button href=(format!("/sign-in?next=/tournaments/{}", t.id.0)) { "Sign in to join" } }
                }
                _ => {}
            }
            section aria-labelledby="board-h" {
                h2 #board-h { @if v.board.is_final { "Final standings" } @else { "Leaderboard" } }
                @if let Some(o) = &v.own {
                    p.you data-you="" {
                        "You are " strong data-field="rank" { "#" (o.rank) } " of "
                        span data-field="entries" { (v.board.total) } " — "
                        span data-field="percentile" { (percentile_text(o.percentile)) } "."
                    }
                }
                @if v.board.items.is_empty() {
                    @if live || t.state == TournamentState::Registration {
                        (empty("Nobody has joined yet. Be the first!", None))
                    } @else {
                        (empty("There is no leaderboard for this tournament.", Some(("/lobby", "Back to the lobby"))))
                    }
                } @else {
                    (leaderboard_table(&v.board, v.own.as_ref(), kind, "Leaderboard", stream))
                    @if v.board.total as usize > v.board.items.len() {
                        p.muted { "Top " (v.board.items.len()) " of " (v.board.total) " players." }
                    }
                }
            }
            @if let Some(rules) = &t.challenge {
                section aria-labelledby="challenge-h" {
                    h2 #challenge-h { "Challenge objectives" }
                    @match &v.challenge {
                        Some(outcome) => { (progress_view(outcome)) }
                        None => { (rules_view(rules)) }
                    }
                }
            }
            section aria-labelledby="leagues-h" {
                h2 #leagues-h { "Leagues" }
                @if v.entry.is_some() {
                    @if v.leagues.is_empty() {
                        p.muted { "You are not in a league of this tournament yet. Create one and invite friends, or join one with its code." }
                    } @else {
                        ul.plain {
                            @for (league, members) in &v.leagues {
                                li {
                                    a href=(format!("/leagues/{}", league.id.0)) { (league.name) }
                                    " " span.muted { "(" (members) @if *members == 1 { " member" } @else { " members" } ")" }
                                }
                            }
                        }
                    }
                    @if t.state < TournamentState::Finished {
                        (super::leagues::create_form(viewer, t, "", None))
                    }
                    p { a href="/leagues/join" { "Join a league with an invite code" } }
                } @else {
                    p.muted { "Players who joined can create private leagues and invite friends." }
                }
            }
            section aria-labelledby="rules-h" {
                h2 #rules-h { "Rules" }
                (rules_facts(&t.rules))
            }
        },
    )
}
