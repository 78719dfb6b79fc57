//! The test fixture: a real meshcloud on 127.0.0.1:0 with its own data dir,
//! either in-process (fast) or as a child process (crash and CLI tests).

pub mod oidc;
pub mod smtp_sink;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use meshcloud::config::Config;
use reqwest::{Method, header::HeaderMap};
use serde_json::Value;
use tempfile::TempDir;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const L5_UNAUTHORIZED: &str = "Expired JWT token used or insufficient privilege";
pub const L5_NOT_FOUND: &str = "Result not found";
pub const L5_BAD_REQUEST: &str = "Invalid request body or request param";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_meshcloud-under-test")
}

/// Runs the meshcloud CLI against `data_dir`; panics with its stderr on failure.
pub fn cli_ok(data_dir: &Path, args: &[&str]) -> String {
    let out = cli(data_dir, args, None);
    assert!(out.status.success(), "meshcloud {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8 stdout").trim().to_string()
}

/// The binary with an environment of its own: no `MESHCLOUD_*` variables or
/// `./meshcloud.toml` of the machine running the tests leak in.
fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_clear().env("MESHCLOUD_DATA_DIR", data_dir);
    if let Some(parent) = data_dir.parent().filter(|p| p.exists()) {
        cmd.current_dir(parent);
    } else {
        cmd.current_dir(std::env::temp_dir());
    }
    cmd
}

pub fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = command(data_dir);
    cmd.args(args);
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn cli");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("cli output")
}

pub struct Server {
    pub base: String,
    pub data_dir: PathBuf,
    _tmp: TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), String>>>,
    http: reqwest::Client,
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Server {
        Self::start_in(TempDir::new().expect("tempdir"), tweak).await
    }

    /// Starts on the data dir inside `tmp`: a restart on what `stop` returned
    /// sees everything the earlier server stored.
    pub async fn start_in(tmp: TempDir, tweak: impl FnOnce(&mut Config)) -> Server {
        let data_dir = tmp.path().join("data");
        let mut config = Config {
            data_dir: data_dir.clone(),
            admin_email: ADMIN_EMAIL.into(),
            admin_password: Some(ADMIN_PASSWORD.into()),
            purge_schedule: String::new(),
            db_readers: 2,
            ..Config::default()
        };
        tweak(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(meshcloud::server::serve(listener, config, async {
            let _ = stopped.await;
        }));
        let server = Server { base, data_dir, _tmp: tmp, stop: Some(stop), task: Some(task), http: client() };
        // The listener is bound: this waits until start-up (migrations,
        // bootstrap) is done and requests are served.
        let r = server.anon().get("/healthz").await;
        assert_eq!(r.status, 200, "server did not come up: {}", r.text);
        server
    }

    pub fn anon(&self) -> Api {
        Api { base: self.base.clone(), http: self.http.clone(), token: None, headers: vec![] }
    }

    pub fn with_token(&self, token: &str) -> Api {
        Api { token: Some(token.to_string()), ..self.anon() }
    }

    /// A token for the bootstrap admin (a provider admin).
    pub async fn admin(&self) -> Api {
        let token = self.token_for(ADMIN_EMAIL, "admin").await;
        self.with_token(&token)
    }

    pub async fn token_for(&self, email: &str, name: &str) -> String {
        let dir = self.data_dir.clone();
        let (email, name) = (email.to_string(), name.to_string());
        tokio::task::spawn_blocking(move || cli_ok(&dir, &["token", "create", "--email", &email, "--name", &name]))
            .await
            .expect("join")
    }

    /// Creates a user (optionally in an org) and returns (user uuid, an API client as them).
    pub async fn user(&self, email: &str, org: Option<(&str, bool)>) -> (String, Api) {
        let dir = self.data_dir.clone();
        let mut args: Vec<String> =
            ["user", "create", "--email", email, "--password-stdin"].iter().map(|s| s.to_string()).collect();
        if let Some((org, admin)) = org {
            args.push("--org".into());
            args.push(org.into());
            if admin {
                args.push("--org-admin".into());
            }
        }
        let uuid = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = cli(&dir, &refs, Some("user-password-1\n"));
            assert!(out.status.success(), "user create: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).expect("utf8").trim().to_string()
        })
        .await
        .expect("join");
        let token = self.token_for(email, "test").await;
        (uuid, self.with_token(&token))
    }

    /// Stops the server the way SIGTERM does and waits for it. Returns the
    /// temporary directory, which holds the data dir, to keep it alive.
    pub async fn stop(mut self) -> TempDir {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("join").expect("server ended with an error");
        }
        self._tmp
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client")
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    http: reqwest::Client,
    token: Option<String>,
    headers: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {:?} {}", self.status, self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }

    /// Asserts a Layer5-format error: status, text/plain, and the documented wording.
    #[track_caller]
    pub fn assert_l5_error(&self, status: u16, wording: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert!(self.content_type().starts_with("text/plain"), "content type {:?}", self.content_type());
        assert!(self.text.starts_with(wording), "expected {wording:?}, got {:?}", self.text);
    }
}

impl Api {
    pub fn header(mut self, name: &str, value: &str) -> Api {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<RawBody>) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        match body {
            Some(RawBody::Json(v)) => req = req.json(&v),
            Some(RawBody::Text(t)) => req = req.header("content-type", "application/json").body(t),
            None => {}
        }
        let r = req.send().await.expect("request");
        Resp { status: r.status().as_u16(), headers: r.headers().clone(), text: r.text().await.expect("body") }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(RawBody::Json(body))).await
    }

    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(Method::POST, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Some(RawBody::Json(body))).await
    }

    pub async fn raw(&self, method: Method, path: &str, text: &str) -> Resp {
        self.send(method, path, Some(RawBody::Text(text.into()))).await
    }

    /// Creates an organization and returns its id.
    pub async fn create_org(&self, body: Value) -> String {
        let r = self.post("/api/identity/orgs", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["organizations"][0]["id"].as_str().expect("id").to_string()
    }

    /// Issues a token through the API and returns (id, plaintext).
    pub async fn create_token(&self, name: &str) -> (String, String) {
        let r = self.post_empty(&format!("/api/identity/tokens?name={name}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let t = &r.json()["tokens"][0];
        (t["id"].as_str().expect("id").into(), t["access_token"].as_str().expect("access_token").into())
    }
}

/// A client for a server at `base` (one not started through `Server`).
pub fn api_at(base: &str, token: &str) -> Api {
    Api { base: base.to_string(), http: client(), token: Some(token.into()), headers: vec![] }
}

pub enum RawBody {
    Json(Value),
    Text(String),
}

/// A meshcloud running as a child process (for kill -9 and signal tests).
pub struct Process {
    pub child: Child,
    pub base: String,
}

impl Process {
    /// Starts `meshcloud serve` on a port the child picks itself (no race for
    /// a port between tests) and waits until it answers.
    pub fn start(data_dir: &Path) -> Process {
        std::fs::create_dir_all(data_dir).expect("data dir");
        let mut child = command(data_dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("MESHCLOUD_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("MESHCLOUD_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("MESHCLOUD_LOG", "info")
            .env("MESHCLOUD_LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn server");
        let stderr = child.stderr.take().expect("stderr");
        let (addr_tx, addr_rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            use std::io::BufRead;
            // Reads every line, so the child never blocks on a full pipe.
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
                if v["fields"]["message"] == "meshcloud is serving"
                    && let Some(listen) = v["fields"]["listen"].as_str()
                {
                    let _ = addr_tx.send(listen.to_string());
                }
            }
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let listen = loop {
            if let Ok(addr) = addr_rx.recv_timeout(Duration::from_millis(50)) {
                break addr;
            }
            if let Some(status) = child.try_wait().expect("try_wait") {
                panic!("server process exited during start-up: {status}");
            }
            assert!(std::time::Instant::now() < deadline, "server process did not start");
        };
        assert!(cli(data_dir, &["healthcheck", "--listen", &listen], None).status.success());
        Process { child, base: format!("http://{listen}") }
    }

    pub fn api(&self, token: &str) -> Api {
        Api { base: self.base.clone(), http: client(), token: Some(token.into()), headers: vec![] }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// Identity and access fixtures.

/// The nil UUID: the owner of everything built in.
pub const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";

impl Resp {
    /// Asserts the status (showing the body otherwise) and returns the JSON
    /// body, or `null` when the body is empty.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        if self.text.is_empty() { Value::Null } else { self.json() }
    }

    /// Asserts a bodiless `204 No Content`.
    #[track_caller]
    pub fn expect_204(&self) {
        assert_eq!(self.status, 204, "unexpected status; body: {}", self.text);
        assert!(self.text.is_empty(), "204 with a body: {}", self.text);
    }
}

/// The `str` values of `key` in the items of a list.
pub fn strs(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"))
        .iter()
        .map(|i| i[key].as_str().unwrap_or_default().to_string())
        .collect()
}

impl Api {
    /// The same caller, acting in `org` (the Layer5 org-context header).
    pub fn ctx(&self, org: &str) -> Api {
        self.clone().header("layer5-current-orgid", org)
    }

    /// Creates a team in `org` and returns its id.
    pub async fn create_team(&self, org: &str, name: &str) -> String {
        let v =
            self.post(&format!("/api/identity/orgs/{org}/teams"), serde_json::json!({"name": name})).await.expect(201);
        v["id"].as_str().expect("team id").to_string()
    }

    /// Creates a custom role in `org` and returns its id.
    pub async fn create_role(&self, org: &str, name: &str) -> String {
        let r = self
            .post(&format!("/api/identity/orgs/{org}/roles"), serde_json::json!({"role_name": name, "description": ""}))
            .await;
        r.expect(200)["id"].as_str().expect("role id").to_string()
    }

    /// Creates a keychain owned by `org` and returns its id.
    pub async fn create_keychain(&self, org: &str, name: &str) -> String {
        let r = self.ctx(org).post("/api/auth/keychains", serde_json::json!({"name": name})).await;
        r.expect(200)["id"].as_str().expect("keychain id").to_string()
    }

    /// Makes a role `name` in `org` holding exactly `keys` (codes) and gives
    /// `user` (id) that role and no other.
    pub async fn give_role_with_keys(&self, org: &str, name: &str, keys: &[&str], user: &str) {
        let role = self.create_role(org, name).await;
        let kc = self.create_keychain(org, name).await;
        for code in keys {
            let key = self.key_id(code).await;
            self.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
        }
        self.post_empty(&format!("/api/identity/orgs/{org}/roles/{role}/keychains/{kc}")).await.expect(200);
        let set = serde_json::json!([{"user_id": user, "roleNames": [name]}]);
        self.put(&format!("/api/identity/orgs/{org}/roles"), set).await.expect(200);
    }

    /// Every key the catalogue lists.
    pub async fn all_keys(&self) -> Vec<Value> {
        let v = self.get("/api/auth/keys?pagesize=500").await.expect(200);
        v["keys"].as_array().expect("keys").clone()
    }

    /// The id of the key `category.subcategory.function`.
    pub async fn key_id(&self, code: &str) -> String {
        let keys = self.all_keys().await;
        keys.iter()
            .find(|k| {
                format!(
                    "{}.{}.{}",
                    k["category"].as_str().unwrap_or(""),
                    k["subcategory"].as_str().unwrap_or(""),
                    k["function"].as_str().unwrap_or("")
                ) == code
            })
            .unwrap_or_else(|| panic!("no key {code}"))["id"]
            .as_str()
            .expect("key id")
            .to_string()
    }

    /// The id of a keychain by name, among those the caller can list.
    pub async fn keychain_id(&self, name: &str) -> String {
        let v = self.get("/api/auth/keychains?pagesize=500").await.expect(200);
        v["keychains"]
            .as_array()
            .expect("keychains")
            .iter()
            .find(|k| k["name"] == name)
            .unwrap_or_else(|| panic!("no keychain {name}: {v}"))["id"]
            .as_str()
            .expect("keychain id")
            .to_string()
    }

    /// The id of a role usable in `org`, by name.
    pub async fn role_id(&self, org: &str, name: &str) -> String {
        let v = self.get(&format!("/api/identity/orgs/{org}/roles?pagesize=500")).await.expect(200);
        v["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .find(|r| r["role_name"] == name)
            .unwrap_or_else(|| panic!("no role {name}: {v}"))["id"]
            .as_str()
            .expect("role id")
            .to_string()
    }

    /// The role names `user` (id) holds in `org`, sorted, as the org's user list shows them.
    pub async fn roles_of(&self, org: &str, user: &str) -> Vec<String> {
        let v = self.get(&format!("/api/identity/orgs/{org}/users?pagesize=500")).await.expect(200);
        let u = v["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|u| u["id"] == user)
            .unwrap_or_else(|| panic!("{user} is not listed in {org}: {v}"))
            .clone();
        let mut names: Vec<String> = serde_json::from_value(u["role_names"].clone()).expect("role_names");
        names.sort();
        names
    }
}

/// A small installation: the provider admin; org A with alice (its admin, who
/// created it) and carol (a member); org B with dave (a member only).
pub struct World {
    pub s: Server,
    pub admin: Api,
    pub alice: Api,
    pub carol: Api,
    pub dave: Api,
    pub org_a: String,
    pub org_b: String,
    pub admin_id: String,
    pub alice_id: String,
    pub carol_id: String,
    pub dave_id: String,
}

pub async fn world() -> World {
    world_with(|_| {}).await
}

/// `world()` on a server with its configuration adjusted.
pub async fn world_with(tweak: impl FnOnce(&mut Config)) -> World {
    let s = Server::start_with(tweak).await;
    let admin = s.admin().await;
    let admin_id = admin.get("/api/identity/users/profile").await.expect(200)["id"].as_str().expect("id").to_string();
    let (alice_id, alice) = s.user("alice@a.example", None).await;
    let org_a = alice.create_org(serde_json::json!({"name": "A"})).await;
    let (carol_id, carol) = s.user("carol@a.example", Some((&org_a, false))).await;
    let org_b = admin.create_org(serde_json::json!({"name": "B"})).await;
    let (dave_id, dave) = s.user("dave@b.example", Some((&org_b, false))).await;
    World { s, admin, alice, carol, dave, org_a, org_b, admin_id, alice_id, carol_id, dave_id }
}

/// RFC 3339 UTC for "now + `secs`" (negative: in the past).
pub fn rfc3339_in(secs: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    let t = now + secs;
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

// ---------------------------------------------------------------------------
// Infrastructure fixtures.

/// Percent-encodes a query value (JSON filters and arrays travel in the URL).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A connection body in the Layer5 spelling.
pub fn connection_body(name: &str, kind: &str, status: &str) -> Value {
    serde_json::json!({"name": name, "type": "platform", "sub_type": "orchestration", "kind": kind, "status": status})
}

/// Asserts a Layer5 page envelope (`{<key>, page, page_size, total_count}`) and returns its items.
#[track_caller]
pub fn page_items(v: &Value, key: &str, page: u64, page_size: u64, total: u64) -> Vec<Value> {
    assert_eq!(
        (v["page"].as_u64(), v["page_size"].as_u64(), v["total_count"].as_u64()),
        (Some(page), Some(page_size), Some(total)),
        "page fields of {v}"
    );
    v[key].as_array().unwrap_or_else(|| panic!("no {key} array: {v}")).clone()
}

impl Api {
    /// Creates an environment in `org` and returns its id.
    pub async fn create_env(&self, org: &str, name: &str) -> String {
        let body = serde_json::json!({"name": name, "organization_id": org});
        self.post("/api/environments", body).await.expect(201)["id"].as_str().expect("environment id").to_string()
    }

    /// Registers a connection in `org` and returns it.
    pub async fn create_connection(&self, org: &str, body: Value) -> Value {
        self.ctx(org).post("/api/integrations/connections", body).await.expect(201)
    }

    /// Saves a credential in `org` and returns its id.
    pub async fn create_credential(&self, org: &str, name: &str, secret: Value) -> String {
        let body = serde_json::json!({"name": name, "type": "token", "secret": secret});
        let v = self.ctx(org).post("/api/integrations/credentials", body).await.expect(201);
        v["id"].as_str().expect("credential id").to_string()
    }

    /// Creates a workspace in `org` and returns its id.
    pub async fn create_workspace(&self, org: &str, name: &str) -> String {
        let body = serde_json::json!({"name": name, "organization_id": org});
        self.post("/api/workspaces", body).await.expect(201)["id"].as_str().expect("workspace id").to_string()
    }
}
