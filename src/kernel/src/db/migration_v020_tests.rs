//! V020 on data written before it: clients acting as a service account stay
//! able to call the API (trusted), and existing OIDC sessions get public ids.

use rusqlite::Connection;

use super::embedded::migrations;

const T: &str = "2026-12-01T00:00:00.000000Z";

#[test]
fn v020_keeps_service_account_clients_trusted_and_numbers_old_sessions() {
    let mut conn = Connection::open_in_memory().expect("open");
    migrations::runner().set_target(refinery::Target::Version(19)).run(&mut conn).expect("up to V019");
    conn.execute_batch(&format!(
        "INSERT INTO users (id, uuid, email, user_id, created_at, updated_at)
              VALUES (1, 'u1', 'a@example.com', 'a@example.com', '{T}', '{T}'),
                     (2, 'u2', 'robot@example.com', 'robot', '{T}', '{T}');
         INSERT INTO oauth_clients (id, uuid, client_id, name, secret_hash, service_user_id, created_at, updated_at)
              VALUES (1, 'c1', 'portal', 'portal', x'00', NULL, '{T}', '{T}'),
                     (2, 'c2', 'robot', 'robot', x'00', 2, '{T}', '{T}');
         INSERT INTO oauth_sessions (user_id, client_id, auth_time, created_at, updated_at)
              VALUES (1, 1, '{T}', '{T}', '{T}'), (2, 2, '{T}', '{T}', '{T}');"
    ))
    .expect("rows of V019");
    migrations::runner().run(&mut conn).expect("V020 and later");

    let trusted: Vec<(String, bool)> = conn
        .prepare("SELECT client_id, trusted FROM oauth_clients ORDER BY id")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(trusted, [("portal".to_string(), false), ("robot".to_string(), true)]);
    let ids: Vec<String> = conn
        .prepare("SELECT uuid FROM oauth_sessions ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(ids.len(), 2);
    for id in &ids {
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
    assert_ne!(ids[0], ids[1]);
}
