//! Identifiers. Every id is a positive integer assigned by the store or the sequencer.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A tournament (season, ad-hoc tournament or evaluation challenge).
    TournamentId
);
id_type!(
    /// One player's entry in one tournament: the account that holds cash and positions.
    EntryId
);
id_type!(
    /// An order, unique within the whole store.
    OrderId
);
id_type!(
    /// A private league inside a tournament.
    LeagueId
);
id_type!(
    /// A user (player, coach, …).
    UserId
);
id_type!(
    /// An instrument in the instrument master.
    InstrumentId
);

/// Bits of an [`OrderId`] that number orders within their tournament.
pub const ORDER_LOCAL_BITS: u32 = 40;
/// Bits of an [`EntryId`] that number entries within their tournament.
pub const ENTRY_LOCAL_BITS: u32 = 32;

impl OrderId {
    /// The id of the `local`-th order of `tournament`. Each sequencer hands out its own order ids
    /// without asking the store, and they stay unique store-wide because the tournament is part
    /// of the id.
    pub fn compose(tournament: TournamentId, local: i64) -> OrderId {
        OrderId((tournament.0 << ORDER_LOCAL_BITS) | (local & ((1 << ORDER_LOCAL_BITS) - 1)))
    }

    /// The tournament part.
    pub fn tournament(self) -> TournamentId {
        TournamentId(self.0 >> ORDER_LOCAL_BITS)
    }

    /// The per-tournament number.
    pub fn local(self) -> i64 {
        self.0 & ((1 << ORDER_LOCAL_BITS) - 1)
    }
}

impl EntryId {
    /// The id of the `local`-th entry of `tournament` (see [`OrderId::compose`]).
    pub fn compose(tournament: TournamentId, local: i64) -> EntryId {
        EntryId((tournament.0 << ENTRY_LOCAL_BITS) | (local & ((1 << ENTRY_LOCAL_BITS) - 1)))
    }

    /// The tournament part.
    pub fn tournament(self) -> TournamentId {
        TournamentId(self.0 >> ENTRY_LOCAL_BITS)
    }

    /// The per-tournament number.
    pub fn local(self) -> i64 {
        self.0 & ((1 << ENTRY_LOCAL_BITS) - 1)
    }
}
