// Environments of the organization: list, create, edit, delete (one or
// many), and the connections each one groups (docs/infra.md). Controls show
// only when the user holds the key the server checks; the server decides.

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { PageHead, RowActions, Section, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

const FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 255 },
  { name: "description", label: "Description", type: "textarea", maxlength: 1000, rows: 3 },
];

/** The organization's connections for a picker, searched by the server. */
export const connectionSearch = async (text, signal) => {
  const q = new URLSearchParams({ pagesize: "20", search: text, order: "name asc" });
  const page = await api("GET", `/api/integrations/connections?${q}`, undefined, { signal });
  return page.connections.map((c) => ({ value: c.id, label: c.name, detail: `${c.kind}, ${c.status}` }));
};

function EnvironmentConnections({ env }) {
  const mayEdit = can("infra.environments.update");
  const [reload, setReload] = useState(0);
  const [pick, setPick] = useState({ id: "", label: "" });
  const [busy, setBusy] = useState(false);
  // Shown in the panel: a toast would sit behind the modal panel.
  const [error, setError] = useState("");
  const base = `/api/environments/${seg(env.id)}/connections`;
  const assign = async (ev) => {
    ev.preventDefault();
    if (!pick.id || busy) return;
    setError("");
    setBusy(true);
    try {
      await api("POST", `${base}/${seg(pick.id)}`);
      toast(`${pick.label} assigned to ${env.name}.`);
      setPick({ id: "", label: "" });
      setReload((n) => n + 1);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const unassign = async (c) => {
    if (!(await confirmAction({ title: "Unassign connection", message: `Take the connection "${c.name}" out of the environment "${env.name}"?`, confirmLabel: "Unassign" }))) return;
    try {
      await api("DELETE", `${base}/${seg(c.id)}`);
      toast(`${c.name} unassigned from ${env.name}.`);
      setReload((n) => n + 1);
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<${Section} title="Connections">
    ${mayEdit && can("infra.connections.read") && html`<form class="form inline" onSubmit=${assign}>
      <div class="field"><label for="env-add-connection">Assign a connection</label>
        <${Picker} id="env-add-connection" value=${pick.id} valueLabel=${pick.label} search=${connectionSearch}
          onChange=${(id, o) => setPick({ id, label: o ? o.label : "" })} /></div>
      <div class="buttons"><button type="submit" disabled=${!pick.id || busy}>Assign</button></div>
    </form>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${ListPage} label="Connections of the environment" prefix="c" search="Search connections" reload=${reload}
      load=${layer5List(base, "connections")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name" },
        { key: "kind", label: "Kind", sort: "kind" },
        { key: "status", label: "Status", sort: "status", render: (c) => html`<${Badge} value=${c.status} />` },
      ]}
      empty=${{ text: "No connections assigned yet." }}
      actions=${mayEdit ? (c) => html`<button type="button" class="danger small" onClick=${() => unassign(c)}>Unassign</button>` : null} />
  <//>`;
}

export default function EnvironmentsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null: no panel; {}: a new environment; an environment: editing it; {open: env}: its connections.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const remove = async (envs) => {
    for (const e of envs) await api("DELETE", `/api/environments/${seg(e.id)}`);
  };
  const removeOne = async (e) => {
    if (!(await confirmAction({ title: "Delete environment", message: `Delete the environment "${e.name}"? Its connections are unassigned and it leaves every workspace.` }))) return;
    try {
      await remove([e]);
      toast(`Environment ${e.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = can("infra.environments.create") && html`<button type="button" onClick=${() => setPanel({})}>New environment</button>`;

  return html`<${PageHead} title="Environments" intro="An environment groups the connections (and the credentials they use) that belong together.">${create}<//>
    <${ListPage} label="Environments" search="Search environments" reload=${reload} highlight=${highlight}
      load=${layer5List("/api/environments", "environments")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (e) => html`<button type="button" class="link" onClick=${() => setPanel({ open: e })}>${e.name}</button>` },
        { key: "description", label: "Description" },
        { key: "created_at", label: "Created", sort: "created_at", render: (e) => when(e.created_at) },
        { key: "updated_at", label: "Updated", sort: "updated_at", render: (e) => when(e.updated_at) },
      ]}
      empty=${{ text: "No environments yet. An environment groups connections that belong together.", action: create }}
      bulk=${can("infra.environments.delete") ? [{ label: "Delete", danger: true, run: remove }] : []}
      actions=${(e) => html`<${RowActions}>
        ${can("infra.connections.read") && html`<button type="button" class="secondary small" onClick=${() => setPanel({ open: e })}>Connections</button>`}
        ${can("infra.environments.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel(e)}>Edit</button>`}
        ${can("infra.environments.delete") && html`<button type="button" class="danger small" onClick=${() => removeOne(e)}>Delete</button>`}
      <//>`} />
    ${panel && !panel.open && html`<${Panel} title=${panel.id ? `Edit ${panel.name}` : "New environment"} onClose=${close}>
      <${Form} fields=${FIELDS} initial=${panel.id ? { name: panel.name, description: panel.description || "" } : {}}
        submitLabel=${panel.id ? "Save" : "Create environment"}
        toastText=${(e, v) => (panel.id ? `Environment ${v.name.trim()} saved.` : `Environment ${v.name.trim()} created.`)}
        onSubmit=${async (v) => {
          // Environments never move between organizations.
          const body = { name: v.name.trim(), description: v.description.trim(), organization_id: panel.id ? panel.organization_id : session.orgId };
          if (panel.id) {
            // The answer is a one-item page.
            const page = await api("PUT", `/api/environments/${seg(panel.id)}`, body);
            return (page && page.environments && page.environments[0]) || { ...panel, ...body };
          }
          return api("POST", "/api/environments", body);
        }}
        onSaved=${(e) => { close(); setHighlight(e.id); setReload((n) => n + 1); }} onCancel=${close} />
    <//>`}
    ${panel && panel.open && html`<${Panel} wide title=${`Environment ${panel.open.name}`} onClose=${close}>
      ${panel.open.description && html`<p class="muted">${panel.open.description}</p>`}
      ${can("infra.connections.read") ? html`<${EnvironmentConnections} env=${panel.open} />` : html`<p class="muted">Listing its connections needs the key infra.connections.read.</p>`}
    <//>`}`;
}
