// Users of the installation (provider admins): every account, paged and
// searchable; create one with a one-time password (optionally straight into
// an organization), and set a new password for someone locked out. Both
// passwords are shown once; the colleague changes theirs on Your account.

import { html, useState } from "../lib/html.js";
import { api, seg, query, layer5List } from "../lib/api.js";
import { when, userLabel } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { SecretBox } from "../components/secret.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";

/** Every organization whose name holds `text` (provider admins see all). */
const orgSearch = async (text, signal) => {
  const res = await api("GET", `/api/identity/orgs${query({ all: "true", search: text })}`, undefined, { signal });
  return (res ? res.organizations : []).slice(0, 20).map((o) => ({ value: o.id, label: o.name }));
};

function CreateUser({ onCreated, onCancel }) {
  const [orgLabel, setOrgLabel] = useState("");
  const fields = [
    { name: "email", label: "E-mail", type: "email", required: true, maxlength: 254 },
    { name: "firstName", label: "First name", maxlength: 200, aliases: ["first_name"] },
    { name: "lastName", label: "Last name", maxlength: 300, aliases: ["last_name"] },
    {
      name: "orgId", label: "Organization", aliases: ["org", "organization"], help: "Optional: the user joins it at once.",
      render: (p) => html`<${Picker} id=${p.id} name=${p.name} value=${p.value} valueLabel=${orgLabel} search=${orgSearch}
        placeholder="Type an organization's name" onChange=${(id, o) => { setOrgLabel(o ? o.label : ""); p.set(id || ""); }} />`,
    },
    { name: "orgAdmin", label: "as its organization admin", type: "checkbox", aliases: ["orgadmin"] },
  ];
  return html`<${Form} fields=${fields} submitLabel="Create user"
    validate=${(v) => ({ orgAdmin: v.orgAdmin && !v.orgId ? "Choose the organization first." : undefined })}
    toastText=${(u) => `User ${u.email} created.`}
    onSubmit=${(v) => {
      const body = { email: v.email.trim() };
      if (v.firstName.trim()) body.firstName = v.firstName.trim();
      if (v.lastName.trim()) body.lastName = v.lastName.trim();
      if (v.orgId) Object.assign(body, { orgId: v.orgId, orgAdmin: Boolean(v.orgAdmin) });
      return api("POST", "/api/meshcloud/users", body);
    }}
    onSaved=${(u) => onCreated({ ...u, org: orgLabel })} onCancel=${onCancel} />`;
}

/** A password good enough to hand over once: 18 random bytes, as the server makes them. */
function generated() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function ResetPassword({ user, onDone, onCancel }) {
  return html`<p>Sets a new password for ${userLabel(user)} and signs them out everywhere; their security tokens keep working.</p>
    <${Form} submitLabel="Set password"
      fields=${[{ name: "password", label: "New password", type: "text", maxlength: 1024, aliases: ["newpassword"],
        help: "Leave empty to generate one. Either way it is shown once, to hand over." }]}
      toastText=${`Password of ${user.email} set; their sessions were ended.`}
      onSubmit=${async (v) => {
        const password = v.password || generated();
        await api("PUT", `/api/meshcloud/users/${seg(user.id)}/password`, { newPassword: password });
        return password;
      }}
      onSaved=${onDone} onCancel=${onCancel} />`;
}

export default function UsersPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null; {create: true}; {reset: user}; {secret: {title, text, value}} shown once.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const create = html`<button type="button" onClick=${() => setPanel({ create: true })}>Create user</button>`;

  return html`<${PageHead} title="Users" intro="Every account of this installation. Create one for a colleague and hand over the one-time password; they change it on Your account.">${create}<//>
    <${ListPage} label="Users" search="Search by name or e-mail" reload=${reload} highlight=${highlight}
      load=${layer5List("/api/meshcloud/users", "users")} defaults=${{ sort: "email" }}
      columns=${[
        { key: "email", label: "E-mail", sort: "email" },
        { key: "name", label: "Name", sort: "first_name", render: (u) => [u.first_name, u.last_name].filter(Boolean).join(" ") },
        { key: "provider", label: "Signs in through", render: (u) => u.provider },
        { key: "status", label: "Status", render: (u) => html`<${Badge} value=${u.status} />${u.provider_admin ? html` <${Badge} value="provider admin" tone="info" />` : ""}` },
        { key: "last_login_time", label: "Last sign-in", render: (u) => (u.last_login_time ? when(u.last_login_time) : html`<span class="muted">never</span>`) },
        { key: "created_at", label: "Created", sort: "created_at", render: (u) => when(u.created_at) },
      ]}
      empty=${{ text: "No users.", action: create }}
      actions=${(u) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ reset: u })}>Reset password</button>
      <//>`} />
    ${panel && panel.create && html`<${Panel} title="Create user" onClose=${close}>
      <${CreateUser} onCancel=${close} onCreated=${(u) => {
        setHighlight(u.id);
        setReload((n) => n + 1);
        setPanel({ secret: { title: `User ${u.email} created`, value: u.password,
          text: `${u.email}${u.org ? ` (in ${u.org})` : ""} signs in with this one-time password and changes it on Your account. Copy it now: it is not shown again.` } });
      }} />
    <//>`}
    ${panel && panel.reset && html`<${Panel} title=${`Reset password of ${panel.reset.email}`} onClose=${close}>
      <${ResetPassword} user=${panel.reset} onCancel=${close}
        onDone=${(password) => setPanel({ secret: { title: `New password of ${panel.reset.email}`, value: password,
          text: "Hand it over once; they change it on Your account. Copy it now: it is not shown again." } })} />
    <//>`}
    ${panel && panel.secret && html`<${Panel} title=${panel.secret.title} onClose=${close}>
      <${SecretBox} label=${panel.secret.text} value=${panel.secret.value} onDone=${close} />
    <//>`}`;
}
