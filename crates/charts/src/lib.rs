//! Charts as SVG text, drawn by our own code so web pages and PDF reports show the same
//! pictures and nothing is loaded from another origin.
//!
//! Every chart is a pure function from data to an SVG string. Values are `f64` (charts are
//! pictures, not money). Each data point also lands in `data-*` attributes so the small
//! hand-written script of the web pages can show hover details and a crosshair without a
//! second request. Styling hooks are CSS classes (`bp-chart`, `bp-series-N`, `bp-up`,
//! `bp-down`, …) with sensible inline defaults, so a chart also looks right on its own (PDF).

mod axis;
mod candles;
mod line;
mod scatter;
mod svg;

pub use axis::{nice_ticks, Scale};
pub use candles::{candle_chart, Candle, TradeMarker};
pub use line::{line_chart, Series};
pub use scatter::{scatter_chart, scatter_chart_with_bands, Band, ScatterPoint};
pub use svg::escape;

/// Size and labels of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Width in SVG units (the element scales to its container).
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// Accessible title (also the `<title>` element).
    pub title: String,
    /// Formats a y value for axis labels and data attributes.
    pub y_format: ValueFormat,
    /// Formats an x value (a time in seconds since the epoch, or a plain number).
    pub x_format: ValueFormat,
}

impl Frame {
    /// A frame of a size with a title; money on y, dates on x.
    pub fn new(width: f64, height: f64, title: &str) -> Frame {
        Frame { width, height, title: title.to_string(), y_format: ValueFormat::Money, x_format: ValueFormat::Date }
    }
}

/// How numbers are written on axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// `$1,234.56` (compact above 10,000: `$12.3k`, `$1.2M`).
    Money,
    /// `12.3%` (the value is a fraction: 0.123).
    Percent,
    /// A plain number.
    Number,
    /// Seconds since the Unix epoch shown as `YYYY-MM-DD` (UTC).
    Date,
    /// A duration in seconds shown as `3d`, `5h`, `20m`.
    Duration,
}

impl ValueFormat {
    /// Formats one value.
    pub fn format(self, v: f64) -> String {
        match self {
            ValueFormat::Money => money(v),
            ValueFormat::Percent => format!("{:.1}%", v * 100.0),
            ValueFormat::Number => trim_number(v),
            ValueFormat::Date => date(v),
            ValueFormat::Duration => duration(v),
        }
    }
}

fn money(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a >= 1_000_000.0 {
        format!("{sign}${:.1}M", a / 1_000_000.0)
    } else if a >= 10_000.0 {
        format!("{sign}${:.1}k", a / 1_000.0)
    } else {
        format!("{sign}${a:.2}")
    }
}

fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0);
    if s >= 86_400.0 {
        format!("{:.0}d", s / 86_400.0)
    } else if s >= 3_600.0 {
        format!("{:.0}h", s / 3_600.0)
    } else {
        format!("{:.0}m", s / 60.0)
    }
}

/// Civil date of a Unix time (UTC), by Howard Hinnant's days-from-civil inverse.
fn date(seconds: f64) -> String {
    let days = (seconds / 86_400.0).floor() as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_values() {
        assert_eq!(ValueFormat::Money.format(1234.5), "$1234.50");
        assert_eq!(ValueFormat::Money.format(123_456.0), "$123.5k");
        assert_eq!(ValueFormat::Money.format(-2_500_000.0), "-$2.5M");
        assert_eq!(ValueFormat::Percent.format(0.1234), "12.3%");
        assert_eq!(ValueFormat::Date.format(1_767_623_400.0), "2026-01-05");
        assert_eq!(ValueFormat::Date.format(0.0), "1970-01-01");
        assert_eq!(ValueFormat::Date.format(951_782_400.0), "2000-02-29");
        assert_eq!(ValueFormat::Duration.format(3.0 * 86_400.0), "3d");
        assert_eq!(ValueFormat::Number.format(3.0), "3");
    }
}
