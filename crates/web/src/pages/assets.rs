//! The stylesheet and script every page loads, compiled into the binary and served from our
//! own origin (nothing is loaded from anywhere else).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::extract::PathParams;
use crate::policy::Access;
use crate::routes::Routes;

/// Static files by name: (name, content type, body).
const FILES: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../static/app.js")),
];

/// The asset routes.
pub fn routes() -> Routes {
    Routes::new().get("/static/{name}", Access::Public, get(asset))
}

async fn asset(PathParams(name): PathParams<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}
