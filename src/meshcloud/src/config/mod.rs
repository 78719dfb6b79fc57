//! Configuration: defaults < TOML file < `MESHCLOUD_*` environment < flags.
//! Secrets may come from `MESHCLOUD_<KEY>_FILE`. The annotated reference is
//! `packaging/meshcloud.example.toml` (also `meshcloud config example`).

mod checks;
mod layers;
#[cfg(test)]
mod tests;

pub use checks::Periods;

use checks::redact_url;
use layers::{read_file, unknown_env};

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

pub const EXAMPLE: &str = include_str!("../../../../packaging/meshcloud.example.toml");

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
    pub url_import_hosts: Option<Vec<String>>,
    pub url_import_timeout_secs: Option<u64>,
    pub billing_schedule: Option<String>,
    pub certificate_expiry_schedule: Option<String>,
    pub invoice_prefix: Option<String>,
    pub payment_terms_days: Option<u64>,
    pub incomplete_expiry_days: Option<u64>,
    pub dunning_retries: Option<u64>,
    pub dunning_interval_days: Option<u64>,
    pub stripe_secret_key: Option<String>,
    pub stripe_webhook_secret: Option<String>,
    pub plans_file: Option<PathBuf>,
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
    /// Hosts design import may fetch a `url` from (`host[:port]`, `*.domain`,
    /// `http://host` to allow plain HTTP); empty: URL import is off.
    pub url_import_hosts: Vec<String>,
    /// A URL import that has not finished fetching within this is refused.
    pub url_import_timeout_secs: u64,
    /// Cron of the billing job: period ends, trials, expiry and dunning.
    pub billing_schedule: String,
    /// Cron of the job warning (an event) of gateway certificates expiring within 30 days.
    pub certificate_expiry_schedule: String,
    /// Prefix of invoice numbers (`INV-000001`).
    pub invoice_prefix: String,
    /// Days an offline invoice is payable before it is overdue.
    pub payment_terms_days: u64,
    /// Days a new subscription waits for its first payment before it expires.
    pub incomplete_expiry_days: u64,
    /// Reminders for an overdue invoice before the subscription becomes `unpaid`.
    pub dunning_retries: u64,
    /// Days between those reminders.
    pub dunning_interval_days: u64,
    /// Stripe's API key; with the webhook secret, `stripe` subscriptions and
    /// Stripe's webhook events are accepted.
    pub stripe_secret_key: Option<String>,
    /// The signing secret (`whsec_…`) of Stripe's webhook endpoint.
    pub stripe_webhook_secret: Option<String>,
    /// Plans and features loaded at start (TOML, JSON or YAML), replacing
    /// the plans it names: for air-gapped rollouts.
    pub plans_file: Option<PathBuf>,
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
            // Where charts, manifests and designs are commonly published
            // (release downloads redirect to objects.githubusercontent.com).
            url_import_hosts: ["github.com", "raw.githubusercontent.com", "objects.githubusercontent.com"]
                .map(String::from)
                .to_vec(),
            url_import_timeout_secs: 30,
            billing_schedule: "0 * * * * *".into(),
            certificate_expiry_schedule: "0 0 * * * *".into(),
            invoice_prefix: "INV-".into(),
            payment_terms_days: 14,
            incomplete_expiry_days: 30,
            dunning_retries: 3,
            dunning_interval_days: 7,
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            plans_file: None,
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
            .field("url_import_hosts", &self.url_import_hosts)
            .field("url_import_timeout_secs", &self.url_import_timeout_secs)
            .field("billing_schedule", &self.billing_schedule)
            .field("certificate_expiry_schedule", &self.certificate_expiry_schedule)
            .field("invoice_prefix", &self.invoice_prefix)
            .field("payment_terms_days", &self.payment_terms_days)
            .field("incomplete_expiry_days", &self.incomplete_expiry_days)
            .field("dunning_retries", &self.dunning_retries)
            .field("dunning_interval_days", &self.dunning_interval_days)
            .field("stripe_secret_key", &self.stripe_secret_key.as_ref().map(|_| "<redacted>"))
            .field("stripe_webhook_secret", &self.stripe_webhook_secret.as_ref().map(|_| "<redacted>"))
            .field("plans_file", &self.plans_file)
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
}
