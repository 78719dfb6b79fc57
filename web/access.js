// Access pages of the selected organization: teams, members, roles, invitations.
// Every control is shown only when the user holds the key the server checks
// for it (see docs/access.md); the server still decides.

import { $, state, can, api, seg, el, cell, button, actions, when, userLabel, attempt, checkboxes, editForm, truncation } from "./lib.js";

const orgPath = (rest) => `/api/identity/orgs/${seg(state.orgId)}${rest}`;

const PROVIDER_ADMIN = "admin";
// Built-in roles exist in every organization and cannot be changed.
const BUILTIN_ROLES = new Set([PROVIDER_ADMIN, "organization admin", "workspace admin", "user"]);
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

function permsMayHaveChanged(userIds) {
  if (userIds.includes(state.user.id)) document.dispatchEvent(new CustomEvent("meshcloud:perms-changed"));
}

async function orgRoles() {
  return can("identity.roles.read") ? (await api("GET", orgPath("/roles?pagesize=all"))).roles : [];
}

async function orgTeams() {
  return can("identity.teams.read") ? (await api("GET", orgPath("/teams?pagesize=all"))).teams : [];
}

// Checkbox options for roles, without those the server would refuse to hand
// out in that place.
const roleOptions = (roles, without = []) =>
  roles.filter((r) => !without.includes(r.role_name)).map((r) => ({ value: r.role_name, label: r.role_name }));

// ---- Teams ----

let team = null;

const teamEditor = editForm($("#team-form"), {
  createLabel: "Create team",
  canCreate: () => can("identity.teams.create"),
  fill(form, t) {
    form.elements.name.value = t.name;
    form.elements.description.value = t.description || "";
  },
  submit: (data, t) => attempt($("#teams-error"), async () => {
    const body = { name: data.get("name").trim(), description: data.get("description").trim() };
    if (t) await api("PUT", orgPath(`/teams/${seg(t.id)}`), body);
    else await api("POST", orgPath("/teams"), body);
    await loadTeams();
    if (t && team && team.id === t.id) openTeam({ ...t, ...body });
    return true;
  }),
});

async function loadTeams() {
  const page = await api("GET", orgPath("/teams?pagesize=all"));
  const body = $("#teams-table tbody");
  body.replaceChildren();
  for (const t of page.teams) {
    body.append(el("tr", {}, cell(t.name), cell(t.description), cell(when(t.created_at)), actions(
      button("Members", () => openTeam(t), "secondary"),
      can("identity.teams.update") && button("Edit", () => teamEditor.edit(t)),
      can("identity.teams.delete") && button("Delete", () => deleteTeam(t), "danger"),
    )));
  }
  truncation($("#teams-more"), page.teams.length, page.total_count);
}

async function deleteTeam(t) {
  if (!confirm(`Delete team "${t.name}"? Its members lose the roles they hold through it.`)) return;
  await attempt($("#teams-error"), async () => {
    await api("DELETE", orgPath(`/teams/${seg(t.id)}`));
    if (team && team.id === t.id) closeTeam();
    await loadTeams();
  });
}

function openTeam(t) {
  team = t;
  for (const name of document.querySelectorAll("#team-detail .team-name")) name.textContent = t.name;
  $("#team-detail-error").textContent = "";
  $("#team-detail").hidden = false;
  attempt($("#team-detail-error"), () => Promise.all([loadTeamMembers(), loadTeamRoles()]));
}

function closeTeam() {
  team = null;
  $("#team-detail").hidden = true;
}

async function loadTeamMembers() {
  const t = team;
  const mayEdit = can("identity.teams.members");
  const [mapping, members, candidates] = await Promise.all([
    api("GET", `/api/identity/teams/${seg(t.id)}/users?pagesize=all`),
    // Mappings carry only user ids; the org's user list has the names.
    can("identity.members.read") ? api("GET", orgPath(`/users?pagesize=all&teamId=${seg(t.id)}`)) : null,
    mayEdit ? api("GET", orgPath(`/teams/${seg(t.id)}/users?pagesize=all`)) : null,
  ]);
  if (team !== t) return;
  const users = new Map((members ? members.data : []).map((u) => [u.id, u]));
  const body = $("#team-members tbody");
  body.replaceChildren();
  for (const m of mapping.teamsUsersMapping) {
    const u = users.get(m.user_id);
    body.append(el("tr", {}, cell(u ? userLabel(u) : m.user_id), cell(when(m.created_at)), actions(
      mayEdit && button("Remove", () => removeTeamMember(t, m.user_id, u ? userLabel(u) : m.user_id), "danger"),
    )));
  }
  if (!mapping.teamsUsersMapping.length) body.append(el("tr", {}, el("td", { colSpan: 3, class: "muted", textContent: "No members yet." })));
  const form = $("#team-member-form");
  form.hidden = !mayEdit;
  if (mayEdit) {
    const select = form.elements.user;
    select.replaceChildren(...candidates.data.map((u) => el("option", { value: u.id, textContent: userLabel(u) })));
    form.querySelector("button").disabled = candidates.data.length === 0;
  }
}

async function removeTeamMember(t, userId, label) {
  if (!confirm(`Remove ${label} from team "${t.name}"?`)) return;
  await attempt($("#team-detail-error"), async () => {
    await api("DELETE", orgPath(`/teams/${seg(t.id)}/users/${seg(userId)}`));
    await loadTeamMembers();
    permsMayHaveChanged([userId]);
  });
}

$("#team-member-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const userId = ev.target.elements.user.value;
  await attempt($("#team-detail-error"), async () => {
    await api("POST", orgPath(`/teams/${seg(team.id)}/users/${seg(userId)}`));
    await loadTeamMembers();
    permsMayHaveChanged([userId]);
  });
});

let teamRoleChoice = () => [];

async function loadTeamRoles() {
  const t = team;
  $("#team-roles").hidden = !can("identity.roles.read");
  if (!can("identity.roles.read")) return;
  const [all, held] = await Promise.all([
    orgRoles(),
    api("GET", orgPath(`/roles?selector=team&teamId=${seg(t.id)}&pagesize=all`)),
  ]);
  if (team !== t) return;
  const mayAssign = can("identity.roles.assign");
  const names = held.roles.map((r) => r.role_name);
  const options = $("#team-roles .options");
  if (mayAssign) teamRoleChoice = checkboxes(options, roleOptions(all, [PROVIDER_ADMIN]), names);
  else options.replaceChildren(el("span", { textContent: names.join(", ") || "none", class: names.length ? "" : "muted" }));
  $("#team-roles-form button").hidden = !mayAssign;
}

$("#team-roles-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const t = team;
  await attempt($("#team-detail-error"), async () => {
    await api("PUT", orgPath("/roles"), [{ team_id: t.id, roleNames: teamRoleChoice() }]);
    await loadTeamRoles();
    // Any member might be the signed-in user; checking costs one request.
    document.dispatchEvent(new CustomEvent("meshcloud:perms-changed"));
  });
});

$("#team-detail .close").addEventListener("click", closeTeam);

// ---- Members ----

let member = null;
let memberRoleChoice = () => [];
// Only a provider admin can make another; the list says whether the user is one.
let mayGrantProvider = false;

async function loadMembers() {
  const page = await api("GET", orgPath("/users?pagesize=all"));
  const body = $("#members-table tbody");
  body.replaceChildren();
  const mayAssign = can("identity.roles.assign") && can("identity.roles.read");
  const me = page.data.find((u) => u.id === state.user.id);
  mayGrantProvider = !!me && (me.role_names || []).includes(PROVIDER_ADMIN);
  for (const u of page.data) {
    const self = u.id === state.user.id;
    body.append(el("tr", {},
      cell([u.first_name, u.last_name].filter(Boolean).join(" ")),
      cell(u.email),
      cell((u.role_names || []).join(", ")),
      cell(u.status),
      actions(
        mayAssign && button("Roles", () => openMemberRoles(u), "secondary"),
        can("identity.members.remove") && button(self ? "Leave" : "Remove", () => removeMember(u, self), "danger"),
      ),
    ));
  }
  truncation($("#members-more"), page.data.length, page.total_count);
}

async function removeMember(u, self) {
  const question = self
    ? "Leave this organization? You lose access to it at once."
    : `Remove ${userLabel(u)} from the organization? They lose every role and team membership in it.`;
  if (!confirm(question)) return;
  await attempt($("#members-error"), async () => {
    await api("DELETE", orgPath(`/users/${seg(u.id)}`));
    if (member && member.id === u.id) closeMemberRoles();
    if (self) {
      location.assign("/");
      return;
    }
    await loadMembers();
  });
}

$("#member-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const who = new FormData(ev.target).get("user").trim();
  await attempt($("#members-error"), async () => {
    await api("POST", orgPath(`/users/${seg(who)}`));
    ev.target.reset();
    await loadMembers();
  });
});

// Role names a user holds through teams: `teams` of an org user lists the
// teams with the roles they carry. Saving sets direct roles only, so these are
// shown but not offered.
function teamRoleNames(u) {
  const teams = (u.teams && u.teams.teams_with_roles) || [];
  return [...new Set(teams.flatMap((t) => t.role_names || []))];
}

async function openMemberRoles(u) {
  member = u;
  $("#member-roles .member-name").textContent = userLabel(u);
  $("#member-roles-error").textContent = "";
  $("#member-roles").hidden = false;
  await attempt($("#member-roles-error"), async () => {
    const all = await orgRoles();
    if (member !== u) return;
    const viaTeams = teamRoleNames(u);
    const held = u.role_names || [];
    const without = mayGrantProvider || held.includes(PROVIDER_ADMIN) ? [] : [PROVIDER_ADMIN];
    memberRoleChoice = checkboxes($("#member-roles .options"), roleOptions(all, without), held, viaTeams.filter((n) => held.includes(n)));
    const via = $("#member-roles-via");
    via.hidden = viaTeams.length === 0;
    via.textContent = `Held through teams (change them on the Teams page): ${viaTeams.join(", ")}.`;
    $("#member-roles").scrollIntoView({ block: "nearest" });
  });
}

function closeMemberRoles() {
  member = null;
  $("#member-roles").hidden = true;
}

$("#member-roles-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const u = member;
  await attempt($("#member-roles-error"), async () => {
    await api("PUT", orgPath("/roles"), [{ user_id: u.id, roleNames: memberRoleChoice() }]);
    closeMemberRoles();
    await loadMembers();
    permsMayHaveChanged([u.id]);
  });
});

$("#member-roles .cancel").addEventListener("click", closeMemberRoles);

// ---- Roles ----

let role = null;

const roleEditor = editForm($("#role-form"), {
  createLabel: "Create role",
  canCreate: () => can("identity.roles.manage"),
  fill(form, r) {
    form.elements.role_name.value = r.role_name;
    form.elements.description.value = r.description || "";
  },
  submit: (data, r) => attempt($("#roles-error"), async () => {
    const body = { role_name: data.get("role_name").trim(), description: data.get("description").trim() };
    if (r) body.id = r.id;
    await api("POST", orgPath("/roles"), body);
    await loadRoles();
    if (r && role && role.id === r.id) openRole({ ...r, ...body });
    return true;
  }),
});

async function loadRoles() {
  const roles = await orgRoles();
  const body = $("#roles-table tbody");
  body.replaceChildren();
  const mayManage = can("identity.roles.manage");
  for (const r of roles) {
    const builtin = BUILTIN_ROLES.has(r.role_name);
    body.append(el("tr", {}, cell(r.role_name), cell(r.description), el("td", { class: "muted nowrap", textContent: builtin ? "built-in" : "" }), actions(
      button("Keychains", () => openRole(r), "secondary"),
      mayManage && !builtin && button("Edit", () => roleEditor.edit(r)),
      mayManage && !builtin && button("Delete", () => deleteRole(r), "danger"),
    )));
  }
}

async function deleteRole(r) {
  if (!confirm(`Delete role "${r.role_name}"? Everyone holding it loses it, including through teams and invitations.`)) return;
  await attempt($("#roles-error"), async () => {
    await api("DELETE", `/api/identity/roles/${seg(r.id)}`);
    if (role && role.id === r.id) closeRole();
    await loadRoles();
    document.dispatchEvent(new CustomEvent("meshcloud:perms-changed"));
  });
}

function openRole(r) {
  role = r;
  $("#role-detail .role-name").textContent = r.role_name;
  $("#role-detail-error").textContent = "";
  $("#role-detail").hidden = false;
  attempt($("#role-detail-error"), loadRoleKeychains);
}

function closeRole() {
  role = null;
  $("#role-detail").hidden = true;
}

async function loadRoleKeychains() {
  const r = role;
  const mayEdit = can("identity.roles.manage") && !BUILTIN_ROLES.has(r.role_name);
  const [held, all] = await Promise.all([
    api("GET", orgPath(`/roles/${seg(r.id)}/keychains?pagesize=all`)),
    mayEdit && can("identity.keychains.read") ? api("GET", "/api/auth/keychains?pagesize=all") : null,
  ]);
  if (role !== r) return;
  const body = $("#role-keychains tbody");
  body.replaceChildren();
  for (const k of held.keychains) {
    body.append(el("tr", {}, cell(k.name), el("td", { class: "muted nowrap", textContent: k.owner === NIL_UUID ? "built-in" : "" }), actions(
      mayEdit && button("Unassign", () => unassignKeychain(r, k), "danger"),
    )));
  }
  if (!held.keychains.length) body.append(el("tr", {}, el("td", { colSpan: 3, class: "muted", textContent: "No keychains: this role grants nothing." })));
  const form = $("#role-keychain-form");
  form.hidden = !all;
  if (all) {
    const assigned = new Set(held.keychains.map((k) => k.id));
    const free = all.keychains.filter((k) => !assigned.has(k.id));
    form.elements.keychain.replaceChildren(...free.map((k) => el("option", { value: k.id, textContent: k.name })));
    form.querySelector("button").disabled = free.length === 0;
  }
}

async function unassignKeychain(r, k) {
  if (!confirm(`Take keychain "${k.name}" away from role "${r.role_name}"?`)) return;
  await attempt($("#role-detail-error"), async () => {
    await api("DELETE", orgPath(`/roles/${seg(r.id)}/keychains/${seg(k.id)}`));
    await loadRoleKeychains();
    document.dispatchEvent(new CustomEvent("meshcloud:perms-changed"));
  });
}

$("#role-keychain-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = role;
  const keychainId = ev.target.elements.keychain.value;
  await attempt($("#role-detail-error"), async () => {
    await api("POST", orgPath(`/roles/${seg(r.id)}/keychains/${seg(keychainId)}`));
    await loadRoleKeychains();
    document.dispatchEvent(new CustomEvent("meshcloud:perms-changed"));
  });
});

$("#role-detail .close").addEventListener("click", closeRole);

// ---- Invitations ----

let invitationChoices = { roles: () => [], teams: () => [] };
let invitationTeams = [];
let invitationRoles = [];

// Invitations may name teams by name or id; the form works with ids.
const teamId = (ref) => (invitationTeams.find((t) => t.id === ref || t.name === ref) || { id: ref }).id;
const teamName = (ref) => (invitationTeams.find((t) => t.id === ref || t.name === ref) || { name: ref }).name;

function fillInvitationChoices(roles = [], teams = []) {
  invitationChoices = {
    roles: checkboxes($("#invitation-roles"), roleOptions(invitationRoles, ["user", PROVIDER_ADMIN]), roles),
    teams: checkboxes($("#invitation-teams"), invitationTeams.map((t) => ({ value: t.id, label: t.name })), teams.map(teamId)),
  };
}

// datetime-local inputs speak local time without a zone.
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

const invitationEditor = editForm($("#invitation-form"), {
  createLabel: "Create invitation",
  canCreate: () => can("identity.invitations.manage"),
  fill(form, inv) {
    form.elements.name.value = inv.name;
    form.elements.description.value = inv.description || "";
    form.elements.emails.value = (inv.emails || []).join(", ");
    form.elements.status.value = inv.status;
    form.elements.expires_at.value = toLocalInput(inv.expires_at);
    form.elements.quota.value = inv.quota || ""; // 0: unlimited
    form.elements.is_default.checked = !!inv.is_default;
    fillInvitationChoices(inv.roles || [], inv.teams || []);
  },
  submit: (data, inv) => attempt($("#invitations-error"), async () => {
    const expires = data.get("expires_at");
    const quota = data.get("quota");
    const body = {
      name: data.get("name").trim(),
      description: data.get("description").trim(),
      emails: data.get("emails").split(/[\s,;]+/).filter(Boolean),
      roles: invitationChoices.roles(),
      teams: invitationChoices.teams(),
      status: data.get("status"),
      org_id: state.orgId,
      expires_at: expires ? new Date(expires).toISOString() : null,
      quota: quota ? Number(quota) : null,
      is_default: data.get("is_default") === "on",
    };
    if (inv) await api("PUT", `/api/organizations/invitations/${seg(inv.id)}`, { ...body, id: inv.id });
    else await api("POST", "/api/organizations/invitations", body);
    await loadInvitations();
    return true;
  }),
});

async function loadInvitations() {
  const mayManage = can("identity.invitations.manage");
  const [page, roles, teams] = await Promise.all([
    api("GET", "/api/organizations/invitations"),
    mayManage ? orgRoles() : [],
    orgTeams(),
  ]);
  invitationRoles = roles;
  invitationTeams = teams;
  fillInvitationChoices();
  const body = $("#invitations-table tbody");
  body.replaceChildren();
  for (const inv of page.data) {
    const code = el("code", { textContent: inv.id, class: "inline" });
    const grants = [...(inv.roles || []), ...(inv.teams || []).map((t) => `team ${teamName(t)}`)];
    const expired = inv.expires_at && new Date(inv.expires_at) < new Date();
    const status = inv.status + (inv.is_default ? ", default" : "") + (expired ? ", expired" : inv.expires_at ? `, until ${when(inv.expires_at)}` : "");
    const used = `${(inv.accepted_by || []).length}${!inv.quota ? "" : ` of ${inv.quota}`}`;
    body.append(el("tr", {},
      el("td", {}, inv.name, inv.description ? el("div", { class: "muted", textContent: inv.description }) : null),
      el("td", {}, code, navigator.clipboard ? button("Copy", () => navigator.clipboard.writeText(inv.id), "secondary small") : null),
      cell((inv.emails || []).length ? inv.emails.join(", ") : "anyone with the code"),
      cell(grants.join(", ")),
      cell(status),
      cell(used),
      actions(
        mayManage && button("Edit", () => invitationEditor.edit(inv)),
        mayManage && button("Delete", () => deleteInvitation(inv), "danger"),
      ),
    ));
  }
  if (!page.data.length) body.append(el("tr", {}, el("td", { colSpan: 7, class: "muted", textContent: "No invitations." })));
}

async function deleteInvitation(inv) {
  if (!confirm(`Delete invitation "${inv.name}"? Its code stops working.`)) return;
  await attempt($("#invitations-error"), async () => {
    await api("DELETE", `/api/organizations/invitations/${seg(inv.id)}`);
    invitationEditor.reset();
    await loadInvitations();
  });
}

// ---- Page entry points (called by the shell on navigation) ----

export const pages = {
  async teams() {
    teamEditor.reset();
    closeTeam();
    await attempt($("#teams-error"), loadTeams);
  },
  async members() {
    $("#member-form").hidden = !can("identity.members.add");
    closeMemberRoles();
    await attempt($("#members-error"), loadMembers);
  },
  async roles() {
    roleEditor.reset();
    closeRole();
    await attempt($("#roles-error"), loadRoles);
  },
  async invitations() {
    invitationEditor.reset();
    await attempt($("#invitations-error"), loadInvitations);
  },
};
