//! Sign-in rate limits and temporary lockouts.

/// Failed sign-in counting per handle, with temporary lockout.
pub struct LoginLimiter {
    /// Failures before lockout.
    pub failures_before_lockout: u32,
    /// Lockout length in seconds.
    pub lockout_secs: i64,
}

impl LoginLimiter {
    /// A limiter.
    pub fn new(failures_before_lockout: u32, lockout_secs: i64) -> LoginLimiter {
        LoginLimiter { failures_before_lockout, lockout_secs }
    }
}
