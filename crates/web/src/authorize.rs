//! The authorisation middleware: resolves the caller, asks the policy, checks CSRF on
//! cookie-authenticated state changes, and hands handlers a [`Caller`].

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::identity::{key_headers, session_user, Caller, Principal, CSRF_HEADER};
use crate::policy::{decide, Decision, Scope};
use crate::secrets::constant_time_eq;
use crate::state::AppState;

/// Runs before every routed handler (installed with `route_layer`, so it sees the matched route).
pub async fn authorize(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(table) = state.routes.get() else {
        return ApiError::internal("route table missing").into_response();
    };
    let path = matched.as_ref().map(|m| m.as_str()).unwrap_or_default();
    let Some(access) = table.access(request.method(), path) else {
        return if table.knows_path(path) {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed on this path")
                .into_response()
        } else {
            ApiError::not_found("no such route").into_response()
        };
    };
    let principal = match resolve(&state, request.headers()).await {
        Ok(p) => p,
        Err(e) => return refusal(path, e),
    };
    let scope = params.map(|p| scope_of(&p)).unwrap_or_default();
    match decide(access, &principal, scope) {
        Decision::Allow => {}
        Decision::Unauthenticated if is_page(request.method(), path) => {
            let next = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let target = format!("/sign-in?next={}", url_component(next));
            return axum::response::Redirect::to(&target).into_response();
        }
        Decision::Unauthenticated => return refusal(path, ApiError::unauthenticated()),
        Decision::Forbidden if is_page(request.method(), path) => {
            let user = if let Principal::User(u) = &principal { Some(u.clone()) } else { None };
            return forbidden_page(user);
        }
        Decision::Forbidden => return refusal(path, ApiError::forbidden()),
    }
    if let Principal::User(user) = &principal {
        if !is_safe(request.method()) {
            let (checked, passed) = csrf_check(request, &user.csrf_token, state.config.max_body_bytes).await;
            request = checked;
            if !passed {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf_failed",
                    "missing or wrong CSRF token (X-CSRF-Token header, or _csrf form field) for a signed-in change",
                )
                .into_response();
            }
        }
    }
    request.extensions_mut().insert(Caller(principal));
    next.run(request).await
}

/// Identifies the caller from the request headers. Key headers that do not verify are a 401
/// even on public routes (a client that sends credentials wants to know they are wrong).
pub async fn resolve(state: &AppState, headers: &axum::http::HeaderMap) -> Result<Principal, ApiError> {
    let now = state.clock.now();
    if let Some((key_id, secret)) = key_headers(headers) {
        return match state.keys.verify(state.store.as_ref(), key_id, secret, now).await? {
            Some(key) => Ok(Principal::Key(key)),
            None => {
                Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_api_key", "unknown, revoked or wrong API key"))
            }
        };
    }
    Ok(match session_user(state.store.as_ref(), headers, now).await? {
        Some(user) => Principal::User(user),
        None => Principal::Anonymous,
    })
}

/// Checks the CSRF token of a cookie-authenticated state change: the `X-CSRF-Token` header,
/// or for HTML form posts (which cannot set headers) the `_csrf` field of the form body. The
/// body is read and put back, so the handler still sees it.
async fn csrf_check(request: Request, expected: &str, max_body: usize) -> (Request, bool) {
    if let Some(sent) = request.headers().get(CSRF_HEADER) {
        let ok = sent.to_str().is_ok_and(|sent| constant_time_eq(sent, expected));
        return (request, ok);
    }
    let is_form = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (request, false);
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, max_body).await else {
        return (Request::from_parts(parts, axum::body::Body::empty()), false);
    };
    let ok = bytes
        .split(|b| *b == b'&')
        .filter_map(|pair| pair.strip_prefix(b"_csrf="))
        .any(|sent| std::str::from_utf8(sent).is_ok_and(|sent| constant_time_eq(sent, expected)));
    (Request::from_parts(parts, axum::body::Body::from(bytes)), ok)
}

/// A refusal in the shape the caller expects: Alpaca's (`{"code": 40310000, ...}`) under `/v2/`,
/// ours (`{"code": "forbidden", ...}`) everywhere else.
fn refusal(path: &str, error: ApiError) -> Response {
    if path.starts_with("/v2/") {
        crate::alpaca::json::AlpacaError::from(error).into_response()
    } else {
        error.into_response()
    }
}

/// The page a signed-in visitor sees when a page is not for them.
fn forbidden_page(user: Option<crate::identity::UserPrincipal>) -> Response {
    let viewer = crate::pages::layout::Viewer { user };
    let body = maud::html! {
        h1 { "Not allowed" }
        p { "This page is not available to your account." }
        p { a href="/" { "Back to the start page" } }
    };
    (StatusCode::FORBIDDEN, crate::pages::layout::page(&viewer, "Not allowed", body)).into_response()
}

/// Whether a request is a browser opening an HTML page (signed-out visitors are sent to the
/// sign-in page instead of getting a JSON 401).
fn is_page(method: &Method, path: &str) -> bool {
    *method == Method::GET
        && !["/api/", "/v2/", "/stream", "/static/", "/healthz", "/readyz", "/metrics"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// Percent-encodes a value for a query string.
fn url_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn scope_of(params: &RawPathParams) -> Scope {
    let mut scope = Scope::default();
    for (name, value) in params.iter() {
        match name {
            "org_id" => scope.org_id = value.parse().ok(),
            "tournament_id" => scope.tournament_id = value.parse().ok(),
            _ => {}
        }
    }
    scope
}
