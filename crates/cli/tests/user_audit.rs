//! `bullpen user create` and `bullpen audit verify`, including tampering with the SQLite file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_bullpen");

fn bullpen(args: &[&str], data: &Path, password: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).arg("--data-dir").arg(data).env_remove("BULLPEN_DATABASE_URL").env_remove("BULLPEN_PASSWORD");
    if let Some(p) = password {
        cmd.env("BULLPEN_PASSWORD", p);
    }
    cmd.stdin(Stdio::null()).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn create(data: &Path, handle: &str, extra: &[&str]) -> i64 {
    let email = format!("{handle}@example.com");
    let mut args = vec!["user", "create", "--handle", handle, "--email", &email];
    args.extend_from_slice(extra);
    let out = bullpen(&args, data, Some("a long enough password"));
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn verify(data: &Path) -> Output {
    bullpen(&["audit", "verify"], data, None)
}

fn db(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data.join("bullpen.db")).unwrap()
}

#[test]
fn user_create_makes_accounts_with_roles_and_audits_them() {
    let dir = tempfile::tempdir().unwrap();
    let admin = create(dir.path(), "root", &["--admin"]);
    let coach = create(dir.path(), "carla", &["--role", "coach", "--display-name", "Carla C"]);
    assert_ne!(admin, coach);
    let conn = db(dir.path());
    let role: String = conn.query_row("SELECT role FROM accounts WHERE user_id = ?1", [admin], |r| r.get(0)).unwrap();
    assert_eq!(role, "admin");
    let (role, hash): (String, String) = conn
        .query_row("SELECT role, password_hash FROM accounts WHERE user_id = ?1", [coach], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(role, "coach");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let name: String = conn.query_row("SELECT display_name FROM users WHERE id = ?1", [coach], |r| r.get(0)).unwrap();
    assert_eq!(name, "Carla C");
    let (actions, actors, details): (String, i64, String) = conn
        .query_row("SELECT group_concat(action), count(actor), group_concat(detail) FROM audit_log", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(actions, "admin.user.create,admin.user.create");
    assert_eq!(actors, 0, "CLI-created accounts have no actor");
    assert!(!details.contains("a long enough password"));
}

#[test]
fn user_create_reads_the_password_from_stdin_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["user", "create", "--handle", "ann", "--email", "ann@example.com", "--data-dir"])
        .arg(dir.path())
        .env_remove("BULLPEN_DATABASE_URL")
        .env_remove("BULLPEN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"typed on stdin 123\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let hash: String = db(dir.path()).query_row("SELECT password_hash FROM accounts", [], |r| r.get(0)).unwrap();
    assert!(bullpen_web::auth::credentials::verify_password("typed on stdin 123", &hash));

    let pw = Some("a long enough password");
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        (&["--handle", "ann", "--email", "other@example.com"], pw, "taken"),
        (&["--handle", "bob", "--email", "ann@example.com"], pw, "e-mail"),
        (&["--handle", "Bad Handle", "--email", "b@example.com"], pw, "handle must be"),
        (&["--handle", "bob", "--email", "not-an-email"], pw, "not an e-mail address"),
        (&["--handle", "bob", "--email", "bob@example.com"], Some("short"), "at least 10"),
        (&["--handle", "bob", "--email", "bob@example.com", "--role", "king"], pw, "unknown role"),
        (&["--handle", "bob", "--email", "bob@example.com", "--role", "coach", "--admin"], pw, "cannot be used"),
    ];
    for (args, password, expect) in cases {
        let mut all = vec!["user", "create"];
        all.extend_from_slice(args);
        let out = bullpen(&all, dir.path(), *password);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(text(&out).contains(expect), "{args:?}: {}", text(&out));
        assert!(!text(&out).contains("a long enough password"));
    }
    let n: i64 = db(dir.path()).query_row("SELECT count(*) FROM accounts", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "nothing was created by the refused commands");
}

#[test]
fn audit_verify_detects_modified_removed_and_swapped_entries() {
    let dir = tempfile::tempdir().unwrap();
    let empty = verify(dir.path());
    assert!(empty.status.success(), "{}", text(&empty));
    assert!(text(&empty).contains("audit log verified: 0 entries"), "{}", text(&empty));

    for (i, handle) in ["root", "ann", "bob", "cid"].iter().enumerate() {
        create(dir.path(), handle, if i == 0 { &["--admin"] } else { &[] });
    }
    let ok = verify(dir.path());
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("audit log verified: 4 entries"), "{}", text(&ok));

    // Modify one entry's target.
    let conn = db(dir.path());
    conn.execute("UPDATE audit_log SET target = 'mallory' WHERE seq = 3", []).unwrap();
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("FAILED at entry 3"), "{}", text(&out));
    assert!(text(&out).contains("modified"), "{}", text(&out));
    conn.execute("UPDATE audit_log SET target = 'bob' WHERE seq = 3", []).unwrap();
    assert!(verify(dir.path()).status.success(), "restored");

    // Remove one entry.
    let row = |seq: i64| -> (i64, Option<i64>, String, String, String, String, String) {
        conn.query_row(
            "SELECT at, actor, action, target, detail, prev_hash, hash FROM audit_log WHERE seq = ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .unwrap()
    };
    let saved = row(2);
    conn.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("FAILED at entry 2"), "{}", text(&out));
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) VALUES (2, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![saved.0, saved.1, saved.2, saved.3, saved.4, saved.5, saved.6],
    )
    .unwrap();
    assert!(verify(dir.path()).status.success(), "restored");

    // Swap the content of two entries (reordering them, seq numbers kept).
    let (a, b) = (row(2), row(3));
    let put = |seq: i64, r: &(i64, Option<i64>, String, String, String, String, String)| {
        conn.execute(
            "UPDATE audit_log SET at = ?2, actor = ?3, action = ?4, target = ?5, detail = ?6, prev_hash = ?7, hash = ?8 \
             WHERE seq = ?1",
            rusqlite::params![seq, r.0, r.1, r.2, r.3, r.4, r.5, r.6],
        )
        .unwrap();
    };
    put(2, &b);
    put(3, &a);
    let out = verify(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("FAILED at entry 2"), "{}", text(&out));
    assert!(text(&out).contains("does not link"), "{}", text(&out));
}
