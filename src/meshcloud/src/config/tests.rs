use std::collections::BTreeMap;
use std::time::Duration;

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
    assert_eq!(c.url_import_hosts, d.url_import_hosts);
    assert_eq!(c.url_import_timeout_secs, d.url_import_timeout_secs);
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
        Config::load(&flags, &env(&[("MESHCLOUD_SESSION_TTL_HOURS", "7"), ("MESHCLOUD_LISTN", "x")])).expect("loads");
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

#[test]
fn url_import_settings_come_from_file_and_environment() {
    let f: FileConfig =
        toml::from_str("url_import_hosts = [\"http://127.0.0.1\"]\nurl_import_timeout_secs = 5\n").expect("parses");
    let mut c = Config::default();
    c.apply_file(f).expect("applies");
    assert_eq!((c.url_import_hosts.clone(), c.url_import_timeout_secs), (vec!["http://127.0.0.1".to_string()], 5));
    let e =
        env(&[("MESHCLOUD_URL_IMPORT_HOSTS", "github.com, *.example.com"), ("MESHCLOUD_URL_IMPORT_TIMEOUT_SECS", "9")]);
    let (c, w) = Config::load(&Flags::default(), &e).expect("loads");
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(c.url_import_hosts, ["github.com", "*.example.com"]);
    assert_eq!(c.url_import_timeout_secs, 9);
    let (off, _) = Config::load(&Flags::default(), &env(&[("MESHCLOUD_URL_IMPORT_HOSTS", "")])).expect("loads");
    assert!(off.url_import_hosts.is_empty(), "empty switches URL import off");
    let err = Config::load(&Flags::default(), &env(&[("MESHCLOUD_URL_IMPORT_HOSTS", "a.com/path")])).unwrap_err();
    assert!(err.contains("url_import_hosts"), "{err}");
    let err = Config::load(&Flags::default(), &env(&[("MESHCLOUD_URL_IMPORT_TIMEOUT_SECS", "0")])).unwrap_err();
    assert!(err.contains("url_import_timeout_secs") && err.contains("1 and 600"), "{err}");
}
