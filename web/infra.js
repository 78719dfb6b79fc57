// Infrastructure pages of the selected organization: environments,
// connections, credentials, workspaces (see docs/infra.md). Every control is
// shown only when the user holds the key the server checks for it; the
// server still decides.

import { $, state, can, api, seg, el, cell, button, actions, when, attempt, editForm, truncation } from "./lib.js";

const ALL = "pagesize=all";

// The reference's connection statuses, and those a connection may start in.
const STATUSES = ["discovered", "registered", "connected", "ignored", "maintenance", "disconnected", "deleted", "not found"];
const INITIAL_STATUSES = STATUSES.slice(0, 5);

const badge = (status) => el("span", { class: `badge status-${String(status).replace(/\s+/g, "-")}`, textContent: status });

function fillSelect(select, items, selected) {
  select.replaceChildren(...items.map(({ value, label }) => el("option", { value, textContent: label, selected: value === selected })));
}

// The choices of a form that adds one of `items`; without any, the form says so and cannot be sent.
function fillChoices(form, items) {
  const select = $("select", form);
  if (items.length) fillSelect(select, items);
  else select.replaceChildren(el("option", { value: "", textContent: "none available" }));
  $("button[type=submit]", form).disabled = items.length === 0;
}

function emptyRow(body, cols, text) {
  if (!body.children.length) body.append(el("tr", {}, el("td", { colSpan: cols, class: "muted", textContent: text })));
}

function idCell(id) {
  return el("td", {}, el("code", { class: "inline", textContent: id }));
}

// ---- Environments ----

let environment = null;

const environmentEditor = editForm($("#environment-form"), {
  createLabel: "Create environment",
  canCreate: () => can("infra.environments.create"),
  fill(form, e) {
    form.elements.name.value = e.name;
    form.elements.description.value = e.description || "";
  },
  submit: (data, e) => attempt($("#environments-error"), async () => {
    const body = {
      name: data.get("name").trim(),
      description: data.get("description").trim(),
      // Environments never move between organizations.
      organization_id: e ? e.organization_id : state.orgId,
    };
    if (e) {
      // The answer is a one-item page.
      const page = await api("PUT", `/api/environments/${seg(e.id)}`, body);
      const saved = page.environments[0] || { ...e, ...body };
      if (environment && environment.id === e.id) {
        environment = saved;
        $("#environment-detail .environment-name").textContent = saved.name;
      }
    } else {
      await api("POST", "/api/environments", body);
    }
    await loadEnvironments();
    return true;
  }),
});

async function loadEnvironments() {
  const page = await api("GET", `/api/environments?${ALL}`);
  const body = $("#environments-table tbody");
  body.replaceChildren();
  for (const e of page.environments) {
    body.append(el("tr", {}, cell(e.name), cell(e.description), cell(when(e.created_at)), actions(
      can("infra.connections.read") && button("Connections", () => openEnvironment(e), "secondary"),
      can("infra.environments.update") && button("Edit", () => environmentEditor.edit(e)),
      can("infra.environments.delete") && button("Delete", () => deleteEnvironment(e), "danger"),
    )));
  }
  emptyRow(body, 4, "No environments yet.");
  truncation($("#environments-more"), page.environments.length, page.total_count);
}

async function deleteEnvironment(e) {
  if (!confirm(`Delete environment "${e.name}"? Its connections are detached and it leaves every workspace.`)) return;
  await attempt($("#environments-error"), async () => {
    await api("DELETE", `/api/environments/${seg(e.id)}`);
    if (environment && environment.id === e.id) closeEnvironment();
    environmentEditor.reset();
    await loadEnvironments();
  });
}

function openEnvironment(e) {
  environment = e;
  $("#environment-detail .environment-name").textContent = e.name;
  $("#environment-detail-error").textContent = "";
  $("#environment-detail").hidden = false;
  attempt($("#environment-detail-error"), loadEnvironmentConnections);
}

function closeEnvironment() {
  environment = null;
  $("#environment-detail").hidden = true;
}

async function loadEnvironmentConnections() {
  const e = environment;
  const mayEdit = can("infra.environments.update");
  const [held, all] = await Promise.all([
    api("GET", `/api/environments/${seg(e.id)}/connections?${ALL}`),
    mayEdit ? api("GET", `/api/integrations/connections?${ALL}`) : null,
  ]);
  if (environment !== e) return;
  const body = $("#environment-connections tbody");
  body.replaceChildren();
  for (const c of held.connections) {
    body.append(el("tr", {}, cell(c.name), cell(c.kind), el("td", {}, badge(c.status)), actions(
      mayEdit && button("Detach", () => detachConnection(e, c), "danger"),
    )));
  }
  emptyRow(body, 4, "No connections attached.");
  const form = $("#environment-connection-form");
  form.hidden = !mayEdit;
  if (mayEdit) {
    const attached = new Set(held.connections.map((c) => c.id));
    const free = all.connections.filter((c) => !attached.has(c.id));
    fillChoices(form, free.map((c) => ({ value: c.id, label: `${c.name} (${c.kind}, ${c.status})` })));
  }
}

async function detachConnection(e, c) {
  if (!confirm(`Detach connection "${c.name}" from environment "${e.name}"?`)) return;
  await attempt($("#environment-detail-error"), async () => {
    await api("DELETE", `/api/environments/${seg(e.id)}/connections/${seg(c.id)}`);
    await loadEnvironmentConnections();
  });
}

$("#environment-connection-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const e = environment;
  const connectionId = ev.target.elements.connection.value;
  await attempt($("#environment-detail-error"), async () => {
    await api("POST", `/api/environments/${seg(e.id)}/connections/${seg(connectionId)}`);
    await loadEnvironmentConnections();
  });
});

$("#environment-detail .close").addEventListener("click", closeEnvironment);

// ---- Connections ----

// The org's credentials, when the user may read them: names for the list and
// choices for the form.
let credentialList = [];
let connectionEditing = null;

// A connection keeps its credential unless another is chosen (the server has
// no way to unlink one), so "none" is offered only when there is none.
// A connection without a credential carries the nil UUID (the API never sends null).
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const credentialOf = (c) => (c && c.credential_id !== NIL_UUID ? c.credential_id : null);

function credentialChoices(select, current, keep) {
  const known = credentialList.map((k) => ({ value: k.id, label: `${k.name} (${k.type})` }));
  if (current && !credentialList.some((k) => k.id === current)) known.unshift({ value: current, label: "(current credential)" });
  fillSelect(select, current ? known : [{ value: "", label: "none" }, ...known], keep ?? current ?? "");
}

function statusChoices(select, list, selected) {
  fillSelect(select, list.map((s) => ({ value: s, label: s })), selected);
}

const connectionEditor = editForm($("#connection-form"), {
  createLabel: "Create connection",
  canCreate: () => can("infra.connections.create"),
  clear(form) {
    connectionEditing = null;
    statusChoices(form.elements.status, INITIAL_STATUSES, "discovered");
    credentialChoices(form.elements.credential_id, null);
    $("#connection-status-note").hidden = true;
  },
  fill(form, c) {
    connectionEditing = c;
    form.elements.name.value = c.name;
    form.elements.kind.value = c.kind;
    form.elements.type.value = c.type;
    form.elements.sub_type.value = c.sub_type;
    statusChoices(form.elements.status, STATUSES, c.status);
    credentialChoices(form.elements.credential_id, credentialOf(c));
    form.elements.metadata.value = JSON.stringify(c.metadata ?? {}, null, 2);
    const note = $("#connection-status-note");
    note.textContent = "Status changes follow the connection life cycle; the server says which changes it allows.";
    note.hidden = false;
  },
  submit: (data, c) => attempt($("#connections-error"), async () => {
    let metadata;
    try {
      metadata = JSON.parse(data.get("metadata").trim() || "{}");
    } catch (err) {
      throw new Error(`Metadata is not valid JSON: ${err.message}`);
    }
    if (!metadata || typeof metadata !== "object" || Array.isArray(metadata)) throw new Error("Metadata must be a JSON object.");
    const body = {
      name: data.get("name").trim(),
      kind: data.get("kind").trim(),
      type: data.get("type").trim(),
      sub_type: data.get("sub_type").trim(),
      status: data.get("status"),
      metadata,
    };
    const credential = can("infra.credentials.read") ? data.get("credential_id") : "";
    if (credential) body.credential_id = credential;
    if (c) await api("PUT", `/api/integrations/connections/${seg(c.id)}`, { ...body, id: c.id });
    else await api("POST", "/api/integrations/connections", body);
    await loadConnections();
    return true;
  }),
});

function renderSummary(summary, total) {
  const box = $("#connections-summary");
  const counts = Object.entries(summary || {}).filter(([, n]) => n > 0);
  box.replaceChildren(
    el("span", { class: "muted", textContent: `${total} connection${total === 1 ? "" : "s"}${counts.length ? ":" : ""}` }),
    ...counts.map(([status, n]) => el("span", { class: "count" }, badge(status), ` ${n}`)),
  );
}

async function loadConnections() {
  const status = $("#connections-status").value;
  const [page, all, credentials] = await Promise.all([
    api("GET", `/api/integrations/connections?${ALL}${status ? `&status=${seg(status)}` : ""}`),
    // The summary counts what the list matches; the counts per status want the whole org.
    status ? api("GET", "/api/integrations/connections?pagesize=1") : null,
    can("infra.credentials.read") ? api("GET", `/api/integrations/credentials?${ALL}`) : null,
  ]);
  credentialList = credentials ? credentials.credentials : [];
  const names = new Map(credentialList.map((k) => [k.id, k.name]));
  const choice = $("#connection-form").elements.credential_id;
  credentialChoices(choice, credentialOf(connectionEditing), choice.value || undefined);
  $("#connection-credential").hidden = !credentials;
  renderSummary((all || page).statusSummary, (all || page).total_count);
  const body = $("#connections-table tbody");
  body.replaceChildren();
  for (const c of page.connections) {
    const credential = credentialOf(c) ? names.get(c.credential_id) || "(linked)" : "";
    body.append(el("tr", {},
      cell(c.name),
      cell(c.kind),
      cell(`${c.type} / ${c.sub_type}`),
      el("td", {}, badge(c.status)),
      cell(credential),
      cell((c.environments || []).map((e) => e.name).join(", ")),
      actions(
        can("infra.connections.update") && button("Edit", () => connectionEditor.edit(c)),
        can("infra.connections.delete") && button("Delete", () => deleteConnection(c), "danger"),
      ),
    ));
  }
  emptyRow(body, 7, status ? `No ${status} connections.` : "No connections yet.");
  truncation($("#connections-more"), page.connections.length, page.total_count);
}

async function deleteConnection(c) {
  if (!confirm(`Delete connection "${c.name}"? It leaves every environment.`)) return;
  await attempt($("#connections-error"), async () => {
    await api("DELETE", `/api/integrations/connections/${seg(c.id)}`);
    connectionEditor.reset();
    await loadConnections();
  });
}

fillSelect($("#connections-status"), [{ value: "", label: "all" }, ...STATUSES.map((s) => ({ value: s, label: s }))], "");
$("#connections-status").addEventListener("change", () => attempt($("#connections-error"), loadConnections));

// ---- Credentials ----

// Secret entry is write-only: inputs start empty, are cleared after saving,
// and nothing the server holds is ever put back into them.
function secretRow() {
  const row = el("div", { class: "kv-row" },
    el("input", { name: "secret_key", placeholder: "name", maxLength: 255, autocomplete: "off", "aria-label": "Secret field name" }),
    el("input", { name: "secret_value", type: "password", placeholder: "value", autocomplete: "new-password", "aria-label": "Secret field value" }),
  );
  row.append(button("Remove", () => {
    row.remove();
    if (!$("#credential-rows").children.length) $("#credential-rows").append(secretRow());
  }, "secondary small"));
  return row;
}

function showSecretEntry(form) {
  const editing = !$("#credential-replace").hidden;
  $("#credential-secret").hidden = editing && !form.elements.replace.checked;
  const asJson = form.elements.as_json.checked;
  $("#credential-json").hidden = !asJson;
  $("#credential-rows").hidden = asJson;
  $("#credential-add-row").hidden = asJson;
}

function resetSecret(form, editing) {
  $("#credential-rows").replaceChildren(secretRow());
  form.elements.secret_json.value = "";
  $("#credential-stored").hidden = !editing;
  $("#credential-replace").hidden = !editing;
  showSecretEntry(form);
}

// The secret the form holds, as the JSON object the server takes.
function readSecret(form) {
  if (form.elements.as_json.checked) {
    let secret;
    try {
      secret = JSON.parse(form.elements.secret_json.value);
    } catch (err) {
      throw new Error(`The secret is not valid JSON: ${err.message}`);
    }
    if (!secret || typeof secret !== "object" || Array.isArray(secret)) throw new Error("The secret must be a JSON object.");
    if (!Object.keys(secret).length) throw new Error("The secret needs at least one field.");
    return secret;
  }
  const secret = {};
  for (const row of $("#credential-rows").children) {
    const key = $("input[name=secret_key]", row).value.trim();
    const value = $("input[name=secret_value]", row).value;
    if (!key && !value) continue;
    if (!key) throw new Error("Every secret value needs a name.");
    if (Object.hasOwn(secret, key)) throw new Error(`The secret names "${key}" twice.`);
    secret[key] = value;
  }
  if (!Object.keys(secret).length) throw new Error("The secret needs at least one field.");
  return secret;
}

const credentialEditor = editForm($("#credential-form"), {
  createLabel: "Create credential",
  canCreate: () => can("infra.credentials.create"),
  clear: (form) => resetSecret(form, false),
  fill(form, k) {
    form.elements.name.value = k.name;
    form.elements.type.value = k.type;
    resetSecret(form, true);
  },
  submit: (data, k) => attempt($("#credentials-error"), async () => {
    const form = $("#credential-form");
    const done = $("#credentials-done");
    done.hidden = true;
    const body = { name: data.get("name").trim(), type: data.get("type").trim() };
    const replacing = !k || form.elements.replace.checked;
    if (replacing) body.secret = readSecret(form);
    if (k) await api("PUT", "/api/integrations/credentials", { ...body, id: k.id });
    else await api("POST", "/api/integrations/credentials", body);
    done.textContent = `Credential "${body.name}" saved. ${replacing
      ? "A secret is stored (sealed); it is not shown again."
      : "Its stored secret was kept."}`;
    done.hidden = false;
    await loadCredentials();
    return true;
  }),
});

$("#credential-add-row").addEventListener("click", () => {
  const row = secretRow();
  $("#credential-rows").append(row);
  $("input", row).focus();
});
$("#credential-form").elements.as_json.addEventListener("change", () => showSecretEntry($("#credential-form")));
$("#credential-form").elements.replace.addEventListener("change", () => showSecretEntry($("#credential-form")));

async function loadCredentials() {
  const page = await api("GET", `/api/integrations/credentials?${ALL}`);
  const body = $("#credentials-table tbody");
  body.replaceChildren();
  for (const k of page.credentials) {
    body.append(el("tr", {}, cell(k.name), cell(k.type), cell(when(k.created_at)), cell(when(k.updated_at)), actions(
      can("infra.credentials.update") && button("Edit", () => {
        $("#credentials-done").hidden = true;
        credentialEditor.edit(k);
      }),
      can("infra.credentials.delete") && button("Delete", () => deleteCredential(k), "danger"),
    )));
  }
  emptyRow(body, 5, "No credentials yet.");
  truncation($("#credentials-more"), page.credentials.length, page.total_count);
}

async function deleteCredential(k) {
  if (!confirm(`Delete credential "${k.name}"? Its secret is destroyed and connections using it lose it.`)) return;
  await attempt($("#credentials-error"), async () => {
    await api("DELETE", `/api/integrations/credentials?credentialId=${seg(k.id)}`);
    $("#credentials-done").hidden = true;
    credentialEditor.reset();
    await loadCredentials();
  });
}

// ---- Workspaces ----

let workspace = null;

const workspaceEditor = editForm($("#workspace-form"), {
  createLabel: "Create workspace",
  canCreate: () => can("infra.workspaces.create"),
  fill(form, w) {
    form.elements.name.value = w.name;
    form.elements.description.value = w.description || "";
  },
  submit: (data, w) => attempt($("#workspaces-error"), async () => {
    const body = {
      name: data.get("name").trim(),
      description: data.get("description").trim(),
      organization_id: w ? w.organization_id : state.orgId,
    };
    if (w) {
      const saved = await api("PUT", `/api/workspaces/${seg(w.id)}`, body);
      if (workspace && workspace.id === w.id) {
        workspace = saved;
        $("#workspace-detail .workspace-name").textContent = saved.name;
        attempt($("#workspace-detail-error"), loadWorkspaceEvents);
      }
    } else {
      await api("POST", "/api/workspaces", body);
    }
    await loadWorkspaces();
    return true;
  }),
});

async function loadWorkspaces() {
  const page = await api("GET", `/api/workspaces?${ALL}`);
  const body = $("#workspaces-table tbody");
  body.replaceChildren();
  for (const w of page.workspaces) {
    body.append(el("tr", {}, cell(w.name), cell(w.description), cell(when(w.created_at)), actions(
      button("Details", () => openWorkspace(w), "secondary"),
      can("infra.workspaces.update") && button("Edit", () => workspaceEditor.edit(w)),
      can("infra.workspaces.delete") && button("Delete", () => deleteWorkspace(w), "danger"),
    )));
  }
  emptyRow(body, 4, "No workspaces yet.");
  truncation($("#workspaces-more"), page.workspaces.length, page.total_count);
}

async function deleteWorkspace(w) {
  if (!confirm(`Delete workspace "${w.name}"? Its links to environments, teams, designs and views go with it.`)) return;
  await attempt($("#workspaces-error"), async () => {
    await api("DELETE", `/api/workspaces/${seg(w.id)}`);
    if (workspace && workspace.id === w.id) closeWorkspace();
    workspaceEditor.reset();
    await loadWorkspaces();
  });
}

// What a workspace links to. Environments and teams are chosen from the
// organization's unassigned ones; designs and views are linked by id.
const LINKS = {
  environments: { noun: "environment", choose: true },
  teams: { noun: "team", choose: true },
  designs: { noun: "design", choose: false },
  views: { noun: "view", choose: false },
};

function openWorkspace(w) {
  workspace = w;
  $("#workspace-detail .workspace-name").textContent = w.name;
  $("#workspace-detail-error").textContent = "";
  $("#workspace-detail").hidden = false;
  for (const kind of Object.keys(LINKS)) $(`#ws-${kind} tbody`).replaceChildren();
  $("#ws-events tbody").replaceChildren();
  attempt($("#workspace-detail-error"), () => Promise.all([...Object.keys(LINKS).map(loadLinks), loadWorkspaceEvents()]));
  $("#workspace-detail").scrollIntoView({ block: "nearest" });
}

function closeWorkspace() {
  workspace = null;
  $("#workspace-detail").hidden = true;
}

async function loadLinks(kind) {
  const w = workspace;
  const { choose } = LINKS[kind];
  const mayEdit = can("infra.workspaces.update");
  const base = `/api/workspaces/${seg(w.id)}/${kind}`;
  const [held, free] = await Promise.all([
    api("GET", `${base}?${ALL}`),
    mayEdit && choose ? api("GET", `${base}?${ALL}&filter=${seg(JSON.stringify({ assigned: false }))}`) : null,
  ]);
  if (workspace !== w) return;
  const box = $(`#ws-${kind}`);
  const body = $("tbody", box);
  body.replaceChildren();
  for (const item of held[kind]) {
    const label = choose ? item.name : item.id;
    body.append(el("tr", {},
      choose ? cell(item.name) : idCell(item.id),
      cell(choose ? item.description : when(item.created_at)),
      actions(mayEdit && button(choose ? "Unassign" : "Unlink", () => unlink(kind, item.id, label), "danger small")),
    ));
  }
  emptyRow(body, 3, `No ${kind} ${choose ? "assigned" : "linked"}.`);
  const form = $("form.ws-link", box);
  form.hidden = !mayEdit;
  if (mayEdit && choose) {
    fillChoices(form, free[kind].map((x) => ({ value: x.id, label: x.name })));
  }
}

async function unlink(kind, id, label) {
  const w = workspace;
  if (!confirm(`Take ${LINKS[kind].noun} "${label}" out of workspace "${w.name}"?`)) return;
  await attempt($("#workspace-detail-error"), async () => {
    await api("DELETE", `/api/workspaces/${seg(w.id)}/${kind}/${seg(id)}`);
    await Promise.all([loadLinks(kind), loadWorkspaceEvents()]);
  });
}

for (const kind of Object.keys(LINKS)) {
  $(`#ws-${kind} form.ws-link`).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const w = workspace;
    const target = ev.target.elements.target.value.trim();
    await attempt($("#workspace-detail-error"), async () => {
      await api("POST", `/api/workspaces/${seg(w.id)}/${kind}/${seg(target)}`);
      if (!LINKS[kind].choose) ev.target.reset();
      await Promise.all([loadLinks(kind), loadWorkspaceEvents()]);
    });
  });
}

const EVENTS_SHOWN = 20;

async function loadWorkspaceEvents() {
  const w = workspace;
  const box = $("#ws-events");
  box.hidden = !can("events.events.read");
  if (box.hidden) return;
  const page = await api("GET", `/api/workspaces/${seg(w.id)}/events?pagesize=${EVENTS_SHOWN}`);
  if (workspace !== w) return;
  const body = $("tbody", box);
  body.replaceChildren();
  for (const ev of page.data) {
    const who = [ev.firstName, ev.lastName].filter(Boolean).join(" ");
    body.append(el("tr", {},
      el("td", { class: "nowrap", textContent: when(ev.created_at) }),
      cell(ev.email ? (who ? `${who} <${ev.email}>` : ev.email) : who),
      cell(ev.description),
    ));
  }
  emptyRow(body, 3, "No events.");
  const more = $(".more", box);
  more.hidden = !(page.total_count > page.data.length);
  more.textContent = `The ${page.data.length} most recent of ${page.total_count} events.`;
}

$("#workspace-detail .close").addEventListener("click", closeWorkspace);

// ---- Page entry points (called by the shell on navigation) ----

export const pages = {
  async environments() {
    environmentEditor.reset();
    closeEnvironment();
    await attempt($("#environments-error"), loadEnvironments);
  },
  async connections() {
    connectionEditor.reset();
    await attempt($("#connections-error"), loadConnections);
  },
  async credentials() {
    credentialEditor.reset();
    $("#credentials-done").hidden = true;
    await attempt($("#credentials-error"), loadCredentials);
  },
  async workspaces() {
    workspaceEditor.reset();
    closeWorkspace();
    await attempt($("#workspaces-error"), loadWorkspaces);
  },
};
