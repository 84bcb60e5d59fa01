//! The engine's tables on SQLite: the commit path and its reads.

use bullpen_domain::{EntryId, LedgerEntry, Order, OrderId, TournamentId};
use rusqlite::{params, Connection};

use super::order_blob::{self, FIRST_CLOSED};
use super::rows::{self, Symbols, ENTRY_COLUMNS, LEDGER_COLUMNS, ORDER_COLUMNS, SNAPSHOT_COLUMNS};
use crate::batch_check::{entry_id_range, order_id_range};
use crate::client_id::is_generated_client_order_id;
use crate::codec::date_str;
use crate::{Batch, EquitySnapshot, OrderFilter, StoreError, StoreResult};

const INSERT_ENTRY: &str =
    "INSERT INTO entries (id, tournament_id, user_id, display_name, joined_at) VALUES (?1, ?2, ?3, ?4, ?5)";

const UPSERT_ORDER: &str = "INSERT INTO orders (id, entry_id, status, client_order_id, body, seq) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (id) DO UPDATE SET entry_id = excluded.entry_id, status = excluded.status, \
     client_order_id = excluded.client_order_id, body = excluded.body, seq = excluded.seq";

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
        let mut body = Vec::with_capacity(128);
        for o in &batch.orders {
            upsert_order(&mut st, o, &mut body)?;
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

fn upsert_order(st: &mut rusqlite::CachedStatement<'_>, o: &Order, body: &mut Vec<u8>) -> StoreResult<()> {
    let given = (!is_generated_client_order_id(o.id, &o.client_order_id)).then_some(o.client_order_id.as_str());
    order_blob::encode(o, body)?;
    st.execute(params![o.id.0, o.entry_id.0, order_blob::status_code(o.status), given, body.as_slice(), o.seq])
        .map_err(|err| {
            conflict_context(err.into(), || {
                format!(
                    "client_order_id `{}` is already used by another order of entry {}",
                    o.client_order_id, o.entry_id
                )
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

/// All entries of a tournament, by id.
pub(crate) fn entries_of(conn: &Connection, t: TournamentId) -> StoreResult<Vec<bullpen_domain::Entry>> {
    // Entry ids embed their tournament (checked on commit): a primary-key range, already sorted.
    let (lo, hi) = entry_id_range(t);
    let mut st =
        conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE id BETWEEN ?1 AND ?2 ORDER BY id"))?;
    let mut rows = st.query([lo, hi])?;
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

/// Bits of an order id or ledger sequence number below the bucket of the per-entry indexes;
/// must match `(id >> 10)` and `(seq >> 10)` in the migration.
const BUCKET_BITS: u32 = 10;

/// Reads one entry's rows through a bucketed per-entry index: `sql` takes (bucket, entry,
/// first key, room) and the buckets from `from` to `last` are read in order until `limit` rows.
#[allow(clippy::too_many_arguments)]
fn scan_entry_buckets<T>(
    conn: &Connection,
    sql: &str,
    entry: EntryId,
    from: i64,
    last: i64,
    limit: i64,
    out: &mut Vec<T>,
    mut decode: impl FnMut(&rusqlite::Row<'_>) -> StoreResult<T>,
) -> StoreResult<()> {
    let mut st = conn.prepare_cached(sql)?;
    for bucket in (from >> BUCKET_BITS)..=(last >> BUCKET_BITS) {
        let room = limit - out.len() as i64;
        if room <= 0 {
            break;
        }
        let mut rows = st.query(params![bucket, entry.0, from, room])?;
        while let Some(row) = rows.next()? {
            out.push(decode(row)?);
        }
    }
    Ok(())
}

/// Orders of a tournament matching `filter`, by id.
pub(crate) fn orders(conn: &Connection, t: TournamentId, filter: &OrderFilter) -> StoreResult<Vec<Order>> {
    let limit = match filter.limit {
        Some(n) if n < 0 => return Err(StoreError::Invalid(format!("limit must not be negative (got {n})"))),
        Some(n) => n,
        None => i64::MAX,
    };
    let status = match filter.open {
        Some(true) => format!(" AND status < {FIRST_CLOSED}"),
        Some(false) => format!(" AND status >= {FIRST_CLOSED}"),
        None => String::new(),
    };
    let (lo, hi) = order_id_range(t);
    let from = filter.after_id.map_or(lo, |after| after.0.saturating_add(1)).max(lo);
    let mut symbols = Symbols::default();
    let mut out = Vec::new();
    if limit == 0 || from > hi {
        return Ok(out);
    }
    match filter.entry {
        // An entry's id names its tournament (checked on commit).
        Some(e) if e.tournament() != t => {}
        Some(e) => {
            let last: Option<i64> = conn
                .prepare_cached("SELECT MAX(id) FROM orders WHERE id BETWEEN ?1 AND ?2")?
                .query_row([lo, hi], |r| r.get(0))?;
            let Some(last) = last else { return Ok(out) };
            let sql = format!(
                "SELECT {ORDER_COLUMNS} FROM orders WHERE (id >> 10) = ?1 AND entry_id = ?2 AND id >= ?3{status} \
                 ORDER BY id LIMIT ?4"
            );
            scan_entry_buckets(conn, &sql, e, from, last, limit, &mut out, |row| rows::order(row, &mut symbols))?;
        }
        None => {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {ORDER_COLUMNS} FROM orders WHERE id BETWEEN ?1 AND ?2{status} ORDER BY id LIMIT ?3"
            ))?;
            let mut rows = st.query(params![from, hi, limit])?;
            while let Some(row) = rows.next()? {
                out.push(rows::order(row, &mut symbols)?);
            }
        }
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
    let mut symbols = Symbols::default();
    let mut out = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    match entry {
        // An entry's id names its tournament (checked on commit).
        Some(e) if e.tournament() != t => {}
        Some(e) => {
            let last: Option<i64> = conn
                .prepare_cached("SELECT MAX(seq) FROM ledger WHERE tournament_id = ?1")?
                .query_row([t.0], |r| r.get(0))?;
            let Some(last) = last else { return Ok(out) };
            let from = after_seq.saturating_add(1).max(0);
            let sql = format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger WHERE (seq >> 10) = ?1 AND entry_id = ?2 AND seq >= ?3 \
                 ORDER BY seq LIMIT ?4"
            );
            scan_entry_buckets(conn, &sql, e, from, last, limit, &mut out, |row| {
                rows::ledger_entry(row, &mut symbols)
            })?;
        }
        None => {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger WHERE tournament_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
            ))?;
            let mut rows = st.query(params![t.0, after_seq, limit])?;
            while let Some(row) = rows.next()? {
                out.push(rows::ledger_entry(row, &mut symbols)?);
            }
        }
    }
    Ok(out)
}
