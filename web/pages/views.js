// Views: named sets of filters over the organization's resources (Meshery's
// views) — list, create, edit, share. The API has no delete for views.

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel } from "../components/dialog.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";
import { SharePanel, visibilityOptions, visibilityLocked } from "./design-share.js";

const BASE = "/api/content/views";
const VISIBILITY = ["private", "public", "published"].map((value) => ({ value }));
const SHOWN = [{ value: "true", label: "Shared with me" }];

const mine = (v) => session.user && v.user_id === session.user.id;

/** A JSON object typed into a textarea; `undefined` when empty, throws a sentence when not an object. */
export function jsonObject(text) {
  if (!text.trim()) return undefined;
  let v;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`is not JSON: ${err.message}`);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("must be a JSON object, e.g. {\"kinds\": [\"Deployment\"]}");
  return v;
}

/** Checks the JSON fields `names` of `values`: {field: message} for those that are not objects. */
export function jsonErrors(values, names) {
  const out = {};
  for (const n of names) {
    try {
      jsonObject(values[n]);
    } catch (err) {
      out[n] = `${n} ${err.message}`;
    }
  }
  return out;
}

const pretty = (v) => (v && Object.keys(v).length ? JSON.stringify(v, null, 2) : "");

function ViewForm({ view, onSaved, onCancel }) {
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 255 },
    { name: "visibility", label: "Visibility", type: "select", options: visibilityOptions(view?.visibility), disabled: visibilityLocked(view),
      help: "Private: you and the organization's admins. Public: the organization." },
    { name: "filters", label: "Filters (JSON object)", type: "textarea", rows: 6, wide: true, placeholder: "{\"kinds\": [\"Deployment\"], \"namespaces\": [\"shop\"]}" },
    { name: "metadata", label: "Metadata (JSON object, optional)", type: "textarea", rows: 3, wide: true },
  ];
  return html`<${Form} fields=${fields}
    initial=${view ? { name: view.name, visibility: view.visibility, filters: pretty(view.filters), metadata: pretty(view.metadata) } : { visibility: "private" }}
    validate=${(v) => jsonErrors(v, ["filters", "metadata"])}
    submitLabel=${view ? "Save" : "Create view"}
    toastText=${(v) => (view ? `View ${v.name} saved.` : `View ${v.name} created.`)}
    onSubmit=${(v) => {
      const body = { name: v.name.trim(), filters: jsonObject(v.filters) || {}, metadata: jsonObject(v.metadata) || {} };
      if (!visibilityLocked(view)) body.visibility = v.visibility;
      // A PUT of an id no view has yet creates the view.
      return api("PUT", `${BASE}/${seg(view ? view.id : crypto.randomUUID())}`, body);
    }}
    onSaved=${onSaved} onCancel=${onCancel} />`;
}

// Views shared with the user may be of any organization: their rows offer
// no controls of this organization.
const listViews = layer5List(BASE, "views", (f) => ({ visibility: f.visibility, shared: f.shared }));
const loadViews = async (args) => {
  const res = await listViews(args);
  return args.filters.shared ? { ...res, rows: res.rows.map((v) => ({ ...v, shared: true })) } : res;
};

export default function ViewsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {}: a new view, {edit: v}, {share: v}
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const refresh = (v) => {
    close();
    if (v) setHighlight(v.id);
    setReload((n) => n + 1);
  };
  const mayChange = (v) => !v.shared && (can("content.views.update") || (mine(v) && can("content.views.create")));
  const create = can("content.views.create") && html`<button type="button" onClick=${() => setPanel({})}>New view</button>`;
  return html`<${PageHead} title="Views" intro="Views are named filters over the organization's resources, kept and shared like designs.">${create}<//>
    <${ListPage} label="Views" search="Search views" reload=${reload} highlight=${highlight}
      load=${loadViews}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      filters=${[{ name: "visibility", label: "Visibility", options: VISIBILITY }, { name: "shared", label: "Show", options: SHOWN }]}
      columns=${[
        { key: "name", label: "Name", sort: "name" },
        { key: "visibility", label: "Visibility", render: (v) => html`<${Badge} value=${v.visibility} tone=${v.visibility === "private" ? "muted" : "info"} />` },
        { key: "filters", label: "Filters", render: (v) => Object.keys(v.filters || {}).join(", ") },
        { key: "owner", label: "Owner", render: (v) => (mine(v) ? "you" : v.shared ? "shared with you" : "") },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (v) => when(v.updated_at) },
      ]}
      empty=${{ text: "No views yet. A view keeps a set of filters to come back to.", action: create }}
      actions=${(v) => html`<${RowActions}>
        ${mayChange(v) && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: v })}>Edit</button>`}
        ${!v.shared && (mine(v) || can("content.views.share")) && html`<button type="button" class="secondary small" onClick=${() => setPanel({ share: v })}>Share</button>`}
      <//>`} />
    ${panel && panel.share && html`<${Panel} wide title=${`Share ${panel.share.name}`} onClose=${close}>
      <${SharePanel} kind="view" item=${panel.share} />
    <//>`}
    ${panel && !panel.share && html`<${Panel} title=${panel.edit ? `Edit ${panel.edit.name}` : "New view"} onClose=${close}>
      <${ViewForm} view=${panel.edit} onSaved=${refresh} onCancel=${close} />
    <//>`}`;
}
