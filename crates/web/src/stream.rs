//! Placeholder module root; routes are added by the owning change.

use crate::routes::Routes;

/// The OpenAPI description of this module's routes.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
}
