//! A real server on 127.0.0.1:0 over a fresh SQLite store, for integration tests.
//!
//! Accounts, sessions and API keys are seeded straight into the store (the sign-in flow has
//! its own tests), so every test can act as any role without going through the forms.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;

use bullpen_domain::{
    Entry, Instrument, Price, Symbol, Tournament, TournamentKind, TournamentRules, TournamentState, Ts,
};
use bullpen_engine::{Engine, PriceUpdate, SequencerConfig, TournamentHandle};
use bullpen_market::clock::{Clock, ManualClock};
use bullpen_store::{ApiKey, KeyScope, NewAccount, NewInstrument, NewTournament, Role, Session, Store};
use bullpen_web::{secrets, AppState, WebConfig};
use chrono::NaiveDate;
use reqwest::{Method, RequestBuilder};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// 2026-01-05 14:30 UTC (a Monday, 09:30 in New York).
pub const START: Ts = Ts(1_767_623_400_000_000);

/// The symbols every test tournament trades, with their opening prices in dollars.
pub const PRICES: &[(&str, i64)] = &[("AAA", 100), ("BBB", 50), ("CCC", 20)];

/// A running server with one running tournament ("Test Cup") whose market is open.
pub struct TestApp {
    /// Keeps the data directory alive.
    pub dir: TempDir,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Bound address.
    pub addr: SocketAddr,
    /// The server's state.
    pub state: AppState,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The clock the server reads.
    pub clock: Arc<ManualClock>,
    /// The engine.
    pub engine: Arc<Engine>,
    /// The running tournament.
    pub tournament: Tournament,
    /// Its sequencer.
    pub handle: TournamentHandle,
    /// HTTP client.
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A signed-in user as seen by tests.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The user id.
    pub user_id: bullpen_domain::UserId,
    /// Handle (also the password's prefix: passwords are `{handle}-password`).
    pub handle: String,
    /// Role.
    pub role: Role,
    /// Session cookie token.
    pub token: String,
    /// CSRF token of the session.
    pub csrf: String,
}

/// An API key as seen by tests.
#[derive(Debug, Clone)]
pub struct TestKey {
    /// Key id.
    pub id: String,
    /// Secret.
    pub secret: String,
    /// The entry it trades for.
    pub entry: Entry,
}

pub fn usd(dollars: i64) -> Price {
    Price::from_dollars(dollars)
}

pub fn sym(s: &str) -> Symbol {
    Symbol::parse(s).expect("symbol")
}

impl TestApp {
    /// Starts a server with the default configuration.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(WebConfig::default()).await
    }

    /// Starts a server with a configuration.
    pub async fn spawn_with(config: WebConfig) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = bullpen_store::open_store(dir.path(), None).await.expect("store");
        let instruments: Vec<NewInstrument> = PRICES
            .iter()
            .map(|(s, _)| NewInstrument { symbol: sym(s), name: format!("{s} Inc."), sector: "Industrials".into() })
            .collect();
        store.upsert_instruments(&instruments).await.expect("instruments");
        let tournament = bullpen_engine::admin::create_tournament(
            store.as_ref(),
            NewTournament {
                name: "Test Cup".into(),
                kind: TournamentKind::AdHoc,
                state: TournamentState::Registration,
                starts_on: NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"),
                ends_on: NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"),
                rules: TournamentRules::default(),
                challenge: None,
                created_at: START,
            },
        )
        .await
        .expect("tournament");
        let clock = Arc::new(ManualClock::new(START));
        let engine = Arc::new(Engine::new(Arc::clone(&store), clock.clone(), SequencerConfig::default()));
        let handle = engine.start(tournament.id).await.expect("start");
        handle.set_state(TournamentState::Running).await.expect("running");
        handle.open_session(START, NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"), Vec::new()).await.expect("open");
        let updates =
            PRICES.iter().map(|(s, p)| PriceUpdate { symbol: sym(s), price: usd(*p), day_volume: None }).collect();
        handle.tick(START, updates).await.expect("tick");
        let tournament = store.tournament(tournament.id).await.expect("read").expect("exists");

        let state = AppState::new(Arc::clone(&store), Arc::clone(&engine), clock.clone(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(bullpen_web::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        TestApp {
            dir,
            base: format!("http://{addr}"),
            addr,
            state,
            store,
            clock,
            engine,
            tournament,
            handle,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// The tournament's instruments.
    pub async fn instruments(&self) -> Vec<Instrument> {
        self.store.instruments().await.expect("instruments")
    }

    /// A request to a path, without credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{}", self.base, path))
    }

    /// A request as a signed-in user (cookie and CSRF header).
    pub fn as_user(&self, user: &TestUser, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path)
            .header("cookie", format!("{}={}", bullpen_web::identity::SESSION_COOKIE, user.token))
            .header(bullpen_web::identity::CSRF_HEADER, &user.csrf)
    }

    /// A request with an API key.
    pub fn as_key(&self, key: &TestKey, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path)
            .header(bullpen_web::identity::KEY_ID_HEADER, &key.id)
            .header(bullpen_web::identity::KEY_SECRET_HEADER, &key.secret)
    }

    /// Creates an account with a role and a live session for it.
    pub async fn user(&self, handle: &str, role: Role) -> TestUser {
        let account = self
            .store
            .create_account(NewAccount {
                handle: handle.into(),
                display_name: format!("User {handle}"),
                email: format!("{handle}@example.com"),
                password_hash: "seeded-without-password".into(),
                role,
                created_at: self.clock.now(),
            })
            .await
            .expect("account");
        let token = secrets::random_token(32);
        let csrf = secrets::random_token(16);
        self.store
            .create_session(&Session {
                token_hash: secrets::digest(&token),
                user_id: account.user.id,
                csrf_token: csrf.clone(),
                created_at: self.clock.now(),
                expires_at: Ts(self.clock.now().0 + 86_400_000_000),
                revoked_at: None,
            })
            .await
            .expect("session");
        TestUser { user_id: account.user.id, handle: handle.into(), role, token, csrf }
    }

    /// Joins the user to the test tournament (if not yet) and gives them an API key.
    pub async fn key(&self, user: &TestUser, scope: KeyScope) -> TestKey {
        let entry = match self.store.entry_of_user(self.tournament.id, user.user_id).await.expect("entry") {
            Some(e) => e,
            None => self.handle.join(user.user_id, &user.handle).await.expect("join"),
        };
        let id = format!("PK{}", secrets::random_id(18));
        let secret = secrets::random_token(20);
        self.store
            .create_api_key(&ApiKey {
                key_id: id.clone(),
                secret_hash: secrets::digest(&secret),
                user_id: user.user_id,
                tournament_id: self.tournament.id,
                entry_id: entry.id,
                scope,
                label: "test".into(),
                created_at: self.clock.now(),
                last_used_at: None,
                revoked_at: None,
            })
            .await
            .expect("key");
        TestKey { id, secret, entry }
    }

    /// Moves prices (one second later) and waits until they are applied.
    pub async fn tick(&self, prices: &[(&str, i64)]) {
        let ts = self.clock.advance_seconds(1);
        let updates =
            prices.iter().map(|(s, p)| PriceUpdate { symbol: sym(s), price: usd(*p), day_volume: None }).collect();
        self.handle.tick(ts, updates).await.expect("tick");
    }

    /// Stops the server gracefully and drains the engine.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.engine.shutdown().await;
    }
}

impl TestApp {
    /// A fresh session for an existing user (the old ones stay valid).
    pub async fn new_session(&self, user: &TestUser) -> TestUser {
        let token = secrets::random_token(32);
        let csrf = secrets::random_token(16);
        self.store
            .create_session(&Session {
                token_hash: secrets::digest(&token),
                user_id: user.user_id,
                csrf_token: csrf.clone(),
                created_at: self.clock.now(),
                expires_at: Ts(self.clock.now().0 + 86_400_000_000),
                revoked_at: None,
            })
            .await
            .expect("session");
        TestUser { token, csrf, ..user.clone() }
    }
}
