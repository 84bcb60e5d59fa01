//! `bullpen bench http`: orders through the HTTP API end to end, side by side with the engine
//! alone, in one run on one store.
//!
//! The server runs in this process on `127.0.0.1:0` over a fresh store. Players, entries and
//! trade API keys are created straight through the store; then `--clients` keep-alive HTTP/1.1
//! connections each submit `POST /v2/orders` (Alpaca's shape, with the key headers) and wait for
//! the answer before sending the next, for `--seconds`. The load generator is a minimal HTTP/1.1
//! client on raw sockets (one write per request, responses read by `Content-Length`), so it
//! takes as little as possible of the CPU it shares with the server. Latency runs from writing
//! the request to reading the whole response: for an accepted order, that includes the
//! durable commit. Then the same order flow runs against the engine directly
//! (`bench orders`' flow, same clients) and both figures are printed with their ratio.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bullpen_domain::{OrderRequest, OrderType, Price, Side, Symbol, TimeInForce};
use bullpen_engine::SequencerConfig;
use bullpen_market::{Clock, SystemClock};
use bullpen_store::{ApiKey, KeyScope, Store};
use bullpen_web::{secrets, AppState, WebConfig};
use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::bench::{bench_users, instruments, percentile, prepare, print_flow, random_order, start_prices};

/// Arguments of `bench http`.
#[derive(Debug, Args)]
pub struct HttpArgs {
    /// Players, each with an entry and a trade API key.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub players: u32,
    /// Concurrent keep-alive connections, each waiting for its answer before the next order.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub clients: u32,
    /// Seconds of order flow for each of the HTTP and the engine-only runs.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub seconds: u64,
    /// Skip the engine-only run.
    #[arg(long)]
    pub http_only: bool,
    /// Store in this directory instead of a temporary one.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Run against this PostgreSQL database instead of SQLite.
    #[arg(long, env = "BULLPEN_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// One player's credentials.
struct Key {
    id: String,
    secret: String,
}

/// Runs the benchmark.
pub async fn run(args: HttpArgs) -> anyhow::Result<ExitCode> {
    let temp = tempfile::tempdir().context("creating a temporary data directory")?;
    let dir = args.data_dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let store = bullpen_store::open_store(&dir, args.database_url.as_deref()).await.context("opening the store")?;
    println!(
        "bench http: store {} ({}), {} players with trade API keys, {} keep-alive HTTP/1.1 connections, {} s per run, {} cores",
        store.backend(),
        if store.backend() == "sqlite" { "WAL, synchronous=FULL" } else { "synchronous_commit=on" },
        args.players,
        args.clients,
        args.seconds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    store.upsert_instruments(&instruments()).await?;
    let users = bench_users(store.as_ref(), args.players).await?;
    let (engine, handle, entries) = prepare(&store, &users, "http", SequencerConfig::default()).await?;
    let engine = Arc::new(engine);

    let started = Instant::now();
    let keys = create_keys(&store, handle.id(), &users, &entries).await?;
    println!("setup: {} API keys stored in {:.1} s", keys.len(), started.elapsed().as_secs_f64());

    let state = AppState::new(Arc::clone(&store), Arc::clone(&engine), Arc::new(SystemClock), WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding 127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bullpen_web::serve(listener, state, async move {
        let _ = stop_rx.await;
    }));

    let keys = Arc::new(keys);
    let symbols = Arc::new(start_prices());
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = crate::bench::spawn_ticker(handle.clone(), Arc::clone(&stop));

    // Warm-up: every key once (its first use reads the store and records the use).
    let started = Instant::now();
    let warm = drive(addr, &keys, &symbols, args.clients, Load::EachKeyOnce).await?;
    println!(
        "warm-up: first use of all {} keys in {:.1} s ({} errors)",
        keys.len(),
        started.elapsed().as_secs_f64(),
        warm.errors
    );

    let batches_before = handle.stats().batches.load(std::sync::atomic::Ordering::Relaxed);
    let batched_before = handle.stats().batched_orders.load(std::sync::atomic::Ordering::Relaxed);
    let http = drive(addr, &keys, &symbols, args.clients, Load::For(Duration::from_secs(args.seconds))).await?;
    let batches = handle.stats().batches.load(std::sync::atomic::Ordering::Relaxed) - batches_before;
    let batched = handle.stats().batched_orders.load(std::sync::atomic::Ordering::Relaxed) - batched_before;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = ticker.await;
    let _ = stop_tx.send(());
    let _ = server.await;
    engine.shutdown().await;

    let http_rate = http.accepted as f64 / http.elapsed.as_secs_f64();
    println!(
        "{:<28} {:>10.0} orders/s   p50 {:>8.2} ms   p99 {:>8.2} ms   ({} acknowledged, {} rejected (4xx), {} errors; mean batch {:.1} orders)",
        "HTTP POST /v2/orders",
        http_rate,
        percentile(&http.latencies_micros, 0.50),
        percentile(&http.latencies_micros, 0.99),
        http.accepted,
        http.rejected,
        http.errors,
        if batches == 0 { 0.0 } else { batched as f64 / batches as f64 }
    );
    if let Some(first) = &http.first_error {
        println!("  first error: {first}");
    }

    if !args.http_only {
        let (engine, handle, entries) = prepare(&store, &users, "engine", SequencerConfig::default()).await?;
        let direct = crate::bench::order_flow(&handle, &entries, args.clients, args.seconds).await;
        engine.shutdown().await;
        print_flow("engine only (same clients)", &direct);
        println!(
            "HTTP / engine-only throughput: {:.2}  (p99 {:.2} ms vs {:.2} ms)",
            http_rate / direct.rate().max(f64::MIN_POSITIVE),
            percentile(&http.latencies_micros, 0.99),
            percentile(&direct.latencies_micros, 0.99)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One trade key per player, stored directly (no HTTP): `PK` + 18 characters and a random
/// secret, of which only the digest is stored.
async fn create_keys(
    store: &Arc<dyn Store>,
    tournament: bullpen_domain::TournamentId,
    users: &[bullpen_domain::UserId],
    entries: &[bullpen_domain::EntryId],
) -> anyhow::Result<Vec<Key>> {
    let now = SystemClock.now();
    let mut keys = Vec::with_capacity(users.len());
    let mut pending = tokio::task::JoinSet::new();
    for (i, (user, entry)) in users.iter().zip(entries).enumerate() {
        let key = Key { id: format!("PK{}", secrets::random_id(18)), secret: secrets::random_token(20) };
        let row = ApiKey {
            key_id: key.id.clone(),
            secret_hash: secrets::digest(&key.secret),
            user_id: *user,
            tournament_id: tournament,
            entry_id: *entry,
            scope: KeyScope::Trade,
            label: format!("bench {i}"),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        keys.push(key);
        let store = Arc::clone(store);
        pending.spawn(async move { store.create_api_key(&row).await });
        if pending.len() >= 512 {
            if let Some(done) = pending.join_next().await {
                done??;
            }
        }
    }
    while let Some(done) = pending.join_next().await {
        done??;
    }
    Ok(keys)
}

/// How long the clients run.
#[derive(Debug, Clone, Copy)]
enum Load {
    /// Each key submits one order (client `c` takes keys `c`, `c + clients`, …).
    EachKeyOnce,
    /// Random keys until the time is up.
    For(Duration),
}

/// What the clients measured.
#[derive(Debug, Default)]
struct Outcome {
    accepted: u64,
    rejected: u64,
    errors: u64,
    latencies_micros: Vec<u64>,
    elapsed: Duration,
    first_error: Option<String>,
}

async fn drive(
    addr: SocketAddr,
    keys: &Arc<Vec<Key>>,
    symbols: &Arc<Vec<(Symbol, Price)>>,
    clients: u32,
    load: Load,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients as usize);
    for client in 0..clients {
        let (keys, symbols) = (Arc::clone(keys), Arc::clone(symbols));
        tasks.push(tokio::spawn(async move { client_loop(addr, client, clients, &keys, &symbols, load).await }));
    }
    let mut total = Outcome::default();
    for task in tasks {
        let part = task.await.context("a load client panicked")?;
        total.accepted += part.accepted;
        total.rejected += part.rejected;
        total.errors += part.errors;
        total.latencies_micros.extend(part.latencies_micros);
        if total.first_error.is_none() {
            total.first_error = part.first_error;
        }
    }
    total.elapsed = started.elapsed();
    total.latencies_micros.sort_unstable();
    Ok(total)
}

async fn client_loop(
    addr: SocketAddr,
    client: u32,
    clients: u32,
    keys: &[Key],
    symbols: &[(Symbol, Price)],
    load: Load,
) -> Outcome {
    let mut out = Outcome { latencies_micros: Vec::with_capacity(16_384), ..Outcome::default() };
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(client) ^ 0xB0_11_BE_EF);
    let mut conn: Option<Conn> = None;
    let mut request = Vec::with_capacity(512);
    let mut body = String::with_capacity(160);
    let deadline = match load {
        Load::For(d) => Some(Instant::now() + d),
        Load::EachKeyOnce => None,
    };
    let mut next_key = client as usize;
    loop {
        let key = match deadline {
            Some(deadline) if Instant::now() >= deadline => break,
            Some(_) => &keys[rng.gen_range(0..keys.len())],
            None if next_key >= keys.len() => break,
            None => {
                let k = &keys[next_key];
                next_key += clients as usize;
                k
            }
        };
        alpaca_body(&mut body, &random_order(&mut rng, symbols));
        request.clear();
        request.extend_from_slice(b"POST /v2/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAPCA-API-KEY-ID: ");
        request.extend_from_slice(key.id.as_bytes());
        request.extend_from_slice(b"\r\nAPCA-API-SECRET-KEY: ");
        request.extend_from_slice(key.secret.as_bytes());
        request.extend_from_slice(b"\r\nContent-Type: application/json\r\nContent-Length: ");
        request.extend_from_slice(body.len().to_string().as_bytes());
        request.extend_from_slice(b"\r\n\r\n");
        request.extend_from_slice(body.as_bytes());
        let sent = Instant::now();
        let result = match conn.as_mut() {
            Some(c) => c.exchange(&request).await,
            None => match Conn::connect(addr).await {
                Ok(mut c) => {
                    let r = c.exchange(&request).await;
                    conn = Some(c);
                    r
                }
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(Answer { status, keep_alive }) => {
                if (200..300).contains(&status) {
                    out.accepted += 1;
                    out.latencies_micros.push(sent.elapsed().as_micros() as u64);
                } else if (400..500).contains(&status) {
                    out.rejected += 1;
                } else {
                    out.errors += 1;
                    out.first_error.get_or_insert_with(|| format!("HTTP status {status}"));
                }
                if !keep_alive {
                    conn = None;
                }
            }
            Err(e) => {
                out.errors += 1;
                out.first_error.get_or_insert_with(|| e.to_string());
                conn = None;
            }
        }
    }
    out
}

/// The order as Alpaca's `POST /v2/orders` body.
fn alpaca_body(out: &mut String, order: &OrderRequest) {
    use std::fmt::Write;
    out.clear();
    let side = match order.side {
        Side::Buy | Side::BuyToCover => "buy",
        Side::Sell | Side::SellShort => "sell",
    };
    let kind = match order.order_type {
        OrderType::Market => "market",
        OrderType::Limit => "limit",
        OrderType::Stop => "stop",
        OrderType::StopLimit => "stop_limit",
    };
    let tif = match order.time_in_force {
        TimeInForce::Day => "day",
        TimeInForce::Gtc => "gtc",
        TimeInForce::Ioc => "ioc",
        TimeInForce::Fok => "fok",
    };
    let _ = write!(
        out,
        r#"{{"symbol":"{}","qty":"{}","side":"{side}","type":"{kind}","time_in_force":"{tif}""#,
        order.symbol.as_str(),
        order.qty.0
    );
    if let Some(p) = order.limit_price {
        let _ = write!(out, r#","limit_price":"{p}""#);
    }
    if let Some(p) = order.stop_price {
        let _ = write!(out, r#","stop_price":"{p}""#);
    }
    out.push('}');
}

/// A response's status and whether the connection stays open.
struct Answer {
    status: u16,
    keep_alive: bool,
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

fn protocol_error(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

impl Conn {
    async fn connect(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn { stream, buf: Vec::with_capacity(8_192) })
    }

    /// Writes one request and reads its whole response.
    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<Answer> {
        self.stream.write_all(request).await?;
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| protocol_error("non-UTF-8 head"))?;
        let status =
            head.get(9..12).and_then(|s| s.parse::<u16>().ok()).ok_or_else(|| protocol_error("no status line"))?;
        let mut length = None;
        let mut keep_alive = true;
        for line in head.split("\r\n").skip(1) {
            let Some((name, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
                keep_alive = false;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(protocol_error("chunked responses are not supported by the bench client"));
            }
        }
        let length = length.unwrap_or(0);
        while self.buf.len() < head_end + length {
            self.fill().await?;
        }
        self.buf.drain(..head_end + length);
        Ok(Answer { status, keep_alive })
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 4_096];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use bullpen_domain::Qty;

    #[test]
    fn orders_become_alpaca_bodies() {
        let mut out = String::new();
        let order = OrderRequest {
            client_order_id: None,
            symbol: Symbol::parse("SIMA").unwrap(),
            side: Side::Buy,
            order_type: OrderType::Limit,
            time_in_force: TimeInForce::Gtc,
            qty: Qty(3),
            limit_price: Some(Price::from_dollars(12)),
            stop_price: None,
        };
        alpaca_body(&mut out, &order);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["symbol"], "SIMA");
        assert_eq!(v["qty"], "3");
        assert_eq!(v["type"], "limit");
        assert_eq!(v["time_in_force"], "gtc");
        assert!(v["limit_price"].as_str().is_some_and(|p| p.starts_with("12")));
    }
}
