//! Sign-in rate limits and temporary lockouts.
//!
//! Failed sign-ins are counted per login (the lower-cased handle or e-mail address, or the
//! account's handle once it is known) and per client address, against the injected clock:
//!
//! - after `failures_before_lockout` failures within `lockout_secs`, the login is locked for
//!   `lockout_secs`;
//! - after [`IP_FAILURES`] failures from one address within [`IP_WINDOW_SECS`], the address is
//!   locked for [`IP_WINDOW_SECS`] (whatever logins it tries).
//!
//! While locked, attempts are refused with 429 and `Retry-After` without checking the password.
//! Counters live in memory (one server); expired ones are dropped as the tables grow.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;

use bullpen_domain::Ts;

/// Failed sign-ins from one address before it is locked.
pub const IP_FAILURES: u32 = 20;
/// Window and lockout length for the per-address limit, in seconds.
pub const IP_WINDOW_SECS: i64 = 15 * 60;
/// Entries a table holds before expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// Failures of one login or address.
#[derive(Debug, Clone, Copy)]
struct Counter {
    window_start: Ts,
    failures: u32,
    locked_until: Option<Ts>,
}

/// One table of counters with its limit.
struct Table<K> {
    limit: u32,
    window_secs: i64,
    counters: Mutex<HashMap<K, Counter>>,
}

impl<K: Eq + Hash> Table<K> {
    fn new(limit: u32, window_secs: i64) -> Table<K> {
        Table { limit: limit.max(1), window_secs: window_secs.max(1), counters: Mutex::new(HashMap::new()) }
    }

    /// Seconds until `key` is unlocked, if it is locked at `now`.
    fn retry_after(&self, key: &K, now: Ts) -> Option<u64> {
        let counters = self.counters.lock().ok()?;
        let until = counters.get(key)?.locked_until?;
        seconds_until(now, until)
    }

    /// Counts a failure; returns the seconds of lockout it started, if any.
    fn fail(&self, key: K, now: Ts) -> Option<u64> {
        let mut counters = self.counters.lock().ok()?;
        if counters.len() >= SWEEP_AT {
            let window = self.window_secs;
            counters.retain(|_, c| !expired(c, now, window));
        }
        let c = counters.entry(key).or_insert(Counter { window_start: now, failures: 0, locked_until: None });
        if expired(c, now, self.window_secs) {
            *c = Counter { window_start: now, failures: 0, locked_until: None };
        }
        if c.locked_until.is_some_and(|until| until > now) {
            return None;
        }
        c.failures += 1;
        if c.failures >= self.limit {
            let until = now.plus_seconds(self.window_secs);
            c.locked_until = Some(until);
            return seconds_until(now, until);
        }
        None
    }

    fn clear(&self, key: &K) {
        if let Ok(mut counters) = self.counters.lock() {
            counters.remove(key);
        }
    }
}

/// Whether a counter no longer matters: its window has passed and it is not locked.
fn expired(c: &Counter, now: Ts, window_secs: i64) -> bool {
    let window_over = c.window_start.plus_seconds(window_secs) <= now;
    let unlocked = c.locked_until.is_none_or(|until| until <= now);
    window_over && unlocked
}

fn seconds_until(now: Ts, until: Ts) -> Option<u64> {
    let micros = until.0.saturating_sub(now.0);
    if micros <= 0 {
        return None;
    }
    // Round up: a client that waits the advertised time finds the lock gone.
    Some(u64::try_from(micros.saturating_add(999_999) / 1_000_000).unwrap_or(u64::MAX))
}

/// Failed sign-in counting per login and per client address, with temporary lockout.
pub struct LoginLimiter {
    /// Failures before a login is locked.
    pub failures_before_lockout: u32,
    /// Lockout length (and counting window) in seconds.
    pub lockout_secs: i64,
    logins: Table<String>,
    addresses: Table<IpAddr>,
}

impl LoginLimiter {
    /// A limiter locking a login after `failures_before_lockout` failures for `lockout_secs`,
    /// and an address after [`IP_FAILURES`] failures within [`IP_WINDOW_SECS`].
    pub fn new(failures_before_lockout: u32, lockout_secs: i64) -> LoginLimiter {
        Self::with_address_limit(failures_before_lockout, lockout_secs, IP_FAILURES, IP_WINDOW_SECS)
    }

    /// A limiter with an explicit per-address limit.
    pub fn with_address_limit(
        failures_before_lockout: u32,
        lockout_secs: i64,
        address_failures: u32,
        address_window_secs: i64,
    ) -> LoginLimiter {
        LoginLimiter {
            failures_before_lockout,
            lockout_secs,
            logins: Table::new(failures_before_lockout, lockout_secs),
            addresses: Table::new(address_failures, address_window_secs),
        }
    }

    /// Seconds to wait before `login` may be tried from `ip`, when either is locked at `now`.
    pub fn retry_after(&self, login: &str, ip: Option<IpAddr>, now: Ts) -> Option<u64> {
        let by_login = self.logins.retry_after(&login.to_lowercase(), now);
        let by_ip = ip.and_then(|ip| self.addresses.retry_after(&ip, now));
        by_login.max(by_ip)
    }

    /// Counts a failed sign-in; returns the seconds of a lockout it started, if any.
    pub fn record_failure(&self, login: &str, ip: Option<IpAddr>, now: Ts) -> Option<u64> {
        let by_login = self.logins.fail(login.to_lowercase(), now);
        let by_ip = ip.and_then(|ip| self.addresses.fail(ip, now));
        by_login.max(by_ip)
    }

    /// Forgets the failures of a login (after a successful sign-in or a password reset).
    /// The address keeps its count: one good password does not excuse a spray of bad ones.
    pub fn record_success(&self, login: &str) {
        self.logins.clear(&login.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Ts = Ts(1_000_000_000_000);

    fn at(secs: i64) -> Ts {
        T0.plus_seconds(secs)
    }

    #[test]
    fn a_login_locks_after_the_limit_and_unlocks_after_the_lockout() {
        let l = LoginLimiter::new(3, 60);
        assert_eq!(l.record_failure("Ann", None, at(0)), None);
        assert_eq!(l.record_failure("ann", None, at(1)), None);
        assert_eq!(l.retry_after("ann", None, at(1)), None);
        assert_eq!(l.record_failure("ANN", None, at(2)), Some(60));
        assert_eq!(l.retry_after("ann", None, at(2)), Some(60));
        assert_eq!(l.retry_after("ann", None, at(31)), Some(31));
        assert_eq!(l.retry_after("bob", None, at(31)), None);
        assert_eq!(l.retry_after("ann", None, at(62)), None);
        // A fresh window after the lockout.
        assert_eq!(l.record_failure("ann", None, at(63)), None);
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let l = LoginLimiter::new(2, 60);
        assert_eq!(l.record_failure("ann", None, at(0)), None);
        assert_eq!(l.record_failure("ann", None, at(61)), None);
        assert_eq!(l.record_failure("ann", None, at(62)), Some(60));
    }

    #[test]
    fn success_clears_the_login_but_not_the_address() {
        let ip: IpAddr = [10, 0, 0, 1].into();
        let l = LoginLimiter::with_address_limit(3, 60, 3, 100);
        l.record_failure("ann", Some(ip), at(0));
        l.record_failure("ann", Some(ip), at(1));
        l.record_success("ann");
        assert_eq!(l.record_failure("ann", Some(ip), at(2)), Some(100));
        assert_eq!(l.retry_after("someone-else", Some(ip), at(3)), Some(99));
        assert_eq!(l.retry_after("someone-else", Some([10, 0, 0, 2].into()), at(3)), None);
        assert_eq!(l.retry_after("ann", None, at(3)), None);
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let l = LoginLimiter::new(1, 60);
        assert_eq!(l.record_failure("ann", None, at(0)), Some(60));
        assert_eq!(l.record_failure("ann", None, at(30)), None);
        assert_eq!(l.retry_after("ann", None, at(30)), Some(30));
    }

    #[test]
    fn retry_after_rounds_up() {
        let l = LoginLimiter::new(1, 60);
        l.record_failure("ann", None, at(0));
        assert_eq!(l.retry_after("ann", None, Ts(at(59).0 + 1)), Some(1));
    }
}
