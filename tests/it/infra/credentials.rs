//! Credentials: CRUD on the collection path, the write-only secret (only its
//! owner reads it back), and sealing at rest under the master key.

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const BASE: &str = "/api/integrations/credentials";
const CRED_FIELDS: [&str; 7] = ["id", "name", "user_id", "type", "created_at", "updated_at", "deleted_at"];
const KEY_A: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a0112233445566778899aabbccddeeff";
const KEY_B: &str = "ffeeddccbbaa99887766554433221100f0e1d2c3b4a5968778695a4b3c2d1e0f";

fn by_id(id: &str) -> String {
    format!("{BASE}/{id}")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id: {v}")).to_string()
}

#[track_caller]
fn assert_no_secret(v: &Value) {
    assert!(v.get("secret").is_none(), "secret leaked: {v}");
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = vec![];
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if std::fs::read(&path).unwrap().windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn crud_at_the_collection_path() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let r =
        api.post(BASE, json!({"name": "registry", "type": "basic", "secret": {"user": "u", "password": "p1"}})).await;
    let c = r.expect(201);
    assert!(r.content_type().starts_with("application/json"));
    for f in CRED_FIELDS {
        assert!(c.get(f).is_some(), "credential lacks {f}: {c}");
    }
    assert_no_secret(&c);
    assert_eq!((c["name"].as_str(), c["type"].as_str()), (Some("registry"), Some("basic")));
    assert_eq!(c["user_id"], w.alice_id.as_str());
    assert!(c["deleted_at"].is_null());
    let id = id_of(&c);

    let list = api.get(BASE).await.expect(200);
    let items = page_items(&list, "credentials", 0, 10, 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_no_secret(&items[0]);
    assert!(!list.to_string().contains("p1"), "{list}");

    let got = w.alice.get(&by_id(&id)).await.expect(200);
    assert_eq!(got["secret"], json!({"user": "u", "password": "p1"}));
    assert_eq!(got["name"], "registry");

    // Without a secret the stored one stays.
    let r = w.alice.put(BASE, json!({"id": id, "name": "registry-2", "type": "basic"})).await;
    let u = r.expect(200);
    assert_no_secret(&u);
    assert_eq!((u["id"].as_str(), u["name"].as_str()), (Some(id.as_str()), Some("registry-2")));
    let got = w.alice.get(&by_id(&id)).await.expect(200);
    assert_eq!(got["secret"], json!({"user": "u", "password": "p1"}));
    assert_eq!(got["name"], "registry-2");
    // With one it is replaced.
    let r =
        w.alice.put(BASE, json!({"id": id, "name": "registry-2", "type": "basic", "secret": {"password": "p2"}})).await;
    assert!(!r.text.contains("p2"), "{}", r.text);
    assert_no_secret(&r.expect(200));
    assert_eq!(w.alice.get(&by_id(&id)).await.expect(200)["secret"], json!({"password": "p2"}));

    // Bad input changes nothing.
    for body in [
        json!({"name": "x", "type": "t", "secret": "not an object"}),
        json!({"name": "", "type": "t"}),
        json!({"name": "x"}),
        json!({"type": "t"}),
        json!({"name": "x", "type": "t", "secret": {"blob": "z".repeat(70 * 1024)}}),
    ] {
        api.post(BASE, body.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
        let mut body = body;
        body["id"] = json!(id);
        w.alice.put(BASE, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    api.raw(Method::POST, BASE, "{").await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.put(BASE, json!({"name": "no id", "type": "t"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    let unknown = json!({"id": uuid::Uuid::new_v4(), "name": "x", "type": "t"});
    w.alice.put(BASE, unknown).await.assert_l5_error(404, L5_NOT_FOUND);
    let got = w.alice.get(&by_id(&id)).await.expect(200);
    assert_eq!((got["name"].as_str(), got["secret"].clone()), (Some("registry-2"), json!({"password": "p2"})));
    assert_eq!(api.get(BASE).await.expect(200)["total_count"], 1);
    // Lists search names and types and order by them.
    w.alice.create_credential(&w.org_a, "a-token", json!({"t": "1"})).await;
    let v = api.get(&format!("{BASE}?search=basic")).await.expect(200);
    assert_eq!(strs(&page_items(&v, "credentials", 0, 10, 1).into(), "id"), [id.as_str()]);
    let v = api.get(&format!("{BASE}?order=type%20desc")).await.expect(200);
    assert_eq!(strs(&v["credentials"], "type"), ["token", "basic"]);
    let v = api.get(&format!("{BASE}?order=name")).await.expect(200);
    assert_eq!(strs(&v["credentials"], "name"), ["a-token", "registry-2"]);
    api.get(&format!("{BASE}?order=secret")).await.expect(200);

    // Deleting unlinks the credential from the connections that used it.
    let mut body = connection_body("uses-it", "kubernetes", "connected");
    body["credential_id"] = json!(id);
    let conn = id_of(&w.alice.create_connection(&w.org_a, body).await);
    w.alice.delete(BASE).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.delete(&format!("{BASE}?credentialId=nope")).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.delete(&format!("{BASE}?credentialId={id}")).await.expect_204();
    w.alice.get(&by_id(&id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.put(BASE, json!({"id": id, "name": "x", "type": "t"})).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("{BASE}?credentialId={id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(strs(&api.get(BASE).await.expect(200)["credentials"], "name"), ["a-token"]);
    let c = w.alice.get(&format!("/api/integrations/connections/{conn}")).await.expect(200);
    assert_eq!(c["credential_id"], NIL_UUID, "no credential: the nil UUID, never null: {c}");
}

#[tokio::test]
async fn only_the_owner_reads_the_secret() {
    let w = world().await;
    let id = w.alice.create_credential(&w.org_a, "alice's", json!({"token": "owner-only-51d3"})).await;
    assert_eq!(w.alice.get(&by_id(&id)).await.expect(200)["secret"], json!({"token": "owner-only-51d3"}));

    // Others allowed to read credentials get everything but the secret.
    for (who, api) in [("member", &w.carol), ("provider admin", &w.admin)] {
        let r = api.get(&by_id(&id)).await;
        let v = r.expect(200);
        assert_no_secret(&v);
        assert!(!r.text.contains("owner-only-51d3"), "{who}: {}", r.text);
        assert_eq!((v["id"].as_str(), v["name"].as_str()), (Some(id.as_str()), Some("alice's")), "{who}");
        assert_eq!(v["user_id"], w.alice_id.as_str());
        let list = api.ctx(&w.org_a).get(BASE).await;
        assert!(!list.text.contains("owner-only-51d3"), "{who}: {}", list.text);
        assert_no_secret(&list.expect(200)["credentials"][0]);
    }
    w.dave.get(&by_id(&id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.ctx(&w.org_a).get(BASE).await.assert_l5_error(404, L5_NOT_FOUND);
    assert!(page_items(&w.dave.get(BASE).await.expect(200), "credentials", 0, 10, 0).is_empty(), "B has none");
    // A member may read but not change or delete.
    w.carol.put(BASE, json!({"id": id, "name": "x", "type": "t"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.delete(&format!("{BASE}?credentialId={id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.ctx(&w.org_a).post(BASE, json!({"name": "c", "type": "t"})).await.assert_l5_error(401, L5_UNAUTHORIZED);

    // An update by someone else keeps the owner and the secret.
    let v = w.admin.put(BASE, json!({"id": id, "name": "renamed", "type": "token"})).await.expect(200);
    assert_eq!(v["user_id"], w.alice_id.as_str());
    let mine = w.alice.get(&by_id(&id)).await.expect(200);
    assert_eq!((mine["name"].as_str(), mine["secret"].clone()), (Some("renamed"), json!({"token": "owner-only-51d3"})));
    // A user_id in the body does not hand the credential over.
    let v = w.alice.put(BASE, json!({"id": id, "name": "renamed", "type": "token", "user_id": w.carol_id})).await;
    assert_eq!(v.expect(200)["user_id"], w.alice_id.as_str());
    assert_no_secret(&w.carol.get(&by_id(&id)).await.expect(200));
}

#[tokio::test]
async fn secrets_are_sealed_at_rest() {
    let w = world().await;
    let alice_token = w.s.token_for("alice@a.example", "after-restart").await;
    let api = w.alice.ctx(&w.org_a);
    let saved = "plaintext-on-disk-never-4b9e01";
    let updated = "replacement-plaintext-never-77c3aa";
    let inline = "inline-connection-secret-never-e5d2";
    let id = w.alice.create_credential(&w.org_a, "cred-name-marker-a1b2c3", json!({"password": saved})).await;
    let other = w.alice.create_credential(&w.org_a, "second-cred-marker-d4e5f6", json!({"password": saved})).await;
    w.alice
        .put(
            BASE,
            json!({"id": other, "name": "second-cred-marker-d4e5f6", "type": "token", "secret": {"password": updated}}),
        )
        .await
        .expect(200);
    let mut body = connection_body("conn-name-marker-0a9b8c", "kubernetes", "connected");
    body["credentialSecret"] = json!({"token": inline});
    api.post("/api/integrations/connections", body).await.expect(201);

    let dropped = w.alice.create_credential(&w.org_a, "dropped", json!({"password": "soon gone"})).await;
    w.alice.delete(&format!("{BASE}?credentialId={dropped}")).await.expect_204();
    let data_dir = w.s.data_dir.clone();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data_dir.join("master.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the generated master key is private");
    }
    let tmp = w.s.stop().await;

    // The names are stored in the clear, which shows the right files are read.
    for name in ["cred-name-marker-a1b2c3", "second-cred-marker-d4e5f6", "conn-name-marker-0a9b8c credential"] {
        assert!(!files_containing(&data_dir, name).is_empty(), "{name} is nowhere in {}", data_dir.display());
    }
    for secret in [saved, updated, inline] {
        assert_eq!(files_containing(&data_dir, secret), Vec::<PathBuf>::new(), "{secret} is stored in plaintext");
    }

    // A deleted credential keeps no sealed secret.
    let db = rusqlite::Connection::open(data_dir.join("meshcloud.db")).unwrap();
    let sealed: (Option<Vec<u8>>, Option<Vec<u8>>) = db
        .query_row(
            "SELECT (SELECT secret FROM credentials WHERE uuid = ?1), (SELECT secret FROM credentials WHERE uuid = ?2)",
            [&dropped, &id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(sealed.0.is_none(), "the deleted credential's sealed secret is still stored");
    assert!(sealed.1.is_some_and(|s| !s.is_empty()), "a live credential's sealed secret is stored");
    drop(db);

    // The same data dir (and its key file) opens them again.
    let s = Server::start_in(tmp, |_| {}).await;
    let alice = s.with_token(&alice_token);
    assert_eq!(alice.get(&by_id(&id)).await.expect(200)["secret"], json!({"password": saved}));
    assert_eq!(alice.get(&by_id(&other)).await.expect(200)["secret"], json!({"password": updated}));
}

/// A credential of the admin's in a fresh org of a server started with `key`.
async fn seal_with_key(key: &str, plaintext: &str) -> (Server, String, String, String) {
    let key = key.to_string();
    let s = Server::start_with(move |c| c.master_key = Some(key)).await;
    let token = s.token_for(ADMIN_EMAIL, "keyed").await;
    let admin = s.with_token(&token);
    let org = admin.create_org(json!({"name": "keyed"})).await;
    let id = admin.create_credential(&org, "keyed-cred", json!({"token": plaintext})).await;
    (s, token, org, id)
}

#[tokio::test]
async fn a_configured_master_key() {
    let plaintext = "sealed-under-configured-key-3f8a";
    let (s, token, org, id) = seal_with_key(KEY_A, plaintext).await;
    let admin = s.with_token(&token);
    assert_eq!(admin.get(&by_id(&id)).await.expect(200)["secret"], json!({"token": plaintext}));
    let data_dir = s.data_dir.clone();
    assert!(!data_dir.join("master.key").exists(), "a configured key writes no key file");
    let tmp = s.stop().await;
    assert!(files_containing(&data_dir, plaintext).is_empty());

    let s = Server::start_in(tmp, |c| c.master_key = Some(KEY_A.into())).await;
    let admin = s.with_token(&token);
    assert_eq!(admin.get(&by_id(&id)).await.expect(200)["secret"], json!({"token": plaintext}));
    let tmp = s.stop().await;

    // Another key is refused at start-up, before it could fail reads or seal under two keys.
    let child = std::process::Command::new(bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .env_clear()
        .env("MESHCLOUD_MASTER_KEY", KEY_B)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Killed when the test ends, whether it passes or not.
    let mut child = Child(child);
    let status = poll("a server with the wrong master key to exit", std::time::Duration::from_secs(30), || {
        std::future::ready(child.0.try_wait().unwrap())
    })
    .await;
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(stderr.contains("master key"), "{stderr}");
    assert!(!stderr.contains(plaintext));

    // The right key still opens everything.
    let s = Server::start_in(tmp, |c| c.master_key = Some(KEY_A.into())).await;
    let admin = s.with_token(&token);
    assert_eq!(admin.get(&by_id(&id)).await.expect(200)["secret"], json!({"token": plaintext}));
    let list = admin.ctx(&org).get(BASE).await.expect(200);
    assert_eq!(strs(&list["credentials"], "id"), [id.as_str()]);
}

#[tokio::test]
async fn a_sealed_secret_opens_only_in_its_own_row() {
    let (s, token, org, donor) = seal_with_key(KEY_A, "donor-secret-6a1c").await;
    let admin = s.with_token(&token);
    let victim = admin.create_credential(&org, "victim", json!({"token": "victim-secret"})).await;
    let data_dir = s.data_dir.clone();
    let tmp = s.stop().await;

    let db = rusqlite::Connection::open(data_dir.join("meshcloud.db")).unwrap();
    let n = db
        .execute(
            "UPDATE credentials SET secret = (SELECT secret FROM credentials WHERE uuid = ?1) WHERE uuid = ?2",
            [&donor, &victim],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(db);

    let s = Server::start_in(tmp, |c| c.master_key = Some(KEY_A.into())).await;
    let admin = s.with_token(&token);
    let r = admin.get(&by_id(&victim)).await;
    assert!(!r.text.contains("donor-secret-6a1c"), "a copied sealed value opened: {} {}", r.status, r.text);
    assert_eq!(admin.get(&by_id(&donor)).await.expect(200)["secret"], json!({"token": "donor-secret-6a1c"}));
}

/// A child process that is killed however the test ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `meshcloud serve` as a child process logging everything it can (JSON, every
/// level, every crate) into `log`; answers the child and its address.
async fn verbose_server(dir: &Path, log: &Path) -> (Child, String) {
    std::fs::create_dir_all(dir).unwrap();
    let out = std::fs::File::create(log).unwrap();
    let child = Child(
        std::process::Command::new(bin())
            .env_clear()
            .env("MESHCLOUD_DATA_DIR", dir)
            .env("MESHCLOUD_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("MESHCLOUD_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("MESHCLOUD_LOG", "trace")
            .env("MESHCLOUD_LOG_FORMAT", "json")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .current_dir(dir.parent().unwrap())
            .stdin(std::process::Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap(),
    );
    let listen = poll("the verbose server to log its address", std::time::Duration::from_secs(30), || {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        std::future::ready(text.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).find_map(|v| {
            (v["fields"]["message"] == "meshcloud is serving")
                .then(|| v["fields"]["listen"].as_str().map(String::from))?
        }))
    })
    .await;
    (child, format!("http://{listen}"))
}

#[tokio::test]
async fn secrets_stay_out_of_the_logs() {
    let tmp = tempfile::TempDir::new().unwrap();
    let (dir, log) = (tmp.path().join("data"), tmp.path().join("server.log"));
    let (child, base) = verbose_server(&dir, &log).await;
    let token = cli_ok(&dir, &["token", "create", "--email", ADMIN_EMAIL, "--name", "logs"]);
    let admin = api_at(&base, &token);
    let org = admin.create_org(json!({"name": "logged"})).await;
    let api = admin.ctx(&org);
    let id = admin.create_credential(&org, "logged-cred-name", json!({"password": "log-leak-canary-1"})).await;
    let body =
        json!({"id": id, "name": "logged-cred-name", "type": "token", "secret": {"password": "log-leak-canary-2"}});
    admin.put(BASE, body).await.expect(200);
    admin.get(&by_id(&id)).await.expect(200);
    // Refused requests carry secrets too.
    let bad = json!({"name": "", "type": "token", "secret": {"password": "log-leak-canary-3"}});
    api.post(BASE, bad).await.assert_l5_error(400, L5_BAD_REQUEST);
    let mut conn = connection_body("logged-conn", "kubernetes", "connected");
    conn["credentialSecret"] = json!({"token": "log-leak-canary-4"});
    api.post("/api/integrations/connections", conn).await.expect(201);
    drop(child);

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("/api/integrations/credentials"), "the log records the requests: {text}");
    for n in 1..=4 {
        assert!(!text.contains(&format!("log-leak-canary-{n}")), "secret {n} is in the log");
    }
}
