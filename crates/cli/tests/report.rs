//! `bullpen report` as a user runs it: a simulated tournament in a data directory, `bullpen
//! etl`, then a report in every format, checked against the store's own ledger.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_bullpen");
const SALT: &str = "4242424242424242424242424242424242424242424242424242424242424242";

fn bullpen(args: &[&str], data: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("BULLPEN_DATABASE_URL")
        .env_remove("BULLPEN_WAREHOUSE_URL")
        .env("BULLPEN_WAREHOUSE_SALT", SALT)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A decimal string of the JSON report in ten-thousandths of a dollar (the store's unit).
fn units(v: &serde_json::Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}"));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let negative = int.starts_with('-');
    let whole: i64 = int.trim_start_matches('-').parse().unwrap();
    let frac: i64 = format!("{frac:0<4}")[..4].parse().unwrap();
    let value = whole * 10_000 + frac;
    if negative {
        -value
    } else {
        value
    }
}

#[test]
fn report_builds_every_format_from_the_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let out = bullpen(&["simulate", "--players", "8", "--days", "4", "--seed", "5"], data);
    assert!(out.status.success(), "{}", text(&out));
    let db = rusqlite::Connection::open(data.join("bullpen.db")).unwrap();
    let (tournament, from, to): (i64, String, String) = db
        .query_row("SELECT id, starts_on, ends_on FROM tournaments ORDER BY id LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let (entry, fills, fees): (i64, i64, i64) = db
        .query_row(
            "SELECT entry_id, COUNT(*), SUM(fee) FROM ledger WHERE tournament_id = ?1 AND kind = 'trade' \
             GROUP BY entry_id ORDER BY COUNT(*) DESC, entry_id LIMIT 1",
            [tournament],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let entry_arg = entry.to_string();
    let out_file = |ext: &str| data.join(format!("report.{ext}"));
    let report = |format: &str| {
        let file = out_file(format);
        let args = ["report", "--entry", &entry_arg, "--from", &from, "--to", &to, "--format", format, "--out"];
        let mut all: Vec<&str> = args.to_vec();
        all.push(file.to_str().unwrap());
        bullpen(&all, data)
    };

    // Before the export the warehouse is empty: a clear error that suggests `bullpen etl`.
    let out = report("json");
    assert!(!out.status.success());
    assert!(text(&out).contains("bullpen etl"), "{}", text(&out));

    let out = bullpen(&["etl"], data);
    assert!(out.status.success(), "{}", text(&out));

    let out = report("json");
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out_file("json")).unwrap()).unwrap();
    assert_eq!(json["kind"], "entry");
    for section in
        ["summary", "risk", "equity_curve", "fills", "pnl_by_symbol", "pnl_by_sector", "breakdown", "anomalies"]
    {
        assert!(!json[section].is_null(), "{section} missing: {json}");
    }
    // Cross-checked with the store's ledger: the fills and their fees, the final equity.
    assert_eq!(json["fills"].as_array().unwrap().len() as i64, fills);
    assert_eq!(json["summary"]["fills"].as_i64(), Some(fills));
    let report_fees: i64 = json["fills"].as_array().unwrap().iter().map(|f| units(&f["fee"])).sum();
    assert_eq!(report_fees, fees);
    assert_eq!(units(&json["breakdown"]["fees"]), fees);
    let (last_day, equity): (String, i64) = db
        .query_row(
            "SELECT date, equity FROM equity_snapshots WHERE entry_id = ?1 ORDER BY date DESC LIMIT 1",
            [entry],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(json["period"]["end_close"].as_str(), Some(last_day.as_str()));
    assert_eq!(units(&json["summary"]["end_equity"]), equity);
    let b = &json["breakdown"];
    let parts: i64 =
        ["start_equity", "realized_pnl", "unrealized_change", "dividends", "interest", "deposits", "other"]
            .iter()
            .map(|k| units(&b[*k]))
            .sum();
    assert_eq!(parts, units(&b["end_equity"]));
    let rank = json["summary"]["rank"].as_i64().unwrap();
    assert!(rank >= 1 && rank <= json["summary"]["entries"].as_i64().unwrap());

    let out = report("csv");
    assert!(out.status.success(), "{}", text(&out));
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_path(out_file("csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.iter().filter(|r| &r[0] == "fills").count() as i64, fills);
    assert!(rows.iter().any(|r| &r[0] == "summary" && &r[1] == "end equity"));

    let out = report("html");
    assert!(out.status.success(), "{}", text(&out));
    let html = std::fs::read_to_string(out_file("html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Equity against the equal-weight benchmark"));

    let out = report("pdf");
    assert!(out.status.success(), "{}", text(&out));
    let pdf = std::fs::read(out_file("pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.windows(10).any(|w| w == b"/FontFile2"), "no embedded font");

    // The tournament-level report.
    let file = out_file("t.json");
    let out = bullpen(
        &[
            "report",
            "--tournament",
            &tournament.to_string(),
            "--from",
            &from,
            "--to",
            &to,
            "--format",
            "json",
            "--out",
            file.to_str().unwrap(),
        ],
        data,
    );
    assert!(out.status.success(), "{}", text(&out));
    let t: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(t["kind"], "tournament");
    assert_eq!(t["standings"].as_array().unwrap().len(), 8);

    // Bad input: clear errors, nothing written.
    let x = data.join("x");
    let x = x.to_str().unwrap();
    let out = bullpen(&["report", "--entry", &entry_arg, "--from", "2024-13-01", "--to", &to, "--out", x], data);
    assert!(!out.status.success() && text(&out).contains("not a date"), "{}", text(&out));
    let out = bullpen(&["report", "--entry", &entry_arg, "--from", &to, "--to", "2000-01-01", "--out", x], data);
    assert!(!out.status.success() && text(&out).contains("after it ends"), "{}", text(&out));
    let out =
        bullpen(&["report", "--entry", &(entry + 999).to_string(), "--from", &from, "--to", &to, "--out", x], data);
    assert!(!out.status.success() && text(&out).contains("not in the warehouse"), "{}", text(&out));
    assert!(!data.join("x").exists());
}
