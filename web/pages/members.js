// Members of the organization: list, their direct roles, remove (or leave),
// add an existing account, and invite people by a code to share. Controls
// show only when the user holds the key the server checks (docs/access.md).

import { html, useState } from "../lib/html.js";
import { orgPath, api, seg, layer5List } from "../lib/api.js";
import { session, can, isProviderAdmin, refreshPerms, refreshOrgs } from "../lib/session.js";
import { navigate } from "../lib/router.js";
import { when, userLabel } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { SecretBox } from "../components/secret.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";
import { useLoad } from "../lib/load.js";

const PROVIDER_ADMIN = "admin";
// The account's status (membership states belong to the Identity face).
const STATUSES = ["active", "pending", "inactive"];

const fullName = (u) => [u.first_name, u.last_name].filter(Boolean).join(" ");

// Roles a member holds through teams: saving sets direct roles only, so these
// are shown ticked but cannot be changed here.
const teamRoleNames = (u) => [...new Set(((u.teams && u.teams.teams_with_roles) || []).flatMap((t) => t.role_names || []))];

/** The organization's roles and teams, for the role and invitation forms. */
function useChoices() {
  return useLoad(async (signal) => {
    const [roles, teams] = await Promise.all([
      can("identity.roles.read") ? api("GET", orgPath("/roles?pagesize=all"), undefined, { signal }) : { roles: [] },
      can("identity.teams.read") ? api("GET", orgPath("/teams?pagesize=all"), undefined, { signal }) : { teams: [] },
    ]);
    return { roles: roles.roles, teams: teams.teams };
  }, [session.orgId]);
}

function MemberRoles({ member, onSaved, onCancel }) {
  const choices = useChoices();
  if (choices.error) return html`<p class="error">${choices.error.message}</p>`;
  if (!choices.data) return html`<p class="muted">Loading…</p>`;
  const held = member.role_names || [];
  const viaTeams = teamRoleNames(member);
  // Only a provider admin makes another; one who is already stays offered so it can be taken.
  const offerProvider = isProviderAdmin() || held.includes(PROVIDER_ADMIN);
  const options = choices.data.roles
    .filter((r) => offerProvider || r.role_name !== PROVIDER_ADMIN)
    .map((r) => ({ value: r.role_name, label: viaTeams.includes(r.role_name) ? `${r.role_name} (through a team)` : r.role_name, disabled: viaTeams.includes(r.role_name) }));
  return html`
    ${viaTeams.length > 0 && html`<p class="muted">Held through teams (change them on the Teams page): ${viaTeams.join(", ")}.</p>`}
    <${Form} fields=${[{ name: "roles", label: "Direct roles", type: "choices", options }]}
      initial=${{ roles: held }}
      submitLabel="Save roles"
      toastText=${`Roles of ${userLabel(member)} saved.`}
      onSubmit=${(v) => api("PUT", orgPath("/roles"), [{ user_id: member.id, roleNames: v.roles }])}
      onSaved=${async () => {
        if (member.id === session.user.id) await refreshPerms();
        onSaved(member);
      }}
      onCancel=${onCancel} />`;
}

function InviteForm({ onDone }) {
  const choices = useChoices();
  const [code, setCode] = useState(null);
  if (code) {
    return html`<${SecretBox} label="Share this invitation code with the people invited: they paste it under “Join an organization” on their dashboard. meshcloud sends no e-mail. The code also stays on the Invitations page."
      value=${code} onDone=${onDone} />`;
  }
  if (choices.error) return html`<p class="error">${choices.error.message}</p>`;
  if (!choices.data) return html`<p class="muted">Loading…</p>`;
  const fields = [
    { name: "emails", label: "E-mail addresses", type: "textarea", rows: 3, required: true, help: "Separated by commas, spaces or new lines. Only these addresses can use the code." },
    { name: "roles", label: "Roles (besides member)", type: "choices", options: choices.data.roles.filter((r) => ![PROVIDER_ADMIN, "user"].includes(r.role_name)).map((r) => ({ value: r.role_name })) },
    { name: "teams", label: "Teams", type: "choices", options: choices.data.teams.map((t) => ({ value: t.id, label: t.name })) },
  ];
  return html`<${Form} fields=${fields} submitLabel="Create invitation" toastText="Invitation created."
    validate=${(v) => (v.emails.split(/[\s,;]+/).filter(Boolean).length ? {} : { emails: "emails: give at least one address." })}
    onSubmit=${(v) => api("POST", orgPath("/users/invite"), { emails: v.emails.split(/[\s,;]+/).filter(Boolean), roles: v.roles, teams: v.teams })}
    onSaved=${(res) => setCode(res.invitation.id)}
    onCancel=${onDone} />`;
}

export default function MembersPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null: none; {roles: member}; {invite: true}; {add: true}.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const mayAssign = can("identity.roles.assign") && can("identity.roles.read");
  const mayRemove = can("identity.members.remove");

  const remove = async (u) => {
    const self = u.id === session.user.id;
    const ok = await confirmAction(self
      ? { title: "Leave organization", message: "Leave this organization? You lose access to it at once.", confirmLabel: "Leave" }
      : { title: "Remove member", message: `Remove ${userLabel(u)} from the organization? They lose every role and team membership in it.`, confirmLabel: "Remove" });
    if (!ok) return;
    try {
      await api("DELETE", orgPath(`/users/${seg(u.id)}`));
      if (self) {
        toast("You left the organization.");
        await refreshOrgs();
        navigate("/");
        return;
      }
      toast(`${userLabel(u)} removed.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };

  const invite = can("identity.members.invite") && html`<button type="button" onClick=${() => setPanel({ invite: true })}>Invite people</button>`;
  const add = can("identity.members.add") && html`<button type="button" class="secondary" onClick=${() => setPanel({ add: true })}>Add existing user</button>`;

  return html`<${PageHead} title="Members" intro="People who belong to the organization and the roles they hold in it.">${invite}${add}<//>
    <${ListPage} label="Members" search="Search members" reload=${reload} highlight=${highlight}
      load=${layer5List(() => orgPath("/users"), "data", (f) => ({ filter: f.status ? JSON.stringify({ status: f.status }) : undefined }))}
      defaults=${{ sort: "email" }}
      filters=${[{ name: "status", label: "Status", options: STATUSES.map((s) => ({ value: s })) }]}
      columns=${[
        { key: "name", label: "Name", sort: "first_name", render: fullName },
        { key: "email", label: "E-mail", sort: "email" },
        { key: "roles", label: "Roles", render: (u) => (u.role_names || []).join(", ") },
        { key: "status", label: "Status", render: (u) => u.status && html`<${Badge} value=${u.status} />` },
        { key: "created_at", label: "Account created", sort: "created_at", render: (u) => when(u.created_at) },
      ]}
      empty=${{ text: "No members yet.", action: invite }}
      actions=${(u) => html`<${RowActions}>
        ${mayAssign && html`<button type="button" class="secondary small" onClick=${() => setPanel({ roles: u })}>Roles</button>`}
        ${mayRemove && html`<button type="button" class="danger small" onClick=${() => remove(u)}>${u.id === session.user.id ? "Leave" : "Remove"}</button>`}
      <//>`} />
    ${panel && panel.roles && html`<${Panel} title=${`Roles of ${userLabel(panel.roles)}`} onClose=${close}>
      <${MemberRoles} member=${panel.roles} onCancel=${close} onSaved=${(u) => { close(); setHighlight(u.id); setReload((n) => n + 1); }} />
    <//>`}
    ${panel && panel.invite && html`<${Panel} title="Invite people" onClose=${close}>
      <${InviteForm} onDone=${close} />
    <//>`}
    ${panel && panel.add && html`<${Panel} title="Add an existing user" onClose=${close}>
      <p class="muted">The account must exist already; it joins with the member role.</p>
      <${Form} fields=${[{ name: "user", label: "E-mail or user id", required: true, maxlength: 320, aliases: ["userid", "user id", "email", "e-mail"] }]}
        submitLabel="Add to organization"
        toastText=${(u) => `${userLabel(u)} added.`}
        onSubmit=${(v) => api("POST", orgPath(`/users/${seg(v.user.trim())}`))}
        onSaved=${(u) => { close(); setHighlight(u.id); setReload((n) => n + 1); }}
        onCancel=${close} />
    <//>`}`;
}
