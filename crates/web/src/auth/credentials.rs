//! Account fields and passwords: the validation rules, argon2id hashing and account creation
//! shared by sign-up, password reset and `bullpen user create`.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use bullpen_domain::Ts;
use bullpen_store::{Account, NewAccount, Role, Store, StoreError};

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest accepted password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Longest accepted e-mail address, in bytes.
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// An argon2id hash (default parameters) of a password nobody knows. Sign-ins of unknown
/// logins verify against it, so they take as long as those of known ones.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2lnbi1pbi10aW1pbmctcGFk$JfX6YMXHlhN6xXl4pYvVv3n0Q9YMGi0bKqqV9I0Wb9o";

/// Checks a handle: 3–32 characters from `a-z`, `0-9`, `_` and `-`.
pub fn validate_handle(handle: &str) -> Result<(), String> {
    let ok_chars = handle.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !(3..=32).contains(&handle.len()) || !ok_chars {
        return Err("handle must be 3 to 32 characters from a-z, 0-9, '_' and '-'".into());
    }
    Ok(())
}

/// Checks the shape of an e-mail address (`local@domain.tld`, no spaces or control characters,
/// at most 254 bytes) and returns it lower-cased.
pub fn normalize_email(email: &str) -> Result<String, String> {
    let bad = || format!("`{}` is not an e-mail address", truncate(email, 80));
    if email.is_empty() || email.len() > MAX_EMAIL_LEN {
        return Err(bad());
    }
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c);
    if email.chars().any(forbidden) {
        return Err(bad());
    }
    let Some((local, domain)) = email.split_once('@') else { return Err(bad()) };
    let labels: Vec<&str> = domain.split('.').collect();
    if local.is_empty()
        || local.len() > 64
        || domain.contains('@')
        || labels.len() < 2
        || labels.iter().any(|l| l.is_empty())
    {
        return Err(bad());
    }
    Ok(email.to_lowercase())
}

/// Checks a new password's length (10–128 characters).
pub fn validate_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!("password must have at least {MIN_PASSWORD_CHARS} characters"));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!("password must have at most {MAX_PASSWORD_CHARS} characters"));
    }
    Ok(())
}

/// Checks a display name (1–64 characters after trimming, no control characters) and returns
/// it trimmed.
pub fn normalize_display_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_DISPLAY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!(
            "display name must be 1 to {MAX_DISPLAY_NAME_CHARS} characters without control characters"
        ));
    }
    Ok(name.to_string())
}

/// Checks a short free-text label (API-key labels, organisation names): 1–`max` characters
/// after trimming, no control characters; returns it trimmed.
pub fn normalize_label(what: &str, text: &str, max: usize) -> Result<String, String> {
    let text = text.trim();
    let n = text.chars().count();
    if n == 0 || n > max || text.chars().any(char::is_control) {
        return Err(format!("{what} must be 1 to {max} characters without control characters"));
    }
    Ok(text.to_string())
}

/// The argon2id PHC string of a password (random salt, default parameters). CPU-heavy: call it
/// off the async workers (see [`hash_password_blocking`]).
pub fn hash_password(password: &str) -> Result<String, CredentialError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CredentialError::Hashing(e.to_string()))
}

/// Whether a password matches a PHC string; false for malformed hashes.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// [`hash_password`] on the blocking thread pool.
pub async fn hash_password_blocking(password: String) -> Result<String, CredentialError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| CredentialError::Hashing(e.to_string()))?
}

/// [`verify_password`] on the blocking thread pool; a stored hash of `None` verifies against
/// [`DUMMY_HASH`] (and fails), taking the same time.
pub async fn verify_password_blocking(password: String, phc: Option<String>) -> bool {
    let known = phc.is_some();
    let phc = phc.unwrap_or_else(|| DUMMY_HASH.to_string());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false);
    ok && known
}

/// Why an account could not be created or a password set.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// A field is not acceptable (the message says which and why).
    #[error("{0}")]
    Invalid(String),
    /// The handle belongs to someone else.
    #[error("the handle `{0}` is taken")]
    HandleTaken(String),
    /// The e-mail address belongs to another account.
    #[error("an account with this e-mail address exists")]
    EmailTaken,
    /// The password could not be hashed.
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a new account is made of, as typed by a person.
#[derive(Debug, Clone)]
pub struct AccountForm {
    /// Handle (validated, not changed).
    pub handle: String,
    /// Display name (trimmed).
    pub display_name: String,
    /// E-mail address (lower-cased).
    pub email: String,
    /// Password in clear (hashed here, never stored or logged).
    pub password: String,
    /// Role.
    pub role: Role,
}

impl AccountForm {
    /// Validates every field; returns the form with normalised fields.
    pub fn validated(self) -> Result<AccountForm, CredentialError> {
        validate_handle(&self.handle).map_err(CredentialError::Invalid)?;
        let display_name = normalize_display_name(&self.display_name).map_err(CredentialError::Invalid)?;
        let email = normalize_email(&self.email).map_err(CredentialError::Invalid)?;
        validate_password(&self.password).map_err(CredentialError::Invalid)?;
        Ok(AccountForm { display_name, email, ..self })
    }
}

/// Validates the form, hashes the password and creates the account. Nothing is written when a
/// field is invalid or the handle or e-mail address is taken.
pub async fn create_account(store: &dyn Store, form: AccountForm, now: Ts) -> Result<Account, CredentialError> {
    let form = form.validated()?;
    if store.user_by_handle(&form.handle).await?.is_some() {
        return Err(CredentialError::HandleTaken(form.handle));
    }
    if store.account_by_email(&form.email).await?.is_some() {
        return Err(CredentialError::EmailTaken);
    }
    let password_hash = hash_password_blocking(form.password).await?;
    let account = NewAccount {
        handle: form.handle.clone(),
        display_name: form.display_name,
        email: form.email,
        password_hash,
        role: form.role,
        created_at: now,
    };
    match store.create_account(account).await {
        Ok(a) => Ok(a),
        // Lost a race with a concurrent sign-up: report it like the check above.
        Err(StoreError::Conflict(_)) => Err(CredentialError::HandleTaken(form.handle)),
        Err(e) => Err(e.into()),
    }
}

/// At most `max` characters of `s` (for messages that echo input).
pub fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        assert!(validate_handle("ann").is_ok());
        assert!(validate_handle("a_b-9").is_ok());
        assert!(validate_handle("ab").is_err());
        assert!(validate_handle("Ann").is_err());
        assert!(validate_handle("an n").is_err());
        assert!(validate_handle(&"a".repeat(33)).is_err());
        assert!(validate_handle("ännn").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(normalize_email("Ann@Example.COM").as_deref(), Ok("ann@example.com"));
        for bad in ["", "ann", "ann@", "@x.io", "ann@x", "ann@x..io", "a b@x.io", "ann@x.io\n", "a@b@c.io", "a@.io"] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
        assert!(normalize_email(&format!("{}@x.io", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords() {
        assert!(validate_password("123456789").is_err());
        assert!(validate_password("1234567890").is_ok());
        assert!(validate_password(&"é".repeat(128)).is_ok());
        assert!(validate_password(&"é".repeat(129)).is_err());
    }

    #[test]
    fn display_names_and_labels() {
        assert_eq!(normalize_display_name("  Ann  ").as_deref(), Ok("Ann"));
        assert!(normalize_display_name("   ").is_err());
        assert!(normalize_display_name("a\u{0}b").is_err());
        assert!(normalize_label("label", &"x".repeat(65), 64).is_err());
    }

    #[test]
    fn hashing_round_trips_with_argon2id() {
        let h = hash_password("correct horse battery").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_hash_costs() {
        let dummy = PasswordHash::new(DUMMY_HASH).map(|h| argon2::Params::try_from(&h));
        let real = hash_password("whatever-password").unwrap_or_default();
        let real = PasswordHash::new(&real).map(|h| argon2::Params::try_from(&h));
        assert!(matches!(dummy, Ok(Ok(_))), "{dummy:?}");
        assert_eq!(format!("{dummy:?}"), format!("{real:?}"));
        assert!(!verify_password("", DUMMY_HASH));
    }
}
