//! Commands a tournament's sequencer accepts, and their replies.

use bullpen_domain::portfolio::Portfolio;
use bullpen_domain::{
    CorporateAction, Entry, EntryId, Order, OrderId, OrderPreview, OrderRequest, RejectReason, TournamentState, Ts,
    UserId,
};
use bullpen_store::FinalStanding;
use chrono::NaiveDate;
use tokio::sync::oneshot;

use crate::market::PriceUpdate;
use crate::orders::ReplaceRequest;

/// A reply channel carrying a result.
pub type Reply<T> = oneshot::Sender<Result<T, EngineError>>;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Refused by the rules or invalid; nothing changed.
    #[error("{0}")]
    Rejected(#[from] RejectReason),
    /// The store failed; the command was not applied (the sequencer rebuilds from the store).
    #[error("storage failure: {0}")]
    Storage(String),
    /// The sequencer has stopped.
    #[error("the tournament engine is not running")]
    Stopped,
}

impl EngineError {
    /// A stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Rejected(r) => r.code(),
            EngineError::Storage(_) => "storage_unavailable",
            EngineError::Stopped => "engine_unavailable",
        }
    }
}

/// What a tick reports back to its sender once durable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Instruments whose price changed.
    pub moved: usize,
    /// Entries revalued.
    pub revalued: usize,
    /// Orders triggered.
    pub triggered: usize,
}

/// A read-only view of one entry at a sequence point.
#[derive(Debug, Clone)]
pub struct AccountSnapshot {
    /// The entry.
    pub entry: Entry,
    /// Its portfolio (cash, positions, lots).
    pub portfolio: Portfolio,
    /// Equity at the engine's last prices.
    pub equity: bullpen_domain::Money,
    /// Open orders.
    pub open_orders: Vec<Order>,
}

/// A light view of an entry for bots and dashboards: no lots, no orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// Entry.
    pub entry_id: EntryId,
    /// Cash.
    pub cash: bullpen_domain::Money,
    /// Equity at the engine's last prices.
    pub equity: bullpen_domain::Money,
    /// Open positions (signed quantities), by symbol.
    pub positions: Vec<(bullpen_domain::Symbol, bullpen_domain::Qty)>,
}

/// A command for one tournament's sequencer.
#[derive(Debug)]
pub enum Command {
    /// A player joins.
    Join {
        /// Player.
        user: UserId,
        /// Leaderboard name.
        display_name: String,
        /// Reply.
        reply: Reply<Entry>,
    },
    /// Submit an order.
    Place {
        /// Entry.
        entry: EntryId,
        /// Order.
        request: OrderRequest,
        /// Reply (after the order is durable).
        reply: Reply<Order>,
    },
    /// Evaluate an order against every rule without placing it (changes nothing).
    Preview {
        /// Entry.
        entry: EntryId,
        /// Order.
        request: OrderRequest,
        /// Reply (after everything before it is durable, like an account read).
        reply: Reply<OrderPreview>,
    },
    /// Cancel one order.
    Cancel {
        /// Entry.
        entry: EntryId,
        /// Order.
        order: OrderId,
        /// Reply.
        reply: Reply<Order>,
    },
    /// Cancel all open orders of an entry.
    CancelAll {
        /// Entry.
        entry: EntryId,
        /// Reply.
        reply: Reply<Vec<Order>>,
    },
    /// Replace an order.
    Replace {
        /// Entry.
        entry: EntryId,
        /// Order.
        order: OrderId,
        /// Changes.
        change: ReplaceRequest,
        /// Reply.
        reply: Reply<Order>,
    },
    /// New prices.
    Tick {
        /// Time of the prices.
        ts: Ts,
        /// Prices.
        updates: Vec<PriceUpdate>,
        /// Reply once durable (optional: live feeds do not wait).
        reply: Option<Reply<TickReport>>,
    },
    /// The session of `date` opens; corporate actions effective today are applied.
    OpenSession {
        /// Time of the open.
        ts: Ts,
        /// Trading day.
        date: NaiveDate,
        /// Corporate actions effective today.
        actions: Vec<CorporateAction>,
        /// Reply.
        reply: Option<Reply<()>>,
    },
    /// The session of `date` closes.
    CloseSession {
        /// Time of the close.
        ts: Ts,
        /// Trading day.
        date: NaiveDate,
        /// Reply.
        reply: Option<Reply<()>>,
    },
    /// Move the tournament to another lifecycle state (finishing freezes the standings).
    SetState {
        /// Target state.
        state: TournamentState,
        /// Reply with the final standings when finishing, empty otherwise.
        reply: Reply<Vec<FinalStanding>>,
    },
    /// Read an entry's account.
    Account {
        /// Entry.
        entry: EntryId,
        /// Reply.
        reply: Reply<AccountSnapshot>,
    },
    /// Read several entries' summaries at once.
    Accounts {
        /// Entries.
        entries: Vec<EntryId>,
        /// Reply, in the same order (unknown entries are skipped).
        reply: Reply<Vec<AccountSummary>>,
    },
    /// Resolves once everything submitted before it is durable.
    Barrier {
        /// Reply.
        reply: Reply<()>,
    },
    /// Stop after draining.
    Shutdown {
        /// Reply once drained.
        reply: Reply<()>,
    },
}
