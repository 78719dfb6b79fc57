//! The provider driven by a real OIDC client library: Python's Authlib
//! (installed by `.ci/run`). Without it the test is skipped locally and
//! fails in CI.

use crate::support::oidc::{REDIRECT, register_client};
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

fn authlib_available() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import authlib, requests"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn authlib_signs_in_with_pkce_verifies_the_id_token_and_refreshes() {
    if !authlib_available() {
        assert!(std::env::var_os("CI").is_none(), "CI must install Authlib (pip install authlib)");
        eprintln!("skipped: python3 with authlib and requests is not installed");
        return;
    }
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/clients/oidc_authlib.py");
    let args: Vec<String> = [script, &srv.base, &c.client_id, &c.secret, REDIRECT, ADMIN_EMAIL, ADMIN_PASSWORD]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = tokio::task::spawn_blocking(move || std::process::Command::new("python3").args(args).output())
        .await
        .expect("join")
        .expect("run python3");
    assert!(
        out.status.success(),
        "authlib client failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}
