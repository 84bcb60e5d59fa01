//! The report's charts, drawn by `bullpen_charts` like the web pages (the portfolio page's
//! equity chart: the entry against the dashed equal-weight benchmark).

use bullpen_charts::{line_chart, Frame, Series, ValueFormat};
use chrono::NaiveDate;

use super::model::{EntryReport, ReturnDistribution};

/// Chart width in SVG units (the HTML scales it; the PDF draws it at the text width).
pub(crate) const WIDTH: f64 = 720.0;
/// Chart height in SVG units.
pub(crate) const HEIGHT: f64 = 260.0;

fn seconds(date: NaiveDate) -> f64 {
    date.and_hms_opt(0, 0, 0).map_or(0.0, |d| d.and_utc().timestamp() as f64)
}

/// The equity curve against the benchmark.
pub(crate) fn equity_chart(report: &EntryReport) -> String {
    let own = report.equity_curve.iter().map(|p| (seconds(p.date), p.equity.to_f64_lossy())).collect();
    let mut series = vec![Series { name: "Equity".into(), points: own, dashed: false }];
    let bench: Vec<(f64, f64)> =
        report.equity_curve.iter().filter_map(|p| p.benchmark.map(|b| (seconds(p.date), b.to_f64_lossy()))).collect();
    if !bench.is_empty() {
        series.push(Series { name: "Equal-weight universe".into(), points: bench, dashed: true });
    }
    line_chart(&Frame::new(WIDTH, HEIGHT, "Equity against the equal-weight benchmark"), &series)
}

/// The distribution of returns: entries per bucket, by the bucket's middle return.
pub(crate) fn distribution_chart(distribution: &ReturnDistribution) -> String {
    let points = distribution.buckets.iter().map(|b| ((b.from_return + b.to_return) / 2.0, b.entries as f64)).collect();
    let mut frame = Frame::new(WIDTH, HEIGHT, "Entries by return over the window");
    frame.x_format = ValueFormat::Percent;
    frame.y_format = ValueFormat::Number;
    line_chart(&frame, &[Series { name: "Entries".into(), points, dashed: false }])
}
