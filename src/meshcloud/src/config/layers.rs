//! The layers below the command line: the TOML file and the `MESHCLOUD_*`
//! environment (with `*_FILE` twins for secrets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Config, FileConfig};

/// The environment variables meshcloud reads (besides `*_FILE` twins).
pub(super) const ENV_KEYS: &[&str] = &[
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
    "MESHCLOUD_URL_IMPORT_HOSTS",
    "MESHCLOUD_URL_IMPORT_TIMEOUT_SECS",
    "MESHCLOUD_BILLING_SCHEDULE",
    "MESHCLOUD_INVOICE_PREFIX",
    "MESHCLOUD_PAYMENT_TERMS_DAYS",
    "MESHCLOUD_INCOMPLETE_EXPIRY_DAYS",
    "MESHCLOUD_DUNNING_RETRIES",
    "MESHCLOUD_DUNNING_INTERVAL_DAYS",
    "MESHCLOUD_STRIPE_SECRET_KEY",
    "MESHCLOUD_STRIPE_WEBHOOK_SECRET",
    "MESHCLOUD_PLANS_FILE",
];

impl Config {
    pub(super) fn apply_file(&mut self, f: FileConfig) -> Result<(), String> {
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
            max_pending_signups,
            url_import_hosts,
            url_import_timeout_secs,
            billing_schedule,
            certificate_expiry_schedule,
            invoice_prefix,
            payment_terms_days,
            incomplete_expiry_days,
            dunning_retries,
            dunning_interval_days
        );
        if let Some(k) = f.stripe_secret_key {
            self.stripe_secret_key = Some(k);
        }
        if let Some(k) = f.stripe_webhook_secret {
            self.stripe_webhook_secret = Some(k);
        }
        if let Some(p) = f.plans_file {
            self.plans_file = Some(p);
        }
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

    pub(super) fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<(), String> {
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
        if let Some(v) = get("MESHCLOUD_URL_IMPORT_HOSTS")? {
            // Comma-separated; empty switches URL import off.
            self.url_import_hosts = v.split(',').map(str::trim).filter(|h| !h.is_empty()).map(String::from).collect();
        }
        parsed(env, "MESHCLOUD_URL_IMPORT_TIMEOUT_SECS", &mut self.url_import_timeout_secs)?;
        if let Some(v) = get("MESHCLOUD_BILLING_SCHEDULE")? {
            self.billing_schedule = v;
        }
        if let Some(v) = get("MESHCLOUD_CERTIFICATE_EXPIRY_SCHEDULE")? {
            self.certificate_expiry_schedule = v;
        }
        if let Some(v) = get("MESHCLOUD_INVOICE_PREFIX")? {
            self.invoice_prefix = v;
        }
        parsed(env, "MESHCLOUD_PAYMENT_TERMS_DAYS", &mut self.payment_terms_days)?;
        parsed(env, "MESHCLOUD_INCOMPLETE_EXPIRY_DAYS", &mut self.incomplete_expiry_days)?;
        parsed(env, "MESHCLOUD_DUNNING_RETRIES", &mut self.dunning_retries)?;
        parsed(env, "MESHCLOUD_DUNNING_INTERVAL_DAYS", &mut self.dunning_interval_days)?;
        if let Some(v) = get("MESHCLOUD_STRIPE_SECRET_KEY")? {
            self.stripe_secret_key = Some(v);
        }
        if let Some(v) = get("MESHCLOUD_STRIPE_WEBHOOK_SECRET")? {
            self.stripe_webhook_secret = Some(v);
        }
        if let Some(v) = get("MESHCLOUD_PLANS_FILE")? {
            self.plans_file = Some(PathBuf::from(v));
        }
        Ok(())
    }
}

pub(super) fn read_file(p: &Path) -> Result<FileConfig, String> {
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

pub(super) fn unknown_env(env: &BTreeMap<String, String>) -> Vec<String> {
    env.keys()
        .filter(|k| k.starts_with("MESHCLOUD_"))
        .filter(|k| {
            let base = k.strip_suffix("_FILE").unwrap_or(k);
            !ENV_KEYS.contains(&k.as_str()) && !ENV_KEYS.contains(&base)
        })
        .map(|k| format!("unknown environment variable {k} is ignored"))
        .collect()
}
