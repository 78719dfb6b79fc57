// Invitations of the organization: codes people paste to join it, with the
// roles and teams they get. meshcloud sends no e-mail; the code is shared by
// hand. Controls show only when the user holds the key the server checks.

import { html, useState } from "../lib/html.js";
import { orgPath, api, seg } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

const PATH = "/api/organizations/invitations";
// Not handed out by invitation: every member holds `user`; `admin` is refused.
const NOT_OFFERED = ["admin", "user"];

const SORTS = {
  name: (i) => i.name.toLowerCase(),
  created_at: (i) => i.created_at,
  expires_at: (i) => i.expires_at || "9999",
};

/**
 * The invitations list answers every invitation of the organization at once
 * ({data, total}, no paging parameters), so this adapter searches, sorts and
 * pages it here, for the list page's controls to work as elsewhere.
 */
async function loadInvitations({ page, size, search, sort, dir, filters, signal }) {
  const res = await api("GET", PATH, undefined, { signal });
  const text = (search || "").toLowerCase();
  let rows = (res.data || []).filter((i) => !text || [i.name, i.description, ...(i.emails || [])].some((s) => (s || "").toLowerCase().includes(text)));
  if (filters.status) rows = rows.filter((i) => i.status === filters.status);
  const key = SORTS[sort] || SORTS.name;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (dir === "desc" ? -1 : 1));
  return { rows: rows.slice((page - 1) * size, page * size), total: rows.length };
}

// datetime-local inputs speak local time without a zone.
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

const splitEmails = (s) => s.split(/[\s,;]+/).filter(Boolean);

function CopyCode({ code }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      toast("Invitation code copied.");
    } catch (_) {
      toast("Copying is not allowed here: select the code and copy it.", "error");
    }
  };
  return html`<span class="code-copy"><code class="inline">${code}</code>
    <button type="button" class="secondary small" onClick=${copy}>${copied ? "Copied" : "Copy code"}</button></span>`;
}

function InvitationForm({ inv, choices, onSaved, onCancel }) {
  const teamId = (ref) => (choices.teams.find((t) => t.id === ref || t.name === ref) || { id: ref }).id;
  const known = new Set(choices.teams.map((t) => t.id));
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 255 },
    { name: "description", label: "Description", type: "textarea", rows: 2, maxlength: 1000 },
    { name: "emails", label: "Only for these e-mail addresses", type: "textarea", rows: 2, maxlength: 10000, aliases: ["email", "e-mail"],
      help: "Separated by commas or spaces; empty: anyone with the code." },
    { name: "roles", label: "Roles (besides member)", type: "choices", aliases: ["role"],
      options: choices.roles.filter((r) => !NOT_OFFERED.includes(r.role_name)).map((r) => ({ value: r.role_name })) },
    { name: "teams", label: "Teams", type: "choices", aliases: ["team"],
      options: [...choices.teams.map((t) => ({ value: t.id, label: t.name })),
        ...(inv.teams || []).map(teamId).filter((id) => !known.has(id)).map((id) => ({ value: id, label: `${id} (not listed)` }))] },
    { name: "status", label: "Status", type: "select", options: [{ value: "enabled" }, { value: "disabled" }] },
    { name: "expires_at", label: "Expires", type: "datetime-local", aliases: ["expiry", "expires"], help: "Empty: never." },
    { name: "quota", label: "Uses", type: "number", min: 1, help: "How many people may join with it; empty: unlimited." },
    { name: "is_default", label: "Default invitation", type: "checkbox", aliases: ["default", "is default"] },
  ];
  const initial = inv.id ? {
    name: inv.name, description: inv.description || "", emails: (inv.emails || []).join(", "), roles: inv.roles || [],
    teams: (inv.teams || []).map(teamId), status: inv.status, expires_at: toLocalInput(inv.expires_at),
    quota: inv.quota ? String(inv.quota) : "", is_default: Boolean(inv.is_default),
  } : { status: "enabled" };
  return html`<${Form} fields=${fields} initial=${initial}
    submitLabel=${inv.id ? "Save" : "Create invitation"}
    toastText=${(s, v) => (inv.id ? `Invitation ${v.name.trim()} saved.` : `Invitation ${v.name.trim()} created.`)}
    validate=${(v) => (v.quota && !(Number(v.quota) >= 1 && Number.isInteger(Number(v.quota))) ? { quota: "Uses must be a whole number of at least 1, or empty." } : {})}
    onSubmit=${(v) => {
      const body = {
        name: v.name.trim(),
        description: v.description.trim(),
        emails: splitEmails(v.emails),
        roles: v.roles,
        teams: v.teams,
        status: v.status,
        org_id: session.orgId,
        expires_at: v.expires_at ? new Date(v.expires_at).toISOString() : null,
        quota: v.quota ? Number(v.quota) : null,
        is_default: v.is_default,
      };
      return inv.id ? api("PUT", `${PATH}/${seg(inv.id)}`, { ...body, id: inv.id }) : api("POST", PATH, body);
    }}
    onSaved=${onSaved} onCancel=${onCancel} />`;
}

export default function InvitationsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const mayManage = can("identity.invitations.manage");
  const choices = useLoad(async (signal) => {
    const [roles, teams] = await Promise.all([
      mayManage && can("identity.roles.read") ? api("GET", orgPath("/roles?pagesize=all"), undefined, { signal }) : { roles: [] },
      can("identity.teams.read") ? api("GET", orgPath("/teams?pagesize=all"), undefined, { signal }) : { teams: [] },
    ]);
    return { roles: roles.roles, teams: teams.teams };
  }, [session.orgId, mayManage]);
  const teamName = (ref) => ((choices.data && choices.data.teams.find((t) => t.id === ref || t.name === ref)) || { name: ref }).name;

  const removeOne = async (inv) => {
    if (!(await confirmAction({ title: "Delete invitation", message: `Delete invitation "${inv.name}"? Its code stops working.` }))) return;
    try {
      await api("DELETE", `${PATH}/${seg(inv.id)}`);
      toast(`Invitation ${inv.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const status = (inv) => {
    const expired = inv.expires_at && new Date(inv.expires_at) < new Date();
    const usedUp = inv.quota && (inv.accepted_by || []).length >= inv.quota;
    return html`<${Badge} value=${expired ? "expired" : usedUp ? "used up" : inv.status} tone=${expired || usedUp ? "bad" : inv.status === "enabled" ? "ok" : "muted"} />
      ${inv.is_default && html` <${Badge} value="default" tone="info" />`}`;
  };
  const create = mayManage && html`<button type="button" onClick=${() => setPanel({})}>New invitation</button>`;

  return html`<${PageHead} title="Invitations" intro="meshcloud sends no e-mail: share an invitation's code with the people it is for. They paste it under “Join an organization” on their dashboard.">${create}<//>
    <${ListPage} label="Invitations" search="Search invitations" reload=${reload} highlight=${highlight}
      load=${loadInvitations}
      defaults=${{ sort: "name" }}
      filters=${[{ name: "status", label: "Status", options: [{ value: "enabled" }, { value: "disabled" }] }]}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (i) => html`${i.name}${i.description && html`<div class="muted">${i.description}</div>`}` },
        { key: "code", label: "Code", render: (i) => html`<${CopyCode} code=${i.id} />` },
        { key: "emails", label: "For", render: (i) => ((i.emails || []).length ? i.emails.join(", ") : html`<span class="muted">anyone with the code</span>`) },
        { key: "grants", label: "Roles / teams", render: (i) => [...(i.roles || []), ...(i.teams || []).map((t) => `team ${teamName(t)}`)].join(", ") },
        { key: "status", label: "Status", render: status },
        { key: "expires_at", label: "Expires", sort: "expires_at", render: (i) => (i.expires_at ? when(i.expires_at) : "never") },
        { key: "used", label: "Used", render: (i) => `${(i.accepted_by || []).length}${i.quota ? ` of ${i.quota}` : ""}` },
      ]}
      empty=${{ text: "No invitations yet. An invitation lets people join with the roles and teams it names.", action: create }}
      bulk=${mayManage ? [{ label: "Delete", danger: true, run: async (rows) => { for (const i of rows) await api("DELETE", `${PATH}/${seg(i.id)}`); } }] : []}
      actions=${mayManage ? (i) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel(i)}>Edit</button>
        <button type="button" class="danger small" onClick=${() => removeOne(i)}>Delete</button>
      <//>` : null} />
    ${panel && html`<${Panel} title=${panel.id ? `Edit ${panel.name}` : "New invitation"} onClose=${close}>
      ${choices.error ? html`<p class="error">${choices.error.message}</p>`
        : !choices.data ? html`<p class="muted">Loading…</p>`
        : html`<${InvitationForm} inv=${panel} choices=${choices.data} onCancel=${close}
            onSaved=${(saved) => { close(); setHighlight(saved && saved.id ? saved.id : panel.id); setReload((n) => n + 1); }} />`}
    <//>`}`;
}
