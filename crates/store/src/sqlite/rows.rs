//! Decoding SQLite rows into domain records. Column lists live next to their decoders so the
//! two cannot drift apart.

use bullpen_domain::{
    Entry, EntryId, LedgerEntry, LedgerKind, Money, Order, OrderId, Price, Qty, TournamentId, Ts, UserId,
};
use rusqlite::types::ValueRef;
use rusqlite::Row;

use crate::codec::{corrupt, parse_date};
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

/// Columns of [`order`].
pub(crate) const ORDER_COLUMNS: &str = "id, body";

/// An order row (its body holds the whole order).
pub(crate) fn order(row: &Row<'_>, symbols: &mut Symbols) -> StoreResult<Order> {
    let id: i64 = row.get(0)?;
    match row.get_ref(1)? {
        ValueRef::Blob(body) => super::order_blob::decode(id, body, &mut |s| symbols.get(s)),
        other => Err(StoreError::Corrupt(format!("order {id}: body should be a blob, is {}", other.data_type()))),
    }
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
