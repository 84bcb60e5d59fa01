//! Bullpen's price sources and market time.
//!
//! - [`clock`]: the [`Clock`] trait and its live ([`SystemClock`]), manual and accelerated
//!   implementations. `SystemClock` is the only wall-clock read in Bullpen.
//! - [`calendar`]: the NYSE calendar ([`NyseCalendar`]): trading days, holidays, early closes,
//!   session times in UTC with New York daylight saving computed by rule.
//! - [`bars`]: CSV import (plain or gzip) of daily bars and of the symbol list, reporting bad
//!   rows instead of failing.
//! - [`actions`]: CSV import of splits and dividends.
//! - [`simulator`]: a seeded factor-model simulator of daily bars.
//! - [`replay`]: intraday price paths through daily bars and an accelerated replay.
//! - [`live`]: a live-quote adapter reading NDJSON from TCP or stdin.
//!
//! Everything except `SystemClock` and the live adapter is deterministic: same inputs and seed,
//! same output, bit for bit, on every platform.

pub mod actions;
pub mod bars;
pub mod calendar;
pub mod clock;
pub mod live;
mod numeric;
pub mod replay;
pub mod simulator;

pub use actions::{import_actions, ActionsImport, ACTIONS_HEADER};
pub use bars::{
    import_bars, load_symbols, BadRow, BarImport, ImportError, SkippedFile, SymbolInfo, SymbolsImport, BAR_HEADER,
    SYMBOLS_HEADER,
};
pub use calendar::{NyseCalendar, Session};
pub use clock::{AcceleratedClock, Clock, InvalidSpeed, ManualClock, SystemClock};
pub use live::{connect_tcp, parse_quote_line, read_quotes, read_stdin, LiveQuote, MAX_LINE_BYTES};
pub use replay::{intraday_path, Replay, TickBatch};
pub use simulator::{default_universe, simulate_daily_bars, SimInstrument, SimulatorConfig};
