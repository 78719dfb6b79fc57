use chrono::TimeZone;
use serde_json::{Value, json};

use super::*;

fn now() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).single().expect("a valid instant")
}

/// A component as the import produces it: `configuration` is the object
/// without `apiVersion` / `kind`.
fn k8s(id: &str, api: &str, object: Value) -> Component {
    let kind = object["kind"].as_str().expect("kind").to_string();
    let mut configuration = object.as_object().expect("an object").clone();
    configuration.remove("kind");
    configuration.remove("apiVersion");
    serde_json::from_value(json!({
        "id": id, "displayName": object["metadata"]["name"], "component": {"kind": kind, "version": api},
        "model": {"name": "kubernetes"}, "configuration": configuration
    }))
    .expect("a component")
}

fn shop() -> Design {
    let meta = |name: &str| json!({"name": name, "namespace": "shop"});
    let components = vec![
        k8s("ns-shop", "v1", json!({"kind": "Namespace", "metadata": {"name": "shop"}})),
        k8s(
            "deploy-web",
            "apps/v1",
            json!({"kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web", "tier": "front"}},
                "spec": {"serviceAccountName": "web-sa",
                    "containers": [{"name": "web", "image": "nginx",
                        "envFrom": [{"configMapRef": {"name": "web-config"}}],
                        "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db-pass", "key": "password"}}}]}],
                    "volumes": [{"name": "config", "configMap": {"name": "web-config"}},
                                {"name": "tls", "secret": {"secretName": "web-tls"}},
                                {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}}]}}}}),
        ),
        k8s(
            "svc-web",
            "v1",
            json!({"kind": "Service", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
        ),
        k8s("cm-web-config", "v1", json!({"kind": "ConfigMap", "metadata": meta("web-config"), "data": {"a": "b"}})),
        k8s("secret-web-tls", "v1", json!({"kind": "Secret", "metadata": meta("web-tls")})),
        k8s("secret-db-pass", "v1", json!({"kind": "Secret", "metadata": meta("db-pass")})),
        k8s(
            "pvc-web-data",
            "v1",
            json!({"kind": "PersistentVolumeClaim", "metadata": meta("web-data"),
            "spec": {"accessModes": ["ReadWriteOnce"]}}),
        ),
        k8s("sa-web", "v1", json!({"kind": "ServiceAccount", "metadata": meta("web-sa")})),
        k8s(
            "ing-web",
            "networking.k8s.io/v1",
            json!({"kind": "Ingress", "metadata": meta("web"),
            "spec": {"rules": [{"host": "shop.example", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
        ),
        k8s(
            "role-reader",
            "rbac.authorization.k8s.io/v1",
            json!({"kind": "Role", "metadata": meta("reader"), "rules": []}),
        ),
        k8s(
            "rb-read",
            "rbac.authorization.k8s.io/v1",
            json!({"kind": "RoleBinding", "metadata": meta("read"),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "web-sa", "namespace": "shop"}]}),
        ),
        // Same labels and names, another namespace (with no Namespace component): joins nothing here.
        k8s(
            "deploy-other",
            "apps/v1",
            json!({"kind": "Deployment",
            "metadata": {"name": "web", "namespace": "other", "labels": {"app": "web"}},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx"}], "volumes": [{"name": "c", "configMap": {"name": "web-config"}}]}}}}),
        ),
    ];
    serde_json::from_value(json!({"id": "5d0c1e3a-8f5e-4c1b-9d7e-0a1b2c3d4e5f", "name": "shop", "version": "0.0.1",
        "components": components, "relationships": []}))
    .expect("a design")
}

type Row = (String, String, String, String, String);

fn row(r: &Relationship) -> Row {
    (r.kind.clone(), r.rel_type.clone(), r.sub_type.clone(), endpoint(r, "from").into(), endpoint(r, "to").into())
}

fn rows(design: &Design) -> Vec<Row> {
    let mut out: Vec<Row> = design.relationships.iter().map(row).collect();
    out.sort();
    out
}

fn expect(list: &[(&str, &str, &str, &str, &str)]) -> Vec<Row> {
    let mut out: Vec<Row> = list
        .iter()
        .map(|(k, t, s, f, to)| (k.to_string(), t.to_string(), s.to_string(), f.to_string(), to.to_string()))
        .collect();
    out.sort();
    out
}

const INVENTORY: (&str, &str, &str) = ("hierarchical", "parent", "inventory");

fn shop_relationships() -> Vec<Row> {
    let mut list = vec![
        ("edge", "non-binding", "network", "svc-web", "deploy-web"),
        ("edge", "binding", "mount", "deploy-web", "cm-web-config"),
        ("edge", "binding", "mount", "deploy-web", "secret-web-tls"),
        ("edge", "binding", "mount", "deploy-web", "pvc-web-data"),
        ("edge", "binding", "reference", "deploy-web", "cm-web-config"),
        ("edge", "binding", "reference", "deploy-web", "secret-db-pass"),
        ("edge", "binding", "reference", "deploy-web", "sa-web"),
        ("edge", "binding", "reference", "ing-web", "svc-web"),
        ("edge", "binding", "permission", "rb-read", "role-reader"),
        ("edge", "binding", "permission", "rb-read", "sa-web"),
        ("sibling", "sibling", "matchLabels", "deploy-web", "svc-web"),
    ];
    for child in [
        "deploy-web",
        "svc-web",
        "cm-web-config",
        "secret-web-tls",
        "secret-db-pass",
        "pvc-web-data",
        "sa-web",
        "ing-web",
        "role-reader",
        "rb-read",
    ] {
        list.push((INVENTORY.0, INVENTORY.1, INVENTORY.2, child, "ns-shop"));
    }
    expect(&list)
}

#[test]
fn every_relationship_of_the_shop_design_is_found() {
    let registry = Registry::builtin();
    let response = evaluate(&shop(), &registry, now());
    assert_eq!(rows(&response.design), shop_relationships());
    assert_eq!(response.actions.len(), shop_relationships().len());
    for (action, rel) in response.actions.iter().zip(&response.design.relationships) {
        assert_eq!(action.op, "add_relationship");
        assert_eq!(action.value["item"], serde_json::to_value(rel).expect("serializes"));
        assert!(uuid::Uuid::parse_str(&rel.id).is_ok(), "{} is a UUID", rel.id);
        assert_eq!(rel.status.as_deref(), Some("approved"));
        assert_eq!(rel.model["name"], "kubernetes");
        assert_eq!(rel.schema_version, crate::model::design::RELATIONSHIP_SCHEMA_VERSION);
    }
    assert_eq!(response.design.version, "0.0.2");
    assert_eq!(response.design.components, shop().components, "components are not touched");
    assert_eq!(response.schema_version, EVALUATION_SCHEMA_VERSION);
    assert_eq!(response.timestamp, "2026-12-07T12:00:00.000Z");
    assert_eq!(response.evaluation_hash.len(), 64);

    let wire = serde_json::to_value(&response).expect("serializes");
    for key in ["schemaVersion", "design", "actions", "evaluationHash", "timestamp"] {
        assert!(wire.get(key).is_some(), "{key} is on the wire");
    }
    let rels = wire["design"]["relationships"].as_array().expect("a list");
    let first = rels.iter().find(|r| r["subType"] == "network").expect("the network edge");
    assert_eq!(first["selectors"][0]["allow"]["from"][0]["kind"], "Service");
    assert_eq!(first["selectors"][0]["allow"]["to"][0]["kind"], "Deployment");
    assert_eq!(first["type"], "non-binding");
}

#[test]
fn relationships_are_ordered_by_definition_then_by_the_designs_order() {
    let response = evaluate(&shop(), &Registry::builtin(), now());
    let subtypes: Vec<&str> = response.design.relationships.iter().map(|r| r.sub_type.as_str()).collect();
    let mut sorted = subtypes.clone();
    let order = ["inventory", "network", "mount", "reference", "permission", "matchLabels"];
    sorted.sort_by_key(|s| order.iter().position(|o| o == s));
    assert_eq!(subtypes, sorted);
    let children: Vec<&str> = response
        .design
        .relationships
        .iter()
        .filter(|r| r.sub_type == "inventory")
        .map(|r| endpoint(r, "from"))
        .collect();
    assert_eq!(children[..3], ["deploy-web", "svc-web", "cm-web-config"]);
}

#[test]
fn a_second_evaluation_is_a_no_op() {
    let registry = Registry::builtin();
    let first = evaluate(&shop(), &registry, now());
    let later = now() + chrono::Duration::minutes(5);
    let second = evaluate(&first.design, &registry, later);
    assert!(second.actions.is_empty(), "{:?}", second.actions);
    assert_eq!(second.design, first.design);
    assert_eq!(second.design.version, "0.0.2");
    assert_eq!(second.evaluation_hash, first.evaluation_hash);
}

#[test]
fn the_same_input_gives_the_same_ids_and_hash() {
    let registry = Registry::builtin();
    let a = evaluate(&shop(), &registry, now());
    let b = evaluate(&shop(), &Registry::builtin(), now());
    assert_eq!(a, b);
    // Ids depend on the definition and the two components, not on positions.
    let mut reversed = shop();
    reversed.components.reverse();
    let c = evaluate(&reversed, &registry, now());
    let ids = |d: &Design| {
        let mut v: Vec<(Row, String)> = d.relationships.iter().map(|r| (row(r), r.id.clone())).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&a.design), ids(&c.design));
    assert_ne!(a.evaluation_hash, c.evaluation_hash, "the hash covers the design as given");
}

#[test]
fn relationships_that_no_longer_hold_are_deleted() {
    let registry = Registry::builtin();
    let first = evaluate(&shop(), &registry, now()).design;
    let network = first.relationships.iter().find(|r| r.sub_type == "network").expect("network").id.clone();

    let mut changed = first.clone();
    let svc = changed.components.iter_mut().find(|c| c.id == "svc-web").expect("svc");
    svc.configuration["spec"]["selector"] = json!({"app": "web", "tier": "back"});
    let second = evaluate(&changed, &registry, now());
    assert_eq!(second.actions, [Action { op: "delete_relationship".into(), value: json!({"id": network}) }]);
    assert!(second.design.relationships.iter().all(|r| r.id != network));
    assert_eq!(second.design.version, "0.0.3");
    assert!(evaluate(&second.design, &registry, now()).actions.is_empty());

    // Removing a component deletes every relationship it took part in.
    let mut removed = second.design.clone();
    removed.components.retain(|c| c.id != "cm-web-config");
    let third = evaluate(&removed, &registry, now());
    let mut deleted: Vec<Row> = third
        .actions
        .iter()
        .map(|a| {
            assert_eq!(a.op, "delete_relationship");
            let rel = second.design.relationships.iter().find(|r| r.id == a.value["id"]).expect("a declared one");
            row(rel)
        })
        .collect();
    deleted.sort();
    assert_eq!(
        deleted,
        expect(&[
            ("hierarchical", "parent", "inventory", "cm-web-config", "ns-shop"),
            ("edge", "binding", "mount", "deploy-web", "cm-web-config"),
            ("edge", "binding", "reference", "deploy-web", "cm-web-config"),
        ])
    );
}

#[test]
fn a_selector_that_starts_to_match_adds_one_relationship() {
    let registry = Registry::builtin();
    let mut design = evaluate(&shop(), &registry, now()).design;
    let other = design.components.iter_mut().find(|c| c.id == "deploy-other").expect("other");
    other.configuration["metadata"]["namespace"] = json!("shop");
    other.configuration["metadata"]["name"] = json!("web-2");
    let response = evaluate(&design, &registry, now());
    let added: Vec<Row> = response
        .actions
        .iter()
        .map(|a| {
            assert_eq!(a.op, "add_relationship");
            row(&serde_json::from_value(a.value["item"].clone()).expect("a relationship"))
        })
        .collect();
    let mut added = added;
    added.sort();
    assert_eq!(
        added,
        expect(&[
            ("hierarchical", "parent", "inventory", "deploy-other", "ns-shop"),
            ("edge", "non-binding", "network", "svc-web", "deploy-other"),
            ("edge", "binding", "mount", "deploy-other", "cm-web-config"),
            ("sibling", "sibling", "matchLabels", "deploy-other", "deploy-web"),
            ("sibling", "sibling", "matchLabels", "deploy-other", "svc-web"),
        ])
    );
}

#[test]
fn declared_relationships_are_kept_revived_or_left_alone() {
    let registry = Registry::builtin();
    let evaluated = evaluate(&shop(), &registry, now()).design;
    let mut design = evaluated.clone();
    // A hand-drawn relationship of a definition the registry does not know.
    let drawn: Relationship = serde_json::from_value(json!({"id": "d1", "kind": "edge", "type": "non-binding",
        "subType": "annotation", "model": {"name": "kubernetes"},
        "selectors": [{"allow": {"from": [{"id": "ns-shop"}], "to": [{"id": "svc-web"}]}}]}))
    .expect("a relationship");
    design.relationships.push(drawn.clone());
    // One the user deleted whose condition holds, one declared under another id, one ignored.
    design.relationships[0].status = Some("deleted".into());
    design.relationships[1].id = "imported-id".into();
    design.relationships[2].status = Some("ignored".into());
    let response = evaluate(&design, &registry, now());
    assert_eq!(
        response.actions,
        [Action {
            op: "update_relationship".into(),
            value: json!({"id": evaluated.relationships[0].id, "path": ["status"], "value": "approved"})
        }]
    );
    assert_eq!(response.design.relationships[1].id, "imported-id");
    assert_eq!(response.design.relationships[2].status.as_deref(), Some("ignored"));
    assert_eq!(response.design.relationships.last(), Some(&drawn));
}

#[test]
fn components_without_a_namespace_are_in_default() {
    let design = Design {
        components: vec![
            k8s("ns", "v1", json!({"kind": "Namespace", "metadata": {"name": "default"}})),
            k8s("cm", "v1", json!({"kind": "ConfigMap", "metadata": {"name": "c"}})),
            k8s("pv", "v1", json!({"kind": "PersistentVolume", "metadata": {"name": "p"}})),
            k8s(
                "pvc",
                "v1",
                json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "claim"},
                "spec": {"volumeName": "p", "storageClassName": "fast"}}),
            ),
            k8s("sc", "storage.k8s.io/v1", json!({"kind": "StorageClass", "metadata": {"name": "fast"}})),
        ],
        ..shop()
    };
    let response = evaluate(&design, &Registry::builtin(), now());
    assert_eq!(
        rows(&response.design),
        expect(&[
            ("hierarchical", "parent", "inventory", "cm", "ns"),
            ("hierarchical", "parent", "inventory", "pvc", "ns"),
            ("edge", "binding", "reference", "pvc", "sc"),
            ("edge", "binding", "reference", "pvc", "pv"),
        ])
    );
}

#[test]
fn list_elements_are_read_together() {
    // subjects[0] is (a, ns x), subjects[1] is (b, ns y): ServiceAccount a in y is not a subject.
    let design = Design {
        components: vec![
            k8s(
                "crb",
                "rbac.authorization.k8s.io/v1",
                json!({"kind": "ClusterRoleBinding", "metadata": {"name": "view"},
                "roleRef": {"kind": "ClusterRole", "name": "view"},
                "subjects": [{"kind": "ServiceAccount", "name": "a", "namespace": "x"},
                             {"kind": "ServiceAccount", "name": "b", "namespace": "y"}]}),
            ),
            k8s("cr", "rbac.authorization.k8s.io/v1", json!({"kind": "ClusterRole", "metadata": {"name": "view"}})),
            k8s("sa-a-y", "v1", json!({"kind": "ServiceAccount", "metadata": {"name": "a", "namespace": "y"}})),
            k8s("sa-b-y", "v1", json!({"kind": "ServiceAccount", "metadata": {"name": "b", "namespace": "y"}})),
            k8s(
                "hpa",
                "autoscaling/v2",
                json!({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "y"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db"}}}),
            ),
            k8s("sts-db", "apps/v1", json!({"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "y"}})),
            k8s("deploy-db", "apps/v1", json!({"kind": "Deployment", "metadata": {"name": "db", "namespace": "y"}})),
        ],
        ..shop()
    };
    let response = evaluate(&design, &Registry::builtin(), now());
    assert_eq!(
        rows(&response.design),
        expect(&[
            ("edge", "binding", "permission", "crb", "cr"),
            ("edge", "binding", "permission", "crb", "sa-b-y"),
            ("edge", "binding", "reference", "hpa", "sts-db"),
        ])
    );
}

#[test]
fn a_service_without_a_selector_and_components_of_unknown_models_join_nothing() {
    let mut unknown = k8s("x", "v1", json!({"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}}));
    unknown.model = serde_json::from_value(json!({"name": "not-registered"})).expect("a map");
    let design = Design {
        components: vec![
            k8s("ns", "v1", json!({"kind": "Namespace", "metadata": {"name": "shop"}})),
            k8s(
                "svc",
                "v1",
                json!({"kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"selector": {}}}),
            ),
            k8s("pod", "v1", json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "shop", "labels": {}}})),
            unknown,
        ],
        ..shop()
    };
    let response = evaluate(&design, &Registry::builtin(), now());
    assert_eq!(
        rows(&response.design),
        expect(&[
            ("hierarchical", "parent", "inventory", "svc", "ns"),
            ("hierarchical", "parent", "inventory", "pod", "ns"),
        ])
    );
}

#[test]
fn a_design_with_nothing_to_infer_keeps_its_version() {
    let design = Design { components: vec![], ..shop() };
    let response = evaluate(&design, &Registry::builtin(), now());
    assert!(response.actions.is_empty());
    assert_eq!(response.design, design);
}
