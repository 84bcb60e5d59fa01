//! The export reads ([`ExportStore`]) on SQLite.

use async_trait::async_trait;
use bullpen_domain::{Order, TournamentId, Ts, UserId};
use chrono::NaiveDate;
use rusqlite::{params, Connection};

use super::rows::{self, Symbols, ORDER_COLUMNS, SNAPSHOT_COLUMNS};
use super::SqliteStore;
use crate::batch_check::entry_id_range;
use crate::codec::date_str;
use crate::{BarFingerprint, EquitySnapshot, ExportStore, SequenceHead, StoreResult, User};

/// Bits of an order id below its tournament; must match `(id >> 40)` in migration 0003.
const ORDER_LOCAL_BITS: u32 = bullpen_domain::ORDER_LOCAL_BITS;

fn sequence_heads(conn: &Connection) -> StoreResult<Vec<SequenceHead>> {
    let mut st = conn.prepare_cached(
        "SELECT s.tournament_id, s.last_seq, \
         (SELECT l.ts FROM ledger l WHERE l.tournament_id = s.tournament_id ORDER BY l.seq DESC LIMIT 1) \
         FROM tournament_seq s ORDER BY s.tournament_id",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(SequenceHead {
            tournament_id: TournamentId(row.get(0)?),
            last_seq: row.get(1)?,
            last_ts: row.get::<_, Option<i64>>(2)?.map(Ts),
        });
    }
    Ok(out)
}

fn orders_changed(conn: &Connection, t: TournamentId, after: i64, upto: i64) -> StoreResult<Vec<Order>> {
    let mut out = Vec::new();
    if upto <= after {
        return Ok(out);
    }
    // Rows from before migration 0003 hold seq 0: they belong to the first range.
    let lo = if after <= 0 { 0 } else { after + 1 };
    let mut st = conn.prepare_cached(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE (id >> {ORDER_LOCAL_BITS}) = ?1 AND seq BETWEEN ?2 AND ?3 \
         ORDER BY seq, id"
    ))?;
    let mut rows = st.query(params![t.0, lo, upto])?;
    let mut symbols = Symbols::default();
    while let Some(row) = rows.next()? {
        out.push(rows::order(row, &mut symbols)?);
    }
    Ok(out)
}

fn snapshots_after(conn: &Connection, t: TournamentId, after: Option<NaiveDate>) -> StoreResult<Vec<EquitySnapshot>> {
    let (lo, hi) = entry_id_range(t);
    // Dates are 'YYYY-MM-DD' text, so text order is date order; '' is before every date.
    let after = after.map(date_str).unwrap_or_default();
    let mut st = conn.prepare_cached(&format!(
        "SELECT {SNAPSHOT_COLUMNS} FROM equity_snapshots WHERE date > ?1 AND entry_id BETWEEN ?2 AND ?3 \
         ORDER BY date, entry_id"
    ))?;
    let mut rows = st.query(params![after, lo, hi])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(rows::snapshot(row)?);
    }
    Ok(out)
}

fn users_after(conn: &Connection, after: UserId, limit: i64) -> StoreResult<Vec<User>> {
    let mut st = conn.prepare_cached(
        "SELECT id, handle, display_name, is_bot, created_at FROM users WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut rows = st.query(params![after.0, limit.max(0)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(User {
            id: UserId(row.get(0)?),
            handle: row.get(1)?,
            display_name: row.get(2)?,
            is_bot: row.get(3)?,
            created_at: Ts(row.get(4)?),
        });
    }
    Ok(out)
}

fn bar_fingerprints(conn: &Connection) -> StoreResult<Vec<BarFingerprint>> {
    // Each term is reduced modulo a prime, so the sum cannot overflow for any realistic count.
    let mut st = conn.prepare_cached(
        "SELECT CAST(substr(date, 1, 4) AS INTEGER) AS year, COUNT(*), \
         SUM((length(symbol) * 7 + open * 31 + high * 37 + low * 41 + close * 43 + volume * 47 \
              + CAST(substr(date, 6, 2) || substr(date, 9, 2) AS INTEGER)) % 1000000007) \
         FROM bars GROUP BY year ORDER BY year",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(BarFingerprint { year: row.get(0)?, rows: row.get(1)?, checksum: row.get(2)? });
    }
    Ok(out)
}

#[async_trait]
impl ExportStore for SqliteStore {
    async fn sequence_heads(&self) -> StoreResult<Vec<SequenceHead>> {
        self.readers.read(sequence_heads).await
    }

    async fn orders_changed(&self, tournament: TournamentId, after_seq: i64, upto_seq: i64) -> StoreResult<Vec<Order>> {
        self.readers.read(move |c| orders_changed(c, tournament, after_seq, upto_seq)).await
    }

    async fn equity_snapshots_after(
        &self,
        tournament: TournamentId,
        after: Option<NaiveDate>,
    ) -> StoreResult<Vec<EquitySnapshot>> {
        self.readers.read(move |c| snapshots_after(c, tournament, after)).await
    }

    async fn users_after(&self, after: UserId, limit: i64) -> StoreResult<Vec<User>> {
        self.readers.read(move |c| users_after(c, after, limit)).await
    }

    async fn bar_fingerprints(&self) -> StoreResult<Vec<BarFingerprint>> {
        self.readers.read(bar_fingerprints).await
    }
}
