//! API7 consumers: CRUD in both PATCH forms, credential rules, secrets never
//! read back (and kept across updates that leave them out), uniqueness of
//! names and keys, lists, the permission matrix, and JSON Web Tokens checked
//! with an independent verifier (HMAC by hand, RS256/ES256 with ring).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hmac::Mac;
use serde_json::{Value, json};

use crate::support::scheduler::{clocked_world, manual_clock};
use crate::support::*;

fn consumers(cp: &str) -> String {
    format!("/api/v1/controlplanes/{cp}/consumers")
}

async fn setup() -> (World, String) {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "cp").await;
    (w, cp)
}

/// The consumer's full credentials as sealed at rest, opened with the data
/// dir's master key (the AAD is the consumer's UUID).
async fn sealed_credentials(w: &World, id: &str) -> Value {
    let id: i64 = id.parse().unwrap();
    let dir = w.s.data_dir.clone();
    let (uuid, sealed, blanked) = sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT uuid, credentials_sealed, credentials FROM gateway_consumers WHERE id = ?1", [id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, String>(2)?))
        })
        .unwrap()
    })
    .await;
    let key = meshcloud_kernel::secrets::load_key(None, &dir).unwrap().unwrap();
    let plain = meshcloud_kernel::secrets::Sealer::new(&key).open(&sealed, uuid.as_bytes()).unwrap();
    let full: Value = serde_json::from_slice(&plain).unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("s3cr3t"), "sealed value holds the secret in the clear");
    assert!(!blanked.contains("s3cr3t"), "the blanked copy holds a secret: {blanked}");
    full
}

#[track_caller]
fn assert_no_secret(r: &Resp) {
    for s in ["s3cr3t", "pa55word", "hm4c", "jwt-s3cret", "PRIVATE KEY"] {
        assert!(!r.text.contains(s), "{s:?} in a response: {}", r.text);
    }
}

fn full_credentials() -> Value {
    json!({
        "key-auth": {"key": "s3cr3t-key"},
        "basic-auth": {"username": "bob", "password": "pa55word"},
        "jwt-auth": {"key": "bob-jwt", "secret": "jwt-s3cret"},
        "hmac-auth": {"access_key": "bob-hmac", "secret_key": "hm4c-secret"},
    })
}

#[tokio::test]
async fn create_get_list_never_show_secrets_and_seal_them() {
    let (w, cp) = setup().await;
    let body = json!({"name": "bob_1", "description": "Bob", "credentials": full_credentials(), "labels": ["b", "a"]});
    let r = w.alice.post(&consumers(&cp), body).await;
    assert_no_secret(&r);
    let v = r.api7();
    let id = v["id"].as_str().unwrap().to_string();
    assert!(id.parse::<i64>().unwrap() >= 1);
    assert_eq!(v["name"], "bob_1");
    assert_eq!(v["description"], "Bob");
    assert_eq!(v["labels"], json!(["a", "b"]));
    assert_eq!(v["status"], 50);
    assert!(v["created_at"].as_str().unwrap().ends_with('Z'), "{v}");
    let c = &v["credentials"];
    assert_eq!(c["key-auth"], json!({"key": ""}));
    assert_eq!(c["basic-auth"], json!({"username": "bob", "password": ""}));
    // APISIX's defaults are filled in.
    assert_eq!(
        c["jwt-auth"],
        json!({"key": "bob-jwt", "secret": "", "algorithm": "HS256", "exp": 86400, "base64_secret": false, "lifetime_grace_period": 0})
    );
    assert_eq!(
        c["hmac-auth"],
        json!({"access_key": "bob-hmac", "secret_key": "", "algorithm": "hmac-sha256", "clock_skew": 0,
               "keep_headers": false, "encode_uri_params": true, "validate_request_body": false, "max_req_body": 524288})
    );

    let got = w.carol.get(&format!("{}/{id}", consumers(&cp))).await;
    assert_no_secret(&got);
    assert_eq!(got.api7(), v);
    let list = w.carol.get(&consumers(&cp)).await;
    assert_no_secret(&list);
    let list = list.api7();
    assert_eq!(list["count"], 1);
    assert_eq!(list["list"][0], v);

    let full = sealed_credentials(&w, &id).await;
    assert_eq!(full["key-auth"]["key"], "s3cr3t-key");
    assert_eq!(full["basic-auth"]["password"], "pa55word");
    assert_eq!(full["jwt-auth"]["secret"], "jwt-s3cret");
    assert_eq!(full["hmac-auth"]["secret_key"], "hm4c-secret");

    // A consumer without credentials.
    let v = w.alice.post(&consumers(&cp), json!({"name": "plain", "credentials": null})).await.api7();
    assert_eq!(v["credentials"], Value::Null);
    assert_eq!(v["description"], "");
    assert_eq!(v["labels"], json!([]));
}

#[tokio::test]
async fn put_and_patch_keep_secrets_left_out_and_round_trip_a_read() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    let v = w.alice.post(&base, json!({"name": "bob", "credentials": full_credentials()})).await.api7();
    let id = v["id"].as_str().unwrap().to_string();
    let one = format!("{base}/{id}");

    // PUT what was read (secrets ""), with a new description and username.
    let mut back = v.clone();
    back["description"] = json!("changed");
    back["credentials"]["basic-auth"]["username"] = json!("robert");
    let r = w.alice.put(&one, back).await;
    assert_no_secret(&r);
    let put = r.api7();
    assert_eq!(put["description"], "changed");
    assert_eq!(put["credentials"]["basic-auth"], json!({"username": "robert", "password": ""}));
    let full = sealed_credentials(&w, &id).await;
    assert_eq!(full["key-auth"]["key"], "s3cr3t-key");
    assert_eq!(full["basic-auth"], json!({"username": "robert", "password": "pa55word"}));
    assert_eq!(full["jwt-auth"]["secret"], "jwt-s3cret");

    // A PUT that leaves the secret fields out keeps them; one that sets them changes them.
    let r = w
        .alice
        .put(&one, json!({"name": "bob", "credentials": {"key-auth": {}, "basic-auth": {"username": "x", "password": "new-s3cr3t"}}}))
        .await;
    assert_no_secret(&r);
    let put = r.api7();
    assert_eq!(put["description"], "", "PUT replaces: the description left out is empty");
    assert_eq!(put["credentials"], json!({"key-auth": {"key": ""}, "basic-auth": {"username": "x", "password": ""}}));
    let full = sealed_credentials(&w, &id).await;
    assert_eq!(
        full,
        json!({"key-auth": {"key": "s3cr3t-key"}, "basic-auth": {"username": "x", "password": "new-s3cr3t"}})
    );

    // PATCH, object form: description and labels; credentials untouched.
    let r = w.alice.patch(&one, json!({"description": "patched", "labels": ["l1"]})).await;
    assert_no_secret(&r);
    let p = r.api7();
    assert_eq!(
        (p["name"].clone(), p["description"].clone(), p["labels"].clone()),
        (json!("bob"), json!("patched"), json!(["l1"]))
    );
    assert_eq!(p["credentials"], put["credentials"]);
    assert_eq!(sealed_credentials(&w, &id).await["key-auth"]["key"], "s3cr3t-key");

    // PATCH, base64 form (the SDK's): a merge patch that drops basic-auth and
    // changes the key-auth key.
    let r = w
        .alice
        .patch_b64(&one, json!({"credentials": {"basic-auth": null, "key-auth": {"key": "other-s3cr3t"}}}))
        .await;
    assert_no_secret(&r);
    let p = r.api7();
    assert_eq!(p["credentials"], json!({"key-auth": {"key": ""}}));
    assert_eq!(p["description"], "patched");
    assert_eq!(sealed_credentials(&w, &id).await, json!({"key-auth": {"key": "other-s3cr3t"}}));

    // Rename by PATCH; credentials null by PATCH removes them all.
    let p = w.alice.patch(&one, json!({"name": "bobby", "labels": null})).await.api7();
    assert_eq!((p["name"].clone(), p["labels"].clone()), (json!("bobby"), json!([])));
    let p = w.alice.patch(&one, json!({"credentials": null})).await.api7();
    assert_eq!(p["credentials"], Value::Null);
    assert_eq!(w.carol.get(&one).await.api7(), p);
}

#[tokio::test]
async fn delete_removes_the_consumer_and_writes_events() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    let id =
        w.alice.post(&base, json!({"name": "gone", "labels": ["x"]})).await.api7()["id"].as_str().unwrap().to_string();
    let one = format!("{base}/{id}");
    w.alice.patch(&one, json!({"description": "d"})).await.api7();
    let before = config_version(&w, &cp).await;
    let r = w.alice.delete(&one).await;
    assert_eq!(r.api7(), Value::Null, "a delete answers without payload");
    assert!(config_version(&w, &cp).await > before, "a delete bumps the control plane's config version");
    w.alice.get(&one).await.api7_error(404, 4);
    w.alice.delete(&one).await.api7_error(404, 4);
    w.alice.put(&one, json!({"name": "gone"})).await.api7_error(404, 4);
    w.alice.patch(&one, json!({})).await.api7_error(404, 4);
    assert_eq!(w.alice.get(&base).await.api7()["count"], 0);
    let labels = sql(&w.s.data_dir, |c| {
        c.query_row("SELECT count(*) FROM gateway_consumer_labels", [], |r| r.get::<_, i64>(0)).unwrap()
    })
    .await;
    assert_eq!(labels, 0);
    let actions = sql(&w.s.data_dir, |c| {
        let mut s = c.prepare("SELECT action FROM events WHERE category = 'consumer' ORDER BY id").unwrap();
        s.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<Vec<_>, _>>().unwrap()
    })
    .await;
    assert_eq!(actions, ["create", "update", "delete"]);
}

async fn config_version(w: &World, cp: &str) -> i64 {
    let cp: i64 = cp.parse().unwrap();
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT config_version FROM gateway_control_planes WHERE id = ?1", [cp], |r| r.get(0)).unwrap()
    })
    .await
}

#[tokio::test]
async fn bodies_that_break_a_rule_are_400_and_change_nothing() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    let long = "n".repeat(101);
    let bad = [
        json!({}),
        json!({"name": ""}),
        json!({"name": "has space"}),
        json!({"name": "dash-ed"}),
        json!({"name": long}),
        json!({"name": 5}),
        json!({"name": "ok", "description": "d".repeat(257)}),
        json!({"name": "ok", "labels": ["bad label"]}),
        json!({"name": "ok", "labels": ["a", "a"]}),
        json!({"name": "ok", "labels": (0..33).map(|i| format!("l{i}")).collect::<Vec<_>>()}),
        json!({"name": "ok", "credentials": "key"}),
        json!({"name": "ok", "credentials": [1]}),
        json!({"name": "ok", "credentials": {"oauth": {}}}),
        json!({"name": "ok", "credentials": {"key-auth": "k"}}),
        json!({"name": "ok", "credentials": {"key-auth": {}}}),
        json!({"name": "ok", "credentials": {"key-auth": {"key": ""}}}),
        json!({"name": "ok", "credentials": {"key-auth": {"key": 1}}}),
        json!({"name": "ok", "credentials": {"key-auth": {"key": "k", "header": "x"}}}),
        json!({"name": "ok", "credentials": {"basic-auth": {"username": "u"}}}),
        json!({"name": "ok", "credentials": {"basic-auth": {"password": "p"}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"secret": "s"}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"key": "k", "algorithm": "none"}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"key": "k", "exp": 0}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"key": "k", "exp": "1"}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"key": "k", "base64_secret": "yes"}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"key": "k", "secret": "%%%", "base64_secret": true}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"key": "k", "algorithm": "RS256"}}}),
        json!({"name": "ok", "credentials": {"jwt-auth": {"key": "k", "algorithm": "RS256", "public_key": "not pem"}}}),
        json!({"name": "ok", "credentials": {"hmac-auth": {"access_key": "a"}}}),
        json!({"name": "ok", "credentials": {"hmac-auth": {"access_key": "a", "secret_key": "s", "algorithm": "md5"}}}),
        json!({"name": "ok", "credentials": {"hmac-auth": {"access_key": "a", "secret_key": "s", "clock_skew": -1}}}),
        json!({"name": "ok", "credentials": {"hmac-auth": {"access_key": "a", "secret_key": "s", "signed_headers": "x"}}}),
        json!({"name": "ok", "credentials": {"hmac-auth": {"access_key": "a", "secret_key": "s", "max_req_body": 0}}}),
    ];
    for body in &bad {
        let e = w.alice.post(&base, body.clone()).await.api7_error(400, 1);
        assert!(!e.is_empty(), "{body}");
    }
    let e = w.alice.post(&base, json!({"name": "ok", "credentials": {"oauth": {}}})).await.api7_error(400, 1);
    assert!(e.contains("oauth"), "{e}");
    assert_eq!(w.alice.get(&base).await.api7()["count"], 0, "nothing was created");

    // The same rules on PUT and PATCH; the consumer stays as it was.
    let v = w.alice.post(&base, json!({"name": "ok", "credentials": {"key-auth": {"key": "k1"}}})).await.api7();
    let one = format!("{base}/{}", v["id"].as_str().unwrap());
    // (An empty or missing key-auth key keeps the stored one on update, so
    // those two bodies are fine there.)
    let kept = [
        json!({"name": "ok", "credentials": {"key-auth": {}}}),
        json!({"name": "ok", "credentials": {"key-auth": {"key": ""}}}),
    ];
    for body in bad[1..].iter().filter(|b| !kept.contains(b)) {
        w.alice.put(&one, body.clone()).await.api7_error(400, 1);
        w.alice.patch(&one, body.clone()).await.api7_error(400, 1);
    }
    w.alice.patch(&one, json!(["not an object"])).await.api7_error(400, 1);
    w.alice.patch(&one, json!("bm90IGpzb24=")).await.api7_error(400, 1);
    w.alice.patch(&one, json!({"name": null})).await.api7_error(400, 1);
    assert_eq!(w.alice.get(&one).await.api7(), v);

    // Path ids.
    for path in [
        "/api/v1/controlplanes/0/consumers".to_string(),
        "/api/v1/controlplanes/x/consumers".to_string(),
        format!("{base}/0"),
        format!("{base}/01"),
    ] {
        w.alice.get(&path).await.api7_error(400, 1);
    }
    w.alice.get("/api/v1/controlplanes/999999/consumers").await.api7_error(404, 4);
    w.alice.post("/api/v1/controlplanes/999999/consumers", json!({"name": "x"})).await.api7_error(404, 4);
    w.alice.get(&format!("{base}/999999")).await.api7_error(404, 4);
    // A consumer is reached only through its own control plane.
    let other = w.seed_control_plane(&w.org_a, "cp2").await;
    w.alice.get(&format!("{}/{}", consumers(&other), v["id"].as_str().unwrap())).await.api7_error(404, 4);
}

#[tokio::test]
async fn names_and_credential_keys_are_unique_within_a_control_plane() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    let a = w
        .alice
        .post(
            &base,
            json!({"name": "a", "credentials": {"key-auth": {"key": "shared-s3cr3t"}, "jwt-auth": {"key": "jwt-a"},
                   "basic-auth": {"username": "ua", "password": "p"}, "hmac-auth": {"access_key": "ha", "secret_key": "s"}}}),
        )
        .await
        .api7();
    let e = w.alice.post(&base, json!({"name": "a"})).await.api7_error(409, 9);
    assert!(e.contains("\"a\""), "{e}");
    for creds in [
        json!({"key-auth": {"key": "shared-s3cr3t"}}),
        json!({"jwt-auth": {"key": "jwt-a"}}),
        json!({"basic-auth": {"username": "ua", "password": "q"}}),
        json!({"hmac-auth": {"access_key": "ha", "secret_key": "t"}}),
    ] {
        let r = w.alice.post(&base, json!({"name": "b", "credentials": creds})).await;
        let e = r.api7_error(409, 9);
        assert!(!e.contains("shared-s3cr3t"), "{e}");
    }
    // A key-auth key equal to another consumer's jwt key is no clash (different plugins).
    let b = w.alice.post(&base, json!({"name": "b", "credentials": {"key-auth": {"key": "jwt-a"}}})).await.api7();
    let b_one = format!("{base}/{}", b["id"].as_str().unwrap());
    // Renaming onto a taken name, or taking a key by PUT or PATCH: 409.
    w.alice.patch(&b_one, json!({"name": "a"})).await.api7_error(409, 9);
    w.alice
        .put(&b_one, json!({"name": "b", "credentials": {"key-auth": {"key": "shared-s3cr3t"}}}))
        .await
        .api7_error(409, 9);
    w.alice.patch(&b_one, json!({"credentials": {"key-auth": {"key": "shared-s3cr3t"}}})).await.api7_error(409, 9);
    // A consumer keeps its own name and keys on update.
    let a_one = format!("{base}/{}", a["id"].as_str().unwrap());
    w.alice.put(&a_one, a.clone()).await.api7();
    // After the kept-secret PUT above, the key is still a's: still a clash.
    w.alice
        .post(&base, json!({"name": "c", "credentials": {"key-auth": {"key": "shared-s3cr3t"}}}))
        .await
        .api7_error(409, 9);
    // Another control plane has its own names and keys.
    let other = w.seed_control_plane(&w.org_a, "cp2").await;
    w.alice
        .post(&consumers(&other), json!({"name": "a", "credentials": {"key-auth": {"key": "shared-s3cr3t"}}}))
        .await
        .api7();
    // Once a is gone, its key is free.
    w.alice.delete(&a_one).await.api7();
    w.alice.post(&base, json!({"name": "a", "credentials": {"key-auth": {"key": "shared-s3cr3t"}}})).await.api7();
}

#[tokio::test]
async fn lists_page_order_search_and_filter_by_labels() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    let mut ids = vec![];
    for (name, desc, labels) in [
        ("alpha", "first one", json!(["x"])),
        ("beta", "Second", json!(["x", "y"])),
        ("gamma", "third", json!(["y"])),
        ("delta", "fourth SECOND", json!([])),
    ] {
        let v = w.alice.post(&base, json!({"name": name, "description": desc, "labels": labels})).await.api7();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let names = |v: &Value| {
        v["list"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    // Default: updated_at DESC.
    let v = w.carol.get(&base).await.api7();
    assert_eq!(
        (v["count"].clone(), names(&v)),
        (json!(4), vec!["delta", "gamma", "beta", "alpha"].into_iter().map(String::from).collect())
    );
    // Touch alpha: it comes first by updated_at, stays last by created_at.
    w.alice.patch(&format!("{base}/{}", ids[0]), json!({"description": "first one!"})).await.api7();
    assert_eq!(names(&w.carol.get(&base).await.api7())[0], "alpha");
    assert_eq!(names(&w.carol.get(&format!("{base}?order_by=created_at")).await.api7())[3], "alpha");
    assert_eq!(
        names(&w.carol.get(&format!("{base}?order_by=created_at&direction=asc")).await.api7()),
        ["alpha", "beta", "gamma", "delta"]
    );
    // Pages.
    let p = w.carol.get(&format!("{base}?order_by=created_at&direction=ASC&page=2&page_size=3")).await.api7();
    assert_eq!((p["count"].clone(), names(&p)), (json!(4), vec!["delta".to_string()]));
    let p = w.carol.get(&format!("{base}?page=3&page_size=2")).await.api7();
    assert_eq!(p, json!({"list": [], "count": 4}), "a page past the end is empty");
    // Search: name or description, any case.
    assert_eq!(
        names(&w.carol.get(&format!("{base}?search=second&order_by=created_at&direction=ASC")).await.api7()),
        ["beta", "delta"]
    );
    assert_eq!(names(&w.carol.get(&format!("{base}?search=GAM")).await.api7()), ["gamma"]);
    assert_eq!(w.carol.get(&format!("{base}?search=zzz")).await.api7(), json!({"list": [], "count": 0}));
    assert_eq!(w.carol.get(&format!("{base}?search=%25")).await.api7()["count"], 0, "LIKE wildcards are literal");
    // Labels: all of them, repeated or comma-separated.
    let sorted = |v: &Value| {
        let mut n = names(v);
        n.sort();
        n
    };
    assert_eq!(sorted(&w.carol.get(&format!("{base}?labels=x")).await.api7()), ["alpha", "beta"]);
    assert_eq!(names(&w.carol.get(&format!("{base}?labels=x&labels=y")).await.api7()), ["beta"]);
    assert_eq!(names(&w.carol.get(&format!("{base}?labels=y,x")).await.api7()), ["beta"]);
    assert_eq!(w.carol.get(&format!("{base}?labels=x&search=first&page_size=1")).await.api7()["count"], 1);
    // Bad list parameters.
    for q in [
        "page=0",
        "page_size=0",
        "page=x",
        "order_by=name",
        "order_by=expiry_time",
        "direction=up",
        "labels=bad%20label",
    ] {
        w.carol.get(&format!("{base}?{q}")).await.api7_error(400, 1);
    }
}

#[tokio::test]
async fn permission_matrix() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    let v = w
        .alice
        .post(&base, json!({"name": "c1", "credentials": {"jwt-auth": {"key": "k1", "secret": "s"}}}))
        .await
        .api7();
    let one = format!("{base}/{}", v["id"].as_str().unwrap());
    let jwt = format!("{one}/jwt");
    // Provider admin: everything.
    w.admin.get(&base).await.api7();
    w.admin.get(&one).await.api7();
    w.admin.post(&base, json!({"name": "by_admin"})).await.api7();
    w.admin.patch(&one, json!({"description": "admin"})).await.api7();
    w.admin.post(&jwt, json!({})).await.api7();
    // Member: reads only.
    w.carol.get(&base).await.api7();
    w.carol.get(&one).await.api7();
    w.carol.post(&base, json!({"name": "by_carol"})).await.api7_error(403, 7);
    w.carol.put(&one, json!({"name": "c1"})).await.api7_error(403, 7);
    w.carol.patch(&one, json!({"description": "x"})).await.api7_error(403, 7);
    w.carol.delete(&one).await.api7_error(403, 7);
    w.carol.post(&jwt, json!({})).await.api7_error(403, 7);
    // A member without the manage key learns no more from a bad body.
    w.carol.post(&base, json!({"name": "bad name"})).await.api7_error(403, 7);
    w.carol.post(&base, json!({})).await.api7_error(403, 7);
    // Another organization's member, and anonymous.
    for r in [
        w.dave.get(&base).await,
        w.dave.get(&one).await,
        w.dave.post(&base, json!({"name": "by_dave"})).await,
        w.dave.put(&one, json!({"name": "c1"})).await,
        w.dave.patch(&one, json!({})).await,
        w.dave.delete(&one).await,
        w.dave.post(&jwt, json!({})).await,
    ] {
        r.api7_error(404, 4);
    }
    let anon = w.s.anon();
    for r in [
        anon.get(&base).await,
        anon.get(&one).await,
        anon.post(&base, json!({"name": "x"})).await,
        anon.delete(&one).await,
        anon.post(&jwt, json!({})).await,
    ] {
        r.api7_error(401, 6);
    }
    let names: Vec<String> = w.alice.get(&base).await.api7()["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().into())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(w.alice.get(&one).await.api7()["description"], "admin");
}

// ---- JSON Web Tokens ------------------------------------------------------

/// A JWT's three parts: header and claims decoded, the signed input, the signature.
fn parts(token: &str) -> (Value, Value, String, Vec<u8>) {
    let p: Vec<&str> = token.split('.').collect();
    assert_eq!(p.len(), 3, "{token}");
    let header: Value = serde_json::from_slice(&B64URL.decode(p[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&B64URL.decode(p[1]).unwrap()).unwrap();
    (header, claims, format!("{}.{}", p[0], p[1]), B64URL.decode(p[2]).unwrap())
}

fn hs256(secret: &[u8], input: &str) -> Vec<u8> {
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    m.update(input.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn hs512(secret: &[u8], input: &str) -> Vec<u8> {
    let mut m = hmac::Hmac::<sha2::Sha512>::new_from_slice(secret).unwrap();
    m.update(input.as_bytes());
    m.finalize().into_bytes().to_vec()
}

async fn issue(api: &Api, cp: &str, id: &str, body: Value) -> Resp {
    api.post(&format!("{}/{id}/jwt", consumers(cp)), body).await
}

#[tokio::test]
async fn jwt_hs256_and_hs512_verify_with_the_secret_and_carry_the_claims() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let cp = w.seed_control_plane(&w.org_a, "cp").await;
    let base = consumers(&cp);
    let v = w
        .alice
        .post(&base, json!({"name": "hs", "credentials": {"jwt-auth": {"key": "user-key", "secret": "my-secret"}}}))
        .await
        .api7();
    let id = v["id"].as_str().unwrap().to_string();

    let now = clock.now().timestamp();
    let r = issue(
        &w.alice,
        &cp,
        &id,
        json!({"ttl": 60, "custom_payload": {"role": "reader", "n": 3, "nested": {"a": [1]}}}),
    )
    .await;
    let token = r.api7()["token"].as_str().unwrap().to_string();
    let (header, claims, input, sig) = parts(&token);
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    assert_eq!(sig, hs256(b"my-secret", &input), "HS256 signature");
    assert_ne!(sig, hs256(b"other", &input));
    assert_eq!(claims["key"], "user-key");
    assert_eq!(
        (claims["role"].clone(), claims["n"].clone(), claims["nested"].clone()),
        (json!("reader"), json!(3), json!({"a": [1]}))
    );
    let exp = claims["exp"].as_i64().unwrap();
    assert!((now + 60..=now + 62).contains(&exp), "exp {exp} for now {now} + 60");
    assert_eq!(claims.as_object().unwrap().len(), 5, "{claims}");

    // Defaults: ttl 86400, no custom claims.
    let token = issue(&w.alice, &cp, &id, json!({})).await.api7()["token"].as_str().unwrap().to_string();
    let (_, claims, _, _) = parts(&token);
    let exp = claims["exp"].as_i64().unwrap();
    assert!((now + 86400..=now + 86402).contains(&exp), "exp {exp}");
    assert_eq!(claims.as_object().unwrap().len(), 2, "{claims}");

    // The secret survives a PUT of what was read: the next token still verifies with it.
    w.alice.put(&format!("{base}/{id}"), v.clone()).await.api7();
    let token = issue(&w.alice, &cp, &id, json!({"ttl": 5})).await.api7()["token"].as_str().unwrap().to_string();
    let (_, _, input, sig) = parts(&token);
    assert_eq!(sig, hs256(b"my-secret", &input));

    // HS512 with a base64 secret: signed with the decoded bytes.
    let raw = b"\x01\x02binary secret\xff";
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    let v = w
        .alice
        .post(&base, json!({"name": "hs512", "credentials": {"jwt-auth": {"key": "k512", "secret": b64, "algorithm": "HS512", "base64_secret": true}}}))
        .await
        .api7();
    let token = issue(&w.alice, &cp, v["id"].as_str().unwrap(), json!({"ttl": 10})).await.api7()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (header, claims, input, sig) = parts(&token);
    assert_eq!(header["alg"], "HS512");
    assert_eq!(claims["key"], "k512");
    assert_eq!(sig, hs512(raw, &input));

    // A jwt-auth credential without a secret gets one made up (as APISIX does): tokens still issue.
    let v = w.alice.post(&base, json!({"name": "gen", "credentials": {"jwt-auth": {"key": "kgen"}}})).await.api7();
    assert_eq!(v["credentials"]["jwt-auth"]["secret"], "");
    issue(&w.alice, &cp, v["id"].as_str().unwrap(), json!({})).await.api7();

    // The event names the consumer, never the token.
    let events = sql(&w.s.data_dir, |c| {
        let mut s =
            c.prepare("SELECT description FROM events WHERE category = 'consumer' AND action = 'issue_jwt'").unwrap();
        s.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<Vec<_>, _>>().unwrap()
    })
    .await;
    assert_eq!(events.len(), 5, "{events:?}");
    assert!(events.iter().all(|e| e.contains("hs") || e.contains("gen")), "{events:?}");
    assert!(events.iter().all(|e| !e.contains('.') || !e.contains("eyJ")), "{events:?}");
}

#[tokio::test]
async fn jwt_rs256_and_es256_verify_with_the_public_key() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    // RS256 with the PKCS#8 RSA fixture.
    let rsa_pem = include_str!("data/rsa_pkcs8.pem");
    let rsa = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(rsa_pem, &rcgen::PKCS_RSA_SHA256).unwrap();
    let v = w
        .alice
        .post(
            &base,
            json!({"name": "rs", "credentials": {"jwt-auth": {"key": "rs-key", "algorithm": "RS256",
                   "public_key": rsa.public_key_pem(), "private_key": rsa_pem}}}),
        )
        .await;
    assert_no_secret(&v);
    let v = v.api7();
    assert_eq!(v["credentials"]["jwt-auth"]["private_key"], "");
    assert!(
        v["credentials"]["jwt-auth"]["public_key"].as_str().unwrap().contains("PUBLIC KEY"),
        "the public key is no secret"
    );
    let token = issue(&w.alice, &cp, v["id"].as_str().unwrap(), json!({"custom_payload": {"sub": "42"}})).await.api7()
        ["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (header, claims, input, sig) = parts(&token);
    assert_eq!(header, json!({"alg": "RS256", "typ": "JWT"}));
    assert_eq!((claims["key"].clone(), claims["sub"].clone()), (json!("rs-key"), json!("42")));
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, rsa.public_key_raw())
        .verify(input.as_bytes(), &sig)
        .expect("RS256 signature verifies");

    // ES256 with a SEC1 private key (the P-256 fixture); its public key from the PKCS#8 form.
    let ec = rcgen::KeyPair::from_pem(include_str!("data/ec_pkcs8.pem")).unwrap();
    let v = w
        .alice
        .post(
            &base,
            json!({"name": "es", "credentials": {"jwt-auth": {"key": "es-key", "algorithm": "ES256",
                   "public_key": ec.public_key_pem(), "private_key": include_str!("data/ec_sec1.pem")}}}),
        )
        .await
        .api7();
    let token = issue(&w.alice, &cp, v["id"].as_str().unwrap(), json!({"ttl": 30})).await.api7()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (header, claims, input, sig) = parts(&token);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["key"], "es-key");
    assert_eq!(sig.len(), 64, "JOSE ECDSA signatures are r || s");
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, ec.public_key_raw())
        .verify(input.as_bytes(), &sig)
        .expect("ES256 signature verifies");

    // A fresh P-256 key in PKCS#8 form works as well.
    let fresh = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let v = w
        .alice
        .post(
            &base,
            json!({"name": "es2", "credentials": {"jwt-auth": {"key": "es2", "algorithm": "ES256",
                   "public_key": fresh.public_key_pem(), "private_key": fresh.serialize_pem()}}}),
        )
        .await
        .api7();
    let token =
        issue(&w.alice, &cp, v["id"].as_str().unwrap(), json!({})).await.api7()["token"].as_str().unwrap().to_string();
    let (_, _, input, sig) = parts(&token);
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, fresh.public_key_raw())
        .verify(input.as_bytes(), &sig)
        .expect("ES256 signature verifies");

    // Keys that do not fit: 400 at create.
    let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    for creds in [
        json!({"key": "x1", "algorithm": "RS256", "public_key": ec.public_key_pem()}),
        json!({"key": "x2", "algorithm": "ES256", "public_key": rsa.public_key_pem()}),
        json!({"key": "x3", "algorithm": "ES256", "public_key": p384.public_key_pem()}),
        json!({"key": "x4", "algorithm": "ES256", "public_key": ec.public_key_pem(), "private_key": fresh.serialize_pem()}),
        json!({"key": "x5", "algorithm": "RS256", "public_key": rsa.public_key_pem(), "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}),
    ] {
        w.alice.post(&base, json!({"name": "bad", "credentials": {"jwt-auth": creds}})).await.api7_error(400, 1);
    }
    // A public key alone verifies but cannot sign: issuing is a 400.
    let v = w
        .alice
        .post(&base, json!({"name": "verify_only", "credentials": {"jwt-auth": {"key": "vo", "algorithm": "RS256", "public_key": rsa.public_key_pem()}}}))
        .await
        .api7();
    let e = issue(&w.alice, &cp, v["id"].as_str().unwrap(), json!({})).await.api7_error(400, 1);
    assert!(e.contains("private_key"), "{e}");
}

#[tokio::test]
async fn jwt_requests_that_break_a_rule() {
    let (w, cp) = setup().await;
    let base = consumers(&cp);
    let jwt = w
        .alice
        .post(&base, json!({"name": "j", "credentials": {"jwt-auth": {"key": "k", "secret": "s"}}}))
        .await
        .api7();
    let jid = jwt["id"].as_str().unwrap().to_string();
    let plain = w.alice.post(&base, json!({"name": "p", "credentials": {"key-auth": {"key": "kk"}}})).await.api7();
    let e = issue(&w.alice, &cp, plain["id"].as_str().unwrap(), json!({})).await.api7_error(400, 1);
    assert!(e.contains("jwt-auth"), "{e}");
    let none = w.alice.post(&base, json!({"name": "n"})).await.api7();
    issue(&w.alice, &cp, none["id"].as_str().unwrap(), json!({})).await.api7_error(400, 1);
    for body in [
        json!({"ttl": 0}),
        json!({"ttl": -5}),
        json!({"ttl": "60"}),
        json!({"ttl": i64::MAX}),
        json!({"custom_payload": {"exp": 1}}),
        json!({"custom_payload": {"key": "other"}}),
        json!({"custom_payload": [1]}),
        json!({"custom_payload": "x"}),
    ] {
        issue(&w.alice, &cp, &jid, body.clone()).await.api7_error(400, 1);
    }
    issue(&w.alice, &cp, "999999", json!({})).await.api7_error(404, 4);
    issue(&w.alice, &cp, "0", json!({})).await.api7_error(400, 1);
}
