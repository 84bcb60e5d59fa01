//! Unusual trades as the pages show them: the trade, its anomaly score against the flagging
//! threshold, and the features that made it unusual with their shares of the score.

use bullpen_analytics::dashboard::{self, AnomalyView, EntryRef};
use bullpen_warehouse::datafusion::prelude::SessionContext;
use maud::{html, Markup};

use super::dashboard::pct;
use super::layout::empty;

/// The entry's flagged trades; none when the warehouse has not been scored yet (the failure
/// is logged, the page still renders).
pub async fn of_entry(ctx: &SessionContext, at: EntryRef) -> Vec<AnomalyView> {
    match dashboard::entry_anomalies(ctx, at).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the entry's anomalies");
            Vec::new()
        }
    }
}

/// The flagged trades, with their reasons; a note when there are none.
pub fn anomaly_list(anomalies: &[AnomalyView]) -> Markup {
    let flagged: Vec<&AnomalyView> = anomalies.iter().filter(|a| a.flagged).collect();
    html! {
        @if flagged.is_empty() {
            (empty("None of your closed trades stands out from your usual trading.", None))
        } @else {
            p.muted { "Trades unusual for you (size, return, holding time, time of day, concentration, frequency), scored by a random cut forest." }
            ul.anomalies {
                @for a in flagged {
                    li.anomaly data-trip=(format!("{}-{}", a.close_seq, a.piece)) {
                        strong { (a.symbol) } " closed " (a.closed_at.replace('T', " ").replace('Z', " UTC"))
                        " — score " (format!("{:.2}", a.score))
                        @if let Some(t) = a.threshold { " (threshold " (format!("{:.2}", t)) ")" }
                        p { (a.reason) }
                        @if !a.features.is_empty() {
                            p.muted {
                                "Top features: "
                                @for (i, f) in a.features.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    (f.feature.replace('_', " ")) " " (pct(f.share).trim_start_matches('+'))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
