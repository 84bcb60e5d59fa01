//! Who is calling: anonymous, a signed-in user (session cookie) or an API key.
//!
//! API keys are checked on every trading request, so verified keys are cached in memory (the
//! digest comparison still runs per request) and their last use is recorded at most once a
//! minute per key. Recording is off the request path: a request only notes the use, and
//! [`KeyCache::flush`] (run every second by the server, and at shutdown) writes all noted uses
//! in one transaction. Revoking a key goes through [`KeyCache::invalidate`].

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use bullpen_domain::{EntryId, TournamentId, Ts, UserId};
use bullpen_store::{ApiKey, KeyScope, Role, Store};

use crate::error::ApiError;
use crate::secrets::{constant_time_eq, digest};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "bullpen_session";
/// Header carrying the CSRF token on cookie-authenticated state changes.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Alpaca's key-id header.
pub const KEY_ID_HEADER: &str = "apca-api-key-id";
/// Alpaca's secret header.
pub const KEY_SECRET_HEADER: &str = "apca-api-secret-key";

/// How often a key's last use is written, at most.
const TOUCH_INTERVAL_MICROS: i64 = 60_000_000;

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPrincipal {
    /// The user.
    pub user_id: UserId,
    /// Their handle.
    pub handle: String,
    /// Their role.
    pub role: Role,
    /// Organisations they belong to.
    pub organisations: Vec<i64>,
    /// Digest of the session token (to sign out).
    pub session_hash: String,
    /// The session's CSRF token.
    pub csrf_token: String,
}

/// An API-key holder, bound to one tournament entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPrincipal {
    /// Public key id.
    pub key_id: String,
    /// Owner.
    pub user_id: UserId,
    /// Tournament of the entry.
    pub tournament_id: TournamentId,
    /// The entry.
    pub entry_id: EntryId,
    /// Scope.
    pub scope: KeyScope,
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credentials.
    Anonymous,
    /// Session cookie.
    User(UserPrincipal),
    /// API key.
    Key(KeyPrincipal),
}

impl Principal {
    /// The user behind the caller, if any.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Principal::Anonymous => None,
            Principal::User(u) => Some(u.user_id),
            Principal::Key(k) => Some(k.user_id),
        }
    }

    /// A short label for metrics and logs (never secrets).
    pub fn kind(&self) -> &'static str {
        match self {
            Principal::Anonymous => "anonymous",
            Principal::User(_) => "session",
            Principal::Key(_) => "api_key",
        }
    }
}

/// The authorised caller, as handlers see it (inserted by the authorisation middleware).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal("route reached without the authorisation middleware"))
    }
}

impl Caller {
    /// The signed-in user, or 401.
    pub fn user(&self) -> Result<&UserPrincipal, ApiError> {
        match &self.0 {
            Principal::User(u) => Ok(u),
            _ => Err(ApiError::unauthenticated()),
        }
    }

    /// The API key, or 401.
    pub fn key(&self) -> Result<&KeyPrincipal, ApiError> {
        match &self.0 {
            Principal::Key(k) => Ok(k),
            _ => Err(ApiError::unauthenticated()),
        }
    }
}

/// How often the server writes noted key uses.
pub const KEY_USE_FLUSH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Verified API keys by id, with the time their last use was noted, and the uses noted but
/// not yet written.
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, (ApiKey, Ts)>>,
    unwritten_uses: Mutex<HashMap<String, Ts>>,
}

impl KeyCache {
    /// Forgets a key (after revocation), so the next request reads the store.
    pub fn invalidate(&self, key_id: &str) {
        if let Ok(mut keys) = self.keys.lock() {
            keys.remove(key_id);
        }
    }

    /// Verifies a key id and secret; `Ok(None)` when they do not match a live key.
    pub async fn verify(
        &self,
        store: &dyn Store,
        key_id: &str,
        secret: &str,
        now: Ts,
    ) -> Result<Option<KeyPrincipal>, ApiError> {
        let cached = self.keys.lock().ok().and_then(|k| k.get(key_id).cloned());
        let (key, last_touch) = match cached {
            Some(hit) => hit,
            None => match store.api_key(key_id).await? {
                Some(key) => (key, Ts(i64::MIN)),
                None => return Ok(None),
            },
        };
        if key.revoked_at.is_some() || !constant_time_eq(&digest(secret), &key.secret_hash) {
            return Ok(None);
        }
        let touch_due = now.0.saturating_sub(last_touch.0) >= TOUCH_INTERVAL_MICROS;
        if touch_due {
            if let Ok(mut uses) = self.unwritten_uses.lock() {
                uses.insert(key_id.to_string(), now);
            }
        }
        let principal = KeyPrincipal {
            key_id: key.key_id.clone(),
            user_id: key.user_id,
            tournament_id: key.tournament_id,
            entry_id: key.entry_id,
            scope: key.scope,
        };
        if let Ok(mut keys) = self.keys.lock() {
            let touched = if touch_due { now } else { last_touch };
            keys.insert(key_id.to_string(), (key, touched));
        }
        Ok(Some(principal))
    }

    /// Writes every noted key use in one transaction. On failure the uses stay noted (unless
    /// a newer use of the same key was noted meanwhile) for the next flush.
    pub async fn flush(&self, store: &dyn Store) -> Result<usize, ApiError> {
        let uses: Vec<(String, Ts)> = match self.unwritten_uses.lock() {
            Ok(mut pending) => pending.drain().collect(),
            Err(_) => return Ok(0),
        };
        if uses.is_empty() {
            return Ok(0);
        }
        if let Err(e) = store.touch_api_keys(&uses).await {
            if let Ok(mut pending) = self.unwritten_uses.lock() {
                for (key_id, at) in uses {
                    pending.entry(key_id).or_insert(at);
                }
            }
            return Err(e.into());
        }
        Ok(uses.len())
    }

    /// Flushes noted key uses every `interval`, until the task is dropped.
    pub async fn flush_every(&self, store: &dyn Store, interval: std::time::Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = self.flush(store).await {
                tracing::warn!(error = %e.message, "cannot record API key uses; retrying");
            }
        }
    }
}

/// The value of one cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Resolves the session cookie to a signed-in user; `None` for missing, unknown, revoked or
/// expired sessions and disabled accounts.
pub async fn session_user(store: &dyn Store, headers: &HeaderMap, now: Ts) -> Result<Option<UserPrincipal>, ApiError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let hash = digest(token);
    let Some(session) = store.session(&hash).await? else { return Ok(None) };
    if session.revoked_at.is_some() || session.expires_at <= now {
        return Ok(None);
    }
    let Some(account) = store.account(session.user_id).await? else { return Ok(None) };
    if !account.active {
        return Ok(None);
    }
    let organisations = store.organisations_of_user(session.user_id).await?;
    Ok(Some(UserPrincipal {
        user_id: account.user.id,
        handle: account.user.handle,
        role: account.role,
        organisations,
        session_hash: hash,
        csrf_token: session.csrf_token,
    }))
}

/// The Alpaca key headers, when both are present.
pub fn key_headers(headers: &HeaderMap) -> Option<(&str, &str)> {
    let id = headers.get(KEY_ID_HEADER)?.to_str().ok()?;
    let secret = headers.get(KEY_SECRET_HEADER)?.to_str().ok()?;
    Some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut h = HeaderMap::new();
        h.append(axum::http::header::COOKIE, HeaderValue::from_static("a=1; bullpen_session=tok; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "missing"), None);
    }
}
