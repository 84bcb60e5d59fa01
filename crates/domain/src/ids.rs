//! Identifiers. Every id is a positive integer assigned by the store or the sequencer.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
