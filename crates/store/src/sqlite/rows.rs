//! Decoding SQLite rows into domain records. Column lists live next to their decoders so the
//! two cannot drift apart.

use bullpen_domain::{
    Entry, EntryId, LedgerEntry, LedgerKind, Money, Order, OrderId, OrderStatus, OrderType, Price, Qty, Side,
    TimeInForce, TournamentId, Ts, UserId,
};
use rusqlite::types::ValueRef;
use rusqlite::Row;

use crate::codec::{corrupt, from_json, parse_date};
pub(crate) use crate::symbols::Symbols;
use crate::{EquitySnapshot, StoreError, StoreResult};

/// A text column as `&str` without copying.
pub(crate) fn text<'r>(row: &'r Row<'_>, i: usize) -> StoreResult<&'r str> {
    match row.get_ref(i)? {
        ValueRef::Text(bytes) => {
            std::str::from_utf8(bytes).map_err(|_| StoreError::Corrupt(format!("column {i} is not UTF-8")))
        }
        other => Err(StoreError::Corrupt(format!("column {i} should be text, is {}", other.data_type()))),
    }
}

/// An optional text column as `&str`.
pub(crate) fn opt_text<'r>(row: &'r Row<'_>, i: usize) -> StoreResult<Option<&'r str>> {
    match row.get_ref(i)? {
        ValueRef::Null => Ok(None),
        _ => text(row, i).map(Some),
    }
}

/// Columns of [`entry`].
pub(crate) const ENTRY_COLUMNS: &str = "id, tournament_id, user_id, display_name, joined_at";

/// An entry row.
pub(crate) fn entry(row: &Row<'_>) -> StoreResult<Entry> {
    Ok(Entry {
        id: EntryId(row.get(0)?),
        tournament_id: TournamentId(row.get(1)?),
        user_id: UserId(row.get(2)?),
        display_name: row.get(3)?,
        joined_at: Ts(row.get(4)?),
    })
}

/// Columns of [`order`], in the order of the insert statement's parameters.
pub(crate) const ORDER_COLUMNS: &str = "id, tournament_id, entry_id, client_order_id, client_order_id_given, symbol, \
     side, order_type, time_in_force, qty, filled_qty, filled_avg_price, limit_price, stop_price, stop_triggered, \
     status, reject_reason, replaces, replaced_by, created_at, updated_at, filled_at, canceled_at, expired_at, \
     replaced_at, rejected_at, seq";

/// An order row.
pub(crate) fn order(row: &Row<'_>, symbols: &mut Symbols) -> StoreResult<Order> {
    let side = text(row, 6)?;
    let order_type = text(row, 7)?;
    let tif = text(row, 8)?;
    let status = text(row, 15)?;
    Ok(Order {
        id: OrderId(row.get(0)?),
        tournament_id: TournamentId(row.get(1)?),
        entry_id: EntryId(row.get(2)?),
        client_order_id: row.get(3)?,
        symbol: symbols.get(text(row, 5)?)?,
        side: Side::parse(side).ok_or_else(|| corrupt("order side", side))?,
        order_type: OrderType::parse(order_type).ok_or_else(|| corrupt("order type", order_type))?,
        time_in_force: TimeInForce::parse(tif).ok_or_else(|| corrupt("time in force", tif))?,
        qty: Qty(row.get(9)?),
        filled_qty: Qty(row.get(10)?),
        filled_avg_price: row.get::<_, Option<i64>>(11)?.map(Price),
        limit_price: row.get::<_, Option<i64>>(12)?.map(Price),
        stop_price: row.get::<_, Option<i64>>(13)?.map(Price),
        stop_triggered: row.get(14)?,
        status: OrderStatus::parse(status).ok_or_else(|| corrupt("order status", status))?,
        reject_reason: opt_text(row, 16)?.map(|s| from_json("reject reason", s)).transpose()?,
        replaces: row.get::<_, Option<i64>>(17)?.map(OrderId),
        replaced_by: row.get::<_, Option<i64>>(18)?.map(OrderId),
        created_at: Ts(row.get(19)?),
        updated_at: Ts(row.get(20)?),
        filled_at: row.get::<_, Option<i64>>(21)?.map(Ts),
        canceled_at: row.get::<_, Option<i64>>(22)?.map(Ts),
        expired_at: row.get::<_, Option<i64>>(23)?.map(Ts),
        replaced_at: row.get::<_, Option<i64>>(24)?.map(Ts),
        rejected_at: row.get::<_, Option<i64>>(25)?.map(Ts),
        seq: row.get(26)?,
    })
}

/// Columns of [`ledger_entry`], in the order of the insert statement's parameters.
pub(crate) const LEDGER_COLUMNS: &str = "tournament_id, seq, entry_id, ts, kind, symbol, qty_delta, cash_delta, \
     price, fee, order_id, ratio_num, ratio_den, cash_after, qty_after";

/// A ledger row.
pub(crate) fn ledger_entry(row: &Row<'_>, symbols: &mut Symbols) -> StoreResult<LedgerEntry> {
    let kind = text(row, 4)?;
    Ok(LedgerEntry {
        tournament_id: TournamentId(row.get(0)?),
        seq: row.get(1)?,
        entry_id: EntryId(row.get(2)?),
        ts: Ts(row.get(3)?),
        kind: LedgerKind::parse(kind).ok_or_else(|| corrupt("ledger kind", kind))?,
        symbol: opt_text(row, 5)?.map(|s| symbols.get(s)).transpose()?,
        qty_delta: Qty(row.get(6)?),
        cash_delta: Money(row.get(7)?),
        price: row.get::<_, Option<i64>>(8)?.map(Price),
        fee: Money(row.get(9)?),
        order_id: row.get::<_, Option<i64>>(10)?.map(OrderId),
        ratio: (row.get(11)?, row.get(12)?),
        cash_after: Money(row.get(13)?),
        qty_after: Qty(row.get(14)?),
    })
}

/// Columns of [`snapshot`].
pub(crate) const SNAPSHOT_COLUMNS: &str = "entry_id, date, equity, cash, low_equity, traded";

/// An equity snapshot row.
pub(crate) fn snapshot(row: &Row<'_>) -> StoreResult<EquitySnapshot> {
    Ok(EquitySnapshot {
        entry_id: EntryId(row.get(0)?),
        date: parse_date(text(row, 1)?)?,
        equity: Money(row.get(2)?),
        cash: Money(row.get(3)?),
        low_equity: Money(row.get(4)?),
        traded: row.get(5)?,
    })
}
