//! The two halves meet: a design imported from real manifests and from a
//! Compose file is evaluated against the built-in kubernetes model, and the
//! relationships a reader of those files would draw are found.

use meshcloud_content::evaluate::evaluate;
use meshcloud_content::import;
use meshcloud_content::model::{Design, Relationship};
use meshcloud_content::registry::Registry;

/// (kind, type, subType, from component, to component) with components named "Kind/name".
fn found(design: &Design) -> Vec<(String, String, String, String, String)> {
    let name = |id: &str| {
        design
            .components
            .iter()
            .find(|c| c.id == id)
            .map(|c| format!("{}/{}", c.component.kind, c.display_name))
            .unwrap_or_else(|| id.to_string())
    };
    let end = |r: &Relationship, side: &str| {
        r.selectors
            .iter()
            .filter_map(|s| s.pointer(&format!("/allow/{side}/0/id")).and_then(|v| v.as_str()))
            .map(name)
            .next()
            .unwrap_or_default()
    };
    let mut rows: Vec<_> = design
        .relationships
        .iter()
        .map(|r| (r.kind.clone(), r.rel_type.clone(), r.sub_type.clone(), end(r, "from"), end(r, "to")))
        .collect();
    rows.sort();
    rows
}

fn has(rows: &[(String, String, String, String, String)], sub_type: &str, from: &str, to: &str) -> bool {
    rows.iter().any(|r| r.2 == sub_type && r.3 == from && r.4 == to)
}

#[test]
fn imported_manifests_evaluate_to_the_relationships_they_describe() {
    let manifests = include_bytes!("data/manifests.yaml");
    let design = import::kubernetes(manifests, "shop", Registry::builtin_ref()).expect("imports");
    let evaluated = evaluate(&design, &Registry::builtin(), meshcloud_kernel::time::now());
    let rows = found(&evaluated.design);
    assert!(has(&rows, "inventory", "Deployment/web", "Namespace/shop"), "{rows:#?}");
    assert!(has(&rows, "network", "Service/web", "Deployment/web"), "{rows:#?}");
    assert!(has(&rows, "mount", "Deployment/web", "PersistentVolumeClaim/web-data"), "{rows:#?}");
    assert!(has(&rows, "reference", "Ingress/web", "Service/web"), "{rows:#?}");
    assert!(has(&rows, "reference", "Deployment/web", "ServiceAccount/web"), "{rows:#?}");
    assert!(!evaluated.actions.is_empty());
    // Evaluating the result again changes nothing.
    let again = evaluate(&evaluated.design, &Registry::builtin(), meshcloud_kernel::time::now());
    assert!(again.actions.is_empty(), "{:?}", again.actions);
    assert_eq!(again.design.version, evaluated.design.version);
}

#[test]
fn an_imported_compose_file_evaluates_too() {
    let compose = include_bytes!("data/compose.yaml");
    let design = import::compose(compose, "app").expect("imports");
    let evaluated = evaluate(&design, &Registry::builtin(), meshcloud_kernel::time::now());
    let rows = found(&evaluated.design);
    // Every Service kompose writes selects its own Deployment's pods.
    let services: Vec<_> = design.components.iter().filter(|c| c.component.kind == "Service").collect();
    assert!(!services.is_empty(), "the Compose file publishes ports");
    for service in services {
        let from = format!("Service/{}", service.display_name);
        let to = format!("Deployment/{}", service.display_name);
        assert!(has(&rows, "network", &from, &to), "{from} → {to} missing: {rows:#?}");
    }
}
