//! The OpenAPI 3.1 document of the JSON API, generated from the handlers' annotations and
//! served at `/api/v1/openapi.json`.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::Components;
use utoipa::OpenApi;

use crate::identity::{KEY_ID_HEADER, KEY_SECRET_HEADER, SESSION_COOKIE};

/// The document's root.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bullpen API",
        description = "Bullpen's JSON API: accounts, tournaments, leagues, trading, market data. \
            Errors are `{\"code\": \"...\", \"message\": \"...\"}` with a stable code. List endpoints \
            page with `limit` and `after` and answer `{\"items\": [...], \"next\": cursor|null}`."
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub struct RootDoc;

/// Name of the session-cookie security scheme.
pub const SESSION_SCHEME: &str = "session";
/// Name of the CSRF-header security scheme (cookie-authenticated state changes).
pub const CSRF_SCHEME: &str = "csrf";
/// Name of the API-key-id security scheme.
pub const KEY_ID_SCHEME: &str = "api_key_id";
/// Name of the API-key-secret security scheme.
pub const KEY_SECRET_SCHEME: &str = "api_key_secret";

/// Declares how callers authenticate: the session cookie (with the CSRF header on state
/// changes) or an API key pair in Alpaca's headers.
fn add_security_schemes(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Components::default);
    let schemes = [
        (
            SESSION_SCHEME,
            ApiKey::Cookie(ApiKeyValue::with_description(SESSION_COOKIE, "Session cookie set by signing in")),
        ),
        (
            CSRF_SCHEME,
            ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The session's CSRF token; required with the session cookie on every state change",
            )),
        ),
        (KEY_ID_SCHEME, ApiKey::Header(ApiKeyValue::with_description("APCA-API-KEY-ID", "API key id"))),
        (KEY_SECRET_SCHEME, ApiKey::Header(ApiKeyValue::with_description("APCA-API-SECRET-KEY", "API key secret"))),
    ];
    for (name, key) in schemes {
        components.security_schemes.insert(name.to_string(), SecurityScheme::ApiKey(key));
    }
    debug_assert!(KEY_ID_HEADER.eq_ignore_ascii_case("APCA-API-KEY-ID"));
    debug_assert!(KEY_SECRET_HEADER.eq_ignore_ascii_case("APCA-API-SECRET-KEY"));
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = RootDoc::openapi();
    doc.merge(crate::auth::ApiDoc::openapi());
    doc.merge(crate::api::ApiDoc::openapi());
    doc.merge(crate::api::dashboard::ApiDoc::openapi());
    doc.merge(crate::api::reports::ApiDoc::openapi());
    doc.merge(crate::stream::ApiDoc::openapi());
    doc.merge(crate::ops::ApiDoc::openapi());
    add_security_schemes(&mut doc);
    doc
}
