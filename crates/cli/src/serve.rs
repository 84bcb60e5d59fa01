//! `bullpen serve`: the HTTP server over the store and the engine.
//!
//! On start it opens the store, runs the season scheduler once (then on a timer), starts the
//! sequencer of every running tournament, optionally prepares the demo (`--demo`), binds and
//! prints the address. The export to the analytics warehouse runs every `--etl-every` seconds,
//! trade scoring after each export that brought rows (beside the next exports, never holding
//! them back), and the warehouse's freshness lag is measured for `/metrics` in between. SIGINT or SIGTERM stops it gracefully: the listener stops accepting,
//! in-flight requests finish (for at most `--grace-seconds`), the demo and the scheduler stop,
//! and the engine drains every sequencer, so nothing acknowledged is lost; then it exits 0.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bullpen_analytics::Pipeline;
use bullpen_domain::TournamentState;
use bullpen_engine::{Engine, SequencerConfig};
use bullpen_market::{Clock, SystemClock};
use bullpen_store::Store;
use bullpen_warehouse::ExportOptions;
use bullpen_web::analytics::Analytics;
use bullpen_web::metrics::Metrics;
use bullpen_web::{AppState, WebConfig};
use clap::Args;
use tokio::sync::{watch, Notify};

use crate::common::open_store;
use crate::DataArgs;

/// Arguments of `bullpen serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port; the chosen address is printed).
    #[arg(long, env = "BULLPEN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    #[command(flatten)]
    pub data: DataArgs,
    /// Trust `X-Forwarded-Proto` / `X-Forwarded-For` from a reverse proxy in front.
    #[arg(long)]
    pub trust_proxy: bool,
    /// Mark cookies `Secure` (served over TLS, or behind a TLS-terminating proxy).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Run the demo: a tournament replaying prices on an accelerated clock with bots trading,
    /// and a `demo` player account whose sign-in is printed.
    #[arg(long)]
    pub demo: bool,
    /// Bots in the demo tournament.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub demo_bots: u32,
    /// Wall-clock seconds per demo trading day (five sixths session, one sixth night).
    #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(u64).range(12..=86_400))]
    pub demo_day_seconds: u64,
    /// Seed of the demo's simulated market and bots.
    #[arg(long, default_value_t = 1)]
    pub demo_seed: u64,
    /// Seconds between runs of the season scheduler.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub schedule_every: u64,
    /// Seconds that in-flight requests (and open streams) get to finish at shutdown.
    #[arg(long, default_value_t = 10)]
    pub grace_seconds: u64,
    /// Seconds between runs of the warehouse pipeline (export, then trade scoring).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub etl_every: u64,
    /// Seconds between measurements of the warehouse's freshness lag (for `/metrics`).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub lag_every: u64,
    #[command(flatten)]
    pub warehouse: crate::etl::WarehouseArgs,
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.data).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Arc::new(Engine::new(Arc::clone(&store), Arc::clone(&clock), SequencerConfig::default()));
    let result = serve(args, Arc::clone(&store), Arc::clone(&engine), clock).await;
    // Always drain: every acknowledged command is durable before the process exits.
    engine.shutdown().await;
    if result.is_ok() {
        println!("bullpen stopped: sequencers drained");
    }
    result
}

async fn serve(
    args: ServeArgs,
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    tracing::info!(backend = store.backend(), "store open");
    run_scheduler_once(store.as_ref(), &engine, clock.as_ref()).await;
    start_running(store.as_ref(), &engine).await?;
    let listener =
        tokio::net::TcpListener::bind(&args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let signalled = shutdown_signal()?;

    let demo = if args.demo {
        let config =
            crate::demo::DemoConfig { bots: args.demo_bots, day_seconds: args.demo_day_seconds, seed: args.demo_seed };
        let demo = crate::demo::start(&store, &engine, &args.data, config, stop_rx.clone()).await?;
        println!("demo tournament {} ({}) is running", demo.tournament.id, demo.tournament.name);
        println!(
            "demo sign-in: handle {} password {} (a new password at every start)",
            crate::demo::DEMO_HANDLE,
            demo.password
        );
        Some(demo)
    } else {
        None
    };

    let scheduler = {
        let (store, engine, clock) = (Arc::clone(&store), Arc::clone(&engine), Arc::clone(&clock));
        let mut stop = stop_rx.clone();
        let every = Duration::from_secs(args.schedule_every);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stop.changed() => break,
                }
                run_scheduler_once(store.as_ref(), &engine, clock.as_ref()).await;
            }
        })
    };

    let config =
        WebConfig { secure_cookies: args.secure_cookies, trust_proxy: args.trust_proxy, ..WebConfig::default() };
    let state = AppState::new(Arc::clone(&store), Arc::clone(&engine), Arc::clone(&clock), config);
    let location = args.warehouse.location(&args.data.data_dir)?;
    let reports_dir = args.data.data_dir.join("reports");
    let mut analytics = Analytics::with_reports(location.clone(), &reports_dir, Arc::clone(&clock))
        .with_context(|| format!("cannot open the report jobs in {}", reports_dir.display()))?;
    analytics.refresh_seconds = args.etl_every;
    state.set_analytics(analytics);
    let pipeline = Pipeline::open(Arc::clone(&store), location, ExportOptions::default())
        .await
        .context("cannot open the analytics warehouse")?;
    let warehouse = tokio::spawn(run_pipeline(
        Arc::new(pipeline),
        Arc::clone(&state.metrics),
        Duration::from_secs(args.etl_every),
        Duration::from_secs(args.lag_every),
        stop_rx.clone(),
    ));
    let mut server = {
        let mut stop = stop_rx.clone();
        tokio::spawn(bullpen_web::serve(listener, state, async move {
            let _ = stop.changed().await;
        }))
    };
    println!("listening on http://{addr}");
    tracing::info!(%addr, "listening");

    let early_exit = tokio::select! {
        _ = signalled => None,
        ended = &mut server => Some(ended),
    };
    let _ = stop_tx.send(true);
    match early_exit {
        Some(Ok(Ok(()))) => tracing::warn!("the server stopped on its own"),
        Some(Ok(Err(e))) => tracing::error!(error = %e, "the server failed"),
        Some(Err(e)) => tracing::error!(error = %e, "the server task failed"),
        None => {
            tracing::info!("shutting down: no new connections; in-flight requests finish");
            match tokio::time::timeout(Duration::from_secs(args.grace_seconds), &mut server).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the server ended with an error"),
                Ok(Err(e)) => tracing::warn!(error = %e, "the server task failed"),
                Err(_) => {
                    tracing::warn!(seconds = args.grace_seconds, "connections still open after the grace period");
                    server.abort();
                }
            }
        }
    }
    if let Some(demo) = demo {
        let _ = demo.driver.await;
    }
    let _ = scheduler.await;
    let _ = warehouse.await;
    Ok(ExitCode::SUCCESS)
}

/// Runs the warehouse export every `etl_every` (the first at once) and measures the lag every
/// `lag_every`, until `stop` changes. Each export that brings new rows wakes the scoring task
/// ([`run_scoring_passes`]), which runs beside the export, so a long scoring pass never holds
/// the export back. A failed step is logged and counted; the next one redoes whatever it left
/// half-done.
async fn run_pipeline(
    pipeline: Arc<Pipeline>,
    metrics: Arc<Metrics>,
    etl_every: Duration,
    lag_every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let exported = Arc::new(Notify::new());
    let scorer =
        tokio::spawn(run_scoring_passes(Arc::clone(&pipeline), Arc::clone(&exported), etl_every, stop.clone()));
    let mut etl = tokio::time::interval(etl_every);
    let mut lag = tokio::time::interval(lag_every);
    etl.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    lag.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = etl.tick() => {
                // Stopping mid-run is safe: the export is resumable at any point.
                let run = tokio::select! {
                    run = pipeline.export_once() => run,
                    _ = stop.changed() => break,
                };
                match run {
                    Ok(export) => {
                        let rows = export.total_rows();
                        metrics.record_warehouse_export(Some(rows));
                        metrics.record_warehouse_lag(export.lag.seq_behind, export.lag.seconds_behind);
                        if rows > 0 {
                            tracing::info!(rows, "warehouse export");
                            exported.notify_one();
                        }
                    }
                    Err(e) => {
                        metrics.record_warehouse_export(None);
                        tracing::warn!(error = %e, "warehouse export failed; retrying at the next run");
                    }
                }
            }
            _ = lag.tick() => match pipeline.measure_lag().await {
                Ok(l) => metrics.record_warehouse_lag(l.seq_behind, l.seconds_behind),
                Err(e) => tracing::debug!(error = %e, "cannot measure the warehouse lag"),
            },
        }
    }
    let _ = scorer.await;
}

/// Scores the newly exported trades once at start (what an earlier run left unscored) and then
/// after every export that brought rows, until `stop` changes. Exports that finish during a pass
/// are answered by one more pass after it; a failed pass is retried after `retry_after`.
/// Stopping mid-pass is safe: the scoring cursor resumes it.
async fn run_scoring_passes(
    pipeline: Arc<Pipeline>,
    exported: Arc<Notify>,
    retry_after: Duration,
    mut stop: watch::Receiver<bool>,
) {
    exported.notify_one();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = exported.notified() => {
                let pass = tokio::select! {
                    pass = pipeline.score_once() => pass,
                    _ = stop.changed() => break,
                };
                match pass {
                    Ok(report) if report.trades_scored > 0 || report.pairs_flagged > 0 => tracing::info!(
                        trades_scored = report.trades_scored,
                        trades_flagged = report.trades_flagged,
                        pairs_flagged = report.pairs_flagged,
                        "trade scoring"
                    ),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "trade scoring failed; retrying");
                        tokio::select! {
                            _ = tokio::time::sleep(retry_after) => exported.notify_one(),
                            _ = stop.changed() => break,
                        }
                    }
                }
            }
        }
    }
}

/// Seasons and lifecycle steps due today; failures are logged (the next run tries again).
async fn run_scheduler_once(store: &dyn Store, engine: &Engine, clock: &dyn Clock) {
    let now = clock.now();
    match crate::tournament::schedule(store, engine, now.date_utc(), now).await {
        Ok(report) => {
            for line in report.lines() {
                tracing::info!("scheduler: {line}");
            }
            // Sequencers of tournaments that left the running state are not needed any more.
            for (t, state) in &report.moved {
                if *state > TournamentState::Running {
                    if let Err(e) = engine.stop(t.id).await {
                        tracing::warn!(tournament = t.id.0, error = %e, "cannot stop a finished tournament's sequencer");
                    }
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "scheduler run failed"),
    }
}

/// Starts the sequencer of every running tournament.
async fn start_running(store: &dyn Store, engine: &Engine) -> anyhow::Result<()> {
    for t in store.tournaments().await?.into_iter().filter(|t| t.state == TournamentState::Running) {
        match engine.start(t.id).await {
            Ok(_) => tracing::info!(tournament = t.id.0, name = %t.name, "sequencer started"),
            // Readiness reports it; the other tournaments still serve.
            Err(e) => tracing::error!(tournament = t.id.0, error = %e, "cannot start a running tournament"),
        }
    }
    Ok(())
}

/// Installs the SIGINT (Ctrl-C) and SIGTERM handlers now (before the address is printed, so a
/// signal sent right after it is never missed) and resolves when either arrives.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
