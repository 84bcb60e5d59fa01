//! Accounts, sessions, API keys, reset tokens, the outbox, organisations and the audit log on
//! SQLite. Writes go through the writer thread, so the audit chain's read-then-append is
//! serialised with every other write.

use async_trait::async_trait;
use bullpen_domain::{EntryId, TournamentId, Ts, UserId};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::rows::text;
use super::trading::conflict_context;
use super::SqliteStore;
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

fn account(row: &Row<'_>) -> StoreResult<Account> {
    let role = text(row, 7)?;
    Ok(Account {
        user: User {
            id: UserId(row.get(0)?),
            handle: row.get(1)?,
            display_name: row.get(2)?,
            is_bot: row.get(3)?,
            created_at: Ts(row.get(4)?),
        },
        email: row.get(5)?,
        password_hash: row.get(6)?,
        role: Role::parse(role).ok_or_else(|| corrupt("role", role))?,
        active: row.get(8)?,
    })
}

const SESSION_COLUMNS: &str = "token_hash, user_id, csrf_token, created_at, expires_at, revoked_at";

fn session(row: &Row<'_>) -> StoreResult<Session> {
    Ok(Session {
        token_hash: row.get(0)?,
        user_id: UserId(row.get(1)?),
        csrf_token: row.get(2)?,
        created_at: Ts(row.get(3)?),
        expires_at: Ts(row.get(4)?),
        revoked_at: row.get::<_, Option<i64>>(5)?.map(Ts),
    })
}

const API_KEY_COLUMNS: &str =
    "key_id, secret_hash, user_id, tournament_id, entry_id, scope, label, created_at, last_used_at, revoked_at";

fn api_key(row: &Row<'_>) -> StoreResult<ApiKey> {
    let scope = text(row, 5)?;
    Ok(ApiKey {
        key_id: row.get(0)?,
        secret_hash: row.get(1)?,
        user_id: UserId(row.get(2)?),
        tournament_id: TournamentId(row.get(3)?),
        entry_id: EntryId(row.get(4)?),
        scope: KeyScope::parse(scope).ok_or_else(|| corrupt("API key scope", scope))?,
        label: row.get(6)?,
        created_at: Ts(row.get(7)?),
        last_used_at: row.get::<_, Option<i64>>(8)?.map(Ts),
        revoked_at: row.get::<_, Option<i64>>(9)?.map(Ts),
    })
}

const OUTBOX_COLUMNS: &str = "id, recipient, subject, body, created_at";

fn outbox_message(row: &Row<'_>) -> StoreResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.get(0)?,
        recipient: row.get(1)?,
        subject: row.get(2)?,
        body: row.get(3)?,
        created_at: Ts(row.get(4)?),
    })
}

const ORGANISATION_COLUMNS: &str = "id, name, created_at";

fn organisation(row: &Row<'_>) -> StoreResult<Organisation> {
    Ok(Organisation { id: row.get(0)?, name: row.get(1)?, created_at: Ts(row.get(2)?) })
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, target, detail, prev_hash, hash";

fn audit_entry(row: &Row<'_>) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        draft: AuditDraft {
            at: Ts(row.get(1)?),
            actor: row.get::<_, Option<i64>>(2)?.map(UserId),
            action: row.get(3)?,
            target: row.get(4)?,
            detail: row.get(5)?,
        },
        prev_hash: row.get(6)?,
        hash: row.get(7)?,
    })
}

/// Every row of a query, decoded.
fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    decode: impl Fn(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut st = conn.prepare_cached(sql)?;
    let mut rows = st.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// At most one row of a query, decoded.
fn one<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    decode: impl Fn(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let mut st = conn.prepare_cached(sql)?;
    let mut rows = st.query(params)?;
    rows.next()?.map(decode).transpose()
}

/// A foreign-key violation reported as the missing thing.
fn missing(e: rusqlite::Error, what: impl FnOnce() -> String) -> StoreError {
    match StoreError::from(e) {
        StoreError::Invalid(_) => StoreError::NotFound(what()),
        other => other,
    }
}

/// `NotFound` when an update touched no row.
fn require_row(changed: usize, what: impl FnOnce() -> String) -> StoreResult<()> {
    if changed == 0 {
        return Err(StoreError::NotFound(what()));
    }
    Ok(())
}

// ---- accounts ----

fn create_account(conn: &mut Connection, a: &NewAccount) -> StoreResult<Account> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO users (handle, display_name, is_bot, created_at) VALUES (?1, ?2, 0, ?3) RETURNING id",
        )?
        .query_row(params![a.handle, a.display_name, a.created_at.0], |r| r.get(0))
        .map_err(|e| conflict_context(e.into(), || format!("handle `{}` is already taken", a.handle)))?;
    tx.prepare_cached("INSERT INTO accounts (user_id, email, password_hash, role, active) VALUES (?1, ?2, ?3, ?4, 1)")?
        .execute(params![id, a.email, a.password_hash, a.role.as_str()])
        .map_err(|e| conflict_context(e.into(), || format!("e-mail address `{}` is already registered", a.email)))?;
    tx.commit()?;
    Ok(Account {
        user: User {
            id: UserId(id),
            handle: a.handle.clone(),
            display_name: a.display_name.clone(),
            is_bot: false,
            created_at: a.created_at,
        },
        email: a.email.clone(),
        password_hash: a.password_hash.clone(),
        role: a.role,
        active: true,
    })
}

fn account_where(conn: &Connection, column: &str, value: &dyn rusqlite::ToSql) -> StoreResult<Option<Account>> {
    one(conn, &format!("SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} WHERE {column} = ?1"), [value], account)
}

fn accounts(conn: &Connection, after: Option<UserId>, limit: u32) -> StoreResult<Vec<Account>> {
    collect(
        conn,
        &format!("SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} WHERE a.user_id > ?1 ORDER BY a.user_id LIMIT ?2"),
        params![after.map_or(i64::MIN, |u| u.0), limit],
        account,
    )
}

fn set_account_column(conn: &Connection, user: UserId, column: &str, value: &dyn rusqlite::ToSql) -> StoreResult<()> {
    let n = conn
        .prepare_cached(&format!("UPDATE accounts SET {column} = ?1 WHERE user_id = ?2"))?
        .execute(params![value, user.0])?;
    require_row(n, || format!("account of user {user}"))
}

// ---- sessions ----

fn create_session(conn: &Connection, s: &Session) -> StoreResult<()> {
    conn.prepare_cached(&format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"))?
        .execute(params![
            s.token_hash,
            s.user_id.0,
            s.csrf_token,
            s.created_at.0,
            s.expires_at.0,
            s.revoked_at.map(|t| t.0)
        ])
        .map_err(|e| match missing(e, || format!("user {}", s.user_id)) {
            StoreError::Conflict(_) => StoreError::Conflict("a session with this token already exists".to_string()),
            other => other,
        })?;
    Ok(())
}

// ---- API keys ----

fn create_api_key(conn: &Connection, k: &ApiKey) -> StoreResult<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO api_keys ({API_KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        k.key_id,
        k.secret_hash,
        k.user_id.0,
        k.tournament_id.0,
        k.entry_id.0,
        k.scope.as_str(),
        k.label,
        k.created_at.0,
        k.last_used_at.map(|t| t.0),
        k.revoked_at.map(|t| t.0)
    ])
    .map_err(|e| {
        let e = missing(e, || format!("user {}, tournament {} or entry {}", k.user_id, k.tournament_id, k.entry_id));
        conflict_context(e, || format!("API key id `{}` already exists", k.key_id))
    })?;
    Ok(())
}

// ---- reset tokens ----

fn create_reset_token(conn: &Connection, token_hash: &str, user: UserId, expires_at: Ts) -> StoreResult<()> {
    conn.prepare_cached("INSERT INTO reset_tokens (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)")?
        .execute(params![token_hash, user.0, expires_at.0])
        .map_err(|e| {
            conflict_context(missing(e, || format!("user {user}")), || "this reset token already exists".to_string())
        })?;
    Ok(())
}

fn consume_reset_token(conn: &Connection, token_hash: &str, now: Ts) -> StoreResult<Option<UserId>> {
    let user: Option<i64> = conn
        .prepare_cached(
            "UPDATE reset_tokens SET used_at = ?2 \
             WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING user_id",
        )?
        .query_row(params![token_hash, now.0], |r| r.get(0))
        .optional()?;
    Ok(user.map(UserId))
}

// ---- organisations ----

fn create_organisation(conn: &Connection, name: &str, at: Ts) -> StoreResult<Organisation> {
    let mut st = conn.prepare_cached(&format!(
        "INSERT INTO organisations (name, created_at) VALUES (?1, ?2) RETURNING {ORGANISATION_COLUMNS}"
    ))?;
    let taken = || format!("an organisation named `{name}` already exists");
    let mut rows = st.query(params![name, at.0]).map_err(|e| conflict_context(e.into(), taken))?;
    match rows.next() {
        Ok(Some(row)) => organisation(row),
        Ok(None) => Err(StoreError::Backend("insert returned no row".to_string())),
        Err(e) => Err(conflict_context(e.into(), taken)),
    }
}

// ---- audit log ----

fn append_audit(conn: &mut Connection, d: &AuditDraft) -> StoreResult<AuditEntry> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let last: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, AUDIT_GENESIS_HASH.to_string()),
    };
    let hash = audit_hash(&prev_hash, seq, d);
    tx.prepare_cached(&format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))?
        .execute(params![seq, d.at.0, d.actor.map(|u| u.0), d.action, d.target, d.detail, prev_hash, hash])?;
    tx.commit()?;
    Ok(AuditEntry { seq, draft: d.clone(), prev_hash, hash })
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, account: NewAccount) -> StoreResult<Account> {
        self.writer.write(move |c| create_account(c, &account)).await
    }

    async fn account(&self, user: UserId) -> StoreResult<Option<Account>> {
        self.readers.read(move |c| account_where(c, "a.user_id", &user.0)).await
    }

    async fn account_by_handle(&self, handle: &str) -> StoreResult<Option<Account>> {
        let handle = handle.to_string();
        self.readers.read(move |c| account_where(c, "u.handle", &handle)).await
    }

    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>> {
        let email = email.to_string();
        self.readers.read(move |c| account_where(c, "a.email", &email)).await
    }

    async fn accounts(&self, after: Option<UserId>, limit: u32) -> StoreResult<Vec<Account>> {
        self.readers.read(move |c| accounts(c, after, limit)).await
    }

    async fn set_password(&self, user: UserId, password_hash: &str) -> StoreResult<()> {
        let hash = password_hash.to_string();
        self.writer.write(move |c| set_account_column(c, user, "password_hash", &hash)).await
    }

    async fn set_role(&self, user: UserId, role: Role) -> StoreResult<()> {
        self.writer.write(move |c| set_account_column(c, user, "role", &role.as_str())).await
    }

    async fn set_active(&self, user: UserId, active: bool) -> StoreResult<()> {
        self.writer.write(move |c| set_account_column(c, user, "active", &active)).await
    }

    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        let session = session.clone();
        self.writer.write(move |c| create_session(c, &session)).await
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let token_hash = token_hash.to_string();
        self.readers
            .read(move |c| {
                one(c, &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = ?1"), [&token_hash], session)
            })
            .await
    }

    async fn revoke_session(&self, token_hash: &str, at: Ts) -> StoreResult<()> {
        let token_hash = token_hash.to_string();
        self.writer
            .write(move |c| {
                // Signing out twice, or with a forgotten session, is not an error.
                c.prepare_cached("UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL")?
                    .execute(params![token_hash, at.0])?;
                Ok(())
            })
            .await
    }

    async fn revoke_user_sessions(&self, user: UserId, at: Ts) -> StoreResult<u64> {
        self.writer
            .write(move |c| {
                let n = c
                    .prepare_cached("UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL")?
                    .execute(params![user.0, at.0])?;
                Ok(n as u64)
            })
            .await
    }

    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()> {
        let key = key.clone();
        self.writer.write(move |c| create_api_key(c, &key)).await
    }

    async fn api_key(&self, key_id: &str) -> StoreResult<Option<ApiKey>> {
        let key_id = key_id.to_string();
        self.readers
            .read(move |c| {
                one(c, &format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_id = ?1"), [&key_id], api_key)
            })
            .await
    }

    async fn api_keys_of_user(&self, user: UserId) -> StoreResult<Vec<ApiKey>> {
        self.readers
            .read(move |c| {
                collect(
                    c,
                    &format!(
                        "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE user_id = ?1 ORDER BY created_at DESC, key_id DESC"
                    ),
                    [user.0],
                    api_key,
                )
            })
            .await
    }

    async fn revoke_api_key(&self, key_id: &str, at: Ts) -> StoreResult<()> {
        let key_id = key_id.to_string();
        self.writer
            .write(move |c| {
                // A key revoked earlier keeps its first revocation time.
                let n = c
                    .prepare_cached("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE key_id = ?1")?
                    .execute(params![key_id, at.0])?;
                require_row(n, || format!("API key `{key_id}`"))
            })
            .await
    }

    async fn touch_api_keys(&self, uses: &[(String, Ts)]) -> StoreResult<()> {
        if uses.is_empty() {
            return Ok(());
        }
        let uses = uses.to_vec();
        self.writer
            .write(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                {
                    let mut st = tx.prepare_cached(
                        "UPDATE api_keys SET last_used_at = ?2 \
                         WHERE key_id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)",
                    )?;
                    for (key_id, at) in &uses {
                        st.execute(params![key_id, at.0])?;
                    }
                }
                tx.commit()?;
                Ok(())
            })
            .await
    }

    async fn create_reset_token(&self, token_hash: &str, user: UserId, expires_at: Ts) -> StoreResult<()> {
        let token_hash = token_hash.to_string();
        self.writer.write(move |c| create_reset_token(c, &token_hash, user, expires_at)).await
    }

    async fn consume_reset_token(&self, token_hash: &str, now: Ts) -> StoreResult<Option<UserId>> {
        let token_hash = token_hash.to_string();
        self.writer.write(move |c| consume_reset_token(c, &token_hash, now)).await
    }

    async fn enqueue_outbox(&self, message: &OutboxMessage) -> StoreResult<OutboxMessage> {
        let m = message.clone();
        self.writer
            .write(move |c| {
                let id: i64 = c
                    .prepare_cached(
                        "INSERT INTO outbox (recipient, subject, body, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                    )?
                    .query_row(params![m.recipient, m.subject, m.body, m.created_at.0], |r| r.get(0))?;
                Ok(OutboxMessage { id, ..m })
            })
            .await
    }

    async fn outbox_for(&self, recipient: &str, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
        let recipient = recipient.to_string();
        self.readers
            .read(move |c| {
                collect(
                    c,
                    &format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE recipient = ?1 ORDER BY id DESC LIMIT ?2"),
                    params![recipient, limit],
                    outbox_message,
                )
            })
            .await
    }

    async fn create_organisation(&self, name: &str, at: Ts) -> StoreResult<Organisation> {
        let name = name.to_string();
        self.writer.write(move |c| create_organisation(c, &name, at)).await
    }

    async fn organisation(&self, id: i64) -> StoreResult<Option<Organisation>> {
        self.readers
            .read(move |c| {
                one(c, &format!("SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE id = ?1"), [id], organisation)
            })
            .await
    }

    async fn organisations(&self) -> StoreResult<Vec<Organisation>> {
        self.readers
            .read(|c| {
                collect(
                    c,
                    &format!("SELECT {ORGANISATION_COLUMNS} FROM organisations ORDER BY name, id"),
                    [],
                    organisation,
                )
            })
            .await
    }

    async fn add_organisation_member(&self, org: i64, user: UserId) -> StoreResult<()> {
        self.writer
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO organisation_members (org_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                )?
                .execute([org, user.0])
                .map_err(|e| missing(e, || format!("organisation {org} or user {user}")))?;
                Ok(())
            })
            .await
    }

    async fn remove_organisation_member(&self, org: i64, user: UserId) -> StoreResult<()> {
        self.writer
            .write(move |c| {
                let n = c
                    .prepare_cached("DELETE FROM organisation_members WHERE org_id = ?1 AND user_id = ?2")?
                    .execute([org, user.0])?;
                require_row(n, || format!("user {user} is not a member of organisation {org}"))
            })
            .await
    }

    async fn organisation_members(&self, org: i64) -> StoreResult<Vec<UserId>> {
        self.readers
            .read(move |c| {
                collect(c, "SELECT user_id FROM organisation_members WHERE org_id = ?1 ORDER BY user_id", [org], |r| {
                    Ok(UserId(r.get(0)?))
                })
            })
            .await
    }

    async fn organisations_of_user(&self, user: UserId) -> StoreResult<Vec<i64>> {
        self.readers
            .read(move |c| {
                collect(
                    c,
                    "SELECT org_id FROM organisation_members WHERE user_id = ?1 ORDER BY org_id",
                    [user.0],
                    |r| Ok(r.get(0)?),
                )
            })
            .await
    }

    async fn append_audit(&self, draft: &AuditDraft) -> StoreResult<AuditEntry> {
        let draft = draft.clone();
        self.writer.write(move |c| append_audit(c, &draft)).await
    }

    async fn audit_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        self.readers
            .read(move |c| {
                collect(
                    c,
                    &format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
                    params![after, limit],
                    audit_entry,
                )
            })
            .await
    }
}
