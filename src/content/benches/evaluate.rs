//! Relationship evaluation of a generated Kubernetes design: 1,000
//! components by default (40 namespaces, each a Namespace and four apps of
//! Deployment, Service, ConfigMap, Secret, PersistentVolumeClaim and
//! ServiceAccount that reference each other), then 5× that to show the
//! cost grows with the components, not with their pairs.
//! Run: `bench/evaluate.sh` = `cargo bench -p meshcloud-content --bench evaluate`
//! (release build). `MESHCLOUD_BENCH_COMPONENTS` (default 1000) changes the
//! size; `MESHCLOUD_BENCH_ROUNDS` (default 20) the evaluations per row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use meshcloud_content::evaluate::evaluate;
use meshcloud_content::model::Design;
use meshcloud_content::registry::Registry;
use serde_json::{Value, json};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn component(id: String, api: &str, kind: &str, object: Value) -> Value {
    json!({"id": id, "displayName": object["metadata"]["name"], "component": {"kind": kind, "version": api},
           "model": {"name": "kubernetes"}, "configuration": object})
}

/// About `size` components, 25 per namespace.
fn design(size: usize) -> Design {
    let mut components = Vec::with_capacity(size);
    for n in 0..size.div_ceil(25) {
        let ns = format!("ns-{n}");
        components.push(component(ns.clone(), "v1", "Namespace", json!({"metadata": {"name": ns}})));
        for a in 0..4 {
            let app = format!("app-{a}");
            let meta = |name: String| json!({"name": name, "namespace": ns, "labels": {"app": app, "team": "t"}});
            let id = |what: &str| format!("{ns}-{app}-{what}");
            components.push(component(
                id("deploy"),
                "apps/v1",
                "Deployment",
                json!({"metadata": meta(app.clone()),
                "spec": {"template": {"metadata": {"labels": {"app": app, "team": "t", "tier": "web"}},
                    "spec": {"serviceAccountName": app,
                        "containers": [{"name": "c", "image": "nginx", "envFrom": [{"secretRef": {"name": app}}]}],
                        "volumes": [{"name": "cfg", "configMap": {"name": app}},
                                    {"name": "data", "persistentVolumeClaim": {"claimName": app}}]}}}}),
            ));
            components.push(component(
                id("svc"),
                "v1",
                "Service",
                json!({"metadata": meta(app.clone()),
                "spec": {"selector": {"app": app, "team": "t"}}}),
            ));
            components.push(component(id("cm"), "v1", "ConfigMap", json!({"metadata": meta(app.clone())})));
            components.push(component(id("secret"), "v1", "Secret", json!({"metadata": meta(app.clone())})));
            components.push(component(
                id("pvc"),
                "v1",
                "PersistentVolumeClaim",
                json!({"metadata": meta(app.clone())}),
            ));
            components.push(component(id("sa"), "v1", "ServiceAccount", json!({"metadata": meta(app.clone())})));
        }
    }
    components.truncate(size);
    serde_json::from_value(json!({"name": "bench", "version": "0.0.1", "components": components})).expect("a design")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn row(size: usize, rounds: usize, registry: &Registry) {
    let fresh = design(size);
    let now = chrono::Utc::now();
    let (mut first, mut again) = (Vec::new(), Vec::new());
    let mut found = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let evaluated = evaluate(&fresh, registry, now);
        first.push(t.elapsed());
        found = evaluated.design.relationships.len();
        let t = Instant::now();
        let second = evaluate(&evaluated.design, registry, now);
        again.push(t.elapsed());
        assert!(second.actions.is_empty(), "re-evaluation is a no-op");
    }
    println!(
        "{:>10} {:>14} {:>16.1} {:>16.1} {:>16.1}",
        fresh.components.len(),
        found,
        median(first.clone()).as_secs_f64() * 1e3,
        first.iter().max().unwrap().as_secs_f64() * 1e3,
        median(again).as_secs_f64() * 1e3,
    );
}

fn main() {
    let size = env_usize("MESHCLOUD_BENCH_COMPONENTS", 1000);
    let rounds = env_usize("MESHCLOUD_BENCH_ROUNDS", 20).max(1);
    let registry = Registry::builtin();
    println!("relationship evaluation, {rounds} rounds per row (ms)");
    println!(
        "{:>10} {:>14} {:>16} {:>16} {:>16}",
        "components", "relationships", "first p50", "first max", "re-eval p50"
    );
    row(size, rounds, &registry);
    row(size * 5, rounds.div_ceil(4), &registry);
}
