//! Live leaderboards, league views and final standings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use bullpen_domain::{invite_code_from, Entry, EntryId, OrderStatus, Side, TimeInForce, TournamentState};
use bullpen_engine::admin::{create_league, join_league, AdminError};
use bullpen_engine::LeaderboardRow;
use common::*;

fn close_to(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn ranking(rows: &[LeaderboardRow]) -> Vec<(u32, EntryId)> {
    rows.iter().map(|r| (r.rank, r.entry_id)).collect()
}

/// Four players: p1 long AAA, p3 long BBB, p2 and p4 all cash; then AAA rises 10 % and BBB
/// falls 10 %.
async fn four_players() -> (World, Vec<Entry>) {
    let (w, e) = World::running(rules(), 4).await;
    w.place(&e[0], market("AAA", Side::Buy, 100)).await;
    w.place(&e[2], market("BBB", Side::Buy, 200)).await;
    w.tick(&[("AAA", usd(110)), ("BBB", usd(45))]).await;
    (w, e)
}

#[tokio::test]
async fn ranks_follow_equity_with_earlier_joins_first_on_ties() {
    let (w, e) = four_players().await;
    let board = w.handle.leaderboard();
    let rows = &board.rows;
    assert_eq!(ranking(rows), vec![(1, e[0].id), (2, e[1].id), (3, e[3].id), (4, e[2].id)]);
    let equities: Vec<_> = rows.iter().map(|r| r.equity).collect();
    assert_eq!(equities, vec![money(101_000), money(100_000), money(100_000), money(99_000)]);
    // Total return in millionths: +1 %, 0, 0, −1 %.
    let scores: Vec<_> = rows.iter().map(|r| r.score).collect();
    assert_eq!(scores, vec![10_000, 0, 0, -10_000]);
    let percentiles: Vec<_> = rows.iter().map(|r| r.percentile).collect();
    for (got, want) in percentiles.iter().zip([100.0, 200.0 / 3.0, 100.0 / 3.0, 0.0]) {
        assert!(close_to(*got, want), "percentiles {percentiles:?}");
    }
    assert_eq!(board.name(rows[0].entry_id), "Player p1");
    assert_eq!(board.row(e[2].id).map(|r| r.rank), Some(4));
    assert_eq!(board.as_of, w.clock.now_ts());

    // The board is live: a tick reorders it.
    w.tick(&[("AAA", usd(85)), ("BBB", usd(55))]).await;
    let rows = w.handle.leaderboard().rows.clone();
    assert_eq!(ranking(&rows), vec![(1, e[2].id), (2, e[1].id), (3, e[3].id), (4, e[0].id)]);
    assert_eq!(rows[0].equity, money(101_000));
    assert_eq!(rows[3].equity, money(98_500));
}

#[tokio::test]
async fn a_league_ranks_its_members_among_themselves() {
    let (w, e) = four_players().await;
    let commissioner = e[3].user_id;
    let league = create_league(w.store.as_ref(), &w.tournament, "Friends", commissioner, || 0x1234_5678, START)
        .await
        .expect("league");
    assert_eq!(league.invite_code, invite_code_from(0x1234_5678));
    let (joined, entry) =
        join_league(w.store.as_ref(), &league.invite_code.to_lowercase(), e[0].user_id).await.expect("join league");
    assert_eq!((joined.id, entry), (league.id, e[0].id));
    join_league(w.store.as_ref(), &league.invite_code, e[2].user_id).await.expect("join league");

    let members = w.store.league_members(league.id).await.expect("members");
    assert_eq!(members, vec![e[0].id, e[2].id, e[3].id]);
    let board = w.handle.leaderboard();
    let rows = board.subset(&members);
    assert_eq!(ranking(&rows), vec![(1, e[0].id), (2, e[3].id), (3, e[2].id)]);
    let percentiles: Vec<_> = rows.iter().map(|r| r.percentile).collect();
    assert_eq!(percentiles, vec![100.0, 50.0, 0.0]);
    for row in &rows {
        assert_eq!(Some(row.equity), board.row(row.entry_id).map(|r| r.equity));
    }

    // A colliding invite code is retried with the next random number; the draw is deterministic.
    let mut draws = [0x1234_5678_u64, 0x0bad_cafe].into_iter().cycle();
    let second =
        create_league(w.store.as_ref(), &w.tournament, "Rivals", e[1].user_id, || draws.next().unwrap_or(0), START)
            .await
            .expect("second league");
    assert_eq!(second.invite_code, invite_code_from(0x0bad_cafe));
    let stuck = create_league(w.store.as_ref(), &w.tournament, "Stuck", e[1].user_id, || 0x1234_5678, START).await;
    assert!(matches!(stuck, Err(AdminError::Invalid(_))), "{stuck:?}");
    // Someone outside the tournament cannot join its league.
    let outsider = w
        .store
        .create_user(bullpen_store::NewUser {
            handle: "outsider".into(),
            display_name: "Outsider".into(),
            is_bot: false,
            created_at: START,
        })
        .await
        .expect("user");
    let refused = join_league(w.store.as_ref(), &league.invite_code, outsider.id).await;
    assert!(matches!(refused, Err(AdminError::Forbidden(_))), "{refused:?}");
}

#[tokio::test]
async fn finishing_freezes_the_standings_with_badges_and_stops_trading() {
    let (w, e) = four_players().await;
    let resting = w
        .place(
            &e[2],
            bullpen_domain::OrderRequest { time_in_force: TimeInForce::Gtc, ..limit("BBB", Side::Buy, 10, usd(40)) },
        )
        .await;
    w.close(0).await;
    let standings = w.handle.set_state(TournamentState::Finished).await.expect("finish");
    let ranked: Vec<_> = standings.iter().map(|s| (s.rank, s.entry_id, s.equity, s.score)).collect();
    assert_eq!(
        ranked,
        vec![
            (1, e[0].id, money(101_000), 10_000),
            (2, e[1].id, money(100_000), 0),
            (3, e[3].id, money(100_000), 0),
            (4, e[2].id, money(99_000), -10_000),
        ]
    );
    let badges: Vec<Vec<String>> = standings.iter().map(|s| s.badges.clone()).collect();
    assert_eq!(
        badges,
        vec![vec!["champion".to_string()], vec!["runner_up".into()], vec!["third_place".into()], vec![]]
    );
    assert_eq!(w.store.final_standings(w.tournament.id).await.expect("standings"), standings);
    let stored = w.store.tournament(w.tournament.id).await.expect("read").expect("tournament");
    assert_eq!(stored.state, TournamentState::Finished);

    // No more trading: new orders are refused and resting ones no longer fill.
    assert_eq!(reject_code(w.handle.place(e[1].id, market("AAA", Side::Buy, 1)).await), "tournament_not_running");
    let ledger = w.ledger().await;
    w.tick(&[("BBB", usd(39))]).await;
    assert_eq!(w.stored(&resting).await.status, OrderStatus::New);
    assert_eq!(w.ledger().await, ledger);
    assert_eq!(w.store.final_standings(w.tournament.id).await.expect("standings"), standings);
    // Finishing twice is refused and changes nothing.
    assert_eq!(reject_code(w.handle.set_state(TournamentState::Finished).await), "tournament_not_running");
    assert_eq!(w.store.final_standings(w.tournament.id).await.expect("standings"), standings);
}

/// The leaderboard's fast total-return ranking must order entries exactly as the domain's
/// `rank_order` does, ties included.
#[test]
fn ranked_indexes_match_the_domain_order() {
    use bullpen_domain::scoring::rank_order;
    use bullpen_domain::{
        Instrument, InstrumentId, InstrumentStatus, Money, Symbol, Tournament, TournamentId, TournamentKind,
        TournamentRules, TournamentState, Ts, UserId,
    };
    use bullpen_engine::effects::Effects;
    use bullpen_engine::state::LiveTournament;
    use bullpen_store::TournamentSnapshot;

    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let t = Tournament {
        id: TournamentId(3),
        name: "t".into(),
        kind: TournamentKind::AdHoc,
        state: TournamentState::Registration,
        starts_on: day,
        ends_on: day,
        rules: TournamentRules::default(),
        challenge: None,
        created_at: Ts(0),
    };
    let inst = Instrument {
        id: InstrumentId(1),
        symbol: Symbol::parse("AAA").unwrap(),
        name: "A".into(),
        sector: String::new(),
        status: InstrumentStatus::Active,
    };
    let mut live = LiveTournament::rebuild(t, vec![inst], TournamentSnapshot::default()).unwrap();
    let mut fx = Effects::new(live.tournament.id);
    for i in 0..200i64 {
        live.now = Ts(i / 3);
        live.join(UserId(i + 1), &format!("p{i}"), &mut fx).unwrap();
    }
    // Equal, near-equal (same millionth score) and different equities.
    for (i, mv) in live.market_values.iter_mut().enumerate() {
        *mv = Money(((i as i64 * 7919) % 13) * 10_000 + (i as i64 % 2));
    }
    let board = live.leaderboard();
    let mut keys: Vec<_> = (0..200u32).map(|i| live.rank_key(i)).collect();
    keys.sort_by(rank_order);
    let expected: Vec<_> = keys.iter().map(|k| k.entry_id).collect();
    let got: Vec<_> = board.rows.iter().map(|r| r.entry_id).collect();
    assert_eq!(got, expected);
}
