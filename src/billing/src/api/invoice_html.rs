//! The printable page of an invoice: one self-contained HTML document (inline
//! style, no scripts, no external resources) that prints on one sheet. Every
//! value is escaped: organization names and line descriptions are user text.

use meshcloud_kernel::http::html::esc;
use meshcloud_kernel::time::Timestamp;

use crate::money;
use crate::store::invoices::{InvoiceView, LineRow};

const STYLE: &str = "body{font-family:system-ui,sans-serif;color:#222;background:#f4f6f8;margin:0}\
main{max-width:46rem;margin:2rem auto;background:#fff;padding:2.5rem;border-radius:8px;box-shadow:0 1px 4px #0002}\
header{display:flex;justify-content:space-between;align-items:flex-start;gap:1rem}\
h1{font-size:1.6rem;margin:0}h2{font-size:1rem;margin:0 0 .3rem;color:#555}\
.status{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-size:.85rem;background:#eee}\
.status-open{background:#fff3cd}.status-paid{background:#d1f2eb}.status-void,.status-uncollectible{background:#f8d7da}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:1.5rem 0}dt{color:#555}dd{margin:0}\
table{width:100%;border-collapse:collapse;margin:1.5rem 0}th,td{padding:.45rem .3rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
th{font-size:.85rem;color:#555}td.num,th.num{text-align:right;white-space:nowrap}\
table.totals{width:auto;margin-left:auto}table.totals td{border:0;padding:.2rem .3rem}\
table.totals tr.due td{font-weight:bold;border-top:2px solid #222}\
.instructions{border:1px solid #00b39f;border-radius:6px;padding:1rem;margin-top:1.5rem}small{color:#555}\
@media print{body{background:#fff}main{box-shadow:none;margin:0;max-width:none;padding:0}\
.status{border:1px solid #999;background:none}@page{margin:1.5cm}}";

fn date(t: &Timestamp) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn period(start: Option<Timestamp>, end: Option<Timestamp>) -> String {
    match (start, end) {
        (Some(a), Some(b)) => format!("{} – {}", date(&a), date(&b)),
        _ => String::new(),
    }
}

/// The whole page for an invoice and its lines.
pub fn render(v: &InvoiceView, lines: &[LineRow]) -> String {
    let i = &v.row;
    let cur = &i.currency;
    let amount = |minor: i64| esc(&money::format(minor, cur));
    let mut facts =
        vec![("Invoice number", esc(&i.number)), ("Billed to", esc(&v.org_name)), ("Issued", date(&i.created_at))];
    if let Some(d) = &i.due_at {
        facts.push(("Due", date(d)));
    }
    if let Some(d) = &i.paid_at {
        facts.push(("Paid", date(d)));
    }
    let p = period(i.period_start, i.period_end);
    if !p.is_empty() {
        facts.push(("Period", esc(&p)));
    }
    facts.push(("Reason", esc(&i.reason.replace('_', " "))));
    let facts: String = facts.iter().map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>")).collect();
    let rows: String = lines
        .iter()
        .map(|l| {
            let when = period(l.period_start, l.period_end);
            let when = if when.is_empty() { String::new() } else { format!("<br><small>{}</small>", esc(&when)) };
            let prorated = if l.proration { " <small>(prorated)</small>" } else { "" };
            format!(
                "<tr><td>{}{prorated}{when}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&l.description),
                l.quantity,
                amount(l.unit_amount_minor),
                amount(l.amount_minor)
            )
        })
        .collect();
    let mut totals = format!("<tr><td>Subtotal</td><td class=\"num\">{}</td></tr>", amount(i.subtotal_minor));
    if i.balance_applied_minor != 0 {
        totals.push_str(&format!(
            "<tr><td>Credit applied</td><td class=\"num\">{}</td></tr>",
            amount(-i.balance_applied_minor)
        ));
    }
    totals.push_str(&format!("<tr><td>Total</td><td class=\"num\">{}</td></tr>", amount(i.total_minor)));
    totals.push_str(&format!(
        "<tr class=\"due\"><td>Amount due</td><td class=\"num\">{}</td></tr>",
        amount(if i.status == "open" { i.amount_due_minor } else { 0 })
    ));
    // Stripe collects its own invoices; an offline one is paid by transfer.
    let offline = v.processor.as_deref().is_none_or(|p| p == "offline") && i.processor_ref.is_none();
    let instructions = if i.status == "open" && offline {
        format!(
            "<section class=\"instructions\"><h2>Payment</h2><p>Please pay by bank transfer quoting {}: {}{}.</p></section>",
            esc(v.payment_reference.as_deref().unwrap_or(&i.number)),
            amount(i.amount_due_minor),
            i.due_at.as_ref().map(|d| format!(", due {}", date(d))).unwrap_or_default()
        )
    } else {
        String::new()
    };
    let status = esc(&i.status);
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width,initial-scale=1\"><title>Invoice {number}</title><style>{STYLE}</style></head>\
         <body><main><header><div><h1>Invoice {number}</h1><h2>{org}</h2></div>\
         <span class=\"status status-{status}\">{status}</span></header><dl>{facts}</dl>\
         <table><thead><tr><th>Description</th><th class=\"num\">Qty</th><th class=\"num\">Unit price</th>\
         <th class=\"num\">Amount</th></tr></thead><tbody>{rows}</tbody></table>\
         <table class=\"totals\"><tbody>{totals}</tbody></table>{instructions}</main></body></html>",
        number = esc(&i.number),
        org = esc(&v.org_name),
    )
}
