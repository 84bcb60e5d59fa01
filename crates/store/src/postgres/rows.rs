//! Decoding PostgreSQL rows into domain records. Column lists live next to their decoders.
//!
//! Columns are read with `try_get_unchecked`: their types are fixed by our own migrations, and
//! skipping sqlx's per-value type negotiation matters when a rebuild decodes millions of rows
//! (a mismatch still fails to decode; it just fails later).

use bullpen_domain::{
    Entry, EntryId, LedgerEntry, LedgerKind, Money, Order, OrderId, OrderStatus, OrderType, Price, Qty, Side,
    TimeInForce, TournamentId, Ts, UserId,
};
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::codec::{corrupt, from_json, parse_date};
pub(crate) use crate::symbols::Symbols;
use crate::{EquitySnapshot, StoreResult};

/// Columns of [`entry`].
pub(crate) const ENTRY_COLUMNS: &str = "id, tournament_id, user_id, display_name, joined_at";

/// An entry row.
pub(crate) fn entry(row: &PgRow) -> StoreResult<Entry> {
    Ok(Entry {
        id: EntryId(row.try_get_unchecked(0)?),
        tournament_id: TournamentId(row.try_get_unchecked(1)?),
        user_id: UserId(row.try_get_unchecked(2)?),
        display_name: row.try_get_unchecked(3)?,
        joined_at: Ts(row.try_get_unchecked(4)?),
    })
}

/// Columns of [`order`], in the order of the insert statement's arrays.
pub(crate) const ORDER_COLUMNS: &str = "id, tournament_id, entry_id, client_order_id, client_order_id_given, symbol, \
     side, order_type, time_in_force, qty, filled_qty, filled_avg_price, limit_price, stop_price, stop_triggered, \
     status, reject_reason, replaces, replaced_by, created_at, updated_at, filled_at, canceled_at, expired_at, \
     replaced_at, rejected_at, seq";

/// An order row.
pub(crate) fn order(row: &PgRow, symbols: &mut Symbols) -> StoreResult<Order> {
    let side: &str = row.try_get_unchecked(6)?;
    let order_type: &str = row.try_get_unchecked(7)?;
    let tif: &str = row.try_get_unchecked(8)?;
    let status: &str = row.try_get_unchecked(15)?;
    let reason: Option<&str> = row.try_get_unchecked(16)?;
    Ok(Order {
        id: OrderId(row.try_get_unchecked(0)?),
        tournament_id: TournamentId(row.try_get_unchecked(1)?),
        entry_id: EntryId(row.try_get_unchecked(2)?),
        client_order_id: row.try_get_unchecked(3)?,
        symbol: symbols.get(row.try_get_unchecked(5)?)?,
        side: Side::parse(side).ok_or_else(|| corrupt("order side", side))?,
        order_type: OrderType::parse(order_type).ok_or_else(|| corrupt("order type", order_type))?,
        time_in_force: TimeInForce::parse(tif).ok_or_else(|| corrupt("time in force", tif))?,
        qty: Qty(row.try_get_unchecked(9)?),
        filled_qty: Qty(row.try_get_unchecked(10)?),
        filled_avg_price: row.try_get_unchecked::<Option<i64>, _>(11)?.map(Price),
        limit_price: row.try_get_unchecked::<Option<i64>, _>(12)?.map(Price),
        stop_price: row.try_get_unchecked::<Option<i64>, _>(13)?.map(Price),
        stop_triggered: row.try_get_unchecked(14)?,
        status: OrderStatus::parse(status).ok_or_else(|| corrupt("order status", status))?,
        reject_reason: reason.map(|s| from_json("reject reason", s)).transpose()?,
        replaces: row.try_get_unchecked::<Option<i64>, _>(17)?.map(OrderId),
        replaced_by: row.try_get_unchecked::<Option<i64>, _>(18)?.map(OrderId),
        created_at: Ts(row.try_get_unchecked(19)?),
        updated_at: Ts(row.try_get_unchecked(20)?),
        filled_at: row.try_get_unchecked::<Option<i64>, _>(21)?.map(Ts),
        canceled_at: row.try_get_unchecked::<Option<i64>, _>(22)?.map(Ts),
        expired_at: row.try_get_unchecked::<Option<i64>, _>(23)?.map(Ts),
        replaced_at: row.try_get_unchecked::<Option<i64>, _>(24)?.map(Ts),
        rejected_at: row.try_get_unchecked::<Option<i64>, _>(25)?.map(Ts),
        seq: row.try_get_unchecked(26)?,
    })
}

/// Columns of [`ledger_entry`], in the order of the insert statement's arrays.
pub(crate) const LEDGER_COLUMNS: &str = "tournament_id, seq, entry_id, ts, kind, symbol, qty_delta, cash_delta, \
     price, fee, order_id, ratio_num, ratio_den, cash_after, qty_after";

/// A ledger row.
pub(crate) fn ledger_entry(row: &PgRow, symbols: &mut Symbols) -> StoreResult<LedgerEntry> {
    let kind: &str = row.try_get_unchecked(4)?;
    let symbol: Option<&str> = row.try_get_unchecked(5)?;
    Ok(LedgerEntry {
        tournament_id: TournamentId(row.try_get_unchecked(0)?),
        seq: row.try_get_unchecked(1)?,
        entry_id: EntryId(row.try_get_unchecked(2)?),
        ts: Ts(row.try_get_unchecked(3)?),
        kind: LedgerKind::parse(kind).ok_or_else(|| corrupt("ledger kind", kind))?,
        symbol: symbol.map(|s| symbols.get(s)).transpose()?,
        qty_delta: Qty(row.try_get_unchecked(6)?),
        cash_delta: Money(row.try_get_unchecked(7)?),
        price: row.try_get_unchecked::<Option<i64>, _>(8)?.map(Price),
        fee: Money(row.try_get_unchecked(9)?),
        order_id: row.try_get_unchecked::<Option<i64>, _>(10)?.map(OrderId),
        ratio: (row.try_get_unchecked(11)?, row.try_get_unchecked(12)?),
        cash_after: Money(row.try_get_unchecked(13)?),
        qty_after: Qty(row.try_get_unchecked(14)?),
    })
}

/// Columns of [`snapshot`] (the date as `YYYY-MM-DD` text, whatever the session's DateStyle).
pub(crate) const SNAPSHOT_COLUMNS: &str =
    "entry_id, to_char(date, 'YYYY-MM-DD') AS date, equity, cash, low_equity, traded";

/// An equity snapshot row.
pub(crate) fn snapshot(row: &PgRow) -> StoreResult<EquitySnapshot> {
    Ok(EquitySnapshot {
        entry_id: EntryId(row.try_get_unchecked(0)?),
        date: parse_date(row.try_get_unchecked(1)?)?,
        equity: Money(row.try_get_unchecked(2)?),
        cash: Money(row.try_get_unchecked(3)?),
        low_equity: Money(row.try_get_unchecked(4)?),
        traded: row.try_get_unchecked(5)?,
    })
}
