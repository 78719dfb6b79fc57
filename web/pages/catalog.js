// The catalog: published designs and filters of every organization, to
// browse and clone into the selected organization; and the publication
// requests, which holders of content.catalog.approve approve or deny.

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { session, can, isProviderAdmin, useSession } from "../lib/session.js";
import { useLocation, setQuery } from "../lib/router.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Section, Badge, Tabs } from "../components/bits.js";
import { DesignGraph } from "../components/graph.js";
import { toast } from "../components/toast.js";

const STATUSES = ["pending", "approved", "denied", "withdrawn"].map((value) => ({ value }));

const cat = (item) => item.catalogData || item.catalog_data || {};

function useClasses() {
  const classes = useLoad((signal) => api("GET", "/api/catalog/content/classes", undefined, { signal }), []);
  return (classes.data || []).map((c) => ({ value: c.class }));
}

/** The catalog data of a published item, as facts. */
function CatalogFacts({ item, version }) {
  const c = cat(item);
  return html`<dl class="facts">
    <dt>Type</dt><dd>${c.type}</dd>
    ${c.class && html`<dt>Class</dt><dd><${Badge} value=${c.class} tone="info" /></dd>`}
    <dt>Models</dt><dd>${(c.compatibility || []).join(", ")}</dd>
    ${(c.publishedVersion || version) && html`<dt>Version</dt><dd>${c.publishedVersion || version}</dd>`}
    <dt>Changed</dt><dd>${when(item.updated_at)}</dd>
  </dl>
  ${c.pattern_info && html`<h3>What it does</h3><p class="prose">${c.pattern_info}</p>`}
  ${c.pattern_caveats && html`<h3>Caveats</h3><p class="prose">${c.pattern_caveats}</p>`}`;
}

function DesignDetail({ item }) {
  const full = useLoad((signal) => api("GET", `/api/content/patterns/${seg(item.id)}`, undefined, { signal }), [item.id]);
  return html`<${CatalogFacts} item=${item} version=${full.data?.patternFile?.version} />
    <${Section} title="Design">
      ${full.error ? html`<p class="error" role="alert">${full.error.message}</p>`
        : !full.data ? html`<p class="muted">Loading…</p>`
        : html`<${DesignGraph} design=${full.data.patternFile || {}} height=${320} />`}
    <//>`;
}

function Published({ type, prefix }) {
  const classes = useClasses();
  const [shown, setShown] = useState(null);
  const designs = type === "pattern";
  const mayClone = session.orgId && can(designs ? "content.designs.create" : "content.filters.create");
  const clone = async (item) => {
    try {
      const copy = await api("POST", `/api/content/${designs ? "patterns" : "filters"}/clone/${seg(item.id)}`);
      toast(`${item.name} cloned into this organization as ${copy.name}.`);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const open = (item) => setShown(item);
  return html`<${ListPage} label=${designs ? "Published designs" : "Published filters"} prefix=${prefix}
      search=${designs ? "Search published designs" : "Search published filters"}
      load=${layer5List(`/api/catalog/content/${type}`, designs ? "patterns" : "filters", (f) => ({ class: f.class }))}
      filters=${[{ name: "class", label: "Class", options: classes }]}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (d) => html`<button type="button" class="link" onClick=${() => open(d)}>${d.name}</button>` },
        { key: "type", label: "Type", render: (d) => cat(d).type },
        { key: "class", label: "Class", render: (d) => cat(d).class && html`<${Badge} value=${cat(d).class} tone="info" />` },
        { key: "models", label: "Models", render: (d) => (cat(d).compatibility || []).join(", ") },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (d) => when(d.updated_at) },
      ]}
      empty=${{ text: designs ? "Nothing published yet. Designs are published from the Designs page, once an approver agrees." : "No filters published yet." }}
      actions=${(d) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => open(d)}>View</button>
        ${mayClone && html`<button type="button" class="secondary small" onClick=${() => clone(d)}>Clone</button>`}
      <//>`} />
    ${shown && html`<${Panel} wide=${designs} title=${shown.name} onClose=${() => setShown(null)}>
      ${designs ? html`<${DesignDetail} item=${shown} />` : html`<${CatalogFacts} item=${shown} />`}
      ${mayClone && html`<div class="buttons"><button type="button" onClick=${() => clone(shown)}>Clone into this organization</button></div>`}
    <//>`}`;
}

function Requests() {
  const [reload, setReload] = useState(0);
  const [shown, setShown] = useState(null);
  // Provider admins decide for every organization; others where they hold the key.
  const mayDecide = (r) => r.status === "pending" && (isProviderAdmin() || (r.org_id === session.orgId && can("content.catalog.approve")));
  const decide = async (r, approve) => {
    const verb = approve ? "Approve" : "Deny";
    const message = approve
      ? `Publish "${r.content_name}" in the catalog? Everyone signed in can then read it.`
      : `Deny publishing "${r.content_name}"? Its owner may ask again.`;
    if (!(await confirmAction({ title: `${verb} request`, message, confirmLabel: verb, danger: !approve }))) return;
    try {
      await api("POST", `/api/catalog/requests/${approve ? "approve" : "deny"}`, { id: r.id });
      toast(approve ? `${r.content_name} published.` : `Request for ${r.content_name} denied.`);
      setShown(null);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const buttons = (r) => mayDecide(r) && html`
    <button type="button" class="small" onClick=${() => decide(r, true)}>Approve</button>
    <button type="button" class="danger small" onClick=${() => decide(r, false)}>Deny</button>`;
  return html`<${ListPage} label="Publication requests" prefix="r" search="Search requests" reload=${reload}
      load=${layer5List("/api/catalog/requests", "catalogRequests", (f) => ({ filter: f.status }))}
      filters=${[{ name: "status", label: "Status", options: STATUSES }]}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      columns=${[
        { key: "name", label: "Item", sort: "name", render: (r) => html`<button type="button" class="link" onClick=${() => setShown(r)}>${r.content_name}</button>` },
        { key: "content_type", label: "Kind", render: (r) => (r.content_type === "pattern" ? "design" : r.content_type) },
        { key: "type", label: "Type", render: (r) => r.catalog_data?.type },
        { key: "status", label: "Status", render: (r) => html`<${Badge} value=${r.status} />` },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (r) => when(r.updated_at) },
      ]}
      empty=${{ text: "No publication requests." }}
      actions=${(r) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setShown(r)}>Details</button>
        ${buttons(r)}
      <//>`} />
    ${shown && html`<${Panel} title=${`Request: ${shown.content_name}`} onClose=${() => setShown(null)}>
      <dl class="facts">
        <dt>Status</dt><dd><${Badge} value=${shown.status} /></dd>
        <dt>Asked</dt><dd>${when(shown.created_at)}</dd>
        ${shown.decided_at && html`<dt>Decided</dt><dd>${when(shown.decided_at)}</dd>`}
      </dl>
      <${CatalogFacts} item=${{ ...shown, catalog_data: shown.catalog_data }} />
      <div class="buttons">${buttons(shown)}</div>
    <//>`}`;
}

export default function CatalogPage() {
  useSession();
  const { query } = useLocation();
  const tabs = [
    { id: "designs", label: "Designs" },
    { id: "filters", label: "Filters" },
  ];
  // Requests: what the user may decide, and the requests they filed.
  if (session.orgId) tabs.push({ id: "requests", label: can("content.catalog.approve") ? "Requests" : "Your requests" });
  const tab = tabs.some((t) => t.id === query.get("tab")) ? query.get("tab") : "designs";
  // Each tab's list keeps its own state; switching drops the others'.
  const choose = (id) => setQuery(Object.fromEntries([...query.keys()].map((k) => [k, null]).concat([["tab", id === "designs" ? null : id]])));
  return html`<${PageHead} title="Catalog" intro="Designs and filters published for everyone signed in, from every organization. Clone one to work on a copy of your own." />
    <${Tabs} label="Catalog" tabs=${tabs} value=${tab} onChange=${choose} />
    ${tab === "designs" && html`<${Published} key="designs" type="pattern" prefix="d" />`}
    ${tab === "filters" && html`<${Published} key="filters" type="filter" prefix="f" />`}
    ${tab === "requests" && html`<${Requests} key="requests" />`}`;
}
