//! The New York Stock Exchange calendar: trading days, holidays, early closes and session times.
//!
//! Everything is computed by rule, without a time-zone database: the New York UTC offset follows
//! the US daylight-saving rules (since 2007: second Sunday in March 02:00 to first Sunday in
//! November 02:00; 1987–2006: first Sunday in April to last Sunday in October; before 1987: last
//! Sunday in April to last Sunday in October). Holidays follow NYSE Rule 7.2 (a holiday on a
//! Sunday is observed the next Monday, one on a Saturday the Friday before — except New Year's
//! Day, which then is not observed because Dec 31 closes the year). Unscheduled closures are a
//! fixed list ([`SPECIAL_CLOSURES`]).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use bullpen_domain::time::MICROS_PER_SECOND;
use bullpen_domain::Ts;

/// Days the exchange closed outside its holiday rules (weather, national mourning, 9/11).
pub const SPECIAL_CLOSURES: &[(i32, u32, u32, &str)] = &[
    (1985, 9, 27, "Hurricane Gloria"),
    (1994, 4, 27, "National Day of Mourning for Richard Nixon"),
    (2001, 9, 11, "September 11 attacks"),
    (2001, 9, 12, "September 11 attacks"),
    (2001, 9, 13, "September 11 attacks"),
    (2001, 9, 14, "September 11 attacks"),
    (2004, 6, 11, "National Day of Mourning for Ronald Reagan"),
    (2007, 1, 2, "National Day of Mourning for Gerald Ford"),
    (2012, 10, 29, "Hurricane Sandy"),
    (2012, 10, 30, "Hurricane Sandy"),
    (2018, 12, 5, "National Day of Mourning for George H. W. Bush"),
    (2025, 1, 9, "National Day of Mourning for Jimmy Carter"),
];

/// Regular session opening time, New York local.
const OPEN_HM: (u32, u32) = (9, 30);
/// Regular session closing time, New York local.
const CLOSE_HM: (u32, u32) = (16, 0);
/// Early closing time, New York local.
const EARLY_CLOSE_HM: (u32, u32) = (13, 0);

/// One trading session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Session {
    /// The trading day (New York date).
    pub date: NaiveDate,
    /// Opening bell (UTC).
    pub open: Ts,
    /// Closing bell (UTC). The market is open in `[open, close)`.
    pub close: Ts,
    /// True when the exchange closes at 13:00 instead of 16:00.
    pub early_close: bool,
}

impl Session {
    /// True when `ts` lies in `[open, close)`.
    pub fn contains(&self, ts: Ts) -> bool {
        self.open <= ts && ts < self.close
    }

    /// Length of the session in microseconds.
    pub fn duration_micros(&self) -> i64 {
        self.close.0 - self.open.0
    }
}

/// The NYSE calendar. Stateless: every answer is computed from rules, so it is cheap to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NyseCalendar;

impl NyseCalendar {
    /// The calendar.
    pub fn new() -> NyseCalendar {
        NyseCalendar
    }

    /// Why the exchange is closed on this weekday, or `None` when it is not a holiday.
    /// Weekends return `None` too (they are not holidays, just closed).
    pub fn holiday(&self, date: NaiveDate) -> Option<&'static str> {
        if is_weekend(date) {
            return None;
        }
        let (y, m, d) = (date.year(), date.month(), date.day());
        if let Some(&(_, _, _, name)) = SPECIAL_CLOSURES.iter().find(|&&(sy, sm, sd, _)| (sy, sm, sd) == (y, m, d)) {
            return Some(name);
        }
        // New Year's Day: Sunday → Monday; Saturday → not observed (Dec 31 stays open).
        if ymd(y, 1, 1).is_some_and(|nyd| observed_sunday_only(nyd) == Some(date)) {
            return Some("New Year's Day");
        }
        if y >= 1998 && nth_weekday(y, 1, Weekday::Mon, 3) == Some(date) {
            return Some("Martin Luther King Jr. Day");
        }
        if nth_weekday(y, 2, Weekday::Mon, 3) == Some(date) {
            return Some("Washington's Birthday");
        }
        if easter_sunday(y).and_then(|e| e.checked_sub_signed(Duration::days(2))) == Some(date) {
            return Some("Good Friday");
        }
        if last_weekday(y, 5, Weekday::Mon) == Some(date) {
            return Some("Memorial Day");
        }
        if y >= 2022 && ymd(y, 6, 19).and_then(observed) == Some(date) {
            return Some("Juneteenth National Independence Day");
        }
        if ymd(y, 7, 4).and_then(observed) == Some(date) {
            return Some("Independence Day");
        }
        if nth_weekday(y, 9, Weekday::Mon, 1) == Some(date) {
            return Some("Labor Day");
        }
        if nth_weekday(y, 11, Weekday::Thu, 4) == Some(date) {
            return Some("Thanksgiving Day");
        }
        if ymd(y, 12, 25).and_then(observed) == Some(date) {
            return Some("Christmas Day");
        }
        None
    }

    /// True when the exchange holds a session on `date`.
    pub fn is_trading_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && self.holiday(date).is_none()
    }

    /// True when the session on `date` (a trading day) closes at 13:00: July 3 when a
    /// trading day, the day after Thanksgiving, and Christmas Eve when a trading day.
    pub fn is_early_close(&self, date: NaiveDate) -> bool {
        if !self.is_trading_day(date) {
            return false;
        }
        let (y, m, d) = (date.year(), date.month(), date.day());
        let after_thanksgiving = nth_weekday(y, 11, Weekday::Thu, 4).and_then(|t| t.succ_opt()) == Some(date);
        (m == 7 && d == 3) || (m == 12 && d == 24) || after_thanksgiving
    }

    /// The session on `date`, or `None` when the exchange is closed all day.
    pub fn session(&self, date: NaiveDate) -> Option<Session> {
        if !self.is_trading_day(date) {
            return None;
        }
        let early_close = self.is_early_close(date);
        let close_hm = if early_close { EARLY_CLOSE_HM } else { CLOSE_HM };
        Some(Session {
            date,
            open: new_york_to_ts(date, OPEN_HM.0, OPEN_HM.1),
            close: new_york_to_ts(date, close_hm.0, close_hm.1),
            early_close,
        })
    }

    /// The regular 09:30–16:00 session times for any date, trading day or not (used to lay out
    /// data that falls on a day the calendar does not know as a trading day).
    pub fn regular_hours(&self, date: NaiveDate) -> Session {
        Session {
            date,
            open: new_york_to_ts(date, OPEN_HM.0, OPEN_HM.1),
            close: new_york_to_ts(date, CLOSE_HM.0, CLOSE_HM.1),
            early_close: false,
        }
    }

    /// True when the exchange is in session at `ts`.
    pub fn is_open(&self, ts: Ts) -> bool {
        let local_date = to_new_york(ts).date();
        self.session(local_date).is_some_and(|s| s.contains(ts))
    }

    /// The session in progress at `ts`, or else the next one to open after it.
    pub fn current_or_next_session(&self, ts: Ts) -> Option<Session> {
        let mut date = to_new_york(ts).date();
        if let Some(session) = self.session(date) {
            if ts < session.close {
                return Some(session);
            }
        }
        // At most a handful of closed days in a row; the bound only guards chrono's range end.
        for _ in 0..30 {
            date = date.succ_opt()?;
            if let Some(session) = self.session(date) {
                return Some(session);
            }
        }
        None
    }

    /// The first trading day strictly after `date`. (At the very end of chrono's date range,
    /// around the year 262,000, returns `date` itself.)
    pub fn next_trading_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while let Some(next) = d.succ_opt() {
            if self.is_trading_day(next) {
                return next;
            }
            d = next;
        }
        date
    }

    /// The last trading day strictly before `date`. (At the very start of chrono's date range
    /// returns `date` itself.)
    pub fn previous_trading_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while let Some(prev) = d.pred_opt() {
            if self.is_trading_day(prev) {
                return prev;
            }
            d = prev;
        }
        date
    }

    /// All trading days from `from` to `to`, both inclusive, ascending. Empty when `from > to`.
    pub fn trading_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days().take_while(|d| *d <= to).filter(|d| self.is_trading_day(*d)).collect()
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Weekend observance: Saturday → Friday before, Sunday → Monday after.
fn observed(date: NaiveDate) -> Option<NaiveDate> {
    match date.weekday() {
        Weekday::Sat => date.pred_opt(),
        Weekday::Sun => date.succ_opt(),
        _ => Some(date),
    }
}

/// New Year's observance: Sunday → Monday; Saturday → not observed.
fn observed_sunday_only(date: NaiveDate) -> Option<NaiveDate> {
    match date.weekday() {
        Weekday::Sat => None,
        Weekday::Sun => date.succ_opt(),
        _ => Some(date),
    }
}

/// The `n`-th (1-based) `weekday` of a month.
fn nth_weekday(y: i32, m: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(y, m, weekday, n)
}

/// The last `weekday` of a month.
fn last_weekday(y: i32, m: u32, weekday: Weekday) -> Option<NaiveDate> {
    let first_next = if m == 12 { ymd(y + 1, 1, 1)? } else { ymd(y, m + 1, 1)? };
    let last = first_next.pred_opt()?;
    let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    last.checked_sub_signed(Duration::days(i64::from(back)))
}

/// The first and last day of daylight-saving time in New York for `year` (local dates).
fn dst_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    if year >= 2007 {
        Some((nth_weekday(year, 3, Weekday::Sun, 2)?, nth_weekday(year, 11, Weekday::Sun, 1)?))
    } else if year >= 1987 {
        Some((nth_weekday(year, 4, Weekday::Sun, 1)?, last_weekday(year, 10, Weekday::Sun)?))
    } else {
        Some((last_weekday(year, 4, Weekday::Sun)?, last_weekday(year, 10, Weekday::Sun)?))
    }
}

/// Easter Sunday (Gregorian), by the anonymous ("Meeus/Jones/Butcher") computus.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

const HOUR_MICROS: i64 = 3_600 * MICROS_PER_SECOND;

/// New York's offset from UTC at the instant `ts`, in seconds (−14,400 in summer, −18,000 in
/// winter). Daylight time starts at 02:00 EST (07:00 UTC) and ends at 02:00 EDT (06:00 UTC).
pub fn new_york_offset_seconds(ts: Ts) -> i32 {
    let utc = ts.to_datetime().naive_utc();
    let Some((start, end)) = dst_bounds(utc.year()) else {
        return -5 * 3_600;
    };
    let start_utc = start.and_time(NaiveTime::MIN) + Duration::hours(7);
    let end_utc = end.and_time(NaiveTime::MIN) + Duration::hours(6);
    if start_utc <= utc && utc < end_utc {
        -4 * 3_600
    } else {
        -5 * 3_600
    }
}

/// The New York local wall-clock time at the instant `ts`.
pub fn to_new_york(ts: Ts) -> NaiveDateTime {
    let offset = Duration::seconds(i64::from(new_york_offset_seconds(ts)));
    let utc = ts.to_datetime().naive_utc();
    utc.checked_add_signed(offset).unwrap_or(utc)
}

/// The UTC instant of New York local time `hour:minute` on `date`, for times after 03:00 (the
/// only ones the exchange needs; the daylight-saving switch happens at 02:00 on a Sunday).
pub fn new_york_to_ts(date: NaiveDate, hour: u32, minute: u32) -> Ts {
    let dst = dst_bounds(date.year()).is_some_and(|(start, end)| start <= date && date < end);
    let offset_hours: i64 = if dst { 4 } else { 5 };
    let local_micros =
        Ts::from_date(date).0 + i64::from(hour) * HOUR_MICROS + i64::from(minute) * 60 * MICROS_PER_SECOND;
    Ts(local_micros + offset_hours * HOUR_MICROS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ts(text: &str) -> Ts {
        Ts::from_datetime(chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc())
    }

    const CAL: NyseCalendar = NyseCalendar;

    #[test]
    fn five_years_of_the_data_window_have_1259_trading_days() {
        let days = CAL.trading_days(d(2013, 2, 8), d(2018, 2, 7));
        assert_eq!(days.len(), 1_259);
        assert_eq!(days.first(), Some(&d(2013, 2, 8)));
        assert_eq!(days.last(), Some(&d(2018, 2, 7)));
    }

    #[test]
    fn trading_days_per_year_match_nyse() {
        let count = |y| CAL.trading_days(d(y, 1, 1), d(y, 12, 31)).len();
        assert_eq!(count(2012), 250); // Sandy
        assert_eq!(count(2013), 252);
        assert_eq!(count(2014), 252);
        assert_eq!(count(2015), 252);
        assert_eq!(count(2016), 252);
        assert_eq!(count(2017), 251);
        assert_eq!(count(2018), 251); // Bush mourning day
        assert_eq!(count(2019), 252);
        assert_eq!(count(2020), 253);
        assert_eq!(count(2021), 252);
        assert_eq!(count(2022), 251);
        assert_eq!(count(2023), 250);
        assert_eq!(count(2024), 252);
        assert_eq!(count(2025), 250); // Carter mourning day
    }

    #[test]
    fn holidays_and_observance() {
        assert_eq!(CAL.holiday(d(2017, 1, 2)), Some("New Year's Day")); // Jan 1 on Sunday
        assert!(CAL.is_trading_day(d(2021, 12, 31))); // Jan 1 2022 on Saturday: not observed
        assert!(CAL.is_trading_day(d(2022, 1, 3)));
        assert_eq!(CAL.holiday(d(2015, 4, 3)), Some("Good Friday"));
        assert_eq!(CAL.holiday(d(2024, 3, 29)), Some("Good Friday"));
        assert_eq!(CAL.holiday(d(2015, 7, 3)), Some("Independence Day")); // Saturday → Friday
        assert_eq!(CAL.holiday(d(2021, 7, 5)), Some("Independence Day")); // Sunday → Monday
        assert_eq!(CAL.holiday(d(2022, 12, 26)), Some("Christmas Day"));
        assert_eq!(CAL.holiday(d(2021, 12, 24)), Some("Christmas Day"));
        assert_eq!(CAL.holiday(d(2022, 6, 20)), Some("Juneteenth National Independence Day"));
        assert_eq!(CAL.holiday(d(2021, 6, 18)), None); // before Juneteenth was a market holiday
        assert_eq!(CAL.holiday(d(1997, 1, 20)), None); // before MLK day
        assert_eq!(CAL.holiday(d(1998, 1, 19)), Some("Martin Luther King Jr. Day"));
        assert_eq!(CAL.holiday(d(2016, 5, 30)), Some("Memorial Day"));
        assert_eq!(CAL.holiday(d(2016, 9, 5)), Some("Labor Day"));
        assert_eq!(CAL.holiday(d(2016, 11, 24)), Some("Thanksgiving Day"));
        assert_eq!(CAL.holiday(d(2016, 2, 15)), Some("Washington's Birthday"));
        assert_eq!(CAL.holiday(d(2012, 10, 30)), Some("Hurricane Sandy"));
        assert!(!CAL.is_trading_day(d(2001, 9, 14)));
        assert!(!CAL.is_trading_day(d(2016, 1, 2))); // Saturday
        assert!(CAL.is_trading_day(d(2016, 1, 4)));
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter_sunday(2013), Some(d(2013, 3, 31)));
        assert_eq!(easter_sunday(2019), Some(d(2019, 4, 21)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn early_closes() {
        assert!(CAL.is_early_close(d(2017, 7, 3))); // Monday before a Tuesday July 4
        assert!(CAL.is_early_close(d(2013, 7, 3)));
        assert!(!CAL.is_early_close(d(2015, 7, 2))); // July 3 was the observed holiday
        assert!(CAL.is_early_close(d(2016, 11, 25)));
        assert!(CAL.is_early_close(d(2018, 12, 24)));
        assert!(!CAL.is_early_close(d(2021, 12, 24))); // closed (observed Christmas)
        assert!(!CAL.is_early_close(d(2016, 12, 23)));
        let s = CAL.session(d(2016, 11, 25)).unwrap();
        assert!(s.early_close);
        assert_eq!(s.open, ts("2016-11-25T09:30:00-05:00"));
        assert_eq!(s.close, ts("2016-11-25T13:00:00-05:00"));
    }

    #[test]
    fn sessions_follow_daylight_saving() {
        // 2016: DST from March 13 to November 6.
        let winter = CAL.session(d(2016, 3, 11)).unwrap();
        assert_eq!(winter.open, ts("2016-03-11T14:30:00Z"));
        assert_eq!(winter.close, ts("2016-03-11T21:00:00Z"));
        let summer = CAL.session(d(2016, 3, 14)).unwrap();
        assert_eq!(summer.open, ts("2016-03-14T13:30:00Z"));
        assert_eq!(summer.close, ts("2016-03-14T20:00:00Z"));
        assert_eq!(CAL.session(d(2016, 11, 4)).unwrap().open, ts("2016-11-04T13:30:00Z"));
        assert_eq!(CAL.session(d(2016, 11, 7)).unwrap().open, ts("2016-11-07T14:30:00Z"));
        // 2006 (old rules): DST from April 2 to October 29.
        assert_eq!(CAL.session(d(2006, 3, 31)).unwrap().open, ts("2006-03-31T14:30:00Z"));
        assert_eq!(CAL.session(d(2006, 4, 3)).unwrap().open, ts("2006-04-03T13:30:00Z"));
        assert_eq!(CAL.session(d(2006, 10, 27)).unwrap().open, ts("2006-10-27T13:30:00Z"));
        assert_eq!(CAL.session(d(2006, 10, 30)).unwrap().open, ts("2006-10-30T14:30:00Z"));
        assert!(CAL.session(d(2016, 3, 12)).is_none());
    }

    #[test]
    fn offsets_switch_at_two_am_local() {
        assert_eq!(new_york_offset_seconds(ts("2016-03-13T06:59:59Z")), -18_000);
        assert_eq!(new_york_offset_seconds(ts("2016-03-13T07:00:00Z")), -14_400);
        assert_eq!(new_york_offset_seconds(ts("2016-11-06T05:59:59Z")), -14_400);
        assert_eq!(new_york_offset_seconds(ts("2016-11-06T06:00:00Z")), -18_000);
        assert_eq!(to_new_york(ts("2016-07-01T13:30:00Z")).to_string(), "2016-07-01 09:30:00");
    }

    #[test]
    fn is_open_is_half_open_interval() {
        assert!(!CAL.is_open(ts("2016-07-01T09:29:59-04:00")));
        assert!(CAL.is_open(ts("2016-07-01T09:30:00-04:00")));
        assert!(CAL.is_open(ts("2016-07-01T15:59:59-04:00")));
        assert!(!CAL.is_open(ts("2016-07-01T16:00:00-04:00")));
        assert!(!CAL.is_open(ts("2016-07-04T12:00:00-04:00"))); // holiday
        assert!(!CAL.is_open(ts("2016-07-02T12:00:00-04:00"))); // Saturday
        assert!(!CAL.is_open(ts("2016-11-25T13:30:00-05:00"))); // after the early close
                                                                // 21:30 New York is already the next day in UTC.
        assert!(!CAL.is_open(ts("2016-07-06T01:30:00Z")));
    }

    #[test]
    fn next_previous_and_current_sessions() {
        assert_eq!(CAL.next_trading_day(d(2016, 7, 1)), d(2016, 7, 5));
        assert_eq!(CAL.previous_trading_day(d(2016, 7, 5)), d(2016, 7, 1));
        assert_eq!(CAL.next_trading_day(d(2012, 10, 26)), d(2012, 10, 31));
        assert_eq!(CAL.previous_trading_day(d(2013, 1, 2)), d(2012, 12, 31));
        let after_close = CAL.current_or_next_session(ts("2016-07-01T17:00:00-04:00")).unwrap();
        assert_eq!(after_close.date, d(2016, 7, 5));
        let during = CAL.current_or_next_session(ts("2016-07-01T10:00:00-04:00")).unwrap();
        assert_eq!(during.date, d(2016, 7, 1));
        assert!(CAL.trading_days(d(2016, 7, 5), d(2016, 7, 1)).is_empty());
        assert_eq!(CAL.trading_days(d(2016, 7, 1), d(2016, 7, 5)), vec![d(2016, 7, 1), d(2016, 7, 5)]);
    }

    #[test]
    fn regular_hours_on_any_day() {
        let s = CAL.regular_hours(d(2016, 7, 2));
        assert_eq!(s.open, ts("2016-07-02T09:30:00-04:00"));
        assert_eq!(s.duration_micros(), 6 * HOUR_MICROS + 30 * 60 * MICROS_PER_SECOND);
    }
}
