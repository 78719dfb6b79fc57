//! What the APISIX export reads of a control plane: its published
//! applications and APIs, its consumers and its certificates, each in id
//! order so that the same `config_version` renders the same file.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};

/// A published application (`active` 0): `spec` holds the wire fields
/// (`hosts`, `protocols`, `upstreams`, `default_upstream_version`, `policies`…).
#[derive(Debug, Clone, Default)]
pub struct App {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub path_prefix: String,
    pub spec: serde_json::Value,
}

/// A published API of a published application: `spec` holds `methods`,
/// `paths`, `strip_path_prefix`, `type`, `policies`.
#[derive(Debug, Clone, Default)]
pub struct Api {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    pub description: String,
    pub spec: serde_json::Value,
}

/// A consumer. `credentials` is read blanked (secrets ""); the service puts
/// the opened `sealed` credentials in its place before rendering.
#[derive(Debug, Clone, Default)]
pub struct Consumer {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub credentials: serde_json::Value,
    pub sealed: Option<Vec<u8>>,
}

/// A certificate. `private_key` is empty as read; the service opens
/// `private_key_sealed` into it before rendering.
#[derive(Debug, Clone, Default)]
pub struct Certificate {
    pub id: i64,
    pub uuid: uuid::Uuid,
    /// `server` or `client`.
    pub kind: String,
    pub certificate: String,
    pub private_key: String,
    pub private_key_sealed: Vec<u8>,
    pub client_ca_certificate: Option<String>,
    pub snis: Vec<String>,
}

/// The control plane's published applications.
pub fn published_apps(c: &Conn, cp_id: i64) -> AppResult<Vec<App>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, name, description, path_prefix, spec FROM gateway_applications
          WHERE control_plane_id = ?1 AND active = 0 ORDER BY id",
    )?;
    let rows = stmt.query_map([cp_id], |r| {
        Ok(App {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            path_prefix: r.get(3)?,
            spec: cols::json(r, 4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The published APIs of these (published) applications, in id order: one
/// indexed read per application, as a join's plan depends on statistics.
pub fn published_apis(c: &Conn, app_ids: &[i64]) -> AppResult<Vec<Api>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, app_id, name, description, spec FROM gateway_apis WHERE app_id = ?1 AND active = 0 ORDER BY id",
    )?;
    let mut out = Vec::new();
    for app in app_ids {
        let rows = stmt.query_map([app], |r| {
            Ok(Api {
                id: r.get(0)?,
                app_id: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                spec: cols::json(r, 4)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    out.sort_by_key(|a| a.id);
    Ok(out)
}

/// The control plane's consumers, credentials still sealed.
pub fn consumers(c: &Conn, cp_id: i64) -> AppResult<Vec<Consumer>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, uuid, name, description, credentials, credentials_sealed FROM gateway_consumers
          WHERE control_plane_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([cp_id], |r| {
        Ok(Consumer {
            id: r.get(0)?,
            uuid: cols::uuid(r, 1)?,
            name: r.get(2)?,
            description: r.get(3)?,
            credentials: cols::json_opt(r, 4)?.unwrap_or(serde_json::Value::Null),
            sealed: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The control plane's certificates, private keys still sealed.
pub fn certificates(c: &Conn, cp_id: i64) -> AppResult<Vec<Certificate>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, uuid, type, certificate, private_key_sealed, client_ca_certificate, snis
           FROM gateway_certificates WHERE control_plane_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([cp_id], |r| {
        let snis = cols::json(r, 6)?;
        Ok(Certificate {
            id: r.get(0)?,
            uuid: cols::uuid(r, 1)?,
            kind: r.get(2)?,
            certificate: r.get(3)?,
            private_key: String::new(),
            private_key_sealed: r.get(4)?,
            client_ca_certificate: r.get(5)?,
            snis: snis
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod plans {
    //! The export's reads find a control plane's rows through its indexes,
    //! whatever the statistics say (see `meshcloud_kernel::db::plan`).

    use meshcloud_kernel::db::plan::{Expect, check_under_each, statements_of};
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn the_export_reads_one_control_plane_through_its_indexes() {
        let path = std::env::temp_dir().join(format!("gateway-export-plans-{}.db", uuid::Uuid::new_v4()));
        meshcloud_kernel::db::migrate(&path).expect("migrates");
        let conn = Connection::open(&path).expect("opens");
        conn.execute_batch(
            "BEGIN;
             INSERT INTO users (uuid, email, user_id, created_at, updated_at) VALUES ('00000000-0000-4000-8000-000000000000', 'a@b.c', 'a', '', '');
             INSERT INTO organizations (uuid, name, owner_id, created_at, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', 'org', 1, '', '');
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
             INSERT INTO gateway_control_planes (uuid, org_id, name, status_at, domain, created_at, updated_at)
                 SELECT printf('00000000-0000-4000-8001-%012d', i), 1, 'cp' || i, '', 'd', '', '' FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO gateway_applications (uuid, control_plane_id, name, path_prefix, spec, active, created_at, updated_at)
                 SELECT printf('00000000-0000-4000-8002-%012d', i), 1 + i % 20, 'app', '/', '{}', (i / 20) % 2, '', '' FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
             INSERT INTO gateway_apis (uuid, app_id, control_plane_id, name, spec, active, created_at, updated_at)
                 SELECT printf('00000000-0000-4000-8003-%012d', i), 1 + i % 2000, 1 + (1 + i % 2000) % 20, 'api', '{}', 0, '', '' FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO gateway_consumers (uuid, control_plane_id, name, created_at, updated_at)
                 SELECT printf('00000000-0000-4000-8004-%012d', i), 1 + i % 20, 'c' || i, '', '' FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO gateway_certificates (uuid, control_plane_id, certificate, private_key_sealed, not_before, not_after, created_at, updated_at)
                 SELECT printf('00000000-0000-4000-8005-%012d', i), 1 + i % 20, 'c', x'00', '', '', '', '' FROM n;
             COMMIT;",
        )
        .expect("seed");

        let mut queries = Vec::new();
        let (apps, sqls) = statements_of(&conn, || published_apps(&conn, 3).expect("apps"));
        assert_eq!(apps.len(), 50);
        let want = Expect { uses: &["(control_plane_id=?)"], never_scan: &["gateway_applications"] };
        queries.extend(sqls.into_iter().map(|s| (s, want)));
        let ids: Vec<i64> = apps.iter().map(|a| a.id).collect();
        let (apis, sqls) = statements_of(&conn, || published_apis(&conn, &ids).expect("apis"));
        assert_eq!(apis.len(), 100);
        assert!(apis.iter().all(|a| apps.iter().any(|p| p.id == a.app_id)));
        let want = Expect { uses: &["(app_id=?)"], never_scan: &["gateway_apis"] };
        queries.extend(sqls.into_iter().map(|s| (s, want)));
        let (consumers, sqls) = statements_of(&conn, || consumers(&conn, 3).expect("consumers"));
        assert_eq!(consumers.len(), 100);
        let want = Expect { uses: &["(control_plane_id=?)"], never_scan: &["gateway_consumers"] };
        queries.extend(sqls.into_iter().map(|s| (s, want)));
        let (certs, sqls) = statements_of(&conn, || certificates(&conn, 3).expect("certificates"));
        assert_eq!(certs.len(), 100);
        let want = Expect { uses: &["(control_plane_id=?)"], never_scan: &["gateway_certificates"] };
        queries.extend(sqls.into_iter().map(|s| (s, want)));
        assert_eq!(queries.len(), 4);
        let poison =
            [("gateway_applications", 1), ("gateway_apis", 1), ("gateway_consumers", 1), ("gateway_certificates", 1)];
        let result = check_under_each(&conn, &poison, &queries);
        drop(conn);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        result.unwrap_or_else(|e| panic!("{e}"));
    }
}
