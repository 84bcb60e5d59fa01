//! `bullpen bench warehouse`: the analytics warehouse's figures.
//!
//! 1. ETL throughput: a season of generated trading committed to a SQLite store through
//!    `commit_batch`, then exported; rows per second for the whole export and per table.
//! 2. A generated warehouse (100,000 traders × 100 fills = 10,000,000 fills by default, written
//!    directly as Parquet: a benchmark fixture): the time of one trader's season report
//!    (summary, risk, P&L by symbol), and of the full report (`bullpen report`: every section,
//!    JSON and PDF) from a fresh session.
//! 3. The per-trade peer query (a trader's round trips against all round trips of the same
//!    symbol and week) on the warehouse and the same query on PostgreSQL over the same round
//!    trips loaded with COPY, side by side, with the ratio.
//! 4. The anomaly scoring pass over the generated season (`bullpen_analytics::scoring`): every
//!    round trip scored by the Random Cut Forest, every fill checked for coordinated pairs:
//!    the season without its last day, then that day added (the pass resumes the detector the
//!    first one saved), then a pass with nothing new.
//!
//! It prints what it measured; nothing here asserts a time.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bullpen_domain::{
    deposit_entry, trade_entry, DailyBar, Entry, EntryId, LedgerEntry, Money, Order, OrderId, OrderStatus, OrderType,
    Portfolio, Price, Qty, Side, Symbol, TimeInForce, Tournament, TournamentId, TournamentKind, TournamentRules,
    TournamentState, Ts, UserId,
};
use bullpen_market::simulator::default_universe;
use bullpen_store::{Batch, EquitySnapshot, NewInstrument, NewTournament, NewUser, SqliteStore, Store};
use bullpen_warehouse::datafusion::arrow::csv::WriterBuilder;
use bullpen_warehouse::encode::{self, parquet_bytes, RoundTripRow};
use bullpen_warehouse::pseudonym::Pseudonymizer;
use bullpen_warehouse::queries::run_report;
use bullpen_warehouse::schema::{part_path, PartitionKey, Table};
use bullpen_warehouse::{
    open_session, ExportOptions, Exporter, Location, Report, ReportParams, SourceSnapshot, SourceUser,
};
use chrono::{Datelike, NaiveDate, Weekday};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use bullpen_analytics::jobs::{build_report, ReportFormat, ReportRequest, ReportScope};
use bullpen_analytics::StoreSource;

/// Arguments of `bench warehouse`.
#[derive(Debug, Args)]
pub struct WarehouseBenchArgs {
    /// Traders in the store exported by the ETL measurement.
    #[arg(long, default_value_t = 10_000)]
    pub etl_traders: u32,
    /// Traders in the generated warehouse of the query measurements.
    #[arg(long, default_value_t = 100_000)]
    pub traders: u32,
    /// Fills per trader (both measurements).
    #[arg(long, default_value_t = 100)]
    pub fills_per_trader: u32,
    /// Trading days in the season.
    #[arg(long, default_value_t = 63)]
    pub days: u32,
    /// PostgreSQL database of the side-by-side peer query (created if missing; its table
    /// `round_trips` is replaced).
    #[arg(
        long,
        env = "BULLPEN_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/bullpen_bench"
    )]
    pub database_url: String,
    /// Skip the PostgreSQL side of the peer query.
    #[arg(long)]
    pub skip_postgres: bool,
    /// Skip the ETL throughput measurement.
    #[arg(long)]
    pub skip_etl: bool,
    /// Skip the query measurements (and PostgreSQL and scoring, which use their fixture).
    #[arg(long)]
    pub skip_queries: bool,
    /// Skip the scoring pass over the generated season.
    #[arg(long)]
    pub skip_scoring: bool,
    /// Keep the generated store and warehouses in this directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// The trader whose reports are measured (its local entry number; the last one when there are
/// fewer traders).
const MEASURED_TRADER: i64 = 4_242;
/// First trading day of the generated season.
const SEASON_START: (i32, u32, u32) = (2024, 1, 2);
/// Symbols traded.
const SYMBOLS: usize = 100;

/// A generated season: every trader makes `fills_per_trader` fills over `days` trading days,
/// alternately opening a position in a random symbol and closing it, so half the fills close a
/// round trip. Prices follow a random walk. Everything is folded through the domain's
/// portfolios, so ledgers, round trips and equity are exactly what the engine would produce.
struct Season {
    t: TournamentId,
    days: Vec<NaiveDate>,
    symbols: Vec<(Symbol, String, String)>,
    /// Closing price of each symbol on each day.
    closes: Vec<Vec<Price>>,
    fills_per_trader: u32,
    portfolios: Vec<Portfolio>,
    /// The position each trader will close next: (symbol index, shares).
    open: Vec<Option<(usize, i64)>>,
    seq: i64,
    next_order: i64,
    rng: ChaCha8Rng,
}

/// One day of a season.
#[derive(Default)]
struct Day {
    ledger: Vec<LedgerEntry>,
    orders: Vec<Order>,
    trips: Vec<RoundTripRow>,
    snapshots: Vec<SourceSnapshot>,
}

fn trading_days(n: u32) -> Vec<NaiveDate> {
    let (y, m, d) = SEASON_START;
    let mut day = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let mut out = Vec::with_capacity(n as usize);
    while out.len() < n as usize {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(day);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    out
}

fn to_price(dollars: f64) -> Price {
    Price((dollars * 10_000.0).round() as i64).round_to_tick()
}

impl Season {
    fn new(t: TournamentId, traders: u32, fills_per_trader: u32, days: u32, seed: u64) -> Season {
        let days = trading_days(days.max(1));
        let universe = default_universe(SYMBOLS, 7);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut closes = Vec::with_capacity(days.len());
        let mut last: Vec<f64> = universe.iter().map(|i| i.start_price.to_f64_lossy()).collect();
        for _ in &days {
            for p in &mut last {
                *p = (*p * (1.0 + rng.gen_range(-0.03..0.03))).max(1.0);
            }
            closes.push(last.iter().map(|&p| to_price(p)).collect());
        }
        let symbols = universe.into_iter().map(|i| (i.symbol, i.name, i.sector)).collect();
        Season {
            t,
            days,
            symbols,
            closes,
            fills_per_trader,
            portfolios: (1..=i64::from(traders)).map(|n| Portfolio::new(EntryId::compose(t, n))).collect(),
            open: vec![None; traders as usize],
            seq: 0,
            next_order: 0,
            rng,
        }
    }

    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// The deposits of the starting cash ($100,000 each), on the first day.
    fn deposits(&mut self) -> Vec<LedgerEntry> {
        let ts = Ts::from_date(self.days[0]);
        let mut out = Vec::with_capacity(self.portfolios.len());
        for i in 0..self.portfolios.len() {
            let seq = self.next_seq();
            let entry = deposit_entry(&self.portfolios[i], seq, self.t, ts, Money::from_dollars(100_000));
            if self.portfolios[i].apply(&entry).is_ok() {
                out.push(entry);
            }
        }
        out
    }

    /// Fills of each trader on day `d`: the season's fills spread evenly over its days.
    fn fills_on(&self, d: usize) -> u32 {
        let n = self.days.len() as u64;
        let f = u64::from(self.fills_per_trader);
        let cum = |k: u64| (k * f / n) as u32;
        cum(d as u64 + 1) - cum(d as u64)
    }

    fn day(&mut self, d: usize, with_orders: bool) -> anyhow::Result<Day> {
        let mut out = Day::default();
        let date = self.days[d];
        let open_time = Ts::from_date(date).0 + (14 * 3600 + 30 * 60) * 1_000_000;
        let count = self.fills_on(d);
        for i in 0..self.portfolios.len() {
            let mut ts = open_time;
            for k in 0..count {
                // Fills of a trader on one day are in time order, a few minutes apart at least.
                let slot = 23_400 / i64::from(count.max(1));
                ts = open_time
                    + (i64::from(k) * slot + self.rng.gen_range(0..slot.max(2) - 1)) * 1_000_000
                    + ts.rem_euclid(1_000);
                let (symbol_index, qty) = match self.open[i].take() {
                    Some((s, q)) => (s, -q),
                    None => {
                        let s = self.rng.gen_range(0..self.symbols.len());
                        let q = self.rng.gen_range(10..=100);
                        self.open[i] = Some((s, q));
                        (s, q)
                    }
                };
                let close = self.closes[d][symbol_index];
                let price = to_price(close.to_f64_lossy() * (1.0 + self.rng.gen_range(-0.01..0.01)));
                let symbol = self.symbols[symbol_index].0.clone();
                self.next_order += 1;
                let order_id = OrderId::compose(self.t, self.next_order);
                let order_seq = self.next_seq();
                let seq = self.next_seq();
                let p = &mut self.portfolios[i];
                let entry =
                    trade_entry(p, seq, self.t, Ts(ts), order_id, &symbol, Qty(qty), price, Money::from_dollars(1));
                let trips = p.apply(&entry).map_err(|e| anyhow::anyhow!("generated fill does not fold: {e}"))?;
                for (piece, trip) in trips.into_iter().enumerate() {
                    out.trips.push(RoundTripRow { close_seq: seq, piece: piece as i32, trip });
                }
                if with_orders {
                    out.orders.push(filled_order(&entry, order_seq, symbol, qty, price));
                }
                out.ledger.push(entry);
            }
        }
        let closes = &self.closes[d];
        let index: std::collections::HashMap<&Symbol, usize> =
            self.symbols.iter().enumerate().map(|(i, s)| (&s.0, i)).collect();
        for p in &self.portfolios {
            let equity = p.equity(|s| index.get(s).map(|&i| closes[i]));
            out.snapshots.push(SourceSnapshot {
                entry_id: p.entry_id,
                date,
                equity,
                cash: p.cash,
                low_equity: equity,
                traded: count > 0,
            });
        }
        Ok(out)
    }

    fn bars(&self) -> Vec<DailyBar> {
        let mut out = Vec::new();
        for (d, date) in self.days.iter().enumerate() {
            for (i, (symbol, _, _)) in self.symbols.iter().enumerate() {
                let close = self.closes[d][i];
                out.push(DailyBar {
                    date: *date,
                    symbol: symbol.clone(),
                    open: close,
                    high: close,
                    low: close,
                    close,
                    volume: 1_000_000,
                });
            }
        }
        out
    }

    fn tournament(&self) -> Tournament {
        Tournament {
            id: self.t,
            name: "bench season".into(),
            kind: TournamentKind::Season,
            state: TournamentState::Finished,
            starts_on: self.days[0],
            ends_on: self.days[self.days.len() - 1],
            rules: TournamentRules { starting_cash: Money::from_dollars(100_000), ..TournamentRules::default() },
            challenge: None,
            created_at: Ts::from_date(self.days[0]),
        }
    }
}

/// A market order filled completely by `fill`.
fn filled_order(fill: &LedgerEntry, seq: i64, symbol: Symbol, qty: i64, price: Price) -> Order {
    let id = fill.order_id.unwrap_or(OrderId(0));
    Order {
        id,
        tournament_id: fill.tournament_id,
        entry_id: fill.entry_id,
        client_order_id: bullpen_store::generated_client_order_id(id),
        symbol,
        side: if qty > 0 { Side::Buy } else { Side::Sell },
        order_type: OrderType::Market,
        time_in_force: TimeInForce::Day,
        qty: Qty(qty.abs()),
        filled_qty: Qty(qty.abs()),
        filled_avg_price: Some(price),
        limit_price: None,
        stop_price: None,
        stop_triggered: false,
        status: OrderStatus::Filled,
        reject_reason: None,
        replaces: None,
        replaced_by: None,
        created_at: fill.ts,
        updated_at: fill.ts,
        filled_at: Some(fill.ts),
        canceled_at: None,
        expired_at: None,
        replaced_at: None,
        rejected_at: None,
        seq,
    }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Runs `bench warehouse`.
pub async fn run(args: WarehouseBenchArgs) -> anyhow::Result<ExitCode> {
    let temp = tempfile::tempdir().context("cannot create a temporary directory")?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if !args.skip_etl {
        etl_throughput(&args, &dir.join("etl")).await?;
    }
    if !args.skip_queries {
        queries(&args, &dir.join("queries")).await?;
        if !args.skip_scoring {
            scoring(&dir.join("queries"), args.days).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn etl_throughput(args: &WarehouseBenchArgs, dir: &Path) -> anyhow::Result<()> {
    println!(
        "== ETL throughput: {} traders × {} fills, {} days ==",
        args.etl_traders, args.fills_per_trader, args.days
    );
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("store"))?);
    let started = Instant::now();
    let universe = default_universe(SYMBOLS, 7);
    store
        .upsert_instruments(
            &universe
                .iter()
                .map(|i| NewInstrument { symbol: i.symbol.clone(), name: i.name.clone(), sector: i.sector.clone() })
                .collect::<Vec<_>>(),
        )
        .await?;
    let days = trading_days(args.days.max(1));
    let t = store
        .create_tournament(NewTournament {
            name: "bench etl season".into(),
            kind: TournamentKind::Season,
            state: TournamentState::Running,
            starts_on: days[0],
            ends_on: days[days.len() - 1],
            rules: TournamentRules { starting_cash: Money::from_dollars(100_000), ..TournamentRules::default() },
            challenge: None,
            created_at: Ts::from_date(days[0]),
        })
        .await?
        .id;
    let users: Vec<NewUser> = (0..args.etl_traders)
        .map(|i| NewUser {
            handle: format!("etl-bench-{i}"),
            display_name: format!("ETL bench trader {i}"),
            is_bot: true,
            created_at: Ts::from_date(days[0]),
        })
        .collect();
    let users = store.create_users(&users).await?;
    let mut season = Season::new(t, args.etl_traders, args.fills_per_trader, args.days, 11);
    let entries: Vec<Entry> = users
        .iter()
        .enumerate()
        .map(|(i, u)| Entry {
            id: EntryId::compose(t, i as i64 + 1),
            tournament_id: t,
            user_id: u.id,
            display_name: u.display_name.clone(),
            joined_at: Ts::from_date(days[0]),
        })
        .collect();
    let ledger = season.deposits();
    store.commit_batch(&Batch { tournament_id: t, entries, ledger, last_seq: season.seq, ..Batch::default() }).await?;
    for d in 0..season.days.len() {
        let day = season.day(d, true)?;
        let snapshots = day
            .snapshots
            .iter()
            .map(|s| EquitySnapshot {
                entry_id: s.entry_id,
                date: s.date,
                equity: s.equity,
                cash: s.cash,
                low_equity: s.low_equity,
                traded: s.traded,
            })
            .collect();
        store
            .commit_batch(&Batch {
                tournament_id: t,
                orders: day.orders,
                ledger: day.ledger,
                equity_snapshots: snapshots,
                last_seq: season.seq,
                ..Batch::default()
            })
            .await?;
    }
    println!("store generated in {} (sequence numbers: {})", secs(started.elapsed()), season.seq);

    let location = Location::local(&dir.join("warehouse"))?;
    let exporter = Exporter::open(location, Arc::new(StoreSource(store.clone())), ExportOptions::default()).await?;
    let started = Instant::now();
    let report = exporter.run_once().await?;
    let elapsed = started.elapsed();
    let rate = |rows: u64| rows as f64 / elapsed.as_secs_f64().max(1e-9);
    let total = report.total_rows();
    println!("export: {total} rows in {} = {:.0} rows/s", secs(elapsed), rate(total));
    for (table, counts) in &report.tables {
        println!(
            "  {table:<17} {:>10} rows {:>5} files   ({:.0} rows/s of the export's time)",
            counts.rows,
            counts.files,
            rate(counts.rows)
        );
    }
    let started = Instant::now();
    let again = exporter.run_once().await?;
    println!("a second export with nothing new: {} rows in {}", again.total_rows(), secs(started.elapsed()));
    Ok(())
}

/// Writes one file of the fixture warehouse.
fn write_file(root: &Path, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Generates the query fixture: a finished season written straight to Parquet.
fn generate_warehouse(
    traders: u32,
    fills_per_trader: u32,
    days: u32,
    root: &Path,
) -> anyhow::Result<(TournamentId, u64, u64)> {
    let t = TournamentId(1);
    let mut season = Season::new(t, traders, fills_per_trader, days, 42);
    let names = Pseudonymizer::new(&[7; 32]);
    let put = |table: Table, key: &PartitionKey, batch| -> anyhow::Result<()> {
        write_file(root, &part_path(table, key, 0, 0), &parquet_bytes(&[batch])?)
    };
    let instruments: Vec<bullpen_domain::Instrument> = season
        .symbols
        .iter()
        .enumerate()
        .map(|(i, (symbol, name, sector))| bullpen_domain::Instrument {
            id: bullpen_domain::InstrumentId(i as i64 + 1),
            symbol: symbol.clone(),
            name: name.clone(),
            sector: sector.clone(),
            status: bullpen_domain::InstrumentStatus::Active,
        })
        .collect();
    put(Table::Instruments, &PartitionKey::None, encode::instruments(&instruments)?)?;
    put(Table::Tournaments, &PartitionKey::None, encode::tournaments(&[season.tournament()])?)?;
    put(Table::Bars, &PartitionKey::Year(SEASON_START.0), encode::bars(&season.bars())?)?;
    let users: Vec<SourceUser> = (1..=i64::from(traders))
        .map(|n| SourceUser { id: UserId(n), is_bot: true, created_at: Ts::from_date(season.days[0]) })
        .collect();
    put(Table::Traders, &PartitionKey::None, encode::traders(&users, &names)?)?;
    let entries: Vec<Entry> = users
        .iter()
        .map(|u| Entry {
            id: EntryId::compose(t, u.id.0),
            tournament_id: t,
            user_id: u.id,
            display_name: String::new(),
            joined_at: Ts::from_date(season.days[0]),
        })
        .collect();
    put(Table::Entries, &PartitionKey::Tournament(t.0), encode::entries(&entries.iter().collect::<Vec<_>>(), &names)?)?;
    let deposits = season.deposits();
    let (mut fills, mut trips) = (0u64, 0u64);
    for d in 0..season.days.len() {
        let mut day = season.day(d, false)?;
        let key = PartitionKey::TournamentDate(t.0, season.days[d]);
        if d == 0 {
            let mut all = deposits.clone();
            all.append(&mut day.ledger);
            day.ledger = all;
        }
        // The exporter's layout: rows sorted by entry within a file.
        let mut ledger: Vec<&LedgerEntry> = day.ledger.iter().collect();
        ledger.sort_by_key(|l| (l.entry_id, l.seq));
        let trades: Vec<&LedgerEntry> = ledger.iter().copied().filter(|l| encode::is_fill(l)).collect();
        fills += trades.len() as u64;
        trips += day.trips.len() as u64;
        put(Table::Ledger, &key, encode::ledger(&ledger)?)?;
        put(Table::Fills, &key, encode::fills(&trades)?)?;
        if !day.trips.is_empty() {
            put(Table::RoundTrips, &key, encode::round_trips(&day.trips.iter().collect::<Vec<_>>())?)?;
        }
        put(Table::EquitySnapshots, &key, encode::equity_snapshots(&day.snapshots.iter().collect::<Vec<_>>())?)?;
    }
    Ok((t, fills, trips))
}

async fn queries(args: &WarehouseBenchArgs, dir: &Path) -> anyhow::Result<()> {
    let fills = u64::from(args.traders) * u64::from(args.fills_per_trader);
    println!("== Reports on a generated warehouse: {} traders, {fills} fills, {} days ==", args.traders, args.days);
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    let root = dir.join("warehouse");
    let started = Instant::now();
    let (t, fills, trips) = {
        let (traders, fills, days, root) = (args.traders, args.fills_per_trader, args.days, root.clone());
        tokio::task::spawn_blocking(move || generate_warehouse(traders, fills, days, &root)).await??
    };
    println!("fixture: {fills} fills, {trips} round trips written in {}", secs(started.elapsed()));

    let location = Location::local(&root)?;
    let ctx = open_session(&location).await?;
    let trader = MEASURED_TRADER.min(i64::from(args.traders.max(1)));
    let params = ReportParams { tournament_id: t.0, entry_id: EntryId::compose(t, trader).0 };
    for round in ["first run", "second run"] {
        let started = Instant::now();
        let mut parts = Vec::new();
        for report in Report::SEASON {
            let one = Instant::now();
            let result = run_report(&ctx, report, params).await?;
            parts.push(format!("{} {} ({} rows)", report.name(), secs(one.elapsed()), result.rows()));
        }
        println!("season report of one trader, {round}: {} [{}]", secs(started.elapsed()), parts.join(", "));
    }
    // The full report as `bullpen report` and the server's jobs build it: a fresh session,
    // every section (summary, risk, curve and benchmark, blotter, P&L by symbol and sector,
    // breakdown, standings, anomalies), then rendered.
    let season_days = trading_days(args.days.max(1));
    let (first, last) = (season_days.first().copied(), season_days.last().copied());
    if let (Some(from), Some(to)) = (first, last) {
        for round in ["first run", "second run", "third run"] {
            for format in [ReportFormat::Json, ReportFormat::Pdf] {
                let request = ReportRequest {
                    scope: ReportScope::Entry { tournament_id: t.0, entry_id: params.entry_id },
                    from,
                    to,
                    format,
                    requested_by: 0,
                };
                let started = Instant::now();
                let file = build_report(&location, &request, &|_, _| {}).await?;
                println!(
                    "full season report of one trader ({}), {round}: {} ({} bytes)",
                    format.extension(),
                    secs(started.elapsed()),
                    file.bytes.len()
                );
            }
        }
    }
    let mut warehouse_time = Duration::ZERO;
    let mut warehouse_rows = 0;
    for round in ["first run", "second run"] {
        let started = Instant::now();
        let result = run_report(&ctx, Report::PeerRoundTrips, params).await?;
        warehouse_time = started.elapsed();
        warehouse_rows = result.rows();
        println!("peer query on the warehouse, {round}: {} ({warehouse_rows} round trips)", secs(warehouse_time));
    }
    if args.skip_postgres {
        return Ok(());
    }
    let pg = postgres_peer_query(&args.database_url, &ctx, params).await?;
    println!(
        "peer query on PostgreSQL (same {} round trips, loaded in {}): {} ({} round trips)",
        pg.loaded_rows,
        secs(pg.load_time),
        secs(pg.query_time),
        pg.rows
    );
    if pg.rows != warehouse_rows {
        println!("warning: PostgreSQL returned {} rows, the warehouse {warehouse_rows}", pg.rows);
    }
    println!(
        "ratio PostgreSQL / warehouse: {:.1}×",
        pg.query_time.as_secs_f64() / warehouse_time.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// Times the scoring passes over the query fixture: the season without its last day (every
/// round trip scored from scratch), then the last day's trading added (a step that resumes the
/// saved detector), then a pass with nothing new.
async fn scoring(dir: &Path, days: u32) -> anyhow::Result<()> {
    let root = dir.join("warehouse");
    let location = Location::local(&root)?;
    let Some(&last_day) = trading_days(days.max(1)).last() else { return Ok(()) };
    // The fixture is tournament 1, written with one file per table and day.
    let key = PartitionKey::TournamentDate(1, last_day);
    let held_back: Vec<(PathBuf, PathBuf)> = [Table::Fills, Table::RoundTrips, Table::EquitySnapshots, Table::Ledger]
        .into_iter()
        .map(|table| {
            let file = root.join(part_path(table, &key, 0, 0));
            let aside = dir.join(format!("held-back-{}.parquet", table.name()));
            (file, aside)
        })
        .filter(|(file, _)| file.exists())
        .collect();
    for (file, aside) in &held_back {
        std::fs::rename(file, aside).with_context(|| format!("cannot move {}", file.display()))?;
    }
    let rounds =
        ["first pass (the season but its last day)", "second pass (the last day added)", "third pass (nothing new)"];
    for (i, round) in rounds.into_iter().enumerate() {
        if i == 1 {
            for (file, aside) in &held_back {
                std::fs::rename(aside, file).with_context(|| format!("cannot move {}", aside.display()))?;
            }
        }
        let started = Instant::now();
        let report = bullpen_analytics::scoring::run_scoring(&location).await?;
        println!(
            "scoring, {round}: {} ({} round trips scored, {} flagged, {} replayed, {} coordinated pairs)",
            secs(started.elapsed()),
            report.trades_scored,
            report.trades_flagged,
            report.trades_replayed,
            report.pairs_flagged
        );
    }
    Ok(())
}

/// The peer query of `queries/peer_round_trips.sql`, run as it is on PostgreSQL.
const PG_PEER_QUERY: &str = "
WITH mine AS (
    SELECT DISTINCT symbol, week
    FROM round_trips WHERE tournament_id = $1 AND entry_id = $2
),
peers AS (
    SELECT r.entry_id, r.close_seq, r.piece, r.symbol, m.week, r.closed_at,
           r.trade_return, r.holding_seconds, r.notional, r.realized_pnl
    FROM round_trips r
    JOIN mine m ON r.symbol = m.symbol AND r.week = m.week
    WHERE r.tournament_id = $1
),
ranked AS (
    SELECT p.*,
           PERCENT_RANK() OVER (PARTITION BY symbol, week ORDER BY trade_return) AS return_percentile,
           PERCENT_RANK() OVER (PARTITION BY symbol, week ORDER BY holding_seconds) AS holding_percentile,
           PERCENT_RANK() OVER (PARTITION BY symbol, week ORDER BY notional) AS size_percentile
    FROM peers p
),
bands AS (
    SELECT symbol, week,
           COUNT(*) AS peer_trades,
           COUNT(DISTINCT entry_id) AS peer_traders,
           percentile_cont(0.1) WITHIN GROUP (ORDER BY trade_return) AS return_p10,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY trade_return) AS return_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY trade_return) AS return_p90
    FROM peers
    GROUP BY symbol, week
)
SELECT r.close_seq, r.piece, r.symbol, r.week, r.closed_at,
       r.trade_return, r.holding_seconds, r.notional, r.realized_pnl,
       r.return_percentile, r.holding_percentile, r.size_percentile,
       b.peer_trades, b.peer_traders, b.return_p10, b.return_p50, b.return_p90
FROM ranked r
JOIN bands b ON b.symbol = r.symbol AND b.week = r.week
WHERE r.entry_id = $2
ORDER BY r.close_seq, r.piece";

const PG_TABLE: &str = "CREATE TABLE round_trips (
    tournament_id BIGINT NOT NULL, close_seq BIGINT NOT NULL, piece INTEGER NOT NULL, entry_id BIGINT NOT NULL,
    symbol TEXT NOT NULL, direction TEXT NOT NULL, qty BIGINT NOT NULL, entry_price NUMERIC(18, 4) NOT NULL,
    exit_price NUMERIC(18, 4) NOT NULL, opened_at TIMESTAMP NOT NULL, closed_at TIMESTAMP NOT NULL,
    week DATE NOT NULL, holding_seconds BIGINT NOT NULL, notional NUMERIC(18, 4) NOT NULL, fees NUMERIC(18, 4) NOT NULL,
    realized_pnl NUMERIC(18, 4) NOT NULL, trade_return DOUBLE PRECISION NOT NULL, open_order_id BIGINT,
    close_order_id BIGINT, date DATE NOT NULL)";

struct PgFigures {
    loaded_rows: u64,
    load_time: Duration,
    query_time: Duration,
    rows: usize,
}

/// Connects to `url`, creating its database first when it does not exist.
async fn pg_connect(url: &str) -> anyhow::Result<sqlx::PgPool> {
    let connect = |u: String| async move { sqlx::postgres::PgPoolOptions::new().max_connections(2).connect(&u).await };
    match connect(url.to_string()).await {
        Ok(pool) => Ok(pool),
        Err(first) => {
            let (base, db) = url.rsplit_once('/').context("the database URL names no database")?;
            let db = db.split('?').next().unwrap_or(db);
            if db.is_empty() || !db.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(first).context("cannot connect to the benchmark database");
            }
            let admin = connect(format!("{base}/postgres")).await.context("cannot connect to PostgreSQL")?;
            sqlx::query(&format!("CREATE DATABASE {db}"))
                .execute(&admin)
                .await
                .context("cannot create the database")?;
            admin.close().await;
            connect(url.to_string()).await.context("cannot connect to the benchmark database")
        }
    }
}

async fn postgres_peer_query(
    url: &str,
    ctx: &bullpen_warehouse::datafusion::prelude::SessionContext,
    params: ReportParams,
) -> anyhow::Result<PgFigures> {
    use futures_util::StreamExt;
    let pool = pg_connect(url).await?;
    sqlx::query("DROP TABLE IF EXISTS round_trips").execute(&pool).await?;
    sqlx::query(PG_TABLE).execute(&pool).await?;
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw(
            "COPY round_trips (tournament_id, close_seq, piece, entry_id, symbol, direction, qty, entry_price, \
             exit_price, opened_at, closed_at, week, holding_seconds, notional, fees, realized_pnl, trade_return, \
             open_order_id, close_order_id, date) FROM STDIN (FORMAT csv)",
        )
        .await?;
    let df = ctx
        .sql(
            "SELECT tournament_id, close_seq, piece, entry_id, symbol, direction, qty, entry_price, exit_price, \
             opened_at, closed_at, week, holding_seconds, notional, fees, realized_pnl, trade_return, \
             open_order_id, close_order_id, date FROM round_trips",
        )
        .await?;
    let mut stream = df.execute_stream().await?;
    let mut loaded = 0u64;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        loaded += batch.num_rows() as u64;
        let mut csv = Vec::with_capacity(batch.num_rows() * 160);
        WriterBuilder::new().with_header(false).build(&mut csv).write(&batch)?;
        copy.send(csv).await?;
    }
    copy.finish().await?;
    drop(conn);
    sqlx::query("CREATE INDEX round_trips_by_entry ON round_trips (tournament_id, entry_id)").execute(&pool).await?;
    sqlx::query("CREATE INDEX round_trips_by_symbol ON round_trips (tournament_id, symbol, week)")
        .execute(&pool)
        .await?;
    sqlx::query("ANALYZE round_trips").execute(&pool).await?;
    let load_time = started.elapsed();
    let mut query_time = Duration::ZERO;
    let mut rows = 0;
    for _ in 0..2 {
        let started = Instant::now();
        rows = sqlx::query(PG_PEER_QUERY)
            .bind(params.tournament_id)
            .bind(params.entry_id)
            .fetch_all(&pool)
            .await
            .context("the PostgreSQL peer query failed")?
            .len();
        query_time = started.elapsed();
    }
    pool.close().await;
    Ok(PgFigures { loaded_rows: loaded, load_time, query_time, rows })
}
