//! The last lines `serve` prints at start-up: the URL to open and, on the
//! first start, how to sign in as the first admin. Written straight to stderr
//! rather than through the log filter: a generated password filtered out by
//! `log = "warn"` would be lost for good. With JSON logs they are JSON lines
//! shaped like the log's own, so a log shipper reads them like any other.

use std::io::Write;

/// The first admin, as bootstrap created it on this start.
pub struct FirstAdmin {
    pub email: String,
    /// `None` when the password was configured (`admin_password`).
    pub generated_password: Option<String>,
}

/// Writes the start-up banner to stderr in one write, so that no log line
/// from another thread lands inside it.
pub fn print(url: &str, admin: Option<&FirstAdmin>, json: bool) {
    let text = if json { json_lines(url, admin, &now()) } else { text_block(url, admin) };
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// The address to open in a browser: the issuer with a trailing slash.
pub fn open_url(issuer: &str) -> String {
    format!("{}/", issuer.trim_end_matches('/'))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

const RULE: &str = "------------------------------------------------------------------------";

fn text_block(url: &str, admin: Option<&FirstAdmin>) -> String {
    let mut s = format!("\n{RULE}\n  meshcloud is ready: open {url}\n");
    if let Some(a) = admin {
        s.push_str("\n  First start: sign in as the administrator\n");
        s.push_str(&format!("    e-mail:    {}\n", a.email));
        match &a.generated_password {
            Some(pw) => {
                s.push_str(&format!("    password:  {pw}\n"));
                s.push_str("  This password was generated and is shown only this once: keep it safe.\n");
            }
            None => s.push_str("    password:  the configured one (admin_password / MESHCLOUD_ADMIN_PASSWORD)\n"),
        }
    }
    s.push_str(RULE);
    s.push_str("\n\n");
    s
}

fn json_lines(url: &str, admin: Option<&FirstAdmin>, at: &str) -> String {
    let line = |fields: serde_json::Value| {
        let v = serde_json::json!({
            "timestamp": at,
            "level": "INFO",
            "fields": fields,
            "target": module_path!(),
        });
        format!("{v}\n")
    };
    let mut s = line(serde_json::json!({ "message": format!("meshcloud is ready: open {url}"), "url": url }));
    if let Some(a) = admin {
        s.push_str(&line(match &a.generated_password {
            Some(pw) => serde_json::json!({
                "message": "first start: sign in as the administrator with this generated password, shown only this once",
                "email": a.email,
                "password": pw,
            }),
            None => serde_json::json!({
                "message": "first start: sign in as the administrator with the configured password",
                "email": a.email,
            }),
        }));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_banner_is_one_log_line_per_fact() {
        let admin = FirstAdmin { email: "a@example.com".into(), generated_password: Some("pw-1".into()) };
        let text = json_lines("http://127.0.0.1:1/", Some(&admin), "2026-01-01T00:00:00.000000Z");
        let lines: Vec<serde_json::Value> =
            text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["fields"]["url"], "http://127.0.0.1:1/");
        assert_eq!(lines[1]["fields"]["email"], "a@example.com");
        assert_eq!(lines[1]["fields"]["password"], "pw-1");
        assert_eq!(open_url("https://cloud.example.com"), "https://cloud.example.com/");
    }
}
