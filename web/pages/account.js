// Your account: who you are, your password, the security tokens and sessions
// you hold, and joining an organization by invitation code. Everything here
// is about the signed-in user, so it needs no organization.

import { html, useState } from "../lib/html.js";
import { api, seg, query, layer5List } from "../lib/api.js";
import { session, useSession, selectOrg, currentOrg, isProviderAdmin } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { confirmAction } from "../components/dialog.js";
import { SecretBox } from "../components/secret.js";
import { PageHead, Section, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

function Profile() {
  const s = useSession();
  const u = s.user;
  const name = [u.first_name, u.last_name].filter(Boolean).join(" ");
  const orgs = (u.organizations && u.organizations.organizations_with_roles) || [];
  // The Layer5 face serves the own profile read-only (GET /api/identity/users/profile);
  // names are set when the account is made.
  return html`<${Section} title="Profile">
    <dl class="facts">
      <dt>Name</dt><dd>${name || html`<span class="muted">not set</span>`}</dd>
      <dt>E-mail</dt><dd>${u.email}</dd>
      <dt>Signs in through</dt><dd>${u.provider || "meshcloud"}</dd>
      <dt>Role</dt><dd>${isProviderAdmin() ? html`<${Badge} value="provider admin" tone="info" />` : "member of the organizations below"}</dd>
      <dt>Organizations</dt><dd>${s.orgs.length || orgs.length} — working in ${currentOrg()?.name || html`<span class="muted">none yet</span>`}</dd>
    </dl>
  <//>`;
}

const PASSWORD_FIELDS = [
  { name: "oldPassword", label: "Current password", type: "password", required: true, autocomplete: "current-password", aliases: ["old password"] },
  { name: "newPassword", label: "New password", type: "password", required: true, maxlength: 1024, autocomplete: "new-password", help: "At least 8 characters.", aliases: ["password", "new password"] },
  { name: "repeat", label: "New password again", type: "password", required: true, maxlength: 1024, autocomplete: "new-password" },
];

function Password() {
  return html`<${Section} title="Password">
    <p class="muted">Changing it signs you out everywhere else; this browser stays signed in. Your security tokens keep working.</p>
    <${Form} fields=${PASSWORD_FIELDS} submitLabel="Change password" clearOnSave
      validate=${(v) => ({ repeat: v.repeat !== v.newPassword ? "The two new passwords differ." : undefined })}
      toastText="Password changed. Your other sessions were ended."
      onSubmit=${(v) => api("PUT", "/api/meshcloud/password", { oldPassword: v.oldPassword, newPassword: v.newPassword })} />
  <//>`;
}

function Tokens() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // The new token's secret, shown once: {id, name, value}.
  const [shown, setShown] = useState(null);
  const revoke = async (t) => {
    if (!(await confirmAction({ title: "Revoke token", message: `Revoke the token "${t.name}"? Tools using it stop working at once.`, confirmLabel: "Revoke" }))) return;
    try {
      await api("DELETE", `/api/identity/tokens${query({ tokenId: t.id })}`);
      // A revoked secret is worthless; do not leave it on the screen.
      if (shown && shown.id === t.id) setShown(null);
      toast(`Token ${t.name} revoked.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  return html`<${Section} title="Security tokens">
    <p class="muted">For scripts and tools: send one as <code>Authorization: Bearer …</code>. They act as you, do not expire, and stop when revoked.</p>
    <${Form} inline clearOnSave submitLabel="Create token"
      fields=${[
        { name: "name", label: "Token name", required: true, maxlength: 255 },
        { name: "purpose", label: "Purpose", maxlength: 255 },
      ]}
      toastText=${(t) => `Token ${t.name} created.`}
      onSubmit=${async (v) => {
        const page = await api("POST", `/api/identity/tokens${query({ name: v.name.trim(), purpose: v.purpose.trim() })}`);
        return page.tokens[0];
      }}
      onSaved=${(t) => {
        setShown({ id: t.id, name: t.name, value: t.access_token });
        setHighlight(t.id);
        setReload((n) => n + 1);
      }} />
    ${shown && html`<${SecretBox} label=${`Token ${shown.name}: copy it now, it is not shown again.`} value=${shown.value} onDone=${() => setShown(null)} />`}
    <${ListPage} label="Security tokens" prefix="t" search="Search tokens" reload=${reload} highlight=${highlight}
      load=${layer5List("/api/identity/tokens", "tokens")}
      defaults=${{ sort: "created_at", dir: "desc", size: 10 }}
      columns=${[
        { key: "name", label: "Name", sort: "name" },
        { key: "purpose", label: "Purpose", sort: "purpose" },
        { key: "created_at", label: "Created", sort: "created_at", render: (t) => when(t.created_at) },
      ]}
      empty=${{ text: "No security tokens. Create one above for a script or tool." }}
      actions=${(t) => html`<button type="button" class="danger small" onClick=${() => revoke(t)}>Revoke</button>`} />
  <//>`;
}

function Sessions() {
  const [reload, setReload] = useState(0);
  const end = async (t) => {
    if (!(await confirmAction({ title: "End session", message: `End the session "${t.name}"? It stops working at once; if it is this browser, you are signed out.`, confirmLabel: "End session" }))) return;
    try {
      await api("DELETE", `/api/identity/tokens${query({ tokenId: t.id })}`);
      toast(`Session ${t.name} ended.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  return html`<${Section} title="Sessions">
    <p class="muted">Browsers signed in to meshcloud, and applications you signed in to with your meshcloud account.</p>
    <${ListPage} label="Sessions" prefix="s" search=${false} reload=${reload}
      load=${layer5List("/api/identity/tokens", "tokens", () => ({ isOAuth: "true" }))}
      defaults=${{ sort: "created_at", dir: "desc", size: 10 }}
      columns=${[
        { key: "name", label: "Session", sort: "name" },
        { key: "purpose", label: "Kind", sort: "purpose" },
        { key: "created_at", label: "Started", sort: "created_at", render: (t) => when(t.created_at) },
      ]}
      empty=${{ text: "No sessions." }}
      actions=${(t) => html`<button type="button" class="danger small" onClick=${() => end(t)}>End</button>`} />
  <//>`;
}

function Join() {
  return html`<${Section} title="Join an organization">
    <p class="muted">An organization admin can invite you with a code (Members → Invite people). Enter it here to join.</p>
    <${Form} inline clearOnSave submitLabel="Join"
      fields=${[{ name: "code", label: "Invitation code", required: true, maxlength: 200, aliases: ["invitation", "id", "code"] }]}
      onSubmit=${async (v) => {
        const invitation = await api("POST", `/api/organizations/invitations/${seg(v.code.trim())}/accept`);
        // The new organization is most likely where the user wants to work next.
        await selectOrg(invitation.org_id, true);
        return invitation;
      }}
      toastText=${() => `You joined ${currentOrg()?.name || "the organization"}; you are working in it now.`} />
  <//>`;
}

export default function AccountPage() {
  useSession();
  return html`<${PageHead} title="Your account" intro=${`Signed in as ${session.user.email}.`} />
    <div class="grid">
      <${Profile} />
      <${Join} />
    </div>
    <${Password} />
    <${Tokens} />
    <${Sessions} />`;
}
