//! The bullpen binary.
fn main() {}
