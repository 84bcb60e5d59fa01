//! The engine's tables on SQLite: the commit path and its reads.

use bullpen_domain::{EntryId, LedgerEntry, Order, OrderId, TournamentId};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::rows::{self, Symbols, ENTRY_COLUMNS, LEDGER_COLUMNS, ORDER_COLUMNS, SNAPSHOT_COLUMNS};
use crate::batch_check::{entry_id_range, order_id_range};
use crate::client_id::is_generated_client_order_id;
use crate::codec::{date_str, to_json, OPEN_STATUS_SQL};
use crate::{Batch, EquitySnapshot, OrderFilter, StoreError, StoreResult, TournamentSnapshot};

const INSERT_ENTRY: &str =
    "INSERT INTO entries (id, tournament_id, user_id, display_name, joined_at) VALUES (?1, ?2, ?3, ?4, ?5)";

const UPSERT_ORDER: &str = "INSERT INTO orders (id, tournament_id, entry_id, client_order_id, \
     client_order_id_given, symbol, side, order_type, time_in_force, qty, filled_qty, filled_avg_price, limit_price, \
     stop_price, stop_triggered, status, reject_reason, replaces, replaced_by, created_at, updated_at, filled_at, \
     canceled_at, expired_at, replaced_at, rejected_at, seq) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, \
     ?23, ?24, ?25, ?26, ?27) \
     ON CONFLICT (id) DO UPDATE SET tournament_id = excluded.tournament_id, entry_id = excluded.entry_id, \
     client_order_id = excluded.client_order_id, client_order_id_given = excluded.client_order_id_given, \
     symbol = excluded.symbol, side = excluded.side, order_type = excluded.order_type, \
     time_in_force = excluded.time_in_force, qty = excluded.qty, filled_qty = excluded.filled_qty, \
     filled_avg_price = excluded.filled_avg_price, limit_price = excluded.limit_price, \
     stop_price = excluded.stop_price, stop_triggered = excluded.stop_triggered, status = excluded.status, \
     reject_reason = excluded.reject_reason, replaces = excluded.replaces, replaced_by = excluded.replaced_by, \
     created_at = excluded.created_at, updated_at = excluded.updated_at, filled_at = excluded.filled_at, \
     canceled_at = excluded.canceled_at, expired_at = excluded.expired_at, replaced_at = excluded.replaced_at, \
     rejected_at = excluded.rejected_at, seq = excluded.seq";

const INSERT_LEDGER: &str = "INSERT INTO ledger (tournament_id, seq, entry_id, ts, kind, symbol, qty_delta, \
     cash_delta, price, fee, order_id, ratio_num, ratio_den, cash_after, qty_after) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

const UPSERT_SNAPSHOT: &str = "INSERT INTO equity_snapshots (entry_id, date, equity, cash, low_equity, traded) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (entry_id, date) DO UPDATE SET equity = excluded.equity, cash = excluded.cash, \
     low_equity = excluded.low_equity, traded = excluded.traded";

const UPSERT_SEQ: &str = "INSERT INTO tournament_seq (tournament_id, last_seq) VALUES (?1, ?2) \
     ON CONFLICT (tournament_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)";

/// Writes one batch inside the caller's transaction (or savepoint). The batch has been checked
/// by [`crate::batch_check::check_batch`].
pub(crate) fn apply_batch(conn: &Connection, batch: &Batch) -> StoreResult<()> {
    if !batch.entries.is_empty() {
        let mut st = conn.prepare_cached(INSERT_ENTRY)?;
        for e in &batch.entries {
            st.execute(params![e.id.0, e.tournament_id.0, e.user_id.0, e.display_name, e.joined_at.0])
                .map_err(|err| conflict_context(err.into(), || format!("entry {} already exists", e.id)))?;
        }
    }
    if !batch.orders.is_empty() {
        let mut st = conn.prepare_cached(UPSERT_ORDER)?;
        for o in &batch.orders {
            upsert_order(&mut st, o)?;
        }
    }
    if !batch.ledger.is_empty() {
        let mut st = conn.prepare_cached(INSERT_LEDGER)?;
        for l in &batch.ledger {
            insert_ledger(&mut st, l)?;
        }
    }
    if !batch.equity_snapshots.is_empty() {
        let mut st = conn.prepare_cached(UPSERT_SNAPSHOT)?;
        for s in &batch.equity_snapshots {
            st.execute(params![s.entry_id.0, date_str(s.date), s.equity.0, s.cash.0, s.low_equity.0, s.traded])?;
        }
    }
    conn.prepare_cached(UPSERT_SEQ)?.execute(params![batch.tournament_id.0, batch.last_seq])?;
    Ok(())
}

fn upsert_order(st: &mut rusqlite::CachedStatement<'_>, o: &Order) -> StoreResult<()> {
    let given = !is_generated_client_order_id(o.id, &o.client_order_id);
    // JSON only for the rare rejected order.
    let reason = o.reject_reason.as_ref().map(|r| to_json("reject reason", r)).transpose()?;
    st.execute(params![
        o.id.0,
        o.tournament_id.0,
        o.entry_id.0,
        o.client_order_id,
        given,
        o.symbol.as_str(),
        o.side.as_str(),
        o.order_type.as_str(),
        o.time_in_force.as_str(),
        o.qty.0,
        o.filled_qty.0,
        o.filled_avg_price.map(|p| p.0),
        o.limit_price.map(|p| p.0),
        o.stop_price.map(|p| p.0),
        o.stop_triggered,
        o.status.as_str(),
        reason,
        o.replaces.map(|id| id.0),
        o.replaced_by.map(|id| id.0),
        o.created_at.0,
        o.updated_at.0,
        o.filled_at.map(|t| t.0),
        o.canceled_at.map(|t| t.0),
        o.expired_at.map(|t| t.0),
        o.replaced_at.map(|t| t.0),
        o.rejected_at.map(|t| t.0),
        o.seq,
    ])
    .map_err(|err| {
        conflict_context(err.into(), || {
            format!("client_order_id `{}` is already used by another order of entry {}", o.client_order_id, o.entry_id)
        })
    })?;
    Ok(())
}

fn insert_ledger(st: &mut rusqlite::CachedStatement<'_>, l: &LedgerEntry) -> StoreResult<()> {
    st.execute(params![
        l.tournament_id.0,
        l.seq,
        l.entry_id.0,
        l.ts.0,
        l.kind.as_str(),
        l.symbol.as_ref().map(|s| s.as_str()),
        l.qty_delta.0,
        l.cash_delta.0,
        l.price.map(|p| p.0),
        l.fee.0,
        l.order_id.map(|id| id.0),
        l.ratio.0,
        l.ratio.1,
        l.cash_after.0,
        l.qty_after.0,
    ])
    .map_err(|err| {
        conflict_context(err.into(), || {
            format!("ledger sequence {} of tournament {} is already taken", l.seq, l.tournament_id)
        })
    })?;
    Ok(())
}

/// Replaces the message of a conflict with one that names the cause.
pub(crate) fn conflict_context(e: StoreError, message: impl FnOnce() -> String) -> StoreError {
    match e {
        StoreError::Conflict(_) => StoreError::Conflict(message()),
        other => other,
    }
}

/// Everything needed to rebuild a tournament, read in one read transaction so the parts agree.
pub(crate) fn load_tournament_state(conn: &Connection, t: TournamentId) -> StoreResult<TournamentSnapshot> {
    let tx = conn.unchecked_transaction()?;
    let (order_lo, order_hi) = order_id_range(t);
    let (entry_lo, entry_hi) = entry_id_range(t);
    let mut symbols = Symbols::default();

    let last_seq: i64 = tx
        .prepare_cached("SELECT last_seq FROM tournament_seq WHERE tournament_id = ?1")?
        .query_row([t.0], |r| r.get(0))
        .optional()?
        .unwrap_or(0);

    let entries = entries_of(&tx, t)?;

    // The ledger is most of a rebuild: one prepared statement streamed in primary-key order,
    // sized up front from the sequence high-water mark.
    let mut ledger = Vec::with_capacity(usize::try_from(last_seq.clamp(0, 4_000_000)).unwrap_or(0));
    {
        let mut st = tx.prepare_cached(&format!(
            "SELECT {LEDGER_COLUMNS} FROM ledger WHERE tournament_id = ?1 ORDER BY tournament_id, seq"
        ))?;
        let mut rows = st.query([t.0])?;
        while let Some(row) = rows.next()? {
            ledger.push(rows::ledger_entry(row, &mut symbols)?);
        }
    }

    let mut open_orders = Vec::new();
    {
        let mut st = tx.prepare_cached(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE id BETWEEN ?1 AND ?2 AND status IN {OPEN_STATUS_SQL} ORDER BY id"
        ))?;
        let mut rows = st.query([order_lo, order_hi])?;
        while let Some(row) = rows.next()? {
            open_orders.push(rows::order(row, &mut symbols)?);
        }
    }

    let mut client_order_ids = Vec::new();
    {
        let mut st = tx.prepare_cached(
            "SELECT entry_id, client_order_id, id FROM orders \
             WHERE client_order_id_given = 1 AND entry_id BETWEEN ?1 AND ?2 ORDER BY entry_id, client_order_id",
        )?;
        let mut rows = st.query([entry_lo, entry_hi])?;
        while let Some(row) = rows.next()? {
            client_order_ids.push((EntryId(row.get(0)?), row.get(1)?, OrderId(row.get(2)?)));
        }
    }

    let max_id: Option<i64> = tx
        .prepare_cached("SELECT MAX(id) FROM orders WHERE id BETWEEN ?1 AND ?2")?
        .query_row([order_lo, order_hi], |r| r.get(0))?;
    let max_order_local = max_id.map_or(0, |id| OrderId(id).local());

    let equity_snapshots = snapshots_of(&tx, t)?;
    tx.finish()?;
    Ok(TournamentSnapshot {
        entries,
        ledger,
        open_orders,
        client_order_ids,
        max_order_local,
        last_seq,
        equity_snapshots,
    })
}

/// All entries of a tournament, by id.
pub(crate) fn entries_of(conn: &Connection, t: TournamentId) -> StoreResult<Vec<bullpen_domain::Entry>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE tournament_id = ?1 ORDER BY id"))?;
    let mut rows = st.query([t.0])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(rows::entry(row)?);
    }
    Ok(out)
}

/// Equity snapshots of a tournament, by entry then date.
pub(crate) fn snapshots_of(conn: &Connection, t: TournamentId) -> StoreResult<Vec<EquitySnapshot>> {
    let (lo, hi) = entry_id_range(t);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {SNAPSHOT_COLUMNS} FROM equity_snapshots WHERE entry_id BETWEEN ?1 AND ?2 ORDER BY entry_id, date"
    ))?;
    let mut rows = st.query([lo, hi])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(rows::snapshot(row)?);
    }
    Ok(out)
}

/// Orders of a tournament matching `filter`, by id.
pub(crate) fn orders(conn: &Connection, t: TournamentId, filter: &OrderFilter) -> StoreResult<Vec<Order>> {
    let limit = match filter.limit {
        Some(n) if n < 0 => return Err(StoreError::Invalid(format!("limit must not be negative (got {n})"))),
        Some(n) => n,
        None => -1,
    };
    let (lo, hi) = order_id_range(t);
    let mut sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE ");
    let mut args: Vec<i64> = Vec::with_capacity(4);
    match filter.entry {
        Some(entry) => {
            sql.push_str("entry_id = ? AND tournament_id = ?");
            args.extend([entry.0, t.0]);
        }
        None => {
            sql.push_str("id BETWEEN ? AND ?");
            args.extend([lo, hi]);
        }
    }
    if let Some(after) = filter.after_id {
        sql.push_str(" AND id > ?");
        args.push(after.0);
    }
    match filter.open {
        Some(true) => sql.push_str(&format!(" AND status IN {OPEN_STATUS_SQL}")),
        Some(false) => sql.push_str(&format!(" AND status NOT IN {OPEN_STATUS_SQL}")),
        None => {}
    }
    sql.push_str(" ORDER BY id LIMIT ?");
    args.push(limit);
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(args.iter()))?;
    let mut symbols = Symbols::default();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(rows::order(row, &mut symbols)?);
    }
    Ok(out)
}

/// One order.
pub(crate) fn order(conn: &Connection, id: OrderId) -> StoreResult<Option<Order>> {
    let mut st = conn.prepare_cached(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?1"))?;
    let mut rows = st.query([id.0])?;
    match rows.next()? {
        Some(row) => Ok(Some(rows::order(row, &mut Symbols::default())?)),
        None => Ok(None),
    }
}

/// Ledger entries with `seq > after_seq`, optionally of one entry, by seq, at most `limit`.
pub(crate) fn ledger(
    conn: &Connection,
    t: TournamentId,
    entry: Option<EntryId>,
    after_seq: i64,
    limit: i64,
) -> StoreResult<Vec<LedgerEntry>> {
    if limit < 0 {
        return Err(StoreError::Invalid(format!("limit must not be negative (got {limit})")));
    }
    let mut st;
    let mut rows = match entry {
        Some(e) => {
            st = conn.prepare_cached(&format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger WHERE entry_id = ?1 AND tournament_id = ?2 AND seq > ?3 \
                 ORDER BY seq LIMIT ?4"
            ))?;
            st.query(params![e.0, t.0, after_seq, limit])?
        }
        None => {
            st = conn.prepare_cached(&format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger WHERE tournament_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
            ))?;
            st.query(params![t.0, after_seq, limit])?
        }
    };
    let mut symbols = Symbols::default();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(rows::ledger_entry(row, &mut symbols)?);
    }
    Ok(out)
}
