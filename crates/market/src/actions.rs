//! Import of corporate actions: `date,symbol,type,value`, where `type` is `split` with a
//! `N:D` ratio (`7:1` turns one share into seven) or `dividend` with a cash amount per share.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use csv::ByteRecord;

use bullpen_domain::{CorporateAction, CorporateActionKind, Money, Symbol};

use crate::bars::{field_str, header_matches, open_csv, parse_date, read_error, read_header, record_line};
use crate::bars::{BadRow, ImportError};

/// The header of a corporate-actions file.
pub const ACTIONS_HEADER: [&str; 4] = ["date", "symbol", "type", "value"];

/// The result of [`import_actions`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionsImport {
    /// Valid actions, in file order.
    pub actions: Vec<CorporateAction>,
    /// Rows left out.
    pub bad_rows: Vec<BadRow>,
}

/// Imports corporate actions from one CSV file (plain or gzip).
///
/// A row is bad (reported, not imported) when it has the wrong number of fields, an invalid
/// date, an invalid symbol or one not in `known` (when given), an unknown type, a split ratio
/// that is not two positive integers `N:D` with `N ≠ D`, a dividend that is not a positive
/// amount with at most four decimals, or repeats a (symbol, date, type) seen earlier in the file.
/// A header other than [`ACTIONS_HEADER`] is an error.
pub fn import_actions(path: &Path, known: Option<&HashSet<Symbol>>) -> Result<ActionsImport, ImportError> {
    let mut reader = open_csv(path)?;
    let header = read_header(&mut reader, path)?.unwrap_or_default();
    if !header_matches(&header, &ACTIONS_HEADER) {
        return Err(ImportError::Header {
            path: path.to_path_buf(),
            expected: ACTIONS_HEADER.join(","),
            found: header.join(","),
        });
    }
    let mut result = ActionsImport::default();
    let mut seen: HashMap<(Symbol, chrono::NaiveDate, &'static str), u64> = HashMap::new();
    let mut record = ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(|e| read_error(path, &e))? {
        let line = record_line(&record);
        let parsed = parse_action(&record, known).and_then(|action| {
            let key = (action.symbol.clone(), action.date, kind_name(&action.kind));
            match seen.get(&key) {
                Some(first) => {
                    Err(format!("duplicate {} for ({}, {}); first at line {first}", key.2, action.symbol, action.date))
                }
                None => {
                    seen.insert(key, line);
                    Ok(action)
                }
            }
        });
        match parsed {
            Ok(action) => result.actions.push(action),
            Err(reason) => result.bad_rows.push(BadRow { file: path.to_path_buf(), line, reason }),
        }
    }
    Ok(result)
}

fn kind_name(kind: &CorporateActionKind) -> &'static str {
    match kind {
        CorporateActionKind::Split { .. } => "split",
        CorporateActionKind::Dividend { .. } => "dividend",
    }
}

fn parse_action(record: &ByteRecord, known: Option<&HashSet<Symbol>>) -> Result<CorporateAction, String> {
    if record.len() != ACTIONS_HEADER.len() {
        return Err(format!("expected {} fields, found {}", ACTIONS_HEADER.len(), record.len()));
    }
    let date = parse_date(field_str(record, 0, "date")?)?;
    let symbol = Symbol::parse(field_str(record, 1, "symbol")?).map_err(|e| e.to_string())?;
    if known.is_some_and(|k| !k.contains(&symbol)) {
        return Err(format!("unknown symbol `{symbol}`"));
    }
    let kind_text = field_str(record, 2, "type")?;
    let value = field_str(record, 3, "value")?;
    let kind = if kind_text.eq_ignore_ascii_case("split") {
        parse_split(value)?
    } else if kind_text.eq_ignore_ascii_case("dividend") {
        let per_share: Money = value.parse().map_err(|e| format!("invalid dividend `{value}`: {e}"))?;
        if per_share.0 <= 0 {
            return Err(format!("dividend must be positive, got {value}"));
        }
        CorporateActionKind::Dividend { per_share }
    } else {
        return Err(format!("unknown type `{kind_text}` (expected split or dividend)"));
    };
    Ok(CorporateAction { date, symbol, kind })
}

fn parse_split(value: &str) -> Result<CorporateActionKind, String> {
    let bad = || format!("invalid split ratio `{value}` (expected N:D with positive whole numbers, e.g. 7:1)");
    let (n, d) = value.split_once(':').ok_or_else(bad)?;
    let parse = |part: &str| {
        let part = part.trim();
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse::<i64>().map_err(|_| bad())
    };
    let (numerator, denominator) = (parse(n)?, parse(d)?);
    if numerator <= 0 || denominator <= 0 {
        return Err(bad());
    }
    if numerator == denominator {
        return Err(format!("split ratio `{value}` changes nothing"));
    }
    Ok(CorporateActionKind::Split { numerator, denominator })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        path
    }

    #[test]
    fn imports_splits_and_dividends_and_reports_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "actions.csv",
            "date,symbol,type,value\n\
             2014-06-09,AAPL,split,7:1\n\
             2014-05-08,AAPL,dividend,3.29\n\
             2014-05-08,AAPL,Dividend,0.47\n\
             2014-05-09,MSFT,dividend,0.28\n\
             2014-05-10,AAPL,merger,1\n\
             2014-05-11,AAPL,split,0:1\n\
             2014-05-12,AAPL,split,-2:1\n\
             2014-05-13,AAPL,split,2\n\
             2014-05-14,AAPL,split,1:1\n\
             2014-05-15,AAPL,dividend,0\n\
             2014-05-16,AAPL,dividend,-1\n\
             2014-05-17,AAPL,dividend,0.123456\n\
             2014-13-01,AAPL,dividend,1\n\
             2014-05-18,AAPL,dividend\n\
             2014-05-19,1BAD,dividend,1\n",
        );
        let known: HashSet<Symbol> = [Symbol::parse("AAPL").unwrap()].into_iter().collect();
        let result = import_actions(&path, Some(&known)).unwrap();
        assert_eq!(
            result.actions,
            vec![
                CorporateAction {
                    date: chrono::NaiveDate::from_ymd_opt(2014, 6, 9).unwrap(),
                    symbol: Symbol::parse("AAPL").unwrap(),
                    kind: CorporateActionKind::Split { numerator: 7, denominator: 1 },
                },
                CorporateAction {
                    date: chrono::NaiveDate::from_ymd_opt(2014, 5, 8).unwrap(),
                    symbol: Symbol::parse("AAPL").unwrap(),
                    kind: CorporateActionKind::Dividend { per_share: Money(32_900) },
                },
            ]
        );
        let lines: Vec<u64> = result.bad_rows.iter().map(|b| b.line).collect();
        assert_eq!(lines, (4..=16).collect::<Vec<u64>>());
        let reasons: Vec<&str> = result.bad_rows.iter().map(|b| b.reason.as_str()).collect();
        assert!(reasons[0].starts_with("duplicate dividend"), "{}", reasons[0]);
        assert!(reasons[1].contains("unknown symbol `MSFT`"));
        assert!(reasons[2].contains("unknown type `merger`"));
        assert!(reasons[3].contains("invalid split ratio `0:1`"));
        assert!(reasons[4].contains("invalid split ratio `-2:1`"));
        assert!(reasons[5].contains("invalid split ratio `2`"));
        assert!(reasons[6].contains("changes nothing"));
        assert!(reasons[7].contains("dividend must be positive"));
        assert!(reasons[8].contains("dividend must be positive"));
        assert!(reasons[9].contains("more than 4 decimal places"));
        assert!(reasons[10].contains("invalid date"));
        assert!(reasons[11].contains("expected 4 fields, found 3"));
        assert!(reasons[12].contains("not a valid symbol"));
    }

    #[test]
    fn without_known_set_any_valid_symbol_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "a.csv", "date,symbol,type,value\n2015-01-02,msft,split,1:2\n");
        let result = import_actions(&path, None).unwrap();
        assert!(result.bad_rows.is_empty());
        assert_eq!(result.actions[0].symbol.as_str(), "MSFT");
        assert_eq!(result.actions[0].kind, CorporateActionKind::Split { numerator: 1, denominator: 2 });
    }

    #[test]
    fn wrong_header_and_missing_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "a.csv", "date,symbol,open\n");
        assert!(matches!(import_actions(&path, None), Err(ImportError::Header { .. })));
        let missing = dir.path().join("missing.csv");
        let err = import_actions(&missing, None).unwrap_err();
        assert!(err.to_string().contains("missing.csv"), "{err}");
    }
}
