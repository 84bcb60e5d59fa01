//! Accounts and security records: sign-in accounts with roles, server-side sessions, API keys,
//! password-reset tokens, the mail outbox, organisations and the hash-chained audit log.
//!
//! Secrets never reach the store in clear: sessions, API-key secrets and reset tokens are stored
//! as SHA-256 digests (hex) that the web layer computes; passwords as argon2id PHC strings.

use async_trait::async_trait;
use bullpen_domain::{EntryId, TournamentId, Ts, UserId};
use serde::{Deserialize, Serialize};

use crate::{StoreResult, User};

/// What a signed-in person may do, beyond their own trading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Plays in tournaments and leagues.
    Player,
    /// Trains cohorts; sees trainees' progress.
    Coach,
    /// Works for a trading firm; sees consenting candidates.
    Recruiter,
    /// Runs reports and SQL over the warehouse.
    Analyst,
    /// Runs the platform.
    Admin,
}

impl Role {
    /// Every role, in rank order.
    pub const ALL: [Role; 5] = [Role::Player, Role::Coach, Role::Recruiter, Role::Analyst, Role::Admin];

    /// The stable lower-case name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Player => "player",
            Role::Coach => "coach",
            Role::Recruiter => "recruiter",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or requested role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A sign-in account to create, together with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// Unique login handle (also the user's handle).
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
    /// Unique e-mail address (lower-cased by the caller).
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Creation time.
    pub created_at: Ts,
}

/// A sign-in account: a user who can sign in (bots have none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The user.
    pub user: User,
    /// E-mail address.
    pub email: String,
    /// argon2id PHC string. Never serialised to clients by the web layer.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// False once an admin disabled the account.
    pub active: bool,
}

/// A server-side session, found by the digest of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// SHA-256 hex digest of the cookie token.
    pub token_hash: String,
    /// The signed-in user.
    pub user_id: UserId,
    /// The CSRF token bound to this session (random; sent back in a header on state changes).
    pub csrf_token: String,
    /// Creation time.
    pub created_at: Ts,
    /// Expiry time.
    pub expires_at: Ts,
    /// Set once signed out or revoked.
    pub revoked_at: Option<Ts>,
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyScope {
    /// Read and trade.
    Trade,
    /// Read only.
    ReadOnly,
}

impl KeyScope {
    /// The stable name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Trade => "trade",
            KeyScope::ReadOnly => "read_only",
        }
    }

    /// Parses a stored or requested scope name.
    pub fn parse(s: &str) -> Option<KeyScope> {
        match s {
            "trade" => Some(KeyScope::Trade),
            "read_only" => Some(KeyScope::ReadOnly),
            _ => None,
        }
    }
}

/// An API key of one tournament entry. The secret is shown once and stored only as a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Public key id (the `APCA-API-KEY-ID`).
    pub key_id: String,
    /// SHA-256 hex digest of the secret.
    pub secret_hash: String,
    /// Owner.
    pub user_id: UserId,
    /// The tournament of the entry.
    pub tournament_id: TournamentId,
    /// The entry the key trades for.
    pub entry_id: EntryId,
    /// What it may do.
    pub scope: KeyScope,
    /// A label the owner chose.
    pub label: String,
    /// Creation time.
    pub created_at: Ts,
    /// Last successful use.
    pub last_used_at: Option<Ts>,
    /// Set once revoked.
    pub revoked_at: Option<Ts>,
}

/// A message waiting in the outbox (there is no mail server; the outbox is the delivery record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Id (assigned by the store; ignored on insert).
    pub id: i64,
    /// Recipient address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Creation time.
    pub created_at: Ts,
}

/// A trading firm or other organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Creation time.
    pub created_at: Ts,
}

/// An audit entry before the store chains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDraft {
    /// When it happened.
    pub at: Ts,
    /// Who did it (none for anonymous actions such as a failed sign-in of an unknown handle).
    pub actor: Option<UserId>,
    /// What happened, a stable dotted name (`auth.sign_in`, `api_key.create`, `admin.user.role`, …).
    pub action: String,
    /// What it was done to (a handle, key id, tournament id, …).
    pub target: String,
    /// Further detail as compact JSON (never secrets).
    pub detail: String,
}

/// A chained audit entry: `hash = SHA-256(prev_hash ‖ seq ‖ at ‖ actor ‖ action ‖ target ‖ detail)`,
/// computed by [`audit_hash`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    /// The entry's content.
    pub draft: AuditDraft,
    /// Hash of the previous entry (64 zeros for the first).
    pub prev_hash: String,
    /// This entry's hash (hex).
    pub hash: String,
}

/// Sign-in accounts, sessions, keys, organisations and the audit log.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a user and its account in one transaction; handle and e-mail must be unique
    /// ([`crate::StoreError::Conflict`] otherwise).
    async fn create_account(&self, account: NewAccount) -> StoreResult<Account>;
    /// The account of a user.
    async fn account(&self, user: UserId) -> StoreResult<Option<Account>>;
    /// An account by handle.
    async fn account_by_handle(&self, handle: &str) -> StoreResult<Option<Account>>;
    /// An account by e-mail address.
    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>>;
    /// Accounts with user id greater than `after`, by id, at most `limit`.
    async fn accounts(&self, after: Option<UserId>, limit: u32) -> StoreResult<Vec<Account>>;
    /// Replaces the password hash.
    async fn set_password(&self, user: UserId, password_hash: &str) -> StoreResult<()>;
    /// Changes the role.
    async fn set_role(&self, user: UserId, role: Role) -> StoreResult<()>;
    /// Enables or disables the account.
    async fn set_active(&self, user: UserId, active: bool) -> StoreResult<()>;

    /// Stores a new session.
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    /// A session by token digest (revoked and expired ones too; the caller checks).
    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Revokes one session.
    async fn revoke_session(&self, token_hash: &str, at: Ts) -> StoreResult<()>;
    /// Revokes every session of a user (password reset, disable); returns how many.
    async fn revoke_user_sessions(&self, user: UserId, at: Ts) -> StoreResult<u64>;

    /// Stores a new API key; key ids are unique.
    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    /// A key by its public id.
    async fn api_key(&self, key_id: &str) -> StoreResult<Option<ApiKey>>;
    /// Keys of a user, newest first.
    async fn api_keys_of_user(&self, user: UserId) -> StoreResult<Vec<ApiKey>>;
    /// Revokes a key ([`crate::StoreError::NotFound`] if unknown).
    async fn revoke_api_key(&self, key_id: &str, at: Ts) -> StoreResult<()>;
    /// Records the last successful use of many keys in one transaction (key id, time); keys
    /// that do not exist are skipped, so one stale id cannot hold back the others. A time
    /// never moves a key's recorded last use backwards.
    async fn touch_api_keys(&self, uses: &[(String, Ts)]) -> StoreResult<()>;

    /// Stores a password-reset token digest for a user, valid until `expires_at`.
    async fn create_reset_token(&self, token_hash: &str, user: UserId, expires_at: Ts) -> StoreResult<()>;
    /// Consumes a reset token atomically: returns its user if it exists, is unused and has not
    /// expired at `now`, and marks it used so a second call returns `None`.
    async fn consume_reset_token(&self, token_hash: &str, now: Ts) -> StoreResult<Option<UserId>>;

    /// Appends a message to the outbox; returns it with its id.
    async fn enqueue_outbox(&self, message: &OutboxMessage) -> StoreResult<OutboxMessage>;
    /// Outbox messages to one recipient, newest first, at most `limit`.
    async fn outbox_for(&self, recipient: &str, limit: u32) -> StoreResult<Vec<OutboxMessage>>;

    /// Creates an organisation; names are unique.
    async fn create_organisation(&self, name: &str, at: Ts) -> StoreResult<Organisation>;
    /// An organisation by id.
    async fn organisation(&self, id: i64) -> StoreResult<Option<Organisation>>;
    /// All organisations by name.
    async fn organisations(&self) -> StoreResult<Vec<Organisation>>;
    /// Adds a member (idempotent).
    async fn add_organisation_member(&self, org: i64, user: UserId) -> StoreResult<()>;
    /// Removes a member.
    async fn remove_organisation_member(&self, org: i64, user: UserId) -> StoreResult<()>;
    /// Member user ids of an organisation, ascending.
    async fn organisation_members(&self, org: i64) -> StoreResult<Vec<UserId>>;
    /// Organisation ids a user belongs to, ascending.
    async fn organisations_of_user(&self, user: UserId) -> StoreResult<Vec<i64>>;

    /// Appends an entry to the audit log, chaining it to the last one in the same transaction
    /// (so concurrent appends still form one chain).
    async fn append_audit(&self, draft: &AuditDraft) -> StoreResult<AuditEntry>;
    /// Audit entries with `seq > after`, by seq, at most `limit`.
    async fn audit_entries(&self, after: i64, limit: u32) -> StoreResult<Vec<AuditEntry>>;
}

/// The hash of the first entry's predecessor.
pub const AUDIT_GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain hash of an audit entry: SHA-256 over the previous hash and every field,
/// each length-prefixed so no two different entries serialise alike.
pub fn audit_hash(prev_hash: &str, seq: i64, draft: &AuditDraft) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let actor = draft.actor.map(|u| u.0.to_string()).unwrap_or_default();
    for part in [
        prev_hash.as_bytes(),
        seq.to_string().as_bytes(),
        draft.at.0.to_string().as_bytes(),
        actor.as_bytes(),
        draft.action.as_bytes(),
        draft.target.as_bytes(),
        draft.detail.as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex_lower(&h.finalize())
}

fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Why an audit chain failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditBreak {
    /// A sequence number is missing or out of order (an entry was removed or reordered).
    #[error("entry {found} follows entry {previous}: expected {expected}")]
    Gap {
        /// The seq before.
        previous: i64,
        /// The seq expected.
        expected: i64,
        /// The seq found.
        found: i64,
    },
    /// An entry does not point at its predecessor's hash (removed, reordered or rewritten).
    #[error("entry {seq} does not link to the entry before it")]
    BrokenLink {
        /// The entry.
        seq: i64,
    },
    /// An entry's content no longer matches its hash (modified).
    #[error("entry {seq} was modified: its content does not match its hash")]
    Modified {
        /// The entry.
        seq: i64,
    },
}

/// Incremental verifier of an audit chain, fed entries in seq order (pages of any size).
#[derive(Debug, Clone)]
pub struct AuditVerifier {
    last_seq: i64,
    last_hash: String,
}

impl Default for AuditVerifier {
    fn default() -> Self {
        AuditVerifier { last_seq: 0, last_hash: AUDIT_GENESIS_HASH.to_string() }
    }
}

impl AuditVerifier {
    /// Checks the next entry.
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), AuditBreak> {
        let expected = self.last_seq + 1;
        if entry.seq != expected {
            return Err(AuditBreak::Gap { previous: self.last_seq, expected, found: entry.seq });
        }
        if entry.prev_hash != self.last_hash {
            return Err(AuditBreak::BrokenLink { seq: entry.seq });
        }
        if audit_hash(&entry.prev_hash, entry.seq, &entry.draft) != entry.hash {
            return Err(AuditBreak::Modified { seq: entry.seq });
        }
        self.last_seq = entry.seq;
        self.last_hash = entry.hash.clone();
        Ok(())
    }

    /// Entries verified so far.
    pub fn verified(&self) -> i64 {
        self.last_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = AUDIT_GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let draft = AuditDraft {
                    at: Ts(seq * 1000),
                    actor: Some(UserId(seq)),
                    action: "auth.sign_in".into(),
                    target: format!("user{seq}"),
                    detail: "{}".into(),
                };
                let hash = audit_hash(&prev, seq, &draft);
                let e = AuditEntry { seq, draft, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry]) -> Result<i64, AuditBreak> {
        let mut v = AuditVerifier::default();
        for e in entries {
            v.check(e)?;
        }
        Ok(v.verified())
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn a_modified_entry_is_detected() {
        let mut c = chain(5);
        c[2].draft.target = "someone-else".into();
        assert_eq!(verify(&c), Err(AuditBreak::Modified { seq: 3 }));
    }

    #[test]
    fn a_removed_entry_is_detected() {
        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(verify(&c), Err(AuditBreak::Gap { expected: 2, found: 3, .. })));
    }

    #[test]
    fn reordered_entries_are_detected_even_with_renumbering() {
        let mut c = chain(5);
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        assert!(matches!(verify(&c), Err(AuditBreak::BrokenLink { seq: 2 })));
    }

    #[test]
    fn a_rehashed_modification_breaks_the_next_link() {
        let mut c = chain(4);
        c[1].draft.detail = "{\"forged\":true}".into();
        c[1].hash = audit_hash(&c[1].prev_hash, 2, &c[1].draft);
        assert_eq!(verify(&c), Err(AuditBreak::BrokenLink { seq: 3 }));
    }
}
