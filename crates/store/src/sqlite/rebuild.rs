//! Reading everything the engine needs to rebuild a tournament, fast.
//!
//! The ledger and the open orders are read in parallel on two connections, each in its own read
//! transaction. Both parts record the tournament's sequence high-water mark; every batch that
//! changes ledger or orders raises it (each change carries a new sequence number), so equal
//! marks mean both parts saw the same state. If a commit slipped in between, the whole snapshot
//! is read again in a single transaction.

use bullpen_domain::{Entry, EntryId, LedgerEntry, Order, OrderId, TournamentId};
use rusqlite::{Connection, OptionalExtension};

use super::order_blob::FIRST_CLOSED;
use super::rows::{self, Symbols, LEDGER_COLUMNS, ORDER_COLUMNS};
use super::trading::{entries_of, snapshots_of};
use crate::batch_check::{entry_id_range, order_id_range};
use crate::{EquitySnapshot, StoreError, StoreResult, TournamentSnapshot};

/// Entries, ledger and snapshots.
struct LedgerPart {
    last_seq: i64,
    entries: Vec<Entry>,
    ledger: Vec<LedgerEntry>,
    equity_snapshots: Vec<EquitySnapshot>,
}

/// Open orders and order bookkeeping.
struct OrderPart {
    last_seq: i64,
    open_orders: Vec<Order>,
    client_order_ids: Vec<(EntryId, String, OrderId)>,
    max_order_local: i64,
}

/// Reads a tournament's snapshot, the order part on `second` in a scoped thread.
pub(crate) fn load(first: &Connection, second: &mut Connection, t: TournamentId) -> StoreResult<TournamentSnapshot> {
    let (ledger, orders) = std::thread::scope(|scope| {
        let worker = scope.spawn(move || in_read_transaction(second, |c| order_part(c, t)));
        let ledger = in_read_transaction(first, |c| ledger_part(c, t));
        let orders =
            worker.join().unwrap_or_else(|_| Err(StoreError::Backend("the order reader thread panicked".to_string())));
        (ledger, orders)
    });
    let (ledger, orders) = (ledger?, orders?);
    if ledger.last_seq == orders.last_seq {
        return Ok(combine(ledger, orders));
    }
    // A commit landed between the two read transactions: read again, in one.
    in_read_transaction(first, |c| Ok(combine(ledger_part(c, t)?, order_part(c, t)?)))
}

/// Runs `f` inside a read transaction, so all its statements see one state.
fn in_read_transaction<T>(conn: &Connection, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
    let tx = conn.unchecked_transaction()?;
    let out = f(&tx)?;
    tx.finish()?;
    Ok(out)
}

fn combine(l: LedgerPart, o: OrderPart) -> TournamentSnapshot {
    TournamentSnapshot {
        entries: l.entries,
        ledger: l.ledger,
        open_orders: o.open_orders,
        client_order_ids: o.client_order_ids,
        max_order_local: o.max_order_local,
        last_seq: l.last_seq,
        equity_snapshots: l.equity_snapshots,
    }
}

fn last_seq(conn: &Connection, t: TournamentId) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT last_seq FROM tournament_seq WHERE tournament_id = ?1")?
        .query_row([t.0], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

fn ledger_part(conn: &Connection, t: TournamentId) -> StoreResult<LedgerPart> {
    let last_seq = last_seq(conn, t)?;
    let entries = entries_of(conn, t)?;
    // One prepared statement streamed in primary-key order, sized from the high-water mark.
    let mut ledger = Vec::with_capacity(usize::try_from(last_seq.clamp(0, 4_000_000)).unwrap_or(0));
    let mut symbols = Symbols::default();
    {
        let mut st = conn.prepare_cached(&format!(
            "SELECT {LEDGER_COLUMNS} FROM ledger WHERE tournament_id = ?1 ORDER BY tournament_id, seq"
        ))?;
        let mut rows = st.query([t.0])?;
        while let Some(row) = rows.next()? {
            ledger.push(rows::ledger_entry(row, &mut symbols)?);
        }
    }
    let equity_snapshots = snapshots_of(conn, t)?;
    Ok(LedgerPart { last_seq, entries, ledger, equity_snapshots })
}

fn order_part(conn: &Connection, t: TournamentId) -> StoreResult<OrderPart> {
    let last_seq = last_seq(conn, t)?;
    let (order_lo, order_hi) = order_id_range(t);
    let (entry_lo, entry_hi) = entry_id_range(t);
    let open_sql = format!("FROM orders WHERE id BETWEEN ?1 AND ?2 AND status < {FIRST_CLOSED}");
    // Counting on the partial index is cheap and saves regrowing a vector of large records.
    let open: i64 =
        conn.prepare_cached(&format!("SELECT COUNT(*) {open_sql}"))?.query_row([order_lo, order_hi], |r| r.get(0))?;
    let mut open_orders = Vec::with_capacity(usize::try_from(open).unwrap_or(0));
    let mut symbols = Symbols::default();
    {
        let mut st = conn.prepare_cached(&format!("SELECT {ORDER_COLUMNS} {open_sql} ORDER BY id"))?;
        let mut rows = st.query([order_lo, order_hi])?;
        while let Some(row) = rows.next()? {
            open_orders.push(rows::order(row, &mut symbols)?);
        }
    }
    let mut client_order_ids = Vec::new();
    {
        let mut st = conn.prepare_cached(
            "SELECT entry_id, client_order_id, id FROM orders \
             WHERE client_order_id IS NOT NULL AND entry_id BETWEEN ?1 AND ?2 ORDER BY entry_id, client_order_id",
        )?;
        let mut rows = st.query([entry_lo, entry_hi])?;
        while let Some(row) = rows.next()? {
            client_order_ids.push((EntryId(row.get(0)?), row.get(1)?, OrderId(row.get(2)?)));
        }
    }
    let max_id: Option<i64> = conn
        .prepare_cached("SELECT MAX(id) FROM orders WHERE id BETWEEN ?1 AND ?2")?
        .query_row([order_lo, order_hi], |r| r.get(0))?;
    Ok(OrderPart {
        last_seq,
        open_orders,
        client_order_ids,
        max_order_local: max_id.map_or(0, |id| OrderId(id).local()),
    })
}
