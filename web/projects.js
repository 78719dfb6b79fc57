// The selected organization's projects (its workspaces as the Identity face
// shows them), their resource allocations, and the organization's quotas.
// Creating and deleting a project is asynchronous (202): the list shows the
// provisioning status and refreshes itself until nothing is pending.

import { $, state, can, api, seg, el, cell, button, actions, attempt, editForm } from "./lib.js";
import { orgPath, emptyRow, badge, metadataOf, fetchGroups, groupPicker, groupNames } from "./identity.js";

const POLL_MS = 1500;
const PENDING = { provisioning: "provisioned", deprovisioning: "deleted" };

let groups = null;
let pickGroups = () => [];
let projectList = [];
let allocationList = [];
let quotaList = [];
let project = null; // the project whose allocations are open
let pollTimer = null;
let pollOrg = null;

const statusBadge = (status) => badge(status, status);

// ---- Projects ----

const projectEditor = editForm($("#project-form"), {
  createLabel: "Create project",
  canCreate: () => can("infra.workspaces.create"),
  clear() {
    pickGroups = groupPicker($("#project-groups"), groups);
  },
  fill(form, p) {
    form.elements.name.value = p.metadata.name;
    form.elements.description.value = p.metadata.description || "";
    pickGroups = groupPicker($("#project-groups"), groups, p.spec.groupIDs);
  },
  submit: (data, p) => attempt($("#projects-error"), async () => {
    const body = { metadata: metadataOf(data, p), spec: { groupIDs: pickGroups() } };
    if (p) await api("PUT", orgPath(`/projects/${seg(p.metadata.id)}`), body);
    else await api("POST", orgPath("/projects"), body);
    await loadProjects();
    return true;
  }),
});

const allocationsOf = (p) => allocationList.filter((a) => a.metadata.projectId === p.metadata.id);

async function loadProjects() {
  const org = state.orgId;
  const [projects, allocations] = await Promise.all([
    api("GET", orgPath("/projects")),
    can("infra.allocations.read") ? api("GET", orgPath("/allocations")) : null,
  ]);
  if (org !== state.orgId) return;
  projectList = projects;
  allocationList = allocations || [];
  renderProjects();
  if (project) {
    // The open project may have been deleted (by anyone) meanwhile.
    project = projectList.find((p) => p.metadata.id === project.metadata.id) || null;
    if (project) renderAllocations();
    else closeProject();
  }
  schedulePoll();
}

function renderProjects() {
  const mayRead = can("infra.allocations.read");
  const body = $("#projects-table tbody");
  body.replaceChildren();
  for (const p of projectList) {
    const status = p.metadata.provisioningStatus;
    const settled = !PENDING[status];
    const health = p.metadata.healthStatus;
    body.append(el("tr", {},
      cell(p.metadata.name),
      cell(p.metadata.description),
      cell(groupNames(p.spec.groupIDs, groups)),
      el("td", {}, statusBadge(status), health && health !== "healthy" ? statusBadge(health) : null),
      cell(mayRead ? String(allocationsOf(p).length) : ""),
      actions(
        mayRead && status === "provisioned" && button("Allocations", () => openProject(p), "secondary"),
        settled && can("infra.workspaces.update") && button("Edit", () => projectEditor.edit(p)),
        status !== "deprovisioning" && can("infra.workspaces.delete") && button("Delete", () => deleteProject(p), "danger"),
      ),
    ));
  }
  emptyRow(body, 6, "No projects yet.");
}

// While a project is being provisioned or deleted, the list refreshes itself;
// it stops when nothing is pending or the user has left the page.
function schedulePoll() {
  clearTimeout(pollTimer);
  pollTimer = null;
  const pending = projectList.filter((p) => PENDING[p.metadata.provisioningStatus]);
  const note = $("#projects-pending");
  note.hidden = pending.length === 0;
  if (!pending.length) return;
  note.textContent = `Waiting until ${pending.map((p) => `${p.metadata.name} is ${PENDING[p.metadata.provisioningStatus]}`).join(", ")}…`;
  pollOrg = state.orgId;
  pollTimer = setTimeout(async () => {
    pollTimer = null;
    if ($("#projects").hidden || pollOrg !== state.orgId) return;
    await attempt($("#projects-error"), loadProjects);
  }, POLL_MS);
}

async function deleteProject(p) {
  const n = allocationsOf(p).length;
  const extra = n ? ` Its ${n} allocation${n === 1 ? "" : "s"} go with it.` : "";
  if (!confirm(`Delete project "${p.metadata.name}"? It is removed from the organization with its links.${extra}`)) return;
  await attempt($("#projects-error"), async () => {
    await api("DELETE", orgPath(`/projects/${seg(p.metadata.id)}`));
    projectEditor.reset();
    if (project && project.metadata.id === p.metadata.id) closeProject();
    await loadProjects();
  });
}

// ---- Allocations of one project ----

const quotaKinds = () => quotaList.map((q) => q.kind);

function itemRow(item = { kind: "", committed: 0, reserved: 0 }) {
  const remove = button("Remove", () => row.remove(), "secondary small");
  const kind = el("input", { name: "itemKind", value: item.kind, required: true, maxLength: 63, size: 12, autocomplete: "off" });
  kind.setAttribute("list", "quota-kinds");
  const row = el("div", { class: "kv-row" },
    el("label", {}, "Kind", kind),
    el("label", {}, "Committed", el("input", { name: "itemCommitted", type: "number", min: 0, step: 1, value: item.committed, required: true, class: "num" })),
    el("label", {}, "Reserved", el("input", { name: "itemReserved", type: "number", min: 0, step: 1, value: item.reserved, required: true, class: "num" })),
    remove,
  );
  $("#allocation-items").append(row);
}

function items() {
  return [...$("#allocation-items").children].map((row) => ({
    kind: $("input[name=itemKind]", row).value.trim(),
    committed: Number($("input[name=itemCommitted]", row).value),
    reserved: Number($("input[name=itemReserved]", row).value),
  }));
}

$("#allocation-add-item").addEventListener("click", () => itemRow());

const allocationEditor = editForm($("#allocation-form"), {
  createLabel: "Create allocation",
  canCreate: () => can("infra.allocations.manage"),
  clear() {
    $("#allocation-items").replaceChildren();
    itemRow({ kind: quotaKinds()[0] || "", committed: 0, reserved: 0 });
  },
  fill(form, a) {
    form.elements.name.value = a.metadata.name;
    form.elements.description.value = a.metadata.description || "";
    form.elements.ownerKind.value = a.spec.kind;
    form.elements.ownerId.value = a.spec.id;
    $("#allocation-items").replaceChildren();
    for (const i of a.spec.allocations) itemRow(i);
  },
  submit: (data, a) => attempt($("#allocations-error"), async () => {
    const p = project;
    const body = {
      metadata: metadataOf(data, a),
      spec: { kind: data.get("ownerKind").trim(), id: data.get("ownerId").trim(), allocations: items() },
    };
    const base = orgPath(`/projects/${seg(p.metadata.id)}/allocations`);
    if (a) await api("PUT", `${base}/${seg(a.metadata.id)}`, body);
    else await api("POST", base, body);
    await refreshAfterAllocation();
    return true;
  }),
});

function openProject(p) {
  project = p;
  $("#project-detail .project-name").textContent = p.metadata.name;
  $("#allocations-error").textContent = "";
  allocationEditor.reset();
  renderAllocations();
  $("#project-detail").hidden = false;
  $("#project-detail").scrollIntoView({ block: "nearest" });
}

function closeProject() {
  project = null;
  $("#project-detail").hidden = true;
}

function renderAllocations() {
  const mayManage = can("infra.allocations.manage");
  const names = new Map(quotaList.map((q) => [q.kind, q.displayName]));
  const body = $("#allocations-table tbody");
  body.replaceChildren();
  for (const a of allocationsOf(project)) {
    const name = el("td", {}, a.metadata.name);
    if (a.metadata.description) name.append(el("div", { class: "muted", textContent: a.metadata.description }));
    body.append(el("tr", {},
      name,
      el("td", {}, `${a.spec.kind} `, el("code", { class: "inline", textContent: a.spec.id })),
      el("td", {}, ...a.spec.allocations.map((i) => el("div", { textContent: `${names.get(i.kind) || i.kind}: ${i.committed} / ${i.reserved}` }))),
      actions(
        mayManage && button("Edit", () => allocationEditor.edit(a)),
        mayManage && button("Delete", () => deleteAllocation(a), "danger"),
      ),
    ));
  }
  emptyRow(body, 4, "No allocations in this project.");
}

async function deleteAllocation(a) {
  if (!confirm(`Delete allocation "${a.metadata.name}"? What it commits and reserves is freed.`)) return;
  await attempt($("#allocations-error"), async () => {
    await api("DELETE", orgPath(`/projects/${seg(project.metadata.id)}/allocations/${seg(a.metadata.id)}`));
    allocationEditor.reset();
    await refreshAfterAllocation();
  });
}

// Allocations change the counts in the project list and what the quotas show as used.
async function refreshAfterAllocation() {
  await loadProjects();
  if (can("identity.quotas.read")) await attempt($("#quotas-error"), loadQuotas);
}

$("#project-detail .close").addEventListener("click", closeProject);

// ---- Quotas ----

async function loadQuotas() {
  const page = await api("GET", orgPath("/quotas"));
  renderQuotas(page.quotas);
}

function renderQuotas(quotas) {
  quotaList = quotas;
  $("#quota-kinds").replaceChildren(...quotas.map((q) => el("option", { value: q.kind, label: q.displayName })));
  const mayUpdate = can("identity.quotas.update");
  const body = $("#quotas-table tbody");
  body.replaceChildren();
  for (const q of quotas) {
    const quantity = mayUpdate
      ? el("td", {}, el("input", { type: "number", name: q.kind, min: 0, step: 1, value: q.quantity, required: true, class: "num", "aria-label": `${q.displayName} quantity` }))
      : cell(String(q.quantity));
    body.append(el("tr", {},
      el("td", { title: q.description }, q.displayName, " ", el("code", { class: "inline word", textContent: q.kind }),
        el("div", { class: "muted", textContent: `${q.description} Default ${q.default}.` })),
      quantity,
      cell(String(q.committed)),
      cell(String(q.reserved)),
      cell(String(q.used)),
      el("td", { class: q.free <= 0 ? "error" : "", textContent: String(q.free) }),
    ));
  }
  emptyRow(body, 6, "No quotas.");
  $("#quotas-form button[type=submit]").hidden = !mayUpdate || !quotas.length;
}

$("#quotas-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("#quotas-done").hidden = true;
  const data = new FormData(ev.target);
  await attempt($("#quotas-error"), async () => {
    const quotas = quotaList.map((q) => ({ kind: q.kind, quantity: Number(data.get(q.kind)) }));
    const page = await api("PUT", orgPath("/quotas"), { quotas });
    renderQuotas(page.quotas);
    $("#quotas-done").textContent = "Quotas saved.";
    $("#quotas-done").hidden = false;
  });
});

// ---- Page entry point (called by the shell on navigation) ----

export const pages = {
  async projects() {
    clearTimeout(pollTimer);
    closeProject();
    for (const id of ["#projects-error", "#quotas-error"]) $(id).textContent = "";
    $("#quotas-done").hidden = true;
    const mayQuotas = can("identity.quotas.read");
    $("#quotas").hidden = !mayQuotas;
    quotaList = [];
    if (mayQuotas) await attempt($("#quotas-error"), loadQuotas);
    groups = await fetchGroups($("#projects-error"));
    projectEditor.reset();
    const note = $("#projects-error").textContent;
    await attempt($("#projects-error"), loadProjects);
    if (note && !$("#projects-error").textContent) $("#projects-error").textContent = note;
  },
};
