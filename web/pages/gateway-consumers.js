// Consumers of a control plane (the API7 face, docs/gateway.md): who calls
// the APIs, with their credentials (key-auth, basic-auth, jwt-auth,
// hmac-auth). Secret fields are write-only: the inputs start empty, nothing
// the server holds is shown, and an edit that leaves one empty keeps the
// stored secret. A consumer with jwt-auth can be issued a token, shown once.

import { html, useState } from "../lib/html.js";
import { api7, api7List, seg } from "../lib/api.js";
import { can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Badge } from "../components/bits.js";
import { SecretBox } from "../components/secret.js";
import { toast } from "../components/toast.js";
import { ControlPlaneScope, Labels, LabelsFilter, labelsParam, labelsField, parseLabels, parseObject } from "../components/gateway.js";

const consumersPath = (cp) => `/api/v1/controlplanes/${seg(cp.id)}/consumers`;

// Each credential type's fields as APISIX's plugins name them; `secret`
// fields are never shown, `type` "select" offers `options`.
const TYPES = {
  "key-auth": { label: "API key (key-auth)", fields: [{ name: "key", label: "Key", secret: true }] },
  "basic-auth": { label: "User name and password (basic-auth)", fields: [
    { name: "username", label: "User name" },
    { name: "password", label: "Password", secret: true },
  ] },
  "jwt-auth": { label: "JSON Web Token (jwt-auth)", fields: [
    { name: "key", label: "Key (the token's key claim)" },
    { name: "algorithm", label: "Algorithm", type: "select", options: ["HS256", "HS512", "RS256", "ES256"] },
    { name: "secret", label: "Secret (HS256, HS512)", secret: true },
    { name: "base64_secret", label: "The secret is base64", type: "checkbox" },
    { name: "public_key", label: "Public key (RS256, ES256; PEM)", type: "textarea" },
    { name: "private_key", label: "Private key (RS256, ES256; PEM, signs issued tokens)", type: "textarea", secret: true },
    { name: "exp", label: "Token lifetime (seconds)", type: "number" },
  ] },
  "hmac-auth": { label: "HMAC signature (hmac-auth)", fields: [
    { name: "access_key", label: "Access key" },
    { name: "secret_key", label: "Secret key", secret: true },
    { name: "algorithm", label: "Algorithm", type: "select", options: ["hmac-sha256", "hmac-sha512", "hmac-sha1"] },
    { name: "clock_skew", label: "Clock skew (seconds)", type: "number" },
  ] },
};
const TYPE_NAMES = Object.keys(TYPES);

/** Form state of the credentials: per type {on, existed, values}; secrets start empty. */
function credentialsValue(consumer) {
  const stored = (consumer && consumer.credentials) || {};
  return Object.fromEntries(TYPE_NAMES.map((t) => {
    const c = stored[t];
    const values = {};
    for (const f of TYPES[t].fields) {
      const v = c && !f.secret ? c[f.name] : undefined;
      values[f.name] = f.type === "checkbox" ? Boolean(v) : f.type === "select" ? v || f.options[0] : v === undefined || v === null ? "" : String(v);
    }
    return [t, { on: Boolean(c), existed: Boolean(c), orig: c || {}, values }];
  }));
}

/** The credentials object the API takes (null: none). An empty secret of a kept credential keeps the stored one. */
function credentialsBody(v) {
  const out = {};
  for (const t of TYPE_NAMES) {
    const s = v[t];
    if (!s.on) continue;
    const c = { ...s.orig };
    for (const f of TYPES[t].fields) {
      const x = s.values[f.name];
      if (f.type === "checkbox") c[f.name] = Boolean(x);
      else if (f.type === "number") {
        if (String(x).trim() === "") delete c[f.name];
        else c[f.name] = Number(x);
      } else if (f.secret) c[f.name] = String(x);
      else if (String(x).trim() === "") delete c[f.name];
      else c[f.name] = String(x).trim();
    }
    out[t] = c;
  }
  return Object.keys(out).length ? out : null;
}

function CredentialsInput({ id, value, set, disabled, ...aria }) {
  const v = value || credentialsValue(null);
  const put = (t, patch) => set({ ...v, [t]: { ...v[t], ...patch } });
  const putField = (t, name, x) => put(t, { values: { ...v[t].values, [name]: x } });
  return html`<div class="credentials" id=${id} role="group" ...${aria}>
    ${TYPE_NAMES.map((t) => {
      const s = v[t];
      return html`<fieldset class="credential" key=${t}>
        <legend><label class="check"><input type="checkbox" disabled=${disabled} checked=${s.on}
          onChange=${(e) => put(t, { on: e.target.checked })} /> ${TYPES[t].label}</label></legend>
        ${s.on && html`<div class="cred-fields">${TYPES[t].fields.map((f) => {
          const label = `${t} ${f.name}`;
          const x = s.values[f.name];
          const set1 = (val) => putField(t, f.name, val);
          const hint = f.secret ? (s.existed ? "stored; leave empty to keep it" : "write-only: not shown again") : undefined;
          if (f.type === "checkbox") {
            return html`<label class="check" key=${f.name}><input type="checkbox" aria-label=${label} disabled=${disabled} checked=${x}
              onChange=${(e) => set1(e.target.checked)} /> ${f.label}</label>`;
          }
          const control = f.type === "select"
            ? html`<select aria-label=${label} disabled=${disabled} value=${x} onChange=${(e) => set1(e.target.value)}>
                ${f.options.map((o) => html`<option value=${o}>${o}</option>`)}</select>`
            : f.type === "textarea"
            ? html`<textarea aria-label=${label} rows="3" class="mono" spellcheck="false" autocomplete="off" disabled=${disabled}
                placeholder=${hint} value=${x} onInput=${(e) => set1(e.target.value)}></textarea>`
            : html`<input aria-label=${label} type=${f.secret ? "password" : f.type === "number" ? "number" : "text"}
                autocomplete=${f.secret ? "new-password" : "off"} min=${f.type === "number" ? 0 : undefined} disabled=${disabled}
                placeholder=${hint} value=${x} onInput=${(e) => set1(e.target.value)} />`;
          return html`<label class="stack" key=${f.name}>${f.label}${control}</label>`;
        })}</div>`}
      </fieldset>`;
    })}
  </div>`;
}

const FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 100, help: "Letters, digits and _; unique in the control plane." },
  labelsField,
  { name: "description", label: "Description", type: "textarea", rows: 2, maxlength: 256, wide: true },
  { name: "credentials", label: "Credentials", wide: true, aliases: ["credential", ...TYPE_NAMES],
    help: "Secrets are stored sealed and never shown again.",
    render: (p) => html`<${CredentialsInput} ...${p} />` },
];

function ConsumerPanel({ cp, consumer, onSaved, onClose }) {
  const path = consumersPath(cp);
  return html`<${Panel} wide title=${consumer ? `Edit consumer ${consumer.name}` : "New consumer"} onClose=${onClose}>
    <${Form} fields=${FIELDS} submitLabel=${consumer ? "Save" : "Create consumer"}
      initial=${{ name: consumer ? consumer.name : "", description: consumer ? consumer.description || "" : "",
        labels: consumer ? (consumer.labels || []).join(", ") : "", credentials: credentialsValue(consumer) }}
      onSubmit=${(v) => {
        const body = { name: v.name.trim(), description: v.description.trim(), credentials: credentialsBody(v.credentials), labels: parseLabels(v.labels) };
        return consumer ? api7("PUT", `${path}/${seg(consumer.id)}`, body) : api7("POST", path, body);
      }}
      toastText=${(_, v) => `Consumer ${v.name.trim()} ${consumer ? "saved" : "created"}.`}
      onSaved=${onSaved} onCancel=${onClose} />
  <//>`;
}

function JwtPanel({ cp, consumer, onClose }) {
  const [token, setToken] = useState(null);
  return html`<${Panel} title=${`Token for ${consumer.name}`} onClose=${onClose}>
    ${token ? html`<${SecretBox} label="The token is shown once: copy it now." value=${token} onDone=${onClose} />`
    : html`<p class="muted">Signed with the consumer's jwt-auth credential; its claims are the credential's key, the expiry and the payload below.</p>
      <${Form} submitLabel="Create token"
        fields=${[
          { name: "ttl", label: "Valid for (seconds)", type: "number", min: 1, required: true },
          { name: "custom_payload", label: "Custom claims (JSON object)", type: "textarea", rows: 4, wide: true, placeholder: "{\"role\": \"reader\"}" },
        ]}
        initial=${{ ttl: "86400" }}
        validate=${(v) => ({ custom_payload: parseObject(v.custom_payload, "custom_payload").error })}
        onSubmit=${(v) => api7("POST", `${consumersPath(cp)}/${seg(consumer.id)}/jwt`,
          { ttl: Number(v.ttl), custom_payload: parseObject(v.custom_payload, "custom_payload").value })}
        onSaved=${(r) => setToken(r.token)} onCancel=${onClose} />`}
  <//>`;
}

function Consumers({ cp }) {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {create: true}, {edit: consumer}, {jwt: consumer}
  const [panel, setPanel] = useState(null);
  const manage = can("gateway.consumers.manage");
  const close = () => setPanel(null);
  const saved = (c) => {
    close();
    if (c && c.id) setHighlight(c.id);
    setReload((n) => n + 1);
  };
  const remove = async (c) => {
    if (!(await confirmAction({ title: "Delete consumer", message: `Delete the consumer "${c.name}"? Its credentials stop working.` }))) return;
    try {
      await api7("DELETE", `${consumersPath(cp)}/${seg(c.id)}`);
      toast(`Consumer ${c.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = manage && html`<button type="button" onClick=${() => setPanel({ create: true })}>New consumer</button>`;
  return html`<${ListPage} label="Consumers" search="Search consumers" reload=${reload} highlight=${highlight}
      load=${api7List(consumersPath(cp), labelsParam)}
      filters=${[{ name: "labels", label: "Labels", render: (p) => html`<${LabelsFilter} ...${p} />` }]}
      defaults=${{ sort: "updated_at", dir: "desc" }}
      toolbar=${create}
      columns=${[
        { key: "name", label: "Name", render: (c) => html`${c.name}${c.description && html`<div class="muted">${c.description}</div>`}` },
        { key: "credentials", label: "Credentials", render: (c) => html`<span class="chips">${Object.keys(c.credentials || {}).map((t) => html`<${Badge} key=${t} value=${t} tone="info" />`)}</span>` },
        { key: "labels", label: "Labels", render: (c) => html`<${Labels} labels=${c.labels} />` },
        { key: "created_at", label: "Created", sort: "created_at", render: (c) => when(c.created_at) },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (c) => when(c.updated_at) },
      ]}
      empty=${{ text: "No consumers yet. A consumer is a client of the APIs with its credentials.", action: create }}
      actions=${manage && ((c) => html`<${RowActions}>
        ${(c.credentials || {})["jwt-auth"] && html`<button type="button" class="secondary small" onClick=${() => setPanel({ jwt: c })}>Create JWT</button>`}
        <button type="button" class="secondary small" onClick=${() => setPanel({ edit: c })}>Edit</button>
        <button type="button" class="danger small" onClick=${() => remove(c)}>Delete</button>
      <//>`)} />
    ${panel && (panel.create || panel.edit) && html`<${ConsumerPanel} cp=${cp} consumer=${panel.edit} onSaved=${saved} onClose=${close} />`}
    ${panel && panel.jwt && html`<${JwtPanel} cp=${cp} consumer=${panel.jwt} onClose=${close} />`}`;
}

export default function ConsumersPage() {
  return html`<${PageHead} title="Consumers" intro="The clients of a control plane's APIs and the credentials they authenticate with. Secrets are write-only: stored sealed, never shown again." />
    <${ControlPlaneScope} what="Consumers">${(cp) => html`<${Consumers} key=${cp.id} cp=${cp} />`}<//>`;
}
