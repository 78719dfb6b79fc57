//! API7 certificates: upload, read, replace, delete; PEM parsing (key forms
//! and algorithms, chains, client CAs), the key/certificate match, expiry,
//! the private key sealed and never read back, lists ordered by expiry, the
//! permission matrix, and the expiry warnings of the `certificate_expiry` job.

use chrono::Datelike;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, SerialNumber, date_time_ymd,
};
use serde_json::{Value, json};

use crate::support::scheduler::{clocked_world_with, manual_clock, run_job, tick_to};
use crate::support::*;

const RSA_PKCS8: &str = include_str!("data/rsa_pkcs8.pem");
const RSA_PKCS1: &str = include_str!("data/rsa_pkcs1.pem");
const EC_PKCS8: &str = include_str!("data/ec_pkcs8.pem");
const EC_SEC1: &str = include_str!("data/ec_sec1.pem");

fn certificates(cp: &str) -> String {
    format!("/api/v1/controlplanes/{cp}/certificates")
}

type Day = (i32, u8, u8);

/// `days` from today (UTC), as a date rcgen takes.
fn day_in(days: i64) -> Day {
    let d = (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    (d.year(), d.month() as u8, d.day() as u8)
}

fn params(names: &[&str], cn: &str, from: Day, to: Day) -> CertificateParams {
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, "Example Org");
    p.distinguished_name = dn;
    p.not_before = date_time_ymd(from.0, from.1, from.2);
    p.not_after = date_time_ymd(to.0, to.1, to.2);
    p
}

fn rsa_key() -> KeyPair {
    KeyPair::from_pkcs8_pem_and_sign_algo(RSA_PKCS8, &rcgen::PKCS_RSA_SHA256).unwrap()
}

/// A self-signed certificate for `names` valid `from`..`to`, signed by `key`.
fn self_signed(key: &KeyPair, names: &[&str], from: Day, to: Day) -> String {
    params(names, names.first().copied().unwrap_or("no-san.example"), from, to).self_signed(key).unwrap().pem()
}

fn body(cert: &str, key: &str) -> Value {
    json!({"certificate": cert, "private_key": key})
}

/// A P-256 certificate for `names` valid for the next 1000 days, and its key.
fn ec_pair(names: &[&str], to_days: i64) -> (String, String) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    (self_signed(&key, names, day_in(-1), day_in(to_days)), key.serialize_pem())
}

#[track_caller]
fn assert_no_key(r: &Resp, key_pem: &str) {
    assert!(!r.text.contains("PRIVATE KEY"), "a private key in a response: {}", r.text);
    let line = key_pem.lines().nth(1).unwrap();
    assert!(!r.text.contains(line), "the private key's PEM in a response: {}", r.text);
}

async fn setup() -> (World, String) {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "cp").await;
    (w, cp)
}

#[tokio::test]
async fn upload_read_list_and_never_show_the_private_key() {
    let (w, cp) = setup().await;
    let base = certificates(&cp);
    let key = rsa_key();
    let mut p = params(&["www.example.com", "api.example.com"], "www.example.com", (2024, 1, 2), (2045, 6, 7));
    p.serial_number = Some(SerialNumber::from_slice(&[0x0a, 0xbc, 0xde]));
    let cert = p.self_signed(&key).unwrap().pem();
    let r =
        w.alice.post(&base, json!({"certificate": cert, "private_key": RSA_PKCS8, "labels": ["prod", "edge"]})).await;
    assert_no_key(&r, RSA_PKCS8);
    let v = r.api7();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["control_plane_id"], cp);
    assert_eq!(v["status"], 50);
    assert_eq!(v["certificate"], cert);
    assert_eq!(v["private_key"], "");
    assert_eq!(v["client_ca_certificate"], "");
    assert_eq!(v["labels"], json!(["edge", "prod"]));
    assert_eq!(v["type"], "server");
    assert_eq!(v["snis"], json!(["www.example.com", "api.example.com"]));
    assert_eq!(v["not_before"], "2024-01-02T00:00:00Z");
    assert_eq!(v["not_after"], "2045-06-07T00:00:00Z");
    assert_eq!(v["subject"], "CN=www.example.com, O=Example Org");
    assert_eq!(v["issuer"], "CN=www.example.com, O=Example Org");
    assert_eq!(v["serial_number"], "0abcde");
    assert_eq!(v["signature_algorithm"], "sha256WithRSAEncryption");
    assert!(v["created_at"].as_str().unwrap().ends_with('Z') && v["updated_at"].is_string(), "{v}");

    let got = w.carol.get(&format!("{base}/{id}")).await;
    assert_no_key(&got, RSA_PKCS8);
    assert_eq!(got.api7(), v);
    let list = w.carol.get(&base).await;
    assert_no_key(&list, RSA_PKCS8);
    assert_eq!(list.api7(), json!({"list": [v], "count": 1}));

    // At rest: sealed with the master key, the certificate's UUID as AAD.
    let n: i64 = id.parse().unwrap();
    let (uuid, sealed) = sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT uuid, private_key_sealed FROM gateway_certificates WHERE id = ?1", [n], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .unwrap()
    })
    .await;
    assert!(!String::from_utf8_lossy(&sealed).contains("PRIVATE KEY"));
    let master = meshcloud_kernel::secrets::load_key(None, &w.s.data_dir).unwrap().unwrap();
    let sealer = meshcloud_kernel::secrets::Sealer::new(&master);
    assert_eq!(sealer.open(&sealed, uuid.as_bytes()).unwrap(), RSA_PKCS8.as_bytes());
    assert!(sealer.open(&sealed, b"another row").is_err(), "the AAD binds the key to its row");
}

#[tokio::test]
async fn key_forms_and_algorithms() {
    let (w, cp) = setup().await;
    let base = certificates(&cp);
    // RSA, PKCS#1 key.
    let cert = self_signed(&rsa_key(), &["rsa1.example"], day_in(-1), day_in(100));
    let v = w.alice.post(&base, body(&cert, RSA_PKCS1)).await.api7();
    assert_eq!(
        (v["snis"].clone(), v["signature_algorithm"].clone()),
        (json!(["rsa1.example"]), json!("sha256WithRSAEncryption"))
    );
    // EC P-256: the PKCS#8 fixture signs, the same key uploaded in SEC1 form.
    let ec = KeyPair::from_pem(EC_PKCS8).unwrap();
    let cert = self_signed(&ec, &["ec.example"], day_in(-1), day_in(100));
    let v = w.alice.post(&base, body(&cert, EC_SEC1)).await.api7();
    assert_eq!(v["signature_algorithm"], "ecdsa-with-SHA256");
    w.alice.post(&base, body(&cert, EC_PKCS8)).await.api7();
    // EC P-384, PKCS#8.
    let p384 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let cert = self_signed(&p384, &["p384.example"], day_in(-1), day_in(100));
    let v = w.alice.post(&base, body(&cert, &p384.serialize_pem())).await.api7();
    assert_eq!(v["signature_algorithm"], "ecdsa-with-SHA384");
    // No DNS name: the subject common name is the SNI.
    let v = w.alice.post(&base, body(&self_signed(&ec, &[], day_in(-1), day_in(100)), EC_PKCS8)).await.api7();
    assert_eq!(v["snis"], json!(["no-san.example"]));
    // Ed25519 is not a key APISIX serves here: 400.
    let ed = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let cert = self_signed(&ed, &["ed.example"], day_in(-1), day_in(100));
    w.alice.post(&base, body(&cert, &ed.serialize_pem())).await.api7_error(400, 1);
    assert_eq!(w.alice.get(&base).await.api7()["count"], 5);
}

#[tokio::test]
async fn chains_and_client_cas() {
    let (w, cp) = setup().await;
    let base = certificates(&cp);
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = params(&[], "Example Root CA", day_in(-10), day_in(3000));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let leaf_key = rsa_key();
    let leaf =
        params(&["shop.example"], "shop.example", day_in(-1), day_in(365)).signed_by(&leaf_key, &issuer).unwrap().pem();

    // Leaf then CA: accepted and kept whole; the leaf describes the certificate.
    let chain = format!("{leaf}{ca}");
    let v = w
        .alice
        .post(&base, json!({"certificate": chain, "private_key": RSA_PKCS8, "client_ca_certificate": ca}))
        .await
        .api7();
    assert_eq!(v["certificate"], chain);
    assert_eq!(v["snis"], json!(["shop.example"]));
    assert_eq!(v["issuer"], "CN=Example Root CA, O=Example Org");
    assert_eq!(v["subject"], "CN=shop.example, O=Example Org");
    assert_eq!(v["signature_algorithm"], "ecdsa-with-SHA256", "the CA signed the leaf");
    assert_eq!(v["client_ca_certificate"], ca);
    // CA first: the leaf's key does not match the first certificate.
    let e = w.alice.post(&base, body(&format!("{ca}{leaf}"), RSA_PKCS8)).await.api7_error(400, 1);
    assert_eq!(e, "the private key does not match the certificate");
    // The SDK's `ca_certificate` is read as client_ca_certificate; type client.
    let (cert, key) = ec_pair(&["client.example"], 100);
    let v = w
        .alice
        .post(&base, json!({"certificate": cert, "private_key": key, "ca_certificate": ca, "type": "client"}))
        .await
        .api7();
    assert_eq!((v["client_ca_certificate"].clone(), v["type"].clone()), (json!(ca), json!("client")));
    let v = w.alice.get(&format!("{base}/{}", v["id"].as_str().unwrap())).await.api7();
    assert_eq!(v["type"], "client");
}

#[tokio::test]
async fn certificates_that_break_a_rule_are_400_and_change_nothing() {
    let (w, cp) = setup().await;
    let base = certificates(&cp);
    let (cert, key) = ec_pair(&["ok.example"], 100);
    let (_, other_key) = ec_pair(&["other.example"], 100);
    let expired = self_signed(&rsa_key(), &["old.example"], (2019, 1, 1), (2020, 1, 1));
    let ca_text = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".repeat(3);
    let enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQI\n-----END ENCRYPTED PRIVATE KEY-----\n".repeat(2);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"private_key": key}), "certificate"),
        (json!({"certificate": cert}), "private_key"),
        (body(&expired, RSA_PKCS8), "expired"),
        (body(&cert, &other_key), "does not match"),
        (body(&cert, RSA_PKCS8), "does not match"),
        (body(&"x".repeat(200), &key), "PEM"),
        (body(&cert, &"x".repeat(200)), "PEM"),
        (body(&cert[..100], &key), "128"),
        (body(&"y".repeat(65537), &key), "65536"),
        (body(&cert, &cert), "PRIVATE KEY"),
        (body(&key, &key), "CERTIFICATE"),
        (body(&ca_text, &key), "X.509"),
        (body(&cert, &enc), "encrypted"),
        (json!({"certificate": cert, "private_key": key, "type": "proxy"}), "type"),
        (
            json!({"certificate": cert, "private_key": key, "client_ca_certificate": "z".repeat(300)}),
            "client_ca_certificate",
        ),
        (json!({"certificate": cert, "private_key": key, "client_ca_certificate": "short"}), "client_ca_certificate"),
        (json!({"certificate": cert, "private_key": key, "labels": ["a b"]}), "label"),
        (json!({"certificate": cert, "private_key": key, "labels": ["a", "a"]}), "label"),
        (json!({"certificate": 5, "private_key": key}), "string"),
    ];
    for (b, word) in &cases {
        let e = w.alice.post(&base, b.clone()).await.api7_error(400, 1);
        assert!(e.contains(word), "{word:?} not in {e:?} for {b}");
    }
    assert_eq!(w.alice.get(&base).await.api7()["count"], 0, "nothing was stored");

    // A certificate not valid yet is accepted (it will be).
    let future = self_signed(&rsa_key(), &["soon.example"], day_in(400), day_in(800));
    let v = w.alice.post(&base, body(&future, RSA_PKCS8)).await.api7();
    let one = format!("{base}/{}", v["id"].as_str().unwrap());
    // The same rules on PUT; the certificate stays as it was.
    for (b, _) in &cases {
        w.alice.put(&one, b.clone()).await.api7_error(400, 1);
    }
    assert_eq!(w.alice.get(&one).await.api7(), v);

    // Ids.
    w.alice.get(&format!("{base}/0")).await.api7_error(400, 1);
    w.alice.get("/api/v1/controlplanes/abc/certificates").await.api7_error(400, 1);
    w.alice.get(&format!("{base}/999999")).await.api7_error(404, 4);
    w.alice.put(&format!("{base}/999999"), body(&cert, &key)).await.api7_error(404, 4);
    w.alice.post("/api/v1/controlplanes/999999/certificates", body(&cert, &key)).await.api7_error(404, 4);
    let other = w.seed_control_plane(&w.org_a, "cp2").await;
    w.alice.get(&format!("{}/{}", certificates(&other), v["id"].as_str().unwrap())).await.api7_error(404, 4);
}

async fn config_version(w: &World, cp: &str) -> i64 {
    let cp: i64 = cp.parse().unwrap();
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT config_version FROM gateway_control_planes WHERE id = ?1", [cp], |r| r.get(0)).unwrap()
    })
    .await
}

#[tokio::test]
async fn put_replaces_and_delete_removes() {
    let (w, cp) = setup().await;
    let base = certificates(&cp);
    let (cert, key) = ec_pair(&["a.example"], 100);
    let v0 = w.alice.post(&base, json!({"certificate": cert, "private_key": key, "labels": ["x"]})).await.api7();
    let one = format!("{base}/{}", v0["id"].as_str().unwrap());
    let version = config_version(&w, &cp).await;

    let (cert2, key2) = ec_pair(&["b.example", "c.example"], 200);
    let r =
        w.alice.put(&one, json!({"certificate": cert2, "private_key": key2, "labels": ["y"], "type": "Client"})).await;
    assert_no_key(&r, &key2);
    let v = r.api7();
    assert_eq!(v["id"], v0["id"]);
    assert_eq!(v["created_at"], v0["created_at"]);
    assert_ne!(v["updated_at"], v0["updated_at"]);
    assert_eq!((v["certificate"].clone(), v["snis"].clone()), (json!(cert2), json!(["b.example", "c.example"])));
    assert_eq!((v["labels"].clone(), v["type"].clone()), (json!(["y"]), json!("client")));
    assert_ne!(v["not_after"], v0["not_after"]);
    assert_eq!(w.carol.get(&one).await.api7(), v);
    assert!(config_version(&w, &cp).await > version);

    let version = config_version(&w, &cp).await;
    assert_eq!(w.alice.delete(&one).await.api7(), Value::Null);
    assert!(config_version(&w, &cp).await > version);
    w.alice.get(&one).await.api7_error(404, 4);
    w.alice.delete(&one).await.api7_error(404, 4);
    w.alice.put(&one, body(&cert, &key)).await.api7_error(404, 4);
    assert_eq!(w.alice.get(&base).await.api7(), json!({"list": [], "count": 0}));
    let (events, labels) = sql(&w.s.data_dir, |c| {
        let mut s = c.prepare("SELECT action FROM events WHERE category = 'certificate' ORDER BY id").unwrap();
        let e = s.query_map([], |r| r.get::<_, String>(0)).unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        (e, c.query_row("SELECT count(*) FROM gateway_certificate_labels", [], |r| r.get::<_, i64>(0)).unwrap())
    })
    .await;
    assert_eq!(events, ["create", "update", "delete"]);
    assert_eq!(labels, 0);
}

#[tokio::test]
async fn lists_order_by_expiry_time_page_and_filter_by_labels() {
    let (w, cp) = setup().await;
    let base = certificates(&cp);
    // Created in this order; they expire in another.
    for (name, days, labels) in
        [("mid", 200, json!(["a"])), ("late", 900, json!(["a", "b"])), ("soon", 50, json!(["b"]))]
    {
        let (cert, key) = ec_pair(&[&format!("{name}.example")], days);
        w.alice.post(&base, json!({"certificate": cert, "private_key": key, "labels": labels})).await.api7();
    }
    let snis = |v: &Value| {
        v["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["snis"][0].as_str().unwrap().trim_end_matches(".example").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(snis(&w.carol.get(&base).await.api7()), ["soon", "late", "mid"], "default: updated_at DESC");
    assert_eq!(
        snis(&w.carol.get(&format!("{base}?order_by=expiry_time&direction=ASC")).await.api7()),
        ["soon", "mid", "late"]
    );
    assert_eq!(snis(&w.carol.get(&format!("{base}?order_by=expiry_time")).await.api7()), ["late", "mid", "soon"]);
    assert_eq!(
        snis(&w.carol.get(&format!("{base}?order_by=created_at&direction=asc")).await.api7()),
        ["mid", "late", "soon"]
    );
    let p = w.carol.get(&format!("{base}?order_by=expiry_time&direction=desc&page=2&page_size=2")).await.api7();
    assert_eq!((p["count"].clone(), snis(&p)), (json!(3), vec!["soon".to_string()]));
    assert_eq!(w.carol.get(&format!("{base}?page=2&page_size=3")).await.api7(), json!({"list": [], "count": 3}));
    assert_eq!(w.carol.get(&format!("{base}?page_size=100000")).await.api7()["list"].as_array().unwrap().len(), 3);
    let mut a = snis(&w.carol.get(&format!("{base}?labels=a")).await.api7());
    a.sort();
    assert_eq!(a, ["late", "mid"]);
    assert_eq!(snis(&w.carol.get(&format!("{base}?labels=a,b")).await.api7()), ["late"]);
    assert_eq!(w.carol.get(&format!("{base}?labels=zzz")).await.api7(), json!({"list": [], "count": 0}));
    for q in ["page=0", "page_size=-1", "order_by=not_after", "order_by=name", "direction=sideways", "labels=%21"] {
        w.carol.get(&format!("{base}?{q}")).await.api7_error(400, 1);
    }
}

#[tokio::test]
async fn permission_matrix() {
    let (w, cp) = setup().await;
    let base = certificates(&cp);
    let (cert, key) = ec_pair(&["perm.example"], 100);
    let v = w.alice.post(&base, body(&cert, &key)).await.api7();
    let one = format!("{base}/{}", v["id"].as_str().unwrap());
    // Provider admin: everything.
    w.admin.get(&base).await.api7();
    w.admin.get(&one).await.api7();
    w.admin.put(&one, body(&cert, &key)).await.api7();
    let by_admin = w.admin.post(&base, body(&cert, &key)).await.api7();
    w.admin.delete(&format!("{base}/{}", by_admin["id"].as_str().unwrap())).await.api7();
    // Member: reads only; refused before the body is looked at.
    w.carol.get(&base).await.api7();
    w.carol.get(&one).await.api7();
    w.carol.post(&base, body(&cert, &key)).await.api7_error(403, 7);
    w.carol.post(&base, body(&cert, "not a key at all, but long enough to pass the length rule ......................................................")).await.api7_error(403, 7);
    w.carol.put(&one, body(&cert, &key)).await.api7_error(403, 7);
    w.carol.delete(&one).await.api7_error(403, 7);
    // Another organization's member: nothing exists.
    for r in [
        w.dave.get(&base).await,
        w.dave.get(&one).await,
        w.dave.post(&base, body(&cert, &key)).await,
        w.dave.put(&one, body(&cert, &key)).await,
        w.dave.delete(&one).await,
    ] {
        r.api7_error(404, 4);
    }
    let anon = w.s.anon();
    for r in [
        anon.get(&base).await,
        anon.get(&one).await,
        anon.post(&base, body(&cert, &key)).await,
        anon.put(&one, body(&cert, &key)).await,
        anon.delete(&one).await,
    ] {
        r.api7_error(401, 6);
    }
    assert_eq!(w.alice.get(&base).await.api7()["count"], 1);
}

async fn warnings(w: &World) -> Vec<(String, String)> {
    sql(&w.s.data_dir, |c| {
        let mut s = c
            .prepare("SELECT acted_upon, description FROM events WHERE category = 'certificate' AND action = 'expiring' ORDER BY id")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<Vec<_>, _>>().unwrap()
    })
    .await
}

async fn uuid_of(w: &World, id: &str) -> String {
    let id: i64 = id.parse().unwrap();
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT uuid FROM gateway_certificates WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    })
    .await
}

#[tokio::test]
async fn the_expiry_job_warns_once_per_certificate_until_it_is_replaced() {
    let clock = manual_clock();
    let w = clocked_world_with(&clock, |c| c.certificate_expiry_schedule = "* * * * * *".into()).await;
    let cp = w.seed_control_plane(&w.org_a, "edge").await;
    let base = certificates(&cp);
    let mut ids = vec![];
    for (name, days) in [("soon", 10), ("later", 40), ("far", 400)] {
        let (cert, key) = ec_pair(&[&format!("{name}.example")], days);
        ids.push(w.alice.post(&base, body(&cert, &key)).await.api7()["id"].as_str().unwrap().to_string());
    }
    let (soon, later) = (uuid_of(&w, &ids[0]).await, uuid_of(&w, &ids[1]).await);

    run_job(&w.s, &clock, "certificate_expiry").await;
    let got = warnings(&w).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, soon);
    assert!(got[0].1.contains("soon.example") && got[0].1.contains("edge"), "{got:?}");
    run_job(&w.s, &clock, "certificate_expiry").await;
    assert_eq!(warnings(&w).await.len(), 1, "warned once");

    // Fifteen days on, "later" has 25 days left.
    tick_to(&clock, clock.now() + chrono::Duration::days(15)).await;
    run_job(&w.s, &clock, "certificate_expiry").await;
    let got = warnings(&w).await;
    assert_eq!(got.iter().map(|g| g.0.clone()).collect::<Vec<_>>(), [soon.clone(), later.clone()]);
    run_job(&w.s, &clock, "certificate_expiry").await;
    assert_eq!(warnings(&w).await.len(), 2);
    let warned = sql(&w.s.data_dir, |c| {
        c.query_row("SELECT count(*) FROM gateway_certificates WHERE expiry_warned_at IS NOT NULL", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    })
    .await;
    assert_eq!(warned, 2);

    // Replacing "later" with a certificate that also expires within 30 days
    // (of the moved clock) makes a new warning due; one far off does not.
    let (cert, key) = ec_pair(&["later2.example"], 41);
    w.alice.put(&format!("{base}/{}", ids[1]), body(&cert, &key)).await.api7();
    let (cert, key) = ec_pair(&["soon2.example"], 500);
    w.alice.put(&format!("{base}/{}", ids[0]), body(&cert, &key)).await.api7();
    run_job(&w.s, &clock, "certificate_expiry").await;
    let got = warnings(&w).await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[2].0, later);
    assert!(got[2].1.contains("later2.example"), "{got:?}");
    run_job(&w.s, &clock, "certificate_expiry").await;
    assert_eq!(warnings(&w).await.len(), 3);
}
