//! `bullpen bench orders`: durable order throughput and latency of the engine against a naive
//! one-transaction-per-order path on the same store, the leaderboard update time after a tick
//! that moves every symbol, and the rebuild time from a store holding many orders. It prints
//! what it measured; nothing here asserts a time.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bullpen_domain::{
    EntryId, Instrument, InstrumentId, InstrumentStatus, OrderRequest, OrderType, Price, Qty, Side, Symbol,
    TimeInForce, Tournament, TournamentKind, TournamentRules, TournamentState, Ts, UserId,
};
use bullpen_engine::effects::Effects;
use bullpen_engine::state::LiveTournament;
use bullpen_engine::{Engine, PriceUpdate, SequencerConfig, TournamentHandle};
use bullpen_market::simulator::default_universe;
use bullpen_market::{Clock, SystemClock};
use bullpen_store::{NewInstrument, NewTournament, NewUser, Store, TournamentSnapshot};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::common::progress;

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Engine order throughput and latency, leaderboard update and rebuild times.
    Orders(OrdersArgs),
    /// Orders through the HTTP API (`POST /v2/orders`) from many keep-alive connections, side by
    /// side with the engine alone.
    Http(crate::bench_http::HttpArgs),
    /// Submit orders continuously to the `soak` tournament of a data directory, logging each
    /// acknowledged order id (for crash tests: kill it, then `bullpen check --acked LOG`).
    Soak(SoakArgs),
}

/// Arguments of `bench soak`.
#[derive(Debug, Args)]
pub struct SoakArgs {
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Players.
    #[arg(long, default_value_t = 100)]
    pub players: u32,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    pub clients: u32,
    /// Append acknowledged order ids here, one per line, as soon as each is acknowledged.
    #[arg(long)]
    pub ack_log: PathBuf,
    #[command(flatten)]
    pub data: crate::DataArgs,
}

/// Arguments of `bench orders`.
#[derive(Debug, Args)]
pub struct OrdersArgs {
    /// Players (entries) submitting orders.
    #[arg(long, default_value_t = 10_000)]
    pub players: u32,
    /// Seconds of order flow for each of the engine and the naive path.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent clients, each waiting for its acknowledgement before sending the next order
    /// (800 keeps about two batches in flight on two cores: the throughput of a full pipeline
    /// with the latency of a short one).
    #[arg(long, default_value_t = 800)]
    pub clients: u32,
    /// Seconds of the naive path (default: `--seconds`; 0 skips it, e.g. for a profiler run).
    #[arg(long)]
    pub naive_seconds: Option<u64>,
    /// Entries in the leaderboard measurement (0 skips it).
    #[arg(long, default_value_t = 100_000)]
    pub leaderboard_entries: u32,
    /// Positions per entry in the leaderboard measurement.
    #[arg(long, default_value_t = 10)]
    pub leaderboard_positions: u32,
    /// Orders in the store for the rebuild measurement (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    pub rebuild_orders: u64,
    /// Store in this directory instead of a temporary one.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Run against this PostgreSQL database instead of SQLite.
    #[arg(long, env = "BULLPEN_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// Runs a benchmark.
pub async fn run(what: BenchCommand) -> anyhow::Result<ExitCode> {
    match what {
        BenchCommand::Orders(args) => orders(args).await,
        BenchCommand::Soak(args) => soak(args).await,
        BenchCommand::Http(args) => crate::bench_http::run(args).await,
    }
}

pub(crate) fn instruments() -> Vec<NewInstrument> {
    default_universe(50, 7)
        .into_iter()
        .map(|i| NewInstrument { symbol: i.symbol, name: i.name, sector: i.sector })
        .collect()
}

pub(crate) fn start_prices() -> Vec<(Symbol, Price)> {
    default_universe(50, 7).into_iter().map(|i| (i.symbol, i.start_price)).collect()
}

fn bench_rules() -> TournamentRules {
    TournamentRules { starting_cash: bullpen_domain::Money::from_dollars(10_000_000), ..TournamentRules::default() }
}

async fn new_tournament(store: &dyn Store, label: &str) -> anyhow::Result<Tournament> {
    let now = SystemClock.now();
    let day = now.date_utc();
    let name = format!("bench {label} {}", now.0);
    Ok(store
        .create_tournament(NewTournament {
            name,
            kind: TournamentKind::AdHoc,
            state: TournamentState::Registration,
            starts_on: day,
            ends_on: day + chrono::Duration::days(1),
            rules: bench_rules(),
            challenge: None,
            created_at: now,
        })
        .await?)
}

pub(crate) async fn bench_users(store: &dyn Store, players: u32) -> anyhow::Result<Vec<UserId>> {
    let now = SystemClock.now();
    let new: Vec<NewUser> = (0..players)
        .map(|i| NewUser {
            handle: format!("bench-{}-{i}", now.0),
            display_name: format!("player {i}"),
            is_bot: true,
            created_at: now,
        })
        .collect();
    Ok(store.create_users(&new).await?.into_iter().map(|u| u.id).collect())
}

/// A running tournament ready for order flow.
pub(crate) async fn prepare(
    store: &Arc<dyn Store>,
    users: &[UserId],
    label: &str,
    config: SequencerConfig,
) -> anyhow::Result<(Engine, TournamentHandle, Vec<EntryId>)> {
    let t = new_tournament(store.as_ref(), label).await?;
    let engine = Engine::new(Arc::clone(store), Arc::new(SystemClock), config);
    let handle = engine.start(t.id).await?;
    let joined = handle.join_many(users.iter().map(|u| (*u, format!("user {}", u.0))).collect()).await;
    let entries = joined.into_iter().map(|r| r.map(|e| e.id)).collect::<Result<Vec<_>, _>>()?;
    handle.set_state(TournamentState::Running).await?;
    let now = SystemClock.now();
    handle.open_session(now, now.date_utc(), Vec::new()).await?;
    let updates =
        start_prices().into_iter().map(|(symbol, price)| PriceUpdate { symbol, price, day_volume: None }).collect();
    handle.tick(now, updates).await?;
    Ok((engine, handle, entries))
}

pub(crate) fn random_order(rng: &mut ChaCha8Rng, symbols: &[(Symbol, Price)]) -> OrderRequest {
    let (symbol, price) = &symbols[rng.gen_range(0..symbols.len())];
    let qty = Qty(rng.gen_range(1..=5));
    if rng.gen_bool(0.7) {
        OrderRequest {
            client_order_id: None,
            symbol: symbol.clone(),
            side: Side::Buy,
            order_type: OrderType::Market,
            time_in_force: TimeInForce::Day,
            qty,
            limit_price: None,
            stop_price: None,
        }
    } else {
        // A buy limit 2–10 % under the market: it rests, and some fill as prices wander.
        let below = rng.gen_range(200..1_000);
        let limit = Price(price.0 - price.0 * below / 10_000).round_to_tick();
        OrderRequest {
            client_order_id: None,
            symbol: symbol.clone(),
            side: Side::Buy,
            order_type: OrderType::Limit,
            time_in_force: TimeInForce::Gtc,
            qty,
            limit_price: Some(limit),
            stop_price: None,
        }
    }
}

/// What one order-flow run measured.
pub(crate) struct FlowResult {
    pub(crate) acknowledged: u64,
    pub(crate) rejected: u64,
    pub(crate) elapsed: Duration,
    pub(crate) latencies_micros: Vec<u64>,
    pub(crate) mean_batch: f64,
    pub(crate) commit_p50_ms: f64,
    pub(crate) commit_p99_ms: f64,
}

impl FlowResult {
    pub(crate) fn rate(&self) -> f64 {
        self.acknowledged as f64 / self.elapsed.as_secs_f64()
    }
}

pub(crate) fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)] as f64 / 1_000.0
}

/// Moves every price by up to ±0.3 % every 50 ms until `stop` is set.
pub(crate) fn spawn_ticker(handle: TournamentHandle, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let mut prices: Vec<(Symbol, Price)> = start_prices();
        while !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            for (_, p) in prices.iter_mut() {
                let step = rng.gen_range(-30..=30);
                *p = Price(p.0 + p.0 * step / 10_000).round_to_tick();
            }
            let updates =
                prices.iter().map(|(s, p)| PriceUpdate { symbol: s.clone(), price: *p, day_volume: None }).collect();
            let _ = handle.tick(SystemClock.now(), updates).await;
        }
    })
}

pub(crate) async fn order_flow(
    handle: &TournamentHandle,
    entries: &[EntryId],
    clients: u32,
    seconds: u64,
) -> FlowResult {
    let stop = Arc::new(AtomicBool::new(false));
    let symbols = Arc::new(start_prices());
    let entries = Arc::new(entries.to_vec());
    // Prices wander while orders flow, so resting limits trigger too.
    let ticker = spawn_ticker(handle.clone(), Arc::clone(&stop));
    let batches_before = handle.stats().batches.load(Ordering::Relaxed);
    let batched_before = handle.stats().batched_orders.load(Ordering::Relaxed);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::with_capacity(clients as usize);
    for client in 0..clients {
        let handle = handle.clone();
        let symbols = Arc::clone(&symbols);
        let entries = Arc::clone(&entries);
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(u64::from(client));
            let mut latencies = Vec::with_capacity(4_096);
            let mut rejected = 0u64;
            while Instant::now() < deadline {
                let entry = entries[rng.gen_range(0..entries.len())];
                let request = random_order(&mut rng, &symbols);
                let sent = Instant::now();
                match handle.place(entry, request).await {
                    Ok(_) => latencies.push(sent.elapsed().as_micros() as u64),
                    Err(_) => rejected += 1,
                }
            }
            (latencies, rejected)
        }));
    }
    let mut latencies = Vec::new();
    let mut rejected = 0;
    for task in tasks {
        if let Ok((l, r)) = task.await {
            latencies.extend(l);
            rejected += r;
        }
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = ticker.await;
    latencies.sort_unstable();
    let mut commits = handle.stats().commit_samples();
    commits.sort_unstable();
    let batches = handle.stats().batches.load(Ordering::Relaxed) - batches_before;
    let batched = handle.stats().batched_orders.load(Ordering::Relaxed) - batched_before;
    FlowResult {
        acknowledged: latencies.len() as u64,
        rejected,
        elapsed,
        latencies_micros: latencies,
        mean_batch: if batches == 0 { 0.0 } else { batched as f64 / batches as f64 },
        commit_p50_ms: percentile(&commits, 0.50),
        commit_p99_ms: percentile(&commits, 0.99),
    }
}

pub(crate) fn print_flow(label: &str, r: &FlowResult) {
    println!(
        "{label:<28} {:>10.0} orders/s   p50 {:>8.2} ms   p99 {:>8.2} ms   ({} acknowledged, {} rejected; mean batch {:.1} orders, commit p50 {:.2} ms p99 {:.2} ms)",
        r.rate(),
        percentile(&r.latencies_micros, 0.50),
        percentile(&r.latencies_micros, 0.99),
        r.acknowledged,
        r.rejected,
        r.mean_batch,
        r.commit_p50_ms,
        r.commit_p99_ms
    );
}

async fn orders(args: OrdersArgs) -> anyhow::Result<ExitCode> {
    let temp = tempfile::tempdir().context("creating a temporary data directory")?;
    let dir = args.data_dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let store = bullpen_store::open_store(&dir, args.database_url.as_deref()).await.context("opening the store")?;
    println!(
        "bench orders: store {} ({}), {} players, {} clients, {} s per path, {} cores",
        store.backend(),
        if store.backend() == "sqlite" { "WAL, synchronous=FULL" } else { "synchronous_commit=on" },
        args.players,
        args.clients,
        args.seconds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    store.upsert_instruments(&instruments()).await?;
    let users = bench_users(store.as_ref(), args.players).await?;

    let (engine, handle, entries) = prepare(&store, &users, "group-commit", SequencerConfig::default()).await?;
    let grouped = order_flow(&handle, &entries, args.clients, args.seconds).await;
    engine.shutdown().await;
    print_flow("engine (group commit)", &grouped);

    let naive_seconds = args.naive_seconds.unwrap_or(args.seconds);
    if naive_seconds > 0 {
        let naive_config = SequencerConfig { max_batch: 1, ..SequencerConfig::default() };
        let (engine, handle, entries) = prepare(&store, &users, "naive", naive_config).await?;
        let naive = order_flow(&handle, &entries, args.clients, naive_seconds).await;
        engine.shutdown().await;
        print_flow("naive (1 transaction/order)", &naive);
        println!("group commit / naive throughput: {:.1}x", grouped.rate() / naive.rate().max(f64::MIN_POSITIVE));
    }

    if args.leaderboard_entries > 0 {
        let (tick_ms, mtm_ms, build_s) = leaderboard_update(args.leaderboard_entries, args.leaderboard_positions)?;
        println!(
            "leaderboard update after a tick moving all 50 symbols, {} entries x {} positions: median {:.2} ms over 7 ticks ({:.2} ms mark-to-market, {:.2} ms re-rank; setup {:.1} s)",
            args.leaderboard_entries, args.leaderboard_positions, tick_ms, mtm_ms, tick_ms - mtm_ms, build_s
        );
    }

    if args.rebuild_orders > 0 {
        let (rebuild, load_orders) = rebuild_time(&store, args.rebuild_orders).await?;
        println!(
            "engine rebuild from a store holding {} orders ({} ledger entries): {:.2} s",
            load_orders.0,
            load_orders.1,
            rebuild.as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn in_memory_tournament(id: i64, instruments: &[(Symbol, Price)]) -> anyhow::Result<LiveTournament> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 5).context("date")?;
    let tournament = Tournament {
        id: bullpen_domain::TournamentId(id),
        name: "leaderboard bench".into(),
        kind: TournamentKind::AdHoc,
        state: TournamentState::Registration,
        starts_on: day,
        ends_on: day,
        rules: bench_rules(),
        challenge: None,
        created_at: Ts(0),
    };
    let list = instruments
        .iter()
        .enumerate()
        .map(|(i, (symbol, _))| Instrument {
            id: InstrumentId(i as i64 + 1),
            symbol: symbol.clone(),
            name: symbol.to_string(),
            sector: String::new(),
            status: InstrumentStatus::Active,
        })
        .collect();
    Ok(LiveTournament::rebuild(tournament, list, TournamentSnapshot::default())?)
}

/// Builds `entries` entries with `positions` positions each in memory, then measures
/// mark-to-market plus re-ranking after ticks that move every symbol. Returns the medians of
/// the whole update and of its mark-to-market part in milliseconds, and the setup time in
/// seconds.
fn leaderboard_update(entries: u32, positions: u32) -> anyhow::Result<(f64, f64, f64)> {
    let setup = Instant::now();
    let prices = start_prices();
    let mut live = in_memory_tournament(1, &prices)?;
    let mut fx = Effects::new(live.tournament.id);
    live.apply_tick(
        Ts(1),
        &prices.iter().map(|(s, p)| PriceUpdate { symbol: s.clone(), price: *p, day_volume: None }).collect::<Vec<_>>(),
        &mut fx,
    );
    let bar = progress(u64::from(entries), "entries");
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for i in 0..entries {
        let entry = live.join(UserId(i64::from(i) + 1), &format!("player {i}"), &mut fx)?;
        if i == 0 {
            live.tournament.state = TournamentState::Running;
            live.market_open = true;
        }
        let first = rng.gen_range(0..prices.len());
        for k in 0..positions as usize {
            let (symbol, _) = &prices[(first + k * 7) % prices.len()];
            let request = OrderRequest {
                client_order_id: None,
                symbol: symbol.clone(),
                side: Side::Buy,
                order_type: OrderType::Market,
                time_in_force: TimeInForce::Day,
                qty: Qty(rng.gen_range(1..=20)),
                limit_price: None,
                stop_price: None,
            };
            live.place_order(entry.id, request, &mut fx)?;
        }
        if fx.order_count() > 50_000 {
            fx = Effects::new(live.tournament.id);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let setup_s = setup.elapsed().as_secs_f64();
    let mut samples = Vec::new();
    let mut mtm = Vec::new();
    let mut current = prices.clone();
    for round in 0..7 {
        for (i, (_, p)) in current.iter_mut().enumerate() {
            let step = if (i + round) % 2 == 0 { 25 } else { -20 };
            *p = Price(p.0 + p.0 * step / 10_000).round_to_tick();
        }
        let updates: Vec<PriceUpdate> =
            current.iter().map(|(s, p)| PriceUpdate { symbol: s.clone(), price: *p, day_volume: None }).collect();
        let mut fx = Effects::new(live.tournament.id);
        let started = Instant::now();
        let outcome = live.apply_tick(Ts(2 + round as i64), &updates, &mut fx);
        let marked = started.elapsed();
        let board = live.leaderboard();
        samples.push(started.elapsed().as_secs_f64() * 1_000.0);
        mtm.push(marked.as_secs_f64() * 1_000.0);
        if outcome.revalued != entries as usize || board.rows.len() != entries as usize {
            anyhow::bail!("leaderboard bench revalued {} of {} entries", outcome.revalued, entries);
        }
    }
    samples.sort_by(f64::total_cmp);
    mtm.sort_by(f64::total_cmp);
    Ok((samples[samples.len() / 2], mtm[mtm.len() / 2], setup_s))
}

/// Writes `orders` orders into a fresh tournament through the engine's batch path, then
/// measures how long the engine takes to rebuild it from the store.
async fn rebuild_time(store: &Arc<dyn Store>, orders: u64) -> anyhow::Result<(Duration, (u64, u64))> {
    let t = new_tournament(store.as_ref(), "rebuild").await?;
    let prices = start_prices();
    let instruments = store.instruments().await?;
    let mut live = LiveTournament::rebuild(t.clone(), instruments, TournamentSnapshot::default())?;
    let players = 10_000u32;
    let users = bench_users(store.as_ref(), players).await?;
    let mut fx = Effects::new(t.id);
    for (i, u) in users.iter().enumerate() {
        live.join(*u, &format!("player {i}"), &mut fx)?;
    }
    live.tournament.state = TournamentState::Running;
    live.market_open = true;
    live.apply_tick(
        Ts(1),
        &prices.iter().map(|(s, p)| PriceUpdate { symbol: s.clone(), price: *p, day_volume: None }).collect::<Vec<_>>(),
        &mut fx,
    );
    store.commit_batch(&fx.into_batch(live.last_seq)).await?;
    store.set_tournament_state(t.id, TournamentState::Running).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let bar = progress(orders, "orders");
    let mut written = 0u64;
    let mut ledger = 0u64;
    while written < orders {
        let mut fx = Effects::new(t.id);
        let chunk = (orders - written).min(20_000);
        for _ in 0..chunk {
            let entry = bullpen_domain::EntryId::compose(t.id, rng.gen_range(1..=i64::from(players)));
            let request = random_order(&mut rng, &prices);
            let _ = live.place_order(entry, request, &mut fx);
        }
        let batch = fx.into_batch(live.last_seq);
        ledger += batch.ledger.len() as u64;
        store.commit_batch(&batch).await?;
        written += chunk;
        bar.inc(chunk);
    }
    bar.finish_and_clear();
    let started = Instant::now();
    let rebuilt = bullpen_engine::rebuild::load(store.as_ref(), t.id).await?;
    let elapsed = started.elapsed();
    // The same work in its two parts, for the report: reading the store, folding in memory.
    let read_started = Instant::now();
    let snapshot = store.load_tournament_state(t.id).await?;
    let read = read_started.elapsed();
    let fold_started = Instant::now();
    let _ = LiveTournament::rebuild(t.clone(), store.instruments().await?, snapshot)?;
    println!(
        "  rebuild parts (measured again): store read {:.2} s, fold into live state {:.2} s",
        read.as_secs_f64(),
        fold_started.elapsed().as_secs_f64()
    );
    if rebuilt.entries.len() != players as usize || rebuilt.max_order_local != live.max_order_local {
        anyhow::bail!("rebuild did not restore the tournament");
    }
    Ok((elapsed, (written, ledger)))
}

/// The tournament `bench soak` writes to.
const SOAK_TOURNAMENT: &str = "soak";

async fn soak(args: SoakArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let store = crate::common::open_store(&args.data).await?;
    store.upsert_instruments(&instruments()).await?;
    let t = match store.tournament_by_name(SOAK_TOURNAMENT).await? {
        Some(t) => t,
        None => {
            let now = SystemClock.now();
            store
                .create_tournament(NewTournament {
                    name: SOAK_TOURNAMENT.into(),
                    kind: TournamentKind::AdHoc,
                    state: TournamentState::Registration,
                    starts_on: now.date_utc(),
                    ends_on: now.date_utc() + chrono::Duration::days(1),
                    rules: bench_rules(),
                    challenge: None,
                    created_at: now,
                })
                .await?
        }
    };
    let mut users = Vec::with_capacity(args.players as usize);
    for i in 0..args.players {
        let handle = format!("soak-{i}");
        let user = match store.user_by_handle(&handle).await? {
            Some(u) => u,
            None => {
                store
                    .create_user(NewUser {
                        handle: handle.clone(),
                        display_name: handle,
                        is_bot: true,
                        created_at: SystemClock.now(),
                    })
                    .await?
            }
        };
        users.push(user.id);
    }
    let engine = Engine::new(Arc::clone(&store), Arc::new(SystemClock), SequencerConfig::default());
    let handle = engine.start(t.id).await?;
    let joined = handle.join_many(users.iter().map(|u| (*u, format!("user {}", u.0))).collect()).await;
    let entries = joined.into_iter().map(|r| r.map(|e| e.id)).collect::<Result<Vec<_>, _>>()?;
    if t.state == TournamentState::Registration {
        handle.set_state(TournamentState::Running).await?;
    }
    let now = SystemClock.now();
    handle.open_session(now, now.date_utc(), Vec::new()).await?;
    let updates =
        start_prices().into_iter().map(|(symbol, price)| PriceUpdate { symbol, price, day_volume: None }).collect();
    handle.tick(now, updates).await?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&args.ack_log)
        .with_context(|| format!("opening {}", args.ack_log.display()))?;
    let log = Arc::new(std::sync::Mutex::new(log));
    let symbols = Arc::new(start_prices());
    let entries = Arc::new(entries);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for client in 0..args.clients {
        let handle = handle.clone();
        let (symbols, entries, log) = (Arc::clone(&symbols), Arc::clone(&entries), Arc::clone(&log));
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(SystemClock.now().0 as u64 ^ u64::from(client));
            let mut acked = 0u64;
            while Instant::now() < deadline {
                let entry = entries[rng.gen_range(0..entries.len())];
                let request = random_order(&mut rng, &symbols);
                if let Ok(order) = handle.place(entry, request).await {
                    acked += 1;
                    if let Ok(mut file) = log.lock() {
                        // One write call per acknowledgement, so a kill cannot leave half a line.
                        let _ = file.write_all(format!("{}\n", order.id.0).as_bytes());
                    }
                }
            }
            acked
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap_or(0);
    }
    engine.shutdown().await;
    println!("soak: {total} orders acknowledged in tournament {}", t.id);
    Ok(ExitCode::SUCCESS)
}
