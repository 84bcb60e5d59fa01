//! Operations endpoints: liveness (`/healthz`), readiness (`/readyz`) and Prometheus metrics
//! (`/metrics`).
//!
//! All three are public so load balancers and scrapers need no credentials. `/metrics` reveals
//! traffic and tournament activity: operators should not expose it to the internet (bind the
//! server to a private address behind the proxy, or have the proxy refuse `/metrics`).

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use bullpen_domain::TournamentState;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::metrics::{OPENMETRICS_TEXT, PROMETHEUS_TEXT};
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// How long a readiness probe waits for the store and for each sequencer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The OpenAPI description of this module's routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, readyz, metrics), components(schemas(Health, Readiness)))]
pub struct ApiDoc;

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new().get("/healthz", Access::Public, get(healthz)).get("/readyz", Access::Public, get(readyz)).get(
        "/metrics",
        Access::Public,
        get(metrics),
    )
}

/// Liveness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// Readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// Always `ready`.
    pub status: String,
    /// Running tournaments whose sequencers answered.
    pub sequencers: usize,
}

/// The process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The server is alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// Ready for traffic: the store answers a cheap query and every running tournament has a
/// sequencer that answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready for traffic", body = Readiness),
        (status = 503, description = "Not ready; `message` says why", body = ErrorBody)
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    match readiness(&state).await {
        Ok(sequencers) => Ok(Json(Readiness { status: "ready".into(), sequencers })),
        Err(reason) => Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", reason)),
    }
}

/// Checks readiness; the error is the reason, safe to show.
pub async fn readiness(state: &AppState) -> Result<usize, String> {
    let tournaments = match tokio::time::timeout(PROBE_TIMEOUT, state.store.tournaments()).await {
        Err(_) => return Err("the store did not answer in time".into()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: store query failed");
            return Err("the store does not answer".into());
        }
        Ok(Ok(list)) => list,
    };
    let mut probes = Vec::new();
    for t in tournaments.iter().filter(|t| t.state == TournamentState::Running) {
        let Some(handle) = state.engine.handle(t.id) else {
            return Err(format!("tournament {} is running but its sequencer is not", t.id.0));
        };
        probes.push(async move {
            match tokio::time::timeout(PROBE_TIMEOUT, handle.barrier()).await {
                Ok(Ok(())) => Ok(()),
                _ => Err(format!("the sequencer of tournament {} does not answer", handle.id().0)),
            }
        });
    }
    let count = probes.len();
    for result in futures_util::future::join_all(probes).await {
        result?;
    }
    Ok(count)
}

/// Prometheus metrics: the classic text format (`text/plain; version=0.0.4`), or OpenMetrics
/// when the scraper asks for `application/openmetrics-text`.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Metrics in the Prometheus text format", body = String,
        content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.store.tournaments().await {
        Ok(list) => {
            let sequencers = list
                .iter()
                .filter_map(|t| state.engine.handle(t.id))
                .map(|h| (h.id().0, std::sync::Arc::clone(h.stats())))
                .collect();
            state.metrics.set_sequencers(sequencers);
        }
        // The last known sequencers are reported again.
        Err(e) => tracing::warn!(error = %e, "metrics: cannot list tournaments"),
    }
    let openmetrics = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/openmetrics-text"));
    let (body, content_type) = if openmetrics {
        (state.metrics.render_openmetrics(), OPENMETRICS_TEXT)
    } else {
        (state.metrics.render_prometheus(), PROMETHEUS_TEXT)
    };
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response()
}
