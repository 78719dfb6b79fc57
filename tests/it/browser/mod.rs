//! The web UI in a real browser: the Playwright suites in tests/browser/
//! (Python `playwright` and `pytest` pinned in tests/browser/requirements.txt,
//! Debian's `chromium`; `.ci/run` installs all three) run against a real
//! server, one server per suite. Screenshots of every page land in
//! target/screenshots. Without python3, playwright or chromium the tests are
//! skipped locally and fail in CI.

use crate::support::*;

// One file per area, each running its suite file(s).
mod access;
mod billing;
mod content;
mod gateway;
mod infra;
mod onboarding;
mod ops;
mod pages;
mod signon;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/browser");

fn chromium() -> String {
    std::env::var("MESHCLOUD_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn available() -> bool {
    let python = std::process::Command::new("python3")
        .args(["-c", "import playwright.sync_api, pytest, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    python && std::path::Path::new(&chromium()).exists()
}

/// Runs one suite file of tests/browser against a fresh server.
pub(crate) async fn suite(file: &str) {
    suite_with(file, |_| {}).await;
}

/// `suite` on a server started with `tweak` applied to its configuration.
pub(crate) async fn suite_with(file: &str, tweak: impl FnOnce(&mut meshcloud::config::Config)) {
    if !available() {
        assert!(std::env::var_os("CI").is_none(), "CI must install playwright, pytest and chromium (see .ci/run)");
        eprintln!(
            "\n*** SKIPPED browser suite {file}: needs python3 with playwright and pytest, and {} ***",
            chromium()
        );
        eprintln!("*** pip install -r tests/browser/requirements.txt; apt-get install chromium ***\n");
        return;
    }
    // The suites make their organizations as they go and grow some past
    // the Free plan: the server's default plan limits nothing.
    let plans = tempfile::TempDir::new().expect("tempdir");
    let plans_file = unlimited_plans_file(plans.path());
    let s = Server::start_with(|c| {
        c.plans_file = Some(plans_file);
        tweak(c);
    })
    .await;
    let token = s.token_for(ADMIN_EMAIL, "browser tests").await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    let mut cmd = std::process::Command::new("python3");
    cmd.args(["-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", file])
        .current_dir(DIR)
        .env("MESHCLOUD_BASE", &s.base)
        .env("MESHCLOUD_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("MESHCLOUD_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MESHCLOUD_USER_PASSWORD", USER_PASSWORD)
        .env("MESHCLOUD_TOKEN", &token)
        .env("MESHCLOUD_SCREENSHOTS", &shots)
        .env("MESHCLOUD_CHROMIUM", chromium());
    let run = tokio::task::spawn_blocking(move || cmd.output()).await.expect("join").expect("run python3");
    let stdout = String::from_utf8_lossy(&run.stdout);
    eprintln!("{stdout}\nscreenshots: {}", shots.display());
    assert!(run.status.success(), "browser suite {file} failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
}
