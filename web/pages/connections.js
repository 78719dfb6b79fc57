// Connections of the organization: list with kind and status filters (kept
// in the URL), counts by status as a chart, create, edit, delete, and status
// changes along the life cycle the server enforces (docs/infra.md).

import { html, useState } from "../lib/html.js";
import { api, seg, query } from "../lib/api.js";
import { can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { BarChart } from "../components/chart.js";
import { PageHead, RowActions, Badge, Section } from "../components/bits.js";
import { toast } from "../components/toast.js";

// The reference's statuses, in life-cycle order.
const STATUSES = ["discovered", "registered", "connected", "ignored", "maintenance", "disconnected", "deleted", "not found"];
// Statuses a connection may be created in.
const INITIAL = STATUSES.slice(0, 5);
// Where each status may go next. The API does not publish its rule, so this
// mirrors `next()` in src/infra/src/service/connections.rs: change both together.
const NEXT = {
  discovered: ["registered", "ignored", "not found"],
  registered: ["connected", "ignored", "disconnected", "not found", "deleted"],
  connected: ["disconnected", "maintenance", "ignored", "not found", "deleted"],
  maintenance: ["connected", "disconnected", "not found", "deleted"],
  disconnected: ["connected", "registered", "ignored", "not found", "deleted"],
  ignored: ["registered", "discovered", "deleted"],
  "not found": ["discovered", "registered", "connected", "deleted"],
  deleted: [],
};
// Kinds people register most (kind is free text: the search matches any).
const KINDS = ["kubernetes", "meshery", "prometheus", "grafana", "gke", "aws", "azure", "slack", "github"];
// A connection without a credential carries the nil UUID (the API never sends null).
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const credentialOf = (c) => (c && c.credential_id && c.credential_id !== NIL_UUID ? c.credential_id : "");

// Credential names by id, read once each: the list shows a page's few
// distinct credentials by name without loading every credential.
const credentialNames = new Map();
async function nameCredentials(rows, signal) {
  if (!can("infra.credentials.read")) return;
  const ids = [...new Set(rows.map(credentialOf).filter((id) => id && !credentialNames.has(id)))];
  await Promise.all(ids.map((id) => api("GET", `/api/integrations/credentials/${seg(id)}`, undefined, { signal })
    .then((k) => credentialNames.set(id, k.name), (err) => { if (err.name === "AbortError") throw err; credentialNames.set(id, "(not visible)"); })));
}

/** The organization's credentials for a picker, searched by the server. */
const credentialSearch = async (text, signal) => {
  const page = await api("GET", `/api/integrations/credentials${query({ pagesize: 20, search: text, order: "name asc" })}`, undefined, { signal });
  return page.credentials.map((k) => ({ value: k.id, label: k.name, detail: k.type }));
};

function fields(editing, credentialLabel) {
  // "deleted" is left to Delete and Status, which ask first.
  const statuses = editing ? [editing.status, ...(NEXT[editing.status] || []).filter((x) => x !== "deleted")] : INITIAL;
  return [
    { name: "name", label: "Name", required: true, maxlength: 255 },
    { name: "kind", label: "Kind", required: true, maxlength: 255, placeholder: "kubernetes" },
    { name: "type", label: "Type", required: true, maxlength: 255, placeholder: "platform" },
    { name: "sub_type", label: "Sub type", required: true, maxlength: 255, placeholder: "orchestration", aliases: ["subtype", "sub-type"] },
    { name: "status", label: "Status", type: "select", options: statuses.map((s) => ({ value: s })),
      help: editing ? "Only the changes the connection life cycle allows from its current status." : "" },
    { name: "credential_id", label: "Credential", hidden: !can("infra.credentials.read"), aliases: ["credential", "credentialid"],
      help: "A connection keeps its credential unless another is chosen.",
      render: (p) => html`<${Picker} id=${p.id} value=${p.value} valueLabel=${p.value ? credentialLabel.current[p.value] || "(current credential)" : ""}
        search=${credentialSearch} required=${false} disabled=${p.disabled} aria-invalid=${p["aria-invalid"]} aria-describedby=${p["aria-describedby"]}
        onChange=${(id, o) => { if (o) credentialLabel.current[id] = o.label; p.set(id); }} />` },
    { name: "metadata", label: "Metadata (a JSON object)", type: "textarea", rows: 5, wide: true },
  ];
}

function ConnectionForm({ editing, onSaved, onCancel }) {
  // Names of credentials picked in this form, to show the choice.
  const [credentialLabel] = useState(() => ({ current: Object.fromEntries(credentialNames) }));
  const initial = editing
    ? { name: editing.name, kind: editing.kind, type: editing.type, sub_type: editing.sub_type, status: editing.status,
      credential_id: credentialOf(editing), metadata: JSON.stringify(editing.metadata ?? {}, null, 2) }
    : { status: "discovered", metadata: "{}" };
  const parse = (text) => {
    try {
      const m = JSON.parse(text.trim() || "{}");
      return m && typeof m === "object" && !Array.isArray(m) ? m : null;
    } catch (_) {
      return undefined;
    }
  };
  return html`<${Form} fields=${fields(editing, credentialLabel)} initial=${initial}
    submitLabel=${editing ? "Save" : "Create connection"}
    validate=${(v) => {
      const m = parse(v.metadata);
      return { metadata: m === undefined ? "Metadata is not valid JSON." : m === null ? "Metadata must be a JSON object ({…})." : undefined };
    }}
    toastText=${(c, v) => `Connection ${v.name.trim()} ${editing ? "saved" : "created"}.`}
    onSubmit=${(v) => {
      const body = { name: v.name.trim(), kind: v.kind.trim(), type: v.type.trim(), sub_type: v.sub_type.trim(), status: v.status, metadata: parse(v.metadata) };
      if (v.credential_id) body.credential_id = v.credential_id;
      return editing ? api("PUT", `/api/integrations/connections/${seg(editing.id)}`, { ...body, id: editing.id })
        : api("POST", "/api/integrations/connections", body);
    }}
    onSaved=${onSaved} onCancel=${onCancel} />`;
}

function StatusForm({ c, onSaved, onCancel }) {
  const next = NEXT[c.status] || [];
  if (!next.length) return html`<p>A ${c.status} connection cannot change status.</p>`;
  return html`<p>Now <${Badge} value=${c.status} />. The life cycle allows these changes from here:</p>
    <${Form} fields=${[{ name: "status", label: "New status", type: "select", required: true, options: next.map((s) => ({ value: s })) }]}
      initial=${{ status: next[0] }} submitLabel="Change status"
      onSubmit=${async (v) => {
        if (v.status === "deleted" && !(await confirmAction({ title: "Delete connection", message: `Setting "deleted" deletes the connection "${c.name}"; it leaves every environment.` }))) {
          throw new Error("Nothing changed.");
        }
        // A PUT keeps what it leaves out (metadata, credential).
        await api("PUT", `/api/integrations/connections/${seg(c.id)}`, { id: c.id, name: c.name, kind: c.kind, type: c.type, sub_type: c.sub_type, status: v.status });
        return { ...c, status: v.status };
      }}
      toastText=${(s) => `Connection ${c.name} is now ${s.status}.`}
      onSaved=${onSaved} onCancel=${onCancel} />`;
}

export default function ConnectionsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  const [summary, setSummary] = useState(null);
  // null, {} (new), {edit: c}, {status: c}
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const saved = (c) => {
    close();
    if (c && c.id) setHighlight(c.id);
    setReload((n) => n + 1);
  };

  // The list as the server pages it; its status summary feeds the chart. With
  // a status filter the summary would count one status only, so the chart
  // asks for the counts without it (one row).
  const load = async ({ page, size, search, sort, dir, filters, signal }) => {
    const common = { search, kind: filters.kind };
    const res = await api("GET", `/api/integrations/connections${query({ ...common, status: filters.status, page: page - 1, pagesize: size, order: sort ? `${sort} ${dir}` : undefined })}`, undefined, { signal });
    const all = filters.status ? await api("GET", `/api/integrations/connections${query({ ...common, pagesize: 1 })}`, undefined, { signal }) : res;
    await nameCredentials(res.connections, signal);
    setSummary({ counts: all.statusSummary || {}, total: all.total_count });
    return { rows: res.connections, total: res.total_count };
  };

  const remove = async (list) => {
    for (const c of list) await api("DELETE", `/api/integrations/connections/${seg(c.id)}`);
  };
  const removeOne = async (c) => {
    if (!(await confirmAction({ title: "Delete connection", message: `Delete the connection "${c.name}"? It leaves every environment.` }))) return;
    try {
      await remove([c]);
      toast(`Connection ${c.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = can("infra.connections.create") && html`<button type="button" onClick=${() => setPanel({})}>New connection</button>`;
  const items = summary ? STATUSES.map((s) => ({ label: s, value: summary.counts[s] || 0 })).filter((i) => i.value > 0 || INITIAL.includes(i.label)) : [];

  return html`<${PageHead} title="Connections" intro="Clusters, servers and services the organization reaches, and where each stands in its life cycle.">${create}<//>
    ${summary && summary.total > 0 && html`<${Section} title="By status">
      <${BarChart} label=${`Connections by status (${summary.total} in all)`} items=${items} />
    <//>`}
    <${ListPage} label="Connections" search="Search connections" reload=${reload} highlight=${highlight}
      load=${load}
      defaults=${{ sort: "name" }}
      filters=${[
        { name: "kind", label: "Kind", options: KINDS.map((k) => ({ value: k })) },
        { name: "status", label: "Status", options: STATUSES.map((s) => ({ value: s })) },
      ]}
      columns=${[
        { key: "name", label: "Name", sort: "name" },
        { key: "kind", label: "Kind", sort: "kind" },
        { key: "type", label: "Type", sort: "type", render: (c) => `${c.type} / ${c.sub_type}` },
        { key: "status", label: "Status", sort: "status", render: (c) => html`<${Badge} value=${c.status} />` },
        ...(can("infra.credentials.read") ? [{ key: "credential", label: "Credential", render: (c) => credentialNames.get(credentialOf(c)) || "" }] : []),
        { key: "environments", label: "Environments", render: (c) => (c.environments || []).map((e) => e.name).join(", ") },
        { key: "updated_at", label: "Updated", sort: "updated_at", render: (c) => when(c.updated_at) },
      ]}
      empty=${{ text: "No connections yet. Register a cluster or a service to manage it here.", action: create }}
      bulk=${can("infra.connections.delete") ? [{ label: "Delete", danger: true, run: remove }] : []}
      actions=${(c) => html`<${RowActions}>
        ${can("infra.connections.update") && (NEXT[c.status] || []).length > 0 && html`<button type="button" class="secondary small" onClick=${() => setPanel({ status: c })}>Status</button>`}
        ${can("infra.connections.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: c })}>Edit</button>`}
        ${can("infra.connections.delete") && html`<button type="button" class="danger small" onClick=${() => removeOne(c)}>Delete</button>`}
      <//>`} />
    ${panel && !panel.status && html`<${Panel} wide title=${panel.edit ? `Edit ${panel.edit.name}` : "New connection"} onClose=${close}>
      <${ConnectionForm} editing=${panel.edit} onSaved=${saved} onCancel=${close} />
    <//>`}
    ${panel && panel.status && html`<${Panel} title=${`Status of ${panel.status.name}`} onClose=${close}>
      <${StatusForm} c=${panel.status} onSaved=${saved} onCancel=${close} />
    <//>`}`;
}
