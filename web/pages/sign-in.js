// Sign-in of the selected organization: how its members sign in (type,
// domain, provider) and its own upstream OpenID Connect providers. Identity
// face (/api/v1); a new domain is claimed through meshcloud's domain claims
// unless a provider admin sets it. Controls show only with the key the
// server checks (docs/identity.md); the server decides.

import { html, useState } from "../lib/html.js";
import { v1OrgPath as orgPath, api, seg } from "../lib/api.js";
import { clientList } from "../lib/clientlist.js";
import { session, can, isProviderAdmin } from "../lib/session.js";
import { useLoad } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Badge, PageHead, RowActions, Section } from "../components/bits.js";
import { toast } from "../components/toast.js";


const TYPES = [
  { value: "", label: "Generic OpenID Connect" },
  { value: "google", label: "Google" },
  { value: "microsoft", label: "Microsoft" },
  { value: "github", label: "GitHub" },
];
const typeLabel = (t) => (TYPES.find((x) => x.value === (t || "")) || TYPES[0]).label;

const NAME_HELP = "1-63 letters, digits, - _ . (starting and ending with a letter or digit)";

function providerFields(editing) {
  return [
    { name: "name", label: "Name", required: true, maxlength: 63, help: NAME_HELP, aliases: ["metadata.name"] },
    { name: "description", label: "Description", maxlength: 5000, aliases: ["metadata.description"] },
    { name: "type", label: "Type", type: "select", options: TYPES, aliases: ["spec.type"] },
    { name: "issuer", label: "Issuer", type: "url", required: true, placeholder: "https://accounts.example.com", aliases: ["spec.issuer"] },
    { name: "clientID", label: "Client ID", required: true, maxlength: 1024, aliases: ["spec.clientid"] },
    { name: "clientSecret", label: "Client secret", type: "password", maxlength: 4096, autocomplete: "new-password", aliases: ["spec.clientsecret"],
      help: editing ? "Write-only: leave it empty to keep the stored secret." : "Write-only: stored sealed and never shown again." },
    { name: "clearSecret", label: "Remove the stored secret (a public client)", type: "checkbox", hidden: !editing },
  ];
}

// Write metadata, keeping the tags of the item being edited (the form does
// not edit them, and a write replaces them).
function metadataOf(v, item) {
  const metadata = { name: v.name.trim() };
  if (v.description.trim()) metadata.description = v.description.trim();
  if (item && item.metadata.tags) metadata.tags = item.metadata.tags;
  return metadata;
}

const usesProvider = (org, scope, id) => Boolean(org && org.spec.providerScope === scope && org.spec.providerID === id);

/** How members sign in: the organization's type, domain and provider. */
function Settings({ org, own, global, onSaved }) {
  const mayUpdate = can("identity.organization.update");
  const [claim, setClaim] = useState(null);
  const current = org.spec.providerScope ? `${org.spec.providerScope}:${org.spec.providerID}` : "";
  const options = [
    ...own.map((p) => ({ value: `organization:${p.metadata.id}`, label: `${p.metadata.name} (this organization)` })),
    ...global.map((p) => ({ value: `global:${p.metadata.id}`, label: `${p.metadata.name} (installation-wide)` })),
  ];
  if (current && !options.some((o) => o.value === current)) {
    options.push({ value: current, label: `${org.spec.providerID} (${org.spec.providerScope}, not listed)` });
  }
  const providerName = (options.find((o) => o.value === current) || {}).label;
  const admin = isProviderAdmin();
  const fields = [
    { name: "organizationType", label: "Organization type", type: "select", aliases: ["spec.organizationtype"],
      options: [{ value: "adhoc", label: "Ad hoc" }, { value: "domain", label: "Domain" }],
      help: "Ad hoc: members sign in through the provider chosen below. Domain: users whose e-mail address is in the domain belong to this organization." },
    { name: "domain", label: "Domain", maxlength: 253, placeholder: "example.com", aliases: ["spec.domain"],
      help: admin ? "" : "A new domain is claimed: publish the DNS record shown after saving, or ask a provider admin to approve the claim." },
    { name: "provider", label: "Sign-in provider", type: "select", placeholder: "none chosen", options, aliases: ["spec.providerid", "spec.providerscope"] },
  ];
  const save = async (v) => {
    const spec = { organizationType: v.organizationType };
    const domain = v.domain.trim();
    // Only a provider admin binds a domain directly; an organization admin
    // claims it, and it is bound once proved by DNS or approved.
    const claiming = domain && domain !== (org.spec.domain || "") && !admin;
    const kept = claiming ? org.spec.domain : domain;
    if (kept) spec.domain = kept;
    if (v.provider) {
      const at = v.provider.indexOf(":");
      spec.providerScope = v.provider.slice(0, at);
      spec.providerID = v.provider.slice(at + 1);
    }
    // The name goes back as read (the server keeps it); description and tags would be lost otherwise.
    const { name, description, tags } = org.metadata;
    await api("PUT", orgPath(), { metadata: { name, description, tags }, spec });
    if (!claiming) return null;
    return api("POST", `/api/meshcloud/orgs/${seg(session.orgId)}/domain-claims`, { domain });
  };
  return html`<${Section} title="How members sign in">
    ${claim && html`<div class="secret" role="status" aria-label="Domain claim">
      <p>${claim.domain} is claimed. Publish this DNS record to prove it, or ask a provider admin to approve the claim.</p>
      <dl class="facts">
        <dt>Type</dt><dd><code>${claim.dnsRecord.type}</code></dd>
        <dt>Name</dt><dd><code>${claim.dnsRecord.name}</code></dd>
        <dt>Value</dt><dd><code>${claim.dnsRecord.value}</code></dd>
      </dl>
      <div class="buttons"><button type="button" class="secondary" onClick=${() => setClaim(null)}>Done</button></div>
    </div>`}
    ${mayUpdate ? html`<${Form} key=${`${org.metadata.modifiedTime}|${options.length}`} fields=${fields}
        initial=${{ organizationType: org.spec.organizationType || "adhoc", domain: org.spec.domain || "", provider: current }}
        submitLabel="Save sign-in settings"
        toastText=${(c) => (c ? `Sign-in settings saved; ${c.domain} is claimed.` : "Sign-in settings saved.")}
        onSubmit=${save} onSaved=${(c) => { setClaim(c); onSaved(); }} />`
    : html`<dl class="facts">
        <dt>Organization type</dt><dd>${org.spec.organizationType === "domain" ? "Domain" : "Ad hoc"}</dd>
        <dt>Domain</dt><dd>${org.spec.domain || html`<span class="muted">none</span>`}</dd>
        <dt>Sign-in provider</dt><dd>${providerName || html`<span class="muted">none chosen</span>`}</dd>
      </dl>
      <p class="muted">Changing these needs the permission to update the organization.</p>`}
  <//>`;
}

export default function SignInPage() {
  const mayManage = can("identity.oauth2providers.manage");
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  const [panel, setPanel] = useState(null); // null, {} (new) or a provider (editing)
  const close = () => setPanel(null);
  const bump = () => setReload((n) => n + 1);
  // The organization and every provider it may choose, for the settings.
  const state = useLoad(async (signal) => {
    if (!can("identity.organization.read")) return null;
    const [org, own, global] = await Promise.all([
      api("GET", orgPath(), undefined, { signal }),
      api("GET", orgPath("/oauth2providers"), undefined, { signal }),
      api("GET", "/api/v1/oauth2providers", undefined, { signal }),
    ]);
    return { org, own: own || [], global: global || [] };
  }, [session.orgId, reload]);
  const org = state.data ? state.data.org : null;

  const removeOne = async (p) => {
    const inUse = usesProvider(org, "organization", p.metadata.id) ? " Members sign in through it now; they will need a password." : "";
    if (!(await confirmAction({ title: "Delete sign-in provider", message: `Delete the sign-in provider "${p.metadata.name}"?${inUse}` }))) return;
    try {
      await api("DELETE", orgPath(`/oauth2providers/${seg(p.metadata.id)}`));
      toast(`Sign-in provider ${p.metadata.name} deleted.`);
      bump();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const submit = async (v) => {
    const spec = { issuer: v.issuer.trim(), clientID: v.clientID.trim() };
    if (v.type) spec.type = v.type;
    // Without a secret the stored one stays; an empty one removes it.
    if (panel.metadata && v.clearSecret) spec.clientSecret = "";
    else if (v.clientSecret) spec.clientSecret = v.clientSecret;
    const body = { metadata: metadataOf(v, panel.metadata ? panel : null), spec };
    if (panel.metadata) {
      await api("PUT", orgPath(`/oauth2providers/${seg(panel.metadata.id)}`), body);
      return panel;
    }
    return api("POST", orgPath("/oauth2providers"), body);
  };
  const create = mayManage && html`<button type="button" onClick=${() => setPanel({})}>Add provider</button>`;
  const editing = panel && panel.metadata;

  return html`<${PageHead} title="Sign-in providers" intro="Upstream OpenID Connect providers the organization's members sign in with, and how they sign in.">${create}<//>
    ${state.error && html`<p class="error" role="alert">Sign-in settings could not be loaded: ${state.error.message}</p>`}
    ${org && html`<${Settings} org=${org} own=${state.data.own} global=${state.data.global} onSaved=${bump} />`}
    <${Section} title="Providers of this organization">
      <p class="muted">The client secret is write-only: it is stored sealed and never shown again.</p>
      <${ListPage} label="Sign-in providers" search="Search providers" reload=${reload} highlight=${highlight}
        rowKey=${(p) => p.metadata.id}
        load=${clientList(() => orgPath("/oauth2providers"), {
          text: (p) => `${p.metadata.name} ${p.metadata.description || ""} ${p.spec.issuer} ${p.spec.clientID}`,
          sorts: { name: (p) => p.metadata.name, type: (p) => typeLabel(p.spec.type), issuer: (p) => p.spec.issuer },
        })}
        defaults=${{ sort: "name" }}
        columns=${[
          { key: "name", label: "Name", sort: "name", render: (p) => html`${p.metadata.name}
            ${usesProvider(org, "organization", p.metadata.id) && html` <${Badge} value="sign-in" tone="ok" />`}
            ${p.metadata.description && html`<div class="muted">${p.metadata.description}</div>`}` },
          { key: "type", label: "Type", sort: "type", render: (p) => typeLabel(p.spec.type) },
          { key: "issuer", label: "Issuer", sort: "issuer", render: (p) => p.spec.issuer },
          { key: "clientID", label: "Client ID", render: (p) => html`<code>${p.spec.clientID}</code>` },
        ]}
        empty=${{ text: "No sign-in providers of this organization yet. Members sign in with a password or an installation-wide provider.", action: create }}
        actions=${mayManage ? (p) => html`<${RowActions}>
          <button type="button" class="secondary small" onClick=${() => setPanel(p)}>Edit</button>
          <button type="button" class="danger small" onClick=${() => removeOne(p)}>Delete</button>
        <//>` : null} />
    <//>
    ${panel && html`<${Panel} title=${editing ? `Edit ${panel.metadata.name}` : "New sign-in provider"} onClose=${close}>
      <${Form} fields=${providerFields(Boolean(editing))}
        initial=${editing ? { name: panel.metadata.name, description: panel.metadata.description || "", type: panel.spec.type || "",
          issuer: panel.spec.issuer, clientID: panel.spec.clientID } : {}}
        submitLabel=${editing ? "Save" : "Add provider"}
        toastText=${(p, v) => (editing ? `Sign-in provider ${v.name.trim()} saved.` : `Sign-in provider ${v.name.trim()} added.`)}
        onSubmit=${submit}
        onSaved=${(p) => { close(); setHighlight(p.metadata.id); bump(); }} onCancel=${close} />
    <//>`}`;
}
