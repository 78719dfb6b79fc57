// Identity pages: the selected organization's service accounts and sign-in
// (its upstream providers and how members sign in), and the installation's
// OAuth clients for provider admins. They talk to the Identity face
// (/api/v1/...) and meshcloud's own OAuth client API. Controls are shown only
// when the user holds the key the server checks for them; the server still
// decides.

import { $, state, can, isProviderAdmin, api, seg, el, cell, button, actions, when, attempt, checkboxes, editForm } from "./lib.js";

// ---- Shared with the projects page ----

export const orgPath = (rest = "") => `/api/v1/organizations/${seg(state.orgId)}${rest}`;

export function emptyRow(body, cols, text) {
  if (!body.children.length) body.append(el("tr", {}, el("td", { colSpan: cols, class: "muted", textContent: text })));
}

export const badge = (text, kind = text) => el("span", { class: `badge status-${kind}`, textContent: text });

// Write metadata from a form, keeping the tags of the item being edited (the
// forms do not edit tags, and a write replaces them).
export function metadataOf(data, item) {
  const metadata = { name: data.get("name").trim() };
  const description = data.get("description").trim();
  if (description) metadata.description = description;
  if (item && item.metadata.tags) metadata.tags = item.metadata.tags;
  return metadata;
}

// The organization's groups (teams) when the user may list them, else null.
// A failure is reported in `errorEl` and leaves the page usable.
export async function fetchGroups(errorEl) {
  if (!can("identity.teams.read")) return null;
  try {
    return await api("GET", orgPath("/groups"));
  } catch (err) {
    errorEl.textContent = `Teams could not be listed: ${err.message}`;
    return null;
  }
}

// Team checkboxes in `container`; returns a getter for the chosen group ids.
// Groups the user cannot see (or none at all, without the list) are kept.
export function groupPicker(container, groups, ticked = []) {
  if (!groups) {
    container.replaceChildren(el("span", { class: "muted", textContent: ticked.length
      ? `${ticked.length} team(s); they are kept as they are (you cannot list teams).`
      : "You cannot list teams." }));
    return () => ticked;
  }
  const known = new Set(groups.map((g) => g.metadata.id));
  const get = checkboxes(container, groups.map((g) => ({ value: g.metadata.id, label: g.metadata.name })), ticked);
  return () => [...get(), ...ticked.filter((id) => !known.has(id))];
}

export function groupNames(ids, groups) {
  if (!ids.length) return "";
  if (!groups) return `${ids.length} team${ids.length === 1 ? "" : "s"}`;
  const names = new Map(groups.map((g) => [g.metadata.id, g.metadata.name]));
  return ids.map((id) => names.get(id) || "(unknown team)").join(", ");
}

// A box that shows a secret once, with a copy button and a way to put it away.
function onceBox(box) {
  const value = $(".value", box);
  const note = $(".copied", box);
  $(".copy", box).addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value.textContent);
      note.textContent = "Copied to the clipboard.";
    } catch (_) {
      // No clipboard access (an insecure origin, or the browser said no).
      getSelection().selectAllChildren(value);
      note.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
    }
  });
  const hide = () => {
    box.hidden = true;
    value.textContent = "";
    note.textContent = "";
  };
  $(".dismiss", box).addEventListener("click", hide);
  return {
    hide,
    show(who, secret) {
      $(".who", box).textContent = who;
      value.textContent = secret;
      note.textContent = "";
      box.hidden = false;
      box.scrollIntoView({ block: "nearest" });
    },
  };
}

// ---- Service accounts ----

let accountGroups = null;
let pickAccountGroups = () => [];
const tokenBox = onceBox($("#service-account-token"));

const accountEditor = editForm($("#service-account-form"), {
  createLabel: "Create service account",
  canCreate: () => can("identity.serviceaccounts.manage"),
  clear() {
    pickAccountGroups = groupPicker($("#service-account-groups"), accountGroups);
  },
  fill(form, a) {
    form.elements.name.value = a.metadata.name;
    form.elements.description.value = a.metadata.description || "";
    pickAccountGroups = groupPicker($("#service-account-groups"), accountGroups, a.spec.groupIDs);
  },
  submit: (data, a) => attempt($("#service-accounts-error"), async () => {
    const body = { metadata: metadataOf(data, a), spec: { groupIDs: pickAccountGroups() } };
    if (a) {
      await api("PUT", orgPath(`/serviceaccounts/${seg(a.metadata.id)}`), body);
    } else {
      const made = await api("POST", orgPath("/serviceaccounts"), body);
      tokenBox.show(made.metadata.name, made.status.accessToken);
    }
    await loadAccounts();
    return true;
  }),
});

function expiryCell(ts) {
  const expired = new Date(ts) <= new Date();
  return el("td", {}, when(ts), expired ? " " : null, expired ? badge("expired", "disconnected") : null);
}

async function loadAccounts() {
  const list = await api("GET", orgPath("/serviceaccounts"));
  const mayManage = can("identity.serviceaccounts.manage");
  const body = $("#service-accounts-table tbody");
  body.replaceChildren();
  for (const a of list) {
    body.append(el("tr", {},
      cell(a.metadata.name),
      cell(a.metadata.description),
      cell(groupNames(a.spec.groupIDs, accountGroups)),
      expiryCell(a.status.expiry),
      actions(
        mayManage && button("Edit", () => accountEditor.edit(a)),
        mayManage && button("Rotate token", () => rotateAccount(a), "secondary"),
        mayManage && button("Delete", () => deleteAccount(a), "danger"),
      ),
    ));
  }
  emptyRow(body, 5, "No service accounts yet.");
}

async function rotateAccount(a) {
  if (!confirm(`Give "${a.metadata.name}" a new token? The current token stops working at once.`)) return;
  await attempt($("#service-accounts-error"), async () => {
    const rotated = await api("POST", orgPath(`/serviceaccounts/${seg(a.metadata.id)}/rotate`));
    tokenBox.show(rotated.metadata.name, rotated.status.accessToken);
    await loadAccounts();
  });
}

async function deleteAccount(a) {
  if (!confirm(`Delete service account "${a.metadata.name}"? Its token stops working at once.`)) return;
  await attempt($("#service-accounts-error"), async () => {
    await api("DELETE", orgPath(`/serviceaccounts/${seg(a.metadata.id)}`));
    accountEditor.reset();
    tokenBox.hide();
    await loadAccounts();
  });
}

// ---- Sign-in: the organization's settings and its providers ----

let org = null; // the organization as the Identity face shows it

// The Identity API's resource names: 1-63 of [0-9A-Za-z-_.], alphanumeric at both ends.
const NAME_RULE = /^[0-9A-Za-z]([-0-9A-Za-z_.]{0,61}[0-9A-Za-z])?$/;
let globalProviders = [];
let ownProviders = [];

const usesProvider = (scope, id) => org && org.spec.providerScope === scope && org.spec.providerID === id;

function renderSettings() {
  const box = $("#sign-in-settings");
  box.hidden = !org;
  if (!org) return;
  const form = $("#sign-in-form");
  const mayUpdate = can("identity.organization.update");
  form.elements.organizationType.value = org.spec.organizationType;
  form.elements.domain.value = org.spec.domain || "";
  const choices = [el("option", { value: "", textContent: "none chosen" })];
  const add = (scope, p, where) => choices.push(el("option", { value: `${scope}:${p.metadata.id}`, textContent: `${p.metadata.name} (${where})` }));
  for (const p of ownProviders) add("organization", p, "this organization");
  for (const p of globalProviders) add("global", p, "installation-wide");
  const current = org.spec.providerScope ? `${org.spec.providerScope}:${org.spec.providerID}` : "";
  if (current && !choices.some((o) => o.value === current)) {
    choices.push(el("option", { value: current, textContent: `${org.spec.providerID} (${org.spec.providerScope}, not listed)` }));
  }
  const select = form.elements.provider;
  select.replaceChildren(...choices);
  select.value = current;
  $("fieldset", form).disabled = !mayUpdate;
  $("button[type=submit]", form).hidden = !mayUpdate;
  $("#sign-in-readonly").hidden = mayUpdate;
}

async function loadSettings() {
  org = null;
  if (!can("identity.organization.read")) {
    renderSettings();
    return;
  }
  const [o, global] = await Promise.all([api("GET", orgPath()), api("GET", "/api/v1/oauth2providers")]);
  org = o;
  globalProviders = global;
  renderSettings();
}

$("#sign-in-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const data = new FormData(ev.target);
  $("#sign-in-done").hidden = true;
  await attempt($("#sign-in-error"), async () => {
    const spec = { organizationType: data.get("organizationType") };
    const domain = data.get("domain").trim();
    // Only a provider admin binds a domain directly; an organization admin
    // claims it, and it is bound once proved by DNS or approved.
    const claim = domain && domain !== (org.spec.domain || "") && !isProviderAdmin();
    const kept = claim ? org.spec.domain : domain;
    if (kept) spec.domain = kept;
    const provider = data.get("provider");
    if (provider) {
      const at = provider.indexOf(":");
      spec.providerScope = provider.slice(0, at);
      spec.providerID = provider.slice(at + 1);
    }
    // The name goes back unchanged; description and tags would be lost otherwise.
    const { name, description, tags } = org.metadata;
    try {
      await api("PUT", orgPath(), { metadata: { name, description, tags }, spec });
    } catch (err) {
      // Organizations made elsewhere may have names the Identity API does not accept.
      if (err.status === 400 && !NAME_RULE.test(name)) {
        err.message += ` (The organization's name “${name}” is sent back unchanged, and the server does not accept it here.)`;
      }
      throw err;
    }
    let done = "Sign-in settings saved.";
    if (claim) {
      const c = await api("POST", `/api/meshcloud/orgs/${seg(state.orgId)}/domain-claims`, { domain });
      const r = c.dnsRecord;
      done += ` ${domain} is claimed: publish the DNS ${r.type} record ${r.name} with the value "${r.value}" to prove it, or ask a provider admin to approve the claim.`;
    }
    $("#sign-in-done").textContent = done;
    $("#sign-in-done").hidden = false;
    await loadSettings();
    renderProviders();
  });
});

const providerEditor = editForm($("#provider-form"), {
  createLabel: "Add provider",
  canCreate: () => can("identity.oauth2providers.manage"),
  clear() {
    $("#provider-secret-note").hidden = true;
    $("#provider-secret-clear").hidden = true;
  },
  fill(form, p) {
    form.elements.name.value = p.metadata.name;
    form.elements.description.value = p.metadata.description || "";
    form.elements.type.value = p.spec.type || "";
    form.elements.issuer.value = p.spec.issuer;
    form.elements.clientID.value = p.spec.clientID;
    $("#provider-secret-note").hidden = false;
    $("#provider-secret-clear").hidden = false;
  },
  submit: (data, p) => attempt($("#providers-error"), async () => {
    const spec = { issuer: data.get("issuer").trim(), clientID: data.get("clientID").trim() };
    if (data.get("type")) spec.type = data.get("type");
    const secret = data.get("clientSecret");
    // Without a secret the stored one stays; an empty one removes it.
    if (p && data.get("clearSecret")) spec.clientSecret = "";
    else if (secret) spec.clientSecret = secret;
    const body = { metadata: metadataOf(data, p), spec };
    if (p) await api("PUT", orgPath(`/oauth2providers/${seg(p.metadata.id)}`), body);
    else await api("POST", orgPath("/oauth2providers"), body);
    await loadProviders();
    return true;
  }),
});

const TYPE_LABELS = { google: "Google", microsoft: "Microsoft", github: "GitHub" };

function renderProviders() {
  const mayManage = can("identity.oauth2providers.manage");
  const body = $("#providers-table tbody");
  body.replaceChildren();
  for (const p of ownProviders) {
    const name = el("td", {}, p.metadata.name);
    if (usesProvider("organization", p.metadata.id)) name.append(" ", badge("sign-in", "connected"));
    if (p.metadata.description) name.append(el("div", { class: "muted", textContent: p.metadata.description }));
    body.append(el("tr", {},
      name,
      cell(TYPE_LABELS[p.spec.type] || "generic OIDC"),
      cell(p.spec.issuer),
      el("td", {}, el("code", { class: "inline", textContent: p.spec.clientID })),
      actions(
        mayManage && button("Edit", () => providerEditor.edit(p)),
        mayManage && button("Delete", () => deleteProvider(p), "danger"),
      ),
    ));
  }
  emptyRow(body, 5, "No sign-in providers of this organization.");
}

async function loadProviders() {
  ownProviders = await api("GET", orgPath("/oauth2providers"));
  renderProviders();
  renderSettings();
}

async function deleteProvider(p) {
  const inUse = usesProvider("organization", p.metadata.id) ? " Members sign in through it now." : "";
  if (!confirm(`Delete sign-in provider "${p.metadata.name}"?${inUse}`)) return;
  await attempt($("#providers-error"), async () => {
    await api("DELETE", orgPath(`/oauth2providers/${seg(p.metadata.id)}`));
    providerEditor.reset();
    await loadProviders();
  });
}

// ---- OAuth clients (provider admins) ----

let accountNames = new Map(); // service account id -> name, for the selected org
const secretBox = onceBox($("#oauth-client-secret"));

function showSecret(c) {
  $("#oauth-client-secret .client-id").textContent = c.clientId;
  secretBox.show(c.name, c.clientSecret);
}

const clientEditor = editForm($("#oauth-client-form"), {
  createLabel: "Register client",
  canCreate: isProviderAdmin,
  fill(form, c) {
    form.elements.name.value = c.name;
    form.elements.redirectUris.value = c.redirectUris.join("\n");
    form.elements.onboardingUri.value = c.onboardingUri || "";
    form.elements.serviceAccountId.value = c.serviceAccountId || "";
    form.elements.trusted.checked = Boolean(c.trusted);
  },
  submit: (data, c) => attempt($("#oauth-clients-error"), async () => {
    const body = {
      name: data.get("name").trim(),
      redirectUris: data.get("redirectUris").split("\n").map((u) => u.trim()).filter(Boolean),
      onboardingUri: data.get("onboardingUri").trim() || null,
      serviceAccountId: data.get("serviceAccountId").trim() || null,
      trusted: data.get("trusted") === "on",
    };
    if (c) {
      await api("PUT", `/api/meshcloud/oauth/clients/${seg(c.id)}`, body);
    } else {
      showSecret(await api("POST", "/api/meshcloud/oauth/clients", body));
    }
    await loadClients();
    return true;
  }),
});

// The selected organization's service accounts, offered for the client credentials grant.
async function loadAccountChoices() {
  accountNames = new Map();
  if (state.orgId && can("identity.serviceaccounts.read")) {
    for (const a of await api("GET", orgPath("/serviceaccounts"))) accountNames.set(a.metadata.id, a.metadata.name);
  }
  $("#oauth-client-accounts").replaceChildren(...[...accountNames].map(([id, name]) => el("option", { value: id, label: name })));
}

async function loadClients() {
  const list = await api("GET", "/api/meshcloud/oauth/clients");
  const body = $("#oauth-clients-table tbody");
  body.replaceChildren();
  for (const c of list) {
    const account = c.serviceAccountId ? accountNames.get(c.serviceAccountId) : null;
    body.append(el("tr", {},
      el("td", { title: `registered ${when(c.createdAt)}` }, c.name,
        c.trusted ? el("span", { class: "muted", textContent: " (trusted: meshcloud:api)" }) : null,
        el("div", {}, el("code", { class: "inline", textContent: c.clientId, title: "client ID" }))),
      el("td", { class: "uris" }, ...c.redirectUris.map((u) => el("div", { textContent: u })),
        c.onboardingUri ? el("div", { class: "muted", textContent: `onboarding: ${c.onboardingUri}` }) : null),
      c.serviceAccountId ? el("td", { title: c.serviceAccountId }, account || el("code", { class: "inline", textContent: c.serviceAccountId })) : cell(""),
      actions(
        button("Edit", () => clientEditor.edit(c)),
        button("New secret", () => rotateClient(c), "secondary"),
        button("Delete", () => deleteClient(c), "danger"),
      ),
    ));
  }
  emptyRow(body, 4, "No OAuth clients registered.");
}

async function rotateClient(c) {
  if (!confirm(`Give "${c.name}" a new client secret? The current secret stops working at once.`)) return;
  await attempt($("#oauth-clients-error"), async () => {
    showSecret(await api("POST", `/api/meshcloud/oauth/clients/${seg(c.id)}/secret`));
    await loadClients();
  });
}

async function deleteClient(c) {
  if (!confirm(`Delete OAuth client "${c.name}"? Its sessions end and its tokens are revoked.`)) return;
  await attempt($("#oauth-clients-error"), async () => {
    await api("DELETE", `/api/meshcloud/oauth/clients/${seg(c.id)}`);
    clientEditor.reset();
    secretBox.hide();
    await loadClients();
  });
}

// ---- Page entry points (called by the shell on navigation) ----

export const pages = {
  async "service-accounts"() {
    tokenBox.hide();
    $("#service-accounts-error").textContent = "";
    accountGroups = await fetchGroups($("#service-accounts-error"));
    accountEditor.reset();
    const note = $("#service-accounts-error").textContent;
    await attempt($("#service-accounts-error"), loadAccounts);
    // Keep the note about teams unless the list itself failed.
    if (note && !$("#service-accounts-error").textContent) $("#service-accounts-error").textContent = note;
  },
  async "sign-in"() {
    providerEditor.reset();
    $("#sign-in-done").hidden = true;
    ownProviders = [];
    await attempt($("#sign-in-error"), loadSettings);
    await attempt($("#providers-error"), loadProviders);
  },
  async "oauth-clients"() {
    clientEditor.reset();
    secretBox.hide();
    await attempt($("#oauth-clients-error"), loadAccountChoices);
    await attempt($("#oauth-clients-error"), loadClients);
  },
};
