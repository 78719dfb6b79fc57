//! Identity quotas and allocations: the catalogue with its defaults, the
//! sums over every allocation of the organization, and the rule that
//! committed + reserved never exceeds a quota (checked on allocation create
//! and update and on quota changes, with nothing changed when refused).

use serde_json::{Value, json};

use crate::support::*;

fn quotas(org: &str) -> String {
    format!("/api/v1/organizations/{org}/quotas")
}

fn allocations(org: &str, project: &str) -> String {
    format!("/api/v1/organizations/{org}/projects/{project}/allocations")
}

fn allocation(name: &str, items: Value) -> Value {
    json!({"metadata": {"name": name},
           "spec": {"kind": "kubernetescluster", "id": "a4e7f6a2-8c1d-4c55-9f3b-0c2b3c1d2e3f", "allocations": items}})
}

#[track_caller]
fn identity_error(r: &Resp, status: u16, code: &str, description: Option<&str>) {
    assert_eq!(r.status, status, "body: {}", r.text);
    let v = r.json();
    assert_eq!(v["error"], code, "{v}");
    if let Some(d) = description {
        assert_eq!(v["error_description"], d, "{v}");
    }
}

fn kind<'a>(q: &'a Value, kind: &str) -> &'a Value {
    q["quotas"].as_array().expect("quotas").iter().find(|k| k["kind"] == kind).unwrap_or_else(|| panic!("{kind}: {q}"))
}

/// Org A with one project (made by alice); returns the project id.
async fn project(w: &World, name: &str) -> String {
    let body = json!({"metadata": {"name": name}, "spec": {"groupIDs": []}});
    let p = w.alice.post(&format!("/api/v1/organizations/{}/projects", w.org_a), body).await.expect(202);
    p["metadata"]["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn catalogue_defaults_and_the_reference_example() {
    let w = world().await;
    let q = w.alice.get(&quotas(&w.org_a)).await.expect(200);
    let kinds: Vec<&str> = q["quotas"].as_array().expect("quotas").iter().filter_map(|k| k["kind"].as_str()).collect();
    assert_eq!(kinds, ["clusters", "gpus", "servers"], "sorted by kind");
    assert_eq!(
        *kind(&q, "gpus"),
        json!({"kind": "gpus", "quantity": 40, "used": 0, "free": 40, "committed": 0, "reserved": 0,
               "displayName": "GPUs", "description": "General purpose GPUs for AI workloads.", "default": 40})
    );
    assert_eq!(kind(&q, "servers")["quantity"], 10);

    // Quotas are the provider's to set; the org admin reads them.
    let set = json!({"quotas": [{"kind": "clusters", "quantity": 2}, {"kind": "servers", "quantity": 20}]});
    identity_error(&w.alice.put(&quotas(&w.org_a), set.clone()).await, 403, "forbidden", None);
    let q = w.admin.put(&quotas(&w.org_a), set).await.expect(200);
    assert_eq!(kind(&q, "clusters")["quantity"], 2);

    let p = project(&w, "web").await;
    let items = json!([{"kind": "clusters", "committed": 1, "reserved": 0},
                       {"kind": "servers", "committed": 3, "reserved": 10},
                       {"kind": "widgets", "committed": 1000, "reserved": 0}]);
    let a = w.alice.post(&allocations(&w.org_a, &p), allocation("undefined", items.clone())).await.expect(201);
    assert_eq!(a["metadata"]["organizationId"], w.org_a.as_str());
    assert_eq!(a["metadata"]["projectId"], p.as_str());
    assert_eq!(a["spec"]["kind"], "kubernetescluster");
    let mut sorted = items.as_array().expect("items").clone();
    sorted.sort_by_key(|i| i["kind"].as_str().unwrap_or_default().to_string());
    assert_eq!(a["spec"]["allocations"], json!(sorted));

    let q = w.carol.get(&quotas(&w.org_a)).await.expect(200);
    assert_eq!(
        *kind(&q, "clusters"),
        json!({"kind": "clusters", "quantity": 2, "used": 1, "free": 1, "committed": 1, "reserved": 0,
               "displayName": "Clusters", "description": "All cluster types e.g. Kubernetes, compute, etc.",
               "default": 5})
    );
    let servers = kind(&q, "servers");
    assert_eq!(
        [&servers["quantity"], &servers["committed"], &servers["reserved"], &servers["used"], &servers["free"]],
        [&json!(20), &json!(3), &json!(10), &json!(13), &json!(7)]
    );
    assert_eq!(q["quotas"].as_array().map(Vec::len), Some(3), "kinds outside the catalogue are not listed");

    // Sums run over every project of the organization.
    let p2 = project(&w, "api").await;
    let more = json!([{"kind": "servers", "committed": 2, "reserved": 5}]);
    w.alice.post(&allocations(&w.org_a, &p2), allocation("db", more)).await.expect(201);
    let q = w.alice.get(&quotas(&w.org_a)).await.expect(200);
    assert_eq!((kind(&q, "servers")["used"].as_i64(), kind(&q, "servers")["free"].as_i64()), (Some(20), Some(0)));
    let all = w.alice.get(&format!("/api/v1/organizations/{}/allocations", w.org_a)).await.expect(200);
    let names: Vec<&str> =
        all.as_array().expect("list").iter().filter_map(|a| a["metadata"]["name"].as_str()).collect();
    assert_eq!(names, ["db", "undefined"]);
    identity_error(&w.dave.get(&quotas(&w.org_a)).await, 403, "forbidden", None);
    identity_error(
        &w.dave.get(&format!("/api/v1/organizations/{}/allocations", w.org_a)).await,
        403,
        "forbidden",
        None,
    );
}

#[tokio::test]
async fn over_quota_writes_are_refused_and_change_nothing() {
    let w = world().await;
    w.admin.put(&quotas(&w.org_a), json!({"quotas": [{"kind": "clusters", "quantity": 2}]})).await.expect(200);
    let p = project(&w, "web").await;
    let path = allocations(&w.org_a, &p);
    // The refusal says which kind is over, by how much, and the limit.
    let over = |committed: i64, reserved: i64, quota: i64| {
        format!(
            "allocation exceeded quota: clusters would use {} ({committed} committed + {reserved} reserved), over the quota of {quota}",
            committed + reserved
        )
    };
    let clusters = |n: i64| json!([{"kind": "clusters", "committed": n, "reserved": 0}]);

    // Create: 3 > 2.
    identity_error(
        &w.alice.post(&path, allocation("a", clusters(3))).await,
        400,
        "invalid_request",
        Some(&over(3, 0, 2)),
    );
    assert_eq!(w.alice.get(&format!("/api/v1/organizations/{}/allocations", w.org_a)).await.expect(200), json!([]));
    let a = w.alice.post(&path, allocation("a", clusters(1))).await.expect(201);
    let id = a["metadata"]["id"].as_str().expect("id").to_string();
    identity_error(&w.alice.post(&path, allocation("a", clusters(1))).await, 409, "conflict", None);

    // Update: the new allocation replaces the old one in the sum.
    let up = w.alice.put(&format!("{path}/{id}"), allocation("a", clusters(2))).await.expect(200);
    assert_eq!(up["spec"]["allocations"][0]["committed"], 2);
    let reserved = json!([{"kind": "clusters", "committed": 2, "reserved": 1}]);
    identity_error(
        &w.alice.put(&format!("{path}/{id}"), allocation("a", reserved)).await,
        400,
        "invalid_request",
        Some(&over(2, 1, 2)),
    );
    let got = w.alice.get(&format!("{path}/{id}")).await.expect(200);
    assert_eq!(got["spec"]["allocations"], clusters(2), "the refused update changed nothing");
    identity_error(
        &w.alice.post(&path, allocation("b", clusters(1))).await,
        400,
        "invalid_request",
        Some(&over(3, 0, 2)),
    );

    // Lowering the quota below what is allocated.
    let lower = json!({"quotas": [{"kind": "clusters", "quantity": 1}]});
    identity_error(&w.admin.put(&quotas(&w.org_a), lower).await, 400, "invalid_request", Some(&over(2, 0, 1)));
    let q = w.alice.get(&quotas(&w.org_a)).await.expect(200);
    assert_eq!((kind(&q, "clusters")["quantity"].as_i64(), kind(&q, "clusters")["used"].as_i64()), (Some(2), Some(2)));
    let unknown = json!({"quotas": [{"kind": "widgets", "quantity": 1}]});
    identity_error(&w.admin.put(&quotas(&w.org_a), unknown).await, 400, "invalid_request", None);
    let negative = json!({"quotas": [{"kind": "gpus", "quantity": -1}]});
    identity_error(&w.admin.put(&quotas(&w.org_a), negative).await, 400, "invalid_request", None);
    let bad = json!([{"kind": "clusters", "committed": -1, "reserved": 0}]);
    identity_error(&w.alice.post(&path, allocation("c", bad)).await, 400, "invalid_request", None);
    // Amounts whose sum would overflow are refused up front, limited kind or not.
    let huge = json!({"quotas": [{"kind": "gpus", "quantity": i64::MAX}]});
    identity_error(&w.admin.put(&quotas(&w.org_a), huge).await, 400, "invalid_request", None);
    for kind in ["clusters", "widgets"] {
        let max = json!([{"kind": kind, "committed": i64::MAX, "reserved": 1}]);
        identity_error(&w.alice.post(&path, allocation("c", max)).await, 400, "invalid_request", None);
    }
    let big = json!([{"kind": "widgets", "committed": 1_000_000_000, "reserved": 1_000_000_000}]);
    w.alice.post(&path, allocation("c", big.clone())).await.expect(201);
    w.alice.post(&path, allocation("d", big)).await.expect(201);
    w.alice.get(&quotas(&w.org_a)).await.expect(200);
    for name in ["c", "d"] {
        let all = w.alice.get(&format!("/api/v1/organizations/{}/allocations", w.org_a)).await.expect(200);
        let id = all.as_array().expect("list").iter().find(|a| a["metadata"]["name"] == name).expect("made")["metadata"]
            ["id"]
            .as_str()
            .expect("id")
            .to_string();
        assert_eq!(w.alice.delete(&format!("{path}/{id}")).await.status, 202);
    }

    // Freeing capacity: delete is 202 and the sum drops.
    let r = w.alice.delete(&format!("{path}/{id}")).await;
    assert_eq!((r.status, r.text.as_str()), (202, ""));
    identity_error(&w.alice.get(&format!("{path}/{id}")).await, 404, "not_found", None);
    let q = w.alice.get(&quotas(&w.org_a)).await.expect(200);
    assert_eq!(kind(&q, "clusters")["used"], 0);

    // Two creates racing for the last unit: exactly one wins.
    w.alice.post(&path, allocation("base", clusters(1))).await.expect(201);
    let (x, y) = tokio::join!(
        w.alice.post(&path, allocation("x", clusters(1))),
        w.alice.post(&path, allocation("y", clusters(1)))
    );
    let mut statuses = [x.status, y.status];
    statuses.sort();
    assert_eq!(statuses, [201, 400], "{} / {}", x.text, y.text);
    let q = w.alice.get(&quotas(&w.org_a)).await.expect(200);
    assert_eq!(kind(&q, "clusters")["used"], 2);

    // Outsiders are refused before anything is looked up.
    identity_error(&w.dave.post(&path, allocation("d", clusters(0))).await, 403, "forbidden", None);
}
