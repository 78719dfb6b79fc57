//! The chart `helm create mychart` writes (committed under tests/data),
//! rendered and imported; charts the engine refuses.

use super::*;
use serde_json::json;

macro_rules! chart_file {
    ($path:literal) => {
        (concat!("mychart/", $path), &include_bytes!(concat!("../../../tests/data/mychart/", $path))[..])
    };
}

fn mychart_files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        chart_file!("Chart.yaml"),
        chart_file!("values.yaml"),
        chart_file!(".helmignore"),
        chart_file!("templates/_helpers.tpl"),
        chart_file!("templates/deployment.yaml"),
        chart_file!("templates/service.yaml"),
        chart_file!("templates/serviceaccount.yaml"),
        chart_file!("templates/ingress.yaml"),
        chart_file!("templates/hpa.yaml"),
        chart_file!("templates/NOTES.txt"),
        chart_file!("templates/tests/test-connection.yaml"),
    ]
}

/// (kind, name) of each component, sorted.
fn kinds(d: &Design) -> Vec<(String, String)> {
    let mut rows: Vec<_> = d.components.iter().map(|c| (c.component.kind.clone(), c.display_name.clone())).collect();
    rows.sort();
    rows
}

fn config<'a>(d: &'a Design, kind: &str) -> &'a Map<String, Json> {
    &d.components.iter().find(|c| c.component.kind == kind).unwrap_or_else(|| panic!("no {kind}")).configuration
}

#[test]
fn the_helm_create_chart_renders_as_helm_template_does() {
    let d = helm(&archive::pack(&mychart_files()), "mychart", None, Registry::builtin_ref()).expect("imports");
    let expected = [("Deployment", "mychart"), ("Pod", "mychart-test-connection"), ("Service", "mychart")];
    let expected: Vec<_> = expected.iter().map(|(k, n)| (k.to_string(), n.to_string())).collect();
    let mut with_sa = expected.clone();
    with_sa.push(("ServiceAccount".into(), "mychart".into()));
    with_sa.sort();
    assert_eq!(kinds(&d), with_sa);
    let deploy = Json::Object(config(&d, "Deployment").clone());
    assert_eq!(deploy["spec"]["replicas"], 1);
    assert_eq!(deploy["metadata"]["labels"]["helm.sh/chart"], "mychart-0.1.0");
    assert_eq!(deploy["metadata"]["labels"]["app.kubernetes.io/version"], "1.16.0");
    assert_eq!(deploy["metadata"]["labels"]["app.kubernetes.io/managed-by"], "Helm");
    let container = &deploy["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "nginx:1.16.0");
    assert_eq!(container["livenessProbe"]["httpGet"]["port"], "http");
    assert_eq!(deploy["spec"]["template"]["spec"]["serviceAccountName"], "mychart");
    assert_eq!(
        deploy["spec"]["selector"]["matchLabels"],
        json!({"app.kubernetes.io/name": "mychart", "app.kubernetes.io/instance": "mychart"})
    );
    // The same archive is the same design.
    let again = helm(&archive::pack(&mychart_files()), "mychart", None, Registry::builtin_ref()).expect("imports");
    assert_eq!(again.id, d.id);
}

#[test]
fn values_override_the_charts_own() {
    let over = parse_values(
        "replicaCount: 3\nfullnameOverride: shop\nserviceAccount: {create: false}\n\
         ingress:\n  enabled: true\n  className: nginx\n  tls: [{secretName: t, hosts: [shop.example]}]\n",
    )
    .expect("values");
    let d = helm(&archive::pack(&mychart_files()), "mychart", Some(&over), Registry::builtin_ref()).expect("imports");
    let names = kinds(&d);
    assert!(names.contains(&("Ingress".into(), "shop".into())), "{names:?}");
    assert!(!names.iter().any(|(k, _)| k == "ServiceAccount"), "{names:?}");
    let deploy = Json::Object(config(&d, "Deployment").clone());
    assert_eq!(deploy["spec"]["replicas"], 3);
    assert_eq!(deploy["spec"]["template"]["spec"]["serviceAccountName"], "default");
    let ingress = Json::Object(config(&d, "Ingress").clone());
    assert_eq!(ingress["spec"]["ingressClassName"], "nginx");
    assert_eq!(ingress["spec"]["tls"][0]["hosts"][0], "shop.example");
    let backend = &ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
    assert_eq!(backend["name"], "shop");
    assert_eq!(backend["port"]["number"], 80);
    // JSON works as well; autoscaling swaps the replica count for an HPA.
    let over = parse_values(r#"{"autoscaling": {"enabled": true, "maxReplicas": 7}}"#).expect("json");
    let d = helm(&archive::pack(&mychart_files()), "mychart", Some(&over), Registry::builtin_ref()).expect("imports");
    let hpa = Json::Object(config(&d, "HorizontalPodAutoscaler").clone());
    assert_eq!(hpa["spec"]["maxReplicas"], 7);
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
    assert!(Json::Object(config(&d, "Deployment").clone())["spec"].get("replicas").is_none());
    assert!(parse_values("- a\n- b\n").is_err());
    assert!(parse_values("a: [\n").is_err());
}

fn chart(templates: &[(&str, &str)]) -> Vec<u8> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("c/Chart.yaml".into(), b"apiVersion: v2\nname: c\nversion: 1.0.0\n".to_vec()),
        ("c/values.yaml".into(), b"name: web\n".to_vec()),
    ];
    files.extend(templates.iter().map(|(p, t)| (format!("c/templates/{p}"), t.as_bytes().to_vec())));
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    archive::pack(&refs)
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n";

#[test]
fn charts_the_engine_cannot_render_are_refused_with_the_reason() {
    let e = helm(&chart(&[("cm.yaml", "{{ randAlphaNum 5 }}\n")]), "c", None, Registry::builtin_ref())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "the chart's template c/templates/cm.yaml uses the template function \"randAlphaNum\", which meshcloud does not support"
    );
    let e = helm(
        &chart(&[("cm.yaml", "{{ required \"name is required\" .Values.nope }}")]),
        "c",
        None,
        Registry::builtin_ref(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("c/templates/cm.yaml") && e.to_string().contains("name is required"), "{e}");
    let e = helm(&chart(&[("cm.yaml", "{{ if }}")]), "c", None, Registry::builtin_ref()).unwrap_err().to_string();
    assert!(e.starts_with("the chart's template c/templates/cm.yaml does not parse"), "{e}");
    let e = helm(&chart(&[("cm.yaml", "a: [\n")]), "c", None, Registry::builtin_ref()).unwrap_err().to_string();
    assert!(e.contains("c/templates/cm.yaml renders to text that is not valid YAML"), "{e}");
    let e = helm(&chart(&[("cm.yaml", "{{ if false }}x: 1{{ end }}")]), "c", None, Registry::builtin_ref())
        .unwrap_err()
        .to_string();
    assert!(e.contains("renders no Kubernetes objects"), "{e}");
    let loops = "{{- define \"a\" }}{{ include \"a\" . }}{{ end }}{{ include \"a\" . }}";
    let e = helm(&chart(&[("cm.yaml", loops)]), "c", None, Registry::builtin_ref()).unwrap_err().to_string();
    assert!(e.contains("nest deeper than 64"), "{e}");
    let recursion = "{{- define \"b\" }}{{ template \"b\" . }}{{ end }}{{ template \"b\" . }}";
    let e = helm(&chart(&[("cm.yaml", recursion)]), "c", None, Registry::builtin_ref()).unwrap_err().to_string();
    assert!(e.contains("template \"b\" calls itself"), "{e}");
    let dynamic = "{{ template (print \"b\") . }}";
    let e = helm(&chart(&[("cm.yaml", dynamic)]), "c", None, Registry::builtin_ref()).unwrap_err().to_string();
    assert!(e.contains("a template name must be a string constant"), "{e}");
    let endless =
        format!("{{{{ range until 10000 }}}}{{{{ range until 10000 }}}}{}{{{{ end }}}}{{{{ end }}}}", "x".repeat(1024));
    let e = helm(&chart(&[("cm.yaml", &endless)]), "c", None, Registry::builtin_ref()).unwrap_err().to_string();
    assert!(e.contains("c/templates/cm.yaml failed: the chart renders to more than 16 MiB"), "{e}");
    let none = archive::pack(&[("c/values.yaml", b"a: 1")]);
    assert!(helm(&none, "c", None, Registry::builtin_ref()).unwrap_err().to_string().contains("no Chart.yaml"));
    let traversal = archive::pack(&[("c/Chart.yaml", b"name: c"), ("../../etc/x", b"a")]);
    assert!(helm(&traversal, "c", None, Registry::builtin_ref()).unwrap_err().to_string().contains("leaves the chart"));
}

#[test]
fn subcharts_render_with_their_own_values_scope() {
    let sub_chart: &[(&str, &[u8])] = &[
        ("db/Chart.yaml", b"apiVersion: v2\nname: db\nversion: 0.1.0\n"),
        ("db/values.yaml", b"size: small\nname: db\n"),
        ("db/templates/cm.yaml", CM.as_bytes()),
        (
            "db/templates/size.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: size-{{ .Values.size }}-{{ .Values.global.env }}}\n",
        ),
    ];
    let packed = archive::pack(sub_chart);
    let parent = |values: &[u8]| {
        archive::pack(&[
            ("app/Chart.yaml", &b"apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- {name: db, version: 0.1.0, condition: db.enabled}\n- {name: cache, alias: redis, version: 1.0.0}\n"[..]),
            ("app/values.yaml", values),
            ("app/templates/cm.yaml", CM.as_bytes()),
            ("app/charts/db-0.1.0.tgz", &packed),
            ("app/charts/cache/Chart.yaml", b"name: cache\nversion: 1.0.0\n"),
            ("app/charts/cache/templates/cm.yaml", CM.as_bytes()),
            ("app/charts/cache/values.yaml", b"name: cache\n"),
        ])
    };
    let d = helm(
        &parent(b"name: app\nglobal: {env: prod}\ndb: {size: large}\nredis: {name: redis}\n"),
        "app",
        None,
        Registry::builtin_ref(),
    )
    .expect("imports");
    let names: Vec<String> = kinds(&d).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["app", "db", "redis", "size-large-prod"]);
    let d =
        helm(&parent(b"name: app\nglobal: {env: prod}\ndb: {enabled: false}\n"), "app", None, Registry::builtin_ref())
            .expect("imports");
    let names: Vec<String> = kinds(&d).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["app", "cache"]);
}
