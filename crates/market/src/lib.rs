//! bullpen-market.
