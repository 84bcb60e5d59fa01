//! `bullpen feed`: drive a running tournament from a live NDJSON quote feed (stdin or TCP).
//!
//! Each line is `{"symbol":"AAPL","price":"187.25","ts":"2026-01-02T15:30:00Z"}` (`ts` optional:
//! the time of arrival is used). Quotes move prices, revalue holders and trigger resting orders
//! through the tournament's sequencer; bad lines are reported with their line number and skipped.
//! The session opens and closes by the NYSE calendar as quote times cross it; the end of the feed
//! leaves it as it is.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bullpen_domain::{TournamentId, TournamentState, Ts};
use bullpen_engine::{Engine, PriceUpdate, SequencerConfig};
use bullpen_market::live::{connect_tcp, read_stdin, LiveQuote};
use bullpen_market::{Clock, NyseCalendar, SystemClock};
use chrono::NaiveDate;
use clap::Args;
use tokio::sync::mpsc;

use crate::common::open_store;
use crate::DataArgs;

/// Quotes applied per engine tick at most (quotes that arrive together are applied together).
const MAX_QUOTES_PER_TICK: usize = 4_096;

/// Arguments of `bullpen feed`.
#[derive(Debug, Args)]
pub struct FeedArgs {
    /// The running tournament to feed.
    #[arg(long)]
    pub tournament: i64,
    /// Read quotes from this TCP address (host:port) instead of standard input.
    #[arg(long)]
    pub tcp: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
}

/// The trading day a quote time falls in and whether the market is open then.
fn session_state(calendar: &NyseCalendar, ts: Ts) -> (NaiveDate, bool) {
    let date = bullpen_market::calendar::to_new_york(ts).date();
    (date, calendar.is_open(ts))
}

/// Runs the feed until it ends; drains the engine before returning.
pub async fn run(args: FeedArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.data).await?;
    let id = TournamentId(args.tournament);
    let tournament = store.tournament(id).await?.with_context(|| format!("no tournament {}", args.tournament))?;
    if tournament.state != TournamentState::Running {
        anyhow::bail!("tournament {} is {}, not running", tournament.id, tournament.state.as_str());
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Engine::new(Arc::clone(&store), Arc::clone(&clock), SequencerConfig::default());
    let handle = engine.start(id).await?;
    let (tx, mut rx) = mpsc::channel::<LiveQuote>(MAX_QUOTES_PER_TICK);
    let report = |line: u64, reason: String| eprintln!("bad quote on line {line}: {reason}");
    let reader = match args.tcp.clone() {
        Some(addr) => tokio::spawn(async move { connect_tcp(addr, tx, report).await }),
        None => tokio::spawn(async move { read_stdin(tx, report).await }),
    };
    let calendar = NyseCalendar::new();
    let mut session: Option<NaiveDate> = None;
    let (mut quotes, mut ticks, mut triggered) = (0u64, 0u64, 0usize);
    let mut pending = Vec::with_capacity(MAX_QUOTES_PER_TICK);
    while let Some(first) = rx.recv().await {
        pending.push(first);
        while pending.len() < MAX_QUOTES_PER_TICK {
            match rx.try_recv() {
                Ok(q) => pending.push(q),
                Err(_) => break,
            }
        }
        let ts = pending.iter().filter_map(|q| q.ts).max().unwrap_or_else(|| clock.now());
        let (date, open) = session_state(&calendar, ts);
        if session.is_some_and(|d| d != date || !open) {
            if let Some(day) = session.take() {
                handle.close_session(ts, day).await?;
            }
        }
        if open && session.is_none() {
            let actions = store.corporate_actions(date, date).await?;
            handle.open_session(ts, date, actions).await?;
            session = Some(date);
        }
        quotes += pending.len() as u64;
        let updates =
            pending.drain(..).map(|q| PriceUpdate { symbol: q.symbol, price: q.price, day_volume: None }).collect();
        let report = handle.tick(ts, updates).await?;
        ticks += 1;
        triggered += report.triggered;
    }
    let lines = reader.await.context("the feed reader stopped")?.context("reading the feed")?;
    // The end of a feed is not the end of a trading day: the session is left open, and closes
    // when a later quote falls outside it.
    engine.shutdown().await;
    println!("feed ended: {lines} lines, {quotes} quotes applied in {ticks} ticks, {triggered} orders triggered");
    Ok(ExitCode::SUCCESS)
}
