//! Symbol interning for reads of many rows.

use std::collections::HashMap;

use bullpen_domain::Symbol;

use crate::codec::corrupt;
use crate::StoreResult;

/// Interns symbols while decoding many rows: stored symbols are valid already, so a repeated
/// one is cloned instead of being validated again.
#[derive(Default)]
pub(crate) struct Symbols {
    seen: HashMap<String, Symbol>,
}

impl Symbols {
    /// The symbol for stored text.
    pub(crate) fn get(&mut self, s: &str) -> StoreResult<Symbol> {
        if let Some(sym) = self.seen.get(s) {
            return Ok(sym.clone());
        }
        let sym = Symbol::parse(s).map_err(|_| corrupt("symbol", s))?;
        self.seen.insert(s.to_string(), sym.clone());
        Ok(sym)
    }
}
