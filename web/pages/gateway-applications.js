// Applications of a control plane (the API7 face, docs/gateway.md): list,
// create, edit, publish, delete, import from an OpenAPI 3 document; one
// application (`?app=<id>`) with its routing, upstreams and APIs.

import { html, useState, useRef } from "../lib/html.js";
import { api7, api7List, seg, query } from "../lib/api.js";
import { can } from "../lib/session.js";
import { useLocation, navigate, Link } from "../lib/router.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Section } from "../components/bits.js";
import { toast } from "../components/toast.js";
import { ControlPlaneScope, Published, Labels, LabelsFilter, labelsParam, labelsField, parseLabels, TextFileInput } from "../components/gateway.js";
import { ApisSection } from "./gateway-apis.js";

const appsPath = (cp) => `/api/v1/controlplanes/${seg(cp.id)}/apps`;
const LB_TYPES = [
  { value: "roundrobin", label: "round robin" },
  { value: "consistent_hash", label: "consistent hash" },
  { value: "ewma", label: "EWMA (lowest latency)" },
  { value: "least_conn", label: "least connections" },
];

const newTarget = () => ({ host: "", port: "80", weight: "100" });
const newUpstream = (version) => ({ version, scheme: "http", lb_type: "roundrobin", hash_key: "", targets: [newTarget()], orig: null });

let radios = 0;

/**
 * The upstream versions of an application: scheme, load balancing and
 * targets (host, port, weight) each, one of them the default.
 * The value is {list, def}.
 */
function UpstreamsInput({ id, value, set, disabled, ...aria }) {
  const group = useRef(`default-upstream-${++radios}`);
  const v = value && value.list ? value : { list: [newUpstream("default")], def: "default" };
  const putU = (i, patch) => {
    const list = v.list.map((u, j) => (j === i ? { ...u, ...patch } : u));
    // Renaming the default version keeps it the default.
    const def = patch.version !== undefined && v.def === v.list[i].version ? patch.version : v.def;
    set({ list, def });
  };
  const putT = (i, k, patch) => putU(i, { targets: v.list[i].targets.map((t, j) => (j === k ? { ...t, ...patch } : t)) });
  const addVersion = () => {
    let n = v.list.length + 1;
    while (v.list.some((u) => u.version === `v${n}`)) n += 1;
    set({ ...v, list: [...v.list, newUpstream(`v${n}`)] });
  };
  return html`<div class="upstreams" id=${id} role="group" ...${aria}>
    ${v.list.map((u, i) => html`<fieldset class="upstream" key=${i}>
      <legend>Upstream ${u.version || i + 1}</legend>
      <div class="kv-row">
        <label class="stack">Version <input aria-label="Upstream version" maxlength="64" disabled=${disabled} value=${u.version}
          onInput=${(e) => putU(i, { version: e.target.value })} /></label>
        <label class="stack">Scheme <select aria-label="Upstream scheme" disabled=${disabled} value=${u.scheme} onChange=${(e) => putU(i, { scheme: e.target.value })}>
          <option value="http">http</option><option value="https">https</option></select></label>
        <label class="stack">Load balancing <select aria-label="Load balancing" disabled=${disabled} value=${u.lb_type} onChange=${(e) => putU(i, { lb_type: e.target.value })}>
          ${LB_TYPES.map((t) => html`<option value=${t.value}>${t.label}</option>`)}</select></label>
        ${u.lb_type === "consistent_hash" && html`<label class="stack">Hash key <input aria-label="Hash key" placeholder="remote_addr" disabled=${disabled}
          value=${u.hash_key} onInput=${(e) => putU(i, { hash_key: e.target.value })} /></label>`}
      </div>
      <label class="check"><input type="radio" name=${group.current} disabled=${disabled} checked=${v.def === u.version}
        onChange=${() => set({ ...v, def: u.version })} /> The default version (serves the traffic)</label>
      <p class="muted small-head">Targets: host, port, weight (0–100, the share of the traffic)</p>
      ${u.targets.map((t, k) => html`<div class="kv-row target" key=${k}>
        <input aria-label="Target host" placeholder="host or IP" maxlength="255" disabled=${disabled} value=${t.host}
          onInput=${(e) => putT(i, k, { host: e.target.value })} />
        <input aria-label="Target port" type="number" min="1" max="65535" class="port" placeholder="port" disabled=${disabled} value=${t.port}
          onInput=${(e) => putT(i, k, { port: e.target.value })} />
        <input aria-label="Target weight" type="number" min="0" max="100" class="port" placeholder="weight" title="weight" disabled=${disabled} value=${t.weight}
          onInput=${(e) => putT(i, k, { weight: e.target.value })} />
        <button type="button" class="secondary small" disabled=${disabled || u.targets.length === 1}
          onClick=${() => putU(i, { targets: u.targets.filter((_, j) => j !== k) })}>Remove</button>
      </div>`)}
      <div class="buttons">
        <button type="button" class="secondary small" disabled=${disabled} onClick=${() => putU(i, { targets: [...u.targets, newTarget()] })}>Add target</button>
        ${v.list.length > 1 && html`<button type="button" class="secondary small" disabled=${disabled}
          onClick=${() => { const list = v.list.filter((_, j) => j !== i); set({ list, def: v.def === u.version ? list[0].version : v.def }); }}>Remove this upstream</button>`}
      </div>
    </fieldset>`)}
    <button type="button" class="secondary small" disabled=${disabled || v.list.length >= 10} onClick=${addVersion}>Add upstream version</button>
  </div>`;
}

function upstreamsValue(app) {
  const list = ((app && app.upstreams) || []).map((u) => {
    const up = u.upstream || {};
    return {
      version: u.version || "", scheme: up.scheme || "http", lb_type: up.lb_type || "roundrobin", hash_key: up.hash_key || "",
      targets: (up.targets || []).length ? up.targets.map((t) => ({ host: t.host || "", port: String(t.port ?? ""), weight: String(t.weight ?? "") })) : [newTarget()],
      orig: u,
    };
  });
  if (!list.length) return { list: [newUpstream("default")], def: "default" };
  return { list, def: (app && app.default_upstream_version) || list[0].version };
}

/** The upstreams as the API takes them; what the form does not show (timeouts, checks…) is kept. */
function upstreamsBody(v) {
  return v.list.map((u) => {
    const orig = u.orig || {};
    const up = {
      ...(orig.upstream || {}),
      scheme: u.scheme,
      lb_type: u.lb_type,
      targets: u.targets.filter((t) => t.host.trim() || String(t.port).trim())
        .map((t) => ({ host: t.host.trim(), port: Number(t.port), weight: String(t.weight).trim() === "" ? 100 : Number(t.weight) })),
    };
    if (u.lb_type === "consistent_hash") up.hash_key = u.hash_key.trim();
    else delete up.hash_key;
    return { ...orig, upstream: up, version: u.version.trim() };
  });
}

const splitList = (text) => [...new Set(String(text || "").split(/[\s,]+/).map((x) => x.trim()).filter(Boolean))];

const APP_FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 64 },
  { name: "path_prefix", label: "Path prefix", required: true, maxlength: 4096, placeholder: "/", help: "Starts with /; its APIs' paths follow it." },
  { name: "description", label: "Description", type: "textarea", rows: 2, maxlength: 256, wide: true },
  { name: "hosts", label: "Hosts", type: "textarea", rows: 2, required: true, wide: true, placeholder: "api.example.com",
    help: "One per line (or separated by commas); *.example.com for every subdomain.", aliases: ["host"] },
  { name: "protocols", label: "Protocols", type: "choices", options: [{ value: "HTTP" }, { value: "HTTPS" }], aliases: ["protocol"] },
  { name: "upstreams", label: "Upstreams", wide: true, aliases: ["upstream", "default_upstream_version", "targets", "target", "scheme", "lb_type", "hash_key"],
    render: (p) => html`<${UpstreamsInput} ...${p} />` },
  { name: "published", type: "checkbox", label: "Published (served by the gateways)", wide: true, aliases: ["active"] },
  labelsField,
];

function appValues(app) {
  if (!app) return { path_prefix: "/", protocols: ["HTTP"], upstreams: upstreamsValue(null), published: true };
  return {
    name: app.name, description: app.description || "", path_prefix: app.path_prefix, hosts: (app.hosts || []).join("\n"),
    protocols: app.protocols || [], upstreams: upstreamsValue(app), published: Number(app.active) === 0,
    labels: (app.labels || []).join(", "),
  };
}

function appBody(v) {
  return {
    name: v.name.trim(),
    description: v.description.trim(),
    path_prefix: v.path_prefix.trim(),
    hosts: splitList(v.hosts),
    protocols: ["HTTP", "HTTPS"].filter((p) => v.protocols.includes(p)),
    upstreams: upstreamsBody(v.upstreams),
    default_upstream_version: v.upstreams.def.trim(),
    active: v.published ? 0 : 1,
    labels: parseLabels(v.labels),
  };
}

const validateApp = (v) => ({
  hosts: splitList(v.hosts).length ? undefined : "hosts: name at least one host.",
  protocols: v.protocols.length ? undefined : "protocols: choose HTTP, HTTPS or both.",
  upstreams: v.upstreams.list.some((u) => !u.version.trim()) ? "upstreams: every upstream needs a version." : undefined,
});

function AppPanel({ cp, app, onSaved, onClose }) {
  return html`<${Panel} wide title=${app ? `Edit ${app.name}` : "New application"} onClose=${onClose}>
    <${Form} fields=${APP_FIELDS} initial=${appValues(app)} validate=${validateApp} submitLabel=${app ? "Save" : "Create application"}
      onSubmit=${(v) => (app ? api7("PATCH", `${appsPath(cp)}/${seg(app.id)}`, appBody(v)) : api7("POST", appsPath(cp), appBody(v)))}
      toastText=${(_, v) => `Application ${v.name.trim()} ${app ? "saved" : "created"}.`}
      onSaved=${onSaved} onCancel=${onClose} />
  <//>`;
}

/** The body of an import: a JSON document as the object, else the text (YAML). */
function importBody(text) {
  try {
    const doc = JSON.parse(text);
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return doc;
  } catch (_) { /* YAML */ }
  return text;
}

function ImportPanel({ cp, onDone, onClose }) {
  const [result, setResult] = useState(null);
  if (result) {
    const { app, apis } = result;
    return html`<${Panel} wide title="Imported" onClose=${() => onDone(app)}>
      <p role="status">Created the application <strong>${app.name}</strong> (path prefix <code>${app.path_prefix}</code>, hosts ${(app.hosts || []).join(", ")})
        with ${apis.length === 1 ? "1 API" : `${apis.length} APIs`}. It is ${Number(app.active) === 0 ? "published" : "not published"}.</p>
      <div class="table-wrap"><table aria-label="Imported APIs">
        <thead><tr><th>API</th><th>Methods</th><th>Paths</th></tr></thead>
        <tbody>${apis.map((a) => html`<tr key=${a.id}>
          <td data-label="API">${a.name}</td>
          <td data-label="Methods">${(a.methods || []).join(", ") || "all"}</td>
          <td data-label="Paths">${(a.paths || []).map((p) => `${p.path}${p.path_type === "Prefix" ? "*" : ""}`).join(", ")}</td>
        </tr>`)}</tbody>
      </table></div>
      <div class="buttons">
        <button type="button" onClick=${() => { onDone(app); navigate(`/gateways/applications${query({ cp: cp.id, app: app.id })}`); }}>Open the application</button>
        <button type="button" class="secondary" onClick=${() => onDone(app)}>Done</button>
      </div>
    <//>`;
  }
  return html`<${Panel} wide title="Import from OpenAPI" onClose=${onClose}>
    <p class="muted">An OpenAPI 3 document (JSON or YAML) becomes one application, its servers the hosts, path prefix and upstream,
      and one API per path and method.</p>
    <${Form} submitLabel="Import"
      fields=${[{ name: "document", label: "OpenAPI document", wide: true, required: true, aliases: ["openapi", "document", "paths", "servers", "info"],
        render: (p) => html`<${TextFileInput} ...${p} label="the OpenAPI document" rows="14" accept=".json,.yaml,.yml"
          placeholder='{"openapi": "3.0.3", "info": {…}, "servers": […], "paths": {…}}' />` }]}
      onSubmit=${async (v) => {
        const app = await api7("POST", `${appsPath(cp)}/import`, importBody(v.document));
        const listed = await api7("GET", `/api/v1/apps/${seg(app.id)}/apis?page=1&page_size=500&order_by=created_at&direction=ASC`);
        return { app, apis: (listed && listed.list) || [] };
      }}
      toastText=${(r) => `Imported ${r.app.name}.`}
      onSaved=${setResult} onCancel=${onClose} />
  <//>`;
}

function useActions(cp, onChanged) {
  const act = async (fn, text, after) => {
    try {
      await fn();
      toast(text);
      (after || onChanged)();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  return {
    publish: (a, on) => act(() => api7("PATCH", `${appsPath(cp)}/${seg(a.id)}`, { active: on ? 0 : 1 }),
      `Application ${a.name} ${on ? "published" : "unpublished"}.`),
    remove: async (a, after) => {
      if (!(await confirmAction({ title: "Delete application", message: `Delete the application "${a.name}" and its APIs? The gateways stop serving it.` }))) return;
      act(() => api7("DELETE", `${appsPath(cp)}/${seg(a.id)}`), `Application ${a.name} deleted.`, after);
    },
  };
}

function Upstreams({ app }) {
  return html`${(app.upstreams || []).map((u) => {
    const up = u.upstream || {};
    return html`<div class="upstream-facts" key=${u.version}>
      <strong>${u.version}</strong>${u.version === app.default_upstream_version ? html` <span class="muted">(default)</span>` : ""}: ${up.scheme}, ${(LB_TYPES.find((t) => t.value === up.lb_type) || { label: up.lb_type || "round robin" }).label}
      <ul class="targets">${(up.targets || []).map((t, i) => html`<li key=${i}><code>${t.host}:${t.port}</code> weight ${t.weight}</li>`)}</ul>
    </div>`;
  })}`;
}

function ApplicationView({ cp, id }) {
  const [panel, setPanel] = useState(false);
  const app = useLoad((signal) => api7("GET", `${appsPath(cp)}/${seg(id)}`, undefined, { signal }), [cp.id, id]);
  const back = `/gateways/applications${query({ cp: cp.id })}`;
  const manage = can("gateway.applications.manage");
  const { publish, remove } = useActions(cp, app.reload);
  const a = app.data;
  return html`<p><${Link} href=${back}>← All applications<//></p>
    ${app.error ? html`<div class="state error-state" role="alert"><p>Could not load the application: ${app.error.message}</p></div>`
    : !a ? html`<p class="muted" aria-busy="true">Loading…</p>`
    : html`<${PageHead} title=${`Application ${a.name}`} intro=${a.description}>
        ${manage && html`<button type="button" onClick=${() => setPanel(true)}>Edit</button>
          <button type="button" class="secondary" onClick=${() => publish(a, Number(a.active) !== 0)}>${Number(a.active) === 0 ? "Unpublish" : "Publish"}</button>
          <button type="button" class="danger" onClick=${() => remove(a, () => navigate(back))}>Delete</button>`}
      <//>
      <${Section} title="Routing">
        <dl class="facts">
          <dt>State</dt><dd><${Published} active=${a.active} /></dd>
          <dt>Hosts</dt><dd>${(a.hosts || []).map((h) => html`<code key=${h}>${h}</code> `)}</dd>
          <dt>Path prefix</dt><dd><code>${a.path_prefix}</code></dd>
          <dt>Protocols</dt><dd>${(a.protocols || []).join(", ")}</dd>
          <dt>Upstreams</dt><dd><${Upstreams} app=${a} /></dd>
          ${(a.labels || []).length > 0 && html`<dt>Labels</dt><dd><${Labels} labels=${a.labels} /></dd>`}
          <dt>ID</dt><dd>${a.id}</dd>
          <dt>Changed</dt><dd>${when(a.updated_at)}</dd>
        </dl>
      <//>
      <${Section} title="APIs">
        <${ApisSection} app=${a} onChanged=${() => {}} />
      <//>
      ${panel && html`<${AppPanel} cp=${cp} app=${a} onClose=${() => setPanel(false)}
        onSaved=${() => { setPanel(false); app.reload(); }} />`}`}`;
}

function ApplicationsList({ cp }) {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {create: true}, {edit: app}, {import: true}
  const [panel, setPanel] = useState(null);
  const manage = can("gateway.applications.manage");
  const close = () => setPanel(null);
  const again = () => setReload((n) => n + 1);
  const saved = (a) => {
    close();
    if (a && a.id) setHighlight(a.id);
    again();
  };
  const { publish, remove } = useActions(cp, again);
  const open = (a) => navigate(`/gateways/applications${query({ cp: cp.id, app: a.id })}`);
  const create = manage && html`<button type="button" onClick=${() => setPanel({ create: true })}>New application</button>`;
  return html`<${ListPage} label="Applications" search="Search applications" reload=${reload} highlight=${highlight}
      load=${api7List(appsPath(cp), labelsParam)}
      filters=${[{ name: "labels", label: "Labels", render: (p) => html`<${LabelsFilter} ...${p} />` }]}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      toolbar=${manage && html`${create}<button type="button" class="secondary" onClick=${() => setPanel({ import: true })}>Import OpenAPI</button>`}
      columns=${[
        { key: "name", label: "Name", render: (a) => html`<button type="button" class="link" onClick=${() => open(a)}>${a.name}</button>` },
        { key: "hosts", label: "Hosts", render: (a) => (a.hosts || []).join(", ") },
        { key: "path_prefix", label: "Path prefix", render: (a) => html`<code>${a.path_prefix}</code>` },
        { key: "active", label: "State", render: (a) => html`<${Published} active=${a.active} />` },
        { key: "labels", label: "Labels", render: (a) => html`<${Labels} labels=${a.labels} />` },
        { key: "created_at", label: "Created", sort: "created_at", render: (a) => when(a.created_at) },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (a) => when(a.updated_at) },
      ]}
      empty=${{ text: "No applications yet. An application serves some hosts and a path prefix from its upstream; its APIs pick the paths.", action: create }}
      actions=${(a) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => open(a)}>APIs</button>
        ${manage && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: a })}>Edit</button>
          <button type="button" class="secondary small" onClick=${() => publish(a, Number(a.active) !== 0)}>${Number(a.active) === 0 ? "Unpublish" : "Publish"}</button>
          <button type="button" class="danger small" onClick=${() => remove(a)}>Delete</button>`}
      <//>`} />
    ${panel && (panel.create || panel.edit) && html`<${AppPanel} cp=${cp} app=${panel.edit} onSaved=${saved} onClose=${close} />`}
    ${panel && panel.import && html`<${ImportPanel} cp=${cp} onDone=${saved} onClose=${close} />`}`;
}

export default function ApplicationsPage() {
  const { query: q } = useLocation();
  const app = q.get("app");
  return html`${!app && html`<${PageHead} title="Applications" intro="What the gateways of a control plane serve: hosts and a path prefix routed to upstream targets, and the APIs inside them." />`}
    <${ControlPlaneScope} what="Applications">${(cp) => (app
      ? html`<${ApplicationView} key=${`${cp.id}-${app}`} cp=${cp} id=${app} />`
      : html`<${ApplicationsList} key=${cp.id} cp=${cp} />`)}<//>`;
}
