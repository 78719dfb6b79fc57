// Operations pages: the selected organization's event log and the signed-in
// user's own schedules (see docs/ops.md). Event controls are shown only when
// the user holds the key the server checks for them; the server still decides.

import { $, state, can, api, seg, el, cell, button, actions, when, attempt, editForm, truncation } from "./lib.js";

const REFRESH_MS = 10000;
const PAGE_SIZES = [10, 25, 50, 100];

// Runs `load` again after `delay()` ms for as long as `active()` holds and the
// browser tab is visible; a tab coming back into view refreshes at once. Runs
// never overlap, and `arm` restarts the countdown after a load done by hand.
function poller(delay, active, load) {
  let timer = null;
  let running = false;
  const arm = () => {
    clearTimeout(timer);
    timer = active() && !document.hidden ? setTimeout(run, delay()) : null;
  };
  async function run() {
    clearTimeout(timer);
    timer = null;
    if (running || !active() || document.hidden) return;
    running = true;
    try {
      await load();
    } finally {
      running = false;
    }
    arm();
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) run();
  });
  return { arm };
}

// A background refresh: unlike `attempt` it leaves the message of a failed
// user action in place, and takes back only a failure of its own.
function quietly(errorEl, fn) {
  let failed = false;
  return async () => {
    try {
      await fn();
      if (failed) errorEl.textContent = "";
      failed = false;
    } catch (err) {
      failed = true;
      await attempt(errorEl, () => Promise.reject(err));
    }
  };
}

// Client-side navigation to another page of the UI: the shell redraws on popstate.
function goTo(path) {
  history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

// datetime-local inputs speak local time without a zone; the API speaks RFC 3339.
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function fromLocalInput(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

function fillSelect(select, items, selected) {
  select.replaceChildren(...items.map(({ value, label }) => el("option", { value, textContent: label, selected: value === selected })));
}

function emptyRow(body, cols, text) {
  if (!body.children.length) body.append(el("tr", {}, el("td", { colSpan: cols, class: "muted", textContent: text })));
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// ---- Events ----

// What the list shows; mirrored in the page's URL so a reload or a link keeps it.
const FILTER_FIELDS = ["search", "category", "action", "status", "from", "to", "acted_upon"];
const defaultView = () => ({ search: "", category: "", action: "", status: "", from: "", to: "", acted_upon: "", page: 0, pagesize: 25 });

let view = defaultView();
let viewOrg = null;
// Ids ticked for a bulk action. They survive refreshes (a new event may push
// one onto the next page) but not a change of filter or page.
const selected = new Set();
let shownIds = [];
let types = [];
// The newest list request: answers to older ones are dropped.
let eventsSeq = 0;
// What the table shows, to leave it (and the focus in it) alone when a refresh brings nothing new.
let shownSignature = "";

const mayBulk = () => can("events.events.update") || can("events.events.delete");

function viewFromUrl() {
  const q = new URLSearchParams(location.search);
  const v = defaultView();
  for (const f of FILTER_FIELDS) v[f] = (q.get(f) || "").trim();
  if (v.status !== "read" && v.status !== "unread") v.status = "";
  v.from = fromLocalInput(v.from);
  v.to = fromLocalInput(v.to);
  v.page = Math.max(0, parseInt(q.get("page"), 10) || 0);
  const size = parseInt(q.get("pagesize"), 10);
  if (PAGE_SIZES.includes(size)) v.pagesize = size;
  return v;
}

function viewToUrl() {
  if (location.pathname !== "/event-log") return;
  const q = new URLSearchParams();
  for (const f of FILTER_FIELDS) if (view[f]) q.set(f, view[f]);
  if (view.page) q.set("page", view.page);
  if (view.pagesize !== defaultView().pagesize) q.set("pagesize", view.pagesize);
  const url = q.toString() ? `/event-log?${q}` : "/event-log";
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
}

// The `filter` query parameter: only the fields that are set.
function filterJson() {
  const f = {};
  for (const k of ["category", "action", "status", "from", "to", "acted_upon"]) if (view[k]) f[k] = view[k];
  return Object.keys(f).length ? JSON.stringify(f) : "";
}

function listPath() {
  const q = new URLSearchParams({ page: view.page, pagesize: view.pagesize });
  if (view.search) q.set("search", view.search);
  const filter = filterJson();
  if (filter) q.set("filter", filter);
  return `/api/events/list?${q}`;
}

// Category and action choices come from the org's event types; a value
// already chosen stays offered even if no event has it (any more).
let typesShown = "";

function fillTypeChoices() {
  const signature = JSON.stringify([types, view.category, view.action]);
  if (signature === typesShown) return;
  typesShown = signature;
  const form = $("#events-filter");
  const categories = [...new Set(types.map((t) => t.category))].sort();
  if (view.category && !categories.includes(view.category)) categories.push(view.category);
  fillSelect(form.elements.category, [{ value: "", label: "any" }, ...categories.map((c) => ({ value: c, label: c }))], view.category);
  const actions = [...new Set(types.filter((t) => !view.category || t.category === view.category).map((t) => t.action))].sort();
  if (view.action && !actions.includes(view.action)) actions.push(view.action);
  fillSelect(form.elements.action, [{ value: "", label: "any" }, ...actions.map((a) => ({ value: a, label: a }))], view.action);
}

function fillFilterForm() {
  const form = $("#events-filter");
  form.elements.search.value = view.search;
  form.elements.status.value = view.status;
  form.elements.from.value = toLocalInput(view.from);
  form.elements.to.value = toLocalInput(view.to);
  fillTypeChoices();
  $("#events-pager select").value = String(view.pagesize);
  const about = $("#events-about");
  about.hidden = !view.acted_upon;
  $(".text", about).textContent = `Only events about ${view.acted_upon}.`;
}

// Takes the form's filter; false (with the reason shown) when it makes no sense.
function readFilterForm() {
  const form = $("#events-filter");
  const from = fromLocalInput(form.elements.from.value);
  const to = fromLocalInput(form.elements.to.value);
  if (from && to && from >= to) {
    $("#events-error").textContent = "“From” must be before “To”.";
    return false;
  }
  Object.assign(view, {
    search: form.elements.search.value.trim(),
    category: form.elements.category.value,
    action: form.elements.action.value,
    status: form.elements.status.value,
    from,
    to,
  });
  return true;
}

// A new filter or page: back to what the filter picks from its first page.
function changeView(patch) {
  Object.assign(view, patch);
  selected.clear();
  shownSignature = "";
  viewToUrl();
  return refreshEvents();
}

function actorCell(e) {
  const name = [e.firstName, e.lastName].filter(Boolean).join(" ");
  if (e.email && name) return el("td", {}, name, el("div", { class: "muted", textContent: e.email }));
  if (e.email) return cell(e.email);
  if (name) return cell(name);
  return el("td", { class: "muted", textContent: e.system_id ? `agent ${e.system_id}` : "system" });
}

const badge = (kind, value) => el("span", { class: `badge ${kind}-${String(value).replace(/\s+/g, "-")}`, textContent: value });

function renderEvents(page) {
  const signature = JSON.stringify([page, mayBulk()]);
  shownIds = page.data.map((e) => e.id);
  if (signature !== shownSignature) {
    shownSignature = signature;
    const withSelect = mayBulk();
    $("#events-table th.select").hidden = !withSelect;
    const body = $("#events-table tbody");
    body.replaceChildren();
    for (const e of page.data) {
      const box = withSelect && el("input", { type: "checkbox", checked: selected.has(e.id), "aria-label": "Select event" });
      if (box) {
        box.addEventListener("change", () => {
          if (box.checked) selected.add(e.id);
          else selected.delete(e.id);
          renderSelection();
        });
      }
      body.append(el("tr", { class: e.status === "unread" ? "unread" : "", "data-id": e.id },
        withSelect && el("td", { class: "select" }, box),
        el("td", { class: "time", textContent: when(e.created_at), title: e.created_at }),
        actorCell(e),
        cell(e.category),
        cell(e.action),
        cell(e.description),
        el("td", {}, badge("severity", e.severity)),
        el("td", {}, badge("event", e.status)),
      ));
    }
    const filtered = filterJson() || view.search;
    emptyRow(body, withSelect ? 8 : 7, filtered ? "No events match the filter." : "No events yet.");
  }
  const pages = Math.max(1, Math.ceil(page.total_count / view.pagesize));
  const pager = $("#events-pager");
  $(".where", pager).textContent = `Page ${view.page + 1} of ${pages} · ${plural(page.total_count, "event")}`;
  $(".prev", pager).disabled = view.page === 0;
  $(".next", pager).disabled = view.page + 1 >= pages;
  renderSelection();
}

function renderSelection() {
  const bar = $("#events-bulk");
  bar.hidden = !mayBulk();
  const n = selected.size;
  const offPage = [...selected].filter((id) => !shownIds.includes(id)).length;
  $("#events-selected").textContent = n
    ? `${n} selected${offPage ? ` (${offPage} no longer on this page)` : ""}`
    : "Tick events to act on them.";
  $("#events-mark-read").hidden = !can("events.events.update");
  $("#events-mark-unread").hidden = !can("events.events.update");
  $("#events-delete").hidden = !can("events.events.delete");
  for (const b of bar.querySelectorAll("button")) b.disabled = n === 0;
  const all = $("#events-table th.select input");
  const ticked = shownIds.filter((id) => selected.has(id)).length;
  all.checked = ticked > 0 && ticked === shownIds.length;
  all.indeterminate = ticked > 0 && ticked < shownIds.length;
  all.disabled = shownIds.length === 0;
}

function renderCounts(unread, total) {
  $("#events-counts").replaceChildren(
    el("span", { class: "count" }, badge("event", "unread"), ` ${unread}`),
    el("span", { class: "muted", textContent: `${plural(total, "event")} in the organization` }),
  );
}

async function loadEvents() {
  const seq = ++eventsSeq;
  const org = state.orgId;
  const [page, unread, all, found] = await Promise.all([
    api("GET", listPath()),
    api("GET", "/api/events"),
    api("GET", "/api/events?cumulative=true"),
    api("GET", "/api/events/types"),
  ]);
  if (seq !== eventsSeq || org !== state.orgId) return;
  // Deleting (here or elsewhere) can leave the page past the end.
  const last = Math.max(0, Math.ceil(page.total_count / view.pagesize) - 1);
  if (view.page > last) {
    view.page = last;
    viewToUrl();
    await loadEvents();
    return;
  }
  types = Array.isArray(found) ? found : [];
  // Not while the user is in the form: rebuilding an open select closes it.
  if (!$("#events-filter").contains(document.activeElement)) fillTypeChoices();
  renderEvents(page);
  renderCounts(unread.audit, all.audit);
  $("#events-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
}

const eventsActive = () => !$("#event-log").hidden && $("#events-live").checked && state.user !== null;
const eventsPoller = poller(() => REFRESH_MS, eventsActive, quietly($("#events-error"), loadEvents));

async function refreshEvents() {
  await attempt($("#events-error"), loadEvents);
  eventsPoller.arm();
}

$("#events-filter").addEventListener("submit", (ev) => {
  ev.preventDefault();
  $("#events-error").textContent = "";
  if (readFilterForm()) changeView({ page: 0 });
});

// Choices apply at once; typing in the search box applies after a pause.
$("#events-filter").addEventListener("change", (ev) => {
  if (ev.target.name === "search") return;
  $("#events-error").textContent = "";
  if (ev.target.name === "category") {
    view.category = ev.target.value;
    view.action = "";
    fillTypeChoices();
  }
  if (readFilterForm()) changeView({ page: 0 });
});

let searchTimer = null;
$("#events-filter").elements.search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    if (readFilterForm()) changeView({ page: 0 });
  }, 400);
});

$("#events-filter .clear").addEventListener("click", () => {
  $("#events-error").textContent = "";
  view = { ...defaultView(), pagesize: view.pagesize };
  fillFilterForm();
  changeView({});
});

$("#events-about button").addEventListener("click", () => {
  $("#events-about").hidden = true;
  changeView({ acted_upon: "", page: 0 });
});

$("#events-pager .prev").addEventListener("click", () => changeView({ page: Math.max(0, view.page - 1) }));
$("#events-pager .next").addEventListener("click", () => changeView({ page: view.page + 1 }));
$("#events-pager select").addEventListener("change", (ev) => changeView({ pagesize: Number(ev.target.value), page: 0 }));

$("#events-live").addEventListener("change", (ev) => {
  if (ev.target.checked) refreshEvents();
  else eventsPoller.arm();
});

$("#events-table th.select input").addEventListener("change", (ev) => {
  for (const id of shownIds) {
    if (ev.target.checked) selected.add(id);
    else selected.delete(id);
  }
  for (const box of document.querySelectorAll("#events-table td.select input")) box.checked = ev.target.checked;
  renderSelection();
});

$("#events-unselect").addEventListener("click", () => {
  selected.clear();
  for (const box of document.querySelectorAll("#events-table td.select input")) box.checked = false;
  renderSelection();
});

async function setStatus(status) {
  const ids = [...selected];
  await attempt($("#events-error"), async () => {
    await api("PUT", "/events/status", { ids, status });
    selected.clear();
    shownSignature = "";
    await loadEvents();
  });
  eventsPoller.arm();
}

$("#events-mark-read").addEventListener("click", () => setStatus("read"));
$("#events-mark-unread").addEventListener("click", () => setStatus("unread"));

$("#events-delete").addEventListener("click", async () => {
  const ids = [...selected];
  if (!confirm(`Delete ${plural(ids.length, "event")}? They leave the log for everyone in the organization.`)) return;
  await attempt($("#events-error"), async () => {
    const answer = await api("POST", "/events/delete", { ids });
    selected.clear();
    shownSignature = "";
    await loadEvents();
    const missed = ids.length - ((answer && answer.deleted) || []).length;
    if (missed > 0) $("#events-error").textContent = `${plural(missed, "event")} could not be deleted (already gone).`;
  });
  eventsPoller.arm();
});

// ---- Schedules ----

// How the server will read an expression, by its number of fields.
const CRON_FIELDS = {
  5: "minute hour day-of-month month day-of-week",
  6: "second minute hour day-of-month month day-of-week",
  7: "second minute hour day-of-month month day-of-week year",
};

function cronHint() {
  const expr = $("#schedule-form").elements.cron_expression.value.trim();
  const n = expr ? expr.split(/\s+/).length : 0;
  const hint = $("#schedule-hint");
  hint.hidden = n === 0;
  hint.textContent = !n ? "" : CRON_FIELDS[n]
    ? `Read as ${n} fields: ${CRON_FIELDS[n]}.`
    : `${n} field${n === 1 ? "" : "s"}: the server takes 5, 6 or 7.`;
}

let schedules = [];
let schedulesSignature = "";

const scheduleEditor = editForm($("#schedule-form"), {
  createLabel: "Create schedule",
  canCreate: () => true,
  clear: cronHint,
  fill(form, s) {
    form.elements.name.value = s.name;
    form.elements.cron_expression.value = s.cron_expression;
    cronHint();
  },
  submit: (data, s) => attempt($("#schedules-error"), async () => {
    const body = { name: data.get("name").trim(), cron_expression: data.get("cron_expression").trim() };
    if (s) body.id = s.id;
    await api("POST", "/user/schedules", body);
    schedulesSignature = "";
    await loadSchedules();
    // A new expression may fire sooner than the refresh that was planned.
    schedulesPoller.arm();
    return true;
  }),
});

$("#schedule-form").elements.cron_expression.addEventListener("input", cronHint);

async function loadSchedules() {
  const page = await api("GET", "/user/schedules?pagesize=all");
  schedules = page.schedules;
  const signature = JSON.stringify([page, can("events.events.read")]);
  if (signature === schedulesSignature) return;
  schedulesSignature = signature;
  const body = $("#schedules-table tbody");
  body.replaceChildren();
  for (const s of schedules) {
    body.append(el("tr", { "data-id": s.id },
      cell(s.name),
      el("td", {}, el("code", { class: "inline", textContent: s.cron_expression })),
      el("td", { class: "nowrap next-run", textContent: when(s.next_run_at) || "never", title: s.next_run_at || "" }),
      el("td", { class: "nowrap last-run", textContent: when(s.last_run_at) || "not yet", title: s.last_run_at || "" }),
      actions(
        can("events.events.read") && button("Events", () => goTo(`/event-log?${new URLSearchParams({ category: "schedule", acted_upon: s.id })}`), "secondary"),
        button("Edit", () => scheduleEditor.edit(s)),
        button("Delete", () => deleteSchedule(s), "danger"),
      ),
    ));
  }
  emptyRow(body, 5, "No schedules yet.");
  truncation($("#schedules-more"), schedules.length, page.total_count);
}

async function deleteSchedule(s) {
  if (!confirm(`Delete schedule "${s.name}"? It stops firing; its past events stay in the log.`)) return;
  await attempt($("#schedules-error"), async () => {
    await api("DELETE", `/user/schedules/${seg(s.id)}`);
    scheduleEditor.reset();
    schedulesSignature = "";
    await loadSchedules();
    schedulesPoller.arm();
  });
}

// Refresh soon after the next firing is due (so "last run" fills in), at
// least every REFRESH_MS, and not more often than every 2 s.
function schedulesDelay() {
  const next = Math.min(...schedules.map((s) => (s.next_run_at ? Date.parse(s.next_run_at) : Infinity)));
  const until = next - Date.now() + 1500;
  return Math.max(2000, Math.min(REFRESH_MS, Number.isFinite(until) ? until : REFRESH_MS));
}

const schedulesActive = () => !$("#schedules").hidden && state.user !== null;
const schedulesPoller = poller(schedulesDelay, schedulesActive, quietly($("#schedules-error"), loadSchedules));

// ---- Page entry points (called by the shell on navigation) ----

export const pages = {
  // Not /events: that path is the agents' API.
  async "event-log"() {
    if (viewOrg !== null && viewOrg !== state.orgId) {
      // Another organization has other events, types and ids: the filter
      // (in the URL too) belonged to the one left.
      view = { ...defaultView(), pagesize: view.pagesize };
      types = [];
    } else if (location.search) {
      view = viewFromUrl();
    }
    viewOrg = state.orgId;
    selected.clear();
    shownSignature = "";
    $("#events-error").textContent = "";
    fillFilterForm();
    viewToUrl();
    await refreshEvents();
  },
  async schedules() {
    scheduleEditor.reset();
    schedulesSignature = "";
    await attempt($("#schedules-error"), loadSchedules);
    schedulesPoller.arm();
  },
};
