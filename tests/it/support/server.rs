//! The in-process fixture: a real meshcloud on 127.0.0.1:0 with its own
//! data dir, on this test's runtime.

use std::net::TcpListener;
use std::path::PathBuf;

use meshcloud::config::Config;
use tempfile::TempDir;

use super::{Api, cli, cli_ok, client};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";

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
        Api::new(&self.base, self.http.clone(), None)
    }

    pub fn with_token(&self, token: &str) -> Api {
        Api::new(&self.base, self.http.clone(), Some(token))
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
