//! Money: integer minor units of a currency, never floating point. The wire's
//! numbers (`price_per_unit`) are rendered from and parsed into minor units.

use meshcloud_kernel::{AppError, AppResult};

/// Decimal places of `currency` (ISO 4217, lower case as Stripe writes it).
pub fn exponent(currency: &str) -> u32 {
    match currency {
        "bif" | "clp" | "djf" | "gnf" | "jpy" | "kmf" | "krw" | "mga" | "pyg" | "rwf" | "ugx" | "vnd" | "vuv"
        | "xaf" | "xof" | "xpf" => 0,
        "bhd" | "jod" | "kwd" | "omr" | "tnd" => 3,
        _ => 2,
    }
}

/// A currency code as stored: three ASCII letters, lower case.
pub fn currency(code: &str) -> AppResult<String> {
    let c = code.trim().to_ascii_lowercase();
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(c)
    } else {
        Err(AppError::validation(format!("currency must be a three-letter ISO 4217 code, not {code:?}")))
    }
}

/// The wire number of an amount (`1999` cents is `19.99`). Only for display:
/// every sum is made in minor units first.
pub fn to_number(minor: i64, currency: &str) -> f64 {
    minor as f64 / 10f64.powi(exponent(currency) as i32)
}

/// Minor units of a wire number, refused unless exact to the currency's
/// smallest unit (`19.999` dollars is not an amount).
pub fn from_number(field: &str, value: f64, currency: &str) -> AppResult<i64> {
    let scale = 10f64.powi(exponent(currency) as i32);
    let scaled = value * scale;
    if !scaled.is_finite() || !(0.0..=1e15).contains(&scaled) {
        return Err(AppError::validation(format!("{field} must be a non-negative amount below 10^15 minor units")));
    }
    let rounded = scaled.round();
    // A decimal like 19.99 is not exact in binary; anything closer than this
    // to a whole number of minor units meant that number.
    if (scaled - rounded).abs() > 1e-6 {
        return Err(AppError::validation(format!(
            "{field} has more decimal places than {} allows ({})",
            currency.to_ascii_uppercase(),
            exponent(currency)
        )));
    }
    Ok(rounded as i64)
}

/// `1234` cents as `12.34 USD`, for invoices and messages.
pub fn format(minor: i64, currency: &str) -> String {
    let exp = exponent(currency);
    let code = currency.to_ascii_uppercase();
    if exp == 0 {
        return format!("{minor} {code}");
    }
    let scale = 10i64.pow(exp);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$} {code}", abs / scale as u64, abs % scale as u64, width = exp as usize)
}

/// `amount * part / whole`, rounded to the nearest minor unit (halves away
/// from zero), computed in 128 bits so no product overflows.
pub fn prorate(amount: i64, part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let num = amount as i128 * part as i128;
    let w = whole as i128;
    let q = num / w;
    let r = num % w;
    let adj = if 2 * r.abs() >= w { num.signum() } else { 0 };
    (q + adj) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_exactly() {
        assert_eq!(from_number("p", 19.99, "usd").unwrap(), 1999);
        assert_eq!(from_number("p", 0.1 + 0.2, "usd").unwrap(), 30);
        assert_eq!(from_number("p", 1500.0, "jpy").unwrap(), 1500);
        assert!(from_number("p", 19.999, "usd").is_err());
        assert!(from_number("p", -1.0, "usd").is_err());
        assert!(from_number("p", f64::NAN, "usd").is_err());
        assert_eq!(to_number(1999, "usd"), 19.99);
        assert_eq!(format(1999, "usd"), "19.99 USD");
        assert_eq!(format(-5, "usd"), "-0.05 USD");
        assert_eq!(format(1234, "kwd"), "1.234 KWD");
        assert_eq!(format(1500, "jpy"), "1500 JPY");
    }

    #[test]
    fn proration_rounds_half_away_from_zero() {
        assert_eq!(prorate(1000, 1, 3), 333);
        assert_eq!(prorate(1000, 2, 3), 667);
        assert_eq!(prorate(-1000, 2, 3), -667);
        assert_eq!(prorate(1, 1, 2), 1);
        assert_eq!(prorate(-1, 1, 2), -1);
        assert_eq!(prorate(i64::MAX / 2, 31_536_000, 31_622_400), 4_599_085_783_404_362_253);
        assert_eq!(prorate(1000, 5, 0), 0);
    }
}
