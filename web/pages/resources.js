// Resources: the Kubernetes resources of the organization's designs, one per
// component of a design's current document — list, add one to a design,
// change or delete one; each change is a new version of its design
// (docs/content.md, "Pattern resources").

import { html, useState, useEffect } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { Link } from "../lib/router.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { PageHead, RowActions } from "../components/bits.js";
import { toast } from "../components/toast.js";

const BASE = "/api/content/patterns/resource";
const DESIGNS = "/api/content/patterns";

/** The Picker's search over the designs the caller sees. */
const searchDesigns = async (text, signal) => {
  const res = await api("GET", `${DESIGNS}?pagesize=20&order=name%20asc${text ? `&search=${seg(text)}` : ""}`, undefined, { signal });
  return (res.patterns || []).map((d) => ({ value: d.id, label: d.name }));
};

/** A design's name, for a Picker whose value (an id) came from the URL. */
function useDesignName(id) {
  const d = useLoad((signal) => (id ? api("GET", `${DESIGNS}/${seg(id)}`, undefined, { signal }) : Promise.resolve(null)), [id]);
  return d.data ? d.data.name : "";
}

function DesignFilter({ value, set }) {
  const name = useDesignName(value);
  return html`<${Picker} aria-label="Design" value=${value} valueLabel=${name || value} placeholder="All designs"
    search=${searchDesigns} onChange=${(v) => set(v || "")} />`;
}

/** A text filter applied when committed (Enter or leaving the field): the server matches it exactly. */
function ExactFilter({ label, value, set }) {
  // What is typed is kept here, so a re-render while the list loads does not erase it.
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return html`<input type="text" class="filter-text" aria-label=${label} placeholder="Any" value=${text}
    onInput=${(e) => setText(e.target.value)} onChange=${(e) => set(e.target.value.trim())} />`;
}

/** The configuration textarea's text: a JSON object, or nothing. */
function parseConfiguration(text) {
  if (!text.trim()) return { value: undefined };
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `configuration is not valid JSON: ${err.message}` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { error: "configuration must be a JSON object" };
  return { value };
}

function ResourceForm({ resource, onSaved, onCancel }) {
  // Editing: the resource with its configuration, as the server has it now.
  const full = useLoad((signal) => (resource ? api("GET", `${BASE}/${seg(resource.id)}`, undefined, { signal }) : Promise.resolve(null)), [resource && resource.id]);
  const [designName, setDesignName] = useState(resource ? resource.design_name || "" : "");
  if (resource && full.error) return html`<p class="error" role="alert">${full.error.message}</p>`;
  if (resource && !full.data) return html`<p class="muted">Loading…</p>`;
  const r = full.data;
  const fields = [
    { name: "design_id", label: "Design", required: !resource, wide: true,
      help: resource ? "A resource stays in its design." : "The design the resource is added to.",
      render: (p) => (resource ? html`<input type="text" id=${p.id} value=${designName || resource.design_id} readonly aria-describedby=${p["aria-describedby"]} />` : html`<${Picker} id=${p.id} name=${p.name} value=${p.value} valueLabel=${designName || p.value}
        required=${p.required} disabled=${p.disabled} aria-invalid=${p["aria-invalid"]} aria-describedby=${p["aria-describedby"]}
        search=${searchDesigns} onChange=${(v, o) => { setDesignName(o ? o.label : ""); p.set(v || ""); }} />`) },
    { name: "kind", label: "Kind", required: true, maxlength: 253, placeholder: "Deployment",
      help: "A kind of the built-in Kubernetes model or of a model registered here." },
    { name: "apiVersion", label: "API version (optional)", maxlength: 253, placeholder: "apps/v1", aliases: ["api version"],
      help: "Else the model's version of the kind." },
    { name: "name", label: "Name", required: true, maxlength: 253 },
    { name: "namespace", label: "Namespace", maxlength: 253, help: "Empty for none; cluster-scoped kinds take none." },
    { name: "configuration", label: "Configuration (JSON object, optional)", type: "textarea", rows: 10, wide: true,
      aliases: ["configuration.metadata"],
      placeholder: '{"spec": {"replicas": 2}}',
      help: "JSON only (no YAML): the Kubernetes object without apiVersion and kind. Name and namespace above win over its metadata." },
  ];
  const initial = r
    ? { design_id: r.design_id, kind: r.kind, apiVersion: r.apiVersion, name: r.name, namespace: r.namespace || "",
      configuration: r.configuration ? JSON.stringify(r.configuration, null, 2) : "" }
    : {};
  return html`<${Form} fields=${fields} initial=${initial}
    submitLabel=${resource ? "Save" : "Add resource"}
    validate=${(v) => ({ configuration: parseConfiguration(v.configuration).error })}
    toastText=${(saved) => (resource ? `Resource ${saved.name} saved (design version ${saved.version}).` : `Resource ${saved.name} added (design version ${saved.version}).`)}
    onSubmit=${(v) => {
      const body = { kind: v.kind.trim(), name: v.name.trim(), namespace: v.namespace.trim() };
      if (resource) body.id = resource.id;
      else body.design_id = v.design_id;
      if (v.apiVersion.trim()) body.apiVersion = v.apiVersion.trim();
      const conf = parseConfiguration(v.configuration).value;
      if (conf !== undefined) body.configuration = conf;
      return api("POST", BASE, body);
    }}
    onSaved=${onSaved} onCancel=${onCancel} />`;
}

/**
 * A resource's design by name (fetched for the rows shown): the designs list
 * searched for it, as the designs page keeps no query key that opens one design.
 */
function DesignLink({ id, names }) {
  const name = names[id];
  return html`<${Link} href=${`/designs?q=${seg(name || "")}`}>${name || "design"}<//>`;
}

export default function ResourcesPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // Design names by id, for the rows shown (the list answers ids only).
  const [names, setNames] = useState({});
  // null, {}: a new resource, {edit: r}
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const mayChange = can("content.designs.update");
  const refresh = (r) => {
    close();
    if (r) setHighlight(r.id);
    setReload((n) => n + 1);
  };
  const onRows = async (rows) => {
    const missing = [...new Set(rows.map((r) => r.design_id))].filter((id) => !(id in names));
    if (!missing.length) return;
    const found = await Promise.all(missing.map((id) => api("GET", `${DESIGNS}/${seg(id)}`).then((d) => [id, d.name], () => [id, ""])));
    setNames((old) => ({ ...old, ...Object.fromEntries(found) }));
  };
  const remove = async (r) => {
    if (!(await confirmAction({ title: "Delete resource", message: `Remove the ${r.kind} "${r.name}" from its design? The design gets a new version; earlier versions keep it.` }))) return;
    try {
      await api("DELETE", `${BASE}/${seg(r.id)}`);
      toast(`Resource ${r.name} deleted.`);
      refresh(null);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const add = mayChange && html`<button type="button" onClick=${() => setPanel({})}>Add resource</button>`;

  return html`<${PageHead} title="Resources" intro="The Kubernetes resources the organization's designs describe, one per component. Adding, changing or deleting one saves its design as a new version.">${add}<//>
    <${ListPage} label="Resources" search="Search resources" reload=${reload} highlight=${highlight} onRows=${onRows}
      load=${layer5List(BASE, "resources", (f) => ({ designId: f.design, kind: f.kind, namespace: f.namespace }))}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      filters=${[
        { name: "design", label: "Design", render: (p) => html`<${DesignFilter} ...${p} />` },
        { name: "kind", label: "Kind", render: (p) => html`<${ExactFilter} label="Kind" ...${p} />` },
        { name: "namespace", label: "Namespace", render: (p) => html`<${ExactFilter} label="Namespace" ...${p} />` },
      ]}
      columns=${[
        { key: "name", label: "Name", sort: "name" },
        { key: "kind", label: "Kind", sort: "kind" },
        { key: "namespace", label: "Namespace", sort: "namespace" },
        { key: "apiVersion", label: "API version" },
        { key: "design", label: "Design", render: (r) => html`<${DesignLink} id=${r.design_id} names=${names} />` },
        { key: "version", label: "Version" },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (r) => when(r.updated_at) },
      ]}
      empty=${{ text: "No resources yet. A design's components are its resources: add one here or import manifests on the Designs page.", action: add }}
      actions=${mayChange && ((r) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ edit: { ...r, design_name: names[r.design_id] } })}>Edit</button>
        <button type="button" class="danger small" onClick=${() => remove(r)}>Delete</button>
      <//>`)} />
    ${panel && html`<${Panel} title=${panel.edit ? `Edit ${panel.edit.kind} ${panel.edit.name}` : "Add a resource"} onClose=${close}>
      <${ResourceForm} resource=${panel.edit} onSaved=${refresh} onCancel=${close} />
    <//>`}`;
}
