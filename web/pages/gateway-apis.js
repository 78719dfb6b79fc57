// The APIs of one application (the API7 face's /api/v1/apps/{app_id}/apis):
// list, create, edit, publish, delete one or all. Part of the applications page.

import { html, useState } from "../lib/html.js";
import { api7, api7List, seg } from "../lib/api.js";
import { can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { RowActions, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";
import { Published, Labels, LabelsFilter, labelsParam, labelsField, parseLabels } from "../components/gateway.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const apisPath = (app) => `/api/v1/apps/${seg(app.id)}/apis`;

/** The paths of an API: a path and how it matches, per row. */
function PathsInput({ id, value, set, disabled, ...aria }) {
  const rows = value && value.length ? value : [{ path: "", path_type: "Prefix" }];
  const put = (i, patch) => set(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return html`<div class="rows-input" id=${id} role="group" ...${aria}>
    ${rows.map((r, i) => html`<div class="kv-row" key=${i}>
      <input aria-label="Path" placeholder="/pets" maxlength="4096" disabled=${disabled} value=${r.path}
        onInput=${(e) => put(i, { path: e.target.value })} />
      <select aria-label="Path match" disabled=${disabled} value=${r.path_type} onChange=${(e) => put(i, { path_type: e.target.value })}>
        <option value="Prefix">prefix</option>
        <option value="Exact">exact</option>
      </select>
      <button type="button" class="secondary small" disabled=${disabled || rows.length === 1}
        onClick=${() => set(rows.filter((_, j) => j !== i))}>Remove</button>
    </div>`)}
    <button type="button" class="secondary small" disabled=${disabled} onClick=${() => set([...rows, { path: "", path_type: "Prefix" }])}>Add path</button>
  </div>`;
}

const FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 64 },
  { name: "type", label: "Type", type: "select", options: [{ value: "Rest", label: "REST" }, { value: "WebSocket" }] },
  { name: "description", label: "Description", type: "textarea", rows: 2, maxlength: 256, wide: true },
  { name: "paths", label: "Paths", wide: true, aliases: ["path", "path_type", "paths"],
    help: "After the application's path prefix. A prefix path matches everything under it.",
    render: (p) => html`<${PathsInput} ...${p} />` },
  { name: "methods", label: "Methods", type: "choices", wide: true, options: METHODS.map((m) => ({ value: m })),
    help: "None ticked: every method." },
  { name: "strip_path_prefix", type: "checkbox", label: "Strip the application's path prefix before proxying", wide: true },
  { name: "published", type: "checkbox", label: "Published (served by the gateways)", wide: true, aliases: ["active"] },
  labelsField,
];

function initial(a) {
  if (!a) return { type: "Rest", paths: [{ path: "/", path_type: "Prefix" }], methods: [], published: true };
  return {
    name: a.name, description: a.description || "", type: a.type || "Rest",
    paths: (a.paths || []).map((p) => ({ path: p.path, path_type: p.path_type || "Prefix" })),
    methods: a.methods || [], strip_path_prefix: Boolean(a.strip_path_prefix), published: Number(a.active) === 0,
    labels: (a.labels || []).join(", "),
  };
}

function body(v, editing) {
  const b = {
    name: v.name.trim(),
    description: v.description.trim(),
    type: v.type,
    paths: (v.paths || []).filter((p) => p.path.trim()).map((p) => ({ path: p.path.trim(), path_type: p.path_type })),
    strip_path_prefix: Boolean(v.strip_path_prefix),
    active: v.published ? 0 : 1,
    labels: parseLabels(v.labels),
  };
  // No method ticked: all of them (a patch removes the list).
  if (v.methods.length) b.methods = METHODS.filter((m) => v.methods.includes(m));
  else if (editing) b.methods = null;
  return b;
}

const Methods = ({ methods }) => (methods && methods.length
  ? html`<span class="chips">${methods.map((m) => html`<${Badge} key=${m} value=${m} tone="info" />`)}</span>`
  : html`<span class="muted">all</span>`);

export function ApisSection({ app, onChanged }) {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {create: true}, {edit: api}
  const [panel, setPanel] = useState(null);
  const manage = can("gateway.applications.manage");
  const close = () => setPanel(null);
  const changed = (saved) => {
    close();
    if (saved && saved.id) setHighlight(saved.id);
    setReload((n) => n + 1);
    onChanged();
  };
  const act = async (fn, text) => {
    try {
      await fn();
      toast(text);
      changed(null);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const publish = (a, on) => act(() => api7("PATCH", `${apisPath(app)}/${seg(a.id)}`, { active: on ? 0 : 1 }),
    `API ${a.name} ${on ? "published" : "unpublished"}.`);
  const remove = async (a) => {
    if (!(await confirmAction({ title: "Delete API", message: `Delete the API "${a.name}"? The gateways stop serving it.` }))) return;
    act(() => api7("DELETE", `${apisPath(app)}/${seg(a.id)}`), `API ${a.name} deleted.`);
  };
  const removeAll = async () => {
    if (!(await confirmAction({ title: "Delete all APIs", confirmLabel: "Delete all APIs",
      message: `Delete every API of the application "${app.name}"? The gateways stop serving them.` }))) return;
    act(() => api7("DELETE", apisPath(app)), `All APIs of ${app.name} deleted.`);
  };
  const create = manage && html`<button type="button" onClick=${() => setPanel({ create: true })}>New API</button>`;
  return html`<${ListPage} label="APIs" prefix="a" search="Search APIs" reload=${reload} highlight=${highlight}
      load=${api7List(apisPath(app), labelsParam)}
      filters=${[{ name: "labels", label: "Labels", render: (p) => html`<${LabelsFilter} ...${p} />` }]}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      toolbar=${manage && html`${create}<button type="button" class="danger" onClick=${removeAll}>Delete all APIs</button>`}
      columns=${[
        { key: "name", label: "Name", render: (a) => html`${a.name}${a.description && html`<div class="muted">${a.description}</div>`}` },
        { key: "methods", label: "Methods", render: (a) => html`<${Methods} methods=${a.methods} />` },
        { key: "paths", label: "Paths", render: (a) => html`<span class="chips">${(a.paths || []).map((p, i) => html`<code key=${i}>${p.path}${p.path_type === "Prefix" ? "*" : ""}</code>`)}</span>` },
        { key: "type", label: "Type" },
        { key: "strip", label: "Strip prefix", render: (a) => (a.strip_path_prefix ? "yes" : "no") },
        { key: "active", label: "State", render: (a) => html`<${Published} active=${a.active} />` },
        { key: "labels", label: "Labels", render: (a) => html`<${Labels} labels=${a.labels} />` },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (a) => when(a.updated_at) },
      ]}
      empty=${{ text: "No APIs yet. An API routes some paths and methods of the application to its upstream.", action: create }}
      actions=${manage && ((a) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ edit: a })}>Edit</button>
        <button type="button" class="secondary small" onClick=${() => publish(a, Number(a.active) !== 0)}>${Number(a.active) === 0 ? "Unpublish" : "Publish"}</button>
        <button type="button" class="danger small" onClick=${() => remove(a)}>Delete</button>
      <//>`)} />
    ${panel && html`<${Panel} title=${panel.edit ? `Edit API ${panel.edit.name}` : `New API of ${app.name}`} onClose=${close}>
      <${Form} fields=${FIELDS} initial=${initial(panel.edit)} submitLabel=${panel.edit ? "Save" : "Create API"}
        onSubmit=${(v) => (panel.edit
          ? api7("PATCH", `${apisPath(app)}/${seg(panel.edit.id)}`, body(v, true))
          : api7("POST", apisPath(app), body(v, false)))}
        toastText=${(_, v) => `API ${v.name.trim()} ${panel.edit ? "saved" : "created"}.`}
        onSaved=${changed} onCancel=${close} />
    <//>`}`;
}
