// Service accounts of the organization (the Identity face): non-human
// members for tools and pipelines that may do what the roles of their teams
// allow. The token is shown once, on creation and rotation. Controls show
// only when the user holds the key the server checks (docs/identity.md).

import { html, useState } from "../lib/html.js";
import { v1OrgPath as orgPath, api, seg } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { SecretBox } from "../components/secret.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

const NAME_PATTERN = /^[0-9A-Za-z]([-0-9A-Za-z_.]{0,61}[0-9A-Za-z])?$/;

const SORTS = {
  name: (a) => a.metadata.name.toLowerCase(),
  expiry: (a) => a.status.expiry || "",
};

/**
 * The Identity face answers every service account at once as a bare array
 * (it has no paging), so this adapter searches, sorts and pages it here.
 */
async function loadAccounts({ page, size, search, sort, dir, signal }) {
  const list = await api("GET", orgPath("/serviceaccounts"), undefined, { signal });
  const text = (search || "").toLowerCase();
  const rows = list.filter((a) => !text || `${a.metadata.name} ${a.metadata.description || ""}`.toLowerCase().includes(text));
  const key = SORTS[sort] || SORTS.name;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (dir === "desc" ? -1 : 1));
  return { rows: rows.slice((page - 1) * size, page * size), total: rows.length };
}

// Write metadata keeps the tags of the account being edited (the form does
// not edit tags, and a write replaces them).
function metadataOf(v, a) {
  const metadata = { name: v.name.trim() };
  if (v.description.trim()) metadata.description = v.description.trim();
  if (a && a.metadata.tags) metadata.tags = a.metadata.tags;
  return metadata;
}

function AccountForm({ account, groups, onSaved, onCancel }) {
  const ticked = account ? account.spec.groupIDs || [] : [];
  // Teams the user cannot list (or none at all, without the key) are kept as they are.
  const known = new Set((groups || []).map((g) => g.metadata.id));
  const kept = ticked.filter((id) => !known.has(id));
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 63, aliases: ["metadata.name"],
      help: "1–63 letters, digits, - _ . starting and ending with a letter or digit." },
    { name: "description", label: "Description", type: "textarea", rows: 2, maxlength: 5000, aliases: ["metadata.description"] },
    groups
      ? { name: "groups", label: "Teams", type: "choices", aliases: ["groupids", "spec.groupids", "group"], options: groups.map((g) => ({ value: g.metadata.id, label: g.metadata.name })) }
      : { name: "groups", label: "Teams", hidden: true },
  ];
  return html`${!groups && html`<p class="muted">${ticked.length ? `${ticked.length} team(s); they are kept as they are (you cannot list teams).` : "You cannot list teams."}</p>`}
    <${Form} fields=${fields}
      initial=${account ? { name: account.metadata.name, description: account.metadata.description || "", groups: ticked.filter((id) => known.has(id)) } : { groups: [] }}
      submitLabel=${account ? "Save" : "Create service account"}
      toastText=${(s, v) => (account ? `Service account ${v.name.trim()} saved.` : `Service account ${v.name.trim()} created.`)}
      validate=${(v) => (NAME_PATTERN.test(v.name.trim()) ? {} : { name: "Name: 1–63 letters, digits, - _ . starting and ending with a letter or digit." })}
      onSubmit=${(v) => {
        const body = { metadata: metadataOf(v, account), spec: { groupIDs: [...(groups ? v.groups : []), ...kept] } };
        return account ? api("PUT", orgPath(`/serviceaccounts/${seg(account.metadata.id)}`), body) : api("POST", orgPath("/serviceaccounts"), body);
      }}
      onSaved=${onSaved} onCancel=${onCancel} />`;
}

export default function ServiceAccountsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null: no panel; {}: a new account; {edit: account}; {token: {name, value}}.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const mayManage = can("identity.serviceaccounts.manage");
  const groups = useLoad(async (signal) => (can("identity.teams.read") ? api("GET", orgPath("/groups"), undefined, { signal }) : null), [session.orgId]);
  const names = new Map((groups.data || []).map((g) => [g.metadata.id, g.metadata.name]));
  const groupNames = (ids) => {
    if (!ids || !ids.length) return html`<span class="muted">none</span>`;
    if (!groups.data) return `${ids.length} team${ids.length === 1 ? "" : "s"}`;
    return ids.map((id) => names.get(id) || "(unknown team)").join(", ");
  };
  const refresh = (id) => {
    setHighlight(id);
    setReload((n) => n + 1);
  };

  const rotate = async (a) => {
    if (!(await confirmAction({ title: "Rotate token", message: `Give "${a.metadata.name}" a new token? The current token stops working at once.`, confirmLabel: "Rotate token" }))) return;
    try {
      const r = await api("POST", orgPath(`/serviceaccounts/${seg(a.metadata.id)}/rotate`));
      toast(`New token for ${a.metadata.name}.`);
      setPanel({ token: { name: r.metadata.name, value: r.status.accessToken } });
      refresh(a.metadata.id);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const remove = async (a) => {
    if (!(await confirmAction({ title: "Delete service account", message: `Delete service account "${a.metadata.name}"? Its token stops working at once.` }))) return;
    try {
      await api("DELETE", orgPath(`/serviceaccounts/${seg(a.metadata.id)}`));
      toast(`Service account ${a.metadata.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const expiry = (a) => {
    const expired = new Date(a.status.expiry) <= new Date();
    return html`${when(a.status.expiry)}${expired && html` <${Badge} value="expired" tone="bad" />`}`;
  };
  const create = mayManage && html`<button type="button" onClick=${() => setPanel({})}>New service account</button>`;

  return html`<${PageHead} title="Service accounts" intro="Non-human members of the organization for tools and pipelines. An account may do what the roles of its teams allow.">${create}<//>
    <${ListPage} label="Service accounts" search="Search service accounts" reload=${reload} highlight=${highlight}
      load=${loadAccounts} rowKey=${(a) => a.metadata.id}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (a) => a.metadata.name },
        { key: "description", label: "Description", render: (a) => a.metadata.description || "" },
        { key: "teams", label: "Teams", render: (a) => groupNames(a.spec.groupIDs) },
        { key: "expiry", label: "Token expires", sort: "expiry", render: expiry },
      ]}
      empty=${{ text: "No service accounts yet. One gives a tool its own token, with the roles of its teams.", action: create }}
      bulk=${mayManage ? [{ label: "Delete", danger: true, run: async (rows) => { for (const a of rows) await api("DELETE", orgPath(`/serviceaccounts/${seg(a.metadata.id)}`)); } }] : []}
      actions=${mayManage ? (a) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ edit: a })}>Edit</button>
        <button type="button" class="secondary small" onClick=${() => rotate(a)}>Rotate token</button>
        <button type="button" class="danger small" onClick=${() => remove(a)}>Delete</button>
      <//>` : null} />
    ${panel && !panel.token && html`<${Panel} title=${panel.edit ? `Edit ${panel.edit.metadata.name}` : "New service account"} onClose=${close}>
      ${groups.loading ? html`<p class="muted">Loading…</p>` : html`<${AccountForm} account=${panel.edit} groups=${groups.data} onCancel=${close}
        onSaved=${(a) => {
          if (!panel.edit && a && a.status && a.status.accessToken) setPanel({ token: { name: a.metadata.name, value: a.status.accessToken } });
          else close();
          refresh(a && a.metadata ? a.metadata.id : panel.edit && panel.edit.metadata.id);
        }} />`}
    <//>`}
    ${panel && panel.token && html`<${Panel} title=${`Token of ${panel.token.name}`} onClose=${close}>
      <${SecretBox} label="Copy the token now: it cannot be shown again, only replaced by rotating it." value=${panel.token.value} onDone=${close} />
    <//>`}`;
}
