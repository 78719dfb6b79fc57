// Workspaces of the organization: list, create, edit, delete, and what each
// links to: environments and teams (chosen with a searchable picker over the
// organization's unassigned ones), designs and views (by id, until their
// family exists), and its recent events (docs/infra.md).

import { html, useState } from "../lib/html.js";
import { api, seg, query, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { PageHead, RowActions, Section } from "../components/bits.js";
import { toast } from "../components/toast.js";

const FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 255 },
  { name: "description", label: "Description", type: "textarea", maxlength: 1000, rows: 3 },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// What a workspace links to. Environments and teams are picked from the
// organization's unassigned ones; designs and views are linked by id.
const LINKS = [
  { kind: "environments", title: "Environments", noun: "environment", pick: true, perm: "infra.environments.read", prefix: "e" },
  { kind: "teams", title: "Teams", noun: "team", pick: true, perm: "identity.teams.read", prefix: "t" },
  { kind: "designs", title: "Designs", noun: "design", pick: false, perm: "content.designs.read", prefix: "d" },
  { kind: "views", title: "Views", noun: "view", pick: false, perm: "content.designs.read", prefix: "v" },
];

function Links({ ws, link, onChange }) {
  const mayEdit = can("infra.workspaces.update");
  const [reload, setReload] = useState(0);
  const [pick, setPick] = useState({ id: "", label: "" });
  const [busy, setBusy] = useState(false);
  // Shown in the panel: a toast would sit behind the modal panel.
  const [error, setError] = useState("");
  const base = `/api/workspaces/${seg(ws.id)}/${link.kind}`;
  // The unassigned ones, searched by the server as one types.
  const search = async (text, signal) => {
    const page = await api("GET", `${base}${query({ pagesize: 20, search: text, order: "name asc", filter: JSON.stringify({ assigned: false }) })}`, undefined, { signal });
    return page[link.kind].map((x) => ({ value: x.id, label: x.name }));
  };
  const changed = () => {
    setReload((n) => n + 1);
    onChange();
  };
  const add = async (ev) => {
    ev.preventDefault();
    const id = link.pick ? pick.id : new FormData(ev.target).get("target").trim();
    if (!id || busy) return;
    setError("");
    if (!link.pick && !UUID.test(id)) {
      setError(`The ${link.noun} id must be a UUID (32 hex digits in groups of 8-4-4-4-12).`);
      return;
    }
    setBusy(true);
    try {
      await api("POST", `${base}/${seg(id)}`);
      toast(`${link.pick ? pick.label : id} ${link.pick ? "assigned to" : "linked to"} ${ws.name}.`);
      setPick({ id: "", label: "" });
      if (!link.pick) ev.target.reset();
      changed();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (x) => {
    const label = link.pick ? x.name : x.id;
    if (!(await confirmAction({ title: `Unassign ${link.noun}`, message: `Take the ${link.noun} "${label}" out of the workspace "${ws.name}"?`, confirmLabel: "Unassign" }))) return;
    try {
      await api("DELETE", `${base}/${seg(x.id)}`);
      toast(`${label} unassigned from ${ws.name}.`);
      changed();
    } catch (err) {
      setError(err.message);
    }
  };
  const id = `ws-add-${link.kind}`;
  return html`<${Section} title=${link.title}>
    ${mayEdit && html`<form class="form inline" onSubmit=${add}>
      <div class="field"><label for=${id}>${link.pick ? `Assign ${link.noun === "environment" ? "an" : "a"} ${link.noun}` : `Link a ${link.noun} by id`}</label>
        ${link.pick
          ? html`<${Picker} id=${id} value=${pick.id} valueLabel=${pick.label} search=${search}
              onChange=${(v, o) => setPick({ id: v, label: o ? o.label : "" })} />`
          : html`<input id=${id} name="target" autocomplete="off" placeholder="00000000-0000-0000-0000-000000000000" />`}</div>
      <div class="buttons"><button type="submit" disabled=${busy || (link.pick && !pick.id)}>${link.pick ? "Assign" : "Link"}</button></div>
    </form>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${ListPage} label=${`${link.title} of the workspace`} prefix=${link.prefix} search=${link.pick ? `Search ${link.kind}` : false} reload=${reload}
      load=${layer5List(base, link.kind)}
      columns=${link.pick
        ? [{ key: "name", label: "Name", sort: "name" }, { key: "description", label: "Description" }]
        : [{ key: "id", label: "Id", render: (x) => html`<code>${x.id}</code>` }, { key: "created_at", label: "Linked", sort: "created_at", render: (x) => when(x.created_at) }]}
      empty=${{ text: `No ${link.kind} ${link.pick ? "assigned" : "linked"}.` }}
      actions=${mayEdit ? (x) => html`<button type="button" class="danger small" onClick=${() => remove(x)}>Unassign</button>` : null} />
  <//>`;
}

function Events({ ws, reload }) {
  const who = (ev) => {
    const name = [ev.firstName, ev.lastName].filter(Boolean).join(" ");
    return ev.email ? (name ? `${name} <${ev.email}>` : ev.email) : name;
  };
  return html`<${Section} title="Recent events">
    <${ListPage} label="Events of the workspace" prefix="h" search=${false} reload=${reload}
      load=${layer5List(`/api/workspaces/${seg(ws.id)}/events`, "data")}
      defaults=${{ size: 10 }}
      columns=${[
        { key: "created_at", label: "When", render: (ev) => when(ev.created_at) },
        { key: "who", label: "Who", render: who },
        { key: "description", label: "What" },
      ]}
      empty=${{ text: "No events." }} />
  <//>`;
}

function Details({ ws }) {
  const [events, setEvents] = useState(0);
  const bump = () => setEvents((n) => n + 1);
  return html`${ws.description && html`<p class="muted">${ws.description}</p>`}
    ${LINKS.filter((l) => can(l.perm)).map((l) => html`<${Links} key=${l.kind} ws=${ws} link=${l} onChange=${bump} />`)}
    ${can("events.events.read") && html`<${Events} ws=${ws} reload=${events} />`}`;
}

export default function WorkspacesPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {} (new), a workspace (edit), {open: ws} (its links)
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const remove = async (list) => {
    for (const w of list) await api("DELETE", `/api/workspaces/${seg(w.id)}`);
  };
  const removeOne = async (w) => {
    if (!(await confirmAction({ title: "Delete workspace", message: `Delete the workspace "${w.name}"? Its links to environments, teams, designs and views go with it.` }))) return;
    try {
      await remove([w]);
      toast(`Workspace ${w.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = can("infra.workspaces.create") && html`<button type="button" onClick=${() => setPanel({})}>New workspace</button>`;

  return html`<${PageHead} title="Workspaces" intro="A workspace brings together the environments, teams, designs and views of one piece of work.">${create}<//>
    <${ListPage} label="Workspaces" search="Search workspaces" reload=${reload} highlight=${highlight}
      load=${layer5List("/api/workspaces", "workspaces")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (w) => html`<button type="button" class="link" onClick=${() => setPanel({ open: w })}>${w.name}</button>` },
        { key: "description", label: "Description" },
        { key: "created_at", label: "Created", sort: "created_at", render: (w) => when(w.created_at) },
        { key: "updated_at", label: "Updated", sort: "updated_at", render: (w) => when(w.updated_at) },
      ]}
      empty=${{ text: "No workspaces yet. A workspace brings environments and teams together.", action: create }}
      bulk=${can("infra.workspaces.delete") ? [{ label: "Delete", danger: true, run: remove }] : []}
      actions=${(w) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ open: w })}>Details</button>
        ${can("infra.workspaces.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel(w)}>Edit</button>`}
        ${can("infra.workspaces.delete") && html`<button type="button" class="danger small" onClick=${() => removeOne(w)}>Delete</button>`}
      <//>`} />
    ${panel && !panel.open && html`<${Panel} title=${panel.id ? `Edit ${panel.name}` : "New workspace"} onClose=${close}>
      <${Form} fields=${FIELDS} initial=${panel.id ? { name: panel.name, description: panel.description || "" } : {}}
        submitLabel=${panel.id ? "Save" : "Create workspace"}
        toastText=${(w, v) => `Workspace ${v.name.trim()} ${panel.id ? "saved" : "created"}.`}
        onSubmit=${async (v) => {
          // Workspaces never move between organizations.
          const body = { name: v.name.trim(), description: v.description.trim(), organization_id: panel.id ? panel.organization_id : session.orgId };
          const w = panel.id ? await api("PUT", `/api/workspaces/${seg(panel.id)}`, body) : await api("POST", "/api/workspaces", body);
          return w && w.id ? w : { ...panel, ...body };
        }}
        onSaved=${(w) => { close(); setHighlight(w.id); setReload((n) => n + 1); }} onCancel=${close} />
    <//>`}
    ${panel && panel.open && html`<${Panel} wide title=${`Workspace ${panel.open.name}`} onClose=${close}>
      <${Details} ws=${panel.open} />
    <//>`}`;
}
