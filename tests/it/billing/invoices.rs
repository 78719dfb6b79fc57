//! `GET /api/entitlement/invoices`, one invoice, and its printable page.

use meshcloud_kernel::time;
use serde_json::Value;

use super::seed::{self, NewInv};
use crate::support::*;

fn numbers(v: &Value) -> Vec<String> {
    strs(&v["invoices"], "number")
}

#[tokio::test]
async fn an_organizations_invoices_newest_first_paged_and_filtered_by_status() {
    let w = world().await;
    let a = &w.org_a;
    let first = seed::offline_subscription(&w.s, a, "incomplete", 2).await;
    let now = time::now();
    let paid = NewInv { status: "paid", ..NewInv::open(1, now - chrono::Duration::days(40)) };
    let paid = seed::invoice(&w.s, first.sub_id, &paid).await;
    let void = NewInv { status: "void", ..NewInv::open(3, now - chrono::Duration::days(80)) };
    let void = seed::invoice(&w.s, first.sub_id, &void).await;
    let open = &first.invoice;

    let all = w.alice.get(&format!("/api/entitlement/invoices?orgId={a}")).await.expect(200);
    assert_eq!(numbers(&all), [open.number.as_str(), paid.number.as_str(), void.number.as_str()], "{all}");
    assert_eq!(
        (all["page"].as_u64(), all["page_size"].as_u64(), all["total_count"].as_u64()),
        (Some(0), Some(10), Some(3))
    );
    let inv = &all["invoices"][0];
    assert_eq!(inv["id"], open.id.as_str());
    assert_eq!(inv["organization_id"], a.as_str());
    assert_eq!(inv["subscription_id"], first.sub.as_str());
    assert_eq!(inv["status"], "open");
    // The reference a transfer quotes: the pending payment's client secret.
    let secret = &open.payment.as_ref().expect("a pending payment").1;
    assert_eq!(inv["payment_reference"], secret.as_str(), "{inv}");
    assert!(all["invoices"][1].get("payment_reference").is_none(), "a paid invoice has none: {all}");
    assert_eq!(inv["billing_reason"], "subscription_create");
    assert_eq!(
        (inv["subtotal"].as_i64(), inv["total"].as_i64(), inv["amount_due"].as_i64()),
        (Some(3000), Some(3000), Some(3000))
    );
    assert_eq!(inv["lines"][0]["quantity"], 2);
    assert_eq!(inv["lines"][0]["unit_amount"], 1500);
    assert_eq!(all["invoices"][1]["amount_due"], 0, "a paid invoice owes nothing: {all}");

    // The org in context (header, else the caller's first organization).
    let ctx = w.alice.ctx(a).get("/api/entitlement/invoices").await.expect(200);
    assert_eq!(ctx["total_count"], 3);
    let mine = w.alice.get("/api/entitlement/invoices").await.expect(200);
    assert_eq!(mine["total_count"], 3);

    let p = w.alice.get(&format!("/api/entitlement/invoices?orgId={a}&page=1&pagesize=2")).await.expect(200);
    assert_eq!(numbers(&p), [void.number.as_str()]);
    assert_eq!((p["page"].as_u64(), p["page_size"].as_u64(), p["total_count"].as_u64()), (Some(1), Some(2), Some(3)));
    let oldest = w.alice.get(&format!("/api/entitlement/invoices?orgId={a}&order=created_at%20asc")).await.expect(200);
    assert_eq!(numbers(&oldest), [void.number.as_str(), paid.number.as_str(), open.number.as_str()]);

    let by = |q: &'static str| {
        let (alice, a) = (w.alice.clone(), a.clone());
        async move { numbers(&alice.get(&format!("/api/entitlement/invoices?orgId={a}&{q}")).await.expect(200)) }
    };
    assert_eq!(by("status=paid").await, [paid.number.as_str()]);
    assert_eq!(by("status=open&status=void").await, [open.number.as_str(), void.number.as_str()]);
    assert_eq!(by("status%5B%5D=void").await, [void.number.as_str()]);
    assert_eq!(by("status=open,paid").await, [open.number.as_str(), paid.number.as_str()]);
    // A status invoices do not have is refused, as the subscriptions list does.
    let r = w.alice.get(&format!("/api/entitlement/invoices?orgId={a}&status=draft")).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("status"), "{}", r.text);

    // Another organization's list holds none of them.
    let b = w.admin.get(&format!("/api/entitlement/invoices?orgId={}", w.org_b)).await.expect(200);
    assert_eq!(b["total_count"], 0, "{b}");
}

#[tokio::test]
async fn invoices_are_read_with_the_billing_key_of_their_organization() {
    let w = world().await;
    let a = &w.org_a;
    let seeded = seed::offline_subscription(&w.s, a, "incomplete", 1).await;
    let id = &seeded.invoice.id;
    let one = format!("/api/entitlement/invoices/{id}");
    let page = format!("/api/entitlement/invoices/{id}/html");
    let list = format!("/api/entitlement/invoices?orgId={a}");

    let got = w.alice.get(&one).await.expect(200);
    assert_eq!(got["number"], seeded.invoice.number.as_str());
    assert_eq!(got["lines"].as_array().map(Vec::len), Some(1), "{got}");
    assert_eq!(w.admin.get(&one).await.expect(200)["id"], id.as_str(), "the provider admin reads every org's");
    assert_eq!(w.admin.get(&list).await.expect(200)["total_count"], 1);
    assert_eq!(w.alice.get(&page).await.status, 200);
    assert_eq!(w.admin.get(&page).await.status, 200);

    // A member without the billing key.
    for path in [&one, &page, &list] {
        w.carol.get(path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    }
    // Another organization's member learns nothing.
    for path in [&one, &page, &list] {
        w.dave.get(path).await.assert_l5_error(404, L5_NOT_FOUND);
    }
    // Not signed in.
    assert_eq!(w.s.anon().get(&one).await.status, 401);
    // No such invoice.
    let unknown = format!("/api/entitlement/invoices/{}", uuid::Uuid::new_v4());
    w.alice.get(&unknown).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.get(&format!("{unknown}/html")).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn the_printable_page_escapes_every_value_and_says_how_to_pay() {
    let w = world().await;
    let a = &w.org_a;
    let seeded = seed::offline_subscription(&w.s, a, "incomplete", 2).await;
    seed::rename_org(&w.s, a, "<script>alert(\"x\")</script> & Co").await;
    let odd = NewInv {
        status: "paid",
        description: "<img src=x onerror=alert(1)> seats",
        ..NewInv::open(1, time::now() - chrono::Duration::days(30))
    };
    let paid = seed::invoice(&w.s, seeded.sub_id, &odd).await;

    let r = w.alice.get(&format!("/api/entitlement/invoices/{}/html", seeded.invoice.id)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.content_type(), "text/html; charset=utf-8");
    let html = &r.text;
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(!html.contains("<script"), "an org name is text, not markup: {html}");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"), "{html}");
    assert!(html.contains("@media print"), "{html}");
    assert!(!html.contains("<link") && !html.contains("src="), "self-contained: {html}");
    assert!(html.contains(&seeded.invoice.number));
    assert!(html.contains("30.00 USD") && html.contains("15.00 USD"), "amounts as money::format renders them: {html}");
    let secret = &seeded.invoice.payment.as_ref().expect("a pending payment").1;
    assert!(html.contains(&format!("pay by bank transfer quoting {secret}")), "{html}");
    assert!(html.contains(">open<"), "the status: {html}");

    let r = w.alice.get(&format!("/api/entitlement/invoices/{}/html", paid.id)).await;
    let html = &r.text;
    assert_eq!(r.status, 200, "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; seats"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("bank transfer"), "a paid invoice asks for nothing: {html}");
    assert!(html.contains(">paid<"), "{html}");
}
