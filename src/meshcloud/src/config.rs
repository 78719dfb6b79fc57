//! Configuration: defaults < TOML file < `MESHCLOUD_*` environment < flags.
//! Secrets may come from `MESHCLOUD_<KEY>_FILE`. The annotated reference is
//! `packaging/meshcloud.example.toml` (also `meshcloud config example`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub const EXAMPLE: &str = include_str!("../../../packaging/meshcloud.example.toml");

/// The keys a file may set; every one of them is optional there.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    pub allow_user_org_creation: Option<bool>,
    pub session_ttl_hours: Option<u64>,
    pub db_readers: Option<usize>,
    pub purge_after_days: Option<u64>,
    pub purge_schedule: Option<String>,
    pub trust_forwarded_for: Option<bool>,
    pub token_cleanup_schedule: Option<String>,
    pub event_retention_days: Option<u64>,
    pub event_retention_schedule: Option<String>,
    pub backup_schedule: Option<String>,
    pub backup_keep: Option<usize>,
    pub backup_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub refresh_token_days: Option<u64>,
    pub signing_key_rotation_days: Option<u64>,
    pub service_account_days: Option<u64>,
    pub provisioning_schedule: Option<String>,
    pub signing_key_schedule: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub signup_link_hours: Option<u64>,
    pub mail_schedule: Option<String>,
    pub header_read_timeout_secs: Option<u64>,
    pub keep_alive_timeout_secs: Option<u64>,
    pub body_read_timeout_secs: Option<u64>,
    pub write_timeout_secs: Option<u64>,
    pub max_connections: Option<usize>,
    pub metrics_token: Option<String>,
    pub dns_resolver: Option<String>,
    pub domain_check_schedule: Option<String>,
    pub max_pending_signups: Option<usize>,
}

#[derive(Clone)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub log: String,
    pub json_logs: bool,
    pub admin_email: String,
    pub admin_password: Option<String>,
    pub allow_user_org_creation: bool,
    pub session_ttl_hours: u64,
    pub db_readers: usize,
    pub purge_after_days: u64,
    pub purge_schedule: String,
    pub trust_forwarded_for: bool,
    /// The key that seals secrets at rest (`MESHCLOUD_MASTER_KEY(_FILE)`);
    /// `None`: a key file in the data dir, created on first start.
    pub master_key: Option<String>,
    /// Cron of the job that removes expired and revoked credentials.
    pub token_cleanup_schedule: String,
    /// Events older than this are removed by the event retention job.
    pub event_retention_days: u64,
    pub event_retention_schedule: String,
    /// Cron of the online backup job (empty: off), how many copies it keeps, and where.
    pub backup_schedule: String,
    pub backup_keep: usize,
    /// `None`: `DATA_DIR/backups`.
    pub backup_dir: Option<PathBuf>,
    /// The URL clients reach this server at: the OIDC issuer. `None`:
    /// `http://<listen address>`.
    pub public_url: Option<String>,
    pub refresh_token_days: u64,
    /// ID-token signing keys older than this are replaced.
    pub signing_key_rotation_days: u64,
    /// Lifetime of a service account's token.
    pub service_account_days: u64,
    /// Cron of the job that finishes asynchronous provisioning (organizations, projects).
    pub provisioning_schedule: String,
    /// Cron of the job that rotates ID-token signing keys when due.
    pub signing_key_schedule: String,
    /// The mail server (`smtp://`, `smtps://`, credentials in the URL);
    /// `None`: no mail is sent and pending users wait for an admin.
    pub smtp_url: Option<String>,
    /// The sender of meshcloud's mail. `None`: `meshcloud@<public host>`.
    pub mail_from: Option<String>,
    /// How long a sign-up link (Identity `GET /api/v1/signup`) stays valid.
    pub signup_link_hours: u64,
    /// Cron of the job that delivers queued mail.
    pub mail_schedule: String,
    /// A connection must deliver a request's headers within this many seconds
    /// of being accepted (or of the request's first byte), else it is closed.
    pub header_read_timeout_secs: u64,
    /// A keep-alive connection with no new request for this long is closed.
    pub keep_alive_timeout_secs: u64,
    /// A request body that delivers nothing for this long fails, and its
    /// connection is closed.
    pub body_read_timeout_secs: u64,
    /// A connection whose peer accepts no response bytes for this long is closed.
    pub write_timeout_secs: u64,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// The bearer token `/metrics` asks for. `None`: only this host reads it.
    pub metrics_token: Option<String>,
    /// The DNS server (`ip:port`) asked for domain-claim TXT records.
    /// `None`: the first `nameserver` of `/etc/resolv.conf`.
    pub dns_resolver: Option<String>,
    /// Cron of the job that checks pending domain claims in DNS.
    pub domain_check_schedule: String,
    /// Pending sign-up requests kept at most; further ones get 429.
    pub max_pending_signups: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:9876".into(),
            data_dir: PathBuf::from("./meshcloud-data"),
            log: "info".into(),
            json_logs: false,
            admin_email: "admin@meshcloud.local".into(),
            admin_password: None,
            allow_user_org_creation: true,
            session_ttl_hours: 12,
            db_readers: 4,
            purge_after_days: 30,
            purge_schedule: "0 30 3 * * *".into(),
            trust_forwarded_for: false,
            master_key: None,
            token_cleanup_schedule: "0 15 * * * *".into(),
            event_retention_days: 90,
            event_retention_schedule: "0 45 3 * * *".into(),
            backup_schedule: String::new(),
            backup_keep: 7,
            backup_dir: None,
            public_url: None,
            refresh_token_days: 30,
            signing_key_rotation_days: 90,
            service_account_days: 90,
            provisioning_schedule: "*/2 * * * * *".into(),
            signing_key_schedule: "0 5 * * * *".into(),
            smtp_url: None,
            mail_from: None,
            signup_link_hours: 72,
            mail_schedule: "*/10 * * * * *".into(),
            // Real clients send their headers in milliseconds; 10 s leaves room
            // for slow links while a stalled client holds its slot briefly.
            header_read_timeout_secs: 10,
            // Longer than the 60 s idle timeout of common proxies and load
            // balancers (nginx upstream keep-alive, AWS ALB), so they, not
            // meshcloud, close pooled connections: no request races a close.
            keep_alive_timeout_secs: 75,
            // Counted from the last piece of a request body: request bodies
            // are small JSON documents, so a 30 s pause is a stalled client.
            body_read_timeout_secs: 30,
            // Counted from the last bytes the peer accepted (nginx's
            // send_timeout); a client that stops reading holds its slot this long.
            write_timeout_secs: 60,
            // Hundreds of browsers (a few connections each) and pooled API
            // clients fit, and so does the descriptor each one costs: half of
            // the 1024 open files most systems allow a process by default,
            // the other half left to the store, backups and outgoing calls.
            max_connections: 512,
            metrics_token: None,
            dns_resolver: None,
            domain_check_schedule: "0 */5 * * * *".into(),
            max_pending_signups: 1000,
        }
    }
}

/// Secrets never reach logs, not even through `{:?}`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("log", &self.log)
            .field("json_logs", &self.json_logs)
            .field("admin_email", &self.admin_email)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "<redacted>"))
            .field("allow_user_org_creation", &self.allow_user_org_creation)
            .field("session_ttl_hours", &self.session_ttl_hours)
            .field("db_readers", &self.db_readers)
            .field("purge_after_days", &self.purge_after_days)
            .field("purge_schedule", &self.purge_schedule)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("master_key", &self.master_key.as_ref().map(|_| "<redacted>"))
            .field("token_cleanup_schedule", &self.token_cleanup_schedule)
            .field("event_retention_days", &self.event_retention_days)
            .field("event_retention_schedule", &self.event_retention_schedule)
            .field("backup_schedule", &self.backup_schedule)
            .field("backup_keep", &self.backup_keep)
            .field("backup_dir", &self.backup_dir)
            .field("public_url", &self.public_url)
            .field("refresh_token_days", &self.refresh_token_days)
            .field("signing_key_rotation_days", &self.signing_key_rotation_days)
            .field("service_account_days", &self.service_account_days)
            .field("provisioning_schedule", &self.provisioning_schedule)
            .field("signing_key_schedule", &self.signing_key_schedule)
            .field("smtp_url", &self.smtp_url.as_ref().map(|u| redact_url(u)))
            .field("mail_from", &self.mail_from)
            .field("signup_link_hours", &self.signup_link_hours)
            .field("mail_schedule", &self.mail_schedule)
            .field("header_read_timeout_secs", &self.header_read_timeout_secs)
            .field("keep_alive_timeout_secs", &self.keep_alive_timeout_secs)
            .field("body_read_timeout_secs", &self.body_read_timeout_secs)
            .field("write_timeout_secs", &self.write_timeout_secs)
            .field("max_connections", &self.max_connections)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<redacted>"))
            .field("dns_resolver", &self.dns_resolver)
            .field("domain_check_schedule", &self.domain_check_schedule)
            .field("max_pending_signups", &self.max_pending_signups)
            .finish()
    }
}

/// Values given on the command line (the highest layer).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
}

/// The environment variables meshcloud reads (besides `*_FILE` twins).
const ENV_KEYS: &[&str] = &[
    "MESHCLOUD_CONFIG",
    "MESHCLOUD_LISTEN",
    "MESHCLOUD_DATA_DIR",
    "MESHCLOUD_LOG",
    "MESHCLOUD_LOG_FORMAT",
    "MESHCLOUD_ADMIN_EMAIL",
    "MESHCLOUD_ADMIN_PASSWORD",
    "MESHCLOUD_ALLOW_USER_ORG_CREATION",
    "MESHCLOUD_SESSION_TTL_HOURS",
    "MESHCLOUD_DB_READERS",
    "MESHCLOUD_PURGE_AFTER_DAYS",
    "MESHCLOUD_PURGE_SCHEDULE",
    "MESHCLOUD_TRUST_FORWARDED_FOR",
    "MESHCLOUD_MASTER_KEY",
    "MESHCLOUD_TOKEN_CLEANUP_SCHEDULE",
    "MESHCLOUD_EVENT_RETENTION_DAYS",
    "MESHCLOUD_EVENT_RETENTION_SCHEDULE",
    "MESHCLOUD_BACKUP_SCHEDULE",
    "MESHCLOUD_BACKUP_KEEP",
    "MESHCLOUD_BACKUP_DIR",
    "MESHCLOUD_PUBLIC_URL",
    "MESHCLOUD_REFRESH_TOKEN_DAYS",
    "MESHCLOUD_SIGNING_KEY_ROTATION_DAYS",
    "MESHCLOUD_SERVICE_ACCOUNT_DAYS",
    "MESHCLOUD_PROVISIONING_SCHEDULE",
    "MESHCLOUD_SIGNING_KEY_SCHEDULE",
    "MESHCLOUD_SMTP_URL",
    "MESHCLOUD_MAIL_FROM",
    "MESHCLOUD_SIGNUP_LINK_HOURS",
    "MESHCLOUD_MAIL_SCHEDULE",
    "MESHCLOUD_HEADER_READ_TIMEOUT_SECS",
    "MESHCLOUD_KEEP_ALIVE_TIMEOUT_SECS",
    "MESHCLOUD_BODY_READ_TIMEOUT_SECS",
    "MESHCLOUD_WRITE_TIMEOUT_SECS",
    "MESHCLOUD_MAX_CONNECTIONS",
    "MESHCLOUD_METRICS_TOKEN",
    "MESHCLOUD_DNS_RESOLVER",
    "MESHCLOUD_DOMAIN_CHECK_SCHEDULE",
    "MESHCLOUD_MAX_PENDING_SIGNUPS",
];

impl Config {
    /// Builds the effective configuration; returns it with warnings to log
    /// once logging is up (unknown variables).
    pub fn load(flags: &Flags, env: &BTreeMap<String, String>) -> Result<(Config, Vec<String>), String> {
        let warnings = unknown_env(env);
        let file = Config::file(flags, env).map_or_else(|| Ok(FileConfig::default()), |p| read_file(&p))?;
        let mut c = Config::default();
        c.apply_file(file)?;
        c.apply_env(env)?;
        if let Some(l) = &flags.listen {
            c.listen = l.clone();
        }
        if let Some(d) = &flags.data_dir {
            c.data_dir = d.clone();
        }
        c.validate()?;
        Ok((c, warnings))
    }

    /// The configuration file `load` reads: `--config`, else
    /// `MESHCLOUD_CONFIG`, else `./meshcloud.toml` when there is one.
    pub fn file(flags: &Flags, env: &BTreeMap<String, String>) -> Option<PathBuf> {
        flags.config.clone().or_else(|| env.get("MESHCLOUD_CONFIG").map(PathBuf::from)).or_else(|| {
            let local = PathBuf::from("meshcloud.toml");
            local.exists().then_some(local)
        })
    }

    fn apply_file(&mut self, f: FileConfig) -> Result<(), String> {
        macro_rules! set {
            ($($k:ident),*) => {$( if let Some(v) = f.$k { self.$k = v; } )*};
        }
        set!(
            listen,
            data_dir,
            log,
            admin_email,
            allow_user_org_creation,
            session_ttl_hours,
            db_readers,
            purge_after_days,
            purge_schedule,
            token_cleanup_schedule,
            event_retention_days,
            event_retention_schedule,
            backup_schedule,
            backup_keep,
            refresh_token_days,
            signing_key_rotation_days,
            service_account_days,
            provisioning_schedule,
            signing_key_schedule,
            signup_link_hours,
            mail_schedule,
            header_read_timeout_secs,
            keep_alive_timeout_secs,
            body_read_timeout_secs,
            write_timeout_secs,
            max_connections,
            domain_check_schedule,
            max_pending_signups
        );
        if let Some(t) = f.metrics_token {
            self.metrics_token = Some(t);
        }
        if let Some(r) = f.dns_resolver {
            self.dns_resolver = Some(r);
        }
        if let Some(u) = f.smtp_url {
            self.smtp_url = Some(u);
        }
        if let Some(m) = f.mail_from {
            self.mail_from = Some(m);
        }
        if let Some(u) = f.public_url {
            self.public_url = Some(u);
        }
        if let Some(d) = f.backup_dir {
            self.backup_dir = Some(d);
        }
        if let Some(p) = f.admin_password {
            self.admin_password = Some(p);
        }
        if let Some(fmt) = f.log_format {
            self.json_logs = parse_format(&fmt)?;
        }
        Ok(())
    }

    fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<(), String> {
        let get = |k: &str| -> Result<Option<String>, String> { secret_or_value(env, k) };
        if let Some(v) = get("MESHCLOUD_LISTEN")? {
            self.listen = v;
        }
        if let Some(v) = get("MESHCLOUD_DATA_DIR")? {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("MESHCLOUD_LOG")? {
            self.log = v;
        }
        if let Some(v) = get("MESHCLOUD_LOG_FORMAT")? {
            self.json_logs = parse_format(&v)?;
        }
        if let Some(v) = get("MESHCLOUD_ADMIN_EMAIL")? {
            self.admin_email = v;
        }
        if let Some(v) = get("MESHCLOUD_ADMIN_PASSWORD")? {
            self.admin_password = Some(v);
        }
        parsed(env, "MESHCLOUD_ALLOW_USER_ORG_CREATION", &mut self.allow_user_org_creation)?;
        parsed(env, "MESHCLOUD_SESSION_TTL_HOURS", &mut self.session_ttl_hours)?;
        parsed(env, "MESHCLOUD_DB_READERS", &mut self.db_readers)?;
        parsed(env, "MESHCLOUD_PURGE_AFTER_DAYS", &mut self.purge_after_days)?;
        if let Some(v) = get("MESHCLOUD_PURGE_SCHEDULE")? {
            self.purge_schedule = v;
        }
        parsed(env, "MESHCLOUD_TRUST_FORWARDED_FOR", &mut self.trust_forwarded_for)?;
        if let Some(v) = get("MESHCLOUD_MASTER_KEY")? {
            self.master_key = Some(v);
        }
        if let Some(v) = get("MESHCLOUD_TOKEN_CLEANUP_SCHEDULE")? {
            self.token_cleanup_schedule = v;
        }
        parsed(env, "MESHCLOUD_EVENT_RETENTION_DAYS", &mut self.event_retention_days)?;
        if let Some(v) = get("MESHCLOUD_EVENT_RETENTION_SCHEDULE")? {
            self.event_retention_schedule = v;
        }
        if let Some(v) = get("MESHCLOUD_BACKUP_SCHEDULE")? {
            self.backup_schedule = v;
        }
        parsed(env, "MESHCLOUD_BACKUP_KEEP", &mut self.backup_keep)?;
        if let Some(v) = get("MESHCLOUD_BACKUP_DIR")? {
            self.backup_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = get("MESHCLOUD_PUBLIC_URL")? {
            self.public_url = Some(v);
        }
        parsed(env, "MESHCLOUD_REFRESH_TOKEN_DAYS", &mut self.refresh_token_days)?;
        parsed(env, "MESHCLOUD_SIGNING_KEY_ROTATION_DAYS", &mut self.signing_key_rotation_days)?;
        parsed(env, "MESHCLOUD_SERVICE_ACCOUNT_DAYS", &mut self.service_account_days)?;
        if let Some(v) = get("MESHCLOUD_PROVISIONING_SCHEDULE")? {
            self.provisioning_schedule = v;
        }
        if let Some(v) = get("MESHCLOUD_SIGNING_KEY_SCHEDULE")? {
            self.signing_key_schedule = v;
        }
        if let Some(v) = get("MESHCLOUD_SMTP_URL")? {
            self.smtp_url = Some(v);
        }
        if let Some(v) = get("MESHCLOUD_MAIL_FROM")? {
            self.mail_from = Some(v);
        }
        parsed(env, "MESHCLOUD_SIGNUP_LINK_HOURS", &mut self.signup_link_hours)?;
        if let Some(v) = get("MESHCLOUD_MAIL_SCHEDULE")? {
            self.mail_schedule = v;
        }
        parsed(env, "MESHCLOUD_HEADER_READ_TIMEOUT_SECS", &mut self.header_read_timeout_secs)?;
        parsed(env, "MESHCLOUD_KEEP_ALIVE_TIMEOUT_SECS", &mut self.keep_alive_timeout_secs)?;
        parsed(env, "MESHCLOUD_BODY_READ_TIMEOUT_SECS", &mut self.body_read_timeout_secs)?;
        parsed(env, "MESHCLOUD_WRITE_TIMEOUT_SECS", &mut self.write_timeout_secs)?;
        parsed(env, "MESHCLOUD_MAX_CONNECTIONS", &mut self.max_connections)?;
        if let Some(v) = get("MESHCLOUD_METRICS_TOKEN")? {
            self.metrics_token = Some(v);
        }
        if let Some(v) = get("MESHCLOUD_DNS_RESOLVER")? {
            self.dns_resolver = Some(v);
        }
        if let Some(v) = get("MESHCLOUD_DOMAIN_CHECK_SCHEDULE")? {
            self.domain_check_schedule = v;
        }
        parsed(env, "MESHCLOUD_MAX_PENDING_SIGNUPS", &mut self.max_pending_signups)?;
        Ok(())
    }

    /// Refuses values the server cannot run with, naming the key and its
    /// allowed range. `load` calls it, and so does the server before it starts.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value, min, max) in self.bounded() {
            if !(min..=max).contains(&value) {
                return Err(format!("{key} must be between {min} and {max}, not {value}"));
            }
        }
        if let Some(k) = &self.master_key {
            meshcloud_kernel::secrets::parse_key(k).map_err(|e| format!("MESHCLOUD_MASTER_KEY: {e}"))?;
        }
        for (key, expr) in [
            ("purge_schedule", &self.purge_schedule),
            ("token_cleanup_schedule", &self.token_cleanup_schedule),
            ("event_retention_schedule", &self.event_retention_schedule),
            ("backup_schedule", &self.backup_schedule),
            ("provisioning_schedule", &self.provisioning_schedule),
            ("signing_key_schedule", &self.signing_key_schedule),
            ("mail_schedule", &self.mail_schedule),
            ("domain_check_schedule", &self.domain_check_schedule),
        ] {
            if !expr.trim().is_empty() {
                meshcloud_kernel::cron::Cron::parse(expr).map_err(|e| format!("{key}: {e}"))?;
            }
        }
        crate::mail::check_settings(self.smtp_url.as_deref(), self.mail_from.as_deref())?;
        if self.metrics_token.as_deref().is_some_and(|t| t.trim().len() < 16) {
            return Err("metrics_token must be at least 16 characters".into());
        }
        if let Some(r) = &self.dns_resolver {
            r.parse::<std::net::SocketAddr>().map_err(|_| format!("dns_resolver must be ip:port, not {r:?}"))?;
        }
        if let Some(u) = &self.public_url {
            // Parsed too: the issuer's path prefix and the default mail sender
            // are taken from it, and must not quietly fall back to defaults.
            let parses = url::Url::parse(u).is_ok_and(|p| p.host_str().is_some());
            let ok = (u.starts_with("http://") || u.starts_with("https://")) && !u.ends_with('/') && parses;
            if !ok {
                return Err("public_url must be an http(s) URL without a trailing slash".into());
            }
        }
        // An unusable filter would otherwise be replaced by "info" unnoticed.
        tracing_subscriber::EnvFilter::try_new(&self.log).map_err(|e| format!("log: {e}"))?;
        Ok(())
    }

    /// Every numeric key with its allowed range. The longest periods (100
    /// years) stay far inside what timestamps can hold, so no expiry or
    /// cutoff computed from them can overflow.
    fn bounded(&self) -> [(&'static str, u64, u64, u64); 15] {
        // A usize too large for u64 is out of every range below.
        let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        [
            ("db_readers", n(self.db_readers), 1, 64),
            ("session_ttl_hours", self.session_ttl_hours, 1, 24 * 90),
            ("backup_keep", n(self.backup_keep), 1, 1000),
            ("event_retention_days", self.event_retention_days, 1, 36_500),
            ("purge_after_days", self.purge_after_days, 1, 36_500),
            ("refresh_token_days", self.refresh_token_days, 1, 3650),
            ("signing_key_rotation_days", self.signing_key_rotation_days, 1, 3650),
            ("service_account_days", self.service_account_days, 1, 3650),
            ("signup_link_hours", self.signup_link_hours, 1, 24 * 30),
            ("header_read_timeout_secs", self.header_read_timeout_secs, 1, 300),
            ("keep_alive_timeout_secs", self.keep_alive_timeout_secs, 1, 3600),
            ("body_read_timeout_secs", self.body_read_timeout_secs, 1, 3600),
            ("write_timeout_secs", self.write_timeout_secs, 1, 3600),
            ("max_connections", n(self.max_connections), 1, 100_000),
            ("max_pending_signups", n(self.max_pending_signups), 1, 1_000_000),
        ]
    }

    /// The configured periods as durations, each checked to fit both the
    /// clock and a timestamp offset: an expiry or a purge cutoff is never
    /// computed from a value that wrapped or was replaced by zero.
    pub fn periods(&self) -> Result<Periods, String> {
        const HOUR: u64 = 3600;
        const DAY: u64 = 24 * HOUR;
        Ok(Periods {
            session_ttl: period("session_ttl_hours", self.session_ttl_hours, HOUR)?,
            purge_after: period("purge_after_days", self.purge_after_days, DAY)?,
            event_retention: period("event_retention_days", self.event_retention_days, DAY)?,
            refresh_token: period("refresh_token_days", self.refresh_token_days, DAY)?,
            signing_key_rotation: period("signing_key_rotation_days", self.signing_key_rotation_days, DAY)?,
            service_account: period("service_account_days", self.service_account_days, DAY)?,
            signup_link: period("signup_link_hours", self.signup_link_hours, HOUR)?,
            header_read_timeout: period("header_read_timeout_secs", self.header_read_timeout_secs, 1)?,
            keep_alive_timeout: period("keep_alive_timeout_secs", self.keep_alive_timeout_secs, 1)?,
            body_read_timeout: period("body_read_timeout_secs", self.body_read_timeout_secs, 1)?,
            write_timeout: period("write_timeout_secs", self.write_timeout_secs, 1)?,
        })
    }
}

/// The configured periods, from `Config::periods`.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub session_ttl: Duration,
    pub purge_after: Duration,
    pub event_retention: Duration,
    pub refresh_token: Duration,
    pub signing_key_rotation: Duration,
    pub service_account: Duration,
    pub signup_link: Duration,
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub body_read_timeout: Duration,
    pub write_timeout: Duration,
}

/// `count` periods of `unit_secs` seconds, or an error naming `key` when the
/// product cannot be represented (never a wrapped or zero duration).
fn period(key: &str, count: u64, unit_secs: u64) -> Result<Duration, String> {
    let d = count.checked_mul(unit_secs).map(Duration::from_secs);
    match d.filter(|d| chrono::Duration::from_std(*d).is_ok()) {
        Some(d) if count > 0 => Ok(d),
        _ => Err(format!("{key} is out of range: {count}")),
    }
}

/// A URL with its password (if any) replaced, for logs.
fn redact_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("redacted"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable>".into(),
    }
}

fn read_file(p: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
}

fn parse_format(v: &str) -> Result<bool, String> {
    match v {
        "text" => Ok(false),
        "json" => Ok(true),
        other => Err(format!("log_format must be \"text\" or \"json\", not {other:?}")),
    }
}

fn parse<T: std::str::FromStr>(v: &str, key: &str) -> Result<T, String> {
    v.trim().parse().map_err(|_| format!("{key}: cannot parse {v:?}"))
}

/// Sets `slot` from the environment variable `key` (or `key_FILE`) when present.
fn parsed<T: std::str::FromStr>(env: &BTreeMap<String, String>, key: &str, slot: &mut T) -> Result<(), String> {
    if let Some(v) = secret_or_value(env, key)? {
        *slot = parse(&v, key)?;
    }
    Ok(())
}

/// `KEY` or the contents of the file named by `KEY_FILE` (not both).
fn secret_or_value(env: &BTreeMap<String, String>, key: &str) -> Result<Option<String>, String> {
    let file_key = format!("{key}_FILE");
    match (env.get(key), env.get(&file_key)) {
        (Some(_), Some(_)) => Err(format!("set {key} or {file_key}, not both")),
        (Some(v), None) => Ok(Some(v.clone())),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map(|s| Some(s.trim_end_matches(['\n', '\r']).to_string()))
            .map_err(|e| format!("{file_key}: cannot read {path}: {e}")),
        (None, None) => Ok(None),
    }
}

fn unknown_env(env: &BTreeMap<String, String>) -> Vec<String> {
    env.keys()
        .filter(|k| k.starts_with("MESHCLOUD_"))
        .filter(|k| {
            let base = k.strip_suffix("_FILE").unwrap_or(k);
            !ENV_KEYS.contains(&k.as_str()) && !ENV_KEYS.contains(&base)
        })
        .map(|k| format!("unknown environment variable {k} is ignored"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_reference_file_parses_and_matches_the_defaults() {
        let f: FileConfig = toml::from_str(EXAMPLE).expect("example parses");
        let mut c = Config::default();
        c.apply_file(f).expect("applies");
        let d = Config::default();
        assert_eq!(c.listen, d.listen);
        assert_eq!(c.data_dir, d.data_dir);
        assert_eq!(c.purge_schedule, d.purge_schedule);
        assert_eq!(c.header_read_timeout_secs, d.header_read_timeout_secs);
        assert_eq!(c.keep_alive_timeout_secs, d.keep_alive_timeout_secs);
        assert_eq!(c.body_read_timeout_secs, d.body_read_timeout_secs);
        assert_eq!(c.write_timeout_secs, d.write_timeout_secs);
        assert_eq!(c.max_connections, d.max_connections);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = std::env::temp_dir().join(format!("meshcloud-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let file = dir.join("c.toml");
        std::fs::write(&file, "listen = \"1.1.1.1:1\"\nsession_ttl_hours = 5\ndb_readers = 2\n").expect("write");
        let flags = Flags { config: Some(file), listen: Some("2.2.2.2:2".into()), data_dir: None };
        let (c, warnings) =
            Config::load(&flags, &env(&[("MESHCLOUD_SESSION_TTL_HOURS", "7"), ("MESHCLOUD_LISTN", "x")]))
                .expect("loads");
        assert_eq!(c.listen, "2.2.2.2:2", "flag beats file");
        assert_eq!(c.session_ttl_hours, 7, "env beats file");
        assert_eq!(c.db_readers, 2, "file beats default");
        assert!(warnings.iter().any(|w| w.contains("MESHCLOUD_LISTN")));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn secrets_from_files_and_bad_values() {
        let path = std::env::temp_dir().join(format!("meshcloud-secret-{}", std::process::id()));
        std::fs::write(&path, "s3cret-value\n").expect("write");
        let e = env(&[("MESHCLOUD_ADMIN_PASSWORD_FILE", path.to_str().expect("utf8"))]);
        let (c, w) = Config::load(&Flags::default(), &e).expect("loads");
        assert_eq!(c.admin_password.as_deref(), Some("s3cret-value"));
        assert!(w.is_empty(), "{w:?}");
        assert!(!format!("{c:?}").contains("s3cret"));
        let _ = std::fs::remove_file(path);
        assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_DB_READERS", "lots")])).is_err());
        assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_PURGE_SCHEDULE", "never")])).is_err());
    }

    #[test]
    fn every_setting_has_a_known_variable() {
        let e = env(&[
            ("MESHCLOUD_PUBLIC_URL", "https://cloud.example.com"),
            ("MESHCLOUD_SERVICE_ACCOUNT_DAYS", "30"),
            ("MESHCLOUD_SMTP_URL", "smtps://mailer:pw-123@mail.example.com"),
            ("MESHCLOUD_MAIL_FROM", "Cloud <cloud@example.com>"),
            ("MESHCLOUD_SIGNUP_LINK_HOURS", "24"),
        ]);
        let (c, w) = Config::load(&Flags::default(), &e).expect("loads");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.service_account_days, 30);
        assert_eq!(c.signup_link_hours, 24);
        assert!(!format!("{c:?}").contains("pw-123"), "the SMTP password stays out of logs");
        assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_SMTP_URL", "ftp://x")])).is_err());
        assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_MAIL_FROM", "not an address")])).is_err());
    }
    #[test]
    fn periods_out_of_range_are_refused_with_the_key_and_range() {
        let cases = [
            ("MESHCLOUD_SESSION_TTL_HOURS", "session_ttl_hours", "1 and 2160"),
            ("MESHCLOUD_PURGE_AFTER_DAYS", "purge_after_days", "1 and 36500"),
            ("MESHCLOUD_EVENT_RETENTION_DAYS", "event_retention_days", "1 and 36500"),
            ("MESHCLOUD_REFRESH_TOKEN_DAYS", "refresh_token_days", "1 and 3650"),
            ("MESHCLOUD_SIGNING_KEY_ROTATION_DAYS", "signing_key_rotation_days", "1 and 3650"),
            ("MESHCLOUD_SERVICE_ACCOUNT_DAYS", "service_account_days", "1 and 3650"),
            ("MESHCLOUD_SIGNUP_LINK_HOURS", "signup_link_hours", "1 and 720"),
            ("MESHCLOUD_HEADER_READ_TIMEOUT_SECS", "header_read_timeout_secs", "1 and 300"),
            ("MESHCLOUD_KEEP_ALIVE_TIMEOUT_SECS", "keep_alive_timeout_secs", "1 and 3600"),
            ("MESHCLOUD_BODY_READ_TIMEOUT_SECS", "body_read_timeout_secs", "1 and 3600"),
            ("MESHCLOUD_WRITE_TIMEOUT_SECS", "write_timeout_secs", "1 and 3600"),
            ("MESHCLOUD_MAX_CONNECTIONS", "max_connections", "1 and 100000"),
        ];
        for (var, key, range) in cases {
            // u64::MAX days would wrap to a small number of seconds; 2^62
            // hours overflows the multiplication; 0 would expire at once.
            for bad in ["0", "18446744073709551615", "4611686018427387904", "36501000"] {
                let err = Config::load(&Flags::default(), &env(&[(var, bad)])).err();
                let err = err.unwrap_or_else(|| panic!("{var}={bad} was accepted"));
                assert!(err.contains(key) && err.contains(range), "{var}={bad}: {err}");
            }
            assert!(Config::load(&Flags::default(), &env(&[(var, "-1")])).is_err(), "{var}=-1");
        }
    }

    #[test]
    fn periods_never_wrap_even_without_validation() {
        let c = Config { purge_after_days: u64::MAX, ..Config::default() };
        let err = c.periods().expect_err("refused");
        assert!(err.contains("purge_after_days"), "{err}");
        let c = Config { session_ttl_hours: 0, ..Config::default() };
        assert!(c.periods().is_err(), "a zero lifetime is refused, not used");
        let p = Config::default().periods().expect("defaults");
        assert_eq!(p.session_ttl, Duration::from_secs(12 * 3600));
        assert_eq!(p.purge_after, Duration::from_secs(30 * 86_400));
        assert_eq!(p.header_read_timeout, Duration::from_secs(10));
        assert_eq!(p.body_read_timeout, Duration::from_secs(30));
        assert_eq!(p.write_timeout, Duration::from_secs(60));
    }

    #[test]
    fn connection_settings_come_from_file_and_environment() {
        let all = |c: &Config| {
            (
                c.header_read_timeout_secs,
                c.keep_alive_timeout_secs,
                c.body_read_timeout_secs,
                c.write_timeout_secs,
                c.max_connections,
            )
        };
        assert_eq!(all(&Config::default()), (10, 75, 30, 60, 512));
        let f: FileConfig = toml::from_str(
            "header_read_timeout_secs = 5\nkeep_alive_timeout_secs = 30\nbody_read_timeout_secs = 20\n\
             write_timeout_secs = 40\nmax_connections = 64\n",
        )
        .expect("parses");
        let mut c = Config::default();
        c.apply_file(f).expect("applies");
        assert_eq!(all(&c), (5, 30, 20, 40, 64));
        let e = env(&[
            ("MESHCLOUD_HEADER_READ_TIMEOUT_SECS", "3"),
            ("MESHCLOUD_KEEP_ALIVE_TIMEOUT_SECS", "120"),
            ("MESHCLOUD_BODY_READ_TIMEOUT_SECS", "15"),
            ("MESHCLOUD_WRITE_TIMEOUT_SECS", "90"),
            ("MESHCLOUD_MAX_CONNECTIONS", "256"),
        ]);
        let (c, w) = Config::load(&Flags::default(), &e).expect("loads");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(all(&c), (3, 120, 15, 90, 256));
        let p = c.periods().expect("periods");
        assert_eq!((p.body_read_timeout, p.write_timeout), (Duration::from_secs(15), Duration::from_secs(90)));
        assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_MAX_CONNECTIONS", "many")])).is_err());
        assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_WRITE_TIMEOUT_SECS", "soon")])).is_err());
    }
    #[test]
    fn a_log_filter_or_public_url_that_does_not_parse_is_refused() {
        let err = Config::load(&Flags::default(), &env(&[("MESHCLOUD_LOG", "info,meshcloud=loud")])).err();
        assert!(err.is_some_and(|e| e.starts_with("log:")));
        assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_LOG", "info,meshcloud=debug")])).is_ok());
        for bad in ["http://exa mple.com", "https://", "https://:80"] {
            assert!(Config::load(&Flags::default(), &env(&[("MESHCLOUD_PUBLIC_URL", bad)])).is_err(), "{bad}");
        }
    }
}
