//! The export reads ([`ExportStore`]) on PostgreSQL.

use async_trait::async_trait;
use bullpen_domain::{Order, TournamentId, Ts, UserId};
use chrono::NaiveDate;
use sqlx::Row;

use super::rows::{self, Symbols, ORDER_COLUMNS, SNAPSHOT_COLUMNS};
use super::PgStore;
use crate::batch_check::entry_id_range;
use crate::codec::date_str;
use crate::{BarFingerprint, EquitySnapshot, ExportStore, SequenceHead, StoreResult, User};

#[async_trait]
impl ExportStore for PgStore {
    async fn sequence_heads(&self) -> StoreResult<Vec<SequenceHead>> {
        let rows = sqlx::query(
            "SELECT s.tournament_id, s.last_seq, \
             (SELECT l.ts FROM ledger l WHERE l.tournament_id = s.tournament_id ORDER BY l.seq DESC LIMIT 1) \
             FROM tournament_seq s ORDER BY s.tournament_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| -> StoreResult<SequenceHead> {
                Ok(SequenceHead {
                    tournament_id: TournamentId(r.try_get(0)?),
                    last_seq: r.try_get(1)?,
                    last_ts: r.try_get::<Option<i64>, _>(2)?.map(Ts),
                })
            })
            .collect()
    }

    async fn orders_changed(&self, tournament: TournamentId, after_seq: i64, upto_seq: i64) -> StoreResult<Vec<Order>> {
        if upto_seq <= after_seq {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE tournament_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, id"
        ))
        .bind(tournament.0)
        .bind(after_seq)
        .bind(upto_seq)
        .fetch_all(&self.pool)
        .await?;
        let mut symbols = Symbols::default();
        rows.iter().map(|r| rows::order(r, &mut symbols)).collect()
    }

    async fn equity_snapshots_after(
        &self,
        tournament: TournamentId,
        after: Option<NaiveDate>,
    ) -> StoreResult<Vec<EquitySnapshot>> {
        let (lo, hi) = entry_id_range(tournament);
        let after = after.map_or_else(|| "0001-01-01".to_string(), date_str);
        let rows = sqlx::query(&format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM equity_snapshots \
             WHERE date > $1::text::date AND entry_id BETWEEN $2 AND $3 ORDER BY equity_snapshots.date, entry_id"
        ))
        .bind(after)
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::snapshot).collect()
    }

    async fn users_after(&self, after: UserId, limit: i64) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(
            "SELECT id, handle, display_name, is_bot, created_at FROM users WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after.0)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| -> StoreResult<User> {
                Ok(User {
                    id: UserId(r.try_get(0)?),
                    handle: r.try_get(1)?,
                    display_name: r.try_get(2)?,
                    is_bot: r.try_get(3)?,
                    created_at: Ts(r.try_get(4)?),
                })
            })
            .collect()
    }

    async fn bar_fingerprints(&self) -> StoreResult<Vec<BarFingerprint>> {
        // The same checksum as SQLite's: each term reduced modulo a prime, summed exactly.
        let rows = sqlx::query(
            "SELECT CAST(EXTRACT(YEAR FROM date) AS INTEGER) AS year, COUNT(*), \
             CAST(SUM((length(symbol) * 7 + open * 31 + high * 37 + low * 41 + close * 43 + volume * 47 \
                  + CAST(to_char(date, 'MMDD') AS BIGINT)) % 1000000007) AS BIGINT) \
             FROM bars GROUP BY year ORDER BY year",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| -> StoreResult<BarFingerprint> {
                Ok(BarFingerprint { year: r.try_get(0)?, rows: r.try_get(1)?, checksum: r.try_get(2)? })
            })
            .collect()
    }
}
