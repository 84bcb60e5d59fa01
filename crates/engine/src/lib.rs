//! bullpen-engine.
