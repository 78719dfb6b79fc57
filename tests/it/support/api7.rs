//! API7 Cloud face helpers: the envelope, numeric ids, control planes.

use reqwest::Method;
use serde_json::Value;

use super::{Api, RawBody, Resp, World, sql};

impl Resp {
    /// Asserts an API7 success (HTTP 200, `status.code` 0, `error` empty)
    /// and returns the payload (`null` when the answer has none).
    #[track_caller]
    pub fn api7(&self) -> Value {
        assert_eq!(self.status, 200, "unexpected status; body: {}", self.text);
        let v = self.json();
        assert_eq!(v["status"]["code"], 0, "status: {}", self.text);
        assert_eq!(v["status"]["message"], "OK", "status: {}", self.text);
        assert_eq!(v["error"], "", "error: {}", self.text);
        v.get("payload").cloned().unwrap_or(Value::Null)
    }

    /// Asserts an API7 error: the HTTP status, JSON, the envelope's `code`
    /// and a non-empty `error`, no payload. Returns the `error` text.
    #[track_caller]
    pub fn api7_error(&self, status: u16, code: i64) -> String {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        assert!(self.content_type().starts_with("application/json"), "content type {:?}", self.content_type());
        let v = self.json();
        assert_eq!(v["status"]["code"], code, "code: {}", self.text);
        assert!(v["status"]["message"].as_str().is_some_and(|m| !m.is_empty()), "message: {}", self.text);
        assert!(v.get("payload").is_none(), "an error with a payload: {}", self.text);
        v["error"]
            .as_str()
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| panic!("empty error: {}", self.text))
            .to_string()
    }
}

impl Api {
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Some(RawBody::Json(body))).await
    }

    /// PATCH with the body as a Go client of the reference's era sends it: a
    /// JSON string holding the base64 of the JSON.
    pub async fn patch_b64(&self, path: &str, body: Value) -> Resp {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(body.to_string());
        self.send(Method::PATCH, path, Some(RawBody::Json(Value::String(b64)))).await
    }
}

impl World {
    /// The numeric id (API7's) of the organization with this UUID.
    pub async fn org_num(&self, org_uuid: &str) -> String {
        let uuid = org_uuid.to_string();
        sql(&self.s.data_dir, move |c| {
            c.query_row("SELECT id FROM organizations WHERE uuid = ?1", [uuid], |r| r.get::<_, i64>(0))
                .expect("organization")
                .to_string()
        })
        .await
    }

    /// Inserts a control plane of `org_uuid` (status normal) behind the
    /// API's back and returns its id: a fixture for tests of what hangs off
    /// control planes, free of the plan's control-plane limit.
    pub async fn seed_control_plane(&self, org_uuid: &str, name: &str) -> String {
        let (uuid, name) = (org_uuid.to_string(), name.to_string());
        sql(&self.s.data_dir, move |c| {
            c.execute(
                "INSERT INTO gateway_control_planes (uuid, org_id, name, status, status_at, domain, created_at, updated_at)
                 SELECT ?1, id, ?2, 3, '2026-01-01T00:00:00.000000Z', 'localhost',
                        '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'
                   FROM organizations WHERE uuid = ?3",
                rusqlite::params![uuid::Uuid::new_v4().to_string(), name, uuid],
            )
            .expect("seed control plane");
            c.last_insert_rowid().to_string()
        })
        .await
    }
}
