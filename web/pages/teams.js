// Teams of the organization: list, create, rename, delete; a team's members
// and the roles every member holds through it. Controls show only when the
// user holds the key the server checks (docs/access.md); the server decides.

import { html, useState } from "../lib/html.js";
import { orgPath, api, seg, layer5List } from "../lib/api.js";
import { session, can, refreshPerms } from "../lib/session.js";
import { when, userLabel } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { PageHead, RowActions, Section } from "../components/bits.js";
import { toast } from "../components/toast.js";
import { useLoad } from "../lib/load.js";

const PROVIDER_ADMIN = "admin";

const TEAM_FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 255 },
  { name: "description", label: "Description", type: "textarea", maxlength: 1000, rows: 3 },
];

/** Searches the organization's members for a picker, server-side. */
export const memberSearch = async (text, signal) => {
  const q = new URLSearchParams({ pagesize: "20", search: text });
  const page = await api("GET", orgPath(`/users?${q}`), undefined, { signal });
  return page.data.map((u) => ({ value: u.id, label: userLabel(u) }));
};

function TeamMembers({ team }) {
  const mayEdit = can("identity.teams.members");
  const [reload, setReload] = useState(0);
  const [pick, setPick] = useState({ id: "", label: "" });
  const [busy, setBusy] = useState(false);
  const add = async (ev) => {
    ev.preventDefault();
    if (!pick.id || busy) return;
    setBusy(true);
    try {
      await api("POST", orgPath(`/teams/${seg(team.id)}/users/${seg(pick.id)}`));
      toast(`${pick.label} added to ${team.name}.`);
      setPick({ id: "", label: "" });
      setReload((n) => n + 1);
      if (pick.id === session.user.id) await refreshPerms();
    } catch (err) {
      toast(err.message, "error");
    } finally {
      setBusy(false);
    }
  };
  const remove = async (u) => {
    if (!(await confirmAction({ title: "Remove from team", message: `Remove ${userLabel(u)} from ${team.name}? They lose the roles the team gives.`, confirmLabel: "Remove" }))) return;
    try {
      await api("DELETE", orgPath(`/teams/${seg(team.id)}/users/${seg(u.id)}`));
      toast(`${userLabel(u)} removed from ${team.name}.`);
      setReload((n) => n + 1);
      if (u.id === session.user.id) await refreshPerms();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  return html`<${Section} title="Members">
    ${mayEdit && html`<form class="form inline" onSubmit=${add}>
      <div class="field"><label for="team-add-user">Add a member</label>
        <${Picker} id="team-add-user" value=${pick.id} valueLabel=${pick.label} search=${memberSearch}
          onChange=${(id, o) => setPick({ id, label: o ? o.label : "" })} /></div>
      <div class="buttons"><button type="submit" disabled=${!pick.id || busy}>Add to team</button></div>
    </form>`}
    <${ListPage} label="Team members" prefix="m" search="Search members" reload=${reload}
      load=${layer5List(() => orgPath(`/users?teamId=${seg(team.id)}`), "data")}
      columns=${[
        { key: "name", label: "Name", sort: "first_name", render: (u) => [u.first_name, u.last_name].filter(Boolean).join(" ") },
        { key: "email", label: "E-mail", sort: "email" },
      ]}
      empty=${{ text: "No members yet." }}
      actions=${mayEdit ? (u) => html`<button type="button" class="danger small" onClick=${() => remove(u)}>Remove</button>` : null} />
  <//>`;
}

function TeamRoles({ team }) {
  const mayAssign = can("identity.roles.assign");
  const roles = useLoad(async (signal) => {
    if (!can("identity.roles.read")) return null;
    const [all, held] = await Promise.all([
      api("GET", orgPath("/roles?pagesize=all"), undefined, { signal }),
      api("GET", orgPath(`/roles?selector=team&teamId=${seg(team.id)}&pagesize=all`), undefined, { signal }),
    ]);
    return { all: all.roles, held: held.roles.map((r) => r.role_name) };
  }, [team.id]);
  if (!can("identity.roles.read")) return null;
  if (roles.error) return html`<${Section} title="Roles"><p class="error">${roles.error.message}</p><//>`;
  if (!roles.data) return html`<${Section} title="Roles"><p class="muted">Loading…</p><//>`;
  const state = roles.data;
  return html`<${Section} title="Roles">
    <p class="muted">Every member of the team holds these roles in the organization.</p>
    ${mayAssign ? html`<${Form}
      fields=${[{ name: "roles", label: "Roles", type: "choices", options: state.all.filter((r) => r.role_name !== PROVIDER_ADMIN).map((r) => ({ value: r.role_name })) }]}
      initial=${{ roles: state.held }}
      submitLabel="Save roles"
      toastText=${`Roles of ${team.name} saved.`}
      onSubmit=${(v) => api("PUT", orgPath("/roles"), [{ team_id: team.id, roleNames: v.roles }])}
      onSaved=${() => refreshPerms()} />`
    : html`<p>${state.held.join(", ") || html`<span class="muted">none</span>`}</p>`}
  <//>`;
}

export default function TeamsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null: no panel; {}: a new team; a team: editing it; {members: team}: its members and roles.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const saved = (t) => {
    close();
    setHighlight(t.id);
    setReload((n) => n + 1);
  };
  const remove = async (teams) => {
    for (const t of teams) await api("DELETE", orgPath(`/teams/${seg(t.id)}`));
    await refreshPerms();
  };
  const removeOne = async (t) => {
    if (!(await confirmAction({ title: "Delete team", message: `Delete the team "${t.name}"? Its members lose the roles they hold through it.` }))) return;
    try {
      await remove([t]);
      toast(`Team ${t.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = can("identity.teams.create") && html`<button type="button" onClick=${() => setPanel({})}>New team</button>`;

  return html`<${PageHead} title="Teams" intro="Teams group members; roles given to a team are held by each of its members.">${create}<//>
    <${ListPage} label="Teams" search="Search teams" reload=${reload} highlight=${highlight}
      load=${layer5List(() => orgPath("/teams"), "teams")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (t) => html`<button type="button" class="link" onClick=${() => setPanel({ members: t })}>${t.name}</button>` },
        { key: "description", label: "Description" },
        { key: "created_at", label: "Created", sort: "created_at", render: (t) => when(t.created_at) },
      ]}
      empty=${{ text: "No teams yet. A team gives its roles to all its members.", action: create }}
      bulk=${can("identity.teams.delete") ? [{ label: "Delete", danger: true, run: remove }] : []}
      actions=${(t) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ members: t })}>Members</button>
        ${can("identity.teams.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel(t)}>Edit</button>`}
        ${can("identity.teams.delete") && html`<button type="button" class="danger small" onClick=${() => removeOne(t)}>Delete</button>`}
      <//>`} />
    ${panel && !panel.members && html`<${Panel} title=${panel.id ? `Edit ${panel.name}` : "New team"} onClose=${close}>
      <${Form} fields=${TEAM_FIELDS} initial=${panel.id ? { name: panel.name, description: panel.description || "" } : {}}
        submitLabel=${panel.id ? "Save" : "Create team"}
        toastText=${(t, v) => (panel.id ? `Team ${v.name} saved.` : `Team ${v.name} created.`)}
        onSubmit=${async (v) => {
          const body = { name: v.name.trim(), description: v.description.trim() };
          const t = panel.id ? await api("PUT", orgPath(`/teams/${seg(panel.id)}`), body) : await api("POST", orgPath("/teams"), body);
          return t && t.id ? t : { ...panel, ...body };
        }}
        onSaved=${saved} onCancel=${close} />
    <//>`}
    ${panel && panel.members && html`<${Panel} wide title=${`Team ${panel.members.name}`} onClose=${close}>
      <${TeamMembers} team=${panel.members} />
      <${TeamRoles} team=${panel.members} />
    <//>`}`;
}
