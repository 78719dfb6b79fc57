//! Pattern resources (`/api/content/patterns/resource`): one per component of
//! a design, kept in step with every write of the design, listed, read,
//! saved and deleted through the design (each change a new version), seen
//! where the design is seen.

use serde_json::{Value, json};

use super::{BASE, create, doc, save};
use crate::support::matrix::*;
use crate::support::*;

const RES: &str = "/api/content/patterns/resource";

fn ids(v: &Value) -> Vec<String> {
    strs(&v["resources"], "id")
}

/// The resources of design `id`, by component id.
async fn of(api: &Api, org: &str, id: &str) -> Vec<(String, Value)> {
    let v = api.ctx(org).get(&format!("{RES}?designId={id}&pagesize=all&order=name%20asc")).await.expect(200);
    let mut rows: Vec<(String, Value)> = v["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| (r["component_id"].as_str().expect("component_id").to_string(), r.clone()))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

fn component_ids(rows: &[(String, Value)]) -> Vec<&str> {
    rows.iter().map(|(c, _)| c.as_str()).collect()
}

async fn design(api: &Api, id: &str) -> Value {
    api.get(&format!("{BASE}/{id}")).await.expect(200)
}

/// A component of kind `kind` named `name` (in `ns`, when not empty).
fn comp(id: &str, kind: &str, version: &str, name: &str, ns: &str) -> Value {
    let mut meta = json!({"name": name});
    if !ns.is_empty() {
        meta["namespace"] = json!(ns);
    }
    json!({"id": id, "displayName": name, "component": {"kind": kind, "version": version},
           "model": {"name": "kubernetes"}, "configuration": {"metadata": meta}})
}

#[tokio::test]
async fn a_designs_components_are_its_resources_and_change_it_through_saves() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let id = create(&w.alice, &w.org_a, "shop", "private").await;
    let rows = of(&w.alice, &w.org_a, &id).await;
    assert_eq!(component_ids(&rows), ["c1", "c2"]);
    let (_, web) = &rows[0];
    assert_eq!(web["design_id"], id.as_str());
    assert_eq!(
        (web["name"].as_str(), web["kind"].as_str(), web["apiVersion"].as_str()),
        (Some("web"), Some("Deployment"), Some("apps/v1"))
    );
    assert_eq!(
        (web["namespace"].as_str(), web["model"].as_str(), web["version"].as_str()),
        (Some(""), Some("kubernetes"), Some("0.0.1"))
    );
    assert!(web.get("configuration").is_none(), "lists leave configurations out");
    let web_id = web["id"].as_str().expect("id").to_string();
    let one = w.alice.get(&format!("{RES}/{web_id}")).await.expect(200);
    assert_eq!(one["configuration"], json!({"spec": {"replicas": 2}}));
    assert_eq!(one["component_id"], "c1");

    // Add a ConfigMap: the design's next version holds it.
    let body = json!({"design_id": id, "name": "settings", "namespace": "shop", "kind": "ConfigMap",
                      "configuration": {"data": {"mode": "fast"}, "metadata": {"labels": {"app": "web"}}}});
    let added = api.post(RES, body).await.expect(200);
    assert_eq!(
        (added["kind"].as_str(), added["apiVersion"].as_str()),
        (Some("ConfigMap"), Some("v1")),
        "the model's version"
    );
    assert_eq!(added["version"], "0.0.2");
    assert_eq!(
        added["configuration"]["metadata"],
        json!({"name": "settings", "namespace": "shop", "labels": {"app": "web"}})
    );
    let d = design(&w.alice, &id).await;
    assert_eq!(d["patternFile"]["version"], "0.0.2");
    let cm = d["patternFile"]["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["displayName"] == "settings")
        .cloned()
        .expect("the ConfigMap");
    assert_eq!(cm["id"], added["component_id"]);
    assert_eq!(cm["configuration"]["data"], json!({"mode": "fast"}));
    assert_eq!(of(&w.alice, &w.org_a, &id).await.len(), 3);

    // Change it by id: same resource, next version; the rest is kept.
    let cm_id = added["id"].as_str().expect("id").to_string();
    let body = json!({"id": cm_id, "configuration": {"data": {"mode": "slow"}}});
    let changed = api.post(RES, body).await.expect(200);
    assert_eq!((changed["id"].as_str(), changed["version"].as_str()), (Some(cm_id.as_str()), Some("0.0.3")));
    assert_eq!(changed["created_at"], added["created_at"]);
    assert_eq!((changed["name"].as_str(), changed["namespace"].as_str()), (Some("settings"), Some("shop")));
    assert_eq!(
        w.alice.get(&format!("{RES}/{cm_id}")).await.expect(200)["configuration"]["data"],
        json!({"mode": "slow"})
    );
    // The other components' resources keep their ids.
    let after = of(&w.alice, &w.org_a, &id).await;
    let kept = &after.iter().find(|(c, _)| c == "c1").expect("c1").1;
    assert_eq!(kept["id"], web_id.as_str());
    assert_eq!(kept["version"], "0.0.3", "every resource reports the design's version");
    // A rename through the fields; the same body again changes nothing.
    let body = json!({"id": cm_id, "name": "settings-2", "namespace": ""});
    let renamed = api.post(RES, body.clone()).await.expect(200);
    assert_eq!(
        (renamed["name"].as_str(), renamed["namespace"].as_str(), renamed["version"].as_str()),
        (Some("settings-2"), Some(""), Some("0.0.4"))
    );
    assert_eq!(api.post(RES, body).await.expect(200)["version"], "0.0.4");

    // Delete the Service: gone from the design with the relationship naming it.
    let svc = after.iter().find(|(c, _)| c == "c2").expect("c2").1["id"].as_str().expect("id").to_string();
    w.alice.delete(&format!("{RES}/{svc}")).await.expect_204();
    let d = design(&w.alice, &id).await;
    assert_eq!(d["patternFile"]["version"], "0.0.5");
    assert!(d["patternFile"]["components"].as_array().expect("components").iter().all(|c| c["id"] != "c2"));
    assert_eq!(d["patternFile"]["relationships"], json!([]));
    w.alice.get(&format!("{RES}/{svc}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("{RES}/{svc}")).await.assert_l5_error(404, L5_NOT_FOUND);
    // The earlier version still has it.
    let v1 = w.alice.get(&format!("{BASE}/{id}/versions/0.0.1")).await.expect(200);
    assert_eq!(v1["patternFile"]["components"].as_array().map(Vec::len), Some(2));

    // A change keeps what the component holds beyond the object (styles).
    let body = json!({"id": web_id, "configuration": {"spec": {"replicas": 3}}});
    let web = api.post(RES, body).await.expect(200);
    assert_eq!((web["name"].as_str(), web["version"].as_str()), (Some("web"), Some("0.0.6")));
    let d = design(&w.alice, &id).await;
    let c1 = d["patternFile"]["components"].as_array().expect("components").iter().find(|c| c["id"] == "c1").cloned();
    let c1 = c1.expect("c1 kept its id");
    assert_eq!(c1["styles"], json!({"primaryColor": "#00B39F"}));
    assert_eq!(c1["configuration"], json!({"metadata": {"name": "web"}, "spec": {"replicas": 3}}));
}

#[tokio::test]
async fn the_index_follows_every_write_of_a_design() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let id = create(&w.alice, &w.org_a, "shop", "public").await;
    let first = of(&w.alice, &w.org_a, &id).await;
    // A save replacing the components: c1 kept (same id), c2 gone, c3 new.
    let mut d = doc("shop");
    d["components"] = json!([d["components"][0].clone(), comp("c3", "Secret", "v1", "token", "shop")]);
    d["relationships"] = json!([]);
    save(&w.alice, &w.org_a, json!({"id": id, "name": "shop", "patternData": d})).await;
    let rows = of(&w.alice, &w.org_a, &id).await;
    assert_eq!(component_ids(&rows), ["c1", "c3"]);
    assert_eq!(rows[0].1["id"], first[0].1["id"], "a kept component keeps its resource id");
    assert_eq!(rows[0].1["updated_at"], first[0].1["updated_at"], "an unchanged component is not updated");
    assert_eq!((rows[1].1["namespace"].as_str(), rows[1].1["version"].as_str()), (Some("shop"), Some("0.0.2")));
    // A visibility change alone: no new version, the same rows.
    save(&w.alice, &w.org_a, json!({"id": id, "name": "shop", "visibility": "private", "patternData": d})).await;
    assert_eq!(of(&w.alice, &w.org_a, &id).await, rows);
    // save=false stores nothing.
    let mut dry = d.clone();
    dry["components"] = json!([]);
    save(&w.alice, &w.org_a, json!({"id": id, "name": "shop", "save": false, "patternData": dry})).await;
    assert_eq!(of(&w.alice, &w.org_a, &id).await, rows);

    // Import and upload.
    let manifests = b"apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec: {replicas: 1}\n";
    let v = api.post_form("/api/pattern/import", &[("file", Some("shop.yaml"), manifests)]).await.expect(200);
    let imported = v["id"].as_str().expect("id").to_string();
    let rows = of(&w.alice, &w.org_a, &imported).await;
    let mut kinds: Vec<(String, String, String)> = rows
        .iter()
        .map(|(_, r)| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("name"), s("namespace"))
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [("Deployment".into(), "api".into(), "shop".into()), ("Namespace".into(), "shop".into(), String::new())]
    );
    let one = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: only}\n";
    api.post_form(&format!("{BASE}/upload/{id}"), &[("file", Some("one.yaml"), one)]).await.expect(200);
    let rows = of(&w.alice, &w.org_a, &id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].1["name"].as_str(), rows[0].1["version"].as_str()), (Some("only"), Some("0.0.3")));

    // A clone has resources of its own, with ids of their own.
    let copy = api.post_empty(&format!("{BASE}/clone/{id}")).await.expect(200)["id"].as_str().expect("id").to_string();
    let copied = of(&w.alice, &w.org_a, &copy).await;
    assert_eq!(component_ids(&copied), component_ids(&rows));
    assert_ne!(copied[0].1["id"], rows[0].1["id"]);
    assert_eq!(copied[0].1["version"], "0.0.1");

    // Deletes take the rows away at once.
    let gone = rows[0].1["id"].as_str().expect("id").to_string();
    w.alice.delete(&format!("{BASE}/{id}")).await.expect_204();
    w.alice.get(&format!("{RES}/{gone}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(of(&w.alice, &w.org_a, &id).await, vec![]);
    let body = json!({"patterns": [{"id": copy}, {"id": imported}]});
    w.alice.post(&format!("{BASE}/delete"), body).await.expect(200);
    assert_eq!(api.get(RES).await.expect(200)["total_count"], 0);
}

#[tokio::test]
async fn bad_saves_are_refused_and_change_nothing() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let id = create(&w.alice, &w.org_a, "shop", "private").await;
    let web = of(&w.alice, &w.org_a, &id).await[0].1["id"].as_str().expect("id").to_string();
    let bad = [
        (json!({"design_id": id, "kind": "ConfigMap"}), "name"),
        (json!({"design_id": id, "name": " ", "kind": "ConfigMap"}), "name"),
        (json!({"design_id": id, "name": "x"}), "kind"),
        (json!({"design_id": id, "name": "x", "kind": "Gadget"}), "kind"),
        (json!({"design_id": id, "name": "x", "kind": "ClusterRole", "namespace": "shop"}), "namespace"),
        (json!({"design_id": id, "name": "x", "kind": "ConfigMap", "configuration": [1]}), "configuration"),
        (
            json!({"design_id": id, "name": "x", "kind": "ConfigMap", "configuration": {"metadata": 3}}),
            "configuration.metadata",
        ),
        (json!({"name": "x", "kind": "ConfigMap"}), "design_id"),
        (json!({"design_id": "nope", "name": "x", "kind": "ConfigMap"}), "design_id"),
        (json!({"id": "nope", "name": "x"}), "id"),
        (json!({"id": web, "kind": "Gadget"}), "kind"),
        (json!({"id": web, "design_id": uuid::Uuid::new_v4()}), "design_id"),
    ];
    for (body, field) in bad {
        let r = api.post(RES, body.clone()).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(field), "{body}: {}", r.text);
    }
    // The same object twice in one design.
    let body = json!({"design_id": id, "name": "settings", "namespace": "shop", "kind": "ConfigMap"});
    api.post(RES, body.clone()).await.expect(200);
    let r = api.post(RES, body).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("already has the ConfigMap shop/settings"), "{}", r.text);
    assert_eq!(design(&w.alice, &id).await["patternFile"]["version"], "0.0.2", "only the good save changed it");
    // Unknown ids: not found.
    let unknown = uuid::Uuid::new_v4();
    api.post(RES, json!({"design_id": unknown, "name": "x", "kind": "ConfigMap"}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
    api.post(RES, json!({"id": unknown, "name": "x"})).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{RES}/{unknown}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("{RES}/{unknown}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{RES}/nope")).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn pages_search_order_and_filters() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    const NAMES: &[&str] = &[
        "Alpha%Beta",
        "under_score",
        "quote\"d",
        "o'brien",
        "MiXeD CaSe",
        "été",
        "cross-abcd",
        "plain a OR b",
        "100% web",
        "50_50 split",
        "NEAR(x y) col*",
        "zeta",
    ];
    let kinds = [("Deployment", "apps/v1"), ("Service", "v1"), ("ConfigMap", "v1")];
    let mut d = doc("many");
    d["relationships"] = json!([]);
    d["components"] = NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (k, v) = kinds[i % 3];
            comp(&format!("m{i:02}"), k, v, n, if i % 2 == 0 { "shop" } else { "" })
        })
        .collect();
    let many = save(&w.alice, &w.org_a, json!({"name": "many", "patternData": d})).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let other = create(&w.alice, &w.org_a, "other", "public").await;
    let total = NAMES.len() as u64 + 2;

    let first = api.get(RES).await.expect(200);
    assert_eq!(page_items(&first, "resources", 0, 10, total).len(), 10);
    assert_eq!(first["resources"][0]["design_id"], other.as_str(), "newest change first");
    for q in ["page=-1&pagesize=0", "page=x&pagesize=ten", "page=&pagesize="] {
        let v = api.get(&format!("{RES}?{q}")).await.expect(200);
        assert_eq!(page_items(&v, "resources", 0, 10, total).len(), 10, "{q}");
    }
    let last = api.get(&format!("{RES}?page=1&pagesize=10")).await.expect(200);
    assert_eq!(page_items(&last, "resources", 1, 10, total).len(), 4);
    let past = api.get(&format!("{RES}?page=99999999999999999999&pagesize=5")).await.expect(200);
    assert!(past["resources"].as_array().expect("resources").is_empty());
    assert_eq!(past["total_count"], total);
    let all = api.get(&format!("{RES}?pagesize=all")).await.expect(200);
    assert_eq!(page_items(&all, "resources", 0, 500, total).len(), total as usize);
    let (every, t) = every_item(&api, RES, "resources", 500).await;
    assert_eq!(t, total);
    for size in [1, 5] {
        assert_eq!(every_item(&api, RES, "resources", size).await.0, every, "pages of {size}");
    }
    let searched: Vec<String> =
        TRICKY_SEARCHES.iter().map(|s| s.to_string()).chain(["Deploy".into(), "sho".into(), "web".into()]).collect();
    for s in &searched {
        check_search(&api, RES, "resources", &["name", "kind", "namespace"], &every, s).await;
    }
    for field in ["name", "kind", "namespace"] {
        let v = api.get(&format!("{RES}?order={field}%20asc&pagesize=all")).await.expect(200);
        let got = strs(&v["resources"], field);
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(got, sorted, "{field}");
        let desc = api.get(&format!("{RES}?order={field}%20desc&pagesize=all")).await.expect(200);
        let mut reversed = strs(&desc["resources"], field);
        reversed.reverse();
        assert_eq!(reversed, sorted, "{field} desc");
    }
    let unknown = api.get(&format!("{RES}?order=secret%20desc&pagesize=all")).await.expect(200);
    assert_eq!(ids(&unknown), ids(&all));

    // Filters: design, kind, namespace (exact; empty: none named), together.
    let v = api.get(&format!("{RES}?designId={other}&pagesize=all")).await.expect(200);
    assert_eq!(v["total_count"], 2);
    for bad in ["nope", &uuid::Uuid::new_v4().to_string()] {
        assert_eq!(api.get(&format!("{RES}?designId={bad}")).await.expect(200)["total_count"], 0, "{bad}");
    }
    let v = api.get(&format!("{RES}?kind=Service&pagesize=all")).await.expect(200);
    assert_eq!(v["total_count"], 5, "four of many and one of other");
    assert!(strs(&v["resources"], "kind").iter().all(|k| k == "Service"));
    assert_eq!(api.get(&format!("{RES}?namespace=shop")).await.expect(200)["total_count"], 6);
    assert_eq!(api.get(&format!("{RES}?namespace=")).await.expect(200)["total_count"], 8);
    let v = api
        .get(&format!("{RES}?designId={many}&kind=Deployment&namespace=shop&pagesize=all&order=name%20asc"))
        .await
        .expect(200);
    assert_eq!(strs(&v["resources"], "name"), ["Alpha%Beta", "cross-abcd"]);
    assert_eq!(api.get(&format!("{RES}?kind=Gadget")).await.expect(200)["total_count"], 0);
    // orgId names the org when no header does.
    assert_eq!(w.alice.get(&format!("{RES}?orgId={}", w.org_a)).await.expect(200)["total_count"], total);
    let a2 = w.alice.create_org(json!({"name": "A2"})).await;
    assert_eq!(w.alice.get(&format!("{RES}?orgId={a2}")).await.expect(200)["total_count"], 0);
}

#[tokio::test]
async fn resources_are_seen_where_their_design_is() {
    let w = world().await;
    let private = create(&w.admin, &w.org_a, "private one", "private").await;
    let public = create(&w.admin, &w.org_a, "public one", "public").await;
    let published = create(&w.admin, &w.org_a, "published one", "published").await;
    let first = |rows: Vec<(String, Value)>| rows[0].1["id"].as_str().expect("id").to_string();
    let (r_private, r_public, r_published) = (
        first(of(&w.admin, &w.org_a, &private).await),
        first(of(&w.admin, &w.org_a, &public).await),
        first(of(&w.admin, &w.org_a, &published).await),
    );
    // The org admin sees all; a member not another's private design.
    assert_eq!(w.alice.ctx(&w.org_a).get(RES).await.expect(200)["total_count"], 6);
    let listed = w.carol.ctx(&w.org_a).get(&format!("{RES}?pagesize=all")).await.expect(200);
    assert_eq!(listed["total_count"], 4);
    assert!(strs(&listed["resources"], "design_id").iter().all(|d| d != &private));
    w.carol.get(&format!("{RES}/{r_private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.carol.get(&format!("{RES}/{r_public}")).await.expect(200);
    // She reads but may not change them.
    let body = json!({"id": r_public, "name": "taken"});
    w.carol.post(RES, body).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let body = json!({"design_id": public, "name": "more", "kind": "ConfigMap"});
    w.carol.post(RES, body).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.delete(&format!("{RES}/{r_public}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let body = json!({"id": r_private, "name": "taken"});
    w.carol.post(RES, body).await.assert_l5_error(404, L5_NOT_FOUND);

    // Another org's member: only the published design's, never to change.
    w.dave.get(&format!("{RES}/{r_private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("{RES}/{r_public}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("{RES}/{r_published}")).await.expect(200);
    w.dave.delete(&format!("{RES}/{r_published}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.post(RES, json!({"id": r_published, "name": "taken"})).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.dave.ctx(&w.org_b).get(RES).await.expect(200)["total_count"], 0);
    w.dave.ctx(&w.org_a).get(RES).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("{RES}?orgId={}", w.org_a)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().get(RES).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // Nothing changed.
    for id in [&private, &public, &published] {
        assert_eq!(design(&w.admin, id).await["patternFile"]["version"], "0.0.1");
    }
}

fn cases() -> Vec<Case> {
    vec![
        in_ctx(GET, RES, None, READ),
        case(POST, RES, Some(r#"{"design_id": "<design>", "name": "r<n>", "kind": "ConfigMap"}"#), write(200)),
        case(POST, RES, Some(r#"{"id": "<resource>", "name": "r<n>"}"#), write(200)),
        case(GET, "/api/content/patterns/resource/<resource>", None, READ),
        case(DELETE, "/api/content/patterns/resource/<resource>", None, write(204)),
    ]
}

#[tokio::test]
async fn resources_matrix() {
    let w = world().await;
    run(&w, &cases()).await;
    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let cases: Vec<Case> = cases().into_iter().map(Case::member_as_admin).collect();
    run(&w, &cases).await;
}
