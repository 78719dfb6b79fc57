//! Assembles the application (store, families, routes, middleware) and serves it.

use std::collections::HashMap;
use std::future::Future;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use meshcloud_billing::{Billing, BillingSettings};
use meshcloud_content::Content;
use meshcloud_content::service::url_import::UrlImport;
use meshcloud_directory::Directory;
use meshcloud_directory::service::{DirectorySettings, SignupSettings};
use meshcloud_gateway::{Gateway, GatewaySettings};
use meshcloud_identity::service::bootstrap::Bootstrap;
use meshcloud_identity::{Identity, IdentitySettings};
use meshcloud_infra::Infra;
use meshcloud_kernel::db::{Db, DbOptions, db_path};
use meshcloud_kernel::secrets::Sealer;
use meshcloud_oidc::{Oidc, OidcSettings};
use meshcloud_ops::Ops;
use poem::middleware::CookieJarManager;
use poem::{EndpointExt, Route};
use poem_openapi::OpenApiService;
use tokio::sync::watch;
use tracing::info;

use crate::banner::FirstAdmin;
use crate::clock::Clock;
use crate::config::Config;
use crate::connections::Limits;
use crate::lazy::Lazy;
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

pub fn identity(db: Db, config: &Config) -> Result<Identity, String> {
    Ok(Identity::new(
        db,
        IdentitySettings {
            allow_user_org_creation: config.allow_user_org_creation,
            session_ttl: config.periods()?.session_ttl,
            trust_forwarded_for: config.trust_forwarded_for,
            max_pending_signups: config.max_pending_signups,
            ..IdentitySettings::default()
        },
    ))
}

/// The master key: the configured one, else the data dir's key file. A new
/// key file is written only after the database proved to hold nothing sealed
/// under another key: a start on a database restored without its key is
/// refused and leaves no key file behind, so putting the right one in place
/// is all it takes.
pub async fn master_key(config: &Config, db: &Db, identity: &Identity) -> Result<[u8; 32], String> {
    use meshcloud_kernel::secrets;
    let loaded =
        secrets::load_key(config.master_key.as_deref(), &config.data_dir).map_err(|e| format!("master key: {e}"))?;
    let key = loaded.unwrap_or_else(secrets::new_key);
    let checked = Infra::new(db.clone(), identity.clone(), Sealer::new(&key)).check_master_key().await;
    match (loaded, checked) {
        (Some(key), Ok(())) => Ok(key),
        (None, Ok(())) => secrets::save_new_key(&config.data_dir, &key).map_err(|e| format!("master key: {e}")),
        (Some(_), Err(e)) => Err(e.to_string()),
        (None, Err(_)) => Err(format!(
            "the database holds secrets sealed with a master key, and there is none: put the key it was used with at \
             {} (or set MESHCLOUD_MASTER_KEY / MESHCLOUD_MASTER_KEY_FILE); no new key was created",
            config.data_dir.join(secrets::KEY_FILE).display()
        )),
    }
}

/// The families, assembled once the store is open.
pub struct Families {
    pub identity: Identity,
    pub infra: Infra,
    pub ops: Ops,
    pub content: Content,
    pub directory: Directory,
    pub oidc: Oidc,
    pub billing: Billing,
    pub gateway: Gateway,
    /// `None` without a configured mail server.
    pub mailer: Option<crate::mail::Mailer>,
    /// The bearer token `/metrics` asks for (`metrics_token`).
    pub metrics_token: Option<String>,
}

fn api_service(f: &Families, metrics: &Arc<Metrics>) -> OpenApiService<impl poem_openapi::OpenApi + use<>, ()> {
    let health = crate::ops::OpsApi {
        db: f.identity.db().clone(),
        metrics: metrics.clone(),
        metrics_token: f.metrics_token.clone(),
    };
    let overview = crate::overview::OverviewApi {
        identity: f.identity.clone(),
        infra: f.infra.clone(),
        ops: f.ops.clone(),
        directory: f.directory.clone(),
    };
    let apis = (
        meshcloud_identity::api::apis(&f.identity),
        meshcloud_infra::api::apis(&f.infra),
        meshcloud_ops::api::apis(&f.ops),
        meshcloud_content::api::apis(&f.content),
        meshcloud_directory::api::apis(&f.directory),
        meshcloud_oidc::api::apis(&f.oidc),
        meshcloud_billing::api::apis(&f.billing),
        meshcloud_gateway::api::apis(&f.gateway),
        health,
        overview,
    );
    OpenApiService::new(apis, "meshcloud", env!("CARGO_PKG_VERSION")).description(
        "meshcloud: self-hosted cloud-management control plane. Layer5 Cloud face, Identity face \
         (OIDC provider and /api/v1 organizations API), API7 Cloud face (/api/v1/orgs, controlplanes, apps) \
         and meshcloud's own API.",
    )
}

fn billing_settings(config: &Config) -> BillingSettings {
    let stripe = match (&config.stripe_secret_key, &config.stripe_webhook_secret) {
        (Some(k), Some(w)) => {
            Some(meshcloud_billing::service::StripeSettings { secret_key: k.clone(), webhook_secret: w.clone() })
        }
        _ => None,
    };
    // The ranges were checked by `Config::validate`.
    let days = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    BillingSettings {
        invoice_prefix: config.invoice_prefix.clone(),
        payment_terms_days: days(config.payment_terms_days),
        incomplete_expiry_days: days(config.incomplete_expiry_days),
        dunning_retries: days(config.dunning_retries),
        dunning_interval_days: days(config.dunning_interval_days),
        stripe,
    }
}

/// The limits of the organizations' plans, and how each family counts what
/// they limit: registered once per process (the functions are stateless).
fn install_entitlements() {
    use meshcloud_kernel::entitle::Feature;
    meshcloud_kernel::entitle::install(
        meshcloud_billing::core::limit,
        vec![
            (Feature::MembersInOrganization, meshcloud_identity::core::usage::members),
            (Feature::WorkspacesInOrganization, meshcloud_infra::core::usage::workspaces),
            (Feature::EnvironmentsInOrganization, meshcloud_infra::core::usage::environments),
            (Feature::ConnectionsInOrganization, meshcloud_infra::core::usage::connections),
            (Feature::DesignsInOrganization, meshcloud_content::core::usage::designs),
            (Feature::ControlPlanesInOrganization, meshcloud_gateway::core::usage::control_planes),
        ],
    );
}

/// The OIDC issuer: the configured public URL, else the address served on
/// (loopback when serving on every interface, which is no address to reach).
pub fn issuer(config: &Config, local: std::net::SocketAddr) -> String {
    config.public_url.clone().unwrap_or_else(|| {
        let mut at = local;
        if at.ip().is_unspecified() {
            at.set_ip(if at.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        format!("http://{at}")
    })
}

/// Registers the system jobs with their configured schedules and starts the runner.
async fn start_jobs(
    config: &Config,
    db: &Db,
    f: &Families,
    clock: Clock,
    stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let (identity, infra, ops) = (&f.identity, &f.infra, &f.ops);
    use crate::scheduler::{JobFn, Outcome};
    let periods = config.periods()?;
    let (retention, events_kept) = (periods.purge_after, periods.event_retention);
    let mut jobs: HashMap<String, JobFn> = HashMap::new();
    let (id, inf, con) = (identity.clone(), infra.clone(), f.content.clone());
    jobs.insert(
        "purge".into(),
        Arc::new(move || {
            let (id, inf, con) = (id.clone(), inf.clone(), con.clone());
            Box::pin(async move {
                let (rows, creds) = id.purge(retention).await.map_err(|e| e.to_string())?;
                let infra_rows = inf.purge(retention).await.map_err(|e| e.to_string())?
                    + con.purge(retention).await.map_err(|e| e.to_string())?;
                let message = format!("purged {} deleted rows and {creds} dead credentials", rows + infra_rows);
                Ok(Outcome::counted(rows + infra_rows + creds, message))
            })
        }),
    );
    let (id, oidc, dir) = (identity.clone(), f.oidc.clone(), f.directory.clone());
    jobs.insert(
        "token_cleanup".into(),
        Arc::new(move || {
            let (id, oidc, dir) = (id.clone(), oidc.clone(), dir.clone());
            Box::pin(async move {
                let n = id.cleanup_tokens().await.map_err(|e| e.to_string())?;
                let grants = oidc.cleanup().await.map_err(|e| e.to_string())?;
                let links = dir.purge_signup_links().await.map_err(|e| e.to_string())?;
                let message = format!(
                    "removed {n} expired or revoked credentials, {grants} authorization codes and refresh tokens \
                     and {links} expired sign-up links"
                );
                Ok(Outcome::counted(n + grants + links, message))
            })
        }),
    );
    let o = ops.clone();
    jobs.insert(
        "event_retention".into(),
        Arc::new(move || {
            let o = o.clone();
            Box::pin(async move {
                let n = o.purge_events(events_kept).await.map_err(|e| e.to_string())?;
                Ok(Outcome::counted(n, format!("removed {n} events past retention")))
            })
        }),
    );
    let backup_dir = config.backup_dir.clone().unwrap_or_else(|| config.data_dir.join("backups"));
    jobs.insert("backup".into(), crate::scheduler::backup_job(db.clone(), backup_dir, config.backup_keep));
    let oidc = f.oidc.clone();
    jobs.insert(
        "signing_keys".into(),
        Arc::new(move || {
            let oidc = oidc.clone();
            Box::pin(async move {
                let rotated = oidc.rotate_keys_if_due().await.map_err(|e| e.to_string())?;
                Ok(if rotated {
                    Outcome::done("rotated the ID-token signing key")
                } else {
                    Outcome::idle("signing key is current")
                })
            })
        }),
    );
    let (dir, gw) = (f.directory.clone(), f.gateway.clone());
    jobs.insert(
        "provisioning".into(),
        Arc::new(move || {
            let (dir, gw) = (dir.clone(), gw.clone());
            Box::pin(async move {
                let n = dir.advance_provisioning().await.map_err(|e| e.to_string())?;
                let planes = gw.advance_control_planes().await.map_err(|e| e.to_string())?;
                let message =
                    format!("{n} organizations and projects provisioned or deleted, {planes} control planes moved on");
                Ok(Outcome::counted(n + planes, message))
            })
        }),
    );
    let gw = f.gateway.clone();
    jobs.insert(
        "certificate_expiry".into(),
        Arc::new(move || {
            let gw = gw.clone();
            Box::pin(async move {
                let n = gw.warn_expiring_certificates().await.map_err(|e| e.to_string())?;
                Ok(Outcome::counted(n, format!("{n} certificates expiring within 30 days")))
            })
        }),
    );
    let (id, resolver) = (identity.clone(), crate::dns::resolver(config.dns_resolver.as_deref()));
    jobs.insert(
        "domain_check".into(),
        Arc::new(move || {
            let id = id.clone();
            Box::pin(async move {
                let Some(resolver) = resolver else {
                    return Ok(Outcome::idle(
                        "no DNS resolver known: domain claims wait for a provider admin's approval",
                    ));
                };
                let due = id.due_domain_claims(100).await.map_err(|e| e.to_string())?;
                let mut proved = 0;
                for claim in &due {
                    let name = meshcloud_identity::service::domains::record_name(&claim.domain);
                    let found = crate::dns::txt(resolver, &name, Duration::from_secs(3)).await;
                    proved += usize::from(id.settle_domain_check(claim, found).await.map_err(|e| e.to_string())?);
                }
                Ok(Outcome::counted(due.len(), format!("checked {} pending domain claims, {proved} proved", due.len())))
            })
        }),
    );
    let billing = f.billing.clone();
    jobs.insert(
        "billing".into(),
        Arc::new(move || {
            let billing = billing.clone();
            Box::pin(async move {
                let n = billing.run_billing().await.map_err(|e| e.to_string())?;
                Ok(Outcome::counted(n, format!("{n} subscriptions expired, renewed, ended or dunned")))
            })
        }),
    );
    if let Some(mailer) = f.mailer.clone() {
        jobs.insert(
            "mail".into(),
            Arc::new(move || {
                let mailer = mailer.clone();
                Box::pin(async move { mailer.deliver().await })
            }),
        );
    }
    let schedules = vec![
        ("purge".to_string(), config.purge_schedule.clone()),
        ("token_cleanup".to_string(), config.token_cleanup_schedule.clone()),
        ("event_retention".to_string(), config.event_retention_schedule.clone()),
        ("backup".to_string(), config.backup_schedule.clone()),
        ("signing_keys".to_string(), config.signing_key_schedule.clone()),
        ("provisioning".to_string(), config.provisioning_schedule.clone()),
        ("domain_check".to_string(), config.domain_check_schedule.clone()),
        ("billing".to_string(), config.billing_schedule.clone()),
        ("certificate_expiry".to_string(), config.certificate_expiry_schedule.clone()),
        // Without a mail server nothing is ever queued: no job to run.
        ("mail".to_string(), if f.mailer.is_some() { config.mail_schedule.clone() } else { String::new() }),
    ];
    ops.register_system_jobs(schedules).await.map_err(|e| e.to_string())?;
    Ok(crate::scheduler::spawn(ops.clone(), jobs, clock, stop))
}

/// Serves on `listener` until `shutdown` resolves; then finishes in-flight
/// requests, stops the jobs and closes the store.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), String> {
    App::start(listener, config, Clock::Real).await?.serve(shutdown).await
}

/// A started server: the data dir locked, the store open and migrated, the
/// first admin in place and the jobs running on `clock`; requests are served
/// once [`App::serve`] is called.
pub struct App {
    config: Config,
    listener: TcpListener,
    local: std::net::SocketAddr,
    db: Db,
    families: Families,
    stop_jobs: watch::Sender<bool>,
    runner: tokio::task::JoinHandle<()>,
    /// Created on this start: shown in the banner once serving.
    first_admin: Option<FirstAdmin>,
    _lock: std::fs::File,
}

impl App {
    pub async fn start(listener: TcpListener, config: Config, clock: Clock) -> Result<App, String> {
        // Refused here too, not only by `Config::load`: a configuration built in
        // code must not start with a limit that wraps or is zero.
        config.validate()?;
        let periods = config.periods()?;
        ensure_data_dir(&config.data_dir)?;
        let lock = lock_data_dir(&config.data_dir)?;
        let db = open_db(&config, true).await?;
        if let Some(path) = &config.plans_file {
            let loaded = meshcloud_billing::service::plans_file::load_file(&db, path).await?;
            info!(plans = loaded.len(), file = %path.display(), "plans loaded");
        }
        let identity = identity(db.clone(), &config)?;
        let bootstrap = identity.bootstrap(&config.admin_email, config.admin_password.clone()).await;
        let first_admin = match bootstrap.map_err(|e| e.to_string())? {
            Bootstrap::AlreadyInitialised => None,
            Bootstrap::Created { email, generated_password } => {
                info!(%email, "created the first admin and the default organization");
                Some(FirstAdmin { email, generated_password })
            }
        };

        identity.restore_signin_throttle().await.map_err(|e| format!("sign-in throttle: {e}"))?;
        let key = master_key(&config, &db, &identity).await?;
        let infra = Infra::new(db.clone(), identity.clone(), Sealer::new(&key));

        let ops = Ops::new(db.clone(), identity.clone());
        let content = Content::new(db.clone(), identity.clone()).with_url_import(UrlImport {
            hosts: config.url_import_hosts.clone(),
            timeout: std::time::Duration::from_secs(config.url_import_timeout_secs),
            max_bytes: meshcloud_content::service::import::MAX_IMPORT_BYTES,
        });
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let public_url = issuer(&config, local);
        let mailer = match &config.smtp_url {
            Some(url) => {
                let from = config.mail_from.clone().unwrap_or_else(|| crate::mail::default_from(&public_url));
                Some(crate::mail::Mailer::new(db.clone(), Sealer::new(&key), url, &from)?)
            }
            None => None,
        };
        let signup =
            mailer.as_ref().map(|_| SignupSettings { public_url: public_url.clone(), link_ttl: periods.signup_link });
        let directory = Directory::new(
            db.clone(),
            identity.clone(),
            Sealer::new(&key),
            DirectorySettings { service_account_ttl: periods.service_account, signup },
        );
        let oidc = Oidc::new(
            db.clone(),
            identity.clone(),
            Sealer::new(&key),
            OidcSettings {
                issuer: public_url.clone(),
                refresh_token_ttl: periods.refresh_token,
                key_rotation: periods.signing_key_rotation,
                ..OidcSettings::default()
            },
        )?;
        oidc.load_keys().await.map_err(|e| format!("signing keys: {e}"))?;
        let billing = Billing::new(db.clone(), identity.clone(), billing_settings(&config)).with_clock({
            let clock = clock.clone();
            Arc::new(move || clock.now())
        });
        let gateway = Gateway::new(
            db.clone(),
            identity.clone(),
            billing.clone(),
            Sealer::new(&key),
            GatewaySettings { public_url },
        )
        .with_clock({
            let clock = clock.clone();
            Arc::new(move || clock.now())
        });
        install_entitlements();
        let metrics_token = config.metrics_token.clone();
        let families =
            Families { identity, infra, ops, content, directory, oidc, billing, gateway, mailer, metrics_token };
        let (stop_jobs, jobs_stopped) = watch::channel(false);
        let runner = start_jobs(&config, &db, &families, clock, jobs_stopped).await?;
        Ok(App { config, listener, local, db, families, stop_jobs, runner, first_admin, _lock: lock })
    }

    /// The identity family over this server's own store: what the CLI's
    /// `user create` and `token create` call, for in-process callers.
    pub fn identity(&self) -> &Identity {
        &self.families.identity
    }

    /// Serves until `shutdown` resolves; then finishes in-flight requests,
    /// stops the jobs and closes the store.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), String> {
        let App { config, listener, local, db, families, stop_jobs, runner, first_admin, _lock } = self;
        let periods = config.periods()?;
        let metrics = Arc::new(Metrics::default());
        let api = api_service(&families, &metrics);
        let source = Arc::new(api_service(&families, &metrics));
        let spec = {
            let source = source.clone();
            Lazy::new(move || source.spec_endpoint().map_to_response().boxed())
        };
        let docs = Lazy::new(move || source.swagger_ui().map_to_response().boxed());
        let app = Route::new()
            .at("/openapi.json", spec)
            .nest("/docs", docs)
            .nest("/", api)
            .with(CookieJarManager::new())
            .data(families.identity.clone())
            .data(families.oidc.clone());
        let app = Arc::new(app);
        let edge = {
            let metrics = metrics.clone();
            poem::endpoint::make(move |req| crate::edge::handle(app.clone(), metrics.clone(), req))
        };

        let limits = Limits {
            header_read_timeout: periods.header_read_timeout,
            keep_alive_timeout: periods.keep_alive_timeout,
            body_read_timeout: periods.body_read_timeout,
            write_timeout: periods.write_timeout,
            max_connections: crate::connections::effective_cap(config.max_connections),
            drain: DRAIN,
        };
        info!(listen = %local, data_dir = %config.data_dir.display(), "meshcloud is serving");
        crate::banner::print(&crate::banner::open_url(&issuer(&config, local)), first_admin.as_ref(), config.json_logs);
        let served = crate::connections::serve(listener, limits, edge, shutdown).await;
        let _ = stop_jobs.send(true);
        let _ = runner.await;
        let closing = db.clone();
        let _ = tokio::task::spawn_blocking(move || closing.close()).await;
        info!("meshcloud stopped");
        served.map_err(|e| e.to_string())
    }
}

/// Installs the SIGINT (Ctrl-C) and SIGTERM (containers, systemd) handlers
/// now, and resolves on either. Installed before start-up, so that a stop
/// requested while the server starts, or right after its first answer, is a
/// graceful stop rather than the signal's default: ending the process at once.
/// Needs a Tokio runtime.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send> {
    #[cfg(unix)]
    let stopped = {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut term, mut int) = (signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?);
        async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
    };
    #[cfg(not(unix))]
    let stopped = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(async move {
        stopped.await;
        info!("shutdown requested; finishing in-flight requests");
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_issuer_is_an_address_clients_can_reach() {
        let c = Config::default();
        let at = |a: &str| issuer(&c, a.parse().expect("addr"));
        assert_eq!(at("0.0.0.0:9876"), "http://127.0.0.1:9876");
        assert_eq!(at("[::]:9876"), "http://[::1]:9876");
        assert_eq!(at("10.1.2.3:80"), "http://10.1.2.3:80");
        let public = Config { public_url: Some("https://cloud.example.com".into()), ..Config::default() };
        assert_eq!(issuer(&public, "0.0.0.0:1".parse().expect("addr")), "https://cloud.example.com");
    }
}
