//! The OpenAPI 3.1 document of the JSON API, generated from the handlers' annotations and
//! served at `/api/v1/openapi.json`.

use utoipa::OpenApi;

/// The document's root.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bullpen API",
        description = "Bullpen's JSON API: accounts, tournaments, leagues, trading, market data."
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub struct RootDoc;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = RootDoc::openapi();
    doc.merge(crate::auth::ApiDoc::openapi());
    doc.merge(crate::api::ApiDoc::openapi());
    doc.merge(crate::stream::ApiDoc::openapi());
    doc.merge(crate::ops::ApiDoc::openapi());
    doc
}
