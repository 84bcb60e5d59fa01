//! Instruments, bars and corporate actions.

use std::sync::Arc;

use bullpen_domain::{CorporateAction, CorporateActionKind, DailyBar, InstrumentStatus, Money, Price};
use bullpen_store::{NewInstrument, Store, StoreError};

use crate::fixtures::{day, sym};

fn inst(symbol: &str, name: &str, sector: &str) -> NewInstrument {
    NewInstrument { symbol: sym(symbol), name: name.into(), sector: sector.into() }
}

pub async fn instruments_upsert_and_change_status(store: Arc<dyn Store>) {
    assert!(store.instruments().await.unwrap().is_empty());
    let first = store
        .upsert_instruments(&[inst("MSFT", "Microsoft", "Information Technology"), inst("AAPL", "Apple", "IT")])
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].symbol, sym("MSFT"), "input order");
    assert!(first.iter().all(|i| i.status == InstrumentStatus::Active && i.id.0 > 0));
    assert_ne!(first[0].id, first[1].id);

    store.set_instrument_status(&sym("AAPL"), InstrumentStatus::Halted).await.unwrap();
    let second = store
        .upsert_instruments(&[
            inst("AAPL", "Apple Inc.", "Information Technology"),
            inst("XOM", "Exxon Mobil", "Energy"),
            inst("XOM", "Exxon Mobil Corp.", "Energy"),
        ])
        .await
        .unwrap();
    assert_eq!(second.len(), 3);
    assert_eq!(second[0].id, first[1].id, "an existing symbol keeps its id");
    assert_eq!(second[0].name, "Apple Inc.");
    assert_eq!(second[0].sector, "Information Technology");
    assert_eq!(second[0].status, InstrumentStatus::Halted, "status survives an upsert");
    assert_eq!(second[1], second[2], "a repeated symbol reports its final row");
    assert_eq!(second[2].name, "Exxon Mobil Corp.");

    let all = store.instruments().await.unwrap();
    let symbols: Vec<&str> = all.iter().map(|i| i.symbol.as_str()).collect();
    assert_eq!(symbols, ["AAPL", "MSFT", "XOM"]);
    assert_eq!(all[0], second[0]);

    store.set_instrument_status(&sym("MSFT"), InstrumentStatus::Delisted).await.unwrap();
    store.set_instrument_status(&sym("AAPL"), InstrumentStatus::Active).await.unwrap();
    let all = store.instruments().await.unwrap();
    assert_eq!(all[0].status, InstrumentStatus::Active);
    assert_eq!(all[1].status, InstrumentStatus::Delisted);
    assert!(matches!(
        store.set_instrument_status(&sym("NOPE"), InstrumentStatus::Halted).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.upsert_instruments(&[]).await.unwrap().is_empty());
}

fn bar(symbol: &str, d: u32, close: i64) -> DailyBar {
    DailyBar {
        date: day(2024, 1, d),
        symbol: sym(symbol),
        open: Price(close - 10_000),
        high: Price(close + 20_000),
        low: Price(close - 30_000),
        close: Price(close),
        volume: 1_000 + i64::from(d),
    }
}

pub async fn bars_insert_replace_and_query_by_range(store: Arc<dyn Store>) {
    assert_eq!(store.bar_date_range().await.unwrap(), None);
    let bars = vec![
        bar("MSFT", 3, 3_700_000),
        bar("AAPL", 3, 1_840_000),
        bar("AAPL", 2, 1_850_000),
        bar("AAPL", 4, 1_820_000),
    ];
    assert_eq!(store.insert_bars(&bars).await.unwrap(), 4);
    assert_eq!(store.bar_date_range().await.unwrap(), Some((day(2024, 1, 2), day(2024, 1, 4))));

    let aapl = store.bars(Some(&sym("AAPL")), day(2024, 1, 1), day(2024, 1, 3)).await.unwrap();
    assert_eq!(aapl, vec![bars[2].clone(), bars[1].clone()], "by date, inclusive range");
    let all = store.bars(None, day(2024, 1, 3), day(2024, 1, 4)).await.unwrap();
    assert_eq!(all, vec![bars[1].clone(), bars[0].clone(), bars[3].clone()], "by date then symbol");
    assert!(store.bars(Some(&sym("XOM")), day(2024, 1, 1), day(2024, 12, 31)).await.unwrap().is_empty());
    assert!(store.bars(None, day(2024, 1, 5), day(2024, 1, 4)).await.unwrap().is_empty());

    let replacement = bar("AAPL", 3, 1_990_000);
    let repeated = bar("AAPL", 3, 1_995_000);
    assert_eq!(store.insert_bars(&[replacement, repeated.clone()]).await.unwrap(), 1, "the last copy wins");
    let day3 = store.bars(Some(&sym("AAPL")), day(2024, 1, 3), day(2024, 1, 3)).await.unwrap();
    assert_eq!(day3, vec![repeated]);
    assert_eq!(store.bars(None, day(2024, 1, 1), day(2024, 1, 31)).await.unwrap().len(), 4);
    assert_eq!(store.insert_bars(&[]).await.unwrap(), 0);
}

pub async fn corporate_actions_ignore_duplicates(store: Arc<dyn Store>) {
    let split = CorporateAction {
        date: day(2024, 6, 10),
        symbol: sym("NVDA"),
        kind: CorporateActionKind::Split { numerator: 10, denominator: 1 },
    };
    let dividend = CorporateAction {
        date: day(2024, 2, 9),
        symbol: sym("AAPL"),
        kind: CorporateActionKind::Dividend { per_share: Money(2_400) },
    };
    let same_day = CorporateAction {
        date: day(2024, 2, 9),
        symbol: sym("AAPL"),
        kind: CorporateActionKind::Split { numerator: 4, denominator: 1 },
    };
    assert_eq!(store.insert_corporate_actions(&[split.clone(), dividend.clone()]).await.unwrap(), 2);
    assert_eq!(store.insert_corporate_actions(&[dividend.clone(), same_day.clone()]).await.unwrap(), 1);
    let changed =
        CorporateAction { kind: CorporateActionKind::Dividend { per_share: Money(9_999) }, ..dividend.clone() };
    assert_eq!(store.insert_corporate_actions(&[changed]).await.unwrap(), 0, "a duplicate is ignored, not replaced");

    let all = store.corporate_actions(day(2024, 1, 1), day(2024, 12, 31)).await.unwrap();
    assert_eq!(all, vec![dividend.clone(), same_day, split.clone()], "by date then symbol");
    assert_eq!(store.corporate_actions(day(2024, 6, 10), day(2024, 6, 10)).await.unwrap(), vec![split]);
    assert!(store.corporate_actions(day(2023, 1, 1), day(2023, 12, 31)).await.unwrap().is_empty());
}
