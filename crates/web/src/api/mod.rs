//! The JSON API under `/api/v1`: tournaments, leagues, trading on the caller's own entry,
//! market data, administration, and the OpenAPI document describing all of it.
//!
//! Every list endpoint pages with `limit` (1–1000, default 100) and `after` (the `next` cursor
//! of the previous page) and answers `{"items": [...], "next": cursor|null}`.

pub mod admin;
pub mod common;
pub mod dashboard;
pub mod leagues;
pub mod market;
pub mod orders;
pub mod portfolio;
pub mod reports;
pub mod tournaments;

use axum::routing::get;
use axum::Json;
use utoipa::OpenApi;

use crate::policy::Access;
use crate::routes::Routes;

/// The OpenAPI description of this module's routes.
#[derive(OpenApi)]
#[openapi(
    paths(
        openapi_json,
        tournaments::list,
        tournaments::show,
        tournaments::join,
        tournaments::leaderboard,
        leagues::create,
        leagues::join,
        leagues::show,
        leagues::leaderboard,
        orders::create,
        orders::list,
        orders::show,
        orders::cancel,
        orders::replace,
        portfolio::positions,
        portfolio::account,
        portfolio::fills,
        market::instruments,
        market::instrument,
        market::quotes,
        market::bars,
        admin::create_tournament,
        admin::set_state,
        admin::upsert_instruments,
        admin::set_instrument_status,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "meta", description = "The API's own description"),
        (name = "tournaments", description = "Tournaments, entries and leaderboards"),
        (name = "leagues", description = "Private leagues inside tournaments"),
        (name = "trading", description = "Orders, positions, balances and fills of your own entry"),
        (name = "market", description = "Instruments, quotes and daily bars"),
        (name = "admin", description = "Administration (admins only; every action is audited)"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document of the whole JSON API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", body = Object),
        (status = 401, description = "Invalid API key headers", body = crate::error::ErrorBody),
    )
)]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// This module's routes.
pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/openapi.json", Access::Public, get(openapi_json))
        .merge(tournaments::routes())
        .merge(leagues::routes())
        .merge(orders::routes())
        .merge(portfolio::routes())
        .merge(market::routes())
        .merge(admin::routes())
        .merge(dashboard::routes())
        .merge(reports::routes())
}
