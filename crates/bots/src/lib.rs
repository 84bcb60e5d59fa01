//! bullpen-bots.
