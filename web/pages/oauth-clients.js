// meshcloud's OAuth clients (applications that sign users in through this
// installation, OpenID Connect), for provider admins: register, edit,
// replace the secret, delete. /api/meshcloud/oauth/clients (docs/identity.md).

import { html, useState } from "../lib/html.js";
import { v1OrgPath, api, seg } from "../lib/api.js";
import { clientList } from "../lib/clientlist.js";
import { session, can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { SecretBox } from "../components/secret.js";
import { Badge, PageHead, RowActions } from "../components/bits.js";
import { toast } from "../components/toast.js";

const BASE = "/api/meshcloud/oauth/clients";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The selected organization's service accounts (id -> name), offered for the
// client credentials grant; empty without an organization or the key to list them.
async function loadAccounts(signal) {
  if (!session.orgId || !can("identity.serviceaccounts.read")) return new Map();
  const list = await api("GET", v1OrgPath("/serviceaccounts"), undefined, { signal });
  return new Map((list || []).map((a) => [a.metadata.id, a.metadata.name]));
}

function fields(accounts) {
  // The service account: picked from the selected organization's, or any id typed in.
  const search = async (text) => {
    const t = text.toLowerCase();
    const found = [...accounts].filter(([id, n]) => !t || n.toLowerCase().includes(t) || id.startsWith(t))
      .slice(0, 20).map(([id, n]) => ({ value: id, label: n, detail: id }));
    if (UUID.test(text) && !accounts.has(text)) found.unshift({ value: text, label: text, detail: "another organization's" });
    return found;
  };
  return [
    { name: "name", label: "Name", required: true, maxlength: 255 },
    { name: "redirectUris", label: "Redirect URIs", type: "textarea", required: true, rows: 3, aliases: ["redirect uris"],
      help: "One per line; absolute http(s) URLs, matched exactly." },
    { name: "onboardingUri", label: "Onboarding URI", type: "url", placeholder: "https://portal.example.com/onboarding",
      help: "Optional: where users unknown to meshcloud are sent to create their organization." },
    { name: "serviceAccountId", label: "Service account", aliases: ["service account"],
      help: "Optional: the account the client acts as in the client credentials grant (from this organization, or its id).",
      render: ({ value, set, ...common }) => html`<${Picker} id=${common.id} value=${value} valueLabel=${accounts.get(value) || value}
        search=${search} placeholder="Type a name or an id" aria-invalid=${common["aria-invalid"]} aria-describedby=${common["aria-describedby"]}
        disabled=${common.disabled} onChange=${(v) => set(v || "")} />` },
    { name: "trusted", label: "Trusted: may be granted the meshcloud:api scope, so its tokens act on meshcloud's APIs as the signed-in user", type: "checkbox" },
  ];
}

/** The client ID and its new secret, shown once. */
function ShownOnce({ client, onDone }) {
  return html`<dl class="facts"><dt>Client</dt><dd>${client.name}</dd><dt>Client ID</dt><dd><code>${client.clientId}</code></dd></dl>
    <${SecretBox} label=${`The client secret of ${client.name}: copy it now. It cannot be shown again, only replaced.`}
      value=${client.clientSecret} onDone=${onDone} />`;
}

export default function OAuthClientsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null; {} (new); a client (editing); {secret: client} (a secret to show once).
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const bump = () => setReload((n) => n + 1);
  const accounts = useLoad(loadAccounts, [session.orgId]);
  const names = accounts.data || new Map();

  const rotate = async (c) => {
    if (!(await confirmAction({ title: "New client secret", message: `Give "${c.name}" a new client secret? The current secret stops working at once.`, confirmLabel: "Replace secret" }))) return;
    try {
      const made = await api("POST", `${BASE}/${seg(c.id)}/secret`);
      setPanel({ secret: { ...c, ...made } });
      bump();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const removeOne = async (c) => {
    if (!(await confirmAction({ title: "Delete OAuth client", message: `Delete the OAuth client "${c.name}"? Its sessions end and its tokens are revoked.` }))) return;
    try {
      await api("DELETE", `${BASE}/${seg(c.id)}`);
      toast(`OAuth client ${c.name} deleted.`);
      bump();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const editing = panel && panel.id;
  const submit = async (v) => {
    const body = {
      name: v.name.trim(),
      redirectUris: v.redirectUris.split("\n").map((u) => u.trim()).filter(Boolean),
      onboardingUri: v.onboardingUri.trim() || null,
      serviceAccountId: v.serviceAccountId.trim() || null,
      trusted: Boolean(v.trusted),
    };
    return editing ? api("PUT", `${BASE}/${seg(panel.id)}`, body) : api("POST", BASE, body);
  };
  const saved = (c) => {
    setHighlight(c.id);
    bump();
    if (c.clientSecret) setPanel({ secret: c });
    else close();
  };
  const create = html`<button type="button" onClick=${() => setPanel({})}>Register client</button>`;
  const account = (c) => c.serviceAccountId && (names.get(c.serviceAccountId) || html`<code>${c.serviceAccountId}</code>`);

  return html`<${PageHead} title="OAuth clients" intro="Applications that sign users in through this meshcloud (OpenID Connect). Only provider admins see them.">${create}<//>
    <${ListPage} label="OAuth clients" search="Search clients" reload=${reload} highlight=${highlight}
      load=${clientList(BASE, {
        // The API answers every client at once: searched, sorted and paged here.
        text: (c) => `${c.name} ${c.clientId} ${c.redirectUris.join(" ")} ${c.onboardingUri || ""}`,
        sorts: { name: (c) => c.name, created: (c) => c.createdAt },
      })}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (c) => html`${c.name}${c.trusted && html` <${Badge} value="trusted" tone="warn" />`}
          <div><code title="client ID">${c.clientId}</code></div>` },
        { key: "redirectUris", label: "Redirect URIs", class: "uris", render: (c) => html`${c.redirectUris.map((u) => html`<div>${u}</div>`)}
          ${c.onboardingUri && html`<div class="muted">onboarding: ${c.onboardingUri}</div>`}` },
        { key: "serviceAccountId", label: "Service account", render: account },
        { key: "createdAt", label: "Registered", sort: "created", render: (c) => when(c.createdAt) },
      ]}
      empty=${{ text: "No OAuth clients registered. A client lets an application sign its users in through meshcloud.", action: create }}
      actions=${(c) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel(c)}>Edit</button>
        <button type="button" class="secondary small" onClick=${() => rotate(c)}>New secret</button>
        <button type="button" class="danger small" onClick=${() => removeOne(c)}>Delete</button>
      <//>`} />
    ${panel && panel.secret && html`<${Panel} title="Client secret" onClose=${close}><${ShownOnce} client=${panel.secret} onDone=${close} /><//>`}
    ${panel && !panel.secret && html`<${Panel} title=${editing ? `Edit ${panel.name}` : "Register an OAuth client"} onClose=${close}>
      <${Form} fields=${fields(names)}
        initial=${editing ? { name: panel.name, redirectUris: panel.redirectUris.join("\n"), onboardingUri: panel.onboardingUri || "",
          serviceAccountId: panel.serviceAccountId || "", trusted: Boolean(panel.trusted) } : {}}
        submitLabel=${editing ? "Save" : "Register client"}
        toastText=${(c, v) => (editing ? `OAuth client ${v.name.trim()} saved.` : `OAuth client ${v.name.trim()} registered.`)}
        onSubmit=${submit} onSaved=${saved} onCancel=${close} />
    <//>`}`;
}
