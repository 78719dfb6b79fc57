//! V027 on designs stored before it: their components become pattern
//! resources (one per component id, the first of a repeated one); deleted
//! designs get none.

use rusqlite::Connection;

use super::embedded::migrations;

const T: &str = "2026-12-01T00:00:00.000000Z";

/// design_id, position, component_id, name, namespace, kind, api_version, model, uuid
type Row = (i64, i64, String, String, String, String, String, String, String);

#[test]
fn v027_indexes_the_components_of_live_designs() {
    let mut conn = Connection::open_in_memory().expect("open");
    migrations::runner().set_target(refinery::Target::Version(26)).run(&mut conn).expect("up to V026");
    let doc = r#"{"name": "shop", "components": [
        {"id": "c1", "displayName": "web", "component": {"kind": "Deployment", "version": "apps/v1"},
         "model": {"name": "kubernetes"}, "configuration": {"metadata": {"name": "web", "namespace": "shop"}}},
        {"id": "c2", "displayName": "", "component": {"kind": "Service", "version": "v1"},
         "configuration": {"metadata": {"name": "web-svc", "namespace": 7}}},
        {"id": "c1", "displayName": "again", "component": {"kind": "ConfigMap", "version": "v1"}},
        "not a component"]}"#;
    conn.execute_batch(&format!(
        "INSERT INTO users (id, uuid, email, user_id, created_at, updated_at)
              VALUES (1, 'u1', 'a@example.com', 'a@example.com', '{T}', '{T}');
         INSERT INTO organizations (id, uuid, name, owner_id, created_at, updated_at)
              VALUES (1, 'o1', 'A', 1, '{T}', '{T}');
         INSERT INTO designs (id, uuid, org_id, owner_id, name, version, document, created_at, updated_at, deleted_at)
              VALUES (1, 'd1', 1, 1, 'shop', '0.0.4', '{doc}', '{T}', '{T}', NULL),
                     (2, 'd2', 1, 1, 'gone', '0.0.1', '{doc}', '{T}', '{T}', '{T}');"
    ))
    .expect("rows of V026");
    migrations::runner().run(&mut conn).expect("V027 and later");

    let rows: Vec<Row> = conn
        .prepare(
            "SELECT design_id, position, component_id, name, namespace, kind, api_version, model, uuid
             FROM pattern_resources ORDER BY design_id, position",
        )
        .expect("prepare")
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let fields: Vec<_> =
        rows.iter().map(|r| (r.0, r.1, r.2.as_str(), r.3.as_str(), r.4.as_str(), r.5.as_str())).collect();
    assert_eq!(fields, [(1, 0, "c1", "web", "shop", "Deployment"), (1, 1, "c2", "web-svc", "", "Service")]);
    assert_eq!((rows[0].6.as_str(), rows[0].7.as_str()), ("apps/v1", "kubernetes"));
    assert_eq!(rows[1].7, "");
    for r in &rows {
        let id = uuid::Uuid::parse_str(&r.8).unwrap_or_else(|_| panic!("{} is no UUID", r.8));
        assert_eq!(id.get_version_num(), 4);
    }
    assert_ne!(rows[0].8, rows[1].8);
}
