// Organizations: the ones the user belongs to (provider admins: every one),
// create, edit, delete, switch to; an organization's e-mail domain (provider
// admins bind it, organization admins claim it and prove it by DNS) and, for
// provider admins, the claims waiting for approval. README "Domains are
// claimed, not taken" says how claims work.

import { html, useState } from "../lib/html.js";
import { api, seg, query } from "../lib/api.js";
import { session, useSession, can, isProviderAdmin, selectOrg, refreshOrgs } from "../lib/session.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Section, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

const ORG_FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 255 },
  { name: "description", label: "Description", type: "textarea", maxlength: 1000, rows: 3 },
  { name: "country", label: "Country", maxlength: 100 },
  { name: "region", label: "Region", maxlength: 100 },
];

/**
 * The organizations list. `GET /api/identity/orgs` pages the caller's own;
 * with `all=true` (provider admins, every organization) it has no paging and
 * answers the whole list at once, so that case is paged here. No
 * organization at all is a 204.
 */
async function loadOrgs({ page, size, search, sort, dir, filters, signal }) {
  const every = isProviderAdmin() && filters.show !== "mine";
  const order = sort ? `${sort} ${dir}` : undefined;
  const q = every ? { all: "true", search, order } : { page: page - 1, pagesize: size, search, order };
  const res = await api("GET", `/api/identity/orgs${query(q)}`, undefined, { signal });
  const all = res ? res.organizations : [];
  if (!every) return { rows: all, total: res ? res.total_count : 0 };
  return { rows: all.slice((page - 1) * size, page * size), total: all.length };
}

/** The user's roles per organization, from the profile, to show what they may do where. */
function useRoles() {
  return useLoad(async (signal) => {
    const me = await api("GET", "/api/identity/users/profile", undefined, { signal });
    const list = (me.organizations && me.organizations.organizations_with_roles) || [];
    return new Map(list.map((o) => [o.id, o.role_names || []]));
  }, [session.version]);
}

function DnsRecord({ claim }) {
  const r = claim.dnsRecord;
  return html`<dl class="facts dns-record">
    <dt>Type</dt><dd><code>${r.type}</code></dd>
    <dt>Name</dt><dd><code>${r.name}</code></dd>
    <dt>Value</dt><dd><code>${r.value}</code></dd>
  </dl>`;
}

/** An organization's domain: bound directly by provider admins, claimed by organization admins. */
function Domain({ org, onSaved }) {
  const [reload, setReload] = useState(0);
  const [fresh, setFresh] = useState(null);
  const claims = useLoad((signal) => api("GET", `/api/meshcloud/orgs/${seg(org.id)}/domain-claims`, undefined, { signal }), [org.id, reload]);
  const withdraw = async (c) => {
    if (!(await confirmAction({ title: "Withdraw claim", message: `Withdraw the claim to ${c.domain}? A domain already bound stays bound.`, confirmLabel: "Withdraw" }))) return;
    try {
      await api("DELETE", `/api/meshcloud/orgs/${seg(org.id)}/domain-claims/${seg(c.id)}`);
      toast(`Claim to ${c.domain} withdrawn.`);
      if (fresh && fresh.id === c.id) setFresh(null);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  return html`
    <p>Bound domain: ${org.domain ? html`<strong>${org.domain}</strong>` : html`<span class="muted">none</span>`}.
      People whose e-mail is in it can find the organization and sign in through its sign-in provider.</p>
    ${isProviderAdmin() ? html`<${Section} title="Bind a domain">
      <p class="muted">As a provider admin you bind it directly; leave it empty to let it go.</p>
      <${Form} fields=${[{ name: "domain", label: "Domain", maxlength: 253, placeholder: "example.com" }]}
        initial=${{ domain: org.domain || "" }} submitLabel="Save domain"
        toastText=${(o, v) => (v.domain.trim() ? `${v.domain.trim()} bound to ${org.name}.` : `${org.name} has no domain now.`)}
        onSubmit=${async (v) => (await api("PUT", `/api/identity/orgs/${seg(org.id)}`, { domain: v.domain.trim() || null })).organizations[0]}
        onSaved=${onSaved} />
    <//>` : html`<${Section} title="Claim a domain">
      <p class="muted">Claim it, then publish the DNS record shown to prove the domain is yours (checked every few minutes), or ask a provider admin to approve the claim.</p>
      <${Form} fields=${[{ name: "domain", label: "Domain", required: true, maxlength: 253, placeholder: "example.com" }]}
        submitLabel="Claim domain" clearOnSave
        toastText=${(c) => `${c.domain} claimed: publish the DNS record to prove it.`}
        onSubmit=${(v) => api("POST", `/api/meshcloud/orgs/${seg(org.id)}/domain-claims`, { domain: v.domain.trim() })}
        onSaved=${(c) => { setFresh(c); setReload((n) => n + 1); }} />
      ${fresh && html`<div class="notice" role="status"><p>Publish this TXT record for <strong>${fresh.domain}</strong>:</p><${DnsRecord} claim=${fresh} /></div>`}
    <//>`}
    <${Section} title="Claims">
      ${claims.error ? html`<p class="error">${claims.error.message}</p>`
      : !claims.data ? html`<p class="muted">Loading…</p>`
      : claims.data.length === 0 ? html`<p class="muted">No claims.</p>`
      : html`<ul class="plain claims">${claims.data.map((c) => html`<li key=${c.id}>
          <div class="card-head"><strong>${c.domain}</strong> <${Badge} value=${c.status} />
            <button type="button" class="danger small" onClick=${() => withdraw(c)}>Withdraw</button></div>
          ${c.status === "pending" && html`<${DnsRecord} claim=${c} />`}
          ${c.lastError && html`<p class="muted">Last check: ${c.lastError}</p>`}
        </li>`)}</ul>`}
    <//>`;
}

/** Provider admins: claims waiting for approval, every organization. The API answers them all at once. */
function PendingClaims({ onApproved }) {
  const [reload, setReload] = useState(0);
  const approve = async (c) => {
    if (!(await confirmAction({ title: "Approve claim", message: `Bind ${c.domain} to this organization without DNS proof? People of that domain then find it.`, confirmLabel: "Approve", danger: false }))) return;
    try {
      await api("POST", `/api/meshcloud/domain-claims/${seg(c.id)}/approve`);
      toast(`${c.domain} approved.`);
      setReload((n) => n + 1);
      onApproved();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const load = async ({ page, size, signal }) => {
    const all = await api("GET", "/api/meshcloud/domain-claims?status=pending", undefined, { signal });
    return { rows: all.slice((page - 1) * size, page * size), total: all.length };
  };
  return html`<${Section} title="Domain claims waiting for approval">
    <${ListPage} label="Pending domain claims" prefix="c" search=${false} reload=${reload} load=${load} defaults=${{ size: 10 }}
      columns=${[
        { key: "domain", label: "Domain" },
        { key: "org", label: "Organization", render: (c) => html`<code>${c.organizationId}</code>` },
        { key: "createdAt", label: "Claimed", render: (c) => when(c.createdAt) },
        { key: "lastError", label: "Last check", render: (c) => c.lastError || html`<span class="muted">not proved yet</span>` },
      ]}
      empty=${{ text: "No claims wait for approval." }}
      actions=${(c) => html`<button type="button" class="small" onClick=${() => approve(c)}>Approve</button>`} />
  <//>`;
}

export default function OrganizationsPage() {
  useSession();
  const roles = useRoles();
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null: none; {}: new; an org: edit it; {domain: org}: its domain.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const admin = isProviderAdmin();
  // What the user may do in `o`: the current organization's keys, else their roles there.
  const may = (o, key) => admin || (o.id === session.orgId ? can(key) : (roles.data?.get(o.id) || []).includes("organization admin"));
  const after = async (o) => {
    close();
    if (o) setHighlight(o.id);
    setReload((n) => n + 1);
    await refreshOrgs();
  };
  const switchTo = async (o) => {
    try {
      await selectOrg(o.id, true);
      toast(`Now working in ${o.name}.`);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const remove = async (o) => {
    const message = `Delete the organization "${o.name}"? It disappears for every member at once: its teams, roles, invitations, environments and workspaces go with it. The data is kept for the purge period and then removed for good; it cannot be restored from here.`;
    if (!(await confirmAction({ title: "Delete organization", message }))) return;
    try {
      await api("DELETE", `/api/identity/orgs/${seg(o.id)}`);
      toast(`Organization ${o.name} deleted.`);
      await after(null);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  // Creating is open to every user unless the installation keeps it to
  // provider admins (allow_user_org_creation); the server says which.
  const create = html`<button type="button" onClick=${() => setPanel({})}>New organization</button>`;
  const roleOf = (o) => (admin && !roles.data?.has(o.id) ? "provider admin" : (roles.data?.get(o.id) || []).join(", "));

  return html`<${PageHead} title="Organizations" intro=${admin ? "Every organization of this installation; you administer them all." : "The organizations you belong to. Create one, or join one with an invitation code on Your account."}>${create}<//>
    ${admin && html`<${PendingClaims} onApproved=${() => setReload((n) => n + 1)} />`}
    <${ListPage} label="Organizations" search="Search organizations" reload=${reload} highlight=${highlight}
      load=${loadOrgs} defaults=${{ sort: "name" }}
      filters=${admin ? [{ name: "show", label: "Show", options: [{ value: "mine", label: "Only mine" }] }] : []}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (o) => html`${o.name}${o.id === session.orgId ? html` <${Badge} value="current" tone="ok" />` : ""}` },
        { key: "domain", label: "Domain", render: (o) => o.domain || "" },
        { key: "country", label: "Country", sort: "country" },
        { key: "role", label: "Your role", render: roleOf },
        { key: "created_at", label: "Created", sort: "created_at", render: (o) => when(o.created_at) },
      ]}
      empty=${{ text: "You belong to no organization yet. Create one, or join one with an invitation code on Your account.", action: create }}
      actions=${(o) => html`<${RowActions}>
        ${o.id !== session.orgId && html`<button type="button" class="secondary small" onClick=${() => switchTo(o)}>Switch to</button>`}
        ${may(o, "identity.organization.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel(o)}>Edit</button>`}
        ${may(o, "identity.organization.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel({ domain: o })}>Domain</button>`}
        ${may(o, "identity.organization.delete") && html`<button type="button" class="danger small" onClick=${() => remove(o)}>Delete</button>`}
      <//>`} />
    ${panel && !panel.domain && html`<${Panel} title=${panel.id ? `Edit ${panel.name}` : "New organization"} onClose=${close}>
      ${!panel.id && html`<p class="muted">You become its organization admin.</p>`}
      <${Form} fields=${ORG_FIELDS}
        initial=${panel.id ? { name: panel.name, description: panel.description || "", country: panel.country || "", region: panel.region || "" } : {}}
        submitLabel=${panel.id ? "Save" : "Create organization"}
        toastText=${(o, v) => (panel.id ? `Organization ${v.name.trim()} saved.` : `Organization ${v.name.trim()} created.`)}
        onSubmit=${async (v) => {
          const body = { name: v.name.trim(), description: v.description.trim(), country: v.country.trim(), region: v.region.trim() };
          const page = panel.id ? await api("PUT", `/api/identity/orgs/${seg(panel.id)}`, body) : await api("POST", "/api/identity/orgs", body);
          return page.organizations[0];
        }}
        onSaved=${after} onCancel=${close} />
    <//>`}
    ${panel && panel.domain && html`<${Panel} wide title=${`Domain of ${panel.domain.name}`} onClose=${close}>
      <${Domain} org=${panel.domain} onSaved=${(o) => { setPanel({ domain: o }); setHighlight(o.id); setReload((n) => n + 1); }} />
    <//>`}`;
}
