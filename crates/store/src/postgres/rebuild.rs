//! Reading everything the engine needs to rebuild a tournament.
//!
//! The ledger and the open orders are read at the same time on two connections that share one
//! repeatable-read snapshot (`pg_export_snapshot` / `SET TRANSACTION SNAPSHOT`), so the parts
//! agree exactly while the server and the decoding work in parallel. Where snapshots cannot be
//! exported (some poolers), everything is read in one transaction instead.

use bullpen_domain::{Entry, EntryId, LedgerEntry, Order, OrderId, TournamentId};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use super::rows::{self, Symbols, ENTRY_COLUMNS, LEDGER_COLUMNS, ORDER_COLUMNS, SNAPSHOT_COLUMNS};
use crate::batch_check::{entry_id_range, order_id_range};
use crate::codec::OPEN_STATUS_SQL;
use crate::{EquitySnapshot, StoreError, StoreResult, TournamentSnapshot};

/// Ledger rows read per round trip.
const LEDGER_PAGE: i64 = 50_000;

/// Entries, ledger, snapshots and the sequence high-water mark.
struct LedgerPart {
    last_seq: i64,
    entries: Vec<Entry>,
    ledger: Vec<LedgerEntry>,
    equity_snapshots: Vec<EquitySnapshot>,
}

/// Open orders and order bookkeeping.
struct OrderPart {
    open_orders: Vec<Order>,
    client_order_ids: Vec<(EntryId, String, OrderId)>,
    max_order_local: i64,
}

/// Reads a tournament's snapshot.
pub(crate) async fn load(pool: &PgPool, t: TournamentId) -> StoreResult<TournamentSnapshot> {
    let mut first = read_only(pool).await?;
    let shared = match sqlx::query_scalar::<_, String>("SELECT pg_export_snapshot()").fetch_one(&mut *first).await {
        Ok(id) if is_snapshot_id(&id) => Some(id),
        Ok(id) => {
            tracing::warn!(snapshot = %id, "unexpected snapshot id; reading the tournament in one transaction");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot export a snapshot; reading the tournament in one transaction");
            None
        }
    };
    let Some(snapshot_id) = shared else {
        // The failed export aborted `first`; read everything in one fresh transaction instead.
        drop(first);
        return load_serially(pool, t).await;
    };
    let mut second = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *second).await?;
    let import = format!("SET TRANSACTION SNAPSHOT '{snapshot_id}'");
    sqlx::query(&import).execute(&mut *second).await?;
    // The order part decodes on another runtime thread while this one reads the ledger.
    let orders = tokio::spawn(async move {
        let part = order_part(&mut second, t).await?;
        second.commit().await?;
        Ok::<_, StoreError>(part)
    });
    let ledger = ledger_part(&mut first, t).await;
    let orders = orders.await.map_err(|e| StoreError::Backend(format!("the order reader failed: {e}")))?;
    let (ledger, orders) = (ledger?, orders?);
    first.commit().await?;
    Ok(combine(ledger, orders))
}

async fn load_serially(pool: &PgPool, t: TournamentId) -> StoreResult<TournamentSnapshot> {
    let mut tx = read_only(pool).await?;
    let ledger = ledger_part(&mut tx, t).await?;
    let orders = order_part(&mut tx, t).await?;
    tx.commit().await?;
    Ok(combine(ledger, orders))
}

/// A read-only repeatable-read transaction.
async fn read_only(pool: &PgPool) -> StoreResult<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    Ok(tx)
}

/// Snapshot ids look like `00000003-0000001B-1`; anything else is not put into SQL.
fn is_snapshot_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
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

async fn ledger_part(conn: &mut PgConnection, t: TournamentId) -> StoreResult<LedgerPart> {
    let last_seq: i64 = sqlx::query_scalar("SELECT last_seq FROM tournament_seq WHERE tournament_id = $1")
        .bind(t.0)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0);
    let entries = sqlx::query(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE tournament_id = $1 ORDER BY id"))
        .bind(t.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(rows::entry)
        .collect::<StoreResult<Vec<_>>>()?;

    // In pages by primary key: memory holds the decoded entries and one page of rows.
    let mut ledger = Vec::with_capacity(usize::try_from(last_seq.clamp(0, 4_000_000)).unwrap_or(0));
    let mut symbols = Symbols::default();
    let page_sql = format!(
        "SELECT {LEDGER_COLUMNS} FROM ledger WHERE tournament_id = $1 AND seq > $2 ORDER BY tournament_id, seq LIMIT $3"
    );
    let mut after = i64::MIN;
    loop {
        let page = sqlx::query(&page_sql).bind(t.0).bind(after).bind(LEDGER_PAGE).fetch_all(&mut *conn).await?;
        for row in &page {
            ledger.push(rows::ledger_entry(row, &mut symbols)?);
        }
        match ledger.last() {
            Some(last) if page.len() as i64 == LEDGER_PAGE => after = last.seq,
            _ => break,
        }
    }

    let (lo, hi) = entry_id_range(t);
    let equity_snapshots = sqlx::query(&format!(
        "SELECT {SNAPSHOT_COLUMNS} FROM equity_snapshots WHERE entry_id BETWEEN $1 AND $2 ORDER BY entry_id, date"
    ))
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(rows::snapshot)
    .collect::<StoreResult<Vec<_>>>()?;
    Ok(LedgerPart { last_seq, entries, ledger, equity_snapshots })
}

async fn order_part(conn: &mut PgConnection, t: TournamentId) -> StoreResult<OrderPart> {
    let (order_lo, order_hi) = order_id_range(t);
    let (entry_lo, entry_hi) = entry_id_range(t);
    let mut symbols = Symbols::default();
    let open_orders = sqlx::query(&format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE id BETWEEN $1 AND $2 AND status IN {OPEN_STATUS_SQL} ORDER BY id"
    ))
    .bind(order_lo)
    .bind(order_hi)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| rows::order(r, &mut symbols))
    .collect::<StoreResult<Vec<_>>>()?;
    let client_order_ids = sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT entry_id, client_order_id, id FROM orders \
         WHERE client_order_id_given AND entry_id BETWEEN $1 AND $2 ORDER BY entry_id, client_order_id",
    )
    .bind(entry_lo)
    .bind(entry_hi)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(e, c, o)| (EntryId(e), c, OrderId(o)))
    .collect();
    let max_id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM orders WHERE id BETWEEN $1 AND $2")
        .bind(order_lo)
        .bind(order_hi)
        .fetch_one(&mut *conn)
        .await?;
    Ok(OrderPart { open_orders, client_order_ids, max_order_local: max_id.map_or(0, |id| OrderId(id).local()) })
}

#[cfg(test)]
mod tests {
    use super::is_snapshot_id;

    #[test]
    fn only_snapshot_ids_reach_sql() {
        assert!(is_snapshot_id("00000003-0000001B-1"));
        assert!(!is_snapshot_id("1'; DROP TABLE ledger; --"));
        assert!(!is_snapshot_id(""));
    }
}
