//! Prometheus metrics of the server: HTTP requests and latencies by route template, orders by
//! outcome, connected streams, and the sequencers' counters (batches, batch sizes, commit
//! latency), read from each running tournament's [`EngineStats`] when `/metrics` is scraped.
//!
//! Everything lives in one [`Metrics`] value owned by the server state (no globals), so every
//! test has its own counters.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use bullpen_engine::EngineStats;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::routes::RouteTable;
use crate::state::AppState;

/// Route label of requests that matched no route.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Content type of the classic Prometheus text format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// Content type of the OpenMetrics text format (sent when the scraper asks for it).
pub const OPENMETRICS_TEXT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the HTTP latency histogram, in seconds.
const HTTP_BUCKETS: [f64; 14] =
    [0.000_5, 0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct LatencyLabels {
    method: &'static str,
    route: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OrderLabels {
    outcome: &'static str,
    reason: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(HTTP_BUCKETS)
}

/// The server's metrics.
pub struct Metrics {
    /// Registry rendered at `/metrics`.
    pub registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<LatencyLabels, Histogram, fn() -> Histogram>,
    orders: Family<OrderLabels, Counter>,
    streams: Gauge,
    warehouse: WarehouseGauges,
    engines: Arc<EngineCollector>,
    routes: OnceLock<RouteMatcher>,
}

/// The analytics warehouse's freshness, as the server's warehouse pipeline last measured it.
#[derive(Default)]
struct WarehouseGauges {
    seq_behind: Gauge,
    seconds_behind: Gauge<f64, std::sync::atomic::AtomicU64>,
    exports: Family<ExportLabels, Counter>,
    last_export_rows: Gauge,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ExportLabels {
    outcome: &'static str,
}

impl Metrics {
    /// A fresh registry with every family registered.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<LatencyLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let orders = Family::<OrderLabels, Counter>::default();
        let streams = Gauge::default();
        let engines = Arc::new(EngineCollector::default());
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (until the response head), by method and route template",
            latency.clone(),
        );
        registry.register(
            "bullpen_orders",
            "Orders submitted through the HTTP APIs, by outcome (accepted, rejected) and rejection reason",
            orders.clone(),
        );
        registry.register(
            "bullpen_streams_connected",
            "Live streams (server-sent events, WebSockets) currently open",
            streams.clone(),
        );
        let warehouse = WarehouseGauges::default();
        registry.register(
            "bullpen_warehouse_lag_sequence_numbers",
            "Sequence numbers committed in the store and not yet exported to the analytics warehouse",
            warehouse.seq_behind.clone(),
        );
        registry.register(
            "bullpen_warehouse_lag_seconds",
            "Freshness lag of the analytics warehouse: data time between the store's newest ledger entry and \
             the newest exported one (largest over tournaments)",
            warehouse.seconds_behind.clone(),
        );
        registry.register(
            "bullpen_warehouse_exports",
            "Runs of the warehouse pipeline (export, then trade scoring), by outcome",
            warehouse.exports.clone(),
        );
        registry.register(
            "bullpen_warehouse_last_export_rows",
            "Rows the last successful warehouse export wrote",
            warehouse.last_export_rows.clone(),
        );
        registry.register_collector(Box::new(SharedCollector(Arc::clone(&engines))));
        Metrics { registry, requests, latency, orders, streams, warehouse, engines, routes: OnceLock::new() }
    }

    /// Counts one answered request.
    pub fn observe_http(&self, method: &'static str, route: &'static str, status: u16, elapsed: Duration) {
        self.requests.get_or_create(&RequestLabels { method, route, status }).inc();
        self.latency.get_or_create(&LatencyLabels { method, route }).observe(elapsed.as_secs_f64());
    }

    /// Counts one order submitted through an API: `"accepted"`, or the stable code of the
    /// rejection (`insufficient_buying_power`, `market_closed`, …), which becomes the `reason`
    /// label of `outcome="rejected"`. Codes are reduced to `[a-z0-9_]` (at most 48 characters)
    /// so a caller cannot blow up the label space with arbitrary text.
    pub fn record_order(&self, outcome: &str) {
        let labels = if outcome == "accepted" {
            OrderLabels { outcome: "accepted", reason: String::new() }
        } else {
            OrderLabels { outcome: "rejected", reason: sanitize_code(outcome) }
        };
        self.orders.get_or_create(&labels).inc();
    }

    /// Counts the outcome of one order placement by the engine (rejections by their stable
    /// code; failures that are not the order's fault are not orders and are not counted).
    pub fn record_placement<T>(&self, result: &Result<T, bullpen_engine::EngineError>) {
        match result {
            Ok(_) => self.record_order("accepted"),
            Err(bullpen_engine::EngineError::Rejected(reason)) => self.record_order(reason.code()),
            Err(_) => {}
        }
    }

    /// Records the warehouse's freshness lag: sequence numbers not yet exported, and seconds of
    /// data time behind (`None` when unknown, e.g. before anything was exported: reported as
    /// NaN so a dashboard shows a gap rather than a reassuring zero).
    pub fn record_warehouse_lag(&self, seq_behind: i64, seconds_behind: Option<f64>) {
        self.warehouse.seq_behind.set(seq_behind);
        self.warehouse.seconds_behind.set(seconds_behind.unwrap_or(f64::NAN));
    }

    /// Counts one run of the warehouse pipeline; `rows` is what a successful one wrote.
    pub fn record_warehouse_export(&self, rows: Option<u64>) {
        let outcome = if rows.is_some() { "ok" } else { "failed" };
        self.warehouse.exports.get_or_create(&ExportLabels { outcome }).inc();
        if let Some(rows) = rows {
            self.warehouse.last_export_rows.set(i64::try_from(rows).unwrap_or(i64::MAX));
        }
    }

    /// One more open stream; call [`Metrics::stream_closed`] when it ends (or hold a
    /// [`Metrics::stream_guard`] instead).
    pub fn stream_opened(&self) {
        self.streams.inc();
    }

    /// One stream fewer.
    pub fn stream_closed(&self) {
        self.streams.dec();
    }

    /// Counts a stream as connected until the guard is dropped.
    pub fn stream_guard(&self) -> StreamGuard {
        self.streams.inc();
        StreamGuard { gauge: self.streams.clone() }
    }

    /// Streams currently open.
    pub fn streams_connected(&self) -> i64 {
        self.streams.get()
    }

    /// Replaces the sequencers whose counters the next scrape reports: `(tournament id, stats)`.
    pub fn set_sequencers(&self, sequencers: Vec<(i64, Arc<EngineStats>)>) {
        if let Ok(mut current) = self.engines.sequencers.lock() {
            *current = sequencers;
        }
    }

    /// The route template a request path matches (`/api/v1/tournaments/{tournament_id}`), or
    /// [`UNMATCHED_ROUTE`].
    pub fn route_of(&self, table: Option<&RouteTable>, path: &str) -> &'static str {
        let matcher = match self.routes.get() {
            Some(m) => m,
            None => match table {
                Some(table) => self.routes.get_or_init(|| RouteMatcher::new(table)),
                None => return UNMATCHED_ROUTE,
            },
        };
        matcher.find(path).unwrap_or(UNMATCHED_ROUTE)
    }

    /// The registry in the OpenMetrics text format.
    pub fn render_openmetrics(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "metrics encoding failed");
        }
        out
    }

    /// The registry in the classic Prometheus text format (version 0.0.4): counters are named
    /// with their `_total` suffix in `# HELP`/`# TYPE`, and there is no `# EOF` marker.
    pub fn render_prometheus(&self) -> String {
        openmetrics_to_prometheus(&self.render_openmetrics())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Keeps a stream counted in `bullpen_streams_connected` while alive.
#[derive(Debug)]
pub struct StreamGuard {
    gauge: Gauge,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

fn sanitize_code(code: &str) -> String {
    let clean: String =
        code.chars().take(48).map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if clean.is_empty() {
        "unknown".to_string()
    } else {
        clean
    }
}

/// The method as a static label.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Counts and times every HTTP request, labelled by the route template it matches (never the
/// raw path: ids and tokens in paths stay out of the label space and out of logs).
pub async fn track_http(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = state.metrics.route_of(state.routes.get(), request.uri().path());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.observe_http(method, route, status, elapsed);
    tracing::debug!(method, route, status, micros = elapsed.as_micros() as u64, "request");
    response
}

/// Rewrites OpenMetrics text into the classic Prometheus text format.
fn openmetrics_to_prometheus(text: &str) -> String {
    let counters: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(text.len() + counters.len() * 16);
    for line in text.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let rewritten = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            counters.contains(&name).then(|| format!("{prefix}{name}_total {tail}"))
        });
        match rewritten {
            Some(l) => out.push_str(&l),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// The sequencers reported at the next scrape.
#[derive(Debug, Default)]
struct EngineCollector {
    sequencers: Mutex<Vec<(i64, Arc<EngineStats>)>>,
}

#[derive(Debug)]
struct SharedCollector(Arc<EngineCollector>);

type Labels = [(&'static str, String); 1];

fn tournament_label(id: i64) -> Labels {
    [("tournament", id.to_string())]
}

impl Collector for SharedCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let sequencers = self.0.sequencers.lock().map(|s| s.clone()).unwrap_or_default();
        let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);

        ConstGauge::new(sequencers.len() as i64).encode(encoder.encode_descriptor(
            "bullpen_sequencers_running",
            "Tournament sequencers running",
            None,
            MetricType::Gauge,
        )?)?;

        let mut family = encoder.encode_descriptor(
            "bullpen_engine_orders",
            "Orders decided by the sequencers, by tournament and outcome (accepted, rejected, duplicate)",
            None,
            MetricType::Counter,
        )?;
        for (id, stats) in &sequencers {
            for (outcome, value) in [
                ("accepted", load(&stats.orders_accepted)),
                ("rejected", load(&stats.orders_rejected)),
                ("duplicate", load(&stats.duplicate_submissions)),
            ] {
                let labels = [("tournament", id.to_string()), ("outcome", outcome.to_string())];
                ConstCounter::new(value).encode(family.encode_family(&labels)?)?;
            }
        }

        // Batch sizes and commit times are kept by the engine as running sums, so they are
        // exposed as histograms with only the +Inf bucket: rate(_sum) / rate(_count) is the mean.
        let mut family = encoder.encode_descriptor(
            "bullpen_sequencer_batch_orders",
            "Orders per committed sequencer batch (sum and count; mean = rate(sum) / rate(count))",
            None,
            MetricType::Histogram,
        )?;
        for (id, stats) in &sequencers {
            let count = load(&stats.batches);
            let sum = load(&stats.batched_orders) as f64;
            family.encode_family(&tournament_label(*id))?.encode_histogram::<NoLabelSet>(
                sum,
                count,
                &[(f64::INFINITY, count)],
                None,
            )?;
        }

        let mut family = encoder.encode_descriptor(
            "bullpen_sequencer_commit_duration_seconds",
            "Time to commit a sequencer batch durably (sum and count)",
            None,
            MetricType::Histogram,
        )?;
        for (id, stats) in &sequencers {
            let count = load(&stats.batches);
            let sum = load(&stats.commit_micros) as f64 / 1e6;
            family.encode_family(&tournament_label(*id))?.encode_histogram::<NoLabelSet>(
                sum,
                count,
                &[(f64::INFINITY, count)],
                None,
            )?;
        }

        let mut family = encoder.encode_descriptor(
            "bullpen_sequencer_batch_orders_max",
            "Largest batch committed since the sequencer started",
            None,
            MetricType::Gauge,
        )?;
        for (id, stats) in &sequencers {
            ConstGauge::new(load(&stats.max_batch_orders) as i64)
                .encode(family.encode_family(&tournament_label(*id))?)?;
        }

        let mut family = encoder.encode_descriptor(
            "bullpen_leaderboard_recompute_duration_seconds",
            "Time spent recomputing leaderboards (sum and count)",
            None,
            MetricType::Histogram,
        )?;
        for (id, stats) in &sequencers {
            let count = load(&stats.leaderboards);
            let sum = load(&stats.leaderboard_micros) as f64 / 1e6;
            family.encode_family(&tournament_label(*id))?.encode_histogram::<NoLabelSet>(
                sum,
                count,
                &[(f64::INFINITY, count)],
                None,
            )?;
        }
        Ok(())
    }
}

/// Finds the route template of a path, preferring static segments over parameters from the
/// left (as axum's router does).
#[derive(Debug)]
struct RouteMatcher {
    patterns: Vec<Pattern>,
    /// Patterns by their first segment when it is static.
    by_first: HashMap<&'static str, Vec<usize>>,
    /// Patterns whose first segment is a parameter or a catch-all (tried for every path).
    any_first: Vec<usize>,
}

#[derive(Debug)]
struct Pattern {
    template: &'static str,
    segments: Vec<Segment>,
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Static(&'static str),
    Param,
    CatchAll,
}

impl RouteMatcher {
    fn new(table: &RouteTable) -> RouteMatcher {
        let mut templates: Vec<&'static str> = table.rules().iter().map(|r| r.path).collect();
        templates.sort_unstable();
        templates.dedup();
        let patterns = templates
            .into_iter()
            .map(|template| Pattern {
                template,
                segments: template
                    .split('/')
                    .skip(1)
                    .map(|s| {
                        if s.starts_with("{*") {
                            Segment::CatchAll
                        } else if s.starts_with('{') && s.ends_with('}') {
                            Segment::Param
                        } else {
                            Segment::Static(s)
                        }
                    })
                    .collect(),
            })
            .collect::<Vec<Pattern>>();
        let mut by_first: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut any_first = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            match p.segments.first() {
                Some(Segment::Static(s)) => by_first.entry(*s).or_default().push(i),
                _ => any_first.push(i),
            }
        }
        RouteMatcher { patterns, by_first, any_first }
    }

    fn find(&self, path: &str) -> Option<&'static str> {
        let first = path.split('/').nth(1).unwrap_or_default();
        let candidates = self.by_first.get(first).map(Vec::as_slice).unwrap_or_default();
        let mut best: Option<(&'static str, u64)> = None;
        for p in candidates.iter().chain(&self.any_first).filter_map(|&i| self.patterns.get(i)) {
            let Some(rank) = p.rank(path) else { continue };
            if best.is_none_or(|(_, r)| rank > r) {
                best = Some((p.template, rank));
            }
        }
        best.map(|(template, _)| template)
    }
}

impl Pattern {
    /// How specific the match is, segment by segment from the left (static 3, parameter 2,
    /// catch-all 1; two bits each, the first segment highest), or `None` if the path does not
    /// match. Allocation-free: it runs on every request.
    fn rank(&self, path: &str) -> Option<u64> {
        let mut parts = path.split('/').skip(1);
        let mut rank = 0u64;
        for (i, seg) in self.segments.iter().enumerate() {
            let shift = 62u32.saturating_sub(2 * i as u32);
            match seg {
                Segment::CatchAll => {
                    return parts.next().map(|_| rank | (1 << shift));
                }
                Segment::Static(s) => {
                    if parts.next() != Some(*s) {
                        return None;
                    }
                    rank |= 3 << shift;
                }
                Segment::Param => {
                    if parts.next().is_none_or(str::is_empty) {
                        return None;
                    }
                    rank |= 2 << shift;
                }
            }
        }
        parts.next().is_none().then_some(rank)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Access;
    use crate::routes::Routes;
    use axum::routing::get;

    fn table() -> RouteTable {
        let (_, table) = Routes::new()
            .get("/api/v1/tournaments", Access::Public, get(|| async { "" }))
            .get("/api/v1/tournaments/{tournament_id}", Access::Public, get(|| async { "" }))
            .get("/api/v1/tournaments/mine", Access::Public, get(|| async { "" }))
            .get("/v2/orders/{order_id}", Access::Public, get(|| async { "" }))
            .get("/v2/orders:by_client_order_id", Access::Public, get(|| async { "" }))
            .get("/static/{*path}", Access::Public, get(|| async { "" }))
            .into_parts();
        table
    }

    #[test]
    fn paths_map_to_their_templates() {
        let m = Metrics::new();
        let t = table();
        assert_eq!(m.route_of(Some(&t), "/api/v1/tournaments/42"), "/api/v1/tournaments/{tournament_id}");
        assert_eq!(m.route_of(None, "/api/v1/tournaments/mine"), "/api/v1/tournaments/mine");
        assert_eq!(m.route_of(None, "/api/v1/tournaments"), "/api/v1/tournaments");
        assert_eq!(m.route_of(None, "/v2/orders:by_client_order_id"), "/v2/orders:by_client_order_id");
        assert_eq!(m.route_of(None, "/static/app/main.js"), "/static/{*path}");
        assert_eq!(m.route_of(None, "/api/v1/tournaments/42/x"), UNMATCHED_ROUTE);
        assert_eq!(m.route_of(None, "/nope"), UNMATCHED_ROUTE);
    }

    #[test]
    fn reports_the_warehouse_freshness() {
        let m = Metrics::new();
        let text = m.render_prometheus();
        assert!(text.contains("bullpen_warehouse_lag_sequence_numbers 0"), "{text}");
        m.record_warehouse_lag(1_234, Some(42.5));
        m.record_warehouse_export(Some(900));
        m.record_warehouse_export(None);
        let text = m.render_prometheus();
        assert!(text.contains("bullpen_warehouse_lag_sequence_numbers 1234"), "{text}");
        assert!(text.contains("bullpen_warehouse_lag_seconds 42.5"), "{text}");
        assert!(text.contains("bullpen_warehouse_exports_total{outcome=\"ok\"} 1"), "{text}");
        assert!(text.contains("bullpen_warehouse_exports_total{outcome=\"failed\"} 1"), "{text}");
        assert!(text.contains("bullpen_warehouse_last_export_rows 900"), "{text}");
        m.record_warehouse_lag(0, None);
        assert!(m.render_prometheus().contains("bullpen_warehouse_lag_seconds NaN"));
    }

    #[test]
    fn renders_both_text_formats() {
        let m = Metrics::new();
        m.observe_http("GET", "/healthz", 200, Duration::from_millis(3));
        m.record_order("accepted");
        m.record_order("Insufficient Buying Power!");
        let guard = m.stream_guard();
        assert_eq!(m.streams_connected(), 1);
        drop(guard);
        assert_eq!(m.streams_connected(), 0);
        let stats = Arc::new(EngineStats::default());
        stats.record_commit(10, Duration::from_millis(2));
        m.set_sequencers(vec![(7, stats)]);
        let om = m.render_openmetrics();
        assert!(om.ends_with("# EOF\n"), "{om}");
        let text = m.render_prometheus();
        assert!(!text.contains("# EOF"));
        assert!(text.contains("# TYPE http_requests_total counter"), "{text}");
        assert!(text.contains("http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket{"), "{text}");
        assert!(text.contains("bullpen_orders_total{outcome=\"rejected\",reason=\"insufficient_buying_power_\"} 1"));
        assert!(text.contains("bullpen_sequencer_batch_orders_sum{tournament=\"7\"} 10"), "{text}");
        assert!(text.contains("bullpen_sequencer_commit_duration_seconds_count{tournament=\"7\"} 1"), "{text}");
    }
}
