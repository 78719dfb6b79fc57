//! Searches of the infrastructure lists answer exactly the rows a
//! case-insensitive substring match over their columns finds, through the
//! search index; pages anywhere in a large list are the plain order's.

use serde_json::{Value, json};

use crate::support::*;

/// Names and descriptions with LIKE's and FTS5's syntax, quotes, mixed case
/// and letters outside ASCII; "cross-ab"/"cd-col" put "abcd" across two columns.
const TEXTS: &[(&str, &str)] = &[
    ("Alpha%Beta", "first of 100% pure"),
    ("under_score", "50_50 split"),
    ("quote\"d", "says \"hi\""),
    ("o'brien", "it's"),
    ("MiXeD CaSe", "UPPER lower"),
    ("été", "ÉTÉ hiver"),
    ("cross-ab", "cd-col"),
    ("plain", "a OR b NEAR(x y) col*"),
];

struct List {
    path: &'static str,
    key: &'static str,
    fields: &'static [&'static str],
}

const ENVIRONMENTS: List = List { path: "/api/environments", key: "environments", fields: &["name", "description"] };
const WORKSPACES: List = List { path: "/api/workspaces", key: "workspaces", fields: &["name", "description"] };
const CONNECTIONS: List =
    List { path: "/api/integrations/connections", key: "connections", fields: &["name", "kind", "type", "sub_type"] };
const CREDENTIALS: List = List { path: "/api/integrations/credentials", key: "credentials", fields: &["name", "type"] };

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id: {v}")).to_string()
}

/// Makes one of each resource per text in `org`; answers the environments' and workspaces' ids.
async fn make(api: &Api, org: &str, suffix: &str) -> (Vec<String>, Vec<String>) {
    let (mut envs, mut wss) = (vec![], vec![]);
    for (name, desc) in TEXTS {
        let name = format!("{name}{suffix}");
        let body = json!({"name": name, "description": desc, "organization_id": org});
        envs.push(id(&api.post("/api/environments", body.clone()).await.expect(201)));
        wss.push(id(&api.post("/api/workspaces", body).await.expect(201)));
        let conn = json!({"name": name, "type": "platform", "sub_type": "orchestration", "kind": "kubernetes", "status": "connected"});
        api.create_connection(org, conn).await;
        let cred = json!({"name": name, "type": desc.to_ascii_lowercase().replace(' ', "-"), "secret": {"token": "t"}});
        api.ctx(org).post("/api/integrations/credentials", cred).await.expect(201);
    }
    (envs, wss)
}

async fn check_all(api: &Api, searches: &[String]) {
    for list in [&ENVIRONMENTS, &WORKSPACES, &CONNECTIONS, &CREDENTIALS] {
        let (all, total) = every_item(api, list.path, list.key, 500).await;
        assert_eq!(total, all.len() as u64);
        for s in searches {
            check_search(api, list.path, list.key, list.fields, &all, s).await;
        }
    }
}

#[tokio::test]
async fn searches_find_exactly_the_substring_matches_of_their_org() {
    let w = world().await;
    let (envs, wss) = make(&w.alice, &w.org_a, "").await;
    // The same texts in another org, which org A's lists never show.
    make(&w.admin, &w.org_b, "").await;
    let api = w.alice.ctx(&w.org_a);
    // The writer indexed every row it wrote before committing it: the index
    // holds org A's environments under org A's scope token.
    let org = w.org_a.clone();
    let (queued, indexed) = sql(&w.s.data_dir, move |c| {
        let queued: i64 = c.query_row("SELECT count(*) FROM search_queue", [], |r| r.get(0)).unwrap();
        let token: String = c
            .query_row(
                "SELECT '\"' || char(57344 + (id / 40960000) % 6400, 57344 + (id / 6400) % 6400, 57344 + id % 6400) || '\"'
                   FROM organizations WHERE uuid = ?1",
                [&org],
                |r| r.get(0),
            )
            .unwrap();
        let sql = "SELECT count(*) FROM environments_search WHERE environments_search MATCH ?1";
        (queued, c.query_row(sql, [token], |r| r.get::<_, i64>(0)).unwrap())
    })
    .await;
    assert_eq!((queued, indexed), (0, TEXTS.len() as i64));
    let mut searches: Vec<String> = TRICKY_SEARCHES.iter().map(|s| s.to_string()).collect();
    searches.extend(
        ["Alpha%Beta", "100% pure", "says \"hi\"", "mixed case upper", "hiver", "ab", "ross-abc"].map(String::from),
    );
    check_all(&api, &searches).await;

    // Soft-deleted rows leave, renamed rows are found by their new text only.
    w.alice.delete(&format!("/api/environments/{}", envs[0])).await.expect_204();
    w.alice.delete(&format!("/api/workspaces/{}", wss[0])).await.expect_204();
    let renamed = json!({"name": "Renamed-Gamma", "description": "now different", "organization_id": w.org_a});
    w.alice.put(&format!("/api/environments/{}", envs[1]), renamed.clone()).await.expect(200);
    w.alice.put(&format!("/api/workspaces/{}", wss[1]), renamed).await.expect(200);
    let gone = api.get("/api/environments?search=Alpha%25Beta").await.expect(200);
    assert_eq!(gone["total_count"], 0, "{gone}");
    let found = api.get("/api/environments?search=NAMED-gam").await.expect(200);
    assert_eq!(strs(&found["environments"], "id"), [envs[1].as_str()]);
    searches.extend(["under_score", "renamed", "different", "50_50"].map(String::from));
    check_all(&api, &searches).await;
}

/// Pages of a list larger than a bucket (about 1,000 rows) equal the same
/// pages read the plain way (a search matching every row is answered by
/// LIMIT/OFFSET over the matches), in every order, after rows change.
#[tokio::test]
async fn deep_pages_are_the_plain_orders_pages() {
    let w = world().await;
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    let api = w.alice.ctx(&w.org_a);
    const ROWS: usize = 2_300;
    let mut made = tokio::task::JoinSet::new();
    for c in 0..16 {
        let (alice, org) = (w.alice.clone(), w.org_a.clone());
        made.spawn(async move {
            let mut ids = vec![];
            for i in (c..ROWS).step_by(16) {
                // Name order is not creation order, and some names tie.
                let body = json!({"name": format!("env-{:05}", (i * 7919) % 1500), "organization_id": org});
                ids.push(id(&alice.post("/api/environments", body).await.expect(201)));
            }
            ids
        });
    }
    let ids: Vec<String> = made.join_all().await.concat();
    let compare = |label: &'static str| {
        let api = api.clone();
        async move {
            for order in ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"] {
                let total =
                    api.get(&format!("/api/environments?order={order}")).await.expect(200)["total_count"].clone();
                let total = total.as_u64().expect("total");
                let last = (total - 1) / 25;
                for page in [0, 1, 40, 41, last / 2, last - 1, last, last + 1] {
                    let q = format!("/api/environments?order={order}&pagesize=25&page={page}");
                    let anchored = api.get(&q).await.expect(200);
                    let plain = api.get(&format!("{q}&search=env-")).await.expect(200);
                    assert_eq!(anchored["total_count"], plain["total_count"], "{label} {q}");
                    assert_eq!(
                        strs(&anchored["environments"], "id"),
                        strs(&plain["environments"], "id"),
                        "{label} {q}"
                    );
                }
            }
        }
    };
    compare("after creating").await;
    for (n, id) in ids.iter().enumerate().filter(|(n, _)| n % 3 == 0) {
        if n % 2 == 0 {
            w.alice.delete(&format!("/api/environments/{id}")).await.expect_204();
        } else {
            let body = json!({"name": format!("env-renamed-{n}"), "organization_id": w.org_a});
            w.alice.put(&format!("/api/environments/{id}"), body).await.expect(200);
        }
    }
    compare("after deleting and renaming").await;
}
