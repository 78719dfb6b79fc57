// Pending offline payments of every organization (bank transfers, purchase
// orders): confirming one, with the bank's reference, pays its invoice and
// starts or restores the subscription (docs/billing.md). Provider admins.

import { html, useState } from "../lib/html.js";
import { api, layer5List } from "../lib/api.js";
import { when, money } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel } from "../components/dialog.js";
import { PageHead } from "../components/bits.js";

const BASE = "/api/entitlement/payments";

const REFERENCE = { name: "reference", label: "Bank reference", required: true, maxlength: 255, wide: true,
  help: "The transfer's reference or the purchase order number, kept with the payment." };

const describe = (p) => `${money(p.amount, p.currency)} from ${p.organization_name}`;

/** Confirms `payment` (a row), or, without one, the payment a customer's payment reference names. */
function ConfirmPanel({ payment, onDone, onClose }) {
  const fields = payment ? [REFERENCE] : [
    { name: "clientSecret", label: "Payment reference", required: true, wide: true, aliases: ["client_secret", "client secret", "payment"],
      help: "The reference the customer quoted, as shown to them when they subscribed." },
    REFERENCE,
  ];
  return html`<${Panel} title=${payment ? `Confirm payment of ${describe(payment)}` : "Confirm by payment reference"} onClose=${onClose}>
    ${payment && html`<dl class="facts">
      <dt>Organization</dt><dd>${payment.organization_name}</dd>
      <dt>Invoice</dt><dd>${payment.invoice_number}</dd>
      <dt>Amount</dt><dd>${money(payment.amount, payment.currency)}</dd>
      <dt>Since</dt><dd>${when(payment.created_at)}</dd>
    </dl>`}
    <${Form} fields=${fields} submitLabel="Confirm payment"
      onSubmit=${(v) => api("POST", `${BASE}/confirm`, payment
        ? { paymentId: payment.id, reference: v.reference.trim() }
        : { clientSecret: v.clientSecret.trim(), reference: v.reference.trim() })}
      toastText=${(p) => (p && p.organization_name ? `Payment of ${describe(p)} confirmed.` : "Payment confirmed.")}
      onSaved=${onDone} onCancel=${onClose} />
  <//>`;
}

export default function PaymentsPage() {
  const [reload, setReload] = useState(0);
  // null, {byReference: true}, {payment}
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const done = () => { close(); setReload((n) => n + 1); };
  const byReference = html`<button type="button" class="secondary" onClick=${() => setPanel({ byReference: true })}>Confirm by payment reference</button>`;
  return html`<${PageHead} title="Pending payments" intro="Bank transfers and purchase orders waiting to be matched. Confirm one when the money has arrived: its invoice is paid and the organization's plan starts.">${byReference}<//>
    <${ListPage} label="Pending payments" search=${false} reload=${reload}
      load=${layer5List(`${BASE}?status=pending`, "payments")}
      columns=${[
        { key: "organization_name", label: "Organization" },
        { key: "invoice_number", label: "Invoice" },
        { key: "amount", label: "Amount", sort: "amount", render: (p) => money(p.amount, p.currency) },
        { key: "created_at", label: "Since", sort: "created_at", render: (p) => when(p.created_at) },
      ]}
      empty=${{ text: "No payments are waiting." }}
      actions=${(p) => html`<button type="button" class="small" onClick=${() => setPanel({ payment: p })}>Confirm</button>`} />
    ${panel && html`<${ConfirmPanel} payment=${panel.payment} onDone=${done} onClose=${close} />`}`;
}
