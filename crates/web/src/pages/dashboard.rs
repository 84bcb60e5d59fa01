//! The trader dashboard page of one entry, drawn from the analytics warehouse: the equity curve
//! against the benchmark, median and top decile; every closed trade against its peers (same
//! symbol, same sector or the whole tournament, same week) on a scatter with bands and a table
//! of percentiles; who else traded a symbol that week; unusual trades with their reasons; and
//! the trading history with filters. A note says how current the warehouse is.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_analytics::dashboard::{
    self, EntryRef, EquityCurve, Freshness, HistoryKind, HistoryPage, PeerGroup, PeerPoints, PeerTrades, WhoElse,
};
use bullpen_charts::{line_chart, scatter_chart_with_bands, Band, Frame, ScatterPoint, Series, ValueFormat};
use bullpen_domain::{EntryId, Money, Tournament, TournamentId};
use maud::{html, Markup};
use serde::Deserialize;

use super::account::see_other;
use super::anomalies_view::anomaly_list;
use super::layout::{empty, page, svg, Viewer};
use super::player::{
    not_joined, price, respond, signed_usd, tabs, tone, tournament_for, usd, viewer_entry, OrPage, Tab,
};
use crate::analytics::warehouse_error;
use crate::api::dashboard::HistoryParams;
use crate::error::ApiError;
use crate::extract::{PathParams, QueryParams};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Peer trades drawn on the page's scatter.
const SCATTER_PEERS: usize = 400;
/// History rows per page.
const HISTORY_ROWS: u32 = 25;

/// The dashboard routes.
pub fn routes() -> Routes {
    Routes::new().get("/tournaments/{tournament_id}/dashboard", Access::SignedIn, get(own_dashboard)).get(
        "/tournaments/{tournament_id}/entries/{entry_id}/dashboard",
        Access::SignedIn,
        get(dashboard_page),
    )
}

/// The page's query string: history filters, the peer group and the chosen trade. Lenient: a
/// bad value is reported on the page, not as a bare 400.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashboardQuery {
    /// `fills` or `closed`.
    pub kind: Option<String>,
    /// Symbol filter.
    pub symbol: Option<String>,
    /// `buy` or `sell`.
    pub side: Option<String>,
    /// From (YYYY-MM-DD).
    pub from: Option<String>,
    /// To (YYYY-MM-DD).
    pub to: Option<String>,
    /// History cursor.
    pub after: Option<String>,
    /// Peer group.
    pub group: Option<String>,
    /// The chosen trade (`close_seq-piece`).
    pub trip: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl DashboardQuery {
    /// The history filters, or what is wrong with them.
    fn history(&self) -> Result<HistoryParams, String> {
        let date = |v: &Option<String>, name: &str| -> Result<Option<chrono::NaiveDate>, String> {
            nonempty(v)
                .map(|s| s.parse().map_err(|_| format!("{name} must be a date (YYYY-MM-DD), got `{s}`")))
                .transpose()
        };
        let kind = match nonempty(&self.kind) {
            None | Some("fills") => None,
            Some("closed") => Some(HistoryKind::Closed),
            Some(other) => return Err(format!("unknown history kind `{other}`")),
        };
        let side = match nonempty(&self.side) {
            None => None,
            Some("buy") => Some(dashboard::SideFilter::Buy),
            Some("sell") => Some(dashboard::SideFilter::Sell),
            Some(other) => return Err(format!("side must be buy or sell, got `{other}`")),
        };
        Ok(HistoryParams {
            kind,
            symbol: nonempty(&self.symbol).map(str::to_uppercase),
            side,
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
            after: nonempty(&self.after).map(str::to_string),
            limit: Some(HISTORY_ROWS),
        })
    }

    fn group(&self) -> PeerGroup {
        nonempty(&self.group).and_then(|g| PeerGroup::parse(g).ok()).unwrap_or_default()
    }

    fn trip(&self) -> Option<(i64, i32)> {
        let (seq, piece) = nonempty(&self.trip)?.split_once('-')?;
        Some((seq.parse().ok()?, piece.parse().ok()?))
    }

    /// The query string of the page with some parameters replaced (links keep the rest).
    fn link(&self, base: &str, changes: &[(&str, Option<&str>)], anchor: &str) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let current = [
            ("kind", &self.kind),
            ("symbol", &self.symbol),
            ("side", &self.side),
            ("from", &self.from),
            ("to", &self.to),
            ("after", &self.after),
            ("group", &self.group),
            ("trip", &self.trip),
        ];
        for (name, value) in current {
            let replaced = changes.iter().find(|(n, _)| *n == name);
            let value = match replaced {
                Some((_, v)) => v.map(str::to_string),
                None => nonempty(value).map(str::to_string),
            };
            if let Some(v) = value {
                pairs.push((name, v));
            }
        }
        let query: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={}", encode(v))).collect();
        if query.is_empty() {
            format!("{base}#{anchor}")
        } else {
            format!("{base}?{}#{anchor}", query.join("&"))
        }
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn own_dashboard(State(state): State<AppState>, viewer: Viewer, PathParams(id): PathParams<i64>) -> Response {
    respond(
        async {
            let t = tournament_for(&state, &viewer, id).await?;
            let Some(entry) = viewer_entry(&state, &viewer, t.id).await.or_page(&viewer)? else {
                return Err(not_joined(&viewer, &t, "Dashboard", Tab::Dashboard));
            };
            Ok(see_other(&format!("/tournaments/{}/entries/{}/dashboard", t.id.0, entry.id.0)))
        }
        .await,
    )
}

/// The page for a dashboard the viewer may not open: someone else's entry gets a pointer to
/// their own dashboard; other failures their usual error page.
async fn refused(state: &AppState, viewer: &Viewer, t: &Tournament, e: ApiError) -> Response {
    if e.code != "not_your_entry" {
        return super::account::error_page(viewer, &e);
    }
    let own = viewer_entry(state, viewer, t.id).await.ok().flatten();
    let body = html! {
        h1 { "Not your dashboard" }
        p.notice.bad role="alert" { (e.message) }
        @if let Some(entry) = own {
            p { a href=(format!("/tournaments/{}/entries/{}/dashboard", t.id.0, entry.id.0)) { "Open your dashboard in " (t.name) } }
        } @else {
            p { a href=(format!("/tournaments/{}", t.id.0)) { "Back to " (t.name) } }
        }
    };
    (axum::http::StatusCode::FORBIDDEN, page(viewer, "Not your dashboard", body)).into_response()
}

/// Everything the page shows.
struct View {
    tournament: Tournament,
    entry: EntryId,
    own: bool,
    freshness: Option<Freshness>,
    curve: EquityCurve,
    peers: Vec<PeerTrades>,
    points: PeerPoints,
    who_else: Option<WhoElse>,
    anomalies: Vec<dashboard::AnomalyView>,
    history: Result<HistoryPage, String>,
    query: DashboardQuery,
}

async fn dashboard_page(
    State(state): State<AppState>,
    viewer: Viewer,
    caller: Caller,
    PathParams((tournament_id, entry_id)): PathParams<(i64, i64)>,
    QueryParams(query): QueryParams<DashboardQuery>,
) -> Response {
    respond(
        async {
            let t = tournament_for(&state, &viewer, tournament_id).await?;
            let at = EntryRef { tournament_id: TournamentId(tournament_id), entry_id: EntryId(entry_id) };
            if let Err(e) = state.dashboard_entry(&caller, at.tournament_id, at.entry_id).await {
                return Err(refused(&state, &viewer, &t, e).await);
            }
            let own = viewer_entry(&state, &viewer, t.id).await.or_page(&viewer)?.is_some_and(|e| e.id == at.entry_id);
            let analytics = state.analytics().or_page(&viewer)?;
            let ctx = analytics.session().await.or_page(&viewer)?;
            let freshness = crate::api::dashboard::entry_freshness(&state, &caller, at).await.ok();
            let curve = dashboard::equity_curve(&ctx, at).await.map_err(warehouse_error).or_page(&viewer)?;
            let peers = dashboard::peer_trades(&ctx, at).await.map_err(warehouse_error).or_page(&viewer)?;
            let points = dashboard::peer_points(&ctx, at, query.group(), SCATTER_PEERS)
                .await
                .map_err(warehouse_error)
                .or_page(&viewer)?;
            let who_else = match query.trip() {
                Some((seq, piece)) => {
                    dashboard::who_else(&ctx, at, seq, piece).await.map_err(warehouse_error).or_page(&viewer)?
                }
                None => None,
            };
            let anomalies = super::anomalies_view::of_entry(&ctx, at).await;
            let history = match query.history().and_then(|p| p.to_query().map_err(|e: ApiError| e.message)) {
                Ok(q) => dashboard::history(&ctx, at, &q).await.map_err(|e| warehouse_error(e).message),
                Err(e) => Err(e),
            };
            let v = View {
                tournament: t,
                entry: at.entry_id,
                own,
                freshness,
                curve,
                peers,
                points,
                who_else,
                anomalies,
                history,
                query,
            };
            Ok(view(&viewer, &v).into_response())
        }
        .await,
    )
}

fn seconds(date: chrono::NaiveDate) -> f64 {
    date.and_hms_opt(0, 0, 0).map_or(0.0, |d| d.and_utc().timestamp() as f64)
}

/// A return as a signed percentage (`+9.8%`).
pub fn pct(r: f64) -> String {
    if r > 0.0 {
        format!("+{:.1}%", r * 100.0)
    } else {
        format!("{:.1}%", r * 100.0)
    }
}

/// A holding time in words (`1d 3h`, `5h 20m`, `12m`).
pub fn held(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// The value at a fraction of sorted values, interpolating between neighbours (as SQL's
/// `percentile_cont`).
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let at = p * last as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    Some(sorted[lo] + (sorted[hi.min(last)] - sorted[lo]) * (at - lo as f64))
}

fn curve_chart(curve: &EquityCurve) -> String {
    let line = |f: &dyn Fn(&dashboard::EquityPoint) -> Option<Money>| -> Vec<(f64, f64)> {
        curve.points.iter().filter_map(|p| f(p).map(|m| (seconds(p.date), m.to_f64_lossy()))).collect()
    };
    let mut series = vec![
        Series { name: "You".into(), points: line(&|p| Some(p.equity)), dashed: false },
        Series { name: "Tournament median".into(), points: line(&|p| Some(p.median)), dashed: true },
        Series { name: "Top decile".into(), points: line(&|p| Some(p.top_decile)), dashed: true },
    ];
    let benchmark = line(&|p| p.benchmark);
    if !benchmark.is_empty() {
        series.push(Series { name: "Equal-weight universe".into(), points: benchmark, dashed: true });
    }
    line_chart(&Frame::new(720.0, 260.0, "Equity against the benchmark, the median and the top decile"), &series)
}

fn scatter(v: &View) -> String {
    let flagged: Vec<(i64, i32)> = v.anomalies.iter().filter(|a| a.flagged).map(|a| (a.close_seq, a.piece)).collect();
    let points: Vec<ScatterPoint> = v
        .points
        .points
        .iter()
        .map(|p| ScatterPoint {
            x: p.holding_seconds as f64,
            y: p.trade_return,
            size: p.notional.to_f64_lossy(),
            highlight: p.own,
            flagged: p.own && flagged.contains(&(p.close_seq, p.piece)),
            label: if p.own {
                format!(
                    "Your {} trade: {} held {}, {}",
                    p.symbol,
                    pct(p.trade_return),
                    held(p.holding_seconds),
                    usd(p.notional)
                )
            } else {
                format!("A peer's {} trade: {} held {}", p.symbol, pct(p.trade_return), held(p.holding_seconds))
            },
        })
        .collect();
    let mut returns: Vec<f64> = v.points.points.iter().map(|p| p.trade_return).filter(|r| r.is_finite()).collect();
    returns.sort_by(f64::total_cmp);
    let bands: Vec<Band> = [(0.1, "p10"), (0.5, "p50"), (0.9, "p90")]
        .into_iter()
        .filter_map(|(p, label)| percentile(&returns, p).map(|y| Band { y, label: label.into() }))
        .collect();
    let mut frame = Frame::new(720.0, 320.0, "Your closed trades (orange) against other traders' in the same weeks");
    frame.x_format = ValueFormat::Duration;
    frame.y_format = ValueFormat::Percent;
    scatter_chart_with_bands(&frame, &points, &bands)
}

fn group_name(g: PeerGroup) -> &'static str {
    match g {
        PeerGroup::Symbol => "Same symbol",
        PeerGroup::Sector => "Same sector",
        PeerGroup::Tournament => "Whole tournament",
    }
}

fn freshness_note(f: Option<&Freshness>) -> Markup {
    html! {
        p.muted.freshness data-freshness="" {
            @match f.and_then(|f| f.as_of.clone()) {
                Some(as_of) => {
                    "Data as of "
                    time datetime=(as_of) data-local="" { (as_of.replace('T', " ").replace('Z', " UTC")) }
                    " — updated every " (every(f.map_or(60, |f| f.refresh_seconds))) "."
                    @if let Some(behind) = f.and_then(|f| f.seq_behind).filter(|n| *n > 0) {
                        " " (behind) " newer changes are not included yet."
                    }
                }
                None => { "The analytics warehouse has no data for this tournament yet; it is updated every " (every(f.map_or(60, |f| f.refresh_seconds))) "." }
            }
        }
    }
}

fn every(seconds: u64) -> String {
    match seconds {
        60 => "minute".to_string(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

fn peers_section(v: &View, base: &str) -> Markup {
    let group = v.query.group();
    let trades = v.peers.iter().find(|p| p.group == group).map(|p| p.trades.as_slice()).unwrap_or_default();
    let flagged: Vec<(i64, i32)> = v.anomalies.iter().filter(|a| a.flagged).map(|a| (a.close_seq, a.piece)).collect();
    html! {
        section #peers aria-labelledby="peers-h" {
            h2 #peers-h { "Your trades against other traders" }
            nav.subnav aria-label="Compare with" {
                ul {
                    @for g in PeerGroup::ALL {
                        li { a href=(v.query.link(base, &[("group", Some(g.as_str())), ("trip", None)], "peers"))
                            aria-current=[(g == group).then_some("true")] data-group=(g.as_str()) { (group_name(g)) } }
                    }
                }
            }
            @if trades.is_empty() {
                (empty("No closed trades yet: each round trip appears here once it is closed and exported.", None))
            } @else {
                div.chart { (svg(scatter(v))) }
                p.muted {
                    "Each dot is a closed trade: return against holding time, sized by its value. Yours are orange"
                    @if !flagged.is_empty() { ", unusual ones ringed in red" }
                    "; blue dots are other traders' trades closed in the same weeks ("
                    (group_name(group).to_lowercase()) "). Dashed lines: the 10th, 50th and 90th percentiles of return."
                    @if v.points.omitted > 0 { " " (v.points.omitted) " older peer trades are not drawn." }
                }
                div.table-wrap {
                    table.peers data-peer-group=(group.as_str()) {
                        caption.visually-hidden { "Your closed trades against " (group_name(group).to_lowercase()) }
                        thead { tr {
                            th scope="col" { "Trade" }
                            th scope="col" class="num" { "Return" }
                            th scope="col" class="num" { "Percentile" }
                            th scope="col" class="num" { "Peers p10 / p50 / p90" }
                            th scope="col" class="num" { "Held" }
                            th scope="col" class="num" { "Size" }
                            th scope="col" { "Who else" }
                        } }
                        tbody {
                            @for t in trades {
                                @let is_flagged = flagged.contains(&(t.close_seq, t.piece));
                                tr.flagged[is_flagged] data-trip=(format!("{}-{}", t.close_seq, t.piece))
                                    data-percentile=(format!("{:.4}", t.return_percentile)) {
                                    th scope="row" {
                                        (t.symbol) " · week of " (t.week.format("%b %-d"))
                                        @if is_flagged { " " span.badge.bad { "unusual" } }
                                    }
                                    td.num class=(tone(t.realized_pnl)) { (pct(t.trade_return)) }
                                    td.num { "better than " (format!("{:.0}%", t.return_percentile * 100.0)) " of " (t.peer_trades) }
                                    td.num { (pct(t.return_p10)) " / " (pct(t.return_p50)) " / " (pct(t.return_p90)) }
                                    td.num { (held(t.holding_seconds)) }
                                    td.num { (usd(t.notional)) }
                                    td { a href=(v.query.link(base, &[("trip", Some(&format!("{}-{}", t.close_seq, t.piece)))], "who-else"))
                                        aria-label=(format!("Who else traded {} that week", t.symbol)) { "Who else?" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn who_else_section(w: &WhoElse) -> Markup {
    html! {
        section #who-else aria-labelledby="who-h" {
            h2 #who-h { "Who else traded " (w.symbol) " in the week of " (w.week.format("%Y-%m-%d")) }
            p.muted { "Traders are shown by pseudonym only." }
            div.table-wrap {
                table.who-else {
                    caption.visually-hidden { "Traders of " (w.symbol) " that week" }
                    thead { tr {
                        th scope="col" { "Trader" }
                        th scope="col" class="num" { "Bought" }
                        th scope="col" class="num" { "Sold" }
                        th scope="col" class="num" { "Closed trades" }
                        th scope="col" class="num" { "Realized P&L" }
                        th scope="col" class="num" { "Return" }
                    } }
                    tbody {
                        @for t in &w.traders {
                            tr.you[t.is_you] data-trader=(t.label) {
                                th scope="row" { (t.label) }
                                td.num { (t.bought) }
                                td.num { (t.sold) }
                                td.num { (t.round_trips) }
                                td.num class=(tone(t.realized_pnl)) { (signed_usd(t.realized_pnl)) }
                                td.num { @match t.trade_return { Some(r) => (pct(r)), None => "—" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn history_form(v: &View, base: &str) -> Markup {
    let q = &v.query;
    let value = |o: &Option<String>| o.clone().unwrap_or_default();
    let kind = nonempty(&q.kind).unwrap_or("fills");
    let side = nonempty(&q.side).unwrap_or("");
    html! {
        form.filters method="get" action=(format!("{base}#history")) aria-label="Filter the history" {
            @if let Some(g) = nonempty(&q.group) { input type="hidden" name="group" value=(g); }
            div.field {
                label for="h-kind" { "Show" }
                select #h-kind name="kind" {
                    option value="fills" selected[kind == "fills"] { "Every fill" }
                    option value="closed" selected[kind == "closed"] { "Closed trades only" }
                }
            }
            div.field {
                label for="h-symbol" { "Symbol" }
                input #h-symbol name="symbol" type="text" value=(value(&q.symbol)) autocapitalize="characters" maxlength="12";
            }
            div.field {
                label for="h-side" { "Side" }
                select #h-side name="side" {
                    option value="" selected[side.is_empty()] { "Both" }
                    option value="buy" selected[side == "buy"] { "Buy (long)" }
                    option value="sell" selected[side == "sell"] { "Sell (short)" }
                }
            }
            div.field {
                label for="h-from" { "From" }
                input #h-from name="from" type="date" value=(value(&q.from));
            }
            div.field {
                label for="h-to" { "To" }
                input #h-to name="to" type="date" value=(value(&q.to));
            }
            button type="submit" { "Filter" }
        }
    }
}

fn history_section(v: &View, base: &str) -> Markup {
    html! {
        section #history aria-labelledby="history-h" {
            h2 #history-h { "Trading history" }
            (history_form(v, base))
            @match &v.history {
                Err(message) => { p.notice.bad role="alert" { (message) } }
                Ok(page) if page.fills.is_empty() && page.round_trips.is_empty() => {
                    (empty("Nothing matches these filters.", None))
                }
                Ok(page) => {
                    div.table-wrap {
                        @if page.kind == HistoryKind::Fills {
                            table.history data-history="fills" {
                                caption.visually-hidden { "Fills, newest first" }
                                thead { tr {
                                    th scope="col" { "When" }
                                    th scope="col" { "Symbol" }
                                    th scope="col" { "Side" }
                                    th scope="col" class="num" { "Shares" }
                                    th scope="col" class="num" { "Price" }
                                    th scope="col" class="num" { "Value" }
                                    th scope="col" class="num" { "Fee" }
                                } }
                                tbody {
                                    @for f in &page.fills {
                                        tr data-seq=(f.seq) {
                                            td { time datetime=(f.ts) data-local="" { (f.ts.replace('T', " ").replace('Z', " UTC")) } }
                                            th scope="row" { (f.symbol) }
                                            td { (f.side) }
                                            td.num { (f.qty) }
                                            td.num { (price(f.price)) }
                                            td.num { (usd(f.notional)) }
                                            td.num { (usd(f.fee)) }
                                        }
                                    }
                                }
                            }
                        } @else {
                            table.history data-history="closed" {
                                caption.visually-hidden { "Closed trades, newest first" }
                                thead { tr {
                                    th scope="col" { "Closed" }
                                    th scope="col" { "Symbol" }
                                    th scope="col" { "Direction" }
                                    th scope="col" class="num" { "Shares" }
                                    th scope="col" class="num" { "Entry / exit" }
                                    th scope="col" class="num" { "Held" }
                                    th scope="col" class="num" { "P&L" }
                                    th scope="col" class="num" { "Return" }
                                } }
                                tbody {
                                    @for r in &page.round_trips {
                                        tr data-trip=(format!("{}-{}", r.close_seq, r.piece)) {
                                            td { time datetime=(r.closed_at) data-local="" { (r.closed_at.replace('T', " ").replace('Z', " UTC")) } }
                                            th scope="row" { (r.symbol) }
                                            td { (r.direction) }
                                            td.num { (r.qty) }
                                            td.num { (price(r.entry_price)) " / " (price(r.exit_price)) }
                                            td.num { (held(r.holding_seconds)) }
                                            td.num class=(tone(r.realized_pnl)) { (signed_usd(r.realized_pnl)) }
                                            td.num { (pct(r.trade_return)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(next) = &page.next {
                        p { a rel="next" href=(v.query.link(base, &[("after", Some(next))], "history")) { "Older" } }
                    }
                }
            }
        }
    }
}

fn view(viewer: &Viewer, v: &View) -> Markup {
    let t = &v.tournament;
    let base = format!("/tournaments/{}/entries/{}/dashboard", t.id.0, v.entry.0);
    let title = if v.own {
        format!("Dashboard — {}", t.name)
    } else {
        format!("Dashboard of entry {} — {}", v.entry.0, t.name)
    };
    let report = format!("/reports?tournament_id={}&entry_id={}", t.id.0, v.entry.0);
    let body = html! {
        h1 { (title) }
        p.back { a href=(format!("/tournaments/{}", t.id.0)) { "← Back to " (t.name) } }
        (tabs(t, Tab::Dashboard, v.own))
        (freshness_note(v.freshness.as_ref()))
        p { a.button href=(report) { "Get a report" } }
        section #equity aria-labelledby="equity-h" {
            h2 #equity-h { "Equity against the benchmark, the median and the top decile" }
            @if v.curve.points.is_empty() {
                (empty("The equity curve starts after the first trading day closes and is exported.", None))
            } @else {
                div.chart { (svg(curve_chart(&v.curve))) }
                p.muted {
                    "Closing equity each day. Dashed: the tournament's median and top decile"
                    @if v.curve.benchmark_instruments > 0 {
                        ", and an equal-weight buy-and-hold of the tournament's " (v.curve.benchmark_instruments)
                        " instruments from the first close, scaled to the starting cash of " (usd(v.curve.starting_cash)) "."
                    } @else { "; no daily prices yet for the benchmark." }
                }
            }
        }
        (peers_section(v, &base))
        @if let Some(w) = &v.who_else { (who_else_section(w)) }
        section #anomalies aria-labelledby="anomalies-h" {
            h2 #anomalies-h { "Unusual trades" }
            (anomaly_list(&v.anomalies))
        }
        (history_section(v, &base))
    };
    page(viewer, &title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(pct(0.098), "+9.8%");
        assert_eq!(pct(-0.02), "-2.0%");
        assert_eq!(held(86_400 + 3 * 3_600), "1d 3h");
        assert_eq!(held(5 * 3_600 + 20 * 60), "5h 20m");
        assert_eq!(held(59), "0m");
        assert_eq!(percentile(&[0.0, 1.0], 0.9), Some(0.9));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn links_keep_the_other_filters() {
        let q = DashboardQuery { symbol: Some("AAPL".into()), trip: Some("7-0".into()), ..DashboardQuery::default() };
        assert_eq!(
            q.link("/d", &[("group", Some("sector")), ("trip", None)], "peers"),
            "/d?symbol=AAPL&group=sector#peers"
        );
        assert!(q.history().is_ok());
        let bad = DashboardQuery { from: Some("yesterday".into()), ..DashboardQuery::default() };
        assert!(bad.history().is_err());
    }
}
