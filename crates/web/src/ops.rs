//! Operations endpoints: liveness, readiness and Prometheus metrics.

use axum::routing::get;

use crate::policy::Access;
use crate::routes::Routes;

/// The OpenAPI description of this module's routes.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new().get("/healthz", Access::Public, get(|| async { "ok" }))
}
