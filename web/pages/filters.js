// Filters: Meshery's filters (a WASM module in base64, or its source, with
// its configuration) — list, create, edit, clone, delete, share, and publish
// in the catalog.

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { useLocation } from "../lib/router.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";
import { SharePanel, PublishForm, mayPublish, unpublish, visibilityOptions, visibilityLocked } from "./design-share.js";

const BASE = "/api/content/filters";
const VISIBILITY = ["private", "public", "published"].map((value) => ({ value }));
const SHOWN = [{ value: "true", label: "Shared with me" }];

const mine = (f) => session.user && f.user_id === session.user.id;

/** The bytes of `file` in base64 (a WASM module is sent that way). */
const base64 = (file) => new Promise((resolve, reject) => {
  const r = new FileReader();
  r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ""));
  r.onerror = () => reject(new Error("filter_file could not be read"));
  r.readAsDataURL(file);
});

function FilterForm({ filter, onSaved, onCancel }) {
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 255 },
    { name: "visibility", label: "Visibility", type: "select", options: visibilityOptions(filter?.visibility), disabled: visibilityLocked(filter),
      help: "Private: you and the organization's admins. Public: the organization." },
    { name: "upload", label: "WASM module (replaces the text below)", type: "file", accept: ".wasm", aliases: ["filter_file"] },
    { name: "filter_file", label: "Filter (source, or the module in base64)", type: "textarea", rows: 6, wide: true },
    { name: "filter_resource", label: "Configuration", type: "textarea", rows: 4, wide: true },
  ];
  return html`<${Form} fields=${fields}
    initial=${filter ? { name: filter.name, visibility: filter.visibility, filter_file: filter.filter_file, filter_resource: filter.filter_resource } : { visibility: "private" }}
    submitLabel=${filter ? "Save" : "Create filter"}
    toastText=${(f) => (filter ? `Filter ${f.name} saved.` : `Filter ${f.name} created.`)}
    onSubmit=${async (v) => {
      const body = { name: v.name.trim(), filter_file: v.upload ? await base64(v.upload) : v.filter_file, filter_resource: v.filter_resource };
      if (filter) body.id = filter.id;
      if (!visibilityLocked(filter)) body.visibility = v.visibility;
      return api("POST", BASE, body);
    }}
    onSaved=${onSaved} onCancel=${onCancel} />`;
}

// Filters shared with the user may be of any organization: their rows offer
// what a share allows everywhere (clone), not this organization's controls.
const listFilters = layer5List(BASE, "filters", (f) => ({ visibility: f.visibility, shared: f.shared }));
const loadFilters = async (args) => {
  const res = await listFilters(args);
  return args.filters.shared ? { ...res, rows: res.rows.map((f) => ({ ...f, shared: true })) } : res;
};

export default function FiltersPage() {
  // The filters shared with the user are not this organization's to delete.
  const sharedMode = useLocation().query.get("shared") === "true";
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {}: a new filter, {edit: f}, {share: f}, {publish: f}
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const refresh = (f) => {
    close();
    if (f) setHighlight(f.id);
    setReload((n) => n + 1);
  };
  const clone = async (f) => {
    try {
      const copy = await api("POST", `${BASE}/clone/${seg(f.id)}`);
      toast(`Filter ${f.name} cloned as ${copy.name}.`);
      refresh(copy);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const remove = async (f) => {
    if (!(await confirmAction({ title: "Delete filter", message: `Delete the filter "${f.name}"?` }))) return;
    try {
      await api("DELETE", `${BASE}/${seg(f.id)}`);
      toast(`Filter ${f.name} deleted.`);
      refresh(null);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const removeMany = async (filters) => {
    for (const f of filters) await api("DELETE", `${BASE}/${seg(f.id)}`);
  };
  const mayChange = (f) => !f.shared && (can("content.filters.update") || (mine(f) && can("content.filters.create")));
  const create = can("content.filters.create") && html`<button type="button" onClick=${() => setPanel({})}>New filter</button>`;
  return html`<${PageHead} title="Filters" intro="Filters are WebAssembly programs for the service mesh's proxies, with their configuration.">${create}<//>
    <${ListPage} label="Filters" search="Search filters" reload=${reload} highlight=${highlight}
      load=${loadFilters}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      filters=${[{ name: "visibility", label: "Visibility", options: VISIBILITY }, { name: "shared", label: "Show", options: SHOWN }]}
      columns=${[
        { key: "name", label: "Name", sort: "name" },
        { key: "visibility", label: "Visibility", render: (f) => html`<${Badge} value=${f.visibility} tone=${f.visibility === "private" ? "muted" : "info"} />` },
        { key: "owner", label: "Owner", render: (f) => (mine(f) ? "you" : f.shared ? "shared with you" : "") },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (f) => when(f.updated_at) },
      ]}
      empty=${{ text: "No filters yet.", action: create }}
      bulk=${can("content.filters.delete") && !sharedMode ? [{ label: "Delete", danger: true, run: removeMany }] : []}
      actions=${(f) => html`<${RowActions}>
        ${mayChange(f) && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: f })}>Edit</button>`}
        ${can("content.filters.create") && html`<button type="button" class="secondary small" onClick=${() => clone(f)}>Clone</button>`}
        ${!f.shared && (mine(f) || can("content.filters.share")) && html`<button type="button" class="secondary small" onClick=${() => setPanel({ share: f })}>Share</button>`}
        ${!f.shared && mayPublish(f) && (f.visibility === "published"
          ? html`<button type="button" class="secondary small" onClick=${async () => { if (await unpublish("filter", f)) refresh(f); }}>Unpublish</button>`
          : html`<button type="button" class="secondary small" onClick=${() => setPanel({ publish: f })}>Publish to catalog</button>`)}
        ${!f.shared && can("content.filters.delete") && html`<button type="button" class="danger small" onClick=${() => remove(f)}>Delete</button>`}
      <//>`} />
    ${panel && panel.share && html`<${Panel} wide title=${`Share ${panel.share.name}`} onClose=${close}>
      <${SharePanel} kind="filter" item=${panel.share} />
    <//>`}
    ${panel && panel.publish && html`<${Panel} title=${`Publish ${panel.publish.name}`} onClose=${close}>
      <${PublishForm} type="filter" item=${panel.publish} onSaved=${() => refresh(panel.publish)} onCancel=${close} />
    <//>`}
    ${panel && !panel.share && !panel.publish && html`<${Panel} title=${panel.edit ? `Edit ${panel.edit.name}` : "New filter"} onClose=${close}>
      <${FilterForm} filter=${panel.edit} onSaved=${refresh} onCancel=${close} />
    <//>`}`;
}
