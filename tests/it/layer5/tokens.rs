//! Security tokens: shown once, usable at once, revoked at once.

use crate::support::*;

#[tokio::test]
async fn create_shows_the_secret_once() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let r = admin.post_empty("/api/identity/tokens?name=ci&purpose=pipelines").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!((v["page"].as_u64(), v["page_size"].as_u64(), v["total_count"].as_u64()), (Some(0), Some(1), Some(1)));
    let t = &v["tokens"][0];
    for f in ["id", "user_id", "provider", "access_token", "name", "purpose", "is_oauth", "created_at", "updated_at"] {
        assert!(t.get(f).is_some(), "token lacks {f}: {t}");
    }
    assert_eq!(t["name"], "ci");
    assert_eq!(t["purpose"], "pipelines");
    assert_eq!(t["is_oauth"], false);
    let secret = t["access_token"].as_str().unwrap();
    let id = t["id"].as_str().unwrap();

    // The new token works at once and belongs to the caller.
    let me = s.with_token(secret).get("/api/identity/users/profile").await.json();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(t["user_id"], me["id"]);

    // It is never shown again.
    let one = admin.get(&format!("/api/identity/tokens/{id}")).await;
    assert_eq!(one.status, 200);
    assert!(one.json().get("access_token").is_none());
    let list = admin.get("/api/identity/tokens").await;
    assert!(!list.text.contains(secret));
    assert!(list.json()["tokens"].as_array().unwrap().iter().all(|t| t.get("access_token").is_none()));
}

#[tokio::test]
async fn list_pages_searches_and_orders() {
    let s = Server::start().await;
    let admin = s.admin().await;
    for name in ["zeta", "alpha", "mid"] {
        admin.create_token(name).await;
    }
    // The CLI-issued "admin" token plus three.
    let all = admin.get("/api/identity/tokens").await.json();
    assert_eq!(all["total_count"], 4);
    assert_eq!(all["tokens"][0]["name"], "mid", "newest first by default");
    let by_name = admin.get("/api/identity/tokens?order=name&pagesize=2&page=1").await.json();
    let names: Vec<&str> = by_name["tokens"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["mid", "zeta"]);
    assert_eq!(by_name["page_size"], 2);
    let found = admin.get("/api/identity/tokens?search=ALP").await.json();
    assert_eq!(found["total_count"], 1);
    // Not a sortable field: the default order, never one by the secret's hash.
    admin.get("/api/identity/tokens?order=secret_hash").await.expect(200);
}

#[tokio::test]
async fn revoke_takes_effect_immediately() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let (id, secret) = admin.create_token("short-lived").await;
    let user = s.with_token(&secret);
    // Warm the credential cache, then revoke.
    assert_eq!(user.get("/api/identity/users/profile").await.status, 200);
    let r = admin.delete(&format!("/api/identity/tokens?tokenId={id}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rest = r.json();
    assert!(
        rest["tokens"].as_array().unwrap().iter().all(|t| t["id"] != id.as_str()),
        "answers with the remaining tokens"
    );
    assert_eq!(rest["total_count"], 1);

    user.get("/api/identity/users/profile").await.assert_l5_error(401, L5_UNAUTHORIZED);
    admin.get(&format!("/api/identity/tokens/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    // The reference documents no 404 for this DELETE: a revoked token is a bad `tokenId`.
    let r = admin.delete(&format!("/api/identity/tokens?tokenId={id}")).await;
    r.assert_l5_error(400, "Invalid request body or request param: tokenId: no such token");
}

#[tokio::test]
async fn a_token_can_revoke_itself() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let (id, secret) = admin.create_token("self").await;
    let me = s.with_token(&secret);
    assert_eq!(me.delete(&format!("/api/identity/tokens?tokenId={id}")).await.status, 200);
    me.get("/api/identity/tokens").await.assert_l5_error(401, L5_UNAUTHORIZED);
}

#[tokio::test]
async fn bad_token_requests() {
    let s = Server::start().await;
    let admin = s.admin().await;
    admin.post_empty("/api/identity/tokens").await.assert_l5_error(400, L5_BAD_REQUEST);
    admin.post_empty("/api/identity/tokens?name=%20%20").await.assert_l5_error(400, L5_BAD_REQUEST);
    admin
        .post_empty(&format!("/api/identity/tokens?name={}", "n".repeat(256)))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    admin.delete("/api/identity/tokens").await.assert_l5_error(400, L5_BAD_REQUEST);
    admin.delete("/api/identity/tokens?tokenId=42").await.assert_l5_error(400, L5_BAD_REQUEST);
    admin.get("/api/identity/tokens/not-a-uuid").await.assert_l5_error(404, L5_NOT_FOUND);
    admin.get(&format!("/api/identity/tokens/{}", uuid::Uuid::now_v7())).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(admin.get("/api/identity/tokens").await.json()["total_count"], 1, "nothing was created");
}

#[tokio::test]
async fn unauthenticated_requests_get_401() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let (id, secret) = admin.create_token("soon-revoked").await;
    admin.delete(&format!("/api/identity/tokens?tokenId={id}")).await;
    let forged = {
        let (prefix, _) = secret.rsplit_once('_').unwrap();
        format!("{prefix}_forgedsecretforgedsecretforgedsecret123456")
    };
    for (what, api) in [
        ("no token", s.anon()),
        ("garbage", s.with_token("garbage")),
        ("unknown", s.with_token(&format!("mc_{}_secret", uuid::Uuid::now_v7().simple()))),
        ("revoked", s.with_token(&secret)),
        ("wrong secret", s.with_token(&forged)),
    ] {
        for path in ["/api/identity/orgs", "/api/identity/users/profile", "/api/identity/tokens"] {
            let r = api.get(path).await;
            assert_eq!(r.status, 401, "{what} on {path}");
            r.assert_l5_error(401, L5_UNAUTHORIZED);
        }
    }
    s.anon().post_empty("/api/identity/tokens?name=x").await.assert_l5_error(401, L5_UNAUTHORIZED);
}
