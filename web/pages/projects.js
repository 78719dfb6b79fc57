// Projects: the organization's workspaces as the Identity face shows them
// (docs/identity.md), the teams linked to each, their resource allocations,
// and the organization's quotas. Creating and deleting a project is
// asynchronous (202): the list shows the provisioning status and reloads
// itself until nothing is pending.

import { html, useState, useEffect } from "../lib/html.js";
import { v1OrgPath as orgPath, api, seg } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when, plural } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { UsageBar } from "../components/chart.js";
import { PageHead, RowActions, Section, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

const POLL_MS = 1500;
const PENDING = { provisioning: "provisioned", deprovisioning: "deleted" };
const NAME_HELP = "1–63 letters, digits, - _ . (starting and ending with a letter or digit).";

// Write metadata from a form, keeping the tags of the item being edited (the
// forms do not edit tags, and a write replaces them).
function metadataOf(v, item) {
  const metadata = { name: v.name.trim() };
  if (v.description.trim()) metadata.description = v.description.trim();
  if (item && item.metadata.tags) metadata.tags = item.metadata.tags;
  return metadata;
}

/**
 * The Identity face lists projects and allocations as bare arrays without
 * paging, so this adapter searches, sorts and pages them here; the list
 * page works as with any server-paged list.
 */
function pageOf(all, { page, size, search, sort, dir }) {
  const s = search.trim().toLowerCase();
  let rows = s ? all.filter((p) => `${p.metadata.name} ${p.metadata.description || ""}`.toLowerCase().includes(s)) : [...all];
  const key = (p) => (sort === "created" ? p.metadata.creationTime : p.metadata.name.toLowerCase());
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (dir === "desc" ? -1 : 1));
  return { rows: rows.slice((page - 1) * size, page * size), total: rows.length };
}

function ItemsInput({ id, value, set, disabled, kinds }) {
  const items = value || [];
  const put = (i, patch) => set(items.map((it, j) => (j === i ? { ...it, ...patch } : it)));
  const list = `${id}-kinds`;
  return html`<div class="secret-input" id=${id} role="group">
    <datalist id=${list}>${kinds.map((q) => html`<option value=${q.kind}>${q.displayName}</option>`)}</datalist>
    ${items.map((it, i) => html`<div class="kv-row" key=${i}>
      <label>Kind <input list=${list} required maxlength="63" autocomplete="off" disabled=${disabled} value=${it.kind} onInput=${(e) => put(i, { kind: e.target.value })} /></label>
      <label>Committed <input type="number" min="0" step="1" required disabled=${disabled} value=${it.committed} onInput=${(e) => put(i, { committed: e.target.value })} /></label>
      <label>Reserved <input type="number" min="0" step="1" required disabled=${disabled} value=${it.reserved} onInput=${(e) => put(i, { reserved: e.target.value })} /></label>
      <button type="button" class="secondary small" disabled=${disabled} onClick=${() => set(items.filter((_, j) => j !== i))}>Remove</button>
    </div>`)}
    <button type="button" class="secondary small" disabled=${disabled} onClick=${() => set([...items, { kind: "", committed: 0, reserved: 0 }])}>Add resource</button>
  </div>`;
}

function Allocations({ project, allocations, quotas, onChange }) {
  const mayManage = can("infra.allocations.manage");
  const [editing, setEditing] = useState(null); // null, {} (new) or an allocation
  const names = new Map(quotas.map((q) => [q.kind, q.displayName]));
  const base = orgPath(`/projects/${seg(project.metadata.id)}/allocations`);
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 63, help: NAME_HELP, aliases: ["metadata.name"] },
    { name: "description", label: "Description", maxlength: 5000, aliases: ["metadata.description"] },
    { name: "ownerKind", label: "Owned by (kind)", required: true, maxlength: 253, placeholder: "kubernetescluster", aliases: ["spec.kind"] },
    { name: "ownerId", label: "Owner id", required: true, maxlength: 253, aliases: ["spec.id"] },
    { name: "items", label: "Resources", wide: true, aliases: ["spec.allocations", "spec.allocations[].kind", "allocation exceeded quota"],
      render: (p) => html`<${ItemsInput} ...${p} kinds=${quotas} />` },
  ];
  const remove = async (a) => {
    if (!(await confirmAction({ title: "Delete allocation", message: `Delete the allocation "${a.metadata.name}"? What it commits and reserves is freed.` }))) return;
    try {
      await api("DELETE", `${base}/${seg(a.metadata.id)}`);
      toast(`Allocation ${a.metadata.name} deleted.`);
      onChange();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const toNumber = (x) => (x === "" ? NaN : Number(x));
  return html`<${Section} title="Allocations" actions=${mayManage && !editing && html`<button type="button" class="small" onClick=${() => setEditing({})}>New allocation</button>`}>
    ${editing && html`<${Form} fields=${fields}
      initial=${editing.metadata ? { name: editing.metadata.name, description: editing.metadata.description || "", ownerKind: editing.spec.kind, ownerId: editing.spec.id,
        items: editing.spec.allocations.map((i) => ({ ...i })) } : { items: [{ kind: quotas[0]?.kind || "", committed: 0, reserved: 0 }] }}
      submitLabel=${editing.metadata ? "Save allocation" : "Create allocation"}
      validate=${(v) => {
        const bad = v.items.find((i) => !i.kind.trim() || !Number.isInteger(toNumber(i.committed)) || !Number.isInteger(toNumber(i.reserved)) || toNumber(i.committed) < 0 || toNumber(i.reserved) < 0);
        return { items: bad ? "Resources: each needs a kind and whole numbers of 0 or more committed and reserved." : undefined };
      }}
      toastText=${(a, v) => `Allocation ${v.name.trim()} saved.`}
      onSubmit=${(v) => {
        const body = { metadata: metadataOf(v, editing.metadata ? editing : null),
          spec: { kind: v.ownerKind.trim(), id: v.ownerId.trim(), allocations: v.items.map((i) => ({ kind: i.kind.trim(), committed: Number(i.committed), reserved: Number(i.reserved) })) } };
        return editing.metadata ? api("PUT", `${base}/${seg(editing.metadata.id)}`, body) : api("POST", base, body);
      }}
      onSaved=${() => { setEditing(null); onChange(); }} onCancel=${() => setEditing(null)} />`}
    <div class="table-wrap"><table>
      <thead><tr><th>Name</th><th>Owned by</th><th>Resources (committed / reserved)</th>${mayManage && html`<th class="actions"><span class="sr-only">Actions</span></th>`}</tr></thead>
      <tbody>
        ${allocations.length === 0 && html`<tr><td colspan="4" class="muted">No allocations in this project.</td></tr>`}
        ${allocations.map((a) => html`<tr key=${a.metadata.id}>
          <td data-label="Name">${a.metadata.name}${a.metadata.description && html`<div class="muted">${a.metadata.description}</div>`}</td>
          <td data-label="Owned by">${a.spec.kind} <code>${a.spec.id}</code></td>
          <td data-label="Resources">${a.spec.allocations.map((i) => html`<div>${names.get(i.kind) || i.kind}: ${i.committed} / ${i.reserved}</div>`)}</td>
          ${mayManage && html`<td class="actions"><${RowActions}>
            <button type="button" class="secondary small" onClick=${() => setEditing(a)}>Edit</button>
            <button type="button" class="danger small" onClick=${() => remove(a)}>Delete</button>
          <//></td>`}
        </tr>`)}
      </tbody>
    </table></div>
  <//>`;
}

function Quotas({ quotas, onSaved }) {
  const mayUpdate = can("identity.quotas.update");
  return html`<${Section} title="Quotas">
    <p class="muted">What all allocations of the organization's projects may commit and reserve together, per kind.</p>
    ${quotas.map((q) => html`<${UsageBar} key=${q.kind} label=${`${q.displayName} (${q.committed} committed, ${q.reserved} reserved)`} used=${q.used} limit=${q.quantity} />`)}
    ${mayUpdate && quotas.length > 0 && html`<${Form}
      fields=${quotas.map((q) => ({ name: q.kind, label: `${q.displayName} quota`, type: "number", min: 0, required: true, help: `${q.description} Default ${q.default}.`, aliases: [q.kind] }))}
      initial=${Object.fromEntries(quotas.map((q) => [q.kind, String(q.quantity)]))}
      submitLabel="Save quotas" toastText="Quotas saved."
      validate=${(v) => Object.fromEntries(quotas.map((q) => [q.kind, Number.isInteger(Number(v[q.kind])) && Number(v[q.kind]) >= 0 && v[q.kind] !== "" ? undefined : `${q.displayName} quota must be a whole number of 0 or more.`]))}
      onSubmit=${(v) => api("PUT", orgPath("/quotas"), { quotas: quotas.map((q) => ({ kind: q.kind, quantity: Number(v[q.kind]) })) })}
      onSaved=${onSaved} />`}
  <//>`;
}

export default function ProjectsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  const [pending, setPending] = useState([]);
  // null, {} (new), {edit: p}, {open: p} (its allocations)
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const again = () => setReload((n) => n + 1);

  const groups = useLoad((signal) => (can("identity.teams.read") ? api("GET", orgPath("/groups"), undefined, { signal }) : Promise.resolve(null)), [session.orgId]);
  const quotas = useLoad((signal) => (can("identity.quotas.read") ? api("GET", orgPath("/quotas"), undefined, { signal }).then((r) => r.quotas) : Promise.resolve([])), [session.orgId, reload]);
  const [allocations, setAllocations] = useState([]);
  const groupName = new Map((groups.data || []).map((g) => [g.metadata.id, g.metadata.name]));
  const teamsOf = (p) => (groups.data ? p.spec.groupIDs.map((id) => groupName.get(id) || "(unknown team)").join(", ") : p.spec.groupIDs.length ? plural(p.spec.groupIDs.length, "team") : "");
  const allocationsOf = (p) => allocations.filter((a) => a.metadata.projectId === p.metadata.id);

  const load = async (st) => {
    const [all, allocs] = await Promise.all([
      api("GET", orgPath("/projects"), undefined, { signal: st.signal }),
      can("infra.allocations.read") ? api("GET", orgPath("/allocations"), undefined, { signal: st.signal }) : [],
    ]);
    setAllocations(allocs);
    // A new array each load, so the poll below runs again while anything is pending.
    setPending(all.filter((p) => PENDING[p.metadata.provisioningStatus]));
    // The open project may have been changed or deleted meanwhile.
    setPanel((old) => (old && old.open ? (all.find((p) => p.metadata.id === old.open.metadata.id) ? { open: all.find((p) => p.metadata.id === old.open.metadata.id) } : null) : old));
    return pageOf(all, st);
  };

  // While a project is being provisioned or deleted, the list reloads itself.
  useEffect(() => {
    if (!pending.length) return undefined;
    const t = setTimeout(again, POLL_MS);
    return () => clearTimeout(t);
  }, [pending]);

  const removeOne = async (p) => {
    const n = allocationsOf(p).length;
    const extra = n === 1 ? " Its allocation goes with it." : n ? ` Its ${n} allocations go with it.` : "";
    if (!(await confirmAction({ title: "Delete project", message: `Delete the project "${p.metadata.name}"? It is removed from the organization with its links.${extra}` }))) return;
    try {
      await api("DELETE", orgPath(`/projects/${seg(p.metadata.id)}`));
      toast(`Deleting project ${p.metadata.name}…`);
      again();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = can("infra.workspaces.create") && html`<button type="button" onClick=${() => setPanel({})}>New project</button>`;
  const editing = panel && panel.edit;
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 63, help: NAME_HELP, aliases: ["metadata.name"] },
    { name: "description", label: "Description", type: "textarea", rows: 3, maxlength: 5000, aliases: ["metadata.description"] },
    groups.data
      ? { name: "teams", label: "Teams", type: "choices", wide: true, aliases: ["spec.groupIDs", "groupIDs"], options: groups.data.map((g) => ({ value: g.metadata.id, label: g.metadata.name })) }
      : { name: "teams", label: "Teams", hidden: true },
  ];
  // Teams the user cannot list are kept as they are.
  const keepTeams = (ids) => (groups.data ? ids.filter((id) => !groupName.has(id)) : ids);

  return html`<${PageHead} title="Projects" intro="Projects are the organization's workspaces as the Identity API shows them: the teams linked to one get their roles' project rights there, and its allocations count against the organization's quotas.">${create}<//>
    ${groups.error && html`<p class="error">Teams could not be listed: ${groups.error.message}</p>`}
    ${pending.length > 0 && html`<p class="muted" role="status">Waiting until ${pending.map((p) => `${p.metadata.name} is ${PENDING[p.metadata.provisioningStatus]}`).join(", ")}…</p>`}
    <${ListPage} label="Projects" search="Search projects" reload=${reload} highlight=${highlight}
      rowKey=${(p) => p.metadata.id}
      load=${load}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (p) => p.metadata.name },
        { key: "description", label: "Description", render: (p) => p.metadata.description },
        { key: "teams", label: "Teams", render: teamsOf },
        { key: "status", label: "Status", render: (p) => html`<${Badge} value=${p.metadata.provisioningStatus} tone=${PENDING[p.metadata.provisioningStatus] ? "info" : p.metadata.provisioningStatus === "provisioned" ? "ok" : undefined} />
          ${p.metadata.healthStatus && p.metadata.healthStatus !== "healthy" && html` <${Badge} value=${p.metadata.healthStatus} tone="warn" />`}` },
        ...(can("infra.allocations.read") ? [{ key: "allocations", label: "Allocations", render: (p) => String(allocationsOf(p).length) }] : []),
        { key: "created", label: "Created", sort: "created", render: (p) => when(p.metadata.creationTime) },
      ]}
      empty=${{ text: "No projects yet. A project gives its teams a place to work and counts its allocations against the quotas.", action: create }}
      actions=${(p) => {
        const status = p.metadata.provisioningStatus;
        return html`<${RowActions}>
          ${can("infra.allocations.read") && status === "provisioned" && html`<button type="button" class="secondary small" onClick=${() => setPanel({ open: p })}>Allocations</button>`}
          ${!PENDING[status] && can("infra.workspaces.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: p })}>Edit</button>`}
          ${status !== "deprovisioning" && can("infra.workspaces.delete") && html`<button type="button" class="danger small" onClick=${() => removeOne(p)}>Delete</button>`}
        <//>`;
      }} />
    ${can("identity.quotas.read") && (quotas.error ? html`<p class="error">Quotas could not be loaded: ${quotas.error.message}</p>`
      : quotas.data && html`<${Quotas} key=${JSON.stringify(quotas.data)} quotas=${quotas.data} onSaved=${again} />`)}
    ${panel && !panel.open && html`<${Panel} title=${editing ? `Edit ${editing.metadata.name}` : "New project"} onClose=${close}>
      <${Form} fields=${fields}
        initial=${editing ? { name: editing.metadata.name, description: editing.metadata.description || "", teams: editing.spec.groupIDs.filter((id) => groupName.has(id)) } : {}}
        submitLabel=${editing ? "Save" : "Create project"}
        toastText=${(p, v) => (editing ? `Project ${v.name.trim()} saved.` : `Project ${v.name.trim()} created; it is being provisioned.`)}
        onSubmit=${(v) => {
          const body = { metadata: metadataOf(v, editing), spec: { groupIDs: [...(v.teams || []), ...(editing ? keepTeams(editing.spec.groupIDs) : [])] } };
          return editing ? api("PUT", orgPath(`/projects/${seg(editing.metadata.id)}`), body) : api("POST", orgPath("/projects"), body);
        }}
        onSaved=${(p) => { close(); if (p && p.metadata) setHighlight(p.metadata.id); again(); }} onCancel=${close} />
    <//>`}
    ${panel && panel.open && html`<${Panel} wide title=${`Allocations of ${panel.open.metadata.name}`} onClose=${close}>
      <${Allocations} project=${panel.open} allocations=${allocationsOf(panel.open)} quotas=${quotas.data || []} onChange=${again} />
    <//>`}`;
}
