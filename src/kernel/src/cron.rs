//! Cron expressions: the classic 5 fields (`0 0 * * *`) or 6–7 with seconds
//! first, as the `cron` crate reads them.

use std::str::FromStr;

use chrono::Utc;

use crate::time::Timestamp;

#[derive(Debug, Clone)]
pub struct Cron(cron::Schedule);

impl Cron {
    /// Parses an expression; the error names the problem.
    pub fn parse(expr: &str) -> Result<Cron, String> {
        let expr = expr.trim();
        let fields = expr.split_whitespace().count();
        if !(5..=7).contains(&fields) {
            return Err(format!(
                "{expr:?} has {fields} fields; cron takes 5 (minute hour day month weekday) or 6 with seconds first"
            ));
        }
        // The crate's own range messages are off by one ("Minutes must be
        // less than 59" for 61), so numbers are checked here first, in the
        // numbering the user wrote.
        in_range(expr)?;
        let full = if fields == 5 { classic(expr)? } else { expr.to_string() };
        let schedule = cron::Schedule::from_str(&full).map_err(|e| {
            // The crate quotes the rewritten expression with a caret; its
            // last line says what is wrong, which is what the user needs.
            let text = e.to_string();
            let why = text.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("").to_string();
            format!("{expr:?} is not a cron expression: {why}")
        })?;
        if schedule.upcoming(Utc).next().is_none() {
            return Err(format!("{expr:?} never fires"));
        }
        Ok(Cron(schedule))
    }

    /// The first firing strictly after `t`.
    pub fn next_after(&self, t: &Timestamp) -> Option<Timestamp> {
        self.0.after(t).next()
    }
}

/// Each field's name and allowed numbers, for 5 (classic), 6 or 7 fields.
fn limits(fields: usize) -> &'static [(&'static str, u32, u32)] {
    const CLASSIC: [(&str, u32, u32); 5] =
        [("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("weekday", 0, 7)];
    const SECONDS: [(&str, u32, u32); 7] = [
        ("second", 0, 59),
        ("minute", 0, 59),
        ("hour", 0, 23),
        ("day of month", 1, 31),
        ("month", 1, 12),
        ("weekday", 1, 7),
        ("year", 1970, 2100),
    ];
    if fields == 5 { &CLASSIC } else { &SECONDS[..fields] }
}

/// Every number of every field (values, range ends, steps) lies within the
/// field's bounds; the error names the field, the number and the bounds.
fn in_range(expr: &str) -> Result<(), String> {
    let parts: Vec<&str> = expr.split_whitespace().collect();
    for (field, &(name, min, max)) in parts.iter().zip(limits(parts.len())) {
        for item in field.split(',') {
            let (base, step) = match item.split_once('/') {
                Some((b, s)) => (b, Some(s)),
                None => (item, None),
            };
            for end in base.split('-') {
                // Names, `*`, `?` and malformed items are left to the parser.
                let Ok(n) = end.parse::<u32>() else { continue };
                if n < min || n > max {
                    return Err(format!("{name} {n} is out of range {min}–{max} in {expr:?}"));
                }
            }
            if let Some(Ok(n)) = step.map(str::parse::<u32>)
                && (n == 0 || n > max)
            {
                return Err(format!("{name} step {n} is out of range 1–{max} in {expr:?}"));
            }
        }
    }
    Ok(())
}

/// A classic 5-field expression in the `cron` crate's form: a seconds field
/// first, and weekdays renumbered (classic 0 or 7 is Sunday, 1 Monday; the
/// crate counts 1 as Sunday through 7 as Saturday). Names pass unchanged.
fn classic(expr: &str) -> Result<String, String> {
    let mut fields: Vec<String> = expr.split_whitespace().map(String::from).collect();
    if let Some(dow) = fields.get_mut(4) {
        *dow = weekdays(dow)?;
    }
    Ok(format!("0 {}", fields.join(" ")))
}

fn weekdays(field: &str) -> Result<String, String> {
    // Names (MON, tue...) mean the same to both; leave such a field alone.
    if field == "*" || field == "?" || field.chars().any(|c| c.is_ascii_alphabetic()) {
        return Ok(field.to_string());
    }
    let number = |s: &str| -> Result<u32, String> {
        let n: u32 = s.parse().map_err(|_| format!("weekday {s:?} is not a number"))?;
        if n > 7 { Err(format!("weekday {n} is not between 0 and 7")) } else { Ok(n) }
    };
    // The classic days the field names (0 = Sunday ... 6 = Saturday).
    let mut days = [false; 7];
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (b, s.parse::<u32>().map_err(|_| format!("step {s:?} is not a number"))?),
            None => (item, 1),
        };
        if step == 0 {
            return Err("a step of 0 never advances".into());
        }
        let (from, to) = match base {
            "*" => (0, 6),
            _ => match base.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None if item.contains('/') => (number(base)?, 7),
                None => (number(base)?, number(base)?),
            },
        };
        if from > to {
            return Err(format!("weekday range {base:?} runs backwards"));
        }
        for d in (from..=to).step_by(step as usize) {
            days[(d % 7) as usize] = true;
        }
    }
    // In the crate's numbering: 1 = Sunday ... 7 = Saturday.
    let list: Vec<String> = (0..7).filter(|d| days[*d as usize]).map(|d: u32| (d + 1).to_string()).collect();
    Ok(list.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_and_six_fields() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-01-01T10:00:30Z").expect("t").with_timezone(&Utc);
        let daily = Cron::parse("0 0 * * *").expect("5 fields");
        assert_eq!(daily.next_after(&t).expect("next").to_rfc3339(), "2026-01-02T00:00:00+00:00");
        let every5s = Cron::parse("*/5 * * * * *").expect("6 fields");
        assert_eq!(every5s.next_after(&t).expect("next").to_rfc3339(), "2026-01-01T10:00:35+00:00");
        assert!(Cron::parse("whenever").unwrap_err().contains("fields"));
        // Classic weekdays: 2026-01-01 is a Thursday.
        let next = |e: &str| Cron::parse(e).expect(e).next_after(&t).expect("next").format("%a").to_string();
        assert_eq!(next("0 12 * * 1"), "Mon");
        assert_eq!(next("0 0 * * 0"), "Sun");
        assert_eq!(next("0 0 * * 7"), "Sun");
        assert_eq!(next("0 6 * * 6"), "Sat");
        assert_eq!(next("0 12 * * 5-7"), "Fri");
        assert_eq!(next("0 12 * * 1-5"), "Thu");
        assert_eq!(next("0 12 * * MON"), "Mon");
        assert!(Cron::parse("0 0 * * 8").is_err());
        assert_eq!(weekdays("0-7").expect("all"), "1,2,3,4,5,6,7");
        assert_eq!(weekdays("7-7").expect("sun"), "1");
        assert_eq!(weekdays("5-7/2").expect("fri,sun"), "1,6");
        assert_eq!(weekdays("1-5").expect("mon-fri"), "2,3,4,5,6");
        assert_eq!(weekdays("*/2").expect("sun,tue,thu,sat"), "1,3,5,7");
        assert_eq!(weekdays("1/3").expect("mon,thu,sun"), "1,2,5");
        assert!(weekdays("5-1").is_err());
        assert_eq!(Cron::parse("61 * * * *").unwrap_err(), "minute 61 is out of range 0–59 in \"61 * * * *\"");
        assert!(Cron::parse("0 0 0 * * 8").unwrap_err().starts_with("weekday 8 is out of range 1–7"));
        assert!(Cron::parse("0 0 1-32 * *").unwrap_err().starts_with("day of month 32 is out of range 1–31"));
        assert!(Cron::parse("*/60 * * * *").unwrap_err().starts_with("minute step 60 is out of range 1–59"));
        assert!(Cron::parse("0 0 * 0 *").unwrap_err().starts_with("month 0 is out of range 1–12"));
        assert!(Cron::parse("0 0 0 1 1 * 2101").unwrap_err().starts_with("year 2101 is out of range 1970–2100"));
        assert!(Cron::parse("59 23 31 12 7").is_ok());
    }
}
