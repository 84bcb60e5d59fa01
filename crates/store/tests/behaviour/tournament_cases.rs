//! Users, tournaments, leagues and final standings.

use std::sync::Arc;

use bullpen_domain::{
    ChallengeRules, EntryId, LeagueId, Money, TournamentId, TournamentKind, TournamentState, Ts, UserId,
};
use bullpen_store::{FinalStanding, NewLeague, NewUser, Store, StoreError};

use crate::fixtures::{day, new_tournament, tournament, tournament_with_entries, user};

pub async fn users_have_unique_handles(store: Arc<dyn Store>) {
    let new = NewUser { handle: "ada".into(), display_name: "Ada L.".into(), is_bot: true, created_at: Ts(42) };
    let ada = store.create_user(new.clone()).await.unwrap();
    assert!(ada.id.0 > 0);
    assert_eq!(
        (ada.handle.as_str(), ada.display_name.as_str(), ada.is_bot, ada.created_at),
        ("ada", "Ada L.", true, Ts(42))
    );
    assert_eq!(store.user(ada.id).await.unwrap(), Some(ada.clone()));
    assert_eq!(store.user_by_handle("ada").await.unwrap(), Some(ada.clone()));
    assert_eq!(store.user_by_handle("bob").await.unwrap(), None);
    assert_eq!(store.user(UserId(ada.id.0 + 100)).await.unwrap(), None);

    let dup = store.create_user(NewUser { display_name: "Other".into(), ..new }).await;
    match dup {
        Err(StoreError::Conflict(msg)) => assert!(msg.contains("ada"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let bob = user(&store, "bob").await;
    assert_ne!(bob, ada.id);
}

pub async fn tournaments_create_find_update_and_change_state(store: Arc<dyn Store>) {
    let mut spring = new_tournament("Spring");
    spring.kind = TournamentKind::Challenge;
    spring.challenge = Some(ChallengeRules { min_trading_days: 3, ..ChallengeRules::default() });
    spring.rules.starting_cash = Money::from_dollars(50_000);
    spring.rules.short_selling = false;
    let created = store.create_tournament(spring.clone()).await.unwrap();
    assert_eq!(created.name, "Spring");
    assert_eq!(created.kind, TournamentKind::Challenge);
    assert_eq!(created.state, TournamentState::Running);
    assert_eq!(created.rules, spring.rules);
    assert_eq!(created.challenge, spring.challenge);
    assert_eq!((created.starts_on, created.ends_on), (spring.starts_on, spring.ends_on));

    assert_eq!(store.tournament(created.id).await.unwrap(), Some(created.clone()));
    assert_eq!(store.tournament_by_name("Spring").await.unwrap(), Some(created.clone()));
    assert_eq!(store.tournament_by_name("Nope").await.unwrap(), None);
    assert!(matches!(store.create_tournament(spring).await, Err(StoreError::Conflict(_))));

    let mut later = new_tournament("Summer");
    later.starts_on = day(2024, 4, 1);
    later.ends_on = day(2024, 6, 28);
    let summer = store.create_tournament(later).await.unwrap();
    let names: Vec<String> = store.tournaments().await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["Summer", "Spring"], "newest start first");

    let mut changed = created.clone();
    changed.name = "Spring Open".into();
    changed.starts_on = day(2024, 1, 8);
    changed.rules.max_orders_per_day = Some(50);
    changed.challenge = None;
    store.update_tournament(&changed).await.unwrap();
    assert_eq!(store.tournament(created.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(store.tournament_by_name("Spring").await.unwrap(), None);

    let mut clash = changed.clone();
    clash.name = "Summer".into();
    assert!(matches!(store.update_tournament(&clash).await, Err(StoreError::Conflict(_))));
    let mut ghost = changed.clone();
    ghost.id = TournamentId(summer.id.0 + 1_000);
    assert!(matches!(store.update_tournament(&ghost).await, Err(StoreError::NotFound(_))));

    store.set_tournament_state(created.id, TournamentState::Finished).await.unwrap();
    assert_eq!(store.tournament(created.id).await.unwrap().unwrap().state, TournamentState::Finished);
    assert!(matches!(
        store.set_tournament_state(ghost.id, TournamentState::Running).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn leagues_have_unique_codes_and_members(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "lg", 3).await;
    let other = tournament(&store, "Other cup").await;
    let boss = entries[0].user_id;
    let new = NewLeague {
        tournament_id: t,
        name: "Office".into(),
        invite_code: "ABCD2345".into(),
        commissioner: boss,
        created_at: Ts(77),
    };
    let league = store.create_league(new.clone()).await.unwrap();
    assert_eq!((league.name.as_str(), league.invite_code.as_str(), league.commissioner), ("Office", "ABCD2345", boss));
    assert_eq!(store.league(league.id).await.unwrap(), Some(league.clone()));
    assert_eq!(store.league_by_code("ABCD2345").await.unwrap(), Some(league.clone()));
    assert_eq!(store.league_by_code("ZZZZ9999").await.unwrap(), None);
    let dup = store.create_league(NewLeague { name: "Copycat".into(), ..new.clone() }).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");

    let second =
        store.create_league(NewLeague { invite_code: "WXYZ6789".into(), name: "Family".into(), ..new }).await.unwrap();
    let ids: Vec<LeagueId> = store.leagues(t).await.unwrap().into_iter().map(|l| l.id).collect();
    assert_eq!(ids, [league.id, second.id]);
    assert!(store.leagues(other).await.unwrap().is_empty());

    store.add_league_member(league.id, entries[2].id).await.unwrap();
    store.add_league_member(league.id, entries[0].id).await.unwrap();
    store.add_league_member(league.id, entries[0].id).await.unwrap();
    assert_eq!(store.league_members(league.id).await.unwrap(), [entries[0].id, entries[2].id]);
    assert!(store.league_members(second.id).await.unwrap().is_empty());

    store.remove_league_member(league.id, entries[0].id).await.unwrap();
    assert_eq!(store.league_members(league.id).await.unwrap(), [entries[2].id]);
    assert!(matches!(store.remove_league_member(league.id, entries[0].id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(
        store.add_league_member(LeagueId(second.id.0 + 100), entries[1].id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(store.add_league_member(league.id, EntryId::compose(t, 99)).await, Err(StoreError::NotFound(_))));
}

pub async fn final_standings_are_replaced_and_ordered_by_rank(store: Arc<dyn Store>) {
    let (t, entries) = tournament_with_entries(&store, "fs", 3).await;
    assert!(store.final_standings(t).await.unwrap().is_empty());
    let standing = |i: usize, rank: u32, badges: &[&str]| FinalStanding {
        entry_id: entries[i].id,
        rank,
        score: 1_000_000 - i64::from(rank) * 1_000,
        equity: Money(1_000_000_000 + i64::from(rank)),
        badges: badges.iter().map(|b| b.to_string()).collect(),
    };
    let first = vec![standing(2, 2, &[]), standing(0, 1, &["champion", "sharpshooter"]), standing(1, 3, &["podium"])];
    store.save_final_standings(t, &first).await.unwrap();
    let read = store.final_standings(t).await.unwrap();
    assert_eq!(read, vec![first[1].clone(), first[0].clone(), first[2].clone()]);

    let second = vec![standing(1, 1, &["champion"]), standing(0, 2, &[])];
    store.save_final_standings(t, &second).await.unwrap();
    assert_eq!(store.final_standings(t).await.unwrap(), second, "replaced, not merged");

    let twice = vec![standing(1, 1, &[]), standing(1, 2, &[])];
    assert!(matches!(store.save_final_standings(t, &twice).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.final_standings(t).await.unwrap(), second, "a failed save changes nothing");
}
