//! `bullpen serve --demo`: a running demo tournament with bots trading in it, kept alive across
//! restarts, and a demo player account.
//!
//! **Idempotent.** Everything is looked up by name first: the tournament "Bullpen Demo", the
//! bot users (`bot-00001-…`, as `bullpen simulate` names them) and the account `demo`. A second
//! start reuses them.
//!
//! **Market.** When the store has no daily bars, the demo seeds them: the real data set when
//! `BULLPEN_MARKET_DATA` points at it (through `bullpen import prices`), otherwise the simulator's
//! default universe with simulated bars for the trading days before today.
//!
//! **Time.** The server's clock (the engine's and the web layer's) stays the system clock. The
//! demo tournament lives on its own accelerated calendar: demo day *k* is the *k*-th NYSE trading
//! day after the tournament's start date and lasts `day_seconds` of wall time, anchored at the
//! tournament's creation time, so a restart resumes where the wall clock says the demo is
//! (a day missed while the server was down is skipped, never replayed twice). The first five
//! sixths of a demo day are its session, replayed step by step through an
//! [`AcceleratedClock`]; the last sixth is the night, market closed. Ticks and sessions carry
//! the demo's simulated timestamps; because those run ahead of the wall clock, the engine stamps
//! the demo tournament's orders with the latest tick time, so its orders, fills, quotes and
//! daily snapshots all share the demo calendar. Other tournaments keep real time. Demo day *k*
//! replays the bars of source day *k* modulo the number of days with bars (prices jump back
//! when the source data wraps around).
//!
//! **Sign-in.** The `demo` account's password is replaced with a fresh random one at every start
//! and printed once; only its argon2id hash is stored.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use bullpen_bots::{roster, AccountView, Bot, PriceHistory, RECOMMENDED_WINDOW};
use bullpen_domain::time::MICROS_PER_SECOND;
use bullpen_domain::{
    DailyBar, EntryId, Symbol, Tournament, TournamentKind, TournamentRules, TournamentState, Ts, Universe,
};
use bullpen_engine::{Engine, PriceUpdate, TournamentHandle};
use bullpen_market::simulator::{default_universe, simulate_daily_bars, SimInstrument, SimulatorConfig};
use bullpen_market::{AcceleratedClock, Clock, NyseCalendar, Replay, SystemClock};
use bullpen_store::{NewAccount, NewInstrument, NewTournament, Role, Store};
use chrono::NaiveDate;
use tokio::sync::{oneshot, watch};

use crate::DataArgs;

/// Name of the demo tournament.
pub const DEMO_TOURNAMENT: &str = "Bullpen Demo";
/// Handle of the demo player.
pub const DEMO_HANDLE: &str = "demo";
/// Trading days of simulated bars seeded into an empty store.
const SEEDED_DAYS: usize = 500;
/// Instruments of the simulated universe.
const SEEDED_INSTRUMENTS: usize = 50;
/// Replay steps per demo trading day (five-minute steps).
const STEPS_PER_DAY: usize = 78;
/// Bots look at the market every this many steps (six times a day) and at the close.
const DECIDE_EVERY: usize = 13;
/// Source days of closes the bots see before the first demo day.
const WARMUP_DAYS: usize = 20;

/// Settings of the demo.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Bot players.
    pub bots: u32,
    /// Wall-clock seconds per demo trading day (session plus night).
    pub day_seconds: u64,
    /// Seed of the simulated market and the bots.
    pub seed: u64,
}

/// A running demo.
pub struct Demo {
    /// The demo tournament.
    pub tournament: Tournament,
    /// The demo player's password (new at every start).
    pub password: String,
    /// The replay driver; ends when the stop signal is sent.
    pub driver: tokio::task::JoinHandle<()>,
}

/// Ensures the demo market, tournament, bots and account exist, then starts the replay and
/// waits until the current demo session (if it is day time) is open with prices.
pub async fn start(
    store: &Arc<dyn Store>,
    engine: &Arc<Engine>,
    data: &DataArgs,
    config: DemoConfig,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Demo> {
    let now = SystemClock.now();
    let calendar = NyseCalendar::new();
    ensure_market(store, data, config.seed, &calendar).await?;
    let tournament = ensure_tournament(store.as_ref(), now).await?;
    let handle = engine.start(tournament.id).await.context("starting the demo tournament's sequencer")?;
    let specs = roster(config.bots as usize, config.seed);
    let entries = crate::simulate::join_bots(store.as_ref(), &handle, &specs, now).await?;
    let password = bullpen_web::secrets::random_token(12);
    let user = ensure_account(store.as_ref(), &password, now).await?;
    handle.join(user, DEMO_HANDLE).await.context("joining the demo player")?;
    let mut state = tournament.state;
    while state < TournamentState::Running {
        let Some(next) = state.next() else { break };
        handle.set_state(next).await?;
        state = next;
    }
    if state != TournamentState::Running {
        bail!("the demo tournament {} is {}; rename or remove it to start a new demo", tournament.id, state.as_str());
    }
    let tournament = store.tournament(tournament.id).await?.context("the demo tournament vanished")?;
    let (lo, hi) = store.bar_date_range().await?.context("the demo market has no bars")?;
    let sources = calendar.trading_days(lo, hi);
    if sources.is_empty() {
        bail!("the stored bars ({lo} to {hi}) fall on no trading day");
    }
    let bots = specs.iter().map(Bot::new).collect();
    let mut universe: Vec<Symbol> = store.instruments().await?.into_iter().map(|i| i.symbol).collect();
    universe.sort();
    let (ready_tx, ready_rx) = oneshot::channel();
    let driver = Driver {
        store: Arc::clone(store),
        handle,
        calendar,
        anchor: tournament.created_at,
        first_date: calendar.next_trading_day(tournament.starts_on),
        day_micros: i64::try_from(config.day_seconds).unwrap_or(i64::MAX / 2).saturating_mul(MICROS_PER_SECOND),
        seed: config.seed,
        sources,
        bots,
        entries,
        universe,
        history: PriceHistory::new(RECOMMENDED_WINDOW),
        dates: (0, calendar.next_trading_day(tournament.starts_on)),
        ready: Some(ready_tx),
    };
    let driver = tokio::spawn(driver.run(stop));
    // The driver answers once the current session is open with prices (or at once at night).
    let _ = tokio::time::timeout(Duration::from_secs(120), ready_rx).await;
    Ok(Demo { tournament, password, driver })
}

/// Seeds instruments and bars when the store has no bars.
async fn ensure_market(
    store: &Arc<dyn Store>,
    data: &DataArgs,
    seed: u64,
    calendar: &NyseCalendar,
) -> anyhow::Result<()> {
    if store.bar_date_range().await?.is_some() {
        return Ok(());
    }
    let existing = store.instruments().await?;
    if existing.is_empty() {
        if let Some(dir) = std::env::var_os("BULLPEN_MARKET_DATA").map(std::path::PathBuf::from) {
            if dir.is_dir() {
                println!("seeding the demo market from {}", dir.display());
                let what = crate::import::ImportCommand::Prices { paths: vec![dir], symbols: None };
                crate::import::run(what, data.clone()).await?;
                if store.bar_date_range().await?.is_some() {
                    return Ok(());
                }
            }
        }
    }
    // Simulated bars for the instruments there are, or for the default universe.
    let universe = default_universe(SEEDED_INSTRUMENTS.max(existing.len()), seed);
    let instruments: Vec<SimInstrument> = if existing.is_empty() {
        universe.into_iter().take(SEEDED_INSTRUMENTS).collect()
    } else {
        existing
            .iter()
            .zip(universe)
            .map(|(i, sim)| SimInstrument {
                symbol: i.symbol.clone(),
                name: i.name.clone(),
                sector: if i.sector.is_empty() { sim.sector } else { i.sector.clone() },
                start_price: sim.start_price,
            })
            .collect()
    };
    let today = SystemClock.now().date_utc();
    let mut dates = Vec::with_capacity(SEEDED_DAYS);
    let mut day = calendar.previous_trading_day(today);
    while dates.len() < SEEDED_DAYS {
        dates.push(day);
        day = calendar.previous_trading_day(day);
    }
    dates.reverse();
    let bars = simulate_daily_bars(&SimulatorConfig::new(seed, instruments.clone()), &dates);
    let new: Vec<NewInstrument> = instruments
        .iter()
        .map(|i| NewInstrument { symbol: i.symbol.clone(), name: i.name.clone(), sector: i.sector.clone() })
        .collect();
    store.upsert_instruments(&new).await?;
    for chunk in bars.chunks(20_000) {
        store.insert_bars(chunk).await?;
    }
    println!("seeded the demo market: {} simulated instruments, {} trading days of bars", new.len(), dates.len());
    Ok(())
}

/// The demo tournament, created in registration if it does not exist.
async fn ensure_tournament(store: &dyn Store, now: Ts) -> anyhow::Result<Tournament> {
    if let Some(t) = store.tournament_by_name(DEMO_TOURNAMENT).await? {
        return Ok(t);
    }
    let today = now.date_utc();
    // The demo calendar runs ~500 trading days per wall-clock day; the end date only has to
    // stay ahead of it (the scheduler finishes a tournament after its end date).
    let ends = today.checked_add_days(chrono::Days::new(36_500)).context("demo end date")?;
    let t = bullpen_engine::admin::create_tournament(
        store,
        NewTournament {
            name: DEMO_TOURNAMENT.into(),
            kind: TournamentKind::AdHoc,
            state: TournamentState::Registration,
            starts_on: today,
            ends_on: ends,
            rules: TournamentRules { universe: Universe::All, ..TournamentRules::default() },
            challenge: None,
            created_at: now,
        },
    )
    .await?;
    Ok(t)
}

/// Creates the demo account, or sets a new password on it; returns its user id.
async fn ensure_account(store: &dyn Store, password: &str, now: Ts) -> anyhow::Result<bullpen_domain::UserId> {
    let hash = bullpen_web::auth::credentials::hash_password_blocking(password.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("cannot hash the demo password: {e}"))?;
    if let Some(account) = store.account_by_handle(DEMO_HANDLE).await? {
        store.set_password(account.user.id, &hash).await?;
        return Ok(account.user.id);
    }
    let account = store
        .create_account(NewAccount {
            handle: DEMO_HANDLE.into(),
            display_name: "Demo Player".into(),
            email: "demo@bullpen.invalid".into(),
            password_hash: hash,
            role: Role::Player,
            created_at: now,
        })
        .await
        .context("creating the demo account")?;
    Ok(account.user.id)
}

/// Replays the market into the demo tournament and lets the bots trade.
struct Driver {
    store: Arc<dyn Store>,
    handle: TournamentHandle,
    calendar: NyseCalendar,
    /// Wall time of demo day 0's start.
    anchor: Ts,
    first_date: NaiveDate,
    day_micros: i64,
    seed: u64,
    /// Days with source bars, ascending.
    sources: Vec<NaiveDate>,
    bots: Vec<Bot>,
    entries: Vec<EntryId>,
    universe: Vec<Symbol>,
    history: PriceHistory,
    /// Cache of (k, date of demo day k).
    dates: (u64, NaiveDate),
    ready: Option<oneshot::Sender<()>>,
}

/// How a wait ended.
enum Waited {
    Due,
    Stopped,
}

async fn wait_wall(micros: i64, stop: &mut watch::Receiver<bool>) -> Waited {
    if *stop.borrow() {
        return Waited::Stopped;
    }
    if micros <= 0 {
        return Waited::Due;
    }
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_micros(micros as u64)) => Waited::Due,
        _ = stop.changed() => Waited::Stopped,
    }
}

impl Driver {
    fn signal_ready(&mut self) {
        if let Some(tx) = self.ready.take() {
            let _ = tx.send(());
        }
    }

    /// The demo trading date of day `k`.
    fn date_of(&mut self, k: u64) -> NaiveDate {
        if k < self.dates.0 {
            self.dates = (0, self.first_date);
        }
        while self.dates.0 < k {
            self.dates = (self.dates.0 + 1, self.calendar.next_trading_day(self.dates.1));
        }
        self.dates.1
    }

    fn session_micros(&self) -> i64 {
        self.day_micros / 6 * 5
    }

    /// The source bars of demo day `k`, re-dated to `date`.
    async fn bars_for(&self, k: u64, date: NaiveDate) -> anyhow::Result<Vec<DailyBar>> {
        let n = self.sources.len() as u64;
        for offset in 0..n.min(10) {
            let source = self.sources[((k + offset) % n) as usize];
            let bars = self.store.bars(None, source, source).await?;
            if !bars.is_empty() {
                return Ok(bars.into_iter().map(|b| DailyBar { date, ..b }).collect());
            }
        }
        Ok(Vec::new())
    }

    async fn warm_up(&mut self, k: u64) -> anyhow::Result<()> {
        let n = self.sources.len() as u64;
        for back in (1..=WARMUP_DAYS as u64).rev() {
            let source = self.sources[((k + n * WARMUP_DAYS as u64 - back) % n) as usize];
            for bar in self.store.bars(None, source, source).await? {
                self.history.record(&bar.symbol, bar.close);
            }
        }
        Ok(())
    }

    async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut k = self.current_day();
        if let Err(e) = self.warm_up(k).await {
            tracing::warn!(error = %e, "demo: warm-up failed; the bots start without history");
        }
        loop {
            match self.play_day(k, &mut stop).await {
                Ok(Waited::Due) => {}
                Ok(Waited::Stopped) => break,
                Err(e) => {
                    tracing::warn!(day = k, error = %e, "demo: the replay of a day failed");
                    if matches!(
                        e.downcast_ref::<bullpen_engine::EngineError>(),
                        Some(bullpen_engine::EngineError::Stopped)
                    ) {
                        break;
                    }
                }
            }
            self.signal_ready();
            // The night: wait for the next day's start.
            let next_start = self.anchor.0.saturating_add(self.day_micros.saturating_mul(k as i64 + 1));
            if let Waited::Stopped = wait_wall(next_start - SystemClock.now().0, &mut stop).await {
                break;
            }
            k = self.current_day().max(k + 1);
        }
        self.signal_ready();
    }

    /// Demo day of the wall clock now.
    fn current_day(&self) -> u64 {
        let elapsed = SystemClock.now().0.saturating_sub(self.anchor.0).max(0);
        (elapsed / self.day_micros.max(1)) as u64
    }

    /// Plays demo day `k` from where the wall clock is in it; returns at its close.
    async fn play_day(&mut self, k: u64, stop: &mut watch::Receiver<bool>) -> anyhow::Result<Waited> {
        let day_start = self.anchor.0.saturating_add(self.day_micros.saturating_mul(k as i64));
        let into_day = SystemClock.now().0 - day_start;
        let session_wall = self.session_micros();
        if into_day >= session_wall {
            // Night already: nothing to play today.
            return Ok(Waited::Due);
        }
        let date = self.date_of(k);
        let session = self.calendar.session(date).unwrap_or_else(|| self.calendar.regular_hours(date));
        let session_sim = session.close.0 - session.open.0;
        let speed = session_sim as f64 / session_wall.max(1) as f64;
        let sim_now = session.open.0 + (into_day.max(0) as f64 * speed) as i64;
        let clock = AcceleratedClock::new(SystemClock, Ts(sim_now), speed)?;
        let bars = self.bars_for(k, date).await?;
        let mut replay = Replay::new(bars, STEPS_PER_DAY, self.seed ^ k, self.calendar);
        let mut steps = Vec::with_capacity(STEPS_PER_DAY);
        while let Some(step) = replay.next_batch() {
            steps.push(step);
        }
        if steps.is_empty() {
            return Ok(Waited::Due);
        }
        // Resuming mid-session: start from the last step already due.
        let first = steps.iter().rposition(|s| s.ts <= clock.now()).unwrap_or(0);
        let open_ts = clock.now().max(session.open).min(session.close);
        self.handle.open_session(open_ts, date, Vec::new()).await?;
        tracing::info!(day = k, %date, "demo: session open");
        for step in steps.into_iter().skip(first) {
            let wait = ((step.ts.0 - clock.now().0) as f64 / speed) as i64;
            if let Waited::Stopped = wait_wall(wait, stop).await {
                return Ok(Waited::Stopped);
            }
            let updates = step
                .prices
                .iter()
                .map(|(symbol, price)| PriceUpdate { symbol: symbol.clone(), price: *price, day_volume: None })
                .collect();
            self.handle.tick(step.ts, updates).await?;
            self.signal_ready();
            if step.step % DECIDE_EVERY == 0 || step.last_of_day {
                for (symbol, price) in &step.prices {
                    self.history.record(symbol, *price);
                }
            }
            if step.last_of_day {
                self.handle.close_session(step.ts, date).await?;
                tracing::info!(day = k, %date, "demo: session closed");
            } else if step.step % DECIDE_EVERY == 0 {
                self.bots_trade(step.ts).await?;
            }
        }
        Ok(Waited::Due)
    }

    async fn bots_trade(&mut self, ts: Ts) -> anyhow::Result<()> {
        let summaries = self.handle.accounts(self.entries.clone()).await?;
        let mut orders = Vec::new();
        for (bot, summary) in self.bots.iter_mut().zip(&summaries) {
            let view = AccountView { cash: summary.cash, equity: summary.equity, positions: &summary.positions };
            for request in bot.decide(ts, &self.universe, &self.history, &view) {
                orders.push((summary.entry_id, request));
            }
        }
        let mut rejected: HashMap<&'static str, u64> = HashMap::new();
        for result in self.handle.place_many(orders).await {
            if let Err(e) = result {
                *rejected.entry(e.code()).or_default() += 1;
            }
        }
        if !rejected.is_empty() {
            tracing::debug!(?rejected, "demo: bot orders rejected");
        }
        Ok(())
    }
}
