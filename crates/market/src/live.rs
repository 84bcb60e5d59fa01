//! Live quotes: newline-delimited JSON from a TCP feed or stdin.
//!
//! One quote per line: `{"symbol":"AAPL","price":"187.25","ts":"2026-01-02T15:30:00Z"}`. The
//! price may be a string or a number (numbers are read through their shortest decimal text, so
//! `187.25` stays exact); `ts` is optional RFC 3339. Bad lines are reported and skipped, lines
//! longer than [`MAX_LINE_BYTES`] are discarded without being buffered, and nothing a feed sends
//! can make the reader panic.

use std::io;

use serde::Deserialize;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, BufReader};
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::sync::mpsc::Sender;

use bullpen_domain::{Price, Symbol, Ts};

/// The longest line accepted, in bytes (without the newline).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One quote from a live feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveQuote {
    /// Instrument.
    pub symbol: Symbol,
    /// Last price (positive, at most four decimals).
    pub price: Price,
    /// When the feed says the price was observed, if it says.
    pub ts: Option<Ts>,
}

#[derive(Deserialize)]
struct RawQuote {
    symbol: String,
    price: Price,
    #[serde(default)]
    ts: Option<String>,
}

/// Parses one NDJSON quote line. Extra fields are ignored.
pub fn parse_quote_line(line: &str) -> Result<LiveQuote, String> {
    let raw: RawQuote = serde_json::from_str(line.trim()).map_err(|e| format!("invalid quote: {e}"))?;
    let symbol = Symbol::parse(&raw.symbol).map_err(|e| e.to_string())?;
    if raw.price.0 <= 0 {
        return Err(format!("price must be positive, got {}", raw.price));
    }
    let ts = match raw.ts {
        None => None,
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(&text)
                .map(|t| Ts::from_datetime(t.to_utc()))
                .map_err(|e| format!("invalid ts `{text}`: {e} (expected RFC 3339)"))?,
        ),
    };
    Ok(LiveQuote { symbol, price: raw.price, ts })
}

/// Reads quote lines until end of input (or until the receiver of `tx` is dropped), sending
/// each valid quote to `tx` and calling `errors(line_number, reason)` for each bad line. Blank
/// lines are skipped silently. Returns the number of lines read.
pub async fn read_quotes<R, E>(mut reader: R, tx: Sender<LiveQuote>, mut errors: E) -> io::Result<u64>
where
    R: AsyncBufRead + Unpin,
    E: FnMut(u64, String),
{
    let mut line_number = 0u64;
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        let line = read_limited_line(&mut reader, &mut buf, MAX_LINE_BYTES).await?;
        if line.eof && buf.is_empty() && !line.too_long {
            return Ok(line_number);
        }
        line_number += 1;
        if line.too_long {
            errors(line_number, format!("line longer than {MAX_LINE_BYTES} bytes"));
        } else {
            match std::str::from_utf8(&buf) {
                Err(_) => errors(line_number, "line is not valid UTF-8".to_string()),
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => match parse_quote_line(text) {
                    Ok(quote) => {
                        if tx.send(quote).await.is_err() {
                            // Nobody is listening any more: stop reading.
                            return Ok(line_number);
                        }
                    }
                    Err(reason) => errors(line_number, reason),
                },
            }
        }
        if line.eof {
            return Ok(line_number);
        }
    }
}

struct LineEnd {
    /// Input ended (no newline after this line).
    eof: bool,
    /// The line exceeded the limit; `buf` was left empty.
    too_long: bool,
}

/// Reads one line (without its `\n`) into `buf`, keeping at most `limit` bytes: a longer line
/// is consumed to its end but not stored.
async fn read_limited_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<LineEnd> {
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(LineEnd { eof: true, too_long });
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let content = newline.unwrap_or(available.len());
        if !too_long {
            match available.get(..content) {
                Some(part) if buf.len() + part.len() <= limit => buf.extend_from_slice(part),
                _ => {
                    too_long = true;
                    buf.clear();
                }
            }
        }
        let consumed = newline.map_or(available.len(), |i| i + 1);
        reader.consume(consumed);
        if newline.is_some() {
            return Ok(LineEnd { eof: false, too_long });
        }
    }
}

/// Connects to a TCP quote feed and reads it to the end with [`read_quotes`].
pub async fn connect_tcp<A, E>(addr: A, tx: Sender<LiveQuote>, errors: E) -> io::Result<u64>
where
    A: ToSocketAddrs,
    E: FnMut(u64, String),
{
    let stream = TcpStream::connect(addr).await?;
    read_quotes(BufReader::new(stream), tx, errors).await
}

/// Reads quotes from standard input with [`read_quotes`].
pub async fn read_stdin<E>(tx: Sender<LiveQuote>, errors: E) -> io::Result<u64>
where
    E: FnMut(u64, String),
{
    read_quotes(BufReader::new(tokio::io::stdin()), tx, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::sync::mpsc;

    fn quote(symbol: &str, price: i64, ts: Option<&str>) -> LiveQuote {
        LiveQuote {
            symbol: Symbol::parse(symbol).unwrap(),
            price: Price(price),
            ts: ts.map(|t| Ts::from_datetime(chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc())),
        }
    }

    #[test]
    fn parses_string_and_number_prices() {
        let q = parse_quote_line(r#"{"symbol":"AAPL","price":"187.25","ts":"2026-01-02T15:30:00Z"}"#).unwrap();
        assert_eq!(q, quote("AAPL", 1_872_500, Some("2026-01-02T15:30:00Z")));
        let q = parse_quote_line(r#" {"symbol":"msft","price":0.1,"bid":1} "#).unwrap();
        assert_eq!(q, quote("MSFT", 1_000, None));
        let q = parse_quote_line(r#"{"symbol":"X","price":7,"ts":null}"#).unwrap();
        assert_eq!(q, quote("X", 70_000, None));
    }

    #[test]
    fn rejects_bad_quotes_with_reasons() {
        for (line, needle) in [
            (r#"{"symbol":"AAPL"}"#, "missing field `price`"),
            (r#"{"symbol":"AAPL","price":"1.23456"}"#, "more than 4 decimal places"),
            (r#"{"symbol":"AAPL","price":"0"}"#, "must be positive"),
            (r#"{"symbol":"AAPL","price":-5}"#, "must be positive"),
            (r#"{"symbol":"1A","price":"5"}"#, "not a valid symbol"),
            (r#"{"symbol":"AAPL","price":"5","ts":"yesterday"}"#, "invalid ts"),
            ("not json", "invalid quote"),
            ("[1,2]", "invalid quote"),
        ] {
            let err = parse_quote_line(line).unwrap_err();
            assert!(err.contains(needle), "{line}: {err}");
        }
    }

    #[tokio::test]
    async fn reads_good_lines_and_reports_bad_ones() {
        let long = format!("{{\"symbol\":\"AAPL\",\"price\":\"1\",\"pad\":\"{}\"}}", "x".repeat(MAX_LINE_BYTES));
        let input = format!(
            "{{\"symbol\":\"AAPL\",\"price\":\"187.25\"}}\n\nbroken\r\n{long}\n{{\"symbol\":\"IBM\",\"price\":140}}\r\n@@\n{{\"symbol\":\"GE\",\"price\":\"9.5\"}}"
        )
        .into_bytes();
        // Make line 6 invalid UTF-8.
        let mut bytes = input;
        let pos = bytes.windows(2).position(|w| w == b"@@").unwrap();
        bytes.splice(pos..pos + 2, [0xFF]);
        let (tx, mut rx) = mpsc::channel(16);
        let mut errors = Vec::new();
        // A tiny buffer exercises lines split across reads.
        let reader = BufReader::with_capacity(7, &bytes[..]);
        let lines = read_quotes(reader, tx, |line, reason| errors.push((line, reason))).await.unwrap();
        assert_eq!(lines, 7);
        let mut got = Vec::new();
        while let Some(q) = rx.recv().await {
            got.push(q);
        }
        assert_eq!(got, vec![quote("AAPL", 1_872_500, None), quote("IBM", 1_400_000, None), quote("GE", 95_000, None)]);
        let error_lines: Vec<u64> = errors.iter().map(|e| e.0).collect();
        assert_eq!(error_lines, [3, 4, 6]);
        assert!(errors[1].1.contains("longer than"));
        assert!(errors[2].1.contains("UTF-8"));
    }

    #[tokio::test]
    async fn stops_when_the_receiver_is_gone() {
        let input = "{\"symbol\":\"A\",\"price\":1}\n".repeat(10);
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let lines = read_quotes(input.as_bytes(), tx, |_, _| {}).await.unwrap();
        assert_eq!(lines, 1);
    }

    #[tokio::test]
    async fn reads_from_a_real_tcp_feed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            socket
                .write_all(b"{\"symbol\":\"AAPL\",\"price\":\"187.25\",\"ts\":\"2026-01-02T15:30:00Z\"}\noops\n")
                .await
                .unwrap();
            socket.write_all(b"{\"symbol\":\"MSFT\",\"price\":410.5}\n").await.unwrap();
            socket.shutdown().await.unwrap();
        });
        let (tx, mut rx) = mpsc::channel(16);
        let mut errors = Vec::new();
        let lines = connect_tcp(addr, tx, |line, reason| errors.push((line, reason))).await.unwrap();
        server.await.unwrap();
        assert_eq!(lines, 3);
        assert_eq!(rx.recv().await, Some(quote("AAPL", 1_872_500, Some("2026-01-02T15:30:00Z"))));
        assert_eq!(rx.recv().await, Some(quote("MSFT", 4_105_000, None)));
        assert_eq!(rx.recv().await, None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 2);
    }

    #[tokio::test]
    async fn connect_failure_is_an_io_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let (tx, _rx) = mpsc::channel(1);
        assert!(connect_tcp(addr, tx, |_, _| {}).await.is_err());
    }
}
