// Sign-up requests: people asking for an account (and, if they named one,
// to join an organization). Approving creates the account; denying keeps the
// request on record. Provider admins see every request, organization admins
// those naming their organizations (docs/access.md).

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

const PATH = "/api/identity/users/request";
const STATUSES = ["pending", "approved", "denied"];

const who = (r) => {
  const name = [r.first_name, r.last_name].filter(Boolean).join(" ");
  return name ? `${name} <${r.email}>` : r.email;
};
const orgName = (id) => (id ? (session.orgs.find((o) => o.id === id) || { name: id }).name : "");

const decide = (r, approve) => api("POST", `${PATH}/${approve ? "approve" : "deny"}?id=${seg(r.id)}`);

export default function SignupsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  const [detail, setDetail] = useState(null);
  const mayDecide = can("identity.signup_requests.decide");

  const one = async (r, approve) => {
    const ok = await confirmAction(approve
      ? { title: "Approve request", message: `Approve ${who(r)}? This creates the account${r.org_id ? ` and adds it to ${orgName(r.org_id)}` : ""}.`, confirmLabel: "Approve", danger: false }
      : { title: "Deny request", message: `Deny the request of ${who(r)}? No account is created.`, confirmLabel: "Deny" });
    if (!ok) return;
    try {
      await decide(r, approve);
      toast(`${r.email} ${approve ? "approved" : "denied"}.`);
      setDetail(null);
      setHighlight(r.id);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const bulkDecide = (approve) => async (rows) => {
    // Decided ones are skipped: only pending requests can be decided.
    for (const r of rows.filter((x) => x.status === "pending")) await decide(r, approve);
  };

  return html`<${PageHead} title="Sign-up requests" intro="People who asked for an account. Approving creates it (with the password given in the request, if any) and adds it to the organization the request names." />
    <${ListPage} label="Sign-up requests" search="Search sign-up requests" reload=${reload} highlight=${highlight}
      load=${layer5List(PATH, "data", (f) => ({ filter: f.status || undefined }))}
      defaults=${{ sort: "created_at", dir: "desc" }}
      filters=${[{ name: "status", label: "Status", options: STATUSES.map((s) => ({ value: s })) }]}
      columns=${[
        { key: "email", label: "E-mail", sort: "email", render: (r) => html`<button type="button" class="link" onClick=${() => setDetail(r)}>${r.email}</button>` },
        { key: "name", label: "Name", render: (r) => [r.first_name, r.last_name].filter(Boolean).join(" ") },
        { key: "org", label: "Organization", render: (r) => orgName(r.org_id) },
        { key: "status", label: "Status", sort: "status", render: (r) => html`<${Badge} value=${r.status} />` },
        { key: "created_at", label: "Requested", sort: "created_at", render: (r) => when(r.created_at) },
      ]}
      empty=${{ text: "No sign-up requests." }}
      bulk=${mayDecide ? [
        { label: "Approve", confirm: "Approve the selected pending requests? This creates their accounts.", run: bulkDecide(true) },
        { label: "Deny", danger: true, confirm: "Deny the selected pending requests? No accounts are created.", run: bulkDecide(false) },
      ] : []}
      actions=${(r) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setDetail(r)}>Details</button>
        ${mayDecide && r.status === "pending" && html`<button type="button" class="small" onClick=${() => one(r, true)}>Approve</button>`}
        ${mayDecide && r.status === "pending" && html`<button type="button" class="danger small" onClick=${() => one(r, false)}>Deny</button>`}
      <//>`} />
    ${detail && html`<${Panel} title=${`Request of ${detail.email}`} onClose=${() => setDetail(null)}>
      <dl class="facts">
        <dt>Name</dt><dd>${[detail.first_name, detail.last_name].filter(Boolean).join(" ") || html`<span class="muted">not given</span>`}</dd>
        <dt>Organization</dt><dd>${orgName(detail.org_id) || html`<span class="muted">none</span>`}</dd>
        <dt>Message</dt><dd class="prewrap">${detail.message || html`<span class="muted">none</span>`}</dd>
        <dt>Status</dt><dd><${Badge} value=${detail.status} /></dd>
        <dt>Requested</dt><dd>${when(detail.created_at)}</dd>
        ${detail.decided_at && html`<dt>Decided</dt><dd>${when(detail.decided_at)}</dd>`}
      </dl>
      ${mayDecide && detail.status === "pending" && html`<div class="buttons">
        <button type="button" onClick=${() => one(detail, true)}>Approve</button>
        <button type="button" class="danger" onClick=${() => one(detail, false)}>Deny</button>
      </div>`}
    <//>`}`;
}
