//! Alpaca's JSON shapes and value formats: errors (`{"code": 40410000, "message": …}`), UUID-shaped
//! ids, RFC 3339 times, decimals as strings, and the order object shared by the REST API and the
//! `trade_updates` stream.
//!
//! Our ids are integers; Alpaca clients (alpaca-py parses `id` as a UUID) need UUIDs. Every id is
//! rendered as a deterministic UUID whose first group names what it is and whose last 16 hex
//! digits carry the integer, and parsed back the same way:
//!
//! | id | shape |
//! |----|-------|
//! | order | `00000000-0000-0000-XXXX-XXXXXXXXXXXX` |
//! | account (entry) | `00000001-0000-0000-XXXX-XXXXXXXXXXXX` |
//! | asset | `00000002-` followed by the symbol's bytes, zero-padded to 12 |
//! | activity | `YYYYMMDDHHMMSSmmm::00000003-0000-0000-XXXX-XXXXXXXXXXXX` (ledger sequence number) |

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bullpen_domain::{EntryId, Money, Order, OrderId, OrderType, Price, Qty, RejectReason, Side, Symbol, Ts};
use bullpen_engine::EngineError;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::ApiError;

/// Malformed request (bad JSON, bad query string).
pub const CODE_MALFORMED: u32 = 40_010_000;
/// A field is missing or not acceptable.
pub const CODE_VALIDATION: u32 = 40_010_001;
/// No or wrong credentials.
pub const CODE_UNAUTHORIZED: u32 = 40_110_000;
/// Not allowed (read-only key, insufficient buying power or shares, account restrictions).
pub const CODE_FORBIDDEN: u32 = 40_310_000;
/// No such order, position or asset.
pub const CODE_NOT_FOUND: u32 = 40_410_000;
/// Well-formed but cannot be done (unknown symbol, order not cancelable, unsupported feature).
pub const CODE_UNPROCESSABLE: u32 = 42_210_000;
/// Too many requests.
pub const CODE_RATE_LIMITED: u32 = 42_910_000;
/// Something failed on our side.
pub const CODE_INTERNAL: u32 = 50_010_000;

/// An error in Alpaca's shape: `{"code": <number>, "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlpacaError {
    /// HTTP status.
    pub status: StatusCode,
    /// Alpaca's numeric code.
    pub code: u32,
    /// What went wrong, for people.
    pub message: String,
}

/// Result of an Alpaca handler.
pub type AlpacaResult<T> = Result<T, AlpacaError>;

#[derive(Serialize)]
struct AlpacaErrorBody<'a> {
    code: u32,
    message: &'a str,
}

impl AlpacaError {
    /// An error with any status and code.
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> AlpacaError {
        AlpacaError { status, code, message: message.into() }
    }

    /// 422 with [`CODE_VALIDATION`]: a request field is missing or wrong.
    pub fn validation(message: impl Into<String>) -> AlpacaError {
        AlpacaError::new(StatusCode::UNPROCESSABLE_ENTITY, CODE_VALIDATION, message)
    }

    /// 422 with [`CODE_UNPROCESSABLE`]: understood, but cannot be done.
    pub fn unprocessable(message: impl Into<String>) -> AlpacaError {
        AlpacaError::new(StatusCode::UNPROCESSABLE_ENTITY, CODE_UNPROCESSABLE, message)
    }

    /// 404 with [`CODE_NOT_FOUND`].
    pub fn not_found(message: impl Into<String>) -> AlpacaError {
        AlpacaError::new(StatusCode::NOT_FOUND, CODE_NOT_FOUND, message)
    }

    /// 403 with [`CODE_FORBIDDEN`].
    pub fn forbidden(message: impl Into<String>) -> AlpacaError {
        AlpacaError::new(StatusCode::FORBIDDEN, CODE_FORBIDDEN, message)
    }

    /// 400 with [`CODE_MALFORMED`]: a query parameter or body that cannot be read.
    pub fn malformed(message: impl Into<String>) -> AlpacaError {
        AlpacaError::new(StatusCode::BAD_REQUEST, CODE_MALFORMED, message)
    }
}

impl IntoResponse for AlpacaError {
    fn into_response(self) -> Response {
        (self.status, Json(AlpacaErrorBody { code: self.code, message: &self.message })).into_response()
    }
}

impl From<ApiError> for AlpacaError {
    fn from(e: ApiError) -> AlpacaError {
        let code = match e.status.as_u16() {
            422 if e.code == "validation_failed" => CODE_VALIDATION,
            400 | 413 | 415 => CODE_MALFORMED,
            401 => CODE_UNAUTHORIZED,
            403 => CODE_FORBIDDEN,
            404 => CODE_NOT_FOUND,
            422 => CODE_UNPROCESSABLE,
            429 => CODE_RATE_LIMITED,
            s if s < 500 => e.status.as_u16() as u32 * 100_000,
            _ => CODE_INTERNAL,
        };
        AlpacaError::new(e.status, code, e.message)
    }
}

impl From<bullpen_store::StoreError> for AlpacaError {
    fn from(e: bullpen_store::StoreError) -> AlpacaError {
        AlpacaError::from(ApiError::from(e))
    }
}

impl From<EngineError> for AlpacaError {
    fn from(e: EngineError) -> AlpacaError {
        match e {
            EngineError::Rejected(reason) => reject_error(&reason),
            EngineError::Stopped => AlpacaError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                CODE_INTERNAL,
                "the tournament engine is not available; nothing changed",
            ),
            EngineError::Storage(detail) => {
                tracing::error!(error = %detail, "engine storage failure");
                AlpacaError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    CODE_INTERNAL,
                    "the order could not be stored; nothing changed",
                )
            }
        }
    }
}

/// Alpaca's status and code for a refused order: shape problems are validation errors, account
/// restrictions (buying power, shares, shorting, rules) are 403, unknown orders 404, and what
/// cannot be done to an order or a symbol 422.
pub fn reject_error(reason: &RejectReason) -> AlpacaError {
    use RejectReason as R;
    match reason {
        R::NonPositiveQuantity
        | R::NonPositivePrice
        | R::OffTick { .. }
        | R::MissingLimitPrice
        | R::UnexpectedLimitPrice
        | R::MissingStopPrice
        | R::UnexpectedStopPrice
        | R::UnsupportedTimeInForce
        | R::InvalidClientOrderId
        | R::DuplicateClientOrderId(_) => AlpacaError::validation(reason.to_string()),
        R::InsufficientBuyingPower { .. } => AlpacaError::forbidden(format!("insufficient buying power ({reason})")),
        R::InsufficientPosition { wanted, held } => AlpacaError::forbidden(format!(
            "insufficient qty available for order (requested: {wanted}, available: {held})"
        )),
        R::InsufficientShortPosition { wanted, short } => AlpacaError::forbidden(format!(
            "insufficient qty available for order (requested: {wanted}, available: {short})"
        )),
        R::WrongSideForPosition(_)
        | R::ShortSellingDisabled
        | R::ShortBelowMinimumPrice { .. }
        | R::BelowMinimumSharePrice { .. }
        | R::MaxPositionWeight { .. }
        | R::MaxOrdersPerDay(_)
        | R::MinimumHoldingTime { .. }
        | R::LateEntryNotAllowed
        | R::TournamentNotRunning(_)
        | R::UnknownEntry
        | R::MarketClosed
        | R::Halted(_)
        | R::Delisted(_) => AlpacaError::forbidden(reason.to_string()),
        R::UnknownSymbol(s) | R::NotInUniverse(s) => AlpacaError::unprocessable(format!("asset \"{s}\" not found")),
        R::NoPrice(_) | R::FillOrKillUnfilled | R::OrderNotOpen(_) | R::InvalidReplace(_) => {
            AlpacaError::unprocessable(reason.to_string())
        }
        R::UnknownOrder => AlpacaError::not_found("order not found"),
        R::EngineUnavailable => AlpacaError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            CODE_INTERNAL,
            "the tournament engine is not available; nothing changed",
        ),
    }
}

// ---- ids ----

const ORDER_TAG: u32 = 0;
const ACCOUNT_TAG: u32 = 1;
const ASSET_TAG: u32 = 2;
const ACTIVITY_TAG: u32 = 3;

fn tagged_uuid(tag: u32, value: i64) -> String {
    let v = value as u64;
    format!("{tag:08x}-0000-0000-{:04x}-{:012x}", v >> 48, v & 0xffff_ffff_ffff)
}

fn parse_tagged_uuid(tag: u32, text: &str) -> Option<i64> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    let groups: Vec<usize> = text.split('-').map(str::len).collect();
    if hex.len() != 32 || groups != [8, 4, 4, 4, 12] || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let head = u32::from_str_radix(&hex[..8], 16).ok()?;
    let zeros = u64::from_str_radix(&hex[8..16], 16).ok()?;
    if head != tag || zeros != 0 {
        return None;
    }
    u64::from_str_radix(&hex[16..], 16).ok().map(|v| v as i64)
}

/// The UUID of an order.
pub fn order_uuid(id: OrderId) -> String {
    tagged_uuid(ORDER_TAG, id.0)
}

/// The order behind an order UUID (or a plain decimal order id).
pub fn parse_order_id(text: &str) -> Option<OrderId> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().map(OrderId);
    }
    parse_tagged_uuid(ORDER_TAG, text).map(OrderId)
}

/// The UUID of an account (a tournament entry).
pub fn account_uuid(id: EntryId) -> String {
    tagged_uuid(ACCOUNT_TAG, id.0)
}

/// The UUID of an asset: its symbol's bytes, so no lookup is needed either way.
pub fn asset_uuid(symbol: &Symbol) -> String {
    let mut bytes = [0u8; 12];
    for (slot, b) in bytes.iter_mut().zip(symbol.as_str().bytes()) {
        *slot = b;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{ASSET_TAG:08x}-{}-{}-{}-{}", &hex[..4], &hex[4..8], &hex[8..12], &hex[12..])
}

/// The symbol named by a path segment that is either a symbol or an asset UUID.
pub fn symbol_or_asset_id(text: &str) -> Option<Symbol> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    if hex.len() == 32 && text.len() == 36 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        if u32::from_str_radix(&hex[..8], 16).ok()? != ASSET_TAG {
            return None;
        }
        let bytes: Vec<u8> = (8..32)
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .take_while(|b| *b != 0)
            .collect();
        return String::from_utf8(bytes).ok().and_then(|s| Symbol::parse(&s).ok());
    }
    Symbol::parse(text).ok()
}

/// The id of an activity: its time, `::`, and a UUID carrying its ledger sequence number.
pub fn activity_id(ts: Ts, seq: i64) -> String {
    let time = ts.to_datetime().format("%Y%m%d%H%M%S%3f");
    format!("{time}::{}", tagged_uuid(ACTIVITY_TAG, seq))
}

/// The execution id of a fill: the UUID part of its activity id (the fill's ledger sequence
/// number).
pub fn execution_uuid(seq: i64) -> String {
    tagged_uuid(ACTIVITY_TAG, seq)
}

/// The ledger sequence number inside an activity id (the page token of activity listings).
pub fn parse_activity_id(text: &str) -> Option<i64> {
    let (_, uuid) = text.split_once("::")?;
    parse_tagged_uuid(ACTIVITY_TAG, uuid)
}

// ---- values ----

/// A time as RFC 3339 in UTC with microseconds (`2026-01-05T14:30:00.000000Z`).
pub fn time(ts: Ts) -> String {
    ts.to_string()
}

/// An optional time.
pub fn opt_time(ts: Option<Ts>) -> Option<String> {
    ts.map(time)
}

/// `num / den` as a decimal string with up to six decimals (rounded half away from zero);
/// `"0"` when `den` is zero. For ratios such as `unrealized_plpc`.
pub fn ratio(num: i128, den: i128) -> String {
    if den == 0 {
        return "0".into();
    }
    let scaled = num * 1_000_000;
    let q = scaled / den;
    let r = scaled % den;
    let q = if 2 * r.abs() >= den.abs() { q + if (scaled < 0) != (den < 0) { -1 } else { 1 } } else { q };
    let sign = if q < 0 { "-" } else { "" };
    let abs = q.unsigned_abs();
    let frac = format!("{:06}", abs % 1_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{}", abs / 1_000_000)
    } else {
        format!("{sign}{}.{frac}", abs / 1_000_000)
    }
}

/// `money / qty` as a price per share, rounded half away from zero to 1/10,000 of a dollar.
pub fn per_share(money: Money, qty: Qty) -> Price {
    if qty.0 == 0 {
        return Price(0);
    }
    let n = i128::from(money.0);
    let d = i128::from(qty.0);
    let q = n / d;
    let r = n % d;
    let q = if 2 * r.abs() >= d.abs() { q + if (n < 0) != (d < 0) { -1 } else { 1 } } else { q };
    Price(q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// A money amount as a JSON number whose text is exactly the decimal (the shortest float that
/// prints as it, which is what JSON writers print). Portfolio history is numbers in Alpaca's API.
pub fn money_number(m: Money) -> f64 {
    m.to_string().parse().unwrap_or(0.0)
}

/// Whole shares given as a JSON number (`10`, `10.0`) or a string (`"10"`), as Alpaca accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeQty(pub Qty);

impl<'de> Deserialize<'de> for WholeQty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = WholeQty;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a whole number of shares")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WholeQty, E> {
                parse_whole_qty(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<WholeQty, E> {
                Ok(WholeQty(Qty(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WholeQty, E> {
                i64::try_from(v).map(|v| WholeQty(Qty(v))).map_err(|_| E::custom("qty is too large"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<WholeQty, E> {
                parse_whole_qty(&format!("{v}")).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Parses whole shares from text (`"10"`, `"10.0"`); fractional shares are refused.
pub fn parse_whole_qty(text: &str) -> Result<WholeQty, String> {
    let t = text.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = int.strip_prefix('-').unwrap_or(int);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("qty `{text}` is not a number"));
    }
    if frac.bytes().any(|b| b != b'0') {
        return Err(format!("qty `{text}` is fractional: only whole shares are supported"));
    }
    int.parse::<i64>().map(|v| WholeQty(Qty(v))).map_err(|_| format!("qty `{text}` is too large"))
}

/// Parses a boolean query value as Python clients send it (`true`, `True`, `1`).
pub fn parse_bool(name: &str, text: &str) -> AlpacaResult<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(AlpacaError::validation(format!("{name} must be true or false, not `{text}`"))),
    }
}

/// Parses a time query value: RFC 3339 (`2026-01-05T14:30:00Z`, `…+00:00`) or a date
/// (`2026-01-05`, meaning its midnight UTC).
pub fn parse_time(name: &str, text: &str) -> AlpacaResult<Ts> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Ts::from_datetime(t.with_timezone(&chrono::Utc)));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(Ts::from_datetime(t.and_utc()));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Ts::from_date(d));
    }
    Err(AlpacaError::validation(format!("{name} must be an RFC 3339 time or a date, not `{text}`")))
}

/// Parses a date query value (`2026-01-05`, or the date part of an RFC 3339 time).
pub fn parse_date(name: &str, text: &str) -> AlpacaResult<chrono::NaiveDate> {
    let head = text.get(..10).unwrap_or(text);
    chrono::NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .map_err(|_| AlpacaError::validation(format!("{name} must be a date (YYYY-MM-DD), not `{text}`")))
}

// ---- orders ----

/// Alpaca's side of one of our sides: short sales are sells, covers are buys.
pub fn alpaca_side(side: Side) -> &'static str {
    if side.is_buy() {
        "buy"
    } else {
        "sell"
    }
}

/// Alpaca's `position_intent` of one of our sides.
pub fn position_intent(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy_to_open",
        Side::Sell => "sell_to_close",
        Side::SellShort => "sell_to_open",
        Side::BuyToCover => "buy_to_close",
    }
}

/// An order as Alpaca shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AlpacaOrder {
    /// Order UUID.
    pub id: String,
    /// The client's id (ours is `bp-<id>` when none was given).
    pub client_order_id: String,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Submission time (same as creation).
    pub submitted_at: String,
    /// When it filled completely.
    pub filled_at: Option<String>,
    /// When it expired.
    pub expired_at: Option<String>,
    /// When it would expire (not tracked).
    pub expires_at: Option<String>,
    /// When it was canceled.
    pub canceled_at: Option<String>,
    /// When it was rejected.
    pub failed_at: Option<String>,
    /// When it was replaced.
    pub replaced_at: Option<String>,
    /// The order that replaced it.
    pub replaced_by: Option<String>,
    /// The order it replaced.
    pub replaces: Option<String>,
    /// Asset UUID.
    pub asset_id: String,
    /// Symbol.
    pub symbol: String,
    /// Always `us_equity`.
    pub asset_class: &'static str,
    /// Never set (notional orders are not supported).
    pub notional: Option<String>,
    /// Shares ordered.
    pub qty: String,
    /// Shares filled.
    pub filled_qty: String,
    /// Average fill price.
    pub filled_avg_price: Option<String>,
    /// Always `simple`.
    pub order_class: &'static str,
    /// market, limit, stop, stop_limit.
    pub order_type: &'static str,
    /// Same as `order_type`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// buy or sell.
    pub side: &'static str,
    /// buy_to_open, buy_to_close, sell_to_open, sell_to_close.
    pub position_intent: &'static str,
    /// day, gtc, ioc, fok.
    pub time_in_force: &'static str,
    /// Limit price.
    pub limit_price: Option<String>,
    /// Stop price.
    pub stop_price: Option<String>,
    /// Alpaca's status name.
    pub status: &'static str,
    /// Always false (extended hours are not simulated).
    pub extended_hours: bool,
    /// Always null (no multi-leg orders).
    pub legs: Option<Vec<AlpacaOrder>>,
    /// Not supported.
    pub trail_percent: Option<String>,
    /// Not supported.
    pub trail_price: Option<String>,
    /// Not supported.
    pub hwm: Option<String>,
}

impl AlpacaOrder {
    /// The Alpaca view of an order.
    pub fn of(o: &Order) -> AlpacaOrder {
        let order_type = o.order_type.as_str();
        AlpacaOrder {
            id: order_uuid(o.id),
            client_order_id: o.client_order_id.clone(),
            created_at: time(o.created_at),
            updated_at: time(o.updated_at),
            submitted_at: time(o.created_at),
            filled_at: opt_time(o.filled_at),
            expired_at: opt_time(o.expired_at),
            expires_at: None,
            canceled_at: opt_time(o.canceled_at),
            failed_at: opt_time(o.rejected_at),
            replaced_at: opt_time(o.replaced_at),
            replaced_by: o.replaced_by.map(order_uuid),
            replaces: o.replaces.map(order_uuid),
            asset_id: asset_uuid(&o.symbol),
            symbol: o.symbol.to_string(),
            asset_class: "us_equity",
            notional: None,
            qty: o.qty.to_string(),
            filled_qty: o.filled_qty.to_string(),
            filled_avg_price: o.filled_avg_price.map(|p| p.to_string()),
            order_class: "simple",
            order_type,
            kind: order_type,
            side: alpaca_side(o.side),
            position_intent: position_intent(o.side),
            time_in_force: o.time_in_force.as_str(),
            limit_price: o.limit_price.map(|p| p.to_string()),
            stop_price: o.stop_price.map(|p| p.to_string()),
            status: o.status.as_str(),
            extended_hours: false,
            legs: None,
            trail_percent: None,
            trail_price: None,
            hwm: None,
        }
    }
}

/// Parses Alpaca's order type names (trailing stops are not supported).
pub fn parse_order_type(text: &str) -> AlpacaResult<OrderType> {
    match text {
        "trailing_stop" => Err(AlpacaError::unprocessable("trailing_stop orders are not supported")),
        other => OrderType::parse(other).ok_or_else(|| {
            AlpacaError::validation(format!("invalid order type `{other}` (market, limit, stop, stop_limit)"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_round_trip_through_uuids() {
        for id in [1_i64, 1 << 40 | 7, i64::MAX] {
            let u = order_uuid(OrderId(id));
            assert_eq!(u.len(), 36);
            assert_eq!(parse_order_id(&u), Some(OrderId(id)));
            assert_eq!(parse_order_id(&u.to_uppercase()), Some(OrderId(id)));
        }
        assert_eq!(order_uuid(OrderId(0x0100_0000_0001)), "00000000-0000-0000-0000-010000000001");
        assert_eq!(parse_order_id("42"), Some(OrderId(42)));
        assert_eq!(parse_order_id(&account_uuid(EntryId(5))), None);
        assert_eq!(parse_order_id("not-a-uuid"), None);
        assert_eq!(parse_order_id("00000000-0000-0001-0000-000000000001"), None);
    }

    #[test]
    fn asset_ids_carry_the_symbol() {
        let s = Symbol::parse("BRK.B").unwrap();
        let u = asset_uuid(&s);
        assert_eq!(u.len(), 36);
        assert_eq!(symbol_or_asset_id(&u), Some(s));
        assert_eq!(symbol_or_asset_id("aaa"), Some(Symbol::parse("AAA").unwrap()));
        let long = Symbol::parse("ABCDEFGHIJKL").unwrap();
        assert_eq!(symbol_or_asset_id(&asset_uuid(&long)), Some(long));
    }

    #[test]
    fn activity_ids_carry_the_sequence() {
        let id = activity_id(Ts(1_767_623_400_000_000), 77);
        assert!(id.starts_with("20260105143000000::"), "{id}");
        assert_eq!(parse_activity_id(&id), Some(77));
        assert_eq!(parse_activity_id("x"), None);
    }

    #[test]
    fn quantities_are_whole_shares_as_numbers_or_text() {
        let q: WholeQty = serde_json::from_str("10.0").unwrap();
        assert_eq!(q.0, Qty(10));
        let q: WholeQty = serde_json::from_str("\"7\"").unwrap();
        assert_eq!(q.0, Qty(7));
        assert!(serde_json::from_str::<WholeQty>("1.5").is_err());
        assert!(serde_json::from_str::<WholeQty>("\"abc\"").is_err());
    }

    #[test]
    fn ratios_and_per_share_prices_round_half_away() {
        assert_eq!(ratio(1, 3), "0.333333");
        assert_eq!(ratio(-1, 8), "-0.125");
        assert_eq!(ratio(5, 0), "0");
        assert_eq!(ratio(10, 5), "2");
        assert_eq!(per_share(Money(1_000_005), Qty(2)), Price(500_003));
        assert_eq!(money_number(Money(1_000_001_234)), 100_000.123_4);
    }

    #[test]
    fn engine_rejections_map_to_alpaca_codes() {
        let e = reject_error(&RejectReason::InsufficientBuyingPower { needed: Money(2), available: Money(1) });
        assert_eq!((e.status.as_u16(), e.code), (403, CODE_FORBIDDEN));
        let e = reject_error(&RejectReason::UnknownOrder);
        assert_eq!((e.status.as_u16(), e.code), (404, CODE_NOT_FOUND));
        let e = reject_error(&RejectReason::MissingLimitPrice);
        assert_eq!((e.status.as_u16(), e.code), (422, CODE_VALIDATION));
        let e = reject_error(&RejectReason::UnknownSymbol("ZZZ".into()));
        assert_eq!((e.status.as_u16(), e.code), (422, CODE_UNPROCESSABLE));
    }
}
