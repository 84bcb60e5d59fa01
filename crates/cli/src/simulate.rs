//! `bullpen simulate`: a whole tournament, headless, with bots, through the real engine and a
//! real store. Same seed and inputs give byte-identical output.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use bullpen_bots::{roster, AccountView, Bot, BotSpec, PriceHistory, RECOMMENDED_WINDOW};
use bullpen_domain::{
    CorporateAction, DailyBar, EntryId, LedgerKind, Money, Symbol, TournamentKind, TournamentRules, TournamentState,
    Ts, Universe,
};
use bullpen_engine::{Engine, PriceUpdate, SequencerConfig, TournamentHandle};
use bullpen_market::bars::{import_bars, load_symbols};
use bullpen_market::simulator::{default_universe, simulate_daily_bars, SimulatorConfig};
use bullpen_market::{ManualClock, NyseCalendar, Replay};
use bullpen_store::{NewInstrument, NewTournament, NewUser, Store};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::common::progress;

/// Days of prices the bots see before the tournament starts.
const WARMUP_DAYS: usize = 20;
/// First day of the synthetic market when no prices are given.
const SYNTHETIC_START: (i32, u32, u32) = (2025, 1, 2);

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A text table.
    Table,
    /// JSON.
    Json,
}

/// Arguments of `bullpen simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Number of bot players.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub players: u32,
    /// Trading days.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=5_000))]
    pub days: u32,
    /// Seed of the market simulator and the bots.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Replay real daily bars from this directory (CSV, plain or gzip, with symbols.csv)
    /// instead of simulating prices.
    #[arg(long)]
    pub prices: Option<PathBuf>,
    /// Corporate actions (splits, dividends) to apply during the replay.
    #[arg(long)]
    pub actions: Option<PathBuf>,
    /// Price steps per trading day.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(4..=390))]
    pub steps_per_day: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Keep the tournament in this data directory (default: a temporary one, deleted after).
    #[arg(long, env = "BULLPEN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Keep the tournament in this PostgreSQL database.
    #[arg(long, env = "BULLPEN_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// The market a simulation runs on.
struct Market {
    instruments: Vec<NewInstrument>,
    bars: Vec<DailyBar>,
    dates: Vec<NaiveDate>,
}

fn load_market(args: &SimulateArgs, calendar: &NyseCalendar) -> anyhow::Result<Market> {
    let needed = WARMUP_DAYS + args.days as usize;
    match &args.prices {
        Some(dir) => {
            let imported = import_bars(std::slice::from_ref(dir), None)
                .with_context(|| format!("reading prices from {}", dir.display()))?;
            if !imported.bad_rows.is_empty() {
                eprintln!("note: {} bad price rows skipped", imported.bad_rows.len());
            }
            let mut dates: Vec<NaiveDate> = imported.bars.iter().map(|b| b.date).collect();
            dates.sort_unstable();
            dates.dedup();
            if dates.len() < needed {
                bail!(
                    "{} has {} trading days of prices; {} are needed ({} warm-up + {})",
                    dir.display(),
                    dates.len(),
                    needed,
                    WARMUP_DAYS,
                    args.days
                );
            }
            let dates = dates.split_off(dates.len() - needed);
            let first = dates[0];
            let bars: Vec<DailyBar> = imported.bars.into_iter().filter(|b| b.date >= first).collect();
            let symbols_file = dir.join("symbols.csv");
            let mut names: HashMap<Symbol, (String, String)> = HashMap::new();
            if symbols_file.is_file() {
                for s in load_symbols(&symbols_file)?.symbols {
                    names.insert(s.symbol, (s.name, s.sector));
                }
            }
            let mut symbols: Vec<Symbol> = bars.iter().map(|b| b.symbol.clone()).collect();
            symbols.sort();
            symbols.dedup();
            let instruments = symbols
                .into_iter()
                .map(|symbol| {
                    let (name, sector) = names.remove(&symbol).unwrap_or_else(|| (symbol.to_string(), String::new()));
                    NewInstrument { symbol, name, sector }
                })
                .collect();
            Ok(Market { instruments, bars, dates })
        }
        None => {
            let (y, m, d) = SYNTHETIC_START;
            let start = NaiveDate::from_ymd_opt(y, m, d).context("synthetic start date")?;
            let mut dates = Vec::with_capacity(needed);
            let mut day = if calendar.is_trading_day(start) { start } else { calendar.next_trading_day(start) };
            while dates.len() < needed {
                dates.push(day);
                day = calendar.next_trading_day(day);
            }
            let universe = default_universe(50, args.seed);
            let instruments = universe
                .iter()
                .map(|i| NewInstrument { symbol: i.symbol.clone(), name: i.name.clone(), sector: i.sector.clone() })
                .collect();
            let bars = simulate_daily_bars(&SimulatorConfig::new(args.seed, universe), &dates);
            Ok(Market { instruments, bars, dates })
        }
    }
}

/// One row of the final standings.
#[derive(Debug, Serialize)]
struct Row {
    rank: u32,
    player: String,
    strategy: String,
    skill: String,
    equity: Money,
    return_pct: String,
    trades: u64,
    badges: Vec<String>,
}

/// The whole result.
#[derive(Debug, Serialize)]
struct Outcome {
    players: u32,
    trading_days: u32,
    seed: u64,
    from: NaiveDate,
    to: NaiveDate,
    instruments: usize,
    orders_accepted: u64,
    orders_rejected: u64,
    rejections_by_reason: BTreeMap<String, u64>,
    standings: Vec<Row>,
}

/// Runs the simulation.
pub async fn run(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let calendar = NyseCalendar::new();
    let market = load_market(&args, &calendar)?;
    let temp = tempfile::tempdir().context("creating a temporary data directory")?;
    let data_dir = args.data_dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let store =
        bullpen_store::open_store(&data_dir, args.database_url.as_deref()).await.context("opening the store")?;
    let outcome = simulate(&args, &market, Arc::clone(&store), calendar).await?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&outcome)?),
        Format::Table => print_table(&outcome),
    }
    Ok(ExitCode::SUCCESS)
}

async fn unique_name(store: &dyn Store, base: &str) -> anyhow::Result<String> {
    let mut name = base.to_string();
    let mut n = 1;
    while store.tournament_by_name(&name).await?.is_some() {
        n += 1;
        name = format!("{base} #{n}");
    }
    Ok(name)
}

async fn simulate(
    args: &SimulateArgs,
    market: &Market,
    store: Arc<dyn Store>,
    calendar: NyseCalendar,
) -> anyhow::Result<Outcome> {
    let warmup_dates = &market.dates[..WARMUP_DAYS];
    let trading_dates = &market.dates[WARMUP_DAYS..];
    let (first, last) = match (trading_dates.first(), trading_dates.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => bail!("no trading days"),
    };
    let start_ts = calendar.regular_hours(first).open;
    let clock = Arc::new(ManualClock::new(start_ts));
    store.upsert_instruments(&market.instruments).await?;
    let base = format!("Simulation seed {} ({} players, {} days)", args.seed, args.players, args.days);
    let tournament = bullpen_engine::admin::create_tournament(
        store.as_ref(),
        NewTournament {
            name: unique_name(store.as_ref(), &base).await?,
            kind: TournamentKind::AdHoc,
            state: TournamentState::Registration,
            starts_on: first,
            ends_on: last,
            rules: TournamentRules { universe: Universe::All, ..TournamentRules::default() },
            challenge: None,
            created_at: start_ts,
        },
    )
    .await?;
    let engine = Engine::new(Arc::clone(&store), clock.clone(), SequencerConfig::default());
    let handle = engine.start(tournament.id).await?;

    let specs = roster(args.players as usize, args.seed);
    let mut bots: Vec<Bot> = specs.iter().map(Bot::new).collect();
    let entries = join_bots(store.as_ref(), &handle, &specs, start_ts).await?;
    handle.set_state(TournamentState::Running).await?;

    // Warm-up: the bots see the closes of the days before the start.
    let mut history = PriceHistory::new(RECOMMENDED_WINDOW);
    for bar in market.bars.iter().filter(|b| warmup_dates.contains(&b.date)) {
        history.record(&bar.symbol, bar.close);
    }
    let trading_bars: Vec<DailyBar> = market.bars.iter().filter(|b| b.date >= first).cloned().collect();
    let mut actions: HashMap<NaiveDate, Vec<CorporateAction>> = HashMap::new();
    if let Some(path) = &args.actions {
        let imported =
            bullpen_market::import_actions(path, None).with_context(|| format!("reading {}", path.display()))?;
        if !imported.bad_rows.is_empty() {
            eprintln!("note: {} bad corporate-action rows skipped", imported.bad_rows.len());
        }
        for action in imported.actions {
            actions.entry(action.date).or_default().push(action);
        }
    }
    let mut replay = Replay::new(trading_bars, args.steps_per_day as usize, args.seed, calendar);
    let mut universe: Vec<Symbol> = market.instruments.iter().map(|i| i.symbol.clone()).collect();
    universe.sort();
    let mut rejections: BTreeMap<String, u64> = BTreeMap::new();
    let bar = progress(trading_dates.len() as u64, "days");
    while let Some(step) = replay.next_batch() {
        clock.set(step.ts);
        if step.step == 0 {
            let todays = actions.get(&step.date).cloned().unwrap_or_default();
            handle.open_session(step.ts, step.date, todays).await?;
        }
        let volumes: HashMap<&Symbol, i64> = step.day_volumes.iter().map(|(s, v)| (s, *v)).collect();
        let updates = step
            .prices
            .iter()
            .map(|(symbol, price)| PriceUpdate {
                symbol: symbol.clone(),
                price: *price,
                day_volume: volumes.get(symbol).copied(),
            })
            .collect();
        handle.tick(step.ts, updates).await?;
        for (symbol, price) in &step.prices {
            history.record(symbol, *price);
        }
        if !step.last_of_day {
            let summaries = handle.accounts(entries.clone()).await?;
            let mut orders = Vec::new();
            for (bot, summary) in bots.iter_mut().zip(&summaries) {
                let view = AccountView { cash: summary.cash, equity: summary.equity, positions: &summary.positions };
                for request in bot.decide(step.ts, &universe, &history, &view) {
                    orders.push((summary.entry_id, request));
                }
            }
            // Rejections (a rule the bot did not foresee) are part of the game; they are counted
            // by reason.
            for result in handle.place_many(orders).await {
                if let Err(e) = result {
                    *rejections.entry(e.code().to_string()).or_default() += 1;
                }
            }
        } else {
            handle.close_session(step.ts, step.date).await?;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let standings = handle.set_state(TournamentState::Finished).await?;
    let stats = handle.stats();
    let accepted = stats.orders_accepted.load(std::sync::atomic::Ordering::Relaxed);
    let rejected = stats.orders_rejected.load(std::sync::atomic::Ordering::Relaxed);
    engine.shutdown().await;

    let mut trades: HashMap<EntryId, u64> = HashMap::new();
    let mut after = 0;
    loop {
        let page = store.ledger(tournament.id, None, after, 100_000).await?;
        let Some(last_entry) = page.last() else { break };
        after = last_entry.seq;
        for le in page.iter().filter(|le| le.kind == LedgerKind::Trade) {
            *trades.entry(le.entry_id).or_default() += 1;
        }
    }
    let spec_of: HashMap<EntryId, &BotSpec> = entries.iter().copied().zip(specs.iter()).collect();
    let start = TournamentRules::default().starting_cash;
    let rows = standings
        .iter()
        .map(|s| {
            let spec = spec_of.get(&s.entry_id);
            Row {
                rank: s.rank,
                player: spec.map(|b| b.name.clone()).unwrap_or_default(),
                strategy: spec.map(|b| b.kind.as_str().to_string()).unwrap_or_default(),
                skill: spec.map(|b| format!("{:.2}", b.skill)).unwrap_or_default(),
                equity: s.equity,
                return_pct: percent(s.equity, start),
                trades: trades.get(&s.entry_id).copied().unwrap_or(0),
                badges: s.badges.clone(),
            }
        })
        .collect();
    Ok(Outcome {
        players: args.players,
        trading_days: args.days,
        seed: args.seed,
        from: first,
        to: last,
        instruments: market.instruments.len(),
        orders_accepted: accepted,
        orders_rejected: rejected,
        rejections_by_reason: rejections,
        standings: rows,
    })
}

/// Return in percent with two decimals, computed exactly in integers.
fn percent(equity: Money, start: Money) -> String {
    if start.0 == 0 {
        return "0.00".into();
    }
    let bp = (i128::from(equity.0 - start.0) * 1_000_000) / i128::from(start.0);
    let hundredths = (bp + if bp >= 0 { 50 } else { -50 }) / 100;
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

pub(crate) async fn join_bots(
    store: &dyn Store,
    handle: &TournamentHandle,
    specs: &[BotSpec],
    now: Ts,
) -> anyhow::Result<Vec<EntryId>> {
    let mut users = Vec::with_capacity(specs.len());
    let missing: Vec<NewUser> = {
        let mut missing = Vec::new();
        for spec in specs {
            if store.user_by_handle(&spec.name).await?.is_none() {
                missing.push(NewUser {
                    handle: spec.name.clone(),
                    display_name: spec.name.clone(),
                    is_bot: true,
                    created_at: now,
                });
            }
        }
        missing
    };
    store.create_users(&missing).await?;
    for spec in specs {
        let user = store.user_by_handle(&spec.name).await?.context("bot user just created")?;
        users.push((user.id, spec.name.clone()));
    }
    let joined = handle.join_many(users).await;
    joined.into_iter().map(|r| r.map(|e| e.id).map_err(anyhow::Error::from)).collect()
}

fn print_table(o: &Outcome) {
    println!(
        "Simulated {} players over {} trading days ({} to {}) on {} instruments, seed {}: {} orders accepted, {} rejected",
        o.players, o.trading_days, o.from, o.to, o.instruments, o.seed, o.orders_accepted, o.orders_rejected
    );
    if !o.rejections_by_reason.is_empty() {
        let reasons: Vec<String> = o.rejections_by_reason.iter().map(|(code, n)| format!("{code} {n}")).collect();
        println!("rejected orders by reason: {}", reasons.join(", "));
    }
    println!();
    println!(
        "{:>6}  {:<28} {:<15} {:>5} {:>16} {:>9} {:>7}  badges",
        "rank", "player", "strategy", "skill", "equity", "return %", "trades"
    );
    for r in &o.standings {
        println!(
            "{:>6}  {:<28} {:<15} {:>5} {:>16} {:>9} {:>7}  {}",
            r.rank,
            r.player,
            r.strategy,
            r.skill,
            r.equity.to_string(),
            r.return_pct,
            r.trades,
            r.badges.join(",")
        );
    }
}
