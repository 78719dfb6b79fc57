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
        let full = if fields == 5 { format!("0 {expr}") } else { expr.to_string() };
        let schedule =
            cron::Schedule::from_str(&full).map_err(|e| format!("{expr:?} is not a cron expression: {e}"))?;
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
        assert!(Cron::parse("61 * * * *").is_err());
    }
}
