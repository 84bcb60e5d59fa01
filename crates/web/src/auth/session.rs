//! Sessions and their cookie, and the client's address for rate limits.
//!
//! The cookie holds a random token; the store keeps only its digest, with the session's CSRF
//! token, expiry and revocation time.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use bullpen_domain::UserId;
use bullpen_store::Session;

use crate::error::{ApiError, ApiResult};
use crate::identity::SESSION_COOKIE;
use crate::secrets::{digest, random_token};
use crate::state::{AppState, WebConfig};

/// Random bytes in a session token (hex-encoded in the cookie).
const SESSION_TOKEN_BYTES: usize = 32;
/// Random bytes in a CSRF token.
const CSRF_TOKEN_BYTES: usize = 32;

/// A session just started: the cookie token (only ever sent to the client) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// The CSRF token bound to the session.
    pub csrf_token: String,
}

/// Starts a server-side session for a user.
pub async fn start_session(state: &AppState, user: UserId) -> ApiResult<NewSession> {
    let now = state.clock.now();
    let token = random_token(SESSION_TOKEN_BYTES);
    let csrf_token = random_token(CSRF_TOKEN_BYTES);
    state
        .store
        .create_session(&Session {
            token_hash: digest(&token),
            user_id: user,
            csrf_token: csrf_token.clone(),
            created_at: now,
            expires_at: now.plus_seconds(state.config.session_ttl_secs),
            revoked_at: None,
        })
        .await?;
    Ok(NewSession { token, csrf_token })
}

/// Whether cookies of this request must be `Secure`: always when configured, or when a trusted
/// proxy says the client used HTTPS.
pub fn secure_request(config: &WebConfig, headers: &HeaderMap) -> bool {
    if config.secure_cookies {
        return true;
    }
    config.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that stores a session token.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> ApiResult<HeaderValue> {
    cookie_value(token, max_age_secs.max(0), secure)
}

/// The `Set-Cookie` value that deletes the session cookie.
pub fn cleared_cookie(secure: bool) -> ApiResult<HeaderValue> {
    cookie_value("", 0, secure)
}

fn cookie_value(token: &str, max_age_secs: i64, secure: bool) -> ApiResult<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).map_err(ApiError::internal)
}

/// The client's address: the connection's peer, or — only when the server trusts its proxy —
/// the last address the proxy appended to `X-Forwarded-For`. `None` when neither is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        if state.config.trust_proxy {
            if let Some(forwarded) = forwarded_for(&parts.headers) {
                return Ok(ClientIp(Some(forwarded)));
            }
        }
        Ok(ClientIp(peer))
    }
}

/// The right-most parseable address of `X-Forwarded-For` (the one our proxy added; addresses
/// to its left are whatever the client claimed).
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_carry_every_attribute() {
        let c = session_cookie("tok", 60, false).map(|v| v.to_str().map(str::to_string).unwrap_or_default());
        assert_eq!(c.ok().as_deref(), Some("bullpen_session=tok; HttpOnly; SameSite=Lax; Path=/; Max-Age=60"));
        let c = cleared_cookie(true).map(|v| v.to_str().map(str::to_string).unwrap_or_default());
        assert_eq!(c.ok().as_deref(), Some("bullpen_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure"));
    }

    #[test]
    fn secure_only_when_configured_or_a_trusted_proxy_says_https() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let plain = WebConfig::default();
        assert!(!secure_request(&plain, &h));
        assert!(secure_request(&WebConfig { trust_proxy: true, ..WebConfig::default() }, &h));
        assert!(secure_request(&WebConfig { secure_cookies: true, ..WebConfig::default() }, &HeaderMap::new()));
        h.insert("x-forwarded-proto", HeaderValue::from_static("http"));
        assert!(!secure_request(&WebConfig { trust_proxy: true, ..WebConfig::default() }, &h));
    }

    #[test]
    fn forwarded_for_takes_the_proxy_appended_address() {
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", HeaderValue::from_static("1.1.1.1, 2.2.2.2"));
        h.append("x-forwarded-for", HeaderValue::from_static("3.3.3.3, junk"));
        assert_eq!(forwarded_for(&h), Some([3, 3, 3, 3].into()));
        assert_eq!(forwarded_for(&HeaderMap::new()), None);
    }
}
