//! The instrument page: a price chart (line or candles) over a chosen range, with the player's
//! own trades marked, the live price and a way to trade it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_charts::{candle_chart, Candle, Frame, TradeMarker};
use bullpen_domain::ledger::LedgerKind;
use bullpen_domain::{DailyBar, EntryId, LedgerEntry, Symbol, Tournament, TournamentId, TournamentState};
use bullpen_market::calendar::to_new_york;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use super::account::query_or_default;
use super::layout::{empty, page, svg, time, Viewer};
use super::player::{price, respond, stream_url, tabs, tournament_for, viewer_entry, OrPage, Tab};
use crate::api::market::find_instrument;
use crate::error::ApiResult;
use crate::extract::PathParams;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// Ledger rows read per store call.
const LEDGER_PAGE: i64 = 1_000;

/// The instrument route.
pub fn routes() -> Routes {
    Routes::new().get("/tournaments/{tournament_id}/instruments/{symbol}", Access::Public, get(instrument_page))
}

/// `?range=` and `?style=`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChartQuery {
    /// `1m`, `3m`, `6m`, `1y` or `all` (default `3m`).
    pub range: String,
    /// `line` or `candles` (default `line`).
    pub style: String,
}

/// The chart ranges: (query value, label, days back; `None` for everything).
const RANGES: &[(&str, &str, Option<u64>)] = &[
    ("1m", "1 month", Some(31)),
    ("3m", "3 months", Some(92)),
    ("6m", "6 months", Some(183)),
    ("1y", "1 year", Some(366)),
    ("all", "All", None),
];

/// The range asked for, or the default.
fn range_of(q: &str) -> (&'static str, Option<u64>) {
    RANGES.iter().find(|(v, _, _)| *v == q).map_or(("3m", Some(92)), |(v, _, d)| (v, *d))
}

/// The player's trades in a symbol, oldest first.
pub async fn own_trades(
    state: &AppState,
    tournament: TournamentId,
    entry: EntryId,
    symbol: &Symbol,
) -> ApiResult<Vec<LedgerEntry>> {
    let mut after = 0;
    let mut out = Vec::new();
    loop {
        let rows = state.store.ledger(tournament, Some(entry), after, LEDGER_PAGE).await?;
        for row in &rows {
            after = row.seq;
            if row.kind == LedgerKind::Trade && row.symbol.as_ref() == Some(symbol) {
                out.push(row.clone());
            }
        }
        if (rows.len() as i64) < LEDGER_PAGE {
            return Ok(out);
        }
    }
}

fn date_seconds(date: NaiveDate) -> f64 {
    date.and_hms_opt(0, 0, 0).map_or(0.0, |d| d.and_utc().timestamp() as f64)
}

/// The chart of bars with the trades marked.
pub fn chart(title: &str, bars: &[DailyBar], trades: &[LedgerEntry], candles: bool) -> String {
    let candles_data: Vec<Candle> = bars
        .iter()
        .map(|b| Candle {
            t: date_seconds(b.date),
            open: b.open.to_f64_lossy(),
            high: b.high.to_f64_lossy(),
            low: b.low.to_f64_lossy(),
            close: b.close.to_f64_lossy(),
        })
        .collect();
    let markers: Vec<TradeMarker> = trades
        .iter()
        .filter_map(|e| {
            let p = e.price?;
            let buy = e.qty_delta.0 > 0;
            let verb = if buy { "Bought" } else { "Sold" };
            Some(TradeMarker {
                t: e.ts.0 as f64 / 1_000_000.0,
                price: p.to_f64_lossy(),
                buy,
                label: format!("{verb} {} @ {}", e.qty_delta.0.abs(), price(p)),
            })
        })
        .collect();
    candle_chart(&Frame::new(720.0, 320.0, title), &candles_data, &markers, candles)
}

struct View {
    tournament: Tournament,
    symbol: Symbol,
    name: String,
    sector: String,
    range: &'static str,
    candles: bool,
    bars: Vec<DailyBar>,
    trades: Vec<LedgerEntry>,
    joined: bool,
    held: Option<i64>,
    last: Option<bullpen_domain::Price>,
}

async fn instrument_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams((id, symbol)): PathParams<(i64, String)>,
    query: Result<Query<ChartQuery>, QueryRejection>,
) -> Response {
    respond(
        async {
            let t = tournament_for(&state, &viewer, id).await?;
            let instrument = find_instrument(&state, &symbol).await.or_page(&viewer)?;
            let q: ChartQuery = query_or_default(query);
            let (range, days) = range_of(&q.range);
            let candles = q.style == "candles";
            let today = to_new_york(state.clock.now()).date();
            let from = match days {
                Some(d) => today - chrono::Days::new(d),
                None => state.store.bar_date_range().await.or_page(&viewer)?.map_or(today, |(first, _)| first),
            };
            let mut bars = state.store.bars(Some(&instrument.symbol), from, today).await.or_page(&viewer)?;
            let handle = state.engine.handle(t.id);
            let last =
                handle.as_ref().and_then(|h| h.quotes().borrow().get(instrument.symbol.as_str())).map(|q| q.price);
            // Today's live price as a flat bar, so today's trades sit on the chart.
            if let (Some(p), Some(latest)) = (last, bars.last().map(|b| b.date)) {
                if latest < today && t.state == TournamentState::Running {
                    bars.push(DailyBar {
                        symbol: instrument.symbol.clone(),
                        date: today,
                        open: p,
                        high: p,
                        low: p,
                        close: p,
                        volume: 0,
                    });
                }
            }
            let entry = viewer_entry(&state, &viewer, t.id).await.or_page(&viewer)?;
            let (trades, held) = match (&entry, &handle) {
                (Some(e), _) => {
                    let mut trades = own_trades(&state, t.id, e.id, &instrument.symbol).await.or_page(&viewer)?;
                    let held = trades.last().map(|t| t.qty_after.0);
                    let first = date_seconds(from) * 1_000_000.0;
                    trades.retain(|tr| tr.ts.0 as f64 >= first);
                    (trades, held)
                }
                (None, _) => (Vec::new(), None),
            };
            let v = View {
                joined: entry.is_some(),
                tournament: t,
                symbol: instrument.symbol.clone(),
                name: instrument.name.clone(),
                sector: instrument.sector.clone(),
                range,
                candles,
                bars,
                trades,
                held,
                last,
            };
            Ok(view(&viewer, &v).into_response())
        }
        .await,
    )
}

fn selector(v: &View) -> Markup {
    let base = format!("/tournaments/{}/instruments/{}", v.tournament.id.0, v.symbol);
    let style = if v.candles { "candles" } else { "line" };
    html! {
        nav.range aria-label="Chart range" {
            @for (value, label, _) in RANGES {
                a href=(format!("{base}?range={value}&style={style}")) aria-current=[(*value == v.range).then_some("true")] { (label) }
            }
        }
        nav.range aria-label="Chart style" {
            a href=(format!("{base}?range={}&style=line", v.range)) aria-current=[(!v.candles).then_some("true")] { "Line" }
            a href=(format!("{base}?range={}&style=candles", v.range)) aria-current=[v.candles.then_some("true")] { "Candles" }
        }
    }
}

fn view(viewer: &Viewer, v: &View) -> Markup {
    let t = &v.tournament;
    let live = t.state == TournamentState::Running;
    let title = format!("{} — {}", v.symbol, v.name);
    let body = html! {
        h1 { (v.symbol) " " span.muted { (v.name) } }
        (tabs(t, Tab::Instrument, v.joined))
        div data-stream=[live.then(|| stream_url(t.id, "quotes"))] data-events="quotes" {
            dl.facts {
                dt { "Last price" } dd data-quote=(v.symbol) data-format="price" { @match v.last { Some(p) => (price(p)), None => "—" } }
                dt { "Sector" } dd { (v.sector) }
                @if let Some(held) = v.held { dt { "You hold" } dd { (held) " shares" } }
            }
        }
        @if v.joined && live {
            p { a.button href=(format!("/tournaments/{}/trade?symbol={}", t.id.0, v.symbol)) { "Trade " (v.symbol) } }
        }
        section aria-labelledby="chart-h" data-chart-region="" {
            h2 #chart-h { "Price" }
            (selector(v))
            @if v.bars.is_empty() {
                (empty("No prices for this range. Try a longer range.", Some((&format!("/tournaments/{}/instruments/{}?range=all", t.id.0, v.symbol), "Show everything"))))
            } @else {
                div.chart data-chart="price" {
                    (svg(chart(&format!("{} price, {}", v.symbol, RANGES.iter().find(|r| r.0 == v.range).map_or("", |r| r.1)), &v.bars, &v.trades, v.candles)))
                }
                @if !v.trades.is_empty() {
                    p.muted { "Triangles mark your trades: up for buys, down for sells." }
                }
            }
        }
        @if v.joined {
            section aria-labelledby="trades-h" {
                h2 #trades-h { "Your trades" }
                @if v.trades.is_empty() {
                    (empty(&format!("You have not traded {} in this range.", v.symbol), None))
                } @else {
                    div.table-wrap {
                        table {
                            caption.visually-hidden { "Your trades" }
                            thead { tr {
                                th scope="col" { "When" }
                                th scope="col" { "Side" }
                                th scope="col" class="num" { "Shares" }
                                th scope="col" class="num" { "Price" }
                            } }
                            tbody {
                                @for tr in v.trades.iter().rev() {
                                    tr {
                                        td { (time(tr.ts)) }
                                        td { @if tr.qty_delta.0 > 0 { "Buy" } @else { "Sell" } }
                                        td.num { (tr.qty_delta.0.abs()) }
                                        td.num { @match tr.price { Some(p) => (price(p)), None => "—" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(viewer, &title, body)
}
