//! Billing periods: whole months or years counted from the subscription's
//! anchor. Each boundary is computed from the anchor, not from the previous
//! boundary, so a subscription anchored on the 31st ends on the 28th (or
//! 29th) in February and on the 31st again in March.

use chrono::Months;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Monthly,
    Yearly,
}

impl Cadence {
    pub fn parse(s: &str) -> AppResult<Cadence> {
        match s.trim() {
            "monthly" => Ok(Cadence::Monthly),
            // `yearly` is the older schema's word for it (plan v1beta1).
            "annually" | "yearly" => Ok(Cadence::Yearly),
            other => Err(AppError::validation(format!("cadence must be monthly or annually, not {other:?}"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Monthly => "monthly",
            Cadence::Yearly => "annually",
        }
    }

    fn months(self) -> u32 {
        match self {
            Cadence::Monthly => 1,
            Cadence::Yearly => 12,
        }
    }
}

/// The `n`th boundary after `anchor` (the 0th is the anchor itself).
pub fn boundary(anchor: Timestamp, cadence: Cadence, n: u32) -> AppResult<Timestamp> {
    let months = cadence.months().checked_mul(n).ok_or_else(|| AppError::internal("period count out of range"))?;
    anchor.checked_add_months(Months::new(months)).ok_or_else(|| AppError::internal("period end out of range"))
}

/// The period `[start, end)` that contains `at` (`at` at or after `anchor`).
pub fn containing(anchor: Timestamp, cadence: Cadence, at: Timestamp) -> AppResult<(Timestamp, Timestamp)> {
    // Months between the two, give or take one; then step to the exact period.
    let approx = {
        use chrono::Datelike;
        let m = (at.year() - anchor.year()) * 12 + at.month() as i32 - anchor.month() as i32;
        (m.max(0) as u32) / cadence.months()
    };
    let mut n = approx.saturating_sub(1);
    loop {
        let start = boundary(anchor, cadence, n)?;
        let end = boundary(anchor, cadence, n + 1)?;
        if at < end || n > approx + 2 {
            return Ok((start, end));
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        meshcloud_kernel::time::from_db(s).expect("time")
    }

    #[test]
    fn month_ends_clamp_and_come_back() {
        let a = t("2027-01-31T10:00:00Z");
        assert_eq!(boundary(a, Cadence::Monthly, 1).unwrap(), t("2027-02-28T10:00:00Z"));
        assert_eq!(boundary(a, Cadence::Monthly, 2).unwrap(), t("2027-03-31T10:00:00Z"));
        let leap = t("2028-01-31T00:00:00Z");
        assert_eq!(boundary(leap, Cadence::Monthly, 1).unwrap(), t("2028-02-29T00:00:00Z"));
        let feb29 = t("2028-02-29T00:00:00Z");
        assert_eq!(boundary(feb29, Cadence::Yearly, 1).unwrap(), t("2029-02-28T00:00:00Z"));
        assert_eq!(boundary(feb29, Cadence::Yearly, 4).unwrap(), t("2032-02-29T00:00:00Z"));
    }

    #[test]
    fn the_period_containing_an_instant() {
        let a = t("2027-01-31T10:00:00Z");
        let (s, e) = containing(a, Cadence::Monthly, t("2027-03-01T00:00:00Z")).unwrap();
        assert_eq!((s, e), (t("2027-02-28T10:00:00Z"), t("2027-03-31T10:00:00Z")));
        let (s, e) = containing(a, Cadence::Monthly, t("2027-02-28T10:00:00Z")).unwrap();
        assert_eq!((s, e), (t("2027-02-28T10:00:00Z"), t("2027-03-31T10:00:00Z")));
        let (s, e) = containing(a, Cadence::Yearly, t("2028-01-31T09:59:59Z")).unwrap();
        assert_eq!((s, e), (a, t("2028-01-31T10:00:00Z")));
        let (s, e) = containing(a, Cadence::Yearly, t("2028-01-31T10:00:00Z")).unwrap();
        assert_eq!((s, e), (t("2028-01-31T10:00:00Z"), t("2029-01-31T10:00:00Z")));
    }
}
