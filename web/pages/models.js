// Models: the component kinds and relationship definitions designs are made
// of — the built-in Kubernetes model and those the organization registered.
// List, a model's components and relationships, and registering more by
// file, CSV sheets, URL or a form (docs/content.md, "Models").

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List, upload } from "../lib/api.js";
import { can } from "../lib/session.js";
import { when, plural } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel } from "../components/dialog.js";
import { PageHead, Section, Badge } from "../components/bits.js";

const BASE = "/api/integrations/meshmodels/models";
const REGISTER = "/api/meshmodels/register";

const OPTIONAL_NAME = { name: "name", label: "Model name (optional)", maxlength: 100,
  help: "For CRDs: else the CRDs' API group names the model." };
const OPTIONAL_VERSION = { name: "version", label: "Version (optional)", maxlength: 64, placeholder: "v1.0.0" };
const CHECK = { name: "check", label: "Check only: show what would be registered, store nothing", type: "checkbox", wide: true };

// The upload types of POST /api/meshmodels/register, each with its fields.
// The server names `importBody` (the file, or the JSON of the type) in its refusals.
const TYPES = {
  "File Import": {
    help: "A Meshery model package (.tgz, .tar.gz, .tar), CustomResourceDefinition YAML, or a model definition (JSON or YAML).",
    fields: [
      { name: "importBody", label: "File", type: "file", required: true, wide: true, accept: ".tgz,.tar.gz,.tar,.gz,.yaml,.yml,.json", aliases: ["importBody.modelFile", "file"] },
      OPTIONAL_NAME, OPTIONAL_VERSION,
    ],
  },
  "CSV Import": {
    help: "Meshery's registrant sheets: one row per model, component and relationship.",
    fields: [
      { name: "modelCsv", label: "Model sheet (CSV)", type: "file", required: true, wide: true, accept: ".csv,text/csv", aliases: ["importBody.modelCsv", "model sheet"] },
      { name: "componentCsv", label: "Component sheet (CSV)", type: "file", required: true, wide: true, accept: ".csv,text/csv", aliases: ["importBody.componentCsv", "component sheet"] },
      { name: "relationshipCsv", label: "Relationship sheet (CSV, optional)", type: "file", wide: true, accept: ".csv,text/csv", aliases: ["importBody.relationshipCsv", "relationship sheet"] },
    ],
  },
  "URL Import": {
    help: "A package, CRD YAML or model definition the server fetches; only from the hosts this installation allows.",
    fields: [
      { name: "url", label: "URL", type: "url", required: true, wide: true, placeholder: "https://…", aliases: ["importBody.url", "importBody"] },
      OPTIONAL_NAME, OPTIONAL_VERSION,
    ],
  },
  "Model Create": {
    help: "An empty model to hold components registered later under the same name.",
    fields: [
      { name: "name", label: "Name", required: true, maxlength: 100, help: "Lowercase letters, digits, '-' and '.'.", aliases: ["importBody"] },
      { name: "displayName", label: "Display name", maxlength: 255, aliases: ["display name"] },
      { name: "version", label: "Version", maxlength: 64, placeholder: "v1.0.0" },
      { name: "category", label: "Category", maxlength: 100 },
    ],
  },
};

/** The multipart form of `type` from the form's values. */
function registerForm(type, v) {
  const form = new FormData();
  form.append("uploadType", type);
  form.append("register", v.check ? "false" : "true");
  const text = (k) => (v[k] || "").trim();
  if (type === "File Import") {
    form.append("importBody", v.importBody, v.importBody.name);
    if (text("name")) form.append("name", text("name"));
    if (text("version")) form.append("version", text("version"));
  } else if (type === "CSV Import") {
    for (const k of ["modelCsv", "componentCsv", "relationshipCsv"]) if (v[k]) form.append(k, v[k], v[k].name);
  } else if (type === "URL Import") {
    const body = { url: text("url") };
    if (text("name")) body.name = text("name");
    if (text("version")) body.version = text("version");
    form.append("importBody", JSON.stringify(body));
  } else {
    const body = { name: text("name") };
    if (text("displayName")) body.displayName = text("displayName");
    if (text("version")) body.version = text("version");
    if (text("category")) body.category = { name: text("category") };
    form.append("importBody", JSON.stringify(body));
  }
  return form;
}

function RegisterPanel({ onRegistered, onClose }) {
  const [type, setType] = useState("File Import");
  const [progress, setProgress] = useState(null);
  // The server's answer to a check (register=false), shown until the next submit.
  const [checked, setChecked] = useState(null);
  const spec = TYPES[type];
  return html`<${Panel} title="Register a model" onClose=${onClose}>
    <div class="form">
      <div class="field wide">
        <label for="model-upload-type">Upload type</label>
        <select id="model-upload-type" value=${type} onChange=${(e) => { setType(e.target.value); setChecked(null); }}>
          ${Object.keys(TYPES).map((t) => html`<option value=${t}>${t}</option>`)}
        </select>
        <small class="help">${spec.help}</small>
      </div>
    </div>
    <${Form} key=${type} fields=${[...spec.fields, CHECK]}
      submitLabel="Register"
      toastText=${(res, v) => (v.check ? "" : res.message)}
      onSubmit=${async (v) => {
        setChecked(null);
        setProgress(0);
        try {
          return await upload(REGISTER, registerForm(type, v), setProgress);
        } finally {
          setProgress(null);
        }
      }}
      onSaved=${(res, v) => (v.check ? setChecked(res.message) : onRegistered(res))}
      onCancel=${onClose}>
      ${progress !== null && html`<progress class="wide" max="1" value=${progress} aria-label="Upload progress"></progress>`}
      ${checked && html`<p class="notice-bar wide" role="status">${checked}</p>`}
    <//>
  <//>`;
}

const yesNo = (b) => (b ? "yes" : "no");

/** The kinds a relationship definition's selectors join, from and to. */
function kinds(rel, side) {
  const out = new Set();
  for (const s of rel.selectors || []) for (const x of s?.allow?.[side] || []) if (x && x.kind) out.add(x.kind);
  return [...out].join(", ") || "any";
}

function ModelView({ id }) {
  const model = useLoad((signal) => api("GET", `${BASE}/${seg(id)}`, undefined, { signal }), [id]);
  if (model.error) return html`<p class="error" role="alert">${model.error.message}</p>`;
  if (!model.data) return html`<p class="muted">Loading…</p>`;
  const m = model.data;
  const comps = m.components || [];
  const rels = m.relationships || [];
  return html`
    ${m.description && html`<p>${m.description}</p>`}
    <dl class="facts">
      <dt>Name</dt><dd><code>${m.name}</code>${m.builtin && html` <${Badge} value="built-in" tone="info" />`}</dd>
      <dt>Version</dt><dd>${m.version}</dd>
      <dt>Category</dt><dd>${m.category?.name}${m.subCategory && m.subCategory !== "Uncategorized" ? ` / ${m.subCategory}` : ""}</dd>
      ${m.model?.version && m.model.version !== m.version && html`<dt>Upstream version</dt><dd>${m.model.version}</dd>`}
      ${m.registrant?.name && html`<dt>Registrant</dt><dd>${m.registrant.name}</dd>`}
      <dt>Status</dt><dd><${Badge} value=${m.status} /></dd>
      ${m.created_at && html`<dt>Registered</dt><dd>${when(m.created_at)}</dd>`}
      ${m.updated_at && m.updated_at !== m.created_at && html`<dt>Replaced</dt><dd>${when(m.updated_at)}</dd>`}
      <dt>ID</dt><dd><code>${m.id}</code></dd>
    </dl>
    <${Section} title=${`Components (${comps.length})`}>
      ${comps.length === 0 ? html`<p class="muted">No components.</p>` : html`<div class="table-wrap"><table aria-label="Components">
        <thead><tr><th>Kind</th><th>Version</th><th>Namespaced</th></tr></thead>
        <tbody>${comps.map((c) => html`<tr key=${`${c.component?.kind} ${c.component?.version}`}>
          <td data-label="Kind">${c.component?.kind}</td>
          <td data-label="Version">${c.component?.version}</td>
          <td data-label="Namespaced">${yesNo(c.metadata?.isNamespaced)}</td>
        </tr>`)}</tbody>
      </table></div>`}
    <//>
    <${Section} title=${`Relationships (${rels.length})`}>
      ${rels.length === 0 ? html`<p class="muted">No relationship definitions.</p>` : html`<div class="table-wrap"><table aria-label="Relationships">
        <thead><tr><th>Kind</th><th>Type</th><th>Sub type</th><th>From</th><th>To</th></tr></thead>
        <tbody>${rels.map((r, i) => html`<tr key=${r.id || i}>
          <td data-label="Kind">${r.kind}</td>
          <td data-label="Type">${r.type}</td>
          <td data-label="Sub type">${r.subType}</td>
          <td data-label="From">${kinds(r, "from")}</td>
          <td data-label="To">${kinds(r, "to")}</td>
        </tr>`)}</tbody>
      </table></div>`}
    <//>`;
}

export default function ModelsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {register: true}, {view: model}
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const registered = (res) => {
    close();
    setReload((n) => n + 1);
    // The list is keyed by id; the answer names models: mark the first by name once listed.
    const first = res && res.models && res.models[0];
    setHighlight(first ? `${first.name} ${first.version}` : null);
  };
  const register = can("content.models.register") && html`<button type="button" onClick=${() => setPanel({ register: true })}>Register model</button>`;

  return html`<${PageHead} title="Models" intro="Models define the component kinds of designs and the relationships between them. The built-in Kubernetes model is always there; registered models belong to this organization.">${register}<//>
    <${ListPage} label="Models" search="Search models" reload=${reload} highlight=${highlight}
      rowKey=${(m) => `${m.name} ${m.version}`}
      load=${layer5List(BASE, "models")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (m) => html`<button type="button" class="link" onClick=${() => setPanel({ view: m })}>${m.name}</button>${m.builtin ? html` <${Badge} value="built-in" tone="info" />` : ""}` },
        { key: "displayName", label: "Display name", sort: "displayName" },
        { key: "version", label: "Version", sort: "version" },
        { key: "category", label: "Category", render: (m) => m.category?.name || "" },
        { key: "counts", label: "Contents", render: (m) => `${plural(m.components_count, "component")}, ${plural(m.relationships_count, "relationship")}` },
      ]}
      empty=${{ text: "No models.", action: register }}
      actions=${(m) => html`<button type="button" class="secondary small" onClick=${() => setPanel({ view: m })}>View</button>`} />
    ${panel && panel.register && html`<${RegisterPanel} onRegistered=${registered} onClose=${close} />`}
    ${panel && panel.view && html`<${Panel} wide title=${`Model ${panel.view.displayName || panel.view.name} ${panel.view.version}`} onClose=${close}>
      <${ModelView} id=${panel.view.id} />
    <//>`}`;
}
