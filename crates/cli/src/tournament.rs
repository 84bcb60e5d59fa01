//! `bullpen tournament …`: create, list, show, schedule seasons, join, leagues.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use bullpen_domain::{
    ChallengeRules, CommissionModel, MarginRules, Money, Price, ScoringMethod, Symbol, Tournament, TournamentId,
    TournamentKind, TournamentRules, TournamentState, Ts, Universe,
};
use bullpen_engine::admin::{create_league, create_tournament, due_transitions, ensure_seasons, join_league};
use bullpen_engine::{Engine, SequencerConfig};
use bullpen_market::{Clock, SystemClock};
use bullpen_store::{NewTournament, NewUser, Store};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

use crate::common::open_store;
use crate::DataArgs;

/// Tournament subcommands.
#[derive(Debug, Subcommand)]
pub enum TournamentCommand {
    /// Create a tournament (ad hoc, season or evaluation challenge).
    Create(Box<CreateArgs>),
    /// List tournaments.
    List,
    /// Show a tournament: rules, leaderboard, leagues, final standings.
    Show {
        /// Tournament id.
        id: i64,
        /// Leaderboard rows to show.
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
    /// Create the quarterly seasons and move tournaments along their lifecycle by date.
    Schedule {
        /// The date to schedule for (default: today).
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Move a tournament to another lifecycle state (draft → registration → running → finished → archived).
    SetState {
        /// Tournament id.
        id: i64,
        /// Target state.
        state: String,
    },
    /// Join a tournament as a player (the user is created if new).
    Join {
        /// Tournament id.
        id: i64,
        /// The player's handle.
        #[arg(long)]
        user: String,
    },
    /// Private leagues.
    League {
        #[command(subcommand)]
        what: LeagueCommand,
    },
}

/// League subcommands.
#[derive(Debug, Subcommand)]
pub enum LeagueCommand {
    /// Create a league in a tournament; prints its invite code.
    Create {
        /// Tournament id.
        #[arg(long)]
        tournament: i64,
        /// League name.
        #[arg(long)]
        name: String,
        /// Commissioner's handle.
        #[arg(long)]
        owner: String,
    },
    /// Join a league by invite code.
    Join {
        /// Invite code.
        code: String,
        /// Player's handle.
        #[arg(long)]
        user: String,
    },
    /// Show a league's leaderboard.
    Show {
        /// Invite code.
        code: String,
    },
}

/// Scoring methods on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScoringArg {
    /// Total return.
    TotalReturn,
    /// Sharpe ratio.
    Sharpe,
    /// Sortino ratio.
    Sortino,
    /// Return minus a drawdown penalty (see --drawdown-penalty-bps).
    DrawdownPenalised,
}

/// Kinds on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Ad-hoc tournament.
    AdHoc,
    /// Quarterly season.
    Season,
    /// Evaluation challenge.
    Challenge,
}

/// Arguments of `tournament create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Unique name.
    #[arg(long)]
    pub name: String,
    /// Kind.
    #[arg(long, value_enum, default_value_t = KindArg::AdHoc)]
    pub kind: KindArg,
    /// First trading day.
    #[arg(long)]
    pub starts: NaiveDate,
    /// Last trading day.
    #[arg(long)]
    pub ends: NaiveDate,
    /// Initial state: draft or registration.
    #[arg(long, default_value = "registration")]
    pub state: String,
    /// All rules as a JSON file (the flags below override single fields).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Starting cash.
    #[arg(long)]
    pub starting_cash: Option<Money>,
    /// Commission per trade.
    #[arg(long)]
    pub commission_per_trade: Option<Money>,
    /// Commission per share.
    #[arg(long)]
    pub commission_per_share: Option<Money>,
    /// Commission in basis points of notional.
    #[arg(long)]
    pub commission_bps: Option<i64>,
    /// Universe: `all`, a comma-separated symbol list, or `sector:NAME[,NAME]`.
    #[arg(long)]
    pub universe: Option<String>,
    /// Disallow short selling.
    #[arg(long)]
    pub no_shorts: bool,
    /// Minimum price to short.
    #[arg(long)]
    pub short_min_price: Option<Price>,
    /// Allow margin with this buying-power multiple in basis points (20000 = 2x).
    #[arg(long)]
    pub margin_bps: Option<i64>,
    /// Annual margin interest, basis points.
    #[arg(long, default_value_t = 0)]
    pub margin_interest_bps: i64,
    /// Maximum position weight, basis points of equity.
    #[arg(long)]
    pub max_position_weight_bps: Option<i64>,
    /// Minimum share price to buy.
    #[arg(long)]
    pub min_share_price: Option<Price>,
    /// Maximum orders per day.
    #[arg(long)]
    pub max_orders_per_day: Option<u32>,
    /// Quote delay, seconds.
    #[arg(long)]
    pub quote_delay: Option<i64>,
    /// Minimum holding time, seconds.
    #[arg(long)]
    pub min_holding: Option<i64>,
    /// Disallow joining after the start.
    #[arg(long)]
    pub no_late_entry: bool,
    /// Scoring method.
    #[arg(long, value_enum)]
    pub scoring: Option<ScoringArg>,
    /// Drawdown penalty in basis points (with --scoring drawdown-penalised).
    #[arg(long, default_value_t = 10_000)]
    pub drawdown_penalty_bps: i64,
    /// Challenge objectives as a JSON file (kind challenge; defaults to 10 % target, 5 % daily
    /// loss, 10 % total loss, 4 trading days).
    #[arg(long)]
    pub challenge: Option<PathBuf>,
}

fn parse_universe(text: &str) -> anyhow::Result<Universe> {
    if text.eq_ignore_ascii_case("all") {
        return Ok(Universe::All);
    }
    if let Some(sectors) = text.strip_prefix("sector:") {
        return Ok(Universe::Sectors(
            sectors.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        ));
    }
    let symbols = text
        .split(',')
        .map(|s| Symbol::parse(s).map_err(|e| anyhow::anyhow!(e)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Universe::Symbols(symbols))
}

fn build_rules(a: &CreateArgs) -> anyhow::Result<TournamentRules> {
    let mut rules: TournamentRules = match &a.rules {
        Some(path) => {
            serde_json::from_str(&std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?)
                .with_context(|| format!("{} is not a valid rules document", path.display()))?
        }
        None => TournamentRules::default(),
    };
    if let Some(v) = a.starting_cash {
        rules.starting_cash = v;
    }
    let c = &mut rules.commission;
    if let Some(v) = a.commission_per_trade {
        c.per_trade = v;
    }
    if let Some(v) = a.commission_per_share {
        c.per_share = v;
    }
    if let Some(v) = a.commission_bps {
        c.bps = v;
    }
    if *c == CommissionModel::free() {
        rules.commission = CommissionModel::free();
    }
    if let Some(u) = &a.universe {
        rules.universe = parse_universe(u)?;
    }
    if a.no_shorts {
        rules.short_selling = false;
    }
    if let Some(v) = a.short_min_price {
        rules.short_min_price = v;
    }
    if let Some(m) = a.margin_bps {
        rules.margin = Some(MarginRules { buying_power_multiple_bps: m, interest_bps_per_year: a.margin_interest_bps });
    }
    if a.max_position_weight_bps.is_some() {
        rules.max_position_weight_bps = a.max_position_weight_bps;
    }
    if a.min_share_price.is_some() {
        rules.min_share_price = a.min_share_price;
    }
    if a.max_orders_per_day.is_some() {
        rules.max_orders_per_day = a.max_orders_per_day;
    }
    if let Some(v) = a.quote_delay {
        rules.quote_delay_seconds = v;
    }
    if let Some(v) = a.min_holding {
        rules.min_holding_seconds = v;
    }
    if a.no_late_entry {
        rules.late_entry = false;
    }
    if let Some(s) = a.scoring {
        rules.scoring = match s {
            ScoringArg::TotalReturn => ScoringMethod::TotalReturn,
            ScoringArg::Sharpe => ScoringMethod::Sharpe,
            ScoringArg::Sortino => ScoringMethod::Sortino,
            ScoringArg::DrawdownPenalised => ScoringMethod::DrawdownPenalised { penalty_bps: a.drawdown_penalty_bps },
        };
    }
    Ok(rules)
}

fn now() -> Ts {
    SystemClock.now()
}

async fn user_id(store: &dyn Store, handle: &str) -> anyhow::Result<bullpen_domain::UserId> {
    if let Some(u) = store.user_by_handle(handle).await? {
        return Ok(u.id);
    }
    let user = store
        .create_user(NewUser {
            handle: handle.to_string(),
            display_name: handle.to_string(),
            is_bot: false,
            created_at: now(),
        })
        .await?;
    Ok(user.id)
}

async fn tournament(store: &dyn Store, id: i64) -> anyhow::Result<Tournament> {
    store.tournament(TournamentId(id)).await?.with_context(|| format!("no tournament {id}"))
}

/// Runs a tournament subcommand.
pub async fn run(what: TournamentCommand, data: DataArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&data).await?;
    match what {
        TournamentCommand::Create(args) => {
            let state = TournamentState::parse(&args.state)
                .filter(|s| matches!(s, TournamentState::Draft | TournamentState::Registration))
                .context("--state must be draft or registration")?;
            let kind = match args.kind {
                KindArg::AdHoc => TournamentKind::AdHoc,
                KindArg::Season => TournamentKind::Season,
                KindArg::Challenge => TournamentKind::Challenge,
            };
            let challenge = match (&args.challenge, kind) {
                (Some(path), _) => Some(
                    serde_json::from_str::<ChallengeRules>(&std::fs::read_to_string(path)?)
                        .with_context(|| format!("{} is not a valid challenge document", path.display()))?,
                ),
                (None, TournamentKind::Challenge) => Some(ChallengeRules::default()),
                (None, _) => None,
            };
            let t = create_tournament(
                store.as_ref(),
                NewTournament {
                    name: args.name.clone(),
                    kind,
                    state,
                    starts_on: args.starts,
                    ends_on: args.ends,
                    rules: build_rules(&args)?,
                    challenge,
                    created_at: now(),
                },
            )
            .await?;
            println!("created tournament {} ({})", t.id, t.name);
        }
        TournamentCommand::List => {
            let list = store.tournaments().await?;
            if list.is_empty() {
                println!("no tournaments yet: create one with `bullpen tournament create` or run `bullpen tournament schedule`");
            } else {
                println!(
                    "{:>6}  {:<44} {:<10} {:<13} {:<10} {:<10} {:>8}",
                    "id", "name", "kind", "state", "starts", "ends", "entries"
                );
                for t in list {
                    let entries = store.entries(t.id).await?.len();
                    println!(
                        "{:>6}  {:<44} {:<10} {:<13} {:<10} {:<10} {:>8}",
                        t.id.0,
                        t.name,
                        t.kind.as_str(),
                        t.state.as_str(),
                        t.starts_on,
                        t.ends_on,
                        entries
                    );
                }
            }
        }
        TournamentCommand::Show { id, top } => show(store.as_ref(), id, top).await?,
        TournamentCommand::Schedule { today } => {
            let today = today.unwrap_or_else(|| now().date_utc());
            let engine = Engine::new(Arc::clone(&store), Arc::new(SystemClock), SequencerConfig::default());
            let result = schedule(store.as_ref(), &engine, today, now()).await;
            engine.shutdown().await;
            for line in result?.lines() {
                println!("{line}");
            }
        }
        TournamentCommand::SetState { id, state } => {
            let t = tournament(store.as_ref(), id).await?;
            let state = TournamentState::parse(&state).with_context(|| format!("unknown state `{state}`"))?;
            if !t.state.can_transition_to(state) {
                bail!("tournament {id} is {} and cannot move to {}", t.state.as_str(), state.as_str());
            }
            let engine = Engine::new(Arc::clone(&store), Arc::new(SystemClock), SequencerConfig::default());
            let handle = engine.start(t.id).await?;
            let standings = handle.set_state(state).await?;
            engine.shutdown().await;
            println!(
                "tournament {id} is now {}{}",
                state.as_str(),
                if standings.is_empty() { String::new() } else { format!("; {} standings frozen", standings.len()) }
            );
        }
        TournamentCommand::Join { id, user } => {
            let t = tournament(store.as_ref(), id).await?;
            let uid = user_id(store.as_ref(), &user).await?;
            let engine = Engine::new(Arc::clone(&store), Arc::new(SystemClock), SequencerConfig::default());
            let handle = engine.start(t.id).await?;
            let entry = handle.join(uid, &user).await;
            engine.shutdown().await;
            let entry = entry?;
            println!("{user} joined tournament {id} as entry {}", entry.id);
        }
        TournamentCommand::League { what } => league(store.as_ref(), what).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// What one scheduler run did.
#[derive(Debug, Default)]
pub struct ScheduleReport {
    /// Seasons created.
    pub created: Vec<Tournament>,
    /// Tournaments moved, with the state each reached (one row per step).
    pub moved: Vec<(Tournament, TournamentState)>,
}

impl ScheduleReport {
    /// One line per season created or step taken.
    pub fn lines(&self) -> Vec<String> {
        let created = self
            .created
            .iter()
            .map(|t| format!("created season {} ({}, {} to {})", t.id, t.name, t.starts_on, t.ends_on));
        let moved = self.moved.iter().map(|(t, s)| format!("tournament {} ({}) is now {}", t.id, t.name, s.as_str()));
        created.chain(moved).collect()
    }
}

/// Creates the quarterly seasons and moves every tournament along its lifecycle for `today`,
/// through `engine`'s sequencers (started as needed). Used by `tournament schedule` and by the
/// server's scheduler.
pub async fn schedule(store: &dyn Store, engine: &Engine, today: NaiveDate, now: Ts) -> anyhow::Result<ScheduleReport> {
    let mut report = ScheduleReport { created: ensure_seasons(store, today, now).await?, moved: Vec::new() };
    for t in store.tournaments().await? {
        for state in due_transitions(&t, today) {
            let handle = engine.start(t.id).await?;
            handle.set_state(state).await?;
            report.moved.push((t.clone(), state));
        }
    }
    Ok(report)
}

async fn league(store: &dyn Store, what: LeagueCommand) -> anyhow::Result<()> {
    match what {
        LeagueCommand::Create { tournament: id, name, owner } => {
            let t = tournament(store, id).await?;
            let uid = user_id(store, &owner).await?;
            let mut seed = now().0 as u64 ^ 0x9E37_79B9_7F4A_7C15;
            let random = move || {
                // splitmix64: the CLI's only randomness, for invite codes.
                seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = seed;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            };
            let l = create_league(store, &t, &name, uid, random, now()).await?;
            println!("created league {} ({}) in tournament {id}; invite code {}", l.id, l.name, l.invite_code);
        }
        LeagueCommand::Join { code, user } => {
            let uid = user_id(store, &user).await?;
            let (l, entry) = join_league(store, &code, uid).await?;
            println!("{user} (entry {entry}) joined league {} ({})", l.id, l.name);
        }
        LeagueCommand::Show { code } => {
            let code = bullpen_domain::league::normalize_invite_code(&code).context("that is not an invite code")?;
            let l = store.league_by_code(&code).await?.context("no league has that invite code")?;
            let members = store.league_members(l.id).await?;
            let live = bullpen_engine::rebuild::load(store, l.tournament_id).await?;
            let board = live.leaderboard();
            println!("league {} ({}) in tournament {}: {} members", l.id, l.name, l.tournament_id, members.len());
            print_board(&board, &board.subset(&members));
        }
    }
    Ok(())
}

fn print_board(board: &bullpen_engine::Leaderboard, rows: &[bullpen_engine::LeaderboardRow]) {
    println!("{:>6} {:>10}  {:<28} {:>16}", "rank", "percentile", "player", "equity");
    for r in rows {
        println!("{:>6} {:>10.1}  {:<28} {:>16}", r.rank, r.percentile, board.name(r.entry_id), r.equity.to_string());
    }
}

async fn show(store: &dyn Store, id: i64, top: usize) -> anyhow::Result<()> {
    let t = tournament(store, id).await?;
    println!("tournament {} — {}", t.id, t.name);
    println!("kind {}, state {}, {} to {}", t.kind.as_str(), t.state.as_str(), t.starts_on, t.ends_on);
    println!("rules: {}", serde_json::to_string_pretty(&t.rules)?);
    if let Some(c) = &t.challenge {
        println!("challenge objectives: {}", serde_json::to_string_pretty(c)?);
    }
    let leagues = store.leagues(t.id).await?;
    for l in &leagues {
        println!("league {} ({}), invite code {}", l.id, l.name, l.invite_code);
    }
    let finals = store.final_standings(t.id).await?;
    if !finals.is_empty() {
        let entries = store.entries(t.id).await?;
        println!("final standings:");
        for s in finals.iter().take(top) {
            let name = entries.iter().find(|e| e.id == s.entry_id).map(|e| e.display_name.as_str()).unwrap_or("?");
            println!("{:>6}  {:<28} {:>16}  {}", s.rank, name, s.equity.to_string(), s.badges.join(","));
        }
        return Ok(());
    }
    let live = bullpen_engine::rebuild::load(store, t.id).await?;
    let board = live.leaderboard();
    if board.rows.is_empty() {
        println!("no entries yet: players join with `bullpen tournament join {} --user NAME`", t.id);
    } else {
        println!("leaderboard ({} entries):", board.rows.len());
        print_board(&board, &board.rows[..board.rows.len().min(top)]);
    }
    Ok(())
}
