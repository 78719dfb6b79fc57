//! What `serve` tells the operator: its last start-up lines are the URL to
//! open and, on the first start only, the admin's e-mail and generated
//! password; no colour codes when stderr is not a terminal; JSON logs stay
//! JSON; the configuration-file line names what was loaded; system jobs that
//! found nothing to do stay out of the info log.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

const READY: &str = "meshcloud is ready: open ";
/// What the provisioning job says, every 2 s, when it has done nothing.
const IDLE_PROVISIONING: &str = "0 organizations and projects provisioned or deleted";

/// Finished runs of the provisioning job (every 2 s by default).
fn provisioning_runs(dir: &Path) -> i64 {
    let Ok(c) = rusqlite::Connection::open(dir.join("meshcloud.db")) else { return 0 };
    c.query_row(
        "SELECT count(*) FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id \
         WHERE s.kind = 'system' AND s.name = 'provisioning' AND r.finished_at IS NOT NULL",
        [],
        |r| r.get(0),
    )
    .unwrap_or(0)
}

/// Waits until `log` holds the ready line and the provisioning job has
/// finished a run after it (so that whatever that run logs is in `log`).
async fn ready_and_idle(dir: &Path, log: &Path) -> String {
    let text = poll("the start-up banner", Duration::from_secs(30), || {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        // The banner is one write: its last line is there once the first is.
        std::future::ready(text.contains(READY).then_some(text))
    })
    .await;
    let before = provisioning_runs(dir);
    poll("a provisioning run after the banner", Duration::from_secs(30), || {
        std::future::ready((provisioning_runs(dir) > before).then_some(()))
    })
    .await;
    text
}

async fn sign_in(url: &str, email: &str, password: &str) -> u16 {
    let r = client()
        .post(format!("{url}api/meshcloud/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request");
    r.status().as_u16()
}

/// The lines after the one containing `marker`.
fn after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.lines().skip_while(|l| !l.contains(marker)).skip(1).collect()
}

#[tokio::test]
async fn the_first_start_ends_with_the_url_and_the_admin_and_the_second_with_the_url_only() {
    let tmp = tempfile::TempDir::new().unwrap();
    let (dir, log) = (tmp.path().join("data"), tmp.path().join("first.log"));
    let p = Process::launch_logging_to(&dir, &log, &[("MESHCLOUD_LOG", "info")]);
    ready_and_idle(&dir, &log).await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains('\x1b'), "colour codes in a log that is not a terminal: {text}");
    assert!(text.contains("no configuration file"), "{text}");
    assert!(!text.contains(IDLE_PROVISIONING), "an idle job logged at info: {text}");

    // The banner: the URL, then the admin's e-mail and password, apart from the log lines.
    let ready = text.lines().find(|l| l.contains(READY)).unwrap();
    let url = ready.split(READY).nth(1).unwrap().trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'), "{url}");
    let banner = after(&text, READY);
    let field = |name: &str| {
        banner.iter().find_map(|l| l.trim().strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default()
    };
    let (email, password) = (field("e-mail:"), field("password:"));
    assert_eq!(email, "admin@meshcloud.local", "{text}");
    assert!(password.len() >= 12, "{text}");
    assert_eq!(sign_in(&url, &email, &password).await, 200, "the printed credentials sign in");
    assert!(!text.lines().any(|l| l.contains(&password) && l.contains("INFO")), "the password is in no log line");
    assert!(p.terminate().await.success());

    // Nothing but a request and the shutdown was logged after the banner: it
    // was the last start-up output.
    let text = std::fs::read_to_string(&log).unwrap();
    let rule = banner.iter().rposition(|l| l.starts_with("---")).expect("the banner's closing rule");
    let rest: Vec<&str> = banner[rule + 1..].iter().filter(|l| !l.trim().is_empty()).copied().collect();
    let rest_now: Vec<&str> =
        after(&text, READY)[rule + 1..].iter().filter(|l| !l.trim().is_empty()).copied().collect();
    assert!(rest.is_empty(), "logged after the banner while idle: {rest:?}");
    // The one request this test made, and the stop.
    let expected = ["path=/api/meshcloud/login", "shutdown requested", "meshcloud stopped"];
    assert!(rest_now.iter().all(|l| expected.iter().any(|e| l.contains(e))), "{rest_now:?}");

    // A second start, with a configuration file in the working directory:
    // the URL again, no password, and the file it loaded named.
    std::fs::write(tmp.path().join("meshcloud.toml"), "log = \"info\"\n").unwrap();
    let log = tmp.path().join("second.log");
    let p = Process::launch_logging_to(&dir, &log, &[]);
    ready_and_idle(&dir, &log).await;
    assert!(p.terminate().await.success());
    let text = std::fs::read_to_string(&log).unwrap();
    let loaded = tmp.path().canonicalize().unwrap().join("meshcloud.toml");
    assert!(
        text.lines().any(|l| l.contains("loaded the configuration file") && l.contains(loaded.to_str().unwrap())),
        "{text}"
    );
    assert!(text.contains(READY), "{text}");
    let shown = text.lines().any(|l| l.trim_start().starts_with("password:") || l.contains(&password));
    assert!(!shown, "a second start shows no password: {text}");
    assert!(!text.contains("First start"), "{text}");
}

#[tokio::test]
async fn with_json_logs_the_url_and_the_first_admin_are_json_lines_too() {
    let tmp = tempfile::TempDir::new().unwrap();
    let (dir, log) = (tmp.path().join("data"), tmp.path().join("json.log"));
    let env = [("MESHCLOUD_LOG_FORMAT", "json"), ("MESHCLOUD_ADMIN_EMAIL", "root@example.com")];
    let p = Process::launch_logging_to(&dir, &log, &env);
    ready_and_idle(&dir, &log).await;
    assert!(p.terminate().await.success());
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}")))
        .collect();
    let messages: Vec<&str> = lines.iter().map(|v| v["fields"]["message"].as_str().unwrap_or_default()).collect();
    assert!(!messages.iter().any(|m| m.contains(IDLE_PROVISIONING)), "an idle job logged at info: {messages:?}");
    assert!(messages.iter().any(|m| m.contains("no configuration file")), "{messages:?}");

    // The last start-up lines are the URL and the admin; only the shutdown follows.
    let ready = messages.iter().position(|m| m.starts_with(READY)).expect("the ready line");
    let url = lines[ready]["fields"]["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let admin = &lines[ready + 1]["fields"];
    assert_eq!(admin["email"], "root@example.com", "{admin}");
    let password = admin["password"].as_str().expect("the generated password").to_string();
    for m in &messages[ready + 2..] {
        assert!(m.contains("shutdown requested") || m.contains("meshcloud stopped"), "after the banner: {m}");
    }
    assert_eq!(lines[ready]["level"], "INFO");

    let p = Process::launch_logging_to(&dir, &tmp.path().join("again.log"), &env);
    let text = ready_and_idle(&dir, &tmp.path().join("again.log")).await;
    assert_eq!(sign_in(&url_of(&text), "root@example.com", &password).await, 200);
    assert!(p.terminate().await.success());
    let text = std::fs::read_to_string(tmp.path().join("again.log")).unwrap();
    assert!(!text.contains(&password) && !text.contains("\"password\""), "a second start shows no password: {text}");
}

/// The URL of the JSON ready line in `text`.
fn url_of(text: &str) -> String {
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| v["fields"]["url"].as_str().map(String::from))
        .expect("a ready line with the url")
}
