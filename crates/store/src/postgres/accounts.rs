//! Accounts, sessions, API keys, reset tokens, the outbox, organisations and the audit log on
//! PostgreSQL. Audit appends lock the audit table for their transaction, so concurrent appends
//! (from any process) form one gap-free chain.

use async_trait::async_trait;
use bullpen_domain::{EntryId, TournamentId, Ts, UserId};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::error::conflict;
use super::PgStore;
use crate::accounts::{audit_hash, AUDIT_GENESIS_HASH};
use crate::codec::corrupt;
use crate::{
    Account, AccountStore, ApiKey, AuditDraft, AuditEntry, KeyScope, NewAccount, Organisation, OutboxMessage, Role,
    Session, StoreError, StoreResult, User,
};

// ---- row decoders ----

const ACCOUNT_COLUMNS: &str = "u.id, u.handle, u.display_name, u.is_bot, u.created_at, \
     a.email, a.password_hash, a.role, a.active";
const ACCOUNT_FROM: &str = "accounts a JOIN users u ON u.id = a.user_id";

fn account(row: &PgRow) -> StoreResult<Account> {
    let role: &str = row.try_get(7)?;
    Ok(Account {
        user: User {
            id: UserId(row.try_get(0)?),
            handle: row.try_get(1)?,
            display_name: row.try_get(2)?,
            is_bot: row.try_get(3)?,
            created_at: Ts(row.try_get(4)?),
        },
        email: row.try_get(5)?,
        password_hash: row.try_get(6)?,
        role: Role::parse(role).ok_or_else(|| corrupt("role", role))?,
        active: row.try_get(8)?,
    })
}

const SESSION_COLUMNS: &str = "token_hash, user_id, csrf_token, created_at, expires_at, revoked_at";

fn session(row: &PgRow) -> StoreResult<Session> {
    Ok(Session {
        token_hash: row.try_get(0)?,
        user_id: UserId(row.try_get(1)?),
        csrf_token: row.try_get(2)?,
        created_at: Ts(row.try_get(3)?),
        expires_at: Ts(row.try_get(4)?),
        revoked_at: row.try_get::<Option<i64>, _>(5)?.map(Ts),
    })
}

const API_KEY_COLUMNS: &str =
    "key_id, secret_hash, user_id, tournament_id, entry_id, scope, label, created_at, last_used_at, revoked_at";

fn api_key(row: &PgRow) -> StoreResult<ApiKey> {
    let scope: &str = row.try_get(5)?;
    Ok(ApiKey {
        key_id: row.try_get(0)?,
        secret_hash: row.try_get(1)?,
        user_id: UserId(row.try_get(2)?),
        tournament_id: TournamentId(row.try_get(3)?),
        entry_id: EntryId(row.try_get(4)?),
        scope: KeyScope::parse(scope).ok_or_else(|| corrupt("API key scope", scope))?,
        label: row.try_get(6)?,
        created_at: Ts(row.try_get(7)?),
        last_used_at: row.try_get::<Option<i64>, _>(8)?.map(Ts),
        revoked_at: row.try_get::<Option<i64>, _>(9)?.map(Ts),
    })
}

const OUTBOX_COLUMNS: &str = "id, recipient, subject, body, created_at";

fn outbox_message(row: &PgRow) -> StoreResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.try_get(0)?,
        recipient: row.try_get(1)?,
        subject: row.try_get(2)?,
        body: row.try_get(3)?,
        created_at: Ts(row.try_get(4)?),
    })
}

const ORGANISATION_COLUMNS: &str = "id, name, created_at";

fn organisation(row: &PgRow) -> StoreResult<Organisation> {
    Ok(Organisation { id: row.try_get(0)?, name: row.try_get(1)?, created_at: Ts(row.try_get(2)?) })
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, target, detail, prev_hash, hash";

fn audit_entry(row: &PgRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        seq: row.try_get(0)?,
        draft: AuditDraft {
            at: Ts(row.try_get(1)?),
            actor: row.try_get::<Option<i64>, _>(2)?.map(UserId),
            action: row.try_get(3)?,
            target: row.try_get(4)?,
            detail: row.try_get(5)?,
        },
        prev_hash: row.try_get(6)?,
        hash: row.try_get(7)?,
    })
}

/// A foreign-key violation reported as the missing thing.
fn missing(e: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match StoreError::from(e) {
        StoreError::Invalid(_) => StoreError::NotFound(what()),
        other => other,
    }
}

/// Replaces the message of a conflict with one that names the cause.
fn conflict_context(e: StoreError, message: impl FnOnce() -> String) -> StoreError {
    match e {
        StoreError::Conflict(_) => StoreError::Conflict(message()),
        other => other,
    }
}

/// `NotFound` when an update touched no row.
fn require_row(changed: u64, what: impl FnOnce() -> String) -> StoreResult<()> {
    if changed == 0 {
        return Err(StoreError::NotFound(what()));
    }
    Ok(())
}

impl PgStore {
    async fn account_where(&self, column: &str, value: impl AsRef<str>) -> StoreResult<Option<Account>> {
        let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} WHERE {column} = $1"))
            .bind(value.as_ref())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account).transpose()
    }
}

#[async_trait]
impl AccountStore for PgStore {
    async fn create_account(&self, a: NewAccount) -> StoreResult<Account> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (handle, display_name, is_bot, created_at) VALUES ($1, $2, FALSE, $3) RETURNING id",
        )
        .bind(&a.handle)
        .bind(&a.display_name)
        .bind(a.created_at.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict(e, || format!("handle `{}` is already taken", a.handle)))?;
        sqlx::query("INSERT INTO accounts (user_id, email, password_hash, role, active) VALUES ($1, $2, $3, $4, TRUE)")
            .bind(id)
            .bind(&a.email)
            .bind(&a.password_hash)
            .bind(a.role.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, || format!("e-mail address `{}` is already registered", a.email)))?;
        tx.commit().await?;
        Ok(Account {
            user: User {
                id: UserId(id),
                handle: a.handle,
                display_name: a.display_name,
                is_bot: false,
                created_at: a.created_at,
            },
            email: a.email,
            password_hash: a.password_hash,
            role: a.role,
            active: true,
        })
    }

    async fn account(&self, user: UserId) -> StoreResult<Option<Account>> {
        let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} WHERE a.user_id = $1"))
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account).transpose()
    }

    async fn account_by_handle(&self, handle: &str) -> StoreResult<Option<Account>> {
        self.account_where("u.handle", handle).await
    }

    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>> {
        self.account_where("a.email", email).await
    }

    async fn accounts(&self, after: Option<UserId>, limit: u32) -> StoreResult<Vec<Account>> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} WHERE a.user_id > $1 ORDER BY a.user_id LIMIT $2"
        ))
        .bind(after.map_or(i64::MIN, |u| u.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account).collect()
    }

    async fn set_password(&self, user: UserId, password_hash: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE accounts SET password_hash = $1 WHERE user_id = $2")
            .bind(password_hash)
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        require_row(done.rows_affected(), || format!("account of user {user}"))
    }

    async fn set_role(&self, user: UserId, role: Role) -> StoreResult<()> {
        let done = sqlx::query("UPDATE accounts SET role = $1 WHERE user_id = $2")
            .bind(role.as_str())
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        require_row(done.rows_affected(), || format!("account of user {user}"))
    }

    async fn set_active(&self, user: UserId, active: bool) -> StoreResult<()> {
        let done = sqlx::query("UPDATE accounts SET active = $1 WHERE user_id = $2")
            .bind(active)
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        require_row(done.rows_affected(), || format!("account of user {user}"))
    }

    async fn create_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(&format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"))
            .bind(&s.token_hash)
            .bind(s.user_id.0)
            .bind(&s.csrf_token)
            .bind(s.created_at.0)
            .bind(s.expires_at.0)
            .bind(s.revoked_at.map(|t| t.0))
            .execute(&self.pool)
            .await
            .map_err(|e| {
                conflict_context(missing(e, || format!("user {}", s.user_id)), || {
                    "a session with this token already exists".to_string()
                })
            })?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(session).transpose()
    }

    async fn revoke_session(&self, token_hash: &str, at: Ts) -> StoreResult<()> {
        // Signing out twice, or with a forgotten session, is not an error.
        sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .bind(at.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn revoke_user_sessions(&self, user: UserId, at: Ts) -> StoreResult<u64> {
        let done = sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user.0)
            .bind(at.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_api_key(&self, k: &ApiKey) -> StoreResult<()> {
        sqlx::query(&format!(
            "INSERT INTO api_keys ({API_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&k.key_id)
        .bind(&k.secret_hash)
        .bind(k.user_id.0)
        .bind(k.tournament_id.0)
        .bind(k.entry_id.0)
        .bind(k.scope.as_str())
        .bind(&k.label)
        .bind(k.created_at.0)
        .bind(k.last_used_at.map(|t| t.0))
        .bind(k.revoked_at.map(|t| t.0))
        .execute(&self.pool)
        .await
        .map_err(|e| {
            let e =
                missing(e, || format!("user {}, tournament {} or entry {}", k.user_id, k.tournament_id, k.entry_id));
            conflict_context(e, || format!("API key id `{}` already exists", k.key_id))
        })?;
        Ok(())
    }

    async fn api_key(&self, key_id: &str) -> StoreResult<Option<ApiKey>> {
        let row = sqlx::query(&format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_id = $1"))
            .bind(key_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(api_key).transpose()
    }

    async fn api_keys_of_user(&self, user: UserId) -> StoreResult<Vec<ApiKey>> {
        let rows = sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, key_id DESC"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(api_key).collect()
    }

    async fn revoke_api_key(&self, key_id: &str, at: Ts) -> StoreResult<()> {
        // A key revoked earlier keeps its first revocation time.
        let done = sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE key_id = $1")
            .bind(key_id)
            .bind(at.0)
            .execute(&self.pool)
            .await?;
        require_row(done.rows_affected(), || format!("API key `{key_id}`"))
    }

    async fn touch_api_keys(&self, uses: &[(String, Ts)]) -> StoreResult<()> {
        if uses.is_empty() {
            return Ok(());
        }
        let (ids, times): (Vec<&str>, Vec<i64>) = uses.iter().map(|(id, at)| (id.as_str(), at.0)).unzip();
        // One statement for the whole batch; a key named twice keeps its latest time.
        sqlx::query(
            "UPDATE api_keys k SET last_used_at = u.at \
             FROM (SELECT key_id, MAX(at) AS at FROM UNNEST($1::text[], $2::bigint[]) AS t(key_id, at) \
                   GROUP BY key_id) u \
             WHERE k.key_id = u.key_id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)",
        )
        .bind(&ids)
        .bind(&times)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn create_reset_token(&self, token_hash: &str, user: UserId, expires_at: Ts) -> StoreResult<()> {
        sqlx::query("INSERT INTO reset_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user.0)
            .bind(expires_at.0)
            .execute(&self.pool)
            .await
            .map_err(|e| {
                conflict_context(missing(e, || format!("user {user}")), || {
                    "this reset token already exists".to_string()
                })
            })?;
        Ok(())
    }

    async fn consume_reset_token(&self, token_hash: &str, now: Ts) -> StoreResult<Option<UserId>> {
        let user: Option<i64> = sqlx::query_scalar(
            "UPDATE reset_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(user.map(UserId))
    }

    async fn enqueue_outbox(&self, m: &OutboxMessage) -> StoreResult<OutboxMessage> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (recipient, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&m.recipient)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(m.created_at.0)
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxMessage { id, ..m.clone() })
    }

    async fn outbox_for(&self, recipient: &str, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
        let rows =
            sqlx::query(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT $2"))
                .bind(recipient)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(outbox_message).collect()
    }

    async fn create_organisation(&self, name: &str, at: Ts) -> StoreResult<Organisation> {
        let row = sqlx::query(&format!(
            "INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING {ORGANISATION_COLUMNS}"
        ))
        .bind(name)
        .bind(at.0)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| conflict(e, || format!("an organisation named `{name}` already exists")))?;
        organisation(&row)
    }

    async fn organisation(&self, id: i64) -> StoreResult<Option<Organisation>> {
        let row = sqlx::query(&format!("SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(organisation).transpose()
    }

    async fn organisations(&self) -> StoreResult<Vec<Organisation>> {
        let rows = sqlx::query(&format!("SELECT {ORGANISATION_COLUMNS} FROM organisations ORDER BY name, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(organisation).collect()
    }

    async fn add_organisation_member(&self, org: i64, user: UserId) -> StoreResult<()> {
        sqlx::query("INSERT INTO organisation_members (org_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(org)
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(|e| missing(e, || format!("organisation {org} or user {user}")))?;
        Ok(())
    }

    async fn remove_organisation_member(&self, org: i64, user: UserId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM organisation_members WHERE org_id = $1 AND user_id = $2")
            .bind(org)
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        require_row(done.rows_affected(), || format!("user {user} is not a member of organisation {org}"))
    }

    async fn organisation_members(&self, org: i64) -> StoreResult<Vec<UserId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT user_id FROM organisation_members WHERE org_id = $1 ORDER BY user_id")
                .bind(org)
                .fetch_all(&self.pool)
                .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn organisations_of_user(&self, user: UserId) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar("SELECT org_id FROM organisation_members WHERE user_id = $1 ORDER BY org_id")
            .bind(user.0)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn append_audit(&self, d: &AuditDraft) -> StoreResult<AuditEntry> {
        let mut tx = self.pool.begin().await?;
        // EXCLUSIVE blocks other appends (and every other write) but not reads, until commit; the
        // SELECT below runs after the lock is granted, so it sees the previous append.
        sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE").execute(&mut *tx).await?;
        let last: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, AUDIT_GENESIS_HASH.to_string()),
        };
        let hash = audit_hash(&prev_hash, seq, d);
        sqlx::query(&format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
            .bind(seq)
            .bind(d.at.0)
            .bind(d.actor.map(|u| u.0))
            .bind(&d.action)
            .bind(&d.target)
            .bind(&d.detail)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(AuditEntry { seq, draft: d.clone(), prev_hash, hash })
    }

    async fn audit_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_entry).collect()
    }
}
