//! Civil dates (proleptic Gregorian calendar) without a clock.
//!
//! The library never reads the system time: every function that needs "today" takes it
//! as an argument, so results are reproducible and the code runs unchanged in wasm.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar date between 0001-01-01 and 9999-12-31 (parsed input) — arithmetic may leave
/// that range only for absurd offsets, which callers do not produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a date was rejected. The message quotes the input and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not of the shape `YYYY-MM-DD`.
    #[error("date {input:?} is not in the format YYYY-MM-DD")]
    Format {
        /// The text as given.
        input: String,
    },
    /// Well-formed but no such day exists (month 13, 2025-02-30, …).
    #[error("date {input} does not exist: {reason}")]
    Impossible {
        /// The date as given.
        input: String,
        /// Plain explanation, e.g. "February 2025 has 28 days".
        reason: String,
    },
}

/// True for leap years of the Gregorian calendar.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1–12) of `year`; 0 for an invalid month.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Builds a date, rejecting impossible ones (month 13, February 30, year 0 or > 9999).
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        let input = format!("{year:04}-{month:02}-{day:02}");
        if !(1..=9999).contains(&year) {
            return Err(DateError::Impossible {
                input,
                reason: "the year must be 0001–9999".into(),
            });
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Impossible {
                input,
                reason: format!("month {month} is not 1–12"),
            });
        }
        let dim = days_in_month(year, month);
        if day == 0 || day > dim {
            let name = MONTH_NAMES[usize::from(month - 1)];
            return Err(DateError::Impossible {
                input,
                reason: format!("{name} {year} has {dim} days"),
            });
        }
        Ok(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD` strictly (exactly four, two and two digits).
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let format = || DateError::Format {
            input: s.to_string(),
        };
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(format());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| format())
            } else {
                Err(format())
            }
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        // y < 10000, m and d < 100 by construction, so the casts cannot truncate.
        Self::new(y as i32, m as u8, d as u8)
    }

    /// Year (1–9999 for parsed dates).
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// Day of month 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), after H. Hinnant's `days_from_civil`.
    pub fn to_days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (inverse of [`Date::to_days`]); saturates at
    /// the ends of the supported range instead of overflowing.
    pub fn from_days(days: i64) -> Self {
        let z = days.clamp(-719_162, 2_932_896) + 719_468; // 0001-01-01 ..= 9999-12-31
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// The date `n` days later (earlier for negative `n`).
    pub fn add_days(self, n: i64) -> Self {
        Self::from_days(self.to_days().saturating_add(n))
    }

    /// The same day `n` months later, clamped to the month's last day (Jan 31 + 1 month =
    /// Feb 28/29), as people and warranty terms count months.
    pub fn add_months(self, n: i64) -> Self {
        let total = (i64::from(self.year) * 12 + i64::from(self.month) - 1).saturating_add(n);
        let year = total.div_euclid(12).clamp(1, 9999) as i32;
        let month = (total.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        Self { year, month, day }
    }

    /// Signed number of days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }

    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub fn iso_weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (ISO 4).
        ((self.to_days() + 3).rem_euclid(7) + 1) as u8
    }

    /// Monday of ISO week `week` of ISO year `year`; errors for week 0, week 53 in a
    /// 52-week year, or years outside 1–9999.
    pub fn from_iso_week(year: i32, week: u8) -> Result<Self, DateError> {
        let input = format!("{year:04}-W{week:02}");
        let jan4 = Self::new(year, 1, 4).map_err(|_| DateError::Impossible {
            input: input.clone(),
            reason: "the year must be 0001–9999".into(),
        })?;
        let weeks = iso_weeks_in_year(year);
        if week == 0 || week > weeks {
            return Err(DateError::Impossible {
                input,
                reason: format!("ISO year {year} has weeks 1–{weeks}"),
            });
        }
        let monday1 = jan4.add_days(-i64::from(jan4.iso_weekday() - 1));
        Ok(monday1.add_days(7 * i64::from(week - 1)))
    }
}

/// 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or is a leap year
/// starting on a Wednesday.
pub fn iso_weeks_in_year(year: i32) -> u8 {
    let jan1 = Date {
        year,
        month: 1,
        day: 1,
    }
    .iso_weekday();
    if jan1 == 4 || (jan1 == 3 && is_leap_year(year)) {
        53
    } else {
        52
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days_over_many_years() {
        let mut d = Date::new(1899, 12, 25).unwrap();
        let start = d.to_days();
        for n in start..start + 60_000 {
            let next = d.add_days(1);
            assert_eq!(next.to_days(), n + 1);
            assert_eq!(Date::from_days(n + 1), next);
            assert!(next > d);
            d = next;
        }
        assert_eq!(Date::new(1970, 1, 1).unwrap().to_days(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().to_days(), 11_017);
    }

    #[test]
    fn rejects_impossible_dates_with_reason() {
        let e = Date::parse("2025-02-30").unwrap_err();
        assert!(e.to_string().contains("February 2025 has 28 days"), "{e}");
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("1900-02-29").is_err());
        assert!(Date::parse("2000-02-29").is_ok());
        assert!(
            Date::parse("2025-13-01")
                .unwrap_err()
                .to_string()
                .contains("month 13")
        );
        assert!(matches!(
            Date::parse("2025-1-01"),
            Err(DateError::Format { .. })
        ));
        assert!(matches!(
            Date::parse("20x5-01-01"),
            Err(DateError::Format { .. })
        ));
        assert!(matches!(
            Date::parse("2025-01-01 "),
            Err(DateError::Format { .. })
        ));
        assert!(Date::parse("0000-01-01").is_err());
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        let d = Date::parse("2025-01-31").unwrap();
        assert_eq!(d.add_months(1).to_string(), "2025-02-28");
        assert_eq!(
            Date::parse("2024-01-31").unwrap().add_months(1).to_string(),
            "2024-02-29"
        );
        assert_eq!(d.add_months(12).to_string(), "2026-01-31");
        assert_eq!(d.add_months(-2).to_string(), "2024-11-30");
        assert_eq!(d.add_months(24).year(), 2027);
    }

    #[test]
    fn iso_weeks() {
        // 2020 has 53 ISO weeks; week 1 of 2020 starts on Monday 2019-12-30.
        assert_eq!(iso_weeks_in_year(2020), 53);
        assert_eq!(iso_weeks_in_year(2021), 52);
        assert_eq!(
            Date::from_iso_week(2020, 1).unwrap().to_string(),
            "2019-12-30"
        );
        assert_eq!(
            Date::from_iso_week(2024, 10).unwrap().to_string(),
            "2024-03-04"
        );
        assert_eq!(Date::from_iso_week(2024, 10).unwrap().iso_weekday(), 1);
        assert!(Date::from_iso_week(2021, 53).is_err());
        assert!(Date::from_iso_week(2021, 0).is_err());
    }

    #[test]
    fn serde_uses_iso_strings_and_validates() {
        let d: Date = serde_json::from_str("\"2024-05-06\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-05-06\"");
        assert!(serde_json::from_str::<Date>("\"2024-04-31\"").is_err());
    }

    #[test]
    fn from_days_saturates() {
        assert_eq!(Date::from_days(i64::MAX).to_string(), "9999-12-31");
        assert_eq!(Date::from_days(i64::MIN).to_string(), "0001-01-01");
        assert_eq!(
            Date::parse("9999-12-31").unwrap().add_months(5).year(),
            9999
        );
    }
}
