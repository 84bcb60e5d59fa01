//! The engine's order flow alone, for profiling without building the whole `bullpen` binary:
//! the same shape as `bullpen bench orders` (players, concurrent clients each waiting for its
//! durable acknowledgement, 70 % market buys and 30 % resting limit buys, prices ticking every
//! 50 ms) on a fresh SQLite store (WAL, `synchronous=FULL`). Prints what it measured.
//!
//! `cargo run --release -p bullpen-engine --example order_flow -- [players] [clients] [seconds]`

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bullpen_domain::{
    Money, OrderRequest, OrderType, Price, Qty, Side, TimeInForce, TournamentKind, TournamentRules, TournamentState,
};
use bullpen_engine::{Engine, PriceUpdate, SequencerConfig};
use bullpen_market::clock::{Clock, SystemClock};
use bullpen_store::{NewInstrument, NewTournament, NewUser};

/// A small deterministic generator (the engine crate has no `rand`).
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn arg(i: usize, default: u64) -> u64 {
    std::env::args().nth(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(arg(1, 10_000) as u32, arg(2, 1_000) as u32, arg(3, 10)))
}

async fn run(players: u32, clients: u32, seconds: u64) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = bullpen_store::open_store(dir.path(), None).await?;
    let universe = bullpen_market::simulator::default_universe(50, 7);
    let new: Vec<NewInstrument> = universe
        .iter()
        .map(|i| NewInstrument { symbol: i.symbol.clone(), name: i.name.clone(), sector: i.sector.clone() })
        .collect();
    store.upsert_instruments(&new).await?;
    let prices: Arc<Vec<_>> = Arc::new(universe.iter().map(|i| (i.symbol.clone(), i.start_price)).collect());
    let now = SystemClock.now();
    let users: Vec<NewUser> = (0..players)
        .map(|i| NewUser {
            handle: format!("flow-{i}"),
            display_name: format!("player {i}"),
            is_bot: true,
            created_at: now,
        })
        .collect();
    let users = store.create_users(&users).await?;
    let t = store
        .create_tournament(NewTournament {
            name: "order flow".into(),
            kind: TournamentKind::AdHoc,
            state: TournamentState::Registration,
            starts_on: now.date_utc(),
            ends_on: now.date_utc() + chrono::Duration::days(1),
            rules: TournamentRules { starting_cash: Money::from_dollars(10_000_000), ..TournamentRules::default() },
            challenge: None,
            created_at: now,
        })
        .await?;
    let engine = Engine::new(Arc::clone(&store), Arc::new(SystemClock), SequencerConfig::default());
    let handle = engine.start(t.id).await?;
    let joined = handle.join_many(users.iter().map(|u| (u.id, u.display_name.clone())).collect()).await;
    let entries: Arc<Vec<_>> = Arc::new(joined.into_iter().map(|r| r.map(|e| e.id)).collect::<Result<_, _>>()?);
    handle.set_state(TournamentState::Running).await?;
    handle.open_session(now, now.date_utc(), Vec::new()).await?;
    let ticks = |p: &[(bullpen_domain::Symbol, Price)]| {
        p.iter()
            .map(|(symbol, price)| PriceUpdate { symbol: symbol.clone(), price: *price, day_volume: None })
            .collect()
    };
    handle.tick(now, ticks(&prices)).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (handle, stop, mut current) = (handle.clone(), Arc::clone(&stop), prices.to_vec());
        tokio::spawn(async move {
            let mut rng = XorShift(99);
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(50)).await;
                for (_, p) in current.iter_mut() {
                    let step = rng.below(61) as i64 - 30;
                    *p = Price(p.0 + p.0 * step / 10_000).round_to_tick();
                }
                let _ = handle.tick(SystemClock.now(), ticks(&current)).await;
            }
        })
    };
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (handle, prices, entries) = (handle.clone(), Arc::clone(&prices), Arc::clone(&entries));
        tasks.push(tokio::spawn(async move {
            let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ (u64::from(client) + 1));
            let mut latencies = Vec::with_capacity(4_096);
            while Instant::now() < deadline {
                let entry = entries[rng.below(entries.len() as u64) as usize];
                let (symbol, price) = &prices[rng.below(prices.len() as u64) as usize];
                let qty = Qty(1 + rng.below(5) as i64);
                let limit = rng.below(10) >= 7;
                let request = OrderRequest {
                    client_order_id: None,
                    symbol: symbol.clone(),
                    side: Side::Buy,
                    order_type: if limit { OrderType::Limit } else { OrderType::Market },
                    time_in_force: if limit { TimeInForce::Gtc } else { TimeInForce::Day },
                    qty,
                    limit_price: limit
                        .then(|| Price(price.0 - price.0 * (200 + rng.below(800) as i64) / 10_000).round_to_tick()),
                    stop_price: None,
                };
                let sent = Instant::now();
                if handle.place(entry, request).await.is_ok() {
                    latencies.push(sent.elapsed().as_micros() as u64);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = ticker.await;
    latencies.sort_unstable();
    let pct = |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0) as f64 / 1e3;
    println!(
        "{} orders/s  p50 {:.2} ms  p99 {:.2} ms  ({} acknowledged, mean batch {:.1})",
        (latencies.len() as f64 / elapsed).round(),
        pct(0.5),
        pct(0.99),
        latencies.len(),
        handle.stats().mean_batch()
    );
    engine.shutdown().await;
    Ok(())
}
