//! What every handler can reach: the store, the engine, the clock, configuration, metrics and
//! the caches. Built once per server (and once per test): no globals.

use std::sync::Arc;

use bullpen_domain::{EntryId, TournamentId};
use bullpen_engine::{Engine, TournamentHandle};
use bullpen_market::clock::Clock;
use bullpen_store::Store;

use crate::auth::limiter::LoginLimiter;
use crate::error::{ApiError, ApiResult};
use crate::identity::{Caller, KeyCache, Principal};
use crate::metrics::Metrics;
use crate::routes::RouteTable;

/// Server settings that handlers need.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (served over TLS, or behind a proxy that terminates it).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-Proto` / `X-Forwarded-For` from a reverse proxy.
    pub trust_proxy: bool,
    /// Session lifetime in seconds.
    pub session_ttl_secs: i64,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Failed sign-ins per handle before a temporary lockout.
    pub login_failures_before_lockout: u32,
    /// Lockout length in seconds.
    pub lockout_secs: i64,
    /// Password-reset token lifetime in seconds.
    pub reset_ttl_secs: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trust_proxy: false,
            session_ttl_secs: 7 * 24 * 3600,
            max_body_bytes: 64 * 1024,
            login_failures_before_lockout: 5,
            lockout_secs: 15 * 60,
            reset_ttl_secs: 3600,
        }
    }
}

/// The shared state behind every handler.
pub struct Shared {
    /// Production store.
    pub store: Arc<dyn Store>,
    /// Trading engine (sequencers of running tournaments).
    pub engine: Arc<Engine>,
    /// The clock (the only source of "now").
    pub clock: Arc<dyn Clock>,
    /// Settings.
    pub config: WebConfig,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Verified API keys.
    pub keys: KeyCache,
    /// Sign-in rate limits and lockouts.
    pub limiter: LoginLimiter,
    /// Access rule of every route (filled when the router is built).
    pub routes: std::sync::OnceLock<RouteTable>,
    /// The analytics warehouse and report jobs (see [`AppState::set_analytics`]).
    pub analytics_slot: std::sync::OnceLock<crate::analytics::Analytics>,
}

/// Cheap-to-clone handle on [`Shared`].
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State over a store, an engine and a clock.
    pub fn new(store: Arc<dyn Store>, engine: Arc<Engine>, clock: Arc<dyn Clock>, config: WebConfig) -> AppState {
        let limiter = LoginLimiter::new(config.login_failures_before_lockout, config.lockout_secs);
        AppState(Arc::new(Shared {
            store,
            engine,
            clock,
            config,
            metrics: Arc::new(Metrics::new()),
            keys: KeyCache::default(),
            limiter,
            routes: std::sync::OnceLock::new(),
            analytics_slot: std::sync::OnceLock::new(),
        }))
    }

    /// The running sequencer of a tournament: 404 if there is no such tournament, 409 if it
    /// exists but is not running.
    pub async fn tournament_handle(&self, id: TournamentId) -> ApiResult<TournamentHandle> {
        if let Some(handle) = self.engine.handle(id) {
            return Ok(handle);
        }
        match self.store.tournament(id).await? {
            None => Err(ApiError::not_found(format!("no tournament {}", id.0))),
            Some(t) => Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "tournament_not_running",
                format!("tournament {} is {}, not running", id.0, t.state.as_str()),
            )),
        }
    }

    /// The caller's entry in a tournament: the key's own entry (no store read: keys are on the
    /// hot trading path), or the signed-in user's (404 `not_joined` if they have not joined).
    pub async fn caller_entry(&self, caller: &Caller, tournament: TournamentId) -> ApiResult<EntryId> {
        match &caller.0 {
            Principal::Anonymous => Err(ApiError::unauthenticated()),
            Principal::Key(k) if k.tournament_id != tournament => Err(ApiError::forbidden()),
            Principal::Key(k) => Ok(k.entry_id),
            Principal::User(u) => match self.store.entry_of_user(tournament, u.user_id).await? {
                Some(e) => Ok(e.id),
                None => Err(ApiError::new(
                    axum::http::StatusCode::NOT_FOUND,
                    "not_joined",
                    format!("you have not joined tournament {}", tournament.0),
                )),
            },
        }
    }
}
