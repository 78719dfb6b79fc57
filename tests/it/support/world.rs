//! Fixtures: the small installation most tests start from, and helpers
//! that make identity and infrastructure resources through the API.

use meshcloud::config::Config;
use serde_json::Value;

use super::{Api, Server};

/// The nil UUID: the owner of everything built in.
pub const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";

impl Api {
    /// The same caller, acting in `org` (the Layer5 org-context header).
    pub fn ctx(&self, org: &str) -> Api {
        self.clone().header("layer5-current-orgid", org)
    }

    /// Creates a team in `org` and returns its id.
    pub async fn create_team(&self, org: &str, name: &str) -> String {
        let v =
            self.post(&format!("/api/identity/orgs/{org}/teams"), serde_json::json!({"name": name})).await.expect(201);
        v["id"].as_str().expect("team id").to_string()
    }

    /// Creates a custom role in `org` and returns its id.
    pub async fn create_role(&self, org: &str, name: &str) -> String {
        let r = self
            .post(&format!("/api/identity/orgs/{org}/roles"), serde_json::json!({"role_name": name, "description": ""}))
            .await;
        r.expect(200)["id"].as_str().expect("role id").to_string()
    }

    /// Creates a keychain owned by `org` and returns its id.
    pub async fn create_keychain(&self, org: &str, name: &str) -> String {
        let r = self.ctx(org).post("/api/auth/keychains", serde_json::json!({"name": name})).await;
        r.expect(200)["id"].as_str().expect("keychain id").to_string()
    }

    /// Makes a role `name` in `org` holding exactly `keys` (codes) and gives
    /// `user` (id) that role and no other.
    pub async fn give_role_with_keys(&self, org: &str, name: &str, keys: &[&str], user: &str) {
        let role = self.create_role(org, name).await;
        let kc = self.create_keychain(org, name).await;
        for code in keys {
            let key = self.key_id(code).await;
            self.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
        }
        self.post_empty(&format!("/api/identity/orgs/{org}/roles/{role}/keychains/{kc}")).await.expect(200);
        let set = serde_json::json!([{"user_id": user, "roleNames": [name]}]);
        self.put(&format!("/api/identity/orgs/{org}/roles"), set).await.expect(200);
    }

    /// Every key the catalogue lists.
    pub async fn all_keys(&self) -> Vec<Value> {
        let v = self.get("/api/auth/keys?pagesize=500").await.expect(200);
        v["keys"].as_array().expect("keys").clone()
    }

    /// The id of the key `category.subcategory.function`.
    pub async fn key_id(&self, code: &str) -> String {
        let keys = self.all_keys().await;
        keys.iter()
            .find(|k| {
                format!(
                    "{}.{}.{}",
                    k["category"].as_str().unwrap_or(""),
                    k["subcategory"].as_str().unwrap_or(""),
                    k["function"].as_str().unwrap_or("")
                ) == code
            })
            .unwrap_or_else(|| panic!("no key {code}"))["id"]
            .as_str()
            .expect("key id")
            .to_string()
    }

    /// The id of a keychain by name, among those the caller can list.
    pub async fn keychain_id(&self, name: &str) -> String {
        let v = self.get("/api/auth/keychains?pagesize=500").await.expect(200);
        v["keychains"]
            .as_array()
            .expect("keychains")
            .iter()
            .find(|k| k["name"] == name)
            .unwrap_or_else(|| panic!("no keychain {name}: {v}"))["id"]
            .as_str()
            .expect("keychain id")
            .to_string()
    }

    /// The id of a role usable in `org`, by name.
    pub async fn role_id(&self, org: &str, name: &str) -> String {
        let v = self.get(&format!("/api/identity/orgs/{org}/roles?pagesize=500")).await.expect(200);
        v["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .find(|r| r["role_name"] == name)
            .unwrap_or_else(|| panic!("no role {name}: {v}"))["id"]
            .as_str()
            .expect("role id")
            .to_string()
    }

    /// The role names `user` (id) holds in `org`, sorted, as the org's user list shows them.
    pub async fn roles_of(&self, org: &str, user: &str) -> Vec<String> {
        let v = self.get(&format!("/api/identity/orgs/{org}/users?pagesize=500")).await.expect(200);
        let u = v["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|u| u["id"] == user)
            .unwrap_or_else(|| panic!("{user} is not listed in {org}: {v}"))
            .clone();
        let mut names: Vec<String> = serde_json::from_value(u["role_names"].clone()).expect("role_names");
        names.sort();
        names
    }
}

/// A small installation: the provider admin; org A with alice (its admin, who
/// created it) and carol (a member); org B with dave (a member only).
pub struct World {
    pub s: Server,
    pub admin: Api,
    pub alice: Api,
    pub carol: Api,
    pub dave: Api,
    pub org_a: String,
    pub org_b: String,
    pub admin_id: String,
    pub alice_id: String,
    pub carol_id: String,
    pub dave_id: String,
}

pub async fn world() -> World {
    world_with(|_| {}).await
}

/// `world()` on a server with its configuration adjusted.
pub async fn world_with(tweak: impl FnOnce(&mut Config)) -> World {
    world_on(Server::start_with(tweak).await).await
}

/// `world()` on a server already started (on a manual clock, say).
pub async fn world_on(s: Server) -> World {
    let admin = s.admin().await;
    let admin_id = admin.get("/api/identity/users/profile").await.expect(200)["id"].as_str().expect("id").to_string();
    let (alice_id, alice) = s.user("alice@a.example", None).await;
    let org_a = alice.create_org(serde_json::json!({"name": "A"})).await;
    let (carol_id, carol) = s.user("carol@a.example", Some((&org_a, false))).await;
    let org_b = admin.create_org(serde_json::json!({"name": "B"})).await;
    let (dave_id, dave) = s.user("dave@b.example", Some((&org_b, false))).await;
    World { s, admin, alice, carol, dave, org_a, org_b, admin_id, alice_id, carol_id, dave_id }
}

impl World {
    /// Gives carol every key of the organization admin role in org A through
    /// a custom role, `deputy`, without making her an admin.
    pub async fn make_carol_deputy(&self) {
        let org = &self.org_a;
        let deputy = self.admin.create_role(org, "deputy").await;
        let kc = self.admin.keychain_id("Organization administration").await;
        self.admin.post_empty(&format!("/api/identity/orgs/{org}/roles/{deputy}/keychains/{kc}")).await.expect(200);
        let grant = serde_json::json!([{"user_id": self.carol_id, "roleNames": ["user", "deputy"]}]);
        self.admin.put(&format!("/api/identity/orgs/{org}/roles"), grant).await.expect(200);
    }
}

/// RFC 3339 UTC for "now + `secs`" (negative: in the past).
pub fn rfc3339_in(secs: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    let t = now + secs;
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A connection body in the Layer5 spelling.
pub fn connection_body(name: &str, kind: &str, status: &str) -> Value {
    serde_json::json!({"name": name, "type": "platform", "sub_type": "orchestration", "kind": kind, "status": status})
}

impl Api {
    /// Creates an environment in `org` and returns its id.
    pub async fn create_env(&self, org: &str, name: &str) -> String {
        let body = serde_json::json!({"name": name, "organization_id": org});
        self.post("/api/environments", body).await.expect(201)["id"].as_str().expect("environment id").to_string()
    }

    /// Registers a connection in `org` and returns it.
    pub async fn create_connection(&self, org: &str, body: Value) -> Value {
        self.ctx(org).post("/api/integrations/connections", body).await.expect(201)
    }

    /// Saves a credential in `org` and returns its id.
    pub async fn create_credential(&self, org: &str, name: &str, secret: Value) -> String {
        let body = serde_json::json!({"name": name, "type": "token", "secret": secret});
        let v = self.ctx(org).post("/api/integrations/credentials", body).await.expect(201);
        v["id"].as_str().expect("credential id").to_string()
    }

    /// Creates a workspace in `org` and returns its id.
    pub async fn create_workspace(&self, org: &str, name: &str) -> String {
        let body = serde_json::json!({"name": name, "organization_id": org});
        self.post("/api/workspaces", body).await.expect(201)["id"].as_str().expect("workspace id").to_string()
    }
}
