// Plans on offer and archived, with the quantity of each feature type they
// grant: create, edit, delete (a plan with subscriptions is archived
// instead). Provider admins only (billing.plans.manage; docs/billing.md).

import { html, useState } from "../lib/html.js";
import { api, seg } from "../lib/api.js";
import { clientList } from "../lib/clientlist.js";
import { when, amount } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, Badge, RowActions } from "../components/bits.js";
import { toast } from "../components/toast.js";
import { featureLabel } from "./billing.js";

const BASE = "/api/entitlement/plans";
// The feature types of kernel::entitle, in its order.
const FEATURES = ["MembersInOrganization", "WorkspacesInOrganization", "EnvironmentsInOrganization",
  "ConnectionsInOrganization", "DesignsInOrganization", "ControlPlanesInOrganization", "DesignsInWorkspace",
  "ComponentsInDesign", "RelationshipsInDesign", "SizePerDesign", "ImageSizeInDesign"];
const featureField = (name) => `feature_${name}`;

const FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 100 },
  { name: "cadence", label: "Cadence", type: "select", required: true, options: [{ value: "monthly" }, { value: "yearly" }] },
  { name: "currency", label: "Currency", required: true, maxlength: 3, placeholder: "usd", help: "ISO 4217 code." },
  { name: "unit", label: "Priced", type: "select", required: true, options: [{ value: "user", label: "per user" }, { value: "free", label: "free" }] },
  { name: "price_per_unit", label: "Price per unit", required: true, placeholder: "15.00", aliases: ["price", "pricePerUnit"],
    help: "In the currency's unit, to at most its smallest unit (cents)." },
  { name: "minimum_units", label: "Minimum units", type: "number", min: 1, required: true, aliases: ["minimumUnits"] },
  { name: "trial_days", label: "Trial days", type: "number", min: 0, aliases: ["trialDays", "trial"] },
  { name: "default", label: "The default plan: organizations without a subscription have it", type: "checkbox", wide: true },
  { name: "stripe_price_id", label: "Stripe price ID", maxlength: 255, aliases: ["stripePriceId"], help: "Only when sold through Stripe." },
  ...FEATURES.map((f, i) => ({ name: featureField(f), label: featureLabel(f), type: "number", min: 0, aliases: [f],
    help: i === 0 ? "The plan's limits. Empty: not limited; 9999999999: unlimited." : undefined })),
];

/** The form's fields; a cadence the server writes otherwise ("annually") stays one of the choices. */
function fieldsFor(plan) {
  if (!plan || ["monthly", "yearly"].includes(plan.cadence)) return FIELDS;
  return FIELDS.map((f) => (f.name === "cadence" ? { ...f, options: [...f.options, { value: plan.cadence }] } : f));
}

/** The plan's form values; its features' quantities as number fields. */
function initial(plan, features) {
  if (!plan) return { cadence: "monthly", currency: "usd", unit: "user", minimum_units: "1", trial_days: "0" };
  const v = {
    name: plan.name, cadence: plan.cadence, currency: plan.currency, unit: plan.unit,
    price_per_unit: String(plan.price_per_unit), minimum_units: String(plan.minimum_units),
    trial_days: String(plan.trial_days || 0), stripe_price_id: plan.stripe_price_id || "", default: Boolean(plan.default),
  };
  // A plan's detail carries its features; else they come from the features list.
  const own = Array.isArray(plan.features) ? plan.features : features.filter((x) => x.plan_id === plan.id);
  for (const f of own) v[featureField(f.name)] = String(f.quantity);
  return v;
}

function body(v) {
  const n = (x) => (String(x ?? "").trim() === "" ? undefined : Number(x));
  return {
    name: v.name.trim(), cadence: v.cadence, currency: v.currency.trim(), unit: v.unit,
    price_per_unit: Number(String(v.price_per_unit).trim()), minimum_units: n(v.minimum_units),
    trial_days: n(v.trial_days) ?? 0, stripe_price_id: v.stripe_price_id.trim() || undefined, default: Boolean(v.default),
    features: FEATURES.filter((f) => n(v[featureField(f)]) !== undefined).map((f) => ({ name: f, quantity: n(v[featureField(f)]) })),
  };
}

const validate = (v) => ({
  price_per_unit: Number.isFinite(Number(String(v.price_per_unit).trim())) && String(v.price_per_unit).trim() !== ""
    ? undefined : "price_per_unit must be a number, such as 15.00",
});

function PlanPanel({ plan, features, onSaved, onClose }) {
  return html`<${Panel} wide title=${plan ? `Edit plan ${plan.name} (${plan.cadence})` : "New plan"} onClose=${onClose}>
    <${Form} fields=${fieldsFor(plan)} initial=${initial(plan, features)} validate=${validate}
      submitLabel=${plan ? "Save" : "Create plan"}
      onSubmit=${(v) => (plan ? api("PUT", `${BASE}/${seg(plan.id)}`, body(v)) : api("POST", BASE, body(v)))}
      toastText=${(_, v) => (plan ? `Plan ${v.name} saved.` : `Plan ${v.name} created.`)}
      onSaved=${onSaved} onCancel=${onClose} />
  <//>`;
}

// Archived plans are no longer sold: shown, not edited.
const state = (p) => (p.archived_at ? html`<${Badge} value="archived" tone="muted" />`
  : p.default ? html`<${Badge} value="default" tone="info" />` : html`<${Badge} value="on offer" tone="ok" />`);

// The plans' details (meshcloud's fields and features, archived plans too)
// come as the whole (small) catalogue at once, without paging: paged here.
const load = clientList(`${BASE}/details?archived=true`, {
  text: (p) => `${p.name} ${p.cadence} ${p.currency}`,
  sorts: { name: (p) => p.name, price: (p) => p.price_per_unit, cadence: (p) => p.cadence },
});

export default function PlansPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {create: true}, {edit: plan}
  const [panel, setPanel] = useState(null);
  // Every feature of the plans on offer, for the edit form (archived plans are not sold, so not listed).
  const features = useLoad((signal) => api("GET", "/api/entitlement/features", undefined, { signal }), [reload]);
  const close = () => setPanel(null);
  const saved = (p) => {
    close();
    setReload((n) => n + 1);
    setHighlight(p && p.id ? p.id : null);
  };
  const remove = async (p) => {
    if (!(await confirmAction({ title: "Delete plan", confirmLabel: "Delete",
      message: `Delete the plan "${p.name}" (${p.cadence})? A plan that has ever had a subscription is archived instead: it is no longer sold, and its subscribers keep it.` }))) return;
    try {
      await api("DELETE", `${BASE}/${seg(p.id)}`);
      toast(`Plan ${p.name} deleted or archived.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = html`<button type="button" onClick=${() => setPanel({ create: true })}>New plan</button>`;
  return html`<${PageHead} title="Plans" intro="What organizations can subscribe to, and the limits each plan sets.">${create}<//>
    <${ListPage} label="Plans" search="Search plans" reload=${reload} highlight=${highlight}
      load=${load}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (p) => (p.archived_at ? p.name : html`<button type="button" class="link" onClick=${() => setPanel({ edit: p })}>${p.name}</button>`) },
        { key: "cadence", label: "Cadence", sort: "cadence" },
        { key: "price", label: "Price per unit", sort: "price", render: (p) => `${amount(p.price_per_unit, p.currency)}${p.unit === "user" ? " per user" : ""}` },
        { key: "minimum_units", label: "Minimum units" },
        { key: "trial_days", label: "Trial", render: (p) => (p.trial_days ? `${p.trial_days} days` : "none") },
        { key: "state", label: "State", render: (p) => html`${state(p)}${p.archived_at ? html` <span class="muted">${when(p.archived_at)}</span>` : ""}` },
      ]}
      empty=${{ text: "No plans.", action: create }}
      actions=${(p) => html`<${RowActions}>
        ${!p.archived_at && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: p })}>Edit</button>`}
        ${!p.archived_at && !p.default && html`<button type="button" class="danger small" onClick=${() => remove(p)}>Delete</button>`}
      <//>`} />
    ${panel && (panel.create || features.data) && html`<${PlanPanel} plan=${panel.edit} features=${features.data || []} onSaved=${saved} onClose=${close} />`}`;
}
