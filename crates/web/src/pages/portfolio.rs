//! The portfolio page: positions, cash, market value, day and total P&L, allocation by
//! sector, and the equity curve against the tournament's median and top decile and an
//! equal-weight buy-and-hold of the tournament's universe. Market values and P&L
//! follow live quotes; a fill refreshes the positions.

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bullpen_charts::{line_chart, Frame, Series};
use bullpen_domain::{DailyBar, Entry, Money, Price, Qty, Symbol, Tournament, TournamentState};
use bullpen_market::calendar::to_new_york;
use bullpen_store::EquitySnapshot;
use chrono::NaiveDate;
use maud::{html, Markup};

use super::challenge::{progress, progress_view};
use super::home::percent_change;
use super::layout::{empty, page, svg, Viewer};
use super::player::{
    not_joined, percentile_text, price, respond, signed_usd, stream_url, tabs, tone, tournament_for, usd, viewer_entry,
    OrPage, Tab,
};
use crate::api::portfolio::{account_of, positions_of, AccountView, PositionView};
use crate::extract::PathParams;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The portfolio route.
pub fn routes() -> Routes {
    Routes::new().get("/tournaments/{tournament_id}/portfolio", Access::SignedIn, get(portfolio_page))
}

/// One position with what the page adds: sector, previous close, weight.
struct Row {
    position: PositionView,
    sector: String,
    previous_close: Option<Price>,
}

/// One point of the equity curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Trading day.
    pub date: NaiveDate,
    /// The player's equity at the close.
    pub equity: Money,
    /// The median equity of every entry at that close.
    pub median: Money,
    /// The top decile's threshold at that close (the 90th percentile, nearest rank).
    pub top_decile: Money,
}

/// The player's closing equities beside the tournament's median closing equity, by date.
pub fn equity_curve(snapshots: &[EquitySnapshot], entry: bullpen_domain::EntryId) -> Vec<CurvePoint> {
    let mut by_date: BTreeMap<NaiveDate, Vec<Money>> = BTreeMap::new();
    let mut own: HashMap<NaiveDate, Money> = HashMap::new();
    for s in snapshots {
        by_date.entry(s.date).or_default().push(s.equity);
        if s.entry_id == entry {
            own.insert(s.date, s.equity);
        }
    }
    by_date
        .into_iter()
        .filter_map(|(date, mut all)| {
            let equity = *own.get(&date)?;
            all.sort_unstable();
            let n = all.len();
            let median = if n % 2 == 1 { all[n / 2] } else { Money((all[n / 2 - 1].0 + all[n / 2].0) / 2) };
            let top_decile = all[(n * 9).div_ceil(10).saturating_sub(1)];
            Some(CurvePoint { date, equity, median, top_decile })
        })
        .collect()
}

/// The equal-weight benchmark of the portfolio page: [`bullpen_domain::equal_weight_benchmark`]
/// over the closes of `symbols` in `bars`.
pub fn equal_weight_benchmark(bars: &[DailyBar], symbols: &[Symbol], cash: Money) -> Vec<(NaiveDate, Money)> {
    let mut by_date: BTreeMap<NaiveDate, Vec<(&Symbol, Price)>> = BTreeMap::new();
    for b in bars.iter().filter(|b| symbols.contains(&b.symbol)) {
        by_date.entry(b.date).or_default().push((&b.symbol, b.close));
    }
    bullpen_domain::equal_weight_benchmark(by_date, cash)
}

/// The day's P&L: equity now against the last close before today (the starting cash before the
/// first close).
pub fn day_pnl(equity: Money, curve: &[CurvePoint], today: NaiveDate, starting: Money) -> Money {
    let previous = curve.iter().rev().find(|p| p.date < today).map_or(starting, |p| p.equity);
    equity - previous
}

fn seconds(date: NaiveDate) -> f64 {
    date.and_hms_opt(0, 0, 0).map_or(0.0, |d| d.and_utc().timestamp() as f64)
}

/// The equity chart: the player against the median, the top decile and the equal-weight
/// benchmark (dashed), with today's live equity appended.
fn curve_chart(
    curve: &[CurvePoint],
    benchmark: &[(NaiveDate, Money)],
    today: NaiveDate,
    equity_now: Option<Money>,
) -> String {
    let mut own: Vec<(f64, f64)> = curve.iter().map(|p| (seconds(p.date), p.equity.to_f64_lossy())).collect();
    let median: Vec<(f64, f64)> = curve.iter().map(|p| (seconds(p.date), p.median.to_f64_lossy())).collect();
    let decile: Vec<(f64, f64)> = curve.iter().map(|p| (seconds(p.date), p.top_decile.to_f64_lossy())).collect();
    if let Some(now) = equity_now {
        if curve.last().is_none_or(|p| p.date < today) {
            own.push((seconds(today), now.to_f64_lossy()));
        }
    }
    let mut series = vec![
        Series { name: "You".into(), points: own, dashed: false },
        Series { name: "Tournament median".into(), points: median, dashed: true },
        Series { name: "Top decile".into(), points: decile, dashed: true },
    ];
    if !benchmark.is_empty() {
        let points = benchmark.iter().map(|(d, m)| (seconds(*d), m.to_f64_lossy())).collect();
        series.push(Series { name: "Equal-weight universe".into(), points, dashed: true });
    }
    line_chart(&Frame::new(720.0, 260.0, "Your equity against the tournament and the market"), &series)
}

async fn previous_closes(
    state: &AppState,
    symbols: &[Symbol],
    today: NaiveDate,
) -> crate::error::ApiResult<HashMap<Symbol, Price>> {
    let mut out = HashMap::new();
    if symbols.is_empty() {
        return Ok(out);
    }
    let from = today - chrono::Days::new(10);
    let Some(until) = today.pred_opt() else { return Ok(out) };
    for bar in state.store.bars(None, from, until).await? {
        if symbols.contains(&bar.symbol) {
            out.insert(bar.symbol.clone(), bar.close);
        }
    }
    Ok(out)
}

struct View {
    tournament: Tournament,
    account: Option<AccountView>,
    rows: Vec<Row>,
    curve: Vec<CurvePoint>,
    benchmark: Vec<(NaiveDate, Money)>,
    today: NaiveDate,
    challenge: Option<bullpen_domain::ChallengeOutcome>,
}

async fn load(state: &AppState, viewer: &Viewer, t: Tournament, entry: &Entry) -> Result<View, Response> {
    let today = to_new_york(state.clock.now()).date();
    let snapshots = state.store.equity_snapshots(t.id).await.or_page(viewer)?;
    let curve = equity_curve(&snapshots, entry.id);
    let challenge = progress(state, &t, entry.id).await.or_page(viewer)?;
    let instruments = state.store.instruments().await.or_page(viewer)?;
    let universe: Vec<Symbol> =
        instruments.iter().filter(|i| t.rules.in_universe(i)).map(|i| i.symbol.clone()).collect();
    let benchmark = match curve.last() {
        Some(last) if !universe.is_empty() && last.date >= t.starts_on => {
            let bars = state.store.bars(None, t.starts_on, last.date.min(t.ends_on)).await.or_page(viewer)?;
            equal_weight_benchmark(&bars, &universe, t.rules.starting_cash)
        }
        _ => Vec::new(),
    };
    let mut view = View { tournament: t, account: None, rows: Vec::new(), curve, benchmark, today, challenge };
    let Some(handle) = state.engine.handle(view.tournament.id) else { return Ok(view) };
    if view.tournament.state != TournamentState::Running {
        return Ok(view);
    }
    let snapshot = handle.account(entry.id).await.or_page(viewer)?;
    let positions = positions_of(&handle, &snapshot);
    let account = account_of(&handle, &view.tournament, &snapshot, &positions);
    let sectors: HashMap<String, String> = instruments.into_iter().map(|i| (i.symbol.to_string(), i.sector)).collect();
    let symbols: Vec<Symbol> = snapshot.portfolio.open_positions().map(|p| p.symbol.clone()).collect();
    let closes = previous_closes(state, &symbols, today).await.or_page(viewer)?;
    view.rows = positions
        .into_iter()
        .map(|p| Row {
            sector: sectors.get(&p.symbol).cloned().unwrap_or_else(|| "Other".into()),
            previous_close: Symbol::parse(&p.symbol).ok().and_then(|s| closes.get(&s).copied()),
            position: p,
        })
        .collect();
    view.account = Some(account);
    Ok(view)
}

async fn portfolio_page(State(state): State<AppState>, viewer: Viewer, PathParams(id): PathParams<i64>) -> Response {
    respond(
        async {
            let t = tournament_for(&state, &viewer, id).await?;
            let Some(entry) = viewer_entry(&state, &viewer, t.id).await.or_page(&viewer)? else {
                return Err(not_joined(&viewer, &t, "Portfolio", Tab::Portfolio));
            };
            let v = load(&state, &viewer, t, &entry).await?;
            Ok(view(&viewer, &v).into_response())
        }
        .await,
    )
}

/// Basis points of `part` in `whole` (0 when the whole is not positive).
fn share_bps(part: Money, whole: Money) -> i64 {
    if whole.0 <= 0 {
        return 0;
    }
    i64::try_from(i128::from(part.0) * 10_000 / i128::from(whole.0)).unwrap_or(0)
}

fn bps_text(bps: i64) -> String {
    format!("{}.{:02}%", bps / 100, (bps % 100).abs())
}

fn summary(a: &AccountView, day: Money) -> Markup {
    let total = a.equity - a.starting_cash;
    let market_value = a.long_market_value + a.short_market_value;
    html! {
        dl.facts.summary data-summary="" data-cash=(a.cash) data-start=(a.starting_cash) data-prev-equity=(a.equity - day) {
            dt { "Equity" } dd data-field="equity" { (usd(a.equity)) }
            dt { "Cash" } dd { (usd(a.cash)) }
            dt { "Market value" } dd data-field="market_value" { (usd(market_value)) }
            dt { "Buying power" } dd { (usd(a.buying_power)) }
            dt { "Day P&L" } dd data-field="day_pnl" class=(tone(day)) { (signed_usd(day)) }
            dt { "Total P&L" } dd data-field="total_pnl" class=(tone(total)) {
                (signed_usd(total)) " (" (percent_change(a.equity, a.starting_cash)) ")"
            }
            dt { "Realized P&L" } dd { (signed_usd(a.realized_pnl)) }
            dt { "Unrealized P&L" } dd data-field="unrealized_total" class=(tone(a.unrealized_pnl)) { (signed_usd(a.unrealized_pnl)) }
            dt { "Commissions paid" } dd { (usd(a.fees)) }
            @if let (Some(rank), Some(p)) = (a.rank, a.percentile) {
                dt { "Rank" } dd { "#" (rank) " of " (a.entries) " (" (percentile_text(p)) ")" }
            }
        }
    }
}

fn positions_table(t: &Tournament, rows: &[Row], equity: Money) -> Markup {
    html! {
        div.table-wrap {
            table.positions data-positions="" {
                caption.visually-hidden { "Positions" }
                thead { tr {
                    th scope="col" { "Symbol" }
                    th scope="col" class="num" { "Shares" }
                    th scope="col" class="num" { "Avg price" }
                    th scope="col" class="num" { "Last" }
                    th scope="col" class="num" { "Market value" }
                    th scope="col" class="num" { "Unrealized P&L" }
                    th scope="col" class="num" { "Day change" }
                    th scope="col" class="num" { "Weight" }
                } }
                tbody {
                    @for r in rows {
                        @let p = &r.position;
                        @let day = r.previous_close.zip(p.current_price).map(|(c, now)| now.times(Qty(p.qty)) - c.times(Qty(p.qty)));
                        tr data-symbol=(p.symbol) data-qty=(p.qty) data-cost=(p.cost_basis) data-mv=(p.market_value)
                            data-prev-close=[r.previous_close.map(|c| c.to_string())] {
                            th scope="row" { a href=(format!("/tournaments/{}/instruments/{}", t.id.0, p.symbol)) { (p.symbol) } }
                            td.num { (p.qty) }
                            td.num { (price(p.avg_entry_price)) }
                            td.num data-quote=(p.symbol) data-format="price" { @match p.current_price { Some(q) => (price(q)), None => "—" } }
                            td.num data-field="market_value" { (usd(p.market_value)) }
                            td.num data-field="unrealized_pnl" class=(tone(p.unrealized_pnl)) { (signed_usd(p.unrealized_pnl)) }
                            td.num data-field="day_change" class=(day.map_or("", tone)) { @match day { Some(d) => (signed_usd(d)), None => "—" } }
                            td.num { (bps_text(share_bps(p.market_value.abs(), equity))) }
                        }
                    }
                }
            }
        }
    }
}

fn allocation(rows: &[Row], cash: Money) -> Markup {
    let mut by_sector: BTreeMap<&str, Money> = BTreeMap::new();
    for r in rows {
        *by_sector.entry(r.sector.as_str()).or_insert(Money::ZERO) += r.position.market_value.abs();
    }
    let invested: Money = by_sector.values().copied().sum();
    let total = invested + cash.max(Money::ZERO);
    html! {
        div.table-wrap {
            table.allocation {
                caption.visually-hidden { "Allocation by sector" }
                thead { tr {
                    th scope="col" { "Sector" }
                    th scope="col" class="num" { "Value" }
                    th scope="col" class="num" { "Share" }
                    th scope="col" { span.visually-hidden { "Share as a bar" } }
                } }
                tbody {
                    @for (sector, value) in &by_sector {
                        @let bps = share_bps(*value, total);
                        tr {
                            th scope="row" { (sector) }
                            td.num { (usd(*value)) }
                            td.num { (bps_text(bps)) }
                            td { meter min="0" max="10000" value=(bps) aria-label=(format!("{sector}: {}", bps_text(bps))) {} }
                        }
                    }
                    @if cash.0 > 0 {
                        @let bps = share_bps(cash, total);
                        tr {
                            th scope="row" { "Cash" }
                            td.num { (usd(cash)) }
                            td.num { (bps_text(bps)) }
                            td { meter min="0" max="10000" value=(bps) aria-label=(format!("Cash: {}", bps_text(bps))) {} }
                        }
                    }
                }
            }
        }
    }
}

fn view(viewer: &Viewer, v: &View) -> Markup {
    let t = &v.tournament;
    let trade = format!("/tournaments/{}/trade", t.id.0);
    let body = html! {
        h1 { "Portfolio — " (t.name) }
        p.back { a href=(format!("/tournaments/{}", t.id.0)) { "← Back to " (t.name) } }
        (tabs(t, Tab::Portfolio, true))
        @match &v.account {
            Some(a) => {
                @let day = day_pnl(a.equity, &v.curve, v.today, a.starting_cash);
                div data-stream=(stream_url(t.id, "quotes,orders")) data-events="quotes,orders" data-live-region="portfolio" {
                    section aria-labelledby="sum-h" {
                        h2 #sum-h { "Summary" }
                        (summary(a, day))
                    }
                    section aria-labelledby="pos-h" {
                        h2 #pos-h { "Positions" }
                        @if v.rows.is_empty() {
                            (empty("You have no positions yet. Buy something to see it here.", Some((trade.as_str(), "Open the trade ticket"))))
                        } @else {
                            (positions_table(t, &v.rows, a.equity))
                        }
                    }
                    section aria-labelledby="alloc-h" {
                        h2 #alloc-h { "Allocation by sector" }
                        @if v.rows.is_empty() {
                            p.muted { "All cash: " (usd(a.cash)) "." }
                        } @else {
                            (allocation(&v.rows, a.cash))
                        }
                    }
                }
            }
            None => {
                @if t.state == TournamentState::Registration {
                    (empty(&format!("{} starts on {}; your portfolio appears when trading opens.", t.name, t.starts_on.format("%Y-%m-%d")), None))
                } @else {
                    (empty("Live positions are shown while the tournament runs.", Some((&format!("/tournaments/{}", t.id.0), "See the standings"))))
                }
            }
        }
        section aria-labelledby="curve-h" {
            h2 #curve-h { "Equity against the tournament and a benchmark" }
            @if v.curve.is_empty() {
                (empty("Your equity curve starts after the first trading day closes.", None))
            } @else {
                div.chart { (svg(curve_chart(&v.curve, &v.benchmark, v.today, v.account.as_ref().map(|a| a.equity)))) }
                p.muted {
                    "Closing equity each day. Dashed: the median player and the top decile of " (t.name)
                    @if !v.benchmark.is_empty() {
                        ", and an equal-weight buy-and-hold of the tournament's instruments from the first close, scaled to the starting cash."
                    } @else { "." }
                }
                @if v.benchmark.is_empty() {
                    p.muted data-benchmark="empty" { "No daily prices for the tournament's days yet, so the equal-weight benchmark is not drawn." }
                }
            }
        }
        @if let Some(outcome) = &v.challenge {
            section aria-labelledby="ch-h" {
                h2 #ch-h { "Challenge progress" }
                (progress_view(outcome))
            }
        }
    };
    page(viewer, &format!("Portfolio — {}", t.name), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bullpen_domain::EntryId;

    fn snap(entry: i64, day: u32, equity: i64) -> EquitySnapshot {
        EquitySnapshot {
            entry_id: EntryId(entry),
            date: NaiveDate::from_ymd_opt(2026, 1, day).unwrap_or_default(),
            equity: Money::from_dollars(equity),
            cash: Money::ZERO,
            low_equity: Money::from_dollars(equity),
            traded: true,
        }
    }

    #[test]
    fn the_curve_pairs_own_closes_with_the_median() {
        let snaps =
            vec![snap(1, 5, 110), snap(2, 5, 90), snap(3, 5, 100), snap(1, 6, 120), snap(2, 6, 80), snap(2, 7, 70)];
        let curve = equity_curve(&snaps, EntryId(1));
        assert_eq!(curve.len(), 2);
        assert_eq!(curve[0].median, Money::from_dollars(100));
        assert_eq!(curve[1].median, Money::from_dollars(100));
        let today = NaiveDate::from_ymd_opt(2026, 1, 7).unwrap_or_default();
        assert_eq!(day_pnl(Money::from_dollars(125), &curve, today, Money::from_dollars(100)), Money::from_dollars(5));
        assert_eq!(day_pnl(Money::from_dollars(125), &[], today, Money::from_dollars(100)), Money::from_dollars(25));
        assert_eq!(share_bps(Money::from_dollars(25), Money::from_dollars(100)), 2_500);
        assert_eq!(bps_text(1_234), "12.34%");
        // Three entries on the 5th: the top decile is the best of them.
        assert_eq!(curve[0].top_decile, Money::from_dollars(110));
    }

    #[test]
    fn the_top_decile_is_the_ninetieth_percentile() {
        let snaps: Vec<EquitySnapshot> = (1..=20).map(|e| snap(e, 5, 100 + e)).collect();
        let curve = equity_curve(&snaps, EntryId(1));
        assert_eq!(curve[0].top_decile, Money::from_dollars(118));
    }

    #[test]
    fn the_benchmark_buys_the_universe_in_equal_weights_and_holds() {
        let sym = |s: &str| Symbol::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let bar = |day: u32, s: &str, dollars: i64| DailyBar {
            date: NaiveDate::from_ymd_opt(2026, 1, day).unwrap_or_default(),
            symbol: sym(s),
            open: Price::from_dollars(dollars),
            high: Price::from_dollars(dollars),
            low: Price::from_dollars(dollars),
            close: Price::from_dollars(dollars),
            volume: 1,
        };
        let bars = vec![
            bar(5, "AAA", 100),
            bar(5, "BBB", 50),
            bar(5, "ZZZ", 10),
            bar(6, "AAA", 110),
            bar(6, "BBB", 40),
            bar(7, "AAA", 120),
            bar(7, "ZZZ", 99),
        ];
        let universe = [sym("AAA"), sym("BBB")];
        let b = equal_weight_benchmark(&bars, &universe, Money::from_dollars(100_000));
        let values: Vec<Money> = b.iter().map(|(_, m)| *m).collect();
        // 50,000 in each: AAA +10% and BBB -20% → 55,000 + 40,000; then AAA +20%, BBB carried.
        assert_eq!(values, [Money::from_dollars(100_000), Money::from_dollars(95_000), Money::from_dollars(100_000)]);
        assert!(equal_weight_benchmark(&[], &universe, Money::from_dollars(1)).is_empty());
    }
}
