//! The engine's tables on PostgreSQL: the commit path and its reads.
//!
//! A batch is one transaction with one multi-row statement per table: every column travels as
//! one array parameter and `UNNEST` turns the arrays back into rows, so a 5,000-order batch is
//! a handful of round trips, not thousands.

use bullpen_domain::{Entry, EntryId, LedgerEntry, Order, OrderId, TournamentId};
use sqlx::{PgPool, Postgres, Transaction};

use super::error::{conflict, violated_constraint};
use super::rows::{self, Symbols, ENTRY_COLUMNS, LEDGER_COLUMNS, ORDER_COLUMNS, SNAPSHOT_COLUMNS};
use crate::batch_check::{entry_id_range, order_id_range};
use crate::client_id::is_generated_client_order_id;
use crate::codec::{date_str, to_json, OPEN_STATUS_SQL};
use crate::dedupe::last_of_each;
use crate::{Batch, EquitySnapshot, OrderFilter, StoreError, StoreResult};

/// Commits one checked batch in one transaction.
pub(crate) async fn commit_batch(pool: &PgPool, batch: &Batch) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    insert_entries(&mut tx, &batch.entries).await?;
    upsert_orders(&mut tx, &batch.orders).await?;
    insert_ledger(&mut tx, &batch.ledger).await?;
    upsert_snapshots(&mut tx, &batch.equity_snapshots).await?;
    sqlx::query(
        "INSERT INTO tournament_seq (tournament_id, last_seq) VALUES ($1, $2) \
         ON CONFLICT (tournament_id) DO UPDATE SET last_seq = GREATEST(tournament_seq.last_seq, EXCLUDED.last_seq)",
    )
    .bind(batch.tournament_id.0)
    .bind(batch.last_seq)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_entries(tx: &mut Transaction<'_, Postgres>, entries: &[Entry]) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let id: Vec<i64> = entries.iter().map(|e| e.id.0).collect();
    let tournament: Vec<i64> = entries.iter().map(|e| e.tournament_id.0).collect();
    let user: Vec<i64> = entries.iter().map(|e| e.user_id.0).collect();
    let name: Vec<&str> = entries.iter().map(|e| e.display_name.as_str()).collect();
    let joined: Vec<i64> = entries.iter().map(|e| e.joined_at.0).collect();
    sqlx::query(&format!(
        "INSERT INTO entries ({ENTRY_COLUMNS}) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[])"
    ))
    .bind(&id)
    .bind(&tournament)
    .bind(&user)
    .bind(&name)
    .bind(&joined)
    .execute(&mut **tx)
    .await
    .map_err(|e| conflict(e, || "an entry in the batch already exists".to_string()))?;
    Ok(())
}

/// The orders of a batch as column arrays.
#[derive(Default)]
struct OrderColumns<'a> {
    id: Vec<i64>,
    tournament: Vec<i64>,
    entry: Vec<i64>,
    client_id: Vec<&'a str>,
    given: Vec<bool>,
    symbol: Vec<&'a str>,
    side: Vec<&'static str>,
    order_type: Vec<&'static str>,
    tif: Vec<&'static str>,
    qty: Vec<i64>,
    filled_qty: Vec<i64>,
    filled_avg_price: Vec<Option<i64>>,
    limit_price: Vec<Option<i64>>,
    stop_price: Vec<Option<i64>>,
    stop_triggered: Vec<bool>,
    status: Vec<&'static str>,
    reject_reason: Vec<Option<String>>,
    replaces: Vec<Option<i64>>,
    replaced_by: Vec<Option<i64>>,
    created_at: Vec<i64>,
    updated_at: Vec<i64>,
    filled_at: Vec<Option<i64>>,
    canceled_at: Vec<Option<i64>>,
    expired_at: Vec<Option<i64>>,
    replaced_at: Vec<Option<i64>>,
    rejected_at: Vec<Option<i64>>,
    seq: Vec<i64>,
}

impl<'a> OrderColumns<'a> {
    fn push(&mut self, o: &'a Order) -> StoreResult<()> {
        self.id.push(o.id.0);
        self.tournament.push(o.tournament_id.0);
        self.entry.push(o.entry_id.0);
        self.client_id.push(&o.client_order_id);
        self.given.push(!is_generated_client_order_id(o.id, &o.client_order_id));
        self.symbol.push(o.symbol.as_str());
        self.side.push(o.side.as_str());
        self.order_type.push(o.order_type.as_str());
        self.tif.push(o.time_in_force.as_str());
        self.qty.push(o.qty.0);
        self.filled_qty.push(o.filled_qty.0);
        self.filled_avg_price.push(o.filled_avg_price.map(|p| p.0));
        self.limit_price.push(o.limit_price.map(|p| p.0));
        self.stop_price.push(o.stop_price.map(|p| p.0));
        self.stop_triggered.push(o.stop_triggered);
        self.status.push(o.status.as_str());
        self.reject_reason.push(o.reject_reason.as_ref().map(|r| to_json("reject reason", r)).transpose()?);
        self.replaces.push(o.replaces.map(|id| id.0));
        self.replaced_by.push(o.replaced_by.map(|id| id.0));
        self.created_at.push(o.created_at.0);
        self.updated_at.push(o.updated_at.0);
        self.filled_at.push(o.filled_at.map(|t| t.0));
        self.canceled_at.push(o.canceled_at.map(|t| t.0));
        self.expired_at.push(o.expired_at.map(|t| t.0));
        self.replaced_at.push(o.replaced_at.map(|t| t.0));
        self.rejected_at.push(o.rejected_at.map(|t| t.0));
        self.seq.push(o.seq);
        Ok(())
    }
}

const UPSERT_ORDERS: &str = "INSERT INTO orders (id, tournament_id, entry_id, client_order_id, \
     client_order_id_given, symbol, side, order_type, time_in_force, qty, filled_qty, filled_avg_price, limit_price, \
     stop_price, stop_triggered, status, reject_reason, replaces, replaced_by, created_at, updated_at, filled_at, \
     canceled_at, expired_at, replaced_at, rejected_at, seq) \
     SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::boolean[], $6::text[], \
     $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], \
     $15::boolean[], $16::text[], $17::text[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], \
     $22::bigint[], $23::bigint[], $24::bigint[], $25::bigint[], $26::bigint[], $27::bigint[]) \
     ON CONFLICT (id) DO UPDATE SET tournament_id = EXCLUDED.tournament_id, entry_id = EXCLUDED.entry_id, \
     client_order_id = EXCLUDED.client_order_id, client_order_id_given = EXCLUDED.client_order_id_given, \
     symbol = EXCLUDED.symbol, side = EXCLUDED.side, order_type = EXCLUDED.order_type, \
     time_in_force = EXCLUDED.time_in_force, qty = EXCLUDED.qty, filled_qty = EXCLUDED.filled_qty, \
     filled_avg_price = EXCLUDED.filled_avg_price, limit_price = EXCLUDED.limit_price, \
     stop_price = EXCLUDED.stop_price, stop_triggered = EXCLUDED.stop_triggered, status = EXCLUDED.status, \
     reject_reason = EXCLUDED.reject_reason, replaces = EXCLUDED.replaces, replaced_by = EXCLUDED.replaced_by, \
     created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, filled_at = EXCLUDED.filled_at, \
     canceled_at = EXCLUDED.canceled_at, expired_at = EXCLUDED.expired_at, replaced_at = EXCLUDED.replaced_at, \
     rejected_at = EXCLUDED.rejected_at, seq = EXCLUDED.seq";

async fn upsert_orders(tx: &mut Transaction<'_, Postgres>, orders: &[Order]) -> StoreResult<()> {
    if orders.is_empty() {
        return Ok(());
    }
    // One statement may not touch a row twice: an order listed twice keeps its last state.
    let keep = last_of_each(orders, |o| o.id);
    let mut c = OrderColumns::default();
    for o in keep.iter().filter_map(|&i| orders.get(i)) {
        c.push(o)?;
    }
    sqlx::query(UPSERT_ORDERS)
        .bind(&c.id)
        .bind(&c.tournament)
        .bind(&c.entry)
        .bind(&c.client_id)
        .bind(&c.given)
        .bind(&c.symbol)
        .bind(&c.side)
        .bind(&c.order_type)
        .bind(&c.tif)
        .bind(&c.qty)
        .bind(&c.filled_qty)
        .bind(&c.filled_avg_price)
        .bind(&c.limit_price)
        .bind(&c.stop_price)
        .bind(&c.stop_triggered)
        .bind(&c.status)
        .bind(&c.reject_reason)
        .bind(&c.replaces)
        .bind(&c.replaced_by)
        .bind(&c.created_at)
        .bind(&c.updated_at)
        .bind(&c.filled_at)
        .bind(&c.canceled_at)
        .bind(&c.expired_at)
        .bind(&c.replaced_at)
        .bind(&c.rejected_at)
        .bind(&c.seq)
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            let what = violated_constraint(&e).unwrap_or_default();
            conflict(e, || {
                format!("an order of the batch conflicts with a stored one ({what}): a client_order_id is already used")
            })
        })?;
    Ok(())
}

async fn insert_ledger(tx: &mut Transaction<'_, Postgres>, ledger: &[LedgerEntry]) -> StoreResult<()> {
    if ledger.is_empty() {
        return Ok(());
    }
    let n = ledger.len();
    let mut tournament = Vec::with_capacity(n);
    let mut seq = Vec::with_capacity(n);
    let mut entry = Vec::with_capacity(n);
    let mut ts = Vec::with_capacity(n);
    let mut kind = Vec::with_capacity(n);
    let mut symbol: Vec<Option<&str>> = Vec::with_capacity(n);
    let mut qty_delta = Vec::with_capacity(n);
    let mut cash_delta = Vec::with_capacity(n);
    let mut price = Vec::with_capacity(n);
    let mut fee = Vec::with_capacity(n);
    let mut order = Vec::with_capacity(n);
    let mut ratio_num = Vec::with_capacity(n);
    let mut ratio_den = Vec::with_capacity(n);
    let mut cash_after = Vec::with_capacity(n);
    let mut qty_after = Vec::with_capacity(n);
    for l in ledger {
        tournament.push(l.tournament_id.0);
        seq.push(l.seq);
        entry.push(l.entry_id.0);
        ts.push(l.ts.0);
        kind.push(l.kind.as_str());
        symbol.push(l.symbol.as_ref().map(|s| s.as_str()));
        qty_delta.push(l.qty_delta.0);
        cash_delta.push(l.cash_delta.0);
        price.push(l.price.map(|p| p.0));
        fee.push(l.fee.0);
        order.push(l.order_id.map(|id| id.0));
        ratio_num.push(l.ratio.0);
        ratio_den.push(l.ratio.1);
        cash_after.push(l.cash_after.0);
        qty_after.push(l.qty_after.0);
    }
    sqlx::query(&format!(
        "INSERT INTO ledger ({LEDGER_COLUMNS}) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], \
         $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], \
         $14::bigint[], $15::bigint[])"
    ))
    .bind(&tournament)
    .bind(&seq)
    .bind(&entry)
    .bind(&ts)
    .bind(&kind)
    .bind(&symbol)
    .bind(&qty_delta)
    .bind(&cash_delta)
    .bind(&price)
    .bind(&fee)
    .bind(&order)
    .bind(&ratio_num)
    .bind(&ratio_den)
    .bind(&cash_after)
    .bind(&qty_after)
    .execute(&mut **tx)
    .await
    .map_err(|e| conflict(e, || "a ledger sequence number of the batch is already taken".to_string()))?;
    Ok(())
}

async fn upsert_snapshots(tx: &mut Transaction<'_, Postgres>, snapshots: &[EquitySnapshot]) -> StoreResult<()> {
    if snapshots.is_empty() {
        return Ok(());
    }
    let keep = last_of_each(snapshots, |s| (s.entry_id, s.date));
    let rows: Vec<&EquitySnapshot> = keep.iter().filter_map(|&i| snapshots.get(i)).collect();
    let entry: Vec<i64> = rows.iter().map(|s| s.entry_id.0).collect();
    let date: Vec<String> = rows.iter().map(|s| date_str(s.date)).collect();
    let equity: Vec<i64> = rows.iter().map(|s| s.equity.0).collect();
    let cash: Vec<i64> = rows.iter().map(|s| s.cash.0).collect();
    let low: Vec<i64> = rows.iter().map(|s| s.low_equity.0).collect();
    let traded: Vec<bool> = rows.iter().map(|s| s.traded).collect();
    sqlx::query(
        "INSERT INTO equity_snapshots (entry_id, date, equity, cash, low_equity, traded) \
         SELECT * FROM UNNEST($1::bigint[], $2::text[]::date[], $3::bigint[], $4::bigint[], $5::bigint[], \
         $6::boolean[]) \
         ON CONFLICT (entry_id, date) DO UPDATE SET equity = EXCLUDED.equity, cash = EXCLUDED.cash, \
         low_equity = EXCLUDED.low_equity, traded = EXCLUDED.traded",
    )
    .bind(&entry)
    .bind(&date)
    .bind(&equity)
    .bind(&cash)
    .bind(&low)
    .bind(&traded)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Equity snapshots of a tournament, by entry then date.
pub(crate) async fn equity_snapshots(pool: &PgPool, t: TournamentId) -> StoreResult<Vec<EquitySnapshot>> {
    let (lo, hi) = entry_id_range(t);
    let rows = sqlx::query(&format!(
        "SELECT {SNAPSHOT_COLUMNS} FROM equity_snapshots WHERE entry_id BETWEEN $1 AND $2 ORDER BY entry_id, date"
    ))
    .bind(lo)
    .bind(hi)
    .fetch_all(pool)
    .await?;
    rows.iter().map(rows::snapshot).collect()
}

/// All entries of a tournament, by id.
pub(crate) async fn entries(pool: &PgPool, t: TournamentId) -> StoreResult<Vec<Entry>> {
    let rows = sqlx::query(&format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE tournament_id = $1 ORDER BY id"))
        .bind(t.0)
        .fetch_all(pool)
        .await?;
    rows.iter().map(rows::entry).collect()
}

/// Orders of a tournament matching `filter`, by id.
pub(crate) async fn orders(pool: &PgPool, t: TournamentId, filter: &OrderFilter) -> StoreResult<Vec<Order>> {
    if let Some(n) = filter.limit.filter(|n| *n < 0) {
        return Err(StoreError::Invalid(format!("limit must not be negative (got {n})")));
    }
    let (lo, hi) = order_id_range(t);
    let mut sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE ");
    let mut args: Vec<i64> = Vec::with_capacity(3);
    match filter.entry {
        Some(entry) => {
            sql.push_str("entry_id = $1 AND tournament_id = $2");
            args.extend([entry.0, t.0]);
        }
        None => {
            sql.push_str("id BETWEEN $1 AND $2");
            args.extend([lo, hi]);
        }
    }
    if let Some(after) = filter.after_id {
        args.push(after.0);
        sql.push_str(&format!(" AND id > ${}", args.len()));
    }
    match filter.open {
        Some(true) => sql.push_str(&format!(" AND status IN {OPEN_STATUS_SQL}")),
        Some(false) => sql.push_str(&format!(" AND status NOT IN {OPEN_STATUS_SQL}")),
        None => {}
    }
    sql.push_str(&format!(" ORDER BY id LIMIT ${}", args.len() + 1));
    let mut query = sqlx::query(&sql);
    for a in &args {
        query = query.bind(*a);
    }
    let rows = query.bind(filter.limit).fetch_all(pool).await?;
    let mut symbols = Symbols::default();
    rows.iter().map(|r| rows::order(r, &mut symbols)).collect()
}

/// One order.
pub(crate) async fn order(pool: &PgPool, id: OrderId) -> StoreResult<Option<Order>> {
    let row = sqlx::query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?;
    row.map(|r| rows::order(&r, &mut Symbols::default())).transpose()
}

/// Ledger entries with `seq > after_seq`, optionally of one entry, by seq, at most `limit`.
pub(crate) async fn ledger(
    pool: &PgPool,
    t: TournamentId,
    entry: Option<EntryId>,
    after_seq: i64,
    limit: i64,
) -> StoreResult<Vec<LedgerEntry>> {
    if limit < 0 {
        return Err(StoreError::Invalid(format!("limit must not be negative (got {limit})")));
    }
    let rows = match entry {
        // An entry's id names its tournament (checked on commit), so its own index suffices.
        Some(e) if e.tournament() != t => return Ok(Vec::new()),
        Some(e) => {
            sqlx::query(&format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger WHERE entry_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
            ))
            .bind(e.0)
            .bind(after_seq)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT {LEDGER_COLUMNS} FROM ledger WHERE tournament_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
            ))
            .bind(t.0)
            .bind(after_seq)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }
    };
    let mut symbols = Symbols::default();
    rows.iter().map(|r| rows::ledger_entry(r, &mut symbols)).collect()
}
