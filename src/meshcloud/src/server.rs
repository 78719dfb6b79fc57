//! Assembles the application (store, families, routes, middleware) and serves it.

use std::future::Future;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use meshcloud_identity::service::bootstrap::Bootstrap;
use meshcloud_identity::{Identity, IdentitySettings};
use meshcloud_infra::Infra;
use meshcloud_kernel::db::{Db, DbOptions, db_path};
use meshcloud_kernel::secrets::Sealer;
use poem::listener::TcpAcceptor;
use poem::middleware::CookieJarManager;
use poem::{EndpointExt, Route, Server};
use poem_openapi::OpenApiService;
use tokio::sync::watch;
use tracing::info;

use crate::config::Config;
use crate::metrics::Metrics;

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(30);

pub fn ensure_data_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create data dir {}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Opens the store of a data dir off the async threads: the server migrates
/// it; tools (`migrate == false`) require it to be at this binary's schema.
pub async fn open_db(config: &Config, migrate: bool) -> Result<Db, String> {
    let path = db_path(&config.data_dir);
    let opts = DbOptions { readers: config.db_readers, ..DbOptions::default() };
    tokio::task::spawn_blocking(move || if migrate { Db::open(&path, opts) } else { Db::open_existing(&path, opts) })
        .await
        .map_err(|e| format!("store start-up failed: {e}"))?
        .map_err(|e| e.to_string())
}

/// The lock a serving process holds on its data dir, so that a second server
/// or a restore cannot run against it at the same time.
pub fn lock_data_dir(dir: &Path) -> Result<std::fs::File, String> {
    let path = dir.join("meshcloud.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(format!("another meshcloud is serving the data dir {}", dir.display()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

pub fn identity(db: Db, config: &Config) -> Identity {
    Identity::new(
        db,
        IdentitySettings {
            allow_user_org_creation: config.allow_user_org_creation,
            session_ttl: Duration::from_secs(config.session_ttl_hours * 3600),
            trust_forwarded_for: config.trust_forwarded_for,
            ..IdentitySettings::default()
        },
    )
}

fn api_service(
    identity: &Identity,
    infra: &Infra,
    metrics: &Arc<Metrics>,
) -> OpenApiService<impl poem_openapi::OpenApi, ()> {
    let ops = crate::ops::OpsApi { db: identity.db().clone(), metrics: metrics.clone() };
    let apis = (meshcloud_identity::api::apis(identity), meshcloud_infra::api::apis(infra), ops);
    OpenApiService::new(apis, "meshcloud", env!("CARGO_PKG_VERSION")).description(
        "meshcloud: self-hosted cloud-management control plane. Layer5 Cloud face and meshcloud's own API.",
    )
}

/// Serves on `listener` until `shutdown` resolves; then finishes in-flight
/// requests, stops the jobs and closes the store.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), String> {
    ensure_data_dir(&config.data_dir)?;
    let _lock = lock_data_dir(&config.data_dir)?;
    let db = open_db(&config, true).await?;
    let identity = identity(db.clone(), &config);
    match identity.bootstrap(&config.admin_email, config.admin_password.clone()).await.map_err(|e| e.to_string())? {
        Bootstrap::AlreadyInitialised => {}
        Bootstrap::Created { email, generated_password: Some(pw) } => {
            eprintln!("meshcloud: created the first admin {email} with the generated password: {pw}");
            eprintln!("meshcloud: this password is shown only once; sign in and keep it safe.");
        }
        Bootstrap::Created { email, generated_password: None } => info!(%email, "created the first admin"),
    }

    let key = meshcloud_kernel::secrets::load_or_create_key(config.master_key.as_deref(), &config.data_dir)
        .map_err(|e| format!("master key: {e}"))?;
    let infra = Infra::new(db.clone(), identity.clone(), Sealer::new(&key));
    infra.check_master_key().await.map_err(|e| e.to_string())?;

    let (stop_jobs, jobs_stopped) = watch::channel(false);
    if !config.purge_schedule.trim().is_empty() {
        let schedule = crate::jobs::parse_schedule(&config.purge_schedule)?;
        let retention = Duration::from_secs(config.purge_after_days * 86_400);
        let (id, inf) = (identity.clone(), infra.clone());
        let job: crate::jobs::JobFn = Arc::new(move || {
            let (id, inf) = (id.clone(), inf.clone());
            Box::pin(async move {
                let (rows, creds) = id.purge(retention).await.map_err(|e| e.to_string())?;
                let infra_rows = inf.purge(retention).await.map_err(|e| e.to_string())?;
                Ok(format!("purged {} deleted rows and {creds} dead credentials", rows + infra_rows))
            })
        });
        crate::jobs::spawn("purge", schedule, job, jobs_stopped);
    }

    let metrics = Arc::new(Metrics::default());
    let api = api_service(&identity, &infra, &metrics);
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let app = Route::new()
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .nest("/", api)
        .with(CookieJarManager::new())
        .data(identity.clone());
    let app = Arc::new(app);
    let edge = {
        let metrics = metrics.clone();
        poem::endpoint::make(move |req| crate::edge::handle(app.clone(), metrics.clone(), req))
    };

    let local = listener.local_addr().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let acceptor = TcpAcceptor::from_std(listener).map_err(|e| e.to_string())?;
    info!(listen = %local, data_dir = %config.data_dir.display(), "meshcloud is serving");
    let served = Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(edge, shutdown, Some(DRAIN)).await;
    let _ = stop_jobs.send(true);
    let closing = db.clone();
    let _ = tokio::task::spawn_blocking(move || closing.close()).await;
    info!("meshcloud stopped");
    served.map_err(|e| e.to_string())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (containers, systemd).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    info!("shutdown requested; finishing in-flight requests");
}
