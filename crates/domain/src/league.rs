//! Private leagues: invite codes and names.

/// Characters of an invite code: digits and upper-case letters without the look-alikes `0`, `O`,
/// `1` and `I`. Exactly 32 of them, so each character carries 5 bits.
pub const INVITE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Length of an invite code.
pub const INVITE_CODE_LEN: usize = 8;
/// Longest league name, in characters.
pub const MAX_LEAGUE_NAME_CHARS: usize = 60;

/// An 8-character invite code from caller-supplied randomness (use a CSPRNG: the code is the only
/// secret of an invite link). All 64 bits are folded into the 40 the code holds, so the mapping is
/// deterministic and uniform for uniform input.
pub fn invite_code_from(random: u64) -> String {
    let mut bits = random ^ (random >> 40);
    let mut code = String::with_capacity(INVITE_CODE_LEN);
    for _ in 0..INVITE_CODE_LEN {
        // `bits & 31` is below 32, the alphabet's length.
        let index = (bits & 31) as usize;
        code.push(char::from(INVITE_ALPHABET.get(index).copied().unwrap_or(b'2')));
        bits >>= 5;
    }
    code
}

/// True when `code` is exactly an invite code in canonical form: 8 characters of
/// [`INVITE_ALPHABET`] (upper case). Use [`normalize_invite_code`] on typed input first.
pub fn validate_invite_code(code: &str) -> bool {
    code.len() == INVITE_CODE_LEN && code.bytes().all(|b| INVITE_ALPHABET.contains(&b))
}

/// Canonical form of a code a person typed: trimmed, upper-cased, with spaces and dashes removed;
/// `None` when the result is not a valid code.
pub fn normalize_invite_code(typed: &str) -> Option<String> {
    let code: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    validate_invite_code(&code).then_some(code)
}

/// Checks a league name: not blank, at most [`MAX_LEAGUE_NAME_CHARS`] characters after trimming,
/// no control characters. The error says what is wrong.
pub fn validate_league_name(name: &str) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the league name must not be empty".to_string());
    }
    if name.chars().count() > MAX_LEAGUE_NAME_CHARS {
        return Err(format!("the league name must be at most {MAX_LEAGUE_NAME_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("the league name must not contain control characters".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_valid_and_deterministic() {
        for random in [0, 1, 31, 32, u64::MAX, 0xDEAD_BEEF_CAFE_F00D, 1 << 40, 1 << 63] {
            let code = invite_code_from(random);
            assert!(validate_invite_code(&code), "{code}");
            assert_eq!(code, invite_code_from(random));
            assert!(!code.contains(['0', 'O', '1', 'I']));
        }
        assert_eq!(invite_code_from(0), "22222222");
        // Low five bits pick the first character: 31 → 'Z', then 1 → '3'.
        assert_eq!(invite_code_from(31 | (1 << 5)), "Z3222222");
        // High bits matter too.
        assert_ne!(invite_code_from(1 << 50), invite_code_from(0));
        assert_ne!(invite_code_from(1), invite_code_from(2));
    }

    #[test]
    fn alphabet_has_no_look_alikes() {
        assert_eq!(INVITE_ALPHABET.len(), 32);
        for bad in [b'0', b'O', b'1', b'I'] {
            assert!(!INVITE_ALPHABET.contains(&bad));
        }
        let mut sorted = INVITE_ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 32);
    }

    #[test]
    fn validation_and_normalisation() {
        assert!(validate_invite_code("ABCD2345"));
        assert!(!validate_invite_code("abcd2345"));
        assert!(!validate_invite_code("ABCD234"));
        assert!(!validate_invite_code("ABCD23456"));
        assert!(!validate_invite_code("ABCD234O"));
        assert!(!validate_invite_code("ABCD2341"));
        assert!(!validate_invite_code("ABCD234É"));
        assert!(!validate_invite_code(""));
        assert_eq!(normalize_invite_code(" abcd-2345 "), Some("ABCD2345".to_string()));
        assert_eq!(normalize_invite_code("abcd-234o"), None);
        assert_eq!(normalize_invite_code("ß"), None);
    }

    #[test]
    fn league_names() {
        assert_eq!(validate_league_name("Office Bulls"), Ok(()));
        assert!(validate_league_name("   ").unwrap_err().contains("empty"));
        assert!(validate_league_name(&"x".repeat(61)).unwrap_err().contains("60"));
        assert_eq!(validate_league_name(&"ü".repeat(60)), Ok(()));
        assert!(validate_league_name("a\tb").unwrap_err().contains("control"));
    }
}
