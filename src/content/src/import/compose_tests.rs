use super::*;
use crate::import::{export, kubernetes};
use crate::model::Component;

const COMPOSE: &str = include_str!("../../tests/data/compose.yaml");

fn find<'a>(design: &'a Design, kind: &str, name: &str) -> &'a Component {
    design
        .components
        .iter()
        .find(|c| c.component.kind == kind && c.display_name == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn label(name: &str) -> Value {
    json!({ SERVICE_LABEL: name })
}

#[test]
fn services_become_what_kompose_writes() {
    let design = compose(COMPOSE.as_bytes(), "shop").expect("converts");
    let kinds: Vec<(&str, &str, &str)> = design
        .components
        .iter()
        .map(|c| (c.component.kind.as_str(), c.component.version.as_str(), c.display_name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Deployment", "apps/v1", "db"),
            ("Service", "v1", "db"),
            ("ConfigMap", "v1", "db-env"),
            ("Deployment", "apps/v1", "web"),
            ("Service", "v1", "web"),
            ("ConfigMap", "v1", "web-env"),
            ("PersistentVolumeClaim", "v1", "db-claim1"),
            ("PersistentVolumeClaim", "v1", "db-data"),
            ("PersistentVolumeClaim", "v1", "static"),
        ]
    );
    for c in &design.components {
        assert_eq!(c.model.get("name"), Some(&json!("kubernetes")));
        // Everything is labelled with its service; a claim with its own name.
        let owner = c.display_name.trim_end_matches("-env");
        assert_eq!(c.configuration["metadata"]["labels"], label(owner), "{}", c.display_name);
    }

    let web = &find(&design, "Deployment", "web").configuration;
    assert_eq!(web["metadata"]["annotations"], json!({"com.example.tier": "frontend", DEPENDS_ON: "db"}));
    assert_eq!(web["spec"]["replicas"], 2);
    assert_eq!(web["spec"]["selector"], json!({"matchLabels": label("web")}));
    assert_eq!(web["spec"]["strategy"], json!({"type": "Recreate"}));
    let pod = &web["spec"]["template"];
    assert_eq!(pod["metadata"]["labels"], label("web"));
    assert_eq!(pod["spec"]["restartPolicy"], "Always");
    assert_eq!(pod["spec"]["volumes"], json!([{"name": "static", "persistentVolumeClaim": {"claimName": "static"}}]));
    let container = &pod["spec"]["containers"][0];
    assert_eq!(container["name"], "web");
    assert_eq!(container["image"], "ghcr.io/example/shop-web:1.4");
    assert_eq!(container["args"], json!(["gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi"]));
    assert!(container.get("command").is_none());
    assert_eq!(container["ports"], json!([{"containerPort": 8000, "protocol": "TCP"}]));
    assert_eq!(container["volumeMounts"], json!([{"name": "static", "mountPath": "/app/static"}]));
    let env_ref = |key: &str| json!({"name": key, "valueFrom": {"configMapKeyRef": {"name": "web-env", "key": key}}});
    assert_eq!(container["env"], json!([env_ref("DATABASE_HOST"), env_ref("DATABASE_PORT"), env_ref("DEBUG")]));

    let web_env = &find(&design, "ConfigMap", "web-env").configuration;
    assert_eq!(web_env["data"], json!({"DATABASE_HOST": "db", "DATABASE_PORT": "5432", "DEBUG": "false"}));

    let web_svc = &find(&design, "Service", "web").configuration;
    assert_eq!(web_svc["metadata"]["annotations"], json!({"com.example.tier": "frontend"}));
    assert_eq!(
        web_svc["spec"],
        json!({"type": "LoadBalancer", "selector": label("web"),
               "ports": [{"name": "8080", "port": 8080, "targetPort": 8000, "protocol": "TCP"}]})
    );

    let db = &find(&design, "Deployment", "db").configuration;
    assert_eq!(db["spec"]["replicas"], 1);
    assert!(db["metadata"].get("annotations").is_none());
    let container = &db["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["command"], json!(["docker-entrypoint.sh"]));
    assert_eq!(container["args"], json!(["postgres", "-c", "max_connections=200"]));
    assert_eq!(
        container["volumeMounts"],
        json!([{"name": "db-data", "mountPath": "/var/lib/postgresql/data"},
               {"name": "db-claim1", "mountPath": "/docker-entrypoint-initdb.d/init.sql", "readOnly": true}])
    );
    let db_svc = &find(&design, "Service", "db").configuration;
    assert_eq!(db_svc["spec"]["ports"], json!([{"name": "5432", "port": 5432, "targetPort": 5432, "protocol": "TCP"}]));
    assert!(db_svc["spec"].get("type").is_none());
    assert_eq!(find(&design, "ConfigMap", "db-env").configuration["data"]["POSTGRES_DB"], "shop");

    let data = &find(&design, "PersistentVolumeClaim", "db-data").configuration;
    assert_eq!(
        data["spec"],
        json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Mi"}}})
    );
    let init = &find(&design, "PersistentVolumeClaim", "db-claim1").configuration;
    assert_eq!(init["spec"]["accessModes"], json!(["ReadOnlyMany"]));
}

#[test]
fn a_converted_design_round_trips_through_manifests() {
    let design = compose(COMPOSE.as_bytes(), "shop").expect("converts");
    let again = kubernetes(export::kubernetes(&design).as_bytes(), "shop", crate::registry::Registry::builtin_ref())
        .expect("re-imports");
    assert_eq!(design.components, again.components);
}

#[test]
fn versions_two_three_and_none_are_read_others_refused() {
    for version in
        ["", "version: '2'\n", "version: \"2.4\"\n", "version: '3'\n", "version: \"3.9\"\n", "version: 3.8\n"]
    {
        let file = format!("{version}services:\n  a:\n    image: busybox\n");
        assert!(compose(file.as_bytes(), "v").is_ok(), "{version}");
    }
    for version in ["9", "1", "4.0", "3.x", "latest"] {
        let file = format!("version: \"{version}\"\nservices:\n  a:\n    image: busybox\n");
        assert_eq!(compose(file.as_bytes(), "v"), Err(ImportError::UnknownComposeVersion(version.into())));
    }
    let err = compose(b"version: \"9\"\nservices: {}\n", "v").expect_err("unknown").to_string();
    assert!(err.contains("unknown Compose file version \"9\""), "{err}");
}

#[test]
fn ports_in_every_syntax() {
    let file = b"services:
  app:
    image: app
    ports:
      - 3000
      - \"127.0.0.1:8443:443\"
      - \"9000-9001:7000-7001\"
      - \"53:53/udp\"
      - target: 80
        published: \"8081\"
        protocol: tcp
    expose: [\"6000/udp\"]
";
    let design = compose(file, "p").expect("converts");
    let svc = &find(&design, "Service", "app").configuration["spec"]["ports"];
    let summary: Vec<(u64, u64, String, String)> = svc
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| {
            let n = |k: &str| p[k].as_u64().expect("number");
            (n("port"), n("targetPort"), scalar(&p["protocol"]), scalar(&p["name"]))
        })
        .collect();
    let expect = [
        (3000, 3000, "TCP", "3000"),
        (8443, 443, "TCP", "8443"),
        (9000, 7000, "TCP", "9000"),
        (9001, 7001, "TCP", "9001"),
        (53, 53, "UDP", "53-udp"),
        (8081, 80, "TCP", "8081"),
        (6000, 6000, "UDP", "6000-udp"),
    ];
    let expect: Vec<(u64, u64, String, String)> =
        expect.iter().map(|(a, b, c, d)| (*a, *b, c.to_string(), d.to_string())).collect();
    assert_eq!(summary, expect);
}

#[test]
fn names_are_made_dns_safe_and_build_only_services_take_their_name() {
    let file = b"services:\n  My_App.v2:\n    build: .\n    tty: true\n    working_dir: /srv\n    environment: [A=1, B=2, A=3]\n";
    let design = compose(file, "n").expect("converts");
    let deploy = find(&design, "Deployment", "my-app-v2");
    let container = &deploy.configuration["spec"]["template"]["spec"]["containers"][0];
    assert_eq!((container["image"].as_str(), container["workingDir"].as_str()), (Some("my-app-v2"), Some("/srv")));
    assert_eq!(container["tty"], true);
    assert_eq!(container["env"].as_array().map(Vec::len), Some(2));
    let env = &find(&design, "ConfigMap", "my-app-v2-env").configuration["data"];
    assert_eq!(env, &json!({"A": "3", "B": "2"}));
    assert_eq!(design.components.len(), 2, "no ports: no Service");
}

#[test]
fn bad_compose_files_are_refused_naming_the_field() {
    let cases: [(&[u8], &str); 9] = [
        (b"services: [a, b]\n", "services: required"),
        (b"services:\n  web: nginx\n", "services.web: must be a mapping"),
        (b"services:\n  web: {}\n", "services.web: `image` is required"),
        (b"services:\n  web: {image: x, ports: [\"http\"]}\n", "services.web.ports[0]: \"http\" is not a port"),
        (b"services:\n  web: {image: x, ports: [\"70000\"]}\n", "services.web.ports[0]"),
        (b"services:\n  web: {image: x, depends_on: [db]}\n", "services.web.depends_on: no service \"db\""),
        (
            b"services:\n  web: {image: x, volumes: [\"data:/d\"]}\n",
            "services.web.volumes[0]: the volume \"data\" is not declared",
        ),
        (b"services:\n  web: {image: x, command: \"sh -c 'oops\"}\n", "services.web.command: unbalanced quotes"),
        (b"services:\n  web: {image: x, labels: {kompose.service.type: ingress}}\n", "kompose.service.type"),
    ];
    for (file, message) in cases {
        let err = compose(file, "bad").expect_err(message).to_string();
        assert!(err.contains(message), "{err} / {message}");
    }
    assert!(matches!(compose(b"- a\n", "bad"), Err(ImportError::NotMapping { .. })));
    assert!(matches!(compose(b"services: {\n", "bad"), Err(ImportError::NotYaml { .. })));
}

#[test]
fn shared_and_external_volumes() {
    let file = b"services:
  a: {image: a, volumes: [\"shared:/s\", \"outside:/o\", \"/tmp\", {type: tmpfs, target: /run}]}
  b: {image: b, volumes: [\"shared:/s:ro\"]}
volumes:
  shared: {}
  outside: {external: true}
";
    let design = compose(file, "v").expect("converts");
    let claims: Vec<&str> = design
        .components
        .iter()
        .filter(|c| c.component.kind == "PersistentVolumeClaim")
        .map(|c| c.display_name.as_str())
        .collect();
    assert_eq!(claims, ["a-claim2", "shared"]);
    let volumes = &find(&design, "Deployment", "a").configuration["spec"]["template"]["spec"]["volumes"];
    assert_eq!(volumes[1], json!({"name": "outside", "persistentVolumeClaim": {"claimName": "outside"}}));
    assert_eq!(volumes[3], json!({"name": "a-tmpfs3", "emptyDir": {"medium": "Memory"}}));
    // Mounted read-write by one service: the shared claim stays writable.
    let shared = &find(&design, "PersistentVolumeClaim", "shared").configuration;
    assert_eq!(shared["spec"]["accessModes"], json!(["ReadWriteOnce"]));
}

#[test]
fn anchors_and_merge_keys_are_resolved() {
    let file = b"x-common: &common
  image: busybox:1.36
  environment: {TZ: UTC}
services:
  one:
    <<: *common
    command: [sleep, \"1\"]
  two:
    <<: *common
    image: busybox:latest
";
    let design = compose(file, "m").expect("converts");
    let image = |name: &str| {
        find(&design, "Deployment", name).configuration["spec"]["template"]["spec"]["containers"][0]["image"].clone()
    };
    assert_eq!((image("one"), image("two")), (json!("busybox:1.36"), json!("busybox:latest")));
    assert_eq!(find(&design, "ConfigMap", "two-env").configuration["data"], json!({"TZ": "UTC"}));
}
