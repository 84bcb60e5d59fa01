//! Bullpen's HTTP server: accounts and sessions, the JSON API under `/api/v1` (with its OpenAPI
//! document), the Alpaca-compatible trading API under `/v2`, server-sent events, and the
//! operations endpoints.
//!
//! Every route is registered through [`routes::Routes`] with an [`policy::Access`] rule; the
//! [`authorize`] middleware resolves the caller and asks [`policy::decide`], so authorisation
//! lives in one place. Handlers are thin: they validate input, call the engine or the store,
//! and map failures to [`error::ApiError`] (a status plus a stable code).

pub mod alpaca;
pub mod analytics;
pub mod api;
pub mod audit;
pub mod auth;
pub mod authorize;
pub mod error;
pub mod extract;
pub mod identity;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod policy;
pub mod routes;
pub mod secrets;
pub mod state;
pub mod stream;

use std::future::Future;

use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::{ApiError, ApiResult};
pub use routes::{RouteRule, RouteTable, Routes};
pub use state::{AppState, WebConfig};

/// The Content-Security-Policy of every response: our own scripts and styles only, no inline
/// scripts, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Every route of the server, with its access rule.
pub fn all_routes() -> Routes {
    Routes::new()
        .merge(ops::routes())
        .merge(auth::routes())
        .merge(api::routes())
        .merge(stream::routes())
        .merge(alpaca::routes())
        .merge(pages::routes())
}

/// The whole application over a state.
pub fn app(state: AppState) -> Router {
    let (router, table) = all_routes().into_parts();
    // A state serves one app; building a second app over it keeps the first table.
    let _ = state.routes.set(table);
    let max_body = state.config.max_body_bytes;
    router
        .route_layer(from_fn_with_state(state.clone(), authorize::authorize))
        .fallback(|| async { ApiError::not_found("no such route").into_response() })
        .layer(from_fn_with_state(state.clone(), metrics::track_http))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(axum::middleware::map_response(api::common::json_payload_too_large))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::internal("a handler panicked").into_response()
        }))
        .with_state(state)
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Serves the app on a bound listener until `shutdown` resolves, then stops accepting and lets
/// in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let app = app(state.clone());
    // Responses go out at once: with Nagle's algorithm a response written in two parts waits
    // for the client's delayed ACK (up to 40 ms) before its second part is sent.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
        }
    });
    let key_uses = {
        let state = state.clone();
        tokio::spawn(async move {
            state.keys.flush_every(state.store.as_ref(), identity::KEY_USE_FLUSH_INTERVAL).await;
        })
    };
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    key_uses.abort();
    if let Err(e) = state.keys.flush(state.store.as_ref()).await {
        tracing::warn!(error = %e.message, "cannot record API key uses at shutdown");
    }
    served
}
