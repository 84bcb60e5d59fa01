//! bullpen-store.
