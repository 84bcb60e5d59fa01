//! Assets: the instrument master as Alpaca assets (tradable means active and in the key's
//! tournament universe).

use axum::extract::State;
use axum::routing::get;
use axum::Json;
use bullpen_domain::{Instrument, InstrumentStatus, TournamentRules, Universe};
use serde::{Deserialize, Serialize};

use super::json::{asset_uuid, symbol_or_asset_id, AlpacaError, AlpacaResult};
use super::{AlpacaPath, AlpacaQuery};
use crate::identity::Caller;
use crate::policy::Access;
use crate::routes::Routes;
use crate::state::AppState;

/// The asset routes.
pub fn routes() -> Routes {
    Routes::new().get("/v2/assets", Access::KeyRead, get(list)).get(
        "/v2/assets/{symbol}",
        Access::KeyRead,
        get(get_asset),
    )
}

/// An Alpaca asset.
#[derive(Debug, Clone, Serialize)]
pub struct AlpacaAsset {
    /// Asset UUID.
    pub id: String,
    /// `us_equity`.
    #[serde(rename = "class")]
    pub class: &'static str,
    /// Always `NYSE` (instruments carry no exchange).
    pub exchange: &'static str,
    /// Symbol.
    pub symbol: String,
    /// Company name.
    pub name: String,
    /// `active` or `inactive` (halted and delisted instruments).
    pub status: &'static str,
    /// Active and in the tournament's universe.
    pub tradable: bool,
    /// Whether the tournament has margin.
    pub marginable: bool,
    /// Whether the tournament allows short selling.
    pub shortable: bool,
    /// Same as `shortable`.
    pub easy_to_borrow: bool,
    /// Always false: whole shares only.
    pub fractionable: bool,
    /// One share.
    pub min_order_size: String,
    /// One share.
    pub min_trade_increment: String,
    /// One cent.
    pub price_increment: String,
    /// Instrument attributes (none).
    pub attributes: Vec<String>,
}

fn in_universe(rules: &TournamentRules, i: &Instrument) -> bool {
    match &rules.universe {
        Universe::All => true,
        Universe::Symbols(symbols) => symbols.contains(&i.symbol),
        Universe::Sectors(sectors) => sectors.iter().any(|s| s == &i.sector),
    }
}

fn view(i: &Instrument, rules: &TournamentRules) -> AlpacaAsset {
    let active = i.status == InstrumentStatus::Active;
    AlpacaAsset {
        id: asset_uuid(&i.symbol),
        class: "us_equity",
        exchange: "NYSE",
        symbol: i.symbol.to_string(),
        name: i.name.clone(),
        status: if active { "active" } else { "inactive" },
        tradable: active && in_universe(rules, i),
        marginable: rules.margin.is_some(),
        shortable: rules.short_selling,
        easy_to_borrow: rules.short_selling,
        fractionable: false,
        min_order_size: "1".into(),
        min_trade_increment: "1".into(),
        price_increment: "0.01".into(),
        attributes: Vec::new(),
    }
}

async fn rules_and_instruments(state: &AppState, caller: &Caller) -> AlpacaResult<(TournamentRules, Vec<Instrument>)> {
    let key = caller.key()?;
    let tournament = state
        .store
        .tournament(key.tournament_id)
        .await?
        .ok_or_else(|| AlpacaError::not_found("tournament not found"))?;
    Ok((tournament.rules, state.store.instruments().await?))
}

/// Query of `GET /v2/assets`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssetQuery {
    /// `active` or `inactive`.
    pub status: Option<String>,
    /// Only `us_equity` has assets.
    pub asset_class: Option<String>,
    /// Exchange (only `NYSE` has assets).
    pub exchange: Option<String>,
    /// Accepted (no attributes are tracked).
    pub attributes: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaQuery(query): AlpacaQuery<AssetQuery>,
) -> AlpacaResult<Json<Vec<AlpacaAsset>>> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(s @ ("active" | "inactive")) => Some(s),
        Some(other) => return Err(AlpacaError::validation(format!("invalid status `{other}` (active, inactive)"))),
    };
    let (rules, instruments) = rules_and_instruments(&state, &caller).await?;
    let class_ok = query.asset_class.as_deref().is_none_or(|c| c.is_empty() || c == "us_equity");
    let exchange_ok = query.exchange.as_deref().is_none_or(|e| e.is_empty() || e == "NYSE");
    if !class_ok || !exchange_ok {
        return Ok(Json(Vec::new()));
    }
    Ok(Json(instruments.iter().map(|i| view(i, &rules)).filter(|a| status.is_none_or(|s| a.status == s)).collect()))
}

async fn get_asset(
    State(state): State<AppState>,
    caller: Caller,
    AlpacaPath(symbol): AlpacaPath<String>,
) -> AlpacaResult<Json<AlpacaAsset>> {
    let not_found = || AlpacaError::not_found(format!("asset not found for {symbol}"));
    let wanted = symbol_or_asset_id(&symbol).ok_or_else(not_found)?;
    let (rules, instruments) = rules_and_instruments(&state, &caller).await?;
    instruments.iter().find(|i| i.symbol == wanted).map(|i| Json(view(i, &rules))).ok_or_else(not_found)
}
