//! Import of daily bars (`date,symbol,open,high,low,close,volume`) and of the symbol list
//! (`symbol,name,sector`) from CSV files, plain or gzip-compressed.
//!
//! Bad rows never stop an import: each is reported with its file and line as a [`BadRow`] and
//! left out, and the rest is imported. Only IO failures (a missing path, an unreadable or
//! corrupt file) are errors ([`ImportError`]). Prices parse exactly with [`Price`]'s decimal
//! parser (at most four decimals).

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use chrono::{Datelike, NaiveDate};
use csv::ByteRecord;

use bullpen_domain::{DailyBar, Price, Symbol};

/// The header of a daily-bar file.
pub const BAR_HEADER: [&str; 7] = ["date", "symbol", "open", "high", "low", "close", "volume"];
/// The header of the symbol list.
pub const SYMBOLS_HEADER: [&str; 3] = ["symbol", "name", "sector"];

/// A failure that stops an import: the input could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A path could not be opened or listed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file broke off while being read (truncated or corrupt gzip, device error).
    #[error("{}: line {line}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The line reached when reading failed.
        line: u64,
        /// What went wrong.
        message: String,
    },
    /// A file that must have a given header (the symbol list, corporate actions) has another.
    #[error("{}: expected header `{expected}`, found `{found}`", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// The header required.
        expected: String,
        /// The header found.
        found: String,
    },
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number in the (decompressed) file.
    pub line: u64,
    /// What is wrong with it.
    pub reason: String,
}

/// A file found in a directory but not imported (its header is not the bar header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    /// The file.
    pub file: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

/// The result of [`import_bars`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BarImport {
    /// Valid bars, in file order (files sorted by name), then row order.
    pub bars: Vec<DailyBar>,
    /// Rows left out.
    pub bad_rows: Vec<BadRow>,
    /// Number of files imported.
    pub files: usize,
    /// Files skipped because their header is not the bar header.
    pub skipped_files: Vec<SkippedFile>,
}

/// One entry of the symbol list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolInfo {
    /// Ticker.
    pub symbol: Symbol,
    /// Company name.
    pub name: String,
    /// GICS sector (may be empty).
    pub sector: String,
}

/// The result of [`load_symbols`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SymbolsImport {
    /// Valid entries, in file order.
    pub symbols: Vec<SymbolInfo>,
    /// Rows left out.
    pub bad_rows: Vec<BadRow>,
}

impl SymbolsImport {
    /// The set of symbols, for checking bars and actions against it.
    pub fn symbol_set(&self) -> HashSet<Symbol> {
        self.symbols.iter().map(|s| s.symbol.clone()).collect()
    }
}

/// Imports daily bars from files and directories.
///
/// Each path may be a file (imported whatever its name) or a directory, searched recursively
/// for `*.csv` and `*.csv.gz` files in name order; in directories a file named `symbols.csv`
/// is ignored and files whose header is not [`BAR_HEADER`] are skipped and listed in
/// [`BarImport::skipped_files`]. Compression is detected from the gzip magic bytes.
///
/// A row is bad (reported, not imported) when it has the wrong number of fields, an
/// unparsable date or number, a price that is not positive or has more than four decimals,
/// high below low, open or close outside [low, high], a negative volume, an invalid symbol or
/// one not in `known` (when given), or repeats a (symbol, date) already imported from this or an
/// earlier file.
pub fn import_bars(paths: &[PathBuf], known: Option<&HashSet<Symbol>>) -> Result<BarImport, ImportError> {
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, true, &mut files)?;
    }
    let outcomes = parse_files(&files, known);
    let total_rows = outcomes.iter().map(|o| if let Ok(FileOutcome::Rows(rows)) = o { rows.len() } else { 0 }).sum();
    let mut merger = Merger::default();
    merger.result.bars.reserve_exact(total_rows);
    for (file, outcome) in files.iter().zip(outcomes) {
        merger.add(file, outcome?);
    }
    Ok(merger.result)
}

/// Lists `path` (a file) or the bar files below it (a directory), sorted by name.
fn collect_files(path: &Path, top_level: bool, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let io_err = |source| ImportError::Io { path: path.to_path_buf(), source };
    let meta = fs::metadata(path).map_err(io_err)?;
    if !meta.is_dir() {
        if top_level || is_bar_file_name(path) {
            out.push(path.to_path_buf());
        }
        return Ok(());
    }
    let mut entries = Vec::new();
    for entry in fs::read_dir(path).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        // Follow symlinked files but not symlinked directories (no cycles).
        let is_dir = entry.file_type().map_err(io_err)?.is_dir();
        entries.push((entry.file_name(), entry.path(), is_dir));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, entry_path, is_dir) in entries {
        if is_dir {
            collect_files(&entry_path, false, out)?;
        } else if is_bar_file_name(&entry_path) && entry_path.is_file() {
            out.push(entry_path);
        }
    }
    Ok(())
}

fn is_bar_file_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".csv") || lower.ends_with(".csv.gz")) && lower != "symbols.csv" && lower != "symbols.csv.gz"
}

/// Opens a file for CSV reading, decompressing it when it starts with the gzip magic bytes.
pub(crate) fn open_csv(path: &Path) -> Result<csv::Reader<Box<dyn Read>>, ImportError> {
    let io_err = |source| ImportError::Io { path: path.to_path_buf(), source };
    let file = File::open(path).map_err(io_err)?;
    let mut buffered = BufReader::with_capacity(128 * 1024, file);
    let is_gzip = buffered.fill_buf().map_err(io_err)?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read> =
        if is_gzip { Box::new(flate2::bufread::MultiGzDecoder::new(buffered)) } else { Box::new(buffered) };
    Ok(csv::ReaderBuilder::new().flexible(true).has_headers(true).buffer_capacity(128 * 1024).from_reader(reader))
}

/// Reads the header; `Ok(None)` for an empty file.
pub(crate) fn read_header(
    reader: &mut csv::Reader<Box<dyn Read>>,
    path: &Path,
) -> Result<Option<Vec<String>>, ImportError> {
    let header = reader.byte_headers().map_err(|e| read_error(path, &e))?;
    if header.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        header
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let field = if i == 0 { field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field) } else { field };
                String::from_utf8_lossy(field.trim_ascii()).to_ascii_lowercase()
            })
            .collect(),
    ))
}

/// True when `found` is exactly `expected` (already lower-cased and trimmed).
pub(crate) fn header_matches(found: &[String], expected: &[&str]) -> bool {
    found.len() == expected.len() && found.iter().zip(expected).all(|(f, e)| f == e)
}

pub(crate) fn read_error(path: &Path, error: &csv::Error) -> ImportError {
    let line = error.position().map(|p| p.line()).unwrap_or(0);
    let message = match error.kind() {
        csv::ErrorKind::Io(e) => e.to_string(),
        _ => error.to_string(),
    };
    ImportError::Read { path: path.to_path_buf(), line, message }
}

/// The 1-based line on which a record starts.
pub(crate) fn record_line(record: &ByteRecord) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(0)
}

/// A field as trimmed text, or a reason.
pub(crate) fn field_str<'r>(record: &'r ByteRecord, index: usize, name: &str) -> Result<&'r str, String> {
    let bytes = record.get(index).unwrap_or_default().trim_ascii();
    std::str::from_utf8(bytes).map_err(|_| format!("{name} is not valid UTF-8"))
}

/// Parses `YYYY-MM-DD` (fast path for the common case, chrono otherwise).
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let parsed = if b.len() == 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(y), Some(m), Some(d)) => i32::try_from(y).ok().and_then(|y| NaiveDate::from_ymd_opt(y, m, d)),
            _ => None,
        }
    } else {
        None
    };
    parsed.ok_or_else(|| format!("invalid date `{text}` (expected YYYY-MM-DD)"))
}

/// Parses a positive price with at most four decimals.
pub(crate) fn parse_price(record: &ByteRecord, index: usize, name: &str) -> Result<Price, String> {
    let text = field_str(record, index, name)?;
    let price: Price = text.parse().map_err(|e| format!("invalid {name} `{text}`: {e}"))?;
    if price.0 <= 0 {
        return Err(format!("{name} must be positive, got {text}"));
    }
    Ok(price)
}

/// What parsing one file produced, before duplicates across files are resolved.
enum FileOutcome {
    /// Not a bar file.
    Skipped(String),
    /// Each data row's line and either its bar or why it is bad.
    Rows(Vec<(u64, Result<DailyBar, String>)>),
}

/// Parses every file, on as many threads as the machine has (files are independent), then
/// merges the results in file order on this thread, so the outcome — including which of two
/// duplicates is kept — is the same as a sequential import.
fn parse_files(files: &[PathBuf], known: Option<&HashSet<Symbol>>) -> Vec<Result<FileOutcome, ImportError>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8).min(files.len());
    if threads <= 1 {
        return files.iter().map(|f| parse_file(f, known)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<FileOutcome, ImportError>>> = files.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, AtomicOrdering::Relaxed);
                        let Some(file) = files.get(index) else { break };
                        done.push((index, parse_file(file, known)));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            // parse_file has no panicking code; should a worker die anyway, its files stay
            // `None` and are reported as errors below.
            if let Ok(done) = worker.join() {
                for (index, outcome) in done {
                    if let Some(slot) = results.get_mut(index) {
                        *slot = Some(outcome);
                    }
                }
            }
        }
    });
    results
        .into_iter()
        .zip(files)
        .map(|(outcome, file)| {
            outcome.unwrap_or_else(|| {
                Err(ImportError::Read { path: file.clone(), line: 0, message: "import worker failed".to_string() })
            })
        })
        .collect()
}

/// Reads one file into per-row outcomes (all checks except cross-file duplicates).
fn parse_file(path: &Path, known: Option<&HashSet<Symbol>>) -> Result<FileOutcome, ImportError> {
    let mut reader = open_csv(path)?;
    match read_header(&mut reader, path)? {
        None => return Ok(FileOutcome::Skipped("empty file".to_string())),
        Some(header) if !header_matches(&header, &BAR_HEADER) => {
            return Ok(FileOutcome::Skipped(format!(
                "header is `{}`, not `{}`",
                header.join(","),
                BAR_HEADER.join(",")
            )));
        }
        Some(_) => {}
    }
    let mut symbols = SymbolCache::new(known);
    let mut rows = Vec::new();
    let mut record = ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(|e| read_error(path, &e))? {
        rows.push((record_line(&record), parse_bar(&record, &mut symbols)));
    }
    Ok(FileOutcome::Rows(rows))
}

/// Validates each distinct raw symbol spelling once per file.
struct SymbolCache<'k> {
    known: Option<&'k HashSet<Symbol>>,
    /// The previous row's raw symbol: files are usually one symbol each.
    last: Option<(Vec<u8>, Symbol)>,
    others: HashMap<Vec<u8>, Result<Symbol, String>>,
}

impl<'k> SymbolCache<'k> {
    fn new(known: Option<&'k HashSet<Symbol>>) -> Self {
        SymbolCache { known, last: None, others: HashMap::new() }
    }

    fn get(&mut self, raw: &[u8]) -> Result<Symbol, String> {
        if let Some((last_raw, symbol)) = &self.last {
            if last_raw.as_slice() == raw {
                return Ok(symbol.clone());
            }
        }
        let checked = match self.others.get(raw) {
            Some(result) => result.clone(),
            None => {
                let result = self.check(raw);
                self.others.insert(raw.to_vec(), result.clone());
                result
            }
        };
        if let Ok(symbol) = &checked {
            self.last = Some((raw.to_vec(), symbol.clone()));
        }
        checked
    }

    fn check(&self, raw: &[u8]) -> Result<Symbol, String> {
        let text = std::str::from_utf8(raw).map_err(|_| "symbol is not valid UTF-8".to_string())?;
        let symbol = Symbol::parse(text).map_err(|e| e.to_string())?;
        match self.known {
            Some(known) if !known.contains(&symbol) => Err(format!("unknown symbol `{symbol}`")),
            _ => Ok(symbol),
        }
    }
}

fn parse_bar(record: &ByteRecord, symbols: &mut SymbolCache<'_>) -> Result<DailyBar, String> {
    if record.len() != BAR_HEADER.len() {
        return Err(format!("expected {} fields, found {}", BAR_HEADER.len(), record.len()));
    }
    let date = parse_date(field_str(record, 0, "date")?)?;
    let symbol = symbols.get(record.get(1).unwrap_or_default().trim_ascii())?;
    let open = parse_price(record, 2, "open")?;
    let high = parse_price(record, 3, "high")?;
    let low = parse_price(record, 4, "low")?;
    let close = parse_price(record, 5, "close")?;
    let volume_text = field_str(record, 6, "volume")?;
    let volume: i64 = volume_text.parse().map_err(|_| format!("invalid volume `{volume_text}`"))?;
    if volume < 0 {
        return Err(format!("negative volume {volume}"));
    }
    if high < low {
        return Err(format!("high {high} is below low {low}"));
    }
    for (name, price) in [("open", open), ("close", close)] {
        if price < low || price > high {
            return Err(format!("{name} {price} is outside [low, high] = [{low}, {high}]"));
        }
    }
    Ok(DailyBar { date, symbol, open, high, low, close, volume })
}

/// Merges per-file outcomes in file order, dropping (symbol, date) repeats.
#[derive(Default)]
struct Merger {
    ids: HashMap<Symbol, usize>,
    last: Option<(Symbol, usize)>,
    /// Per symbol id, the days imported so far with where each came from.
    days: Vec<SeenDays>,
    imported_files: Vec<PathBuf>,
    result: BarImport,
}

/// The days seen for one symbol, sorted, as (day number, file index, line).
#[derive(Default)]
struct SeenDays(Vec<(i32, usize, u64)>);

impl SeenDays {
    /// Records `day`, or returns where it was first seen. Rows usually come in date order, so
    /// this is almost always an append.
    fn insert(&mut self, day: i32, file: usize, line: u64) -> Result<(), (usize, u64)> {
        if self.0.last().is_none_or(|&(last, _, _)| last < day) {
            self.0.push((day, file, line));
            return Ok(());
        }
        match self.0.binary_search_by_key(&day, |&(d, _, _)| d) {
            Ok(found) => Err(self.0.get(found).map_or((0, 0), |&(_, f, l)| (f, l))),
            Err(position) => {
                self.0.insert(position, (day, file, line));
                Ok(())
            }
        }
    }
}

impl Merger {
    fn add(&mut self, path: &Path, outcome: FileOutcome) {
        let rows = match outcome {
            FileOutcome::Skipped(reason) => {
                tracing::warn!(file = %path.display(), %reason, "skipping file that is not a bar file");
                self.result.skipped_files.push(SkippedFile { file: path.to_path_buf(), reason });
                return;
            }
            FileOutcome::Rows(rows) => rows,
        };
        let file_index = self.imported_files.len();
        self.imported_files.push(path.to_path_buf());
        self.result.files += 1;
        for (line, row) in rows {
            let checked = row.and_then(|bar| self.check_duplicate(bar, file_index, line));
            match checked {
                Ok(bar) => self.result.bars.push(bar),
                Err(reason) => self.result.bad_rows.push(BadRow { file: path.to_path_buf(), line, reason }),
            }
        }
    }

    fn check_duplicate(&mut self, bar: DailyBar, file_index: usize, line: u64) -> Result<DailyBar, String> {
        let id = match &self.last {
            Some((symbol, id)) if *symbol == bar.symbol => *id,
            _ => {
                let next = self.ids.len();
                let id = *self.ids.entry(bar.symbol.clone()).or_insert(next);
                if id == next {
                    self.days.push(SeenDays::default());
                }
                self.last = Some((bar.symbol.clone(), id));
                id
            }
        };
        let Some(days) = self.days.get_mut(id) else {
            return Err("internal: unknown symbol id".to_string());
        };
        match days.insert(bar.date.num_days_from_ce(), file_index, line) {
            Ok(()) => Ok(bar),
            Err((first_file, first_line)) => {
                let first = self.imported_files.get(first_file).map(|p| p.display().to_string()).unwrap_or_default();
                Err(format!("duplicate ({}, {}); first at {first}:{first_line}", bar.symbol, bar.date))
            }
        }
    }
}

/// Loads the symbol list `symbol,name,sector` (CSV quoting allowed, e.g. `"Apple, Inc."`).
///
/// Bad rows (wrong field count, invalid symbol, empty name, repeated symbol) are reported and
/// left out. A header other than [`SYMBOLS_HEADER`] is an error.
pub fn load_symbols(path: &Path) -> Result<SymbolsImport, ImportError> {
    let mut reader = open_csv(path)?;
    let header = read_header(&mut reader, path)?.unwrap_or_default();
    if !header_matches(&header, &SYMBOLS_HEADER) {
        return Err(ImportError::Header {
            path: path.to_path_buf(),
            expected: SYMBOLS_HEADER.join(","),
            found: header.join(","),
        });
    }
    let mut result = SymbolsImport::default();
    let mut seen: HashMap<Symbol, u64> = HashMap::new();
    let mut record = ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(|e| read_error(path, &e))? {
        let line = record_line(&record);
        let parsed = (|| -> Result<SymbolInfo, String> {
            if record.len() != SYMBOLS_HEADER.len() {
                return Err(format!("expected {} fields, found {}", SYMBOLS_HEADER.len(), record.len()));
            }
            let symbol = Symbol::parse(field_str(&record, 0, "symbol")?).map_err(|e| e.to_string())?;
            let name = field_str(&record, 1, "name")?;
            if name.is_empty() {
                return Err(format!("empty name for {symbol}"));
            }
            let sector = field_str(&record, 2, "sector")?;
            if let Some(first) = seen.get(&symbol) {
                return Err(format!("duplicate symbol {symbol}; first at line {first}"));
            }
            Ok(SymbolInfo { symbol, name: name.to_string(), sector: sector.to_string() })
        })();
        match parsed {
            Ok(info) => {
                seen.insert(info.symbol.clone(), line);
                result.symbols.push(info);
            }
            Err(reason) => result.bad_rows.push(BadRow { file: path.to_path_buf(), line, reason }),
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const HEADER: &str = "date,symbol,open,high,low,close,volume\n";

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, text).unwrap();
        path
    }

    fn write_gz(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        let file = File::create(&path).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap();
        path
    }

    fn sym(s: &str) -> Symbol {
        Symbol::parse(s).unwrap()
    }

    #[test]
    fn imports_good_rows_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "a.csv",
            &format!(
                "{HEADER}2013-02-08,AAPL,67.7142,68.4014,66.8928,67.8542,158168416\n2013-02-11,aapl,68,69,67,68.5,0\n"
            ),
        );
        let result = import_bars(&[path], None).unwrap();
        assert_eq!(result.files, 1);
        assert!(result.bad_rows.is_empty(), "{:?}", result.bad_rows);
        assert_eq!(
            result.bars[0],
            DailyBar {
                date: NaiveDate::from_ymd_opt(2013, 2, 8).unwrap(),
                symbol: sym("AAPL"),
                open: Price(677_142),
                high: Price(684_014),
                low: Price(668_928),
                close: Price(678_542),
                volume: 158_168_416,
            }
        );
        assert_eq!(result.bars[1].symbol, sym("AAPL"));
        assert_eq!(result.bars[1].close, Price(685_000));
    }

    #[test]
    fn every_kind_of_bad_row_is_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let rows = [
            "2013-02-08,AAPL,10,11,9,10.5,100",       // 2 good
            "2013-02-09,AAPL,10,11,9,10.5",           // 3 column count
            "2013-02-30,AAPL,10,11,9,10.5,100",       // 4 impossible date
            "02/11/2013,AAPL,10,11,9,10.5,100",       // 5 wrong date format
            "2013-02-11,AAPL,ten,11,9,10.5,100",      // 6 unparsable number
            "2013-02-11,AAPL,10.12345,11,9,10.5,100", // 7 too many decimals
            "2013-02-11,AAPL,0,11,9,10.5,100",        // 8 zero price
            "2013-02-11,AAPL,10,11,-9,10.5,100",      // 9 negative price
            "2013-02-11,AAPL,10,9,11,10,100",         // 10 high < low
            "2013-02-11,AAPL,12,11,9,10.5,100",       // 11 open above high
            "2013-02-11,AAPL,10,11,9,8,100",          // 12 close below low
            "2013-02-11,AAPL,10,11,9,10.5,-1",        // 13 negative volume
            "2013-02-11,AAPL,10,11,9,10.5,1.5",       // 14 unparsable volume
            "2013-02-11,9ABC,10,11,9,10.5,100",       // 15 invalid symbol
            "2013-02-11,ZZZZ,10,11,9,10.5,100",       // 16 unknown symbol
            "2013-02-08,AAPL,10,11,9,10.5,100",       // 17 duplicate in file
            "2013-02-11,AAPL,10,11,9,10.5,100",       // 18 good
        ];
        let text = format!("{HEADER}{}\n", rows.join("\n"));
        let a = write(dir.path(), "a.csv", &text);
        let b = write(dir.path(), "b.csv", &format!("{HEADER}2013-02-11,AAPL,10,11,9,10.5,100\n"));
        let known: HashSet<Symbol> = [sym("AAPL")].into_iter().collect();
        let result = import_bars(&[a.clone(), b.clone()], Some(&known)).unwrap();
        assert_eq!(result.bars.len(), 2);
        assert_eq!(result.files, 2);
        let expected: &[(u64, &str)] = &[
            (3, "expected 7 fields, found 6"),
            (4, "invalid date `2013-02-30`"),
            (5, "invalid date `02/11/2013`"),
            (6, "invalid open `ten`"),
            (7, "more than 4 decimal places"),
            (8, "open must be positive"),
            (9, "low must be positive"),
            (10, "high 9.00 is below low 11.00"),
            (11, "open 12.00 is outside [low, high]"),
            (12, "close 8.00 is outside [low, high]"),
            (13, "negative volume -1"),
            (14, "invalid volume `1.5`"),
            (15, "not a valid symbol"),
            (16, "unknown symbol `ZZZZ`"),
            (17, "duplicate (AAPL, 2013-02-08)"),
        ];
        assert_eq!(result.bad_rows.len(), expected.len() + 1, "{:#?}", result.bad_rows);
        for (bad, (line, reason)) in result.bad_rows.iter().zip(expected) {
            assert_eq!(bad.file, a);
            assert_eq!(bad.line, *line, "{bad:?}");
            assert!(bad.reason.contains(reason), "line {line}: `{}` should contain `{reason}`", bad.reason);
        }
        let across = result.bad_rows.last().unwrap();
        assert_eq!((across.file.clone(), across.line), (b, 2));
        assert!(across.reason.contains("duplicate (AAPL, 2013-02-11)"));
        assert!(across.reason.contains("a.csv:18"), "{}", across.reason);
    }

    #[test]
    fn directories_are_walked_sorted_recursively_with_gzip() {
        let dir = tempfile::tempdir().unwrap();
        write_gz(dir.path(), "b.csv.gz", &format!("{HEADER}2013-02-08,BBB,1,1,1,1,1\n"));
        write(dir.path(), "a.csv", &format!("{HEADER}2013-02-08,AAA,1,1,1,1,1\n"));
        write(dir.path(), "sub/c.csv", &format!("{HEADER}2013-02-08,CCC,1,1,1,1,1\n"));
        write(dir.path(), "symbols.csv", "symbol,name,sector\nAAA,A,Energy\n");
        write(dir.path(), "notes.txt", "ignored");
        let other = write(dir.path(), "dropped_rows.csv", "date,symbol,open,high,low,close,volume,reason\n");
        let empty = write(dir.path(), "empty.csv", "");
        let result = import_bars(&[dir.path().to_path_buf()], None).unwrap();
        let symbols: Vec<&str> = result.bars.iter().map(|b| b.symbol.as_str()).collect();
        assert_eq!(symbols, ["AAA", "BBB", "CCC"]);
        assert_eq!(result.files, 3);
        let skipped: Vec<&PathBuf> = result.skipped_files.iter().map(|s| &s.file).collect();
        assert_eq!(skipped, [&other, &empty]);
        assert!(result.skipped_files[0].reason.contains("reason"));
    }

    #[test]
    fn quoted_fields_crlf_and_bom_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "q.csv",
            "\u{feff}Date,Symbol,Open,High,Low,Close,Volume\r\n\"2013-02-08\",\"BRK.B\", 1.5 ,2,1,1.5,\"10\"\r\n",
        );
        let result = import_bars(&[path], None).unwrap();
        assert!(result.bad_rows.is_empty(), "{:?}", result.bad_rows);
        assert_eq!(result.bars[0].symbol.as_str(), "BRK.B");
        assert_eq!(result.bars[0].open, Price(15_000));
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = import_bars(&[missing], None).unwrap_err();
        assert!(matches!(err, ImportError::Io { .. }));
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let good = write_gz(dir.path(), "x.csv.gz", &format!("{HEADER}2013-02-08,AAA,1,1,1,1,1\n").repeat(1000));
        let bytes = fs::read(&good).unwrap();
        let truncated = dir.path().join("y.csv.gz");
        fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        assert!(import_bars(&[truncated], None).is_err());
    }

    #[test]
    fn symbols_with_quotes_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "symbols.csv",
            "symbol,name,sector\n\
             AAPL,Apple Inc.,Information Technology\n\
             BRK.B,\"Berkshire Hathaway, Inc. \"\"B\"\"\",Financials\n\
             AAPL,Apple again,Information Technology\n\
             1X,Bad,Energy\n\
             EMPTY,,Energy\n\
             SHORT,Only two\n",
        );
        let result = load_symbols(&path).unwrap();
        assert_eq!(result.symbols.len(), 2);
        assert_eq!(result.symbols[1].name, "Berkshire Hathaway, Inc. \"B\"");
        assert_eq!(result.symbols[1].sector, "Financials");
        let lines: Vec<u64> = result.bad_rows.iter().map(|b| b.line).collect();
        assert_eq!(lines, [4, 5, 6, 7]);
        assert!(result.bad_rows[0].reason.contains("duplicate symbol AAPL"));
        assert_eq!(result.symbol_set().len(), 2);
        let wrong = write(dir.path(), "wrong.csv", "ticker,name\n");
        assert!(matches!(load_symbols(&wrong), Err(ImportError::Header { .. })));
    }

    #[test]
    fn duplicates_are_found_in_unsorted_files() {
        let dir = tempfile::tempdir().unwrap();
        let rows = ["2013-02-12", "2013-02-08", "2013-02-11", "2013-02-08", "2013-02-12", "2013-02-13"]
            .map(|d| format!("{d},AAA,1,1,1,1,1"))
            .join("\n");
        let path = write(dir.path(), "u.csv", &format!("{HEADER}{rows}\n"));
        let result = import_bars(&[path], None).unwrap();
        let dates: Vec<String> = result.bars.iter().map(|b| b.date.to_string()).collect();
        assert_eq!(dates, ["2013-02-12", "2013-02-08", "2013-02-11", "2013-02-13"]);
        let bad: Vec<(u64, &str)> = result.bad_rows.iter().map(|b| (b.line, b.reason.as_str())).collect();
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].0, 5);
        assert!(bad[0].1.ends_with("u.csv:3"), "{}", bad[0].1);
        assert_eq!(bad[1].0, 6);
        assert!(bad[1].1.ends_with("u.csv:2"), "{}", bad[1].1);
    }

    #[test]
    fn date_parser_fast_path() {
        assert_eq!(parse_date("2016-02-29"), Ok(NaiveDate::from_ymd_opt(2016, 2, 29).unwrap()));
        for bad in ["2015-02-29", "2016-2-29", "2016-02-29x", "", "abcd-ef-gh", "2016/02/29"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
