// Roles of the organization: list, create, edit and delete its own roles
// (built-in ones are read-only), the keychains a role holds, and the keys of
// each keychain (the organization's own keychains can be changed). Controls
// show only when the user holds the key the server checks (docs/access.md).

import { html, useState } from "../lib/html.js";
import { orgPath, api, seg, layer5List } from "../lib/api.js";
import { session, can, refreshPerms } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { Picker } from "../components/picker.js";
import { PageHead, RowActions, Section, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

// Built-in roles exist in every organization and cannot be changed.
const BUILTIN_ROLES = new Set(["admin", "organization admin", "workspace admin", "user"]);
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

const ROLE_FIELDS = [
  { name: "role_name", label: "Name", required: true, maxlength: 255, aliases: ["role name", "name"] },
  { name: "description", label: "Description", type: "textarea", rows: 3, maxlength: 1000 },
];

const keyName = (k) => `${k.category}.${k.subcategory}.${k.function}`;

/** Picker search over a Layer5 list: `path` with `search`, mapped by `toOption`. */
const searchList = (path, key, toOption, skip = () => false) => async (text, signal) => {
  const q = new URLSearchParams({ pagesize: "20", search: text });
  const page = await api("GET", `${path}?${q}`, undefined, { signal });
  return page[key].filter((x) => !skip(x)).map(toOption);
};

// Something bound to a role changed: the user's own keys may have too.
const changed = () => refreshPerms();

/** A picker and a button that adds the picked item. */
function AddWith({ id, label, button, search, add }) {
  const [pick, setPick] = useState({ id: "", label: "" });
  const [busy, setBusy] = useState(false);
  const submit = async (ev) => {
    ev.preventDefault();
    if (!pick.id || busy) return;
    setBusy(true);
    try {
      await add(pick);
      setPick({ id: "", label: "" });
    } catch (err) {
      toast(err.message, "error");
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="form inline" onSubmit=${submit}>
    <div class="field"><label for=${id}>${label}</label>
      <${Picker} id=${id} value=${pick.id} valueLabel=${pick.label} search=${search}
        onChange=${(v, o) => setPick({ id: v, label: o ? o.label : "" })} /></div>
    <div class="buttons"><button type="submit" disabled=${!pick.id || busy}>${button}</button></div>
  </form>`;
}

function KeychainKeys({ keychain: initial, onBack }) {
  const [reload, setReload] = useState(0);
  const [keychain, setKeychain] = useState(initial);
  const mayEdit = keychain.owner !== NIL_UUID && can("identity.keychains.manage");
  const path = `/api/auth/keychains/${seg(keychain.id)}`;
  const removeKeychain = async () => {
    if (!(await confirmAction({ title: "Delete keychain", message: `Delete keychain "${keychain.name}"? Every role holding it loses its keys.` }))) return;
    try {
      await api("DELETE", path);
      toast(`Keychain ${keychain.name} deleted.`);
      await changed();
      onBack();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const remove = async (k) => {
    if (!(await confirmAction({ title: "Take key out", message: `Take ${keyName(k)} out of keychain "${keychain.name}"? Everyone holding it through a role loses it.`, confirmLabel: "Take out" }))) return;
    try {
      await api("DELETE", `${path}/${seg(k.id)}`);
      toast(`${keyName(k)} taken out of ${keychain.name}.`);
      setReload((n) => n + 1);
      await changed();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  return html`<${Section} title=${`Keys of ${keychain.name}`} actions=${html`<button type="button" class="secondary small" onClick=${onBack}>Back to keychains</button>`}>
    ${keychain.owner === NIL_UUID && html`<p class="muted">A built-in keychain: its keys cannot be changed.</p>`}
    ${mayEdit && html`<details class="more">
      <summary>Rename or delete this keychain</summary>
      <${Form} key=${keychain.name} fields=${[{ name: "name", label: "Keychain name", required: true, maxlength: 255 }]} inline
        initial=${{ name: keychain.name }} submitLabel="Rename"
        toastText=${(k, v) => `Keychain renamed to ${v.name.trim()}.`}
        onSubmit=${(v) => api("PUT", path, { name: v.name.trim() })}
        onSaved=${(k, v) => setKeychain({ ...keychain, name: k && k.name ? k.name : v.name.trim() })} />
      <div class="buttons"><button type="button" class="danger" onClick=${removeKeychain}>Delete keychain</button></div>
    </details>`}
    ${mayEdit && html`<${AddWith} id="keychain-add-key" label="Add a key" button="Add key"
      search=${searchList("/api/auth/keys", "keys", (k) => ({ value: k.id, label: keyName(k), detail: k.description }))}
      add=${async (p) => {
        await api("POST", `${path}/${seg(p.id)}`);
        toast(`${p.label} added to ${keychain.name}.`);
        setReload((n) => n + 1);
        await changed();
      }} />`}
    <${ListPage} label="Keys" prefix="k" search="Search keys" reload=${reload}
      load=${layer5List(`${path}/keys`, "keys")}
      defaults=${{ sort: "category" }}
      columns=${[
        { key: "key", label: "Key", sort: "category", render: keyName },
        { key: "description", label: "Allows" },
      ]}
      empty=${{ text: "No keys: this keychain grants nothing." }}
      actions=${mayEdit ? (k) => html`<button type="button" class="danger small" onClick=${() => remove(k)}>Take out</button>` : null} />
  <//>`;
}

function RoleKeychains({ role }) {
  const [reload, setReload] = useState(0);
  const [open, setOpen] = useState(null);
  const builtin = BUILTIN_ROLES.has(role.role_name);
  const mayEdit = can("identity.roles.manage") && !builtin;
  const path = orgPath(`/roles/${seg(role.id)}/keychains`);
  if (open) return html`<${KeychainKeys} keychain=${open} onBack=${() => setOpen(null)} />`;
  const assign = async (id, name) => {
    await api("POST", `${path}/${seg(id)}`);
    toast(`Keychain ${name} assigned to ${role.role_name}.`);
    setReload((n) => n + 1);
    await changed();
  };
  const unassign = async (k) => {
    if (!(await confirmAction({ title: "Unassign keychain", message: `Take keychain "${k.name}" away from role "${role.role_name}"?`, confirmLabel: "Unassign" }))) return;
    try {
      await api("DELETE", `${path}/${seg(k.id)}`);
      toast(`Keychain ${k.name} unassigned.`);
      setReload((n) => n + 1);
      await changed();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  return html`<${Section} title="Keychains">
    ${builtin && html`<p class="muted">A built-in role: its keychains cannot be changed.</p>`}
    ${mayEdit && can("identity.keychains.read") && html`<${AddWith} id="role-add-keychain" label="Assign a keychain" button="Assign keychain"
      search=${searchList("/api/auth/keychains", "keychains", (k) => ({ value: k.id, label: k.name, detail: k.owner === NIL_UUID ? "built-in" : "" }))}
      add=${(p) => assign(p.id, p.label)} />`}
    ${mayEdit && can("identity.keychains.manage") && html`<details class="more">
      <summary>New keychain for this role</summary>
      <${Form} fields=${[{ name: "name", label: "Keychain name", required: true, maxlength: 255 }]} inline clearOnSave
        submitLabel="Create and assign"
        onSubmit=${async (v) => {
          const k = await api("POST", "/api/auth/keychains", { name: v.name.trim() });
          await assign(k.id, k.name);
          return k;
        }} />
    </details>`}
    <${ListPage} label="Keychains of the role" prefix="c" search="Search keychains" reload=${reload}
      load=${layer5List(path, "keychains")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Keychain", sort: "name", render: (k) => html`<button type="button" class="link" onClick=${() => setOpen(k)}>${k.name}</button>` },
        { key: "kind", label: "Kind", render: (k) => (k.owner === NIL_UUID ? html`<${Badge} value="built-in" tone="muted" />` : "organization") },
      ]}
      empty=${{ text: "No keychains: this role grants nothing." }}
      actions=${(k) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setOpen(k)}>Keys</button>
        ${mayEdit && html`<button type="button" class="danger small" onClick=${() => unassign(k)}>Unassign</button>`}
      <//>`} />
  <//>`;
}

export default function RolesPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null: no panel; {}: a new role; a role: editing it; {keychains: role}.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const mayManage = can("identity.roles.manage");
  const removeOne = async (r) => {
    if (!(await confirmAction({ title: "Delete role", message: `Delete role "${r.role_name}"? Everyone holding it loses it, including through teams and invitations.` }))) return;
    try {
      await api("DELETE", `/api/identity/roles/${seg(r.id)}`);
      toast(`Role ${r.role_name} deleted.`);
      setReload((n) => n + 1);
      await changed();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = mayManage && html`<button type="button" onClick=${() => setPanel({})}>New role</button>`;

  return html`<${PageHead} title="Roles" intro="A role holds keychains, and keychains hold the keys (permissions) its holders get. Built-in roles cannot be changed.">${create}<//>
    <${ListPage} label="Roles" search="Search roles" reload=${reload} highlight=${highlight}
      load=${layer5List(() => orgPath("/roles"), "roles")}
      defaults=${{ sort: "role_name" }}
      columns=${[
        { key: "role_name", label: "Name", sort: "role_name", render: (r) => html`<button type="button" class="link" onClick=${() => setPanel({ keychains: r })}>${r.role_name}</button>` },
        { key: "description", label: "Description" },
        { key: "kind", label: "Kind", render: (r) => (BUILTIN_ROLES.has(r.role_name) ? html`<${Badge} value="built-in" tone="muted" />` : "custom") },
        { key: "created_at", label: "Created", sort: "created_at", render: (r) => when(r.created_at) },
      ]}
      empty=${{ text: "No roles.", action: create }}
      bulk=${mayManage ? [{ label: "Delete", danger: true, run: async (rows) => {
        for (const r of rows.filter((x) => !BUILTIN_ROLES.has(x.role_name))) await api("DELETE", `/api/identity/roles/${seg(r.id)}`);
        await changed();
      } }] : []}
      actions=${(r) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ keychains: r })}>Keychains</button>
        ${mayManage && !BUILTIN_ROLES.has(r.role_name) && html`<button type="button" class="secondary small" onClick=${() => setPanel(r)}>Edit</button>`}
        ${mayManage && !BUILTIN_ROLES.has(r.role_name) && html`<button type="button" class="danger small" onClick=${() => removeOne(r)}>Delete</button>`}
      <//>`} />
    ${panel && !panel.keychains && html`<${Panel} title=${panel.id ? `Edit ${panel.role_name}` : "New role"} onClose=${close}>
      <${Form} fields=${ROLE_FIELDS} initial=${panel.id ? { role_name: panel.role_name, description: panel.description || "" } : {}}
        submitLabel=${panel.id ? "Save" : "Create role"}
        toastText=${(r, v) => (panel.id ? `Role ${v.role_name.trim()} saved.` : `Role ${v.role_name.trim()} created.`)}
        onSubmit=${async (v) => {
          const body = { role_name: v.role_name.trim(), description: v.description.trim() };
          if (panel.id) body.id = panel.id;
          const res = await api("POST", orgPath("/roles"), body);
          const saved = res && (res.roles ? res.roles[0] : res);
          return saved && saved.id ? saved : { ...panel, ...body };
        }}
        onSaved=${(r) => { close(); setHighlight(r.id); setReload((n) => n + 1); }} onCancel=${close} />
    <//>`}
    ${panel && panel.keychains && html`<${Panel} wide title=${`Role ${panel.keychains.role_name}`} onClose=${close}>
      <${RoleKeychains} role=${panel.keychains} />
    <//>`}`;
}
