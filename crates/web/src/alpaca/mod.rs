//! The Alpaca-compatible trading API under `/v2`, for API-key holders (`APCA-API-KEY-ID`,
//! `APCA-API-SECRET-KEY`), and the `trade_updates` WebSocket at `/stream`.
//!
//! Paths, field names, value formats (decimals as strings, RFC 3339 times, UUID-shaped ids),
//! status values and error shapes (`{"code": 40410000, "message": "…"}`) follow Alpaca's
//! documentation closely enough for the official `alpaca-py` SDK to work unmodified (proved by
//! `tests/alpaca_sdk.rs`). A key trades for exactly one tournament entry: every route acts on
//! that entry only, so another entry's order id is simply "not found".
//!
//! Deliberate differences: whole shares only (no fractional or notional orders), simple orders
//! only (no brackets, OCO/OTO, trailing stops), no extended hours, and the clock and calendar
//! are the NYSE calendar at the server's (possibly simulated) time.

pub mod account;
pub mod activities;
pub mod assets;
pub mod clock;
pub mod history;
pub mod json;
pub mod orders;
pub mod positions;
pub mod trade_updates;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use bullpen_engine::{QuoteBoard, TournamentHandle};
use serde::de::DeserializeOwned;

use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::identity::{Caller, KeyPrincipal};
use crate::routes::Routes;
use crate::state::AppState;
use json::{AlpacaError, AlpacaResult};

/// The OpenAPI description of this module's routes (the `/v2` API follows Alpaca's own
/// documentation and is not part of Bullpen's OpenAPI document).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct ApiDoc;

/// Every `/v2` route and the `/stream` WebSocket.
pub fn routes() -> Routes {
    Routes::new()
        .merge(account::routes())
        .merge(orders::routes())
        .merge(positions::routes())
        .merge(assets::routes())
        .merge(clock::routes())
        .merge(activities::routes())
        .merge(history::routes())
        .merge(trade_updates::routes())
}

/// What every `/v2` handler works on: the key and its tournament's running sequencer.
pub struct KeyContext {
    /// The verified key (its entry is the account).
    pub key: KeyPrincipal,
    /// The key's tournament.
    pub handle: TournamentHandle,
}

impl KeyContext {
    /// The key of the caller and its tournament's sequencer.
    pub async fn of(state: &AppState, caller: &Caller) -> AlpacaResult<KeyContext> {
        let key = caller.key()?.clone();
        let handle = state.tournament_handle(key.tournament_id).await?;
        Ok(KeyContext { key, handle })
    }

    /// A copy of the live quote board.
    pub fn quotes(&self) -> QuoteBoard {
        self.handle.quotes().borrow().clone()
    }
}

/// A JSON body whose rejections are Alpaca errors.
pub struct AlpacaJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AlpacaJson<T> {
    type Rejection = AlpacaError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match JsonBody::<T>::from_request(req, state).await {
            Ok(JsonBody(v)) => Ok(AlpacaJson(v)),
            Err(e) => Err(e.into()),
        }
    }
}

/// Query parameters whose rejections are Alpaca errors.
pub struct AlpacaQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AlpacaQuery<T> {
    type Rejection = AlpacaError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match QueryParams::<T>::from_request_parts(parts, state).await {
            Ok(QueryParams(v)) => Ok(AlpacaQuery(v)),
            Err(e) => Err(e.into()),
        }
    }
}

/// Path parameters whose rejections are Alpaca errors.
pub struct AlpacaPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for AlpacaPath<T> {
    type Rejection = AlpacaError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match PathParams::<T>::from_request_parts(parts, state).await {
            Ok(PathParams(v)) => Ok(AlpacaPath(v)),
            Err(e) => Err(e.into()),
        }
    }
}
