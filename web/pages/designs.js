// Designs: Meshery design documents of the organization — list, create from
// a pasted document, import (a file or a URL; Helm charts with values),
// rename and change visibility, clone, download, delete, and a view that
// draws the design and lists its components and versions.

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List, upload } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { useLocation } from "../lib/router.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Section, Badge } from "../components/bits.js";
import { DesignGraph } from "../components/graph.js";
import { toast } from "../components/toast.js";
import { SharePanel, PublishForm, mayPublish, unpublish, visibilityOptions, visibilityLocked } from "./design-share.js";

const BASE = "/api/content/patterns";
const VISIBILITY = ["private", "public", "published"].map((value) => ({ value }));
const SHOWN = [{ value: "true", label: "Shared with me" }];

// Designs shared with the user may be of any organization: their rows offer
// what a share allows everywhere (view, download, clone), not this
// organization's controls.
const listDesigns = layer5List(BASE, "patterns", (f) => ({ visibility: f.visibility, shared: f.shared }));
const loadDesigns = async (args) => {
  const res = await listDesigns(args);
  return args.filters.shared ? { ...res, rows: res.rows.map((d) => ({ ...d, shared: true })) } : res;
};

const mine = (d) => session.user && d.user_id === session.user.id;
const mayChange = (d) => can("content.designs.update") || (mine(d) && can("content.designs.create"));

function DesignForm({ design, onSaved, onCancel }) {
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 255, aliases: ["patterndata.name"] },
    { name: "visibility", label: "Visibility", type: "select", options: visibilityOptions(design?.visibility),
      disabled: visibilityLocked(design),
      help: visibilityLocked(design) ? "Published through the catalog: Unpublish takes it out."
        : "Private: you and the organization's admins. Public: the organization. Published (everyone signed in): ask for it with Publish to catalog." },
  ];
  if (!design) {
    fields.push({ name: "document", label: "Design document (YAML or JSON, optional)", type: "textarea", rows: 10, wide: true,
      aliases: ["patterndata", "patterndata.patternfile", "patterndata.version", "patterndata.components"],
      placeholder: "name: my design\ncomponents: []\nrelationships: []" });
  }
  return html`<${Form} fields=${fields}
    initial=${design ? { name: design.name, visibility: design.visibility || "private" } : { visibility: "private" }}
    submitLabel=${design ? "Save" : "Create design"}
    toastText=${(d) => (design ? `Design ${d.name} saved.` : `Design ${d.name} created.`)}
    onSubmit=${async (v) => {
      const body = { name: v.name.trim(), save: true };
      if (!visibilityLocked(design)) body.visibility = v.visibility;
      if (design) {
        body.id = design.id;
        const full = await api("GET", `${BASE}/${seg(design.id)}`);
        body.patternData = full.patternFile;
      } else if (v.document.trim()) {
        body.patternData = { patternFile: v.document };
      } else {
        body.patternData = { name: body.name, components: [], relationships: [] };
      }
      return api("POST", BASE, body);
    }}
    onSaved=${onSaved} onCancel=${onCancel} />`;
}

// Where an import comes from: a file chosen here, or a URL the server fetches.
const SOURCES = [["file", "From a file"], ["url", "From a URL"]];

const VALUES_FIELD = { name: "values", label: "Helm values (YAML, optional)", type: "textarea", rows: 4, wide: true,
  placeholder: "replicaCount: 2",
  help: "Helm charts (.tgz) only: merged over the chart's values.yaml. Ignored for other sources." };

/**
 * Import Kubernetes manifests, a Compose file, a Meshery design or a Helm
 * chart as a new design, from a file or from a URL (only from the hosts the
 * installation allows; the server says so under the URL field otherwise).
 */
function ImportForm({ onSaved, onCancel }) {
  const [source, setSource] = useState("file");
  const [progress, setProgress] = useState(null);
  const fields = source === "file"
    ? [{ name: "file", label: "File: Kubernetes manifests, a Compose file, a Meshery design or a Helm chart", type: "file", required: true, wide: true, accept: ".yaml,.yml,.json,.tgz,.tar.gz" }]
    : [{ name: "url", label: "URL of manifests, a Compose file, a Meshery design or a Helm chart", type: "url", required: true, wide: true, placeholder: "https://…" }];
  fields.push({ name: "name", label: source === "file" ? "Name (optional; else the file's)" : "Name (optional; else the URL's file name)", maxlength: 255 }, VALUES_FIELD);
  return html`<div class="form"><div class="field wide">
      <div class="segmented" role="group" aria-label="Import source">
        ${SOURCES.map(([value, label]) => html`<button type="button" class=${value === source ? "" : "secondary"} aria-pressed=${value === source ? "true" : "false"}
          onClick=${() => setSource(value)}>${label}</button>`)}
      </div>
    </div></div>
    <${Form} key=${source} fields=${fields}
    submitLabel="Import"
    toastText=${(res, v) => `Imported ${v.file ? v.file.name : v.url.trim()}.`}
    onSubmit=${async (v) => {
      const form = new FormData();
      if (source === "file") {
        form.append("file", v.file);
        form.append("fileName", v.file.name);
      } else {
        form.append("url", v.url.trim());
      }
      if (v.name.trim()) form.append("name", v.name.trim());
      if (v.values.trim()) form.append("values", v.values);
      setProgress(0);
      try {
        return await upload("/api/pattern/import", form, setProgress);
      } finally {
        setProgress(null);
      }
    }}
    onSaved=${onSaved} onCancel=${onCancel}>
    ${progress !== null && html`<progress class="wide" max="1" value=${progress} aria-label="Upload progress"></progress>`}
  <//>`;
}

function Components({ doc }) {
  const comps = doc.components || [];
  if (!comps.length) return html`<p class="muted">No components yet.</p>`;
  return html`<div class="table-wrap"><table>
    <thead><tr><th>Name</th><th>Kind</th><th>Version</th><th>Namespace</th><th>Model</th></tr></thead>
    <tbody>${comps.map((c) => html`<tr key=${c.id}>
      <td data-label="Name">${c.displayName}</td>
      <td data-label="Kind">${c.component?.kind}</td>
      <td data-label="Version">${c.component?.version}</td>
      <td data-label="Namespace">${c.configuration?.metadata?.namespace || ""}</td>
      <td data-label="Model">${c.model?.displayName || c.model?.name || ""}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

/** Counts of evaluation actions by kind ("3 added, 1 removed"). */
function summary(actions) {
  const n = (op) => actions.filter((a) => a.op === op).length;
  const parts = [[n("add_relationship"), "added"], [n("update_relationship"), "updated"], [n("delete_relationship"), "removed"]]
    .filter(([k]) => k > 0).map(([k, w]) => `${k} ${w}`);
  return parts.length ? `Relationships: ${parts.join(", ")}.` : "Nothing to change: the relationships are up to date.";
}

function DesignView({ id, onSaved }) {
  const [shown, setShown] = useState(null);
  // The answer of POST /evaluate, drawn until saved or dismissed.
  const [evaluated, setEvaluated] = useState(null);
  const [busy, setBusy] = useState(false);
  const design = useLoad((signal) => api("GET", `${BASE}/${seg(id)}`, undefined, { signal }), [id]);
  const version = useLoad((signal) => (shown ? api("GET", `${BASE}/${seg(id)}/versions/${seg(shown)}`, undefined, { signal }) : Promise.resolve(null)), [id, shown]);
  if (design.error) return html`<p class="error" role="alert">${design.error.message}</p>`;
  if (!design.data) return html`<p class="muted">Loading…</p>`;
  const d = design.data;
  const doc = evaluated ? evaluated.design : shown && version.data ? version.data.patternFile : d.patternFile || {};
  const evaluate = async () => {
    setBusy(true);
    try {
      setShown(null);
      setEvaluated(await api("POST", "/evaluate", { design: d.patternFile }));
    } catch (err) {
      toast(err.message, "error");
    } finally {
      setBusy(false);
    }
  };
  const saveEvaluated = async () => {
    setBusy(true);
    try {
      const saved = await api("POST", BASE, { id: d.id, name: d.name, save: true, patternData: evaluated.design });
      toast(`Design ${saved.name} saved as version ${saved.patternFile?.version || ""}.`);
      setEvaluated(null);
      design.reload();
      if (onSaved) onSaved(saved);
    } catch (err) {
      toast(err.message, "error");
    } finally {
      setBusy(false);
    }
  };
  return html`
    <dl class="facts">
      <dt>Version</dt><dd>${d.patternFile?.version}</dd>
      <dt>Visibility</dt><dd><${Badge} value=${d.visibility} /></dd>
      <dt>Changed</dt><dd>${when(d.updated_at)}</dd>
      <dt>ID</dt><dd><code>${d.id}</code></dd>
    </dl>
    <div class="buttons">
      <a class="button secondary" href=${`${BASE}/download/${seg(d.id)}`} download>Download YAML</a>
      <a class="button secondary" href=${`${BASE}/download/${seg(d.id)}?format=kubernetes`} download>Download manifests</a>
      <button type="button" class="secondary" disabled=${busy} onClick=${evaluate}>Evaluate relationships</button>
    </div>
    ${evaluated && html`<div class="notice-bar" role="status">
      <span>${summary(evaluated.actions)}</span>
      <div class="buttons">
        ${evaluated.actions.length > 0 && mayChange(d) && html`<button type="button" class="small" disabled=${busy} onClick=${saveEvaluated}>Save as the next version</button>`}
        <button type="button" class="ghost small" onClick=${() => setEvaluated(null)}>Dismiss</button>
      </div>
    </div>`}
    <${Section} title=${evaluated ? "Design, evaluated" : shown ? `Version ${shown}` : "Design"} actions=${shown && html`<button type="button" class="secondary small" onClick=${() => setShown(null)}>Back to the current version</button>`}>
      ${shown && !version.data ? html`<p class="muted">Loading…</p>` : html`<${DesignGraph} design=${doc} height=${360} />`}
    <//>
    <${Section} title="Components"><${Components} doc=${doc} /><//>
    <${Section} title="Versions">
      <${ListPage} label="Versions" prefix="v" search=${false} reload=${d.patternFile?.version}
        load=${layer5List(() => `${BASE}/${seg(id)}/versions`, "versions")}
        rowKey=${(v) => v.version}
        columns=${[
          { key: "version", label: "Version" },
          { key: "name", label: "Name" },
          { key: "created_at", label: "Saved", render: (v) => when(v.created_at) },
        ]}
        actions=${(v) => html`<button type="button" class="secondary small" onClick=${() => setShown(v.version)}>Show</button>`} />
    <//>`;
}

export default function DesignsPage() {
  // The designs shared with the user are not this organization's to delete.
  const sharedMode = useLocation().query.get("shared") === "true";
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {}: a new design, {edit: d}, {view: d}
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const refresh = (d) => {
    close();
    if (d) setHighlight(d.id);
    setReload((n) => n + 1);
  };
  const clone = async (d) => {
    try {
      const copy = await api("POST", `${BASE}/clone/${seg(d.id)}`);
      toast(`Design ${d.name} cloned as ${copy.name}.`);
      refresh(copy);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const removeMany = async (designs) => {
    await api("POST", `${BASE}/delete`, { patterns: designs.map((d) => ({ id: d.id })) });
  };
  const remove = async (d) => {
    if (!(await confirmAction({ title: "Delete design", message: `Delete the design "${d.name}" and its versions?` }))) return;
    try {
      await api("DELETE", `${BASE}/${seg(d.id)}`);
      toast(`Design ${d.name} deleted.`);
      refresh(null);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = can("content.designs.create") && html`<button type="button" onClick=${() => setPanel({})}>New design</button>
    <button type="button" class="secondary" onClick=${() => setPanel({ import: true })}>Import</button>`;

  return html`<${PageHead} title="Designs" intro="Meshery designs: the components of an application and the relationships between them.">${create}<//>
    <${ListPage} label="Designs" search="Search designs" reload=${reload} highlight=${highlight}
      load=${loadDesigns}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      filters=${[{ name: "visibility", label: "Visibility", options: VISIBILITY }, { name: "shared", label: "Show", options: SHOWN }]}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (d) => html`<button type="button" class="link" onClick=${() => setPanel({ view: d })}>${d.name}</button>` },
        { key: "visibility", label: "Visibility", render: (d) => html`<${Badge} value=${d.visibility} tone=${d.visibility === "private" ? "muted" : "info"} />` },
        { key: "owner", label: "Owner", render: (d) => (mine(d) ? "you" : d.shared ? "shared with you" : "") },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (d) => when(d.updated_at) },
      ]}
      empty=${{ text: "No designs yet. A design describes an application: its components and how they relate.", action: create }}
      bulk=${can("content.designs.delete") && !sharedMode ? [{ label: "Delete", danger: true, run: removeMany }] : []}
      actions=${(d) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ view: d })}>View</button>
        <a class="button secondary small" href=${`${BASE}/download/${seg(d.id)}`} download>Download</a>
        ${can("content.designs.create") && html`<button type="button" class="secondary small" onClick=${() => clone(d)}>Clone</button>`}
        ${!d.shared && mayChange(d) && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: d })}>Edit</button>`}
        ${!d.shared && (mine(d) || can("content.designs.share")) && html`<button type="button" class="secondary small" onClick=${() => setPanel({ share: d })}>Share</button>`}
        ${!d.shared && mayPublish(d) && (d.visibility === "published"
          ? html`<button type="button" class="secondary small" onClick=${async () => { if (await unpublish("pattern", d)) refresh(d); }}>Unpublish</button>`
          : html`<button type="button" class="secondary small" onClick=${() => setPanel({ publish: d })}>Publish to catalog</button>`)}
        ${!d.shared && can("content.designs.delete") && html`<button type="button" class="danger small" onClick=${() => remove(d)}>Delete</button>`}
      <//>`} />
    ${panel && panel.import && html`<${Panel} title="Import a design" onClose=${close}>
      <${ImportForm} onSaved=${(res) => refresh(res && res.id ? res : null)} onCancel=${close} />
    <//>`}
    ${panel && panel.share && html`<${Panel} wide title=${`Share ${panel.share.name}`} onClose=${close}>
      <${SharePanel} kind="design" item=${panel.share} />
    <//>`}
    ${panel && panel.publish && html`<${Panel} title=${`Publish ${panel.publish.name}`} onClose=${close}>
      <${PublishForm} type="pattern" item=${panel.publish} version=${panel.publish.patternFile?.version} models=${["kubernetes"]}
        onSaved=${() => refresh(panel.publish)} onCancel=${close} />
    <//>`}
    ${panel && !panel.view && !panel.import && !panel.share && !panel.publish && html`<${Panel} title=${panel.edit ? `Edit ${panel.edit.name}` : "New design"} onClose=${close}>
      <${DesignForm} design=${panel.edit} onSaved=${refresh} onCancel=${close} />
    <//>`}
    ${panel && panel.view && html`<${Panel} wide title=${`Design ${panel.view.name}`} onClose=${close}>
      <${DesignView} id=${panel.view.id} onSaved=${() => setReload((n) => n + 1)} />
    <//>`}`;
}


