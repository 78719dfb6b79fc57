// Billing of the selected organization: its plan and subscription, usage
// against the plan's limits, subscribing, changing plan (with the prorated
// invoice shown first), cancelling, and its invoices (docs/billing.md).

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when, amount, money } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, Section, Badge } from "../components/bits.js";
import { UsageBar } from "../components/chart.js";
import { SecretBox } from "../components/secret.js";
import { toast } from "../components/toast.js";

const BASE = "/api/entitlement";
const UNLIMITED = 9999999999;
// Only these hold a plan; the others fall back to the default plan.
const LIVE = ["trialing", "active", "past_due"];
const TONES = { active: "ok", paid: "ok", succeeded: "ok", trialing: "info", open: "info", pending: "info", incomplete: "warn", past_due: "warn",
  unpaid: "bad", uncollectible: "bad", canceled: "muted", incomplete_expired: "muted", void: "muted", draft: "info" };

export const StatusBadge = ({ value }) => html`<${Badge} value=${String(value || "").replace(/_/g, " ")} tone=${TONES[value] || "muted"} />`;

const price = (p) => (p.unit === "user" ? `${amount(p.price_per_unit, p.currency)} per user` : amount(p.price_per_unit, p.currency));
const planLabel = (p) => `${p.name} (${p.cadence}), ${price(p)}`;

// Feature types as people read them.
const FEATURE_LABELS = {
  MembersInOrganization: "Members",
  WorkspacesInOrganization: "Workspaces",
  EnvironmentsInOrganization: "Environments",
  ConnectionsInOrganization: "Connections",
  DesignsInOrganization: "Designs",
  ControlPlanesInOrganization: "API gateway control planes",
  DesignsInWorkspace: "Designs in one workspace",
  ComponentsInDesign: "Components in one design",
  RelationshipsInDesign: "Relationships in one design",
  SizePerDesign: "Bytes of one design",
  ImageSizeInDesign: "Image bytes in one design",
};
export const featureLabel = (name) => FEATURE_LABELS[name] || name;

const plansOnOffer = (signal) => api("GET", `${BASE}/plans`, undefined, { signal });

function planFields(plans, current) {
  return [
    { name: "planId", label: "Plan", type: "select", required: true, wide: true, aliases: ["newPlanId", "plan"],
      options: plans.map((p) => ({ value: p.id, label: `${planLabel(p)}${current && p.id === current.id ? " (current)" : ""}` })) },
    { name: "userCount", label: "Seats", type: "number", min: 1, required: true, aliases: ["quantity", "seats", "users"],
      help: "Members the organization pays for on a per-user plan." },
  ];
}

/** The lines of an invoice or preview, with its totals. */
export function InvoiceLines({ invoice }) {
  const m = (n) => money(n, invoice.currency);
  return html`<div class="table-wrap"><table aria-label="Invoice lines">
    <thead><tr><th>Description</th><th>Quantity</th><th>Amount</th></tr></thead>
    <tbody>${invoice.lines.map((l, i) => html`<tr key=${i}>
      <td data-label="Description">${l.description}${l.proration ? html` <${Badge} value="prorated" tone="info" />` : ""}</td>
      <td data-label="Quantity">${l.quantity}</td>
      <td data-label="Amount">${m(l.amount)}</td>
    </tr>`)}</tbody>
  </table></div>
  <dl class="facts">
    <dt>Subtotal</dt><dd>${m(invoice.subtotal)}</dd>
    ${invoice.balance_applied ? html`<dt>Credit applied</dt><dd>${m(invoice.balance_applied)}</dd>` : ""}
    <dt>Amount due</dt><dd><strong>${m(invoice.amount_due)}</strong></dd>
  </dl>`;
}

function SubscribePanel({ plans, current, onDone, onClose }) {
  const [created, setCreated] = useState(null);
  // Not the plan the organization already has without a subscription (the default).
  const offer = plans.filter((p) => !p.default && p.id !== current.id);
  if (created) {
    return html`<${Panel} title="Subscribed" onClose=${onDone}>
      ${created.clientSecret ? html`
        <p>The subscription starts when its first invoice is paid. Pay it by bank transfer (or purchase order)
          and quote this payment reference, so the payment is matched to the invoice; the invoice is listed
          under Invoices, with its printable view.</p>
        <${SecretBox} label="Payment reference" value=${created.clientSecret} onDone=${onDone} />`
      : html`<p role="status">The plan is in effect now; nothing is due yet.</p>
        <div class="buttons"><button type="button" onClick=${onDone}>Done</button></div>`}
    <//>`;
  }
  const first = offer[0];
  return html`<${Panel} title="Subscribe" onClose=${onClose}>
    <${Form} fields=${planFields(offer)} submitLabel="Subscribe"
      initial=${{ planId: first ? first.id : "", userCount: String(first ? first.minimum_units : 1) }}
      onSubmit=${(v) => api("POST", `${BASE}/subscriptions/create`, { orgId: session.orgId, planId: v.planId, userCount: Number(v.userCount) })}
      toastText="Subscription created."
      onSaved=${setCreated} onCancel=${onClose} />
  <//>`;
}

function ChangePlanPanel({ sub, plans, onDone, onClose }) {
  // {values, invoice}: the preview the confirmation applies.
  const [preview, setPreview] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const body = (v) => ({ oldPlanId: sub.plan_id, newPlanId: v.planId, userCount: Number(v.userCount) });
  // An archived plan is no longer listed; the current one stays a choice (a change of seats).
  const choices = plans.some((p) => p.id === sub.plan_id) ? plans : [sub.plan, ...plans];
  const chosen = preview && choices.find((p) => p.id === preview.values.planId);
  const apply = async () => {
    setBusy(true);
    setError("");
    try {
      await api("POST", `${BASE}/subscriptions/${seg(sub.id)}/upgrade`, body(preview.values));
      const due = preview.invoice.amount_due;
      toast(`Plan changed to ${chosen ? chosen.name : "the new plan"}.${due > 0 ? ` An invoice of ${money(due, preview.invoice.currency)} is due.` : ""}`);
      onDone();
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  };
  return html`<${Panel} wide title="Change plan" onClose=${onClose}>
    <${Form} fields=${planFields(choices, sub.plan)} submitLabel="Preview"
      initial=${{ planId: sub.plan_id, userCount: String(sub.quantity) }}
      onSubmit=${async (v) => ({ values: v, invoice: await api("POST", `${BASE}/subscriptions/${seg(sub.id)}/upgrade-preview`, body(v)) })}
      onSaved=${(p) => { setError(""); setPreview(p); }} onCancel=${onClose} />
    ${preview && html`<${Section} title=${`Invoice for ${chosen ? planLabel(chosen) : "the new plan"}, ${preview.values.userCount} seats`}>
      <${InvoiceLines} invoice=${preview.invoice} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="buttons"><button type="button" disabled=${busy} onClick=${apply}>${busy ? "Changing…" : "Confirm change"}</button></div>
    <//>`}
  <//>`;
}

function CurrentPlan({ data, plans, onChanged }) {
  const [panel, setPanel] = useState(null);
  const { plan, subscription: sub } = data;
  const manage = can("billing.subscriptions.manage");
  const live = sub && LIVE.includes(sub.status);
  const close = () => setPanel(null);
  const done = () => { close(); onChanged(); };
  const cancel = async () => {
    const atOnce = !live || sub.status === "trialing";
    if (!(await confirmAction({ title: "Cancel subscription", confirmLabel: "Cancel subscription",
      message: atOnce ? `Cancel the ${sub.plan.name} subscription? It ends now.`
        : `Cancel the ${sub.plan.name} subscription? It stays in effect until ${when(sub.current_period_end)}, then the organization returns to the free plan.` }))) return;
    try {
      await api("POST", `${BASE}/subscriptions/${seg(sub.id)}/cancel`);
      toast("Subscription cancelled.");
      onChanged();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const actions = manage && html`<div class="buttons">
    ${!live && html`<button type="button" onClick=${() => setPanel("subscribe")}>Subscribe</button>`}
    ${live && html`<button type="button" onClick=${() => setPanel("change")}>Change plan</button>`}
    ${sub && !sub.cancel_at_period_end && ["trialing", "active", "past_due", "incomplete"].includes(sub.status)
      && html`<button type="button" class="danger" onClick=${cancel}>Cancel subscription</button>`}
  </div>`;
  return html`<${Section} title="Current plan">
    <dl class="facts">
      <dt>Plan</dt><dd><strong>${plan.name}</strong>${plan.default ? html` <${Badge} value="default" tone="info" />` : ""}</dd>
      <dt>Cadence</dt><dd>${plan.cadence}</dd>
      <dt>Price</dt><dd>${price(plan)}</dd>
      ${sub && sub.plan_id !== plan.id && html`<dt>Subscribed to</dt><dd>${planLabel(sub.plan)}</dd>`}
      ${sub && html`<dt>Seats</dt><dd>${sub.quantity}</dd>`}
      <dt>Status</dt><dd>${sub ? html`<${StatusBadge} value=${sub.status} />` : html`<${Badge} value="no subscription" tone="muted" />`}</dd>
      ${sub && sub.trial_end && sub.status === "trialing" && html`<dt>Trial ends</dt><dd>${when(sub.trial_end)}</dd>`}
      ${sub && sub.current_period_end && html`<dt>Period ends</dt><dd>${when(sub.current_period_end)}</dd>`}
    </dl>
    ${sub && sub.cancel_at_period_end && html`<p class="notice-bar" role="status">Cancelled: the subscription ends on ${when(sub.current_period_end)}; then the organization returns to the free plan.</p>`}
    ${sub && sub.status === "incomplete" && html`<p class="notice-bar" role="status">Waiting for the first payment: the plan starts when its invoice is paid.</p>`}
    ${sub && sub.status === "past_due" && html`<p class="notice-bar" role="status">An invoice is overdue: pay it to keep this plan.</p>`}
    ${actions}
    ${panel === "subscribe" && html`<${SubscribePanel} plans=${plans} current=${plan} onDone=${done} onClose=${close} />`}
    ${panel === "change" && html`<${ChangePlanPanel} sub=${sub} plans=${plans} onDone=${done} onClose=${close} />`}
  <//>`;
}

function Usage({ features }) {
  const counted = features.filter((f) => f.used !== null && f.used !== undefined);
  const limits = features.filter((f) => f.used === null || f.used === undefined);
  const limit = (q) => (q >= UNLIMITED ? "unlimited" : q.toLocaleString());
  return html`<${Section} title="Usage">
    ${counted.map((f) => html`<${UsageBar} key=${f.name} label=${featureLabel(f.name)} used=${f.used}
      limit=${f.quantity >= UNLIMITED ? null : f.quantity} limitLabel="unlimited" />`)}
    ${limits.length > 0 && html`<p class="muted">Other limits</p><dl class="facts">
      ${limits.map((f) => html`<dt>${featureLabel(f.name)}</dt><dd>${limit(f.quantity)}</dd>`)}
    </dl>`}
  <//>`;
}

function Invoices({ reload }) {
  return html`<${Section} title="Invoices">
    <${ListPage} label="Invoices" prefix="i" search=${false} reload=${reload}
      load=${layer5List(() => `${BASE}/invoices?orgId=${seg(session.orgId)}`, "invoices")}
      columns=${[
        { key: "number", label: "Number", sort: "number" },
        { key: "created_at", label: "Issued", sort: "created_at", render: (i) => when(i.created_at) },
        { key: "billing_reason", label: "For", render: (i) => String(i.billing_reason || "").replace(/^subscription_/, "").replace(/_/g, " ") },
        { key: "status", label: "Status", sort: "status", render: (i) => html`<${StatusBadge} value=${i.status} />` },
        { key: "total", label: "Total", sort: "total", render: (i) => money(i.total, i.currency) },
        { key: "amount_due", label: "Due", sort: "due_date", render: (i) => (i.status === "open" ? html`${money(i.amount_due, i.currency)}${i.due_date ? ` by ${when(i.due_date)}` : ""}
          ${i.payment_reference && html`<br /><small class="muted payment-reference" style="word-break: break-all">Transfer reference: ${i.payment_reference}</small>`}` : "") },
      ]}
      empty=${{ text: "No invoices yet." }}
      actions=${(i) => html`<a class="button secondary small" href=${`${BASE}/invoices/${seg(i.id)}/html`} target="_blank" rel="noopener">View</a>`} />
  <//>`;
}

export default function BillingPage() {
  const [reload, setReload] = useState(0);
  // The usage report carries the plan's detail and the live subscription's.
  const usage = useLoad((signal) => api("GET", `${BASE}/organizations/${seg(session.orgId)}/usage`, undefined, { signal }),
    [session.orgId, reload]);
  const plans = useLoad(plansOnOffer, []);
  const changed = () => setReload((n) => n + 1);
  const error = usage.error || plans.error;
  return html`<${PageHead} title="Billing" intro="The organization's plan, what it uses of the plan's limits, and its invoices." />
    ${error ? html`<div class="state error-state" role="alert"><p>Could not load billing: ${error.message}</p>
        <button type="button" class="secondary" onClick=${() => { usage.reload(); plans.reload(); }}>Try again</button></div>`
    : !usage.data || !plans.data ? html`<p class="muted" aria-busy="true">Loading…</p>`
    : html`<div class="grid">
        <${CurrentPlan} data=${usage.data} plans=${plans.data} onChanged=${changed} />
        <${Usage} features=${usage.data.features || []} />
      </div>`}
    <${Invoices} reload=${reload} />`;
}
