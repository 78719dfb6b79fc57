//! The in-process fixture: a real meshcloud on 127.0.0.1:0 with its own
//! data dir, on this test's runtime. Users and tokens are seeded through the
//! server's own `Identity` (the calls `meshcloud user create` and `token
//! create` make), so seeding goes through the server's one writer and costs
//! no process start.

use std::net::TcpListener;
use std::path::PathBuf;

use meshcloud::clock::Clock;
use meshcloud::config::Config;
use meshcloud::server::App;
use meshcloud_identity::Identity;
use meshcloud_identity::service::users::CreateUser;
use tempfile::TempDir;

use super::{Api, client};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The password of every user `Server::user` makes.
pub const USER_PASSWORD: &str = "user-password-1";

pub struct Server {
    pub base: String,
    pub data_dir: PathBuf,
    identity: Identity,
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
        Self::start_on(tmp, Clock::Real, tweak).await
    }

    /// `start_in` with the scheduler on `clock` (a manual one for tests that
    /// step through cron windows instead of sleeping through them).
    pub async fn start_on(tmp: TempDir, clock: Clock, tweak: impl FnOnce(&mut Config)) -> Server {
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
        let app = App::start(listener, config, clock).await.unwrap_or_else(|e| panic!("server start-up failed: {e}"));
        let identity = app.identity().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(app.serve(async {
            let _ = stopped.await;
        }));
        let server = Server { base, data_dir, identity, _tmp: tmp, stop: Some(stop), task: Some(task), http: client() };
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

    /// Issues a token for the user with `email`, as `meshcloud token create` does.
    pub async fn token_for(&self, email: &str, name: &str) -> String {
        let issued = async {
            let p = self.identity.principal_for_email(email).await?;
            self.identity.create_token(&p, name, Some("seeded by the test fixture")).await
        };
        issued.await.unwrap_or_else(|e| panic!("token for {email}: {e}")).plaintext
    }

    /// Creates a user with `USER_PASSWORD` (optionally in an org, as its admin
    /// or not), as `meshcloud user create` does, and returns the user's uuid.
    pub async fn new_user(&self, email: &str, org: Option<(&str, bool)>) -> String {
        let org = org.map(|(org, admin)| (org.parse().unwrap_or_else(|e| panic!("org id {org:?}: {e}")), admin));
        let new = CreateUser {
            email: email.into(),
            first_name: String::new(),
            last_name: String::new(),
            password: Some(USER_PASSWORD.into()),
            provider_admin: false,
            org,
        };
        let user = self.identity.create_user(None, new).await.unwrap_or_else(|e| panic!("user {email}: {e}"));
        user.uuid.to_string()
    }

    /// Creates a user (optionally in an org) and returns (user uuid, an API client as them).
    pub async fn user(&self, email: &str, org: Option<(&str, bool)>) -> (String, Api) {
        let uuid = self.new_user(email, org).await;
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
