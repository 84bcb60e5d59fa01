//! The report as titled tables: what CSV, HTML and PDF all draw, so the formats agree.
//! Cells keep their kind (money, percent, …) and each renderer writes them its own way:
//! plain decimals in CSV, dollars and percents for people in HTML and PDF.

use bullpen_domain::Money;
use chrono::{DateTime, NaiveDate, Utc};

use super::model::{EntryReport, Report, Risk, TournamentReport};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text.
    Text(String),
    /// Exact money.
    Money(Money),
    /// A count or an id.
    Int(i64),
    /// A fraction shown as a percent (0.05 = 5 %).
    Percent(f64),
    /// A plain ratio (Sharpe, Sortino).
    Ratio(f64),
    /// A day.
    Date(NaiveDate),
    /// A moment.
    Time(DateTime<Utc>),
    /// Nothing.
    Empty,
}

impl Cell {
    /// For spreadsheets: plain numbers (fractions as fractions), ISO dates.
    pub(crate) fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Money(m) => m.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Percent(f) | Cell::Ratio(f) => format!("{f}"),
            Cell::Date(d) => d.to_string(),
            Cell::Time(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            Cell::Empty => String::new(),
        }
    }

    /// For people: `$1,234.50`, `5.23%`, `1.42`.
    pub(crate) fn human(&self) -> String {
        match self {
            Cell::Money(m) => m.round_to_cent().display_usd(),
            Cell::Percent(f) => format!("{:.2}%", f * 100.0),
            Cell::Ratio(f) => format!("{f:.2}"),
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            other => other.plain(),
        }
    }

    /// Right-aligned in tables.
    pub(crate) fn is_number(&self) -> bool {
        matches!(self, Cell::Money(_) | Cell::Int(_) | Cell::Percent(_) | Cell::Ratio(_))
    }
}

/// A titled table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    /// Stable key (the CSV `section` column).
    pub key: &'static str,
    /// Heading for people.
    pub title: String,
    /// Column names.
    pub headers: Vec<&'static str>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
    /// Said when there are no rows.
    pub empty: &'static str,
}

fn opt_percent(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Percent)
}

fn field(name: &str, value: Cell) -> Vec<Cell> {
    vec![Cell::Text(name.to_string()), value]
}

fn risk_rows(r: &Risk) -> Vec<Vec<Cell>> {
    vec![
        field("daily returns", Cell::Int(r.days)),
        field("mean daily return", Cell::Percent(r.mean_daily_return)),
        field("volatility (annualised)", Cell::Percent(r.volatility)),
        field("Sharpe ratio", Cell::Ratio(r.sharpe)),
        field("Sortino ratio", Cell::Ratio(r.sortino)),
        field("maximum drawdown", Cell::Percent(r.max_drawdown)),
    ]
}

/// The title of a report.
pub(crate) fn title(report: &Report) -> String {
    match report {
        Report::Entry(r) => {
            format!("Entry {} in {} — {} to {}", r.entry_id, r.tournament.name, r.period.from, r.period.to)
        }
        Report::Tournament(r) => {
            format!("{} — tournament report, {} to {}", r.tournament.name, r.period.from, r.period.to)
        }
    }
}

/// Remarks on the data.
pub(crate) fn notes(report: &Report) -> &[String] {
    match report {
        Report::Entry(r) => &r.notes,
        Report::Tournament(r) => &r.notes,
    }
}

/// The sections of a report, in reading order.
pub(crate) fn sections(report: &Report) -> Vec<Section> {
    match report {
        Report::Entry(r) => entry_sections(r),
        Report::Tournament(r) => tournament_sections(r),
    }
}

fn entry_sections(r: &EntryReport) -> Vec<Section> {
    let s = &r.summary;
    let summary = vec![
        field("tournament", Cell::Text(format!("{} ({})", r.tournament.name, r.tournament.tournament_id))),
        field("entry", Cell::Int(r.entry_id)),
        field("trader (pseudonym)", Cell::Text(r.trader_id.clone())),
        field("from", Cell::Date(r.period.from)),
        field("to", Cell::Date(r.period.to)),
        field("start close", r.period.start_close.map_or(Cell::Text("tournament start".into()), Cell::Date)),
        field("end close", r.period.end_close.map_or(Cell::Empty, Cell::Date)),
        field("start equity", Cell::Money(s.start_equity)),
        field("end equity", Cell::Money(s.end_equity)),
        field("change", Cell::Money(s.change)),
        field("return", Cell::Percent(s.total_return)),
        field("benchmark return (equal-weight universe)", opt_percent(s.benchmark_return)),
        field("excess return", opt_percent(s.excess_return)),
        field("rank", s.rank.map_or(Cell::Empty, Cell::Int)),
        field("entries ranked", Cell::Int(s.entries)),
        field("percentile", opt_percent(s.percentile)),
        field("fills", Cell::Int(s.fills)),
        field("round trips", Cell::Int(s.round_trips)),
        field("winning round trips", Cell::Int(s.winning_trips)),
    ];
    let b = &r.breakdown;
    let breakdown = vec![
        field("start equity", Cell::Money(b.start_equity)),
        field("realized P&L (net of fees)", Cell::Money(b.realized_pnl)),
        field("change in unrealized P&L", Cell::Money(b.unrealized_change)),
        field("dividends", Cell::Money(b.dividends)),
        field("interest and borrow fees", Cell::Money(b.interest)),
        field("deposits", Cell::Money(b.deposits)),
        field("other (marks differing from bar closes)", Cell::Money(b.other)),
        field("end equity", Cell::Money(b.end_equity)),
        field("fees paid (included above)", Cell::Money(b.fees)),
    ];
    vec![
        Section { key: "summary", title: "Summary".into(), headers: vec!["field", "value"], rows: summary, empty: "" },
        Section {
            key: "risk",
            title: "Risk".into(),
            headers: vec!["field", "value"],
            rows: risk_rows(&r.risk),
            empty: "",
        },
        Section {
            key: "equity_breakdown",
            title: "Equity breakdown".into(),
            headers: vec!["field", "value"],
            rows: breakdown,
            empty: "",
        },
        Section {
            key: "pnl_by_symbol",
            title: "P&L by symbol".into(),
            headers: vec![
                "symbol",
                "sector",
                "fills",
                "traded",
                "fees",
                "round trips",
                "realized",
                "open qty",
                "last close",
                "market value",
                "unrealized",
                "dividends",
            ],
            rows: r
                .pnl_by_symbol
                .iter()
                .map(|p| {
                    vec![
                        Cell::Text(p.symbol.clone()),
                        Cell::Text(p.sector.clone()),
                        Cell::Int(p.fills),
                        Cell::Money(p.traded_notional),
                        Cell::Money(p.fees),
                        Cell::Int(p.round_trips),
                        Cell::Money(p.realized_pnl),
                        Cell::Int(p.open_qty),
                        p.last_close.map_or(Cell::Empty, Cell::Money),
                        Cell::Money(p.market_value),
                        Cell::Money(p.unrealized_pnl),
                        Cell::Money(p.dividends),
                    ]
                })
                .collect(),
            empty: "No trades or positions in the window.",
        },
        Section {
            key: "pnl_by_sector",
            title: "P&L by sector".into(),
            headers: vec!["sector", "symbols", "traded", "fees", "realized", "unrealized", "market value", "dividends"],
            rows: r
                .pnl_by_sector
                .iter()
                .map(|p| {
                    vec![
                        Cell::Text(p.sector.clone()),
                        Cell::Int(p.symbols),
                        Cell::Money(p.traded_notional),
                        Cell::Money(p.fees),
                        Cell::Money(p.realized_pnl),
                        Cell::Money(p.unrealized_pnl),
                        Cell::Money(p.market_value),
                        Cell::Money(p.dividends),
                    ]
                })
                .collect(),
            empty: "No trades or positions in the window.",
        },
        Section {
            key: "equity_curve",
            title: "Equity at each close".into(),
            headers: vec!["date", "equity", "benchmark"],
            rows: r
                .equity_curve
                .iter()
                .map(|p| vec![Cell::Date(p.date), Cell::Money(p.equity), p.benchmark.map_or(Cell::Empty, Cell::Money)])
                .collect(),
            empty: "No closes in the window.",
        },
        Section {
            key: "fills",
            title: "Trade blotter".into(),
            headers: vec!["seq", "time (UTC)", "symbol", "side", "qty", "price", "notional", "fee", "cash", "position"],
            rows: r
                .fills
                .iter()
                .map(|f| {
                    vec![
                        Cell::Int(f.seq),
                        Cell::Time(f.ts),
                        Cell::Text(f.symbol.clone()),
                        Cell::Text(f.side.clone()),
                        Cell::Int(f.qty),
                        Cell::Money(f.price),
                        Cell::Money(f.notional),
                        Cell::Money(f.fee),
                        Cell::Money(f.cash_delta),
                        Cell::Int(f.position_after),
                    ]
                })
                .collect(),
            empty: "No fills in the window.",
        },
        Section {
            key: "anomalies",
            title: "Flagged trades".into(),
            headers: vec!["time (UTC)", "symbol", "score", "reasons"],
            rows: r
                .anomalies
                .iter()
                .map(|a| {
                    vec![
                        a.ts.map_or(Cell::Empty, Cell::Time),
                        Cell::Text(a.symbol.clone()),
                        Cell::Ratio(a.score),
                        Cell::Text(a.reasons.clone()),
                    ]
                })
                .collect(),
            empty: "No trades flagged.",
        },
    ]
}

fn tournament_sections(r: &TournamentReport) -> Vec<Section> {
    let mut summary = vec![
        field("tournament", Cell::Text(format!("{} ({})", r.tournament.name, r.tournament.tournament_id))),
        field("from", Cell::Date(r.period.from)),
        field("to", Cell::Date(r.period.to)),
        field("end close", r.period.end_close.map_or(Cell::Empty, Cell::Date)),
        field("starting cash", Cell::Money(r.tournament.starting_cash)),
        field("entries", Cell::Int(r.standings.len() as i64)),
        field("benchmark return (equal-weight universe)", opt_percent(r.benchmark_return)),
        field("flagged trades", r.anomalies.map_or(Cell::Text("not available".into()), Cell::Int)),
    ];
    let mut distribution = Vec::new();
    if let Some(d) = &r.distribution {
        summary.push(field("mean return", Cell::Percent(d.mean)));
        summary.push(field("median return", Cell::Percent(d.median)));
        distribution.push(vec![Cell::Text("10th percentile".into()), Cell::Percent(d.p10), Cell::Empty]);
        distribution.push(vec![Cell::Text("25th percentile".into()), Cell::Percent(d.p25), Cell::Empty]);
        distribution.push(vec![Cell::Text("median".into()), Cell::Percent(d.median), Cell::Empty]);
        distribution.push(vec![Cell::Text("75th percentile".into()), Cell::Percent(d.p75), Cell::Empty]);
        distribution.push(vec![Cell::Text("90th percentile".into()), Cell::Percent(d.p90), Cell::Empty]);
        for b in &d.buckets {
            distribution.push(vec![
                Cell::Text(format!("{:.2}% to {:.2}%", b.from_return * 100.0, b.to_return * 100.0)),
                Cell::Empty,
                Cell::Int(b.entries),
            ]);
        }
    }
    let risk_cells = |risk: Option<&Risk>| match risk {
        Some(k) => vec![
            Cell::Percent(k.volatility),
            Cell::Ratio(k.sharpe),
            Cell::Ratio(k.sortino),
            Cell::Percent(k.max_drawdown),
        ],
        None => vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
    };
    vec![
        Section { key: "summary", title: "Summary".into(), headers: vec!["field", "value"], rows: summary, empty: "" },
        Section {
            key: "distribution",
            title: "Distribution of returns".into(),
            headers: vec!["bucket", "return", "entries"],
            rows: distribution,
            empty: "No entries in the window.",
        },
        Section {
            key: "most_traded",
            title: "Most traded symbols".into(),
            headers: vec!["symbol", "sector", "fills", "traders", "shares", "traded", "fees"],
            rows: r
                .most_traded
                .iter()
                .map(|m| {
                    vec![
                        Cell::Text(m.symbol.clone()),
                        Cell::Text(m.sector.clone()),
                        Cell::Int(m.fills),
                        Cell::Int(m.traders),
                        Cell::Int(m.shares),
                        Cell::Money(m.traded_notional),
                        Cell::Money(m.fees),
                    ]
                })
                .collect(),
            empty: "No fills in the window.",
        },
        Section {
            key: "standings",
            title: "Standings".into(),
            headers: vec![
                "rank",
                "entry",
                "start equity",
                "end equity",
                "return",
                "percentile",
                "volatility",
                "Sharpe",
                "Sortino",
                "max drawdown",
            ],
            rows: r
                .standings
                .iter()
                .map(|s| {
                    let mut row = vec![
                        Cell::Int(s.rank),
                        Cell::Int(s.entry_id),
                        Cell::Money(s.start_equity),
                        Cell::Money(s.end_equity),
                        Cell::Percent(s.period_return),
                        Cell::Percent(s.percentile),
                    ];
                    row.extend(risk_cells(s.risk.as_ref()));
                    row
                })
                .collect(),
            empty: "No entries in the window.",
        },
    ]
}
