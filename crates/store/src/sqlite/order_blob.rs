//! The compact binary form of an order in SQLite.
//!
//! An order row is `(id, entry_id, status, client_order_id, body)`: the columns exist for the
//! indexes and filters, the body holds the whole order. Binding five values instead of
//! twenty-seven and writing a ~60-byte record instead of a ~200-byte one is most of what makes
//! the engine's group commit fast on SQLite. The body is versioned so it can evolve.

use bullpen_domain::{
    EntryId, Order, OrderId, OrderStatus, OrderType, Price, Qty, RejectReason, Side, Symbol, TimeInForce, TournamentId,
    Ts,
};

use crate::{StoreError, StoreResult};

/// Version byte of the current layout.
const VERSION: u8 = 1;

/// Status codes as stored in the `status` column; the open ones are below [`FIRST_CLOSED`].
pub(crate) fn status_code(status: OrderStatus) -> i64 {
    match status {
        OrderStatus::PendingNew => 0,
        OrderStatus::Accepted => 1,
        OrderStatus::New => 2,
        OrderStatus::PartiallyFilled => 3,
        OrderStatus::Filled => 4,
        OrderStatus::Canceled => 5,
        OrderStatus::Expired => 6,
        OrderStatus::Replaced => 7,
        OrderStatus::Rejected => 8,
    }
}

/// The first status code of a closed order; must match the `orders_open` partial index.
pub(crate) const FIRST_CLOSED: i64 = 4;

fn status_from(code: u8) -> Option<OrderStatus> {
    Some(match code {
        0 => OrderStatus::PendingNew,
        1 => OrderStatus::Accepted,
        2 => OrderStatus::New,
        3 => OrderStatus::PartiallyFilled,
        4 => OrderStatus::Filled,
        5 => OrderStatus::Canceled,
        6 => OrderStatus::Expired,
        7 => OrderStatus::Replaced,
        8 => OrderStatus::Rejected,
        _ => return None,
    })
}

fn side_code(side: Side) -> u8 {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
        Side::SellShort => 2,
        Side::BuyToCover => 3,
    }
}

fn side_from(code: u8) -> Option<Side> {
    Some(match code {
        0 => Side::Buy,
        1 => Side::Sell,
        2 => Side::SellShort,
        3 => Side::BuyToCover,
        _ => return None,
    })
}

fn type_code(t: OrderType) -> u8 {
    match t {
        OrderType::Market => 0,
        OrderType::Limit => 1,
        OrderType::Stop => 2,
        OrderType::StopLimit => 3,
    }
}

fn type_from(code: u8) -> Option<OrderType> {
    Some(match code {
        0 => OrderType::Market,
        1 => OrderType::Limit,
        2 => OrderType::Stop,
        3 => OrderType::StopLimit,
        _ => return None,
    })
}

fn tif_code(t: TimeInForce) -> u8 {
    match t {
        TimeInForce::Day => 0,
        TimeInForce::Gtc => 1,
        TimeInForce::Ioc => 2,
        TimeInForce::Fok => 3,
    }
}

fn tif_from(code: u8) -> Option<TimeInForce> {
    Some(match code {
        0 => TimeInForce::Day,
        1 => TimeInForce::Gtc,
        2 => TimeInForce::Ioc,
        3 => TimeInForce::Fok,
        _ => return None,
    })
}

// Bits of the presence mask for optional fields.
const FILLED_AVG: u16 = 1;
const LIMIT: u16 = 1 << 1;
const STOP: u16 = 1 << 2;
const REPLACES: u16 = 1 << 3;
const REPLACED_BY: u16 = 1 << 4;
const FILLED_AT: u16 = 1 << 5;
const CANCELED_AT: u16 = 1 << 6;
const EXPIRED_AT: u16 = 1 << 7;
const REPLACED_AT: u16 = 1 << 8;
const REJECTED_AT: u16 = 1 << 9;
const REASON: u16 = 1 << 10;
const TRIGGERED: u16 = 1 << 11;

fn put_varint(out: &mut Vec<u8>, v: i64) {
    // Zig-zag, then LEB128.
    let mut u = ((v << 1) ^ (v >> 63)) as u64;
    loop {
        let byte = (u & 0x7f) as u8;
        u >>= 7;
        if u == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as i64);
    out.extend_from_slice(b);
}

/// Encodes an order into `out` (cleared first). Times are stored relative to `created_at`
/// so they take a byte or two.
pub(crate) fn encode(order: &Order, out: &mut Vec<u8>) -> StoreResult<()> {
    out.clear();
    out.push(VERSION);
    let mut mask = 0u16;
    let flags = [
        (order.filled_avg_price.is_some(), FILLED_AVG),
        (order.limit_price.is_some(), LIMIT),
        (order.stop_price.is_some(), STOP),
        (order.replaces.is_some(), REPLACES),
        (order.replaced_by.is_some(), REPLACED_BY),
        (order.filled_at.is_some(), FILLED_AT),
        (order.canceled_at.is_some(), CANCELED_AT),
        (order.expired_at.is_some(), EXPIRED_AT),
        (order.replaced_at.is_some(), REPLACED_AT),
        (order.rejected_at.is_some(), REJECTED_AT),
        (order.reject_reason.is_some(), REASON),
        (order.stop_triggered, TRIGGERED),
    ];
    for (set, bit) in flags {
        if set {
            mask |= bit;
        }
    }
    out.extend_from_slice(&mask.to_le_bytes());
    out.push(status_code(order.status) as u8);
    out.push(side_code(order.side));
    out.push(type_code(order.order_type));
    out.push(tif_code(order.time_in_force));
    put_varint(out, order.tournament_id.0);
    put_varint(out, order.entry_id.0);
    put_bytes(out, order.client_order_id.as_bytes());
    put_bytes(out, order.symbol.as_str().as_bytes());
    put_varint(out, order.qty.0);
    put_varint(out, order.filled_qty.0);
    put_varint(out, order.seq);
    put_varint(out, order.created_at.0);
    put_varint(out, order.updated_at.0 - order.created_at.0);
    let base = order.created_at.0;
    for value in [order.filled_avg_price.map(|p| p.0), order.limit_price.map(|p| p.0), order.stop_price.map(|p| p.0)]
        .into_iter()
        .flatten()
    {
        put_varint(out, value);
    }
    for value in [order.replaces.map(|o| o.0), order.replaced_by.map(|o| o.0)].into_iter().flatten() {
        put_varint(out, value);
    }
    for value in [order.filled_at, order.canceled_at, order.expired_at, order.replaced_at, order.rejected_at]
        .into_iter()
        .flatten()
    {
        put_varint(out, value.0 - base);
    }
    if let Some(reason) = &order.reject_reason {
        let json = serde_json::to_vec(reason).map_err(|e| StoreError::Invalid(format!("reject reason: {e}")))?;
        put_bytes(out, &json);
    }
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> StoreResult<u8> {
        let b = *self.bytes.get(self.pos).ok_or_else(truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> StoreResult<i64> {
        let mut u: u64 = 0;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift > 63 {
                return Err(StoreError::Corrupt("order body: varint too long".into()));
            }
            u |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    fn bytes(&mut self) -> StoreResult<&'a [u8]> {
        let len = usize::try_from(self.varint()?).map_err(|_| truncated())?;
        let end = self.pos.checked_add(len).ok_or_else(truncated)?;
        let slice = self.bytes.get(self.pos..end).ok_or_else(truncated)?;
        self.pos = end;
        Ok(slice)
    }

    fn text(&mut self) -> StoreResult<&'a str> {
        std::str::from_utf8(self.bytes()?).map_err(|_| StoreError::Corrupt("order body: text is not UTF-8".into()))
    }
}

fn truncated() -> StoreError {
    StoreError::Corrupt("order body is truncated".into())
}

fn bad(what: &str) -> StoreError {
    StoreError::Corrupt(format!("order body: invalid {what}"))
}

/// Decodes an order; `symbol` turns symbol text into a (shared) [`Symbol`].
pub(crate) fn decode(id: i64, body: &[u8], symbol: &mut impl FnMut(&str) -> StoreResult<Symbol>) -> StoreResult<Order> {
    let mut r = Reader { bytes: body, pos: 0 };
    if r.byte()? != VERSION {
        return Err(bad("version"));
    }
    let mask = u16::from_le_bytes([r.byte()?, r.byte()?]);
    let status = status_from(r.byte()?).ok_or_else(|| bad("status"))?;
    let side = side_from(r.byte()?).ok_or_else(|| bad("side"))?;
    let order_type = type_from(r.byte()?).ok_or_else(|| bad("order type"))?;
    let time_in_force = tif_from(r.byte()?).ok_or_else(|| bad("time in force"))?;
    let tournament_id = TournamentId(r.varint()?);
    let entry_id = EntryId(r.varint()?);
    let client_order_id = r.text()?.to_string();
    let symbol = symbol(r.text()?)?;
    let qty = Qty(r.varint()?);
    let filled_qty = Qty(r.varint()?);
    let seq = r.varint()?;
    let created_at = Ts(r.varint()?);
    let updated_at = Ts(created_at.0 + r.varint()?);
    let opt = |bit: u16, r: &mut Reader<'_>| -> StoreResult<Option<i64>> {
        if mask & bit != 0 {
            r.varint().map(Some)
        } else {
            Ok(None)
        }
    };
    let filled_avg_price = opt(FILLED_AVG, &mut r)?.map(Price);
    let limit_price = opt(LIMIT, &mut r)?.map(Price);
    let stop_price = opt(STOP, &mut r)?.map(Price);
    let replaces = opt(REPLACES, &mut r)?.map(OrderId);
    let replaced_by = opt(REPLACED_BY, &mut r)?.map(OrderId);
    let at = |bit: u16, r: &mut Reader<'_>| opt(bit, r).map(|v| v.map(|d| Ts(created_at.0 + d)));
    let filled_at = at(FILLED_AT, &mut r)?;
    let canceled_at = at(CANCELED_AT, &mut r)?;
    let expired_at = at(EXPIRED_AT, &mut r)?;
    let replaced_at = at(REPLACED_AT, &mut r)?;
    let rejected_at = at(REJECTED_AT, &mut r)?;
    let reject_reason = if mask & REASON != 0 {
        Some(serde_json::from_slice::<RejectReason>(r.bytes()?).map_err(|_| bad("reject reason"))?)
    } else {
        None
    };
    Ok(Order {
        id: OrderId(id),
        tournament_id,
        entry_id,
        client_order_id,
        symbol,
        side,
        order_type,
        time_in_force,
        qty,
        filled_qty,
        filled_avg_price,
        limit_price,
        stop_price,
        stop_triggered: mask & TRIGGERED != 0,
        status,
        reject_reason,
        replaces,
        replaced_by,
        created_at,
        updated_at,
        filled_at,
        canceled_at,
        expired_at,
        replaced_at,
        rejected_at,
        seq,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Order {
        Order {
            id: OrderId(1 << 40 | 7),
            tournament_id: TournamentId(1),
            entry_id: EntryId(1 << 32 | 3),
            client_order_id: "my-order-1".into(),
            symbol: Symbol::parse("AAPL").unwrap(),
            side: Side::SellShort,
            order_type: OrderType::StopLimit,
            time_in_force: TimeInForce::Gtc,
            qty: Qty(100),
            filled_qty: Qty(40),
            filled_avg_price: Some(Price(1_234_567)),
            limit_price: Some(Price(1_230_000)),
            stop_price: Some(Price(1_240_000)),
            stop_triggered: true,
            status: OrderStatus::Rejected,
            reject_reason: Some(RejectReason::InsufficientPosition { wanted: Qty(5), held: Qty(2) }),
            replaces: Some(OrderId(1 << 40 | 2)),
            replaced_by: None,
            created_at: Ts(1_700_000_000_000_000),
            updated_at: Ts(1_700_000_000_500_000),
            filled_at: None,
            canceled_at: Some(Ts(1_700_000_001_000_000)),
            expired_at: None,
            replaced_at: None,
            rejected_at: Some(Ts(1_700_000_000_500_000)),
            seq: 99,
        }
    }

    fn symbol(s: &str) -> StoreResult<Symbol> {
        Symbol::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    #[test]
    fn round_trips_every_field() {
        let order = sample();
        let mut body = Vec::new();
        encode(&order, &mut body).unwrap();
        assert_eq!(decode(order.id.0, &body, &mut symbol).unwrap(), order);
        let mut plain = sample();
        plain.reject_reason = None;
        plain.filled_avg_price = None;
        plain.stop_triggered = false;
        plain.canceled_at = None;
        plain.created_at = Ts(-5);
        encode(&plain, &mut body).unwrap();
        assert_eq!(decode(plain.id.0, &body, &mut symbol).unwrap(), plain);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut body = Vec::new();
        encode(&sample(), &mut body).unwrap();
        for cut in 0..body.len() {
            assert!(decode(1, &body[..cut], &mut symbol).is_err());
        }
        assert!(decode(1, &[9, 0, 0], &mut symbol).is_err());
        assert!(decode(1, &[1, 0, 0, 200, 0, 0, 0], &mut symbol).is_err());
        assert!(decode(
            1,
            &[1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &mut symbol
        )
        .is_err());
    }
}
