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
    let day = |s: &str| -> Result<Option<u32>, String> {
        if s.chars().all(|c| c.is_ascii_digit()) {
            let n: u32 = s.parse().map_err(|_| format!("weekday {s:?} is not a number"))?;
            if n > 7 {
                return Err(format!("weekday {n} is not between 0 and 7"));
            }
            Ok(Some(n))
        } else {
            Ok(None)
        }
    };
    // Classic n (0..=7) in the crate's numbering.
    let map = |n: u32| n % 7 + 1;
    let mut out = Vec::new();
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (b, Some(s)),
            None => (item, None),
        };
        let step = step.map(|s| format!("/{s}")).unwrap_or_default();
        match base.split_once('-') {
            Some((a, b)) => match (day(a)?, day(b)?) {
                (Some(a), Some(7)) if step.is_empty() && a > 0 => {
                    // Up to classic Sunday (7): the crate's range ends at Saturday (7).
                    out.push(format!("{}-7", map(a)));
                    out.push("1".to_string());
                }
                (Some(a), Some(b)) => out.push(format!("{}-{}{step}", map(a), map(b))),
                _ => out.push(item.to_string()),
            },
            None => match day(base)? {
                Some(n) => out.push(format!("{}{step}", map(n))),
                None => out.push(item.to_string()),
            },
        }
    }
    Ok(out.join(","))
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
        assert!(Cron::parse("61 * * * *").is_err());
    }
}
