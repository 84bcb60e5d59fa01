//! Accounts, sessions, API keys, reset tokens, the outbox, organisations and the audit log.

use std::sync::Arc;

use bullpen_domain::{Ts, UserId};
use bullpen_store::{
    audit_hash, ApiKey, AuditDraft, AuditEntry, AuditVerifier, KeyScope, NewAccount, OutboxMessage, Role, Session,
    Store, StoreError, AUDIT_GENESIS_HASH,
};

use crate::fixtures::{tournament_with_entries, user};

fn new_account(handle: &str) -> NewAccount {
    NewAccount {
        handle: handle.to_string(),
        display_name: format!("{handle} (display)"),
        email: format!("{handle}@example.com"),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${handle}"),
        role: Role::Player,
        created_at: Ts(5_000),
    }
}

fn session(token: &str, user: UserId, expires_at: i64) -> Session {
    Session {
        token_hash: token.to_string(),
        user_id: user,
        csrf_token: format!("csrf-{token}"),
        created_at: Ts(1_000),
        expires_at: Ts(expires_at),
        revoked_at: None,
    }
}

fn draft(i: i64) -> AuditDraft {
    AuditDraft {
        at: Ts(10_000 + i),
        actor: if i % 3 == 0 { None } else { Some(UserId(i)) },
        action: "auth.sign_in".into(),
        target: format!("user{i}"),
        detail: format!("{{\"n\":{i}}}"),
    }
}

async fn all_audit(store: &Arc<dyn Store>) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    loop {
        let after = out.last().map_or(0, |e: &AuditEntry| e.seq);
        let page = store.audit_entries(after, 7).await.unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

fn verify(entries: &[AuditEntry]) -> i64 {
    let mut v = AuditVerifier::default();
    for e in entries {
        v.check(e).unwrap();
    }
    v.verified()
}

pub async fn accounts_create_find_and_change(store: Arc<dyn Store>) {
    let mut new = new_account("ada");
    new.role = Role::Coach;
    let ada = store.create_account(new.clone()).await.unwrap();
    assert!(ada.user.id.0 > 0);
    assert_eq!(
        (ada.user.handle.as_str(), ada.user.display_name.as_str(), ada.user.is_bot, ada.user.created_at),
        ("ada", "ada (display)", false, Ts(5_000))
    );
    assert_eq!((ada.email.as_str(), ada.password_hash.as_str()), (new.email.as_str(), new.password_hash.as_str()));
    assert_eq!((ada.role, ada.active), (Role::Coach, true));

    assert_eq!(store.account(ada.user.id).await.unwrap(), Some(ada.clone()));
    assert_eq!(store.account_by_handle("ada").await.unwrap(), Some(ada.clone()));
    assert_eq!(store.account_by_email("ada@example.com").await.unwrap(), Some(ada.clone()));
    assert_eq!(store.user(ada.user.id).await.unwrap(), Some(ada.user.clone()), "the user exists too");
    assert_eq!(store.account_by_handle("bob").await.unwrap(), None);
    assert_eq!(store.account_by_email("bob@example.com").await.unwrap(), None);
    assert_eq!(store.account(UserId(ada.user.id.0 + 1_000)).await.unwrap(), None);

    // A bot user has no account.
    let bot = user(&store, "bot1").await;
    assert_eq!(store.account(bot).await.unwrap(), None);
    assert_eq!(store.account_by_handle("bot1").await.unwrap(), None);

    let bob = store.create_account(new_account("bob")).await.unwrap();
    let cy = store.create_account(new_account("cy")).await.unwrap();
    let ids = |v: Vec<bullpen_store::Account>| v.into_iter().map(|a| a.user.id).collect::<Vec<_>>();
    assert_eq!(ids(store.accounts(None, 10).await.unwrap()), [ada.user.id, bob.user.id, cy.user.id]);
    assert_eq!(ids(store.accounts(None, 2).await.unwrap()), [ada.user.id, bob.user.id]);
    assert_eq!(ids(store.accounts(Some(bob.user.id), 10).await.unwrap()), [cy.user.id]);
    assert!(store.accounts(Some(cy.user.id), 10).await.unwrap().is_empty());

    store.set_role(bob.user.id, Role::Admin).await.unwrap();
    store.set_password(bob.user.id, "$argon2id$new").await.unwrap();
    store.set_active(bob.user.id, false).await.unwrap();
    let changed = store.account(bob.user.id).await.unwrap().unwrap();
    assert_eq!((changed.role, changed.password_hash.as_str(), changed.active), (Role::Admin, "$argon2id$new", false));
    store.set_active(bob.user.id, true).await.unwrap();
    assert!(store.account(bob.user.id).await.unwrap().unwrap().active);
    assert_eq!(store.account(ada.user.id).await.unwrap(), Some(ada), "others unchanged");

    let ghost = UserId(cy.user.id.0 + 1_000);
    assert!(matches!(store.set_role(ghost, Role::Admin).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.set_password(ghost, "x").await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.set_active(ghost, false).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.set_role(bot, Role::Admin).await, Err(StoreError::NotFound(_))), "bots have no account");
}

pub async fn duplicate_handles_and_emails_conflict_and_write_nothing(store: Arc<dyn Store>) {
    let ada = store.create_account(new_account("ada")).await.unwrap();

    let mut same_handle = new_account("ada");
    same_handle.email = "other@example.com".into();
    match store.create_account(same_handle).await {
        Err(StoreError::Conflict(msg)) => assert!(msg.contains("ada") && msg.contains("handle"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.account_by_email("other@example.com").await.unwrap(), None);

    // The handle of a plain (bot) user is taken too.
    user(&store, "botty").await;
    assert!(matches!(store.create_account(new_account("botty")).await, Err(StoreError::Conflict(_))));

    let mut same_email = new_account("eve");
    same_email.email = "ada@example.com".into();
    match store.create_account(same_email).await {
        Err(StoreError::Conflict(msg)) => assert!(msg.contains("ada@example.com"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // The user row of the failed account was rolled back with it.
    assert_eq!(store.user_by_handle("eve").await.unwrap(), None);
    assert_eq!(store.account_by_handle("eve").await.unwrap(), None);
    assert_eq!(store.accounts(None, 100).await.unwrap(), [ada]);

    // The handle is free again and can be used.
    let eve = store.create_account(new_account("eve")).await.unwrap();
    assert_eq!(store.account_by_handle("eve").await.unwrap(), Some(eve));
}

pub async fn sessions_create_find_and_revoke(store: Arc<dyn Store>) {
    let ada = store.create_account(new_account("ada")).await.unwrap().user.id;
    let bob = store.create_account(new_account("bob")).await.unwrap().user.id;

    let s1 = session("h1", ada, 90_000);
    store.create_session(&s1).await.unwrap();
    store.create_session(&session("h2", ada, 90_000)).await.unwrap();
    store.create_session(&session("h3", bob, 90_000)).await.unwrap();
    assert_eq!(store.session("h1").await.unwrap(), Some(s1.clone()));
    assert_eq!(store.session("nope").await.unwrap(), None);

    assert!(matches!(store.create_session(&session("h1", bob, 1)).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.session("h1").await.unwrap(), Some(s1.clone()), "unchanged by the conflict");
    let ghost = UserId(bob.0 + 1_000);
    assert!(matches!(store.create_session(&session("h9", ghost, 1)).await, Err(StoreError::NotFound(_))));

    store.revoke_session("h1", Ts(2_000)).await.unwrap();
    assert_eq!(store.session("h1").await.unwrap().unwrap().revoked_at, Some(Ts(2_000)));
    store.revoke_session("h1", Ts(3_000)).await.unwrap();
    assert_eq!(store.session("h1").await.unwrap().unwrap().revoked_at, Some(Ts(2_000)), "first revocation kept");
    store.revoke_session("unknown", Ts(3_000)).await.unwrap();

    // Only ada's still-live session counts.
    assert_eq!(store.revoke_user_sessions(ada, Ts(4_000)).await.unwrap(), 1);
    assert_eq!(store.session("h2").await.unwrap().unwrap().revoked_at, Some(Ts(4_000)));
    assert_eq!(store.session("h1").await.unwrap().unwrap().revoked_at, Some(Ts(2_000)));
    assert_eq!(store.session("h3").await.unwrap().unwrap().revoked_at, None, "bob's untouched");
    assert_eq!(store.revoke_user_sessions(ada, Ts(5_000)).await.unwrap(), 0);
}

pub async fn api_keys_create_list_touch_and_revoke(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "keys", 2).await;
    let owner = entries[0].user_id;
    let key = |id: &str, created: i64, scope: KeyScope| ApiKey {
        key_id: id.to_string(),
        secret_hash: format!("secret-{id}"),
        user_id: owner,
        tournament_id: t,
        entry_id: entries[0].id,
        scope,
        label: format!("label {id}"),
        created_at: Ts(created),
        last_used_at: None,
        revoked_at: None,
    };
    let k1 = key("PK1", 1_000, KeyScope::Trade);
    let k2 = key("PK2", 2_000, KeyScope::ReadOnly);
    store.create_api_key(&k1).await.unwrap();
    store.create_api_key(&k2).await.unwrap();
    let mut other = key("PK3", 3_000, KeyScope::Trade);
    other.user_id = entries[1].user_id;
    other.entry_id = entries[1].id;
    store.create_api_key(&other).await.unwrap();

    assert_eq!(store.api_key("PK1").await.unwrap(), Some(k1.clone()));
    assert_eq!(store.api_key("PK2").await.unwrap(), Some(k2.clone()));
    assert_eq!(store.api_key("nope").await.unwrap(), None);
    assert_eq!(store.api_keys_of_user(owner).await.unwrap(), [k2.clone(), k1.clone()], "newest first");
    assert_eq!(store.api_keys_of_user(entries[1].user_id).await.unwrap(), [other.clone()]);

    match store.create_api_key(&key("PK1", 9_000, KeyScope::ReadOnly)).await {
        Err(StoreError::Conflict(msg)) => assert!(msg.contains("PK1"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.api_key("PK1").await.unwrap(), Some(k1.clone()));
    let mut orphan = key("PK4", 4_000, KeyScope::Trade);
    orphan.entry_id = bullpen_domain::EntryId::compose(t, 99);
    assert!(matches!(store.create_api_key(&orphan).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.api_key("PK4").await.unwrap(), None);

    store.touch_api_keys(&[("PK1".into(), Ts(5_000))]).await.unwrap();
    store.touch_api_keys(&[("PK1".into(), Ts(6_000)), ("nope".into(), Ts(6_000))]).await.unwrap();
    assert_eq!(store.api_key("PK1").await.unwrap().unwrap().last_used_at, Some(Ts(6_000)));
    store
        .touch_api_keys(&[("PK1".into(), Ts(5_500)), ("PK3".into(), Ts(5_900)), ("PK3".into(), Ts(5_800))])
        .await
        .unwrap();
    assert_eq!(store.api_key("PK1").await.unwrap().unwrap().last_used_at, Some(Ts(6_000)), "never backwards");
    assert_eq!(store.api_key("PK3").await.unwrap().unwrap().last_used_at, Some(Ts(5_900)), "the latest of two");
    store.touch_api_keys(&[]).await.unwrap();

    store.revoke_api_key("PK1", Ts(7_000)).await.unwrap();
    store.revoke_api_key("PK1", Ts(8_000)).await.unwrap();
    let revoked = store.api_key("PK1").await.unwrap().unwrap();
    assert_eq!((revoked.revoked_at, revoked.last_used_at), (Some(Ts(7_000)), Some(Ts(6_000))));
    assert_eq!(store.api_key("PK2").await.unwrap(), Some(k2), "other keys untouched");
    match store.revoke_api_key("nope", Ts(7_000)).await {
        Err(StoreError::NotFound(msg)) => assert!(msg.contains("nope"), "{msg}"),
        other => panic!("expected not found, got {other:?}"),
    }
}

pub async fn reset_tokens_are_single_use_and_expire(store: Arc<dyn Store>) {
    let ada = store.create_account(new_account("ada")).await.unwrap().user.id;
    store.create_reset_token("r1", ada, Ts(10_000)).await.unwrap();
    store.create_reset_token("r2", ada, Ts(10_000)).await.unwrap();
    assert!(matches!(store.create_reset_token("r1", ada, Ts(20_000)).await, Err(StoreError::Conflict(_))));
    let ghost = UserId(ada.0 + 1_000);
    assert!(matches!(store.create_reset_token("r9", ghost, Ts(20_000)).await, Err(StoreError::NotFound(_))));

    assert_eq!(store.consume_reset_token("unknown", Ts(5_000)).await.unwrap(), None);
    assert_eq!(store.consume_reset_token("r1", Ts(5_000)).await.unwrap(), Some(ada));
    assert_eq!(store.consume_reset_token("r1", Ts(5_001)).await.unwrap(), None, "single use");
    // Expired at exactly its expiry time, and an expired token stays unusable.
    assert_eq!(store.consume_reset_token("r2", Ts(10_000)).await.unwrap(), None);
    assert_eq!(store.consume_reset_token("r2", Ts(9_999)).await.unwrap(), Some(ada), "not consumed by the failure");

    // Racing consumers: exactly one wins.
    store.create_reset_token("r3", ada, Ts(10_000)).await.unwrap();
    let mut racers = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        racers.push(tokio::spawn(async move { store.consume_reset_token("r3", Ts(1_000 + i)).await.unwrap() }));
    }
    let mut winners = 0;
    for r in racers {
        if r.await.unwrap().is_some() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

pub async fn outbox_lists_newest_first_per_recipient(store: Arc<dyn Store>) {
    let message = |to: &str, n: i64| OutboxMessage {
        id: 0,
        recipient: to.to_string(),
        subject: format!("subject {n}"),
        body: format!("body {n}\nline two"),
        created_at: Ts(n),
    };
    let a1 = store.enqueue_outbox(&message("a@example.com", 1)).await.unwrap();
    let b1 = store.enqueue_outbox(&message("b@example.com", 2)).await.unwrap();
    let a2 = store.enqueue_outbox(&message("a@example.com", 3)).await.unwrap();
    let a3 = store.enqueue_outbox(&message("a@example.com", 4)).await.unwrap();
    assert!(a1.id > 0 && a1.id < b1.id && b1.id < a2.id && a2.id < a3.id);
    assert_eq!(a1, OutboxMessage { id: a1.id, ..message("a@example.com", 1) });

    assert_eq!(store.outbox_for("a@example.com", 10).await.unwrap(), [a3.clone(), a2.clone(), a1]);
    assert_eq!(store.outbox_for("a@example.com", 2).await.unwrap(), [a3, a2]);
    assert_eq!(store.outbox_for("b@example.com", 10).await.unwrap(), [b1]);
    assert!(store.outbox_for("c@example.com", 10).await.unwrap().is_empty());
}

pub async fn organisations_have_unique_names_and_members(store: Arc<dyn Store>) {
    let zeta = store.create_organisation("Zeta Capital", Ts(100)).await.unwrap();
    let alpha = store.create_organisation("Alpha Trading", Ts(200)).await.unwrap();
    assert_eq!((zeta.name.as_str(), zeta.created_at), ("Zeta Capital", Ts(100)));
    assert_ne!(zeta.id, alpha.id);
    match store.create_organisation("Zeta Capital", Ts(300)).await {
        Err(StoreError::Conflict(msg)) => assert!(msg.contains("Zeta Capital"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.organisation(zeta.id).await.unwrap(), Some(zeta.clone()));
    assert_eq!(store.organisation(zeta.id + alpha.id + 1_000).await.unwrap(), None);
    assert_eq!(store.organisations().await.unwrap(), [alpha.clone(), zeta.clone()], "by name");

    let ada = store.create_account(new_account("ada")).await.unwrap().user.id;
    let bob = store.create_account(new_account("bob")).await.unwrap().user.id;
    store.add_organisation_member(zeta.id, bob).await.unwrap();
    store.add_organisation_member(zeta.id, ada).await.unwrap();
    store.add_organisation_member(zeta.id, ada).await.unwrap(); // idempotent
    store.add_organisation_member(alpha.id, ada).await.unwrap();
    assert_eq!(store.organisation_members(zeta.id).await.unwrap(), [ada, bob]);
    assert_eq!(store.organisation_members(alpha.id).await.unwrap(), [ada]);
    let mut ada_orgs = vec![zeta.id, alpha.id];
    ada_orgs.sort();
    assert_eq!(store.organisations_of_user(ada).await.unwrap(), ada_orgs);
    assert_eq!(store.organisations_of_user(bob).await.unwrap(), [zeta.id]);

    let ghost = UserId(bob.0 + 1_000);
    assert!(matches!(store.add_organisation_member(zeta.id, ghost).await, Err(StoreError::NotFound(_))));
    assert!(matches!(
        store.add_organisation_member(zeta.id + alpha.id + 1_000, ada).await,
        Err(StoreError::NotFound(_))
    ));

    store.remove_organisation_member(zeta.id, ada).await.unwrap();
    assert_eq!(store.organisation_members(zeta.id).await.unwrap(), [bob]);
    assert_eq!(store.organisations_of_user(ada).await.unwrap(), [alpha.id]);
    assert!(matches!(store.remove_organisation_member(zeta.id, ada).await, Err(StoreError::NotFound(_))));
}

pub async fn audit_log_forms_a_verifying_chain(store: Arc<dyn Store>) {
    assert!(store.audit_entries(0, 10).await.unwrap().is_empty());
    let first = store.append_audit(&draft(1)).await.unwrap();
    assert_eq!((first.seq, first.prev_hash.as_str()), (1, AUDIT_GENESIS_HASH));
    assert_eq!(first.hash, audit_hash(AUDIT_GENESIS_HASH, 1, &draft(1)));
    assert_eq!(first.draft, draft(1));
    let mut appended = vec![first];
    for i in 2..=20 {
        let e = store.append_audit(&draft(i)).await.unwrap();
        assert_eq!(e.seq, i);
        assert_eq!(e.prev_hash, appended[appended.len() - 1].hash);
        appended.push(e);
    }
    let stored = all_audit(&store).await;
    assert_eq!(stored, appended, "what was returned is what is stored (anonymous actors included)");
    assert_eq!(verify(&stored), 20);

    let page = store.audit_entries(5, 3).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [6, 7, 8]);
    assert!(store.audit_entries(20, 10).await.unwrap().is_empty());
}

pub async fn concurrent_audit_appends_form_one_chain(store: Arc<dyn Store>) {
    store.append_audit(&draft(0)).await.unwrap();
    let mut tasks = Vec::new();
    for i in 1..=50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.append_audit(&draft(i)).await.unwrap() }));
    }
    let mut returned = Vec::new();
    for t in tasks {
        returned.push(t.await.unwrap());
    }
    returned.sort_by_key(|e| e.seq);
    assert_eq!(returned.iter().map(|e| e.seq).collect::<Vec<_>>(), (2..=51).collect::<Vec<_>>());

    let stored = all_audit(&store).await;
    assert_eq!(verify(&stored), 51, "one gap-free chain");
    assert_eq!(&stored[1..], &returned[..]);
    let mut targets: Vec<String> = stored.iter().map(|e| e.draft.target.clone()).collect();
    targets.sort();
    targets.dedup();
    assert_eq!(targets.len(), 51, "every append stored once");
}
