// Credentials of the organization: list, create, edit, delete. Secrets are
// write-only (docs/infra.md): the inputs start empty, nothing the server
// holds is put back into them, and an edit keeps the stored secret unless
// the user replaces it.

import { html, useState } from "../lib/html.js";
import { api, seg, layer5List } from "../lib/api.js";
import { can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions } from "../components/bits.js";
import { toast } from "../components/toast.js";

const EMPTY_SECRET = { rows: [{ key: "", value: "" }], json: "", asJson: false };

/** The secret's fields as name/value rows, or one JSON object. */
function SecretInput({ id, value, set, disabled, error, required, name, ...aria }) {
  const v = value || EMPTY_SECRET;
  const rows = v.rows;
  const put = (patch) => set({ ...v, ...patch });
  const setRow = (i, patch) => put({ rows: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return html`<div class="secret-input" id=${id} role="group" ...${aria}>
    <label class="check"><input type="checkbox" checked=${v.asJson} disabled=${disabled} onChange=${(e) => put({ asJson: e.target.checked })} /> Enter as JSON</label>
    ${v.asJson
      ? html`<textarea aria-label="Secret as a JSON object" rows="4" spellcheck="false" autocomplete="off" disabled=${disabled}
          value=${v.json} onInput=${(e) => put({ json: e.target.value })}></textarea>`
      : html`${rows.map((r, i) => html`<div class="kv-row" key=${i}>
          <input aria-label="Secret field name" placeholder="name" maxlength="255" autocomplete="off" disabled=${disabled}
            value=${r.key} onInput=${(e) => setRow(i, { key: e.target.value })} />
          <input aria-label="Secret field value" type="password" placeholder="value" autocomplete="new-password" disabled=${disabled}
            value=${r.value} onInput=${(e) => setRow(i, { value: e.target.value })} />
          <button type="button" class="secondary small" disabled=${disabled}
            onClick=${() => put({ rows: rows.length > 1 ? rows.filter((_, j) => j !== i) : [{ key: "", value: "" }] })}>Remove</button>
        </div>`)}
        <button type="button" class="secondary small" disabled=${disabled} onClick=${() => put({ rows: [...rows, { key: "", value: "" }] })}>Add field</button>`}
  </div>`;
}

/** The secret as the JSON object the server takes, or the reason it is not one. */
function readSecret(v) {
  if (v.asJson) {
    let secret;
    try {
      secret = JSON.parse(v.json);
    } catch (err) {
      return { error: `Secret is not valid JSON: ${err.message}` };
    }
    if (!secret || typeof secret !== "object" || Array.isArray(secret)) return { error: "Secret must be a JSON object ({…})." };
    if (!Object.keys(secret).length) return { error: "Secret needs at least one field." };
    return { secret };
  }
  const secret = {};
  for (const r of v.rows) {
    const key = r.key.trim();
    if (!key && !r.value) continue;
    if (!key) return { error: "Secret: every value needs a name." };
    if (Object.hasOwn(secret, key)) return { error: `Secret names "${key}" twice.` };
    secret[key] = r.value;
  }
  if (!Object.keys(secret).length) return { error: "Secret needs at least one field." };
  return { secret };
}

function CredentialForm({ editing, onSaved, onCancel }) {
  const [replace, setReplace] = useState(!editing);
  const fields = [
    { name: "name", label: "Name", required: true, maxlength: 255 },
    { name: "type", label: "Type", required: true, maxlength: 100, placeholder: "token", aliases: ["kind"] },
    { name: "secret", label: "Secret", wide: true, hidden: !replace, render: (p) => html`<${SecretInput} ...${p} />`,
      help: "Stored sealed; it is never shown again." },
  ];
  return html`${editing && html`<p class="muted">The stored secret is kept unless you replace it.</p>
      <label class="check"><input type="checkbox" checked=${replace} onChange=${(e) => setReplace(e.target.checked)} /> Replace the secret</label>`}
    <${Form} fields=${fields} initial=${editing ? { name: editing.name, type: editing.type, secret: EMPTY_SECRET } : { secret: EMPTY_SECRET }}
      submitLabel=${editing ? "Save" : "Create credential"}
      validate=${(v) => (replace ? { secret: readSecret(v.secret).error } : {})}
      toastText=${(k, v) => `Credential ${v.name.trim()} saved. ${replace ? "Its secret is stored sealed and is not shown again." : "Its stored secret was kept."}`}
      onSubmit=${(v) => {
        const body = { name: v.name.trim(), type: v.type.trim() };
        if (replace) body.secret = readSecret(v.secret).secret;
        return editing ? api("PUT", "/api/integrations/credentials", { ...body, id: editing.id }) : api("POST", "/api/integrations/credentials", body);
      }}
      onSaved=${onSaved} onCancel=${onCancel} />`;
}

export default function CredentialsPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const remove = async (list) => {
    for (const k of list) await api("DELETE", `/api/integrations/credentials?credentialId=${seg(k.id)}`);
  };
  const removeOne = async (k) => {
    if (!(await confirmAction({ title: "Delete credential", message: `Delete the credential "${k.name}"? Its secret is destroyed and connections using it lose it.` }))) return;
    try {
      await remove([k]);
      toast(`Credential ${k.name} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = can("infra.credentials.create") && html`<button type="button" onClick=${() => setPanel({})}>New credential</button>`;

  return html`<${PageHead} title="Credentials" intro="Secrets that connections use. They are write-only: the server stores them sealed, and this page never shows them again.">${create}<//>
    <${ListPage} label="Credentials" search="Search credentials" reload=${reload} highlight=${highlight}
      load=${layer5List("/api/integrations/credentials", "credentials")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name" },
        { key: "type", label: "Type", sort: "type" },
        { key: "created_at", label: "Created", sort: "created_at", render: (k) => when(k.created_at) },
        { key: "updated_at", label: "Updated", sort: "updated_at", render: (k) => when(k.updated_at) },
      ]}
      empty=${{ text: "No credentials yet. A credential holds the secret a connection signs in with.", action: create }}
      bulk=${can("infra.credentials.delete") ? [{ label: "Delete", danger: true, run: remove }] : []}
      actions=${(k) => html`<${RowActions}>
        ${can("infra.credentials.update") && html`<button type="button" class="secondary small" onClick=${() => setPanel({ edit: k })}>Edit</button>`}
        ${can("infra.credentials.delete") && html`<button type="button" class="danger small" onClick=${() => removeOne(k)}>Delete</button>`}
      <//>`} />
    ${panel && html`<${Panel} title=${panel.edit ? `Edit ${panel.edit.name}` : "New credential"} onClose=${close}>
      <${CredentialForm} editing=${panel.edit} onCancel=${close}
        onSaved=${(k) => { close(); if (k && k.id) setHighlight(k.id); setReload((n) => n + 1); }} />
    <//>`}`;
}
