//! Token-endpoint edges that need timing: replays racing the first use, the
//! cleanup job between a rotation and its replay, and accounts that stopped
//! being allowed to sign in.

use serde_json::Value;

use crate::support::oidc::*;
use crate::support::scheduler::{manual_clock, run_job};
use crate::support::{ADMIN_EMAIL, Server};

fn refresh_form(t: &str) -> [(&'static str, &str); 2] {
    [("grant_type", "refresh_token"), ("refresh_token", t)]
}

fn statuses(results: &[(u16, Value)]) -> (usize, usize) {
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let refused = results.iter().filter(|(s, v)| *s == 400 && v["error"] == "invalid_grant").count();
    (ok, refused)
}

#[tokio::test]
async fn racing_redemptions_of_one_code_leave_no_live_tokens() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let x = || exchange(&srv, &c, &code);
    let (a, b, d, e, f, g) = tokio::join!(x(), x(), x(), x(), x(), x());
    let all = [a, b, d, e, f, g];
    assert_eq!(statuses(&all), (1, 5), "{all:?}");
    // The replays revoked what the winner got (RFC 6749 §4.1.2).
    let (_, won) = all.iter().find(|(s, _)| *s == 200).expect("winner");
    let access = won["access_token"].as_str().expect("access");
    assert_eq!(srv.with_token(access).get("/oauth2/v2/userinfo").await.status, 401);
}

#[tokio::test]
async fn racing_refreshes_with_one_token_end_the_session() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, first) = exchange(&srv, &c, &code).await;
    let r1 = first["refresh_token"].as_str().expect("refresh").to_string();
    let form = refresh_form(&r1);
    let x = || token(&srv, &c, &form);
    let (a, b, d, e, f, g) = tokio::join!(x(), x(), x(), x(), x(), x());
    let all = [a, b, d, e, f, g];
    assert_eq!(statuses(&all), (1, 5), "{all:?}");
    let (_, won) = all.iter().find(|(s, _)| *s == 200).expect("winner");
    let access = won["access_token"].as_str().expect("access");
    assert_eq!(srv.with_token(access).get("/oauth2/v2/userinfo").await.status, 401, "reuse ended the session");
    let next = won["refresh_token"].as_str().expect("refresh");
    assert_eq!(token(&srv, &c, &refresh_form(next)).await.0, 400);
}

#[tokio::test]
async fn a_rotated_token_is_recognised_after_the_cleanup_job() {
    let clock = manual_clock();
    let srv = Server::start_on(tempfile::TempDir::new().unwrap(), clock.clock(), |c| {
        c.token_cleanup_schedule = "* * * * * *".into()
    })
    .await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, first) = exchange(&srv, &c, &code).await;
    let r1 = first["refresh_token"].as_str().expect("refresh").to_string();
    let (status, second) = token(&srv, &c, &refresh_form(&r1)).await;
    assert_eq!(status, 200, "{second}");
    // The cleanup job runs between the rotation and the replay.
    run_job(&srv, &clock, "token_cleanup").await;
    let (status, reuse) = token(&srv, &c, &refresh_form(&r1)).await;
    assert_eq!((status, reuse["error_description"].as_str()), (400, Some("refresh token reuse")), "{reuse}");
    let access = second["access_token"].as_str().expect("access");
    assert_eq!(srv.with_token(access).get("/oauth2/v2/userinfo").await.status, 401);
}

#[tokio::test]
async fn an_inactive_account_gets_no_new_tokens() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, first) = exchange(&srv, &c, &code).await;
    let r1 = first["refresh_token"].as_str().expect("refresh").to_string();
    let db = rusqlite::Connection::open(srv.data_dir.join("meshcloud.db")).expect("open");
    db.busy_timeout(std::time::Duration::from_secs(5)).expect("timeout");
    db.execute("UPDATE users SET status = 'inactive' WHERE email = ?1", [ADMIN_EMAIL]).expect("deactivate");
    let (status, t) = token(&srv, &c, &refresh_form(&r1)).await;
    assert_eq!((status, t["error"].as_str()), (400, Some("invalid_grant")), "{t}");
    // Nothing was spent: once active again, the same token refreshes.
    db.execute("UPDATE users SET status = 'active' WHERE email = ?1", [ADMIN_EMAIL]).expect("activate");
    assert_eq!(token(&srv, &c, &refresh_form(&r1)).await.0, 200);
}
