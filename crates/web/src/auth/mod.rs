//! Accounts: sign-up, sign-in, sessions, password reset, API keys, organisations, roles.

pub mod limiter;

use crate::routes::Routes;

/// The OpenAPI description of this module's routes.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
}
