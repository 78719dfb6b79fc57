// The organization's event log (docs/ops.md, "Events"): filters by
// category, action, severity, status, time and subject, search and sort, all
// in the URL; mark read or unread, delete, one at a time or in bulk; a detail
// panel; events per day and per severity above the list. Controls show only
// with the key the server checks (events.events.update / .delete).

import { html, useState } from "../lib/html.js";
import { api, seg, query, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { useLocation, setQuery } from "../lib/router.js";
import { useLoad, useRefresh } from "../lib/load.js";
import { when, plural } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, Badge, RowActions, Section } from "../components/bits.js";
import { DailyChart, BarChart } from "../components/chart.js";
import { toast } from "../components/toast.js";

const SEVERITIES = ["emergency", "alert", "critical", "error", "warning", "informational"];
const SEVERITY_TONE = { emergency: "bad", alert: "bad", critical: "bad", error: "bad", warning: "warn", informational: "info" };
const REFRESH_MS = 10000;

const severity = (s) => html`<${Badge} value=${s} tone=${SEVERITY_TONE[s] || "muted"} />`;
const status = (s) => html`<${Badge} value=${s} tone=${s === "unread" ? "info" : "muted"} />`;

function actor(e) {
  const name = [e.firstName, e.lastName].filter(Boolean).join(" ");
  if (e.email && name) return html`${name}<div class="muted">${e.email}</div>`;
  if (e.email || name) return e.email || name;
  const agent = e.system_id && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(e.system_id);
  return html`<span class="muted">${agent ? `agent ${e.system_id}` : "system"}</span>`;
}

// datetime-local inputs speak local time without a zone; the API speaks RFC 3339.
function toLocalInput(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16) : "";
}
function fromLocalInput(v) {
  const d = v ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : "";
}

/** The list's `filter` parameter: the chosen filters plus time and subject from the URL. */
function filterParam(filters) {
  const q = new URLSearchParams(location.search);
  const f = {};
  for (const k of ["category", "action", "severity", "status"]) if (filters[k]) f[k] = filters[k];
  for (const k of ["from", "to", "acted_upon"]) if (q.get(k)) f[k] = q.get(k);
  return Object.keys(f).length ? { filter: JSON.stringify(f) } : {};
}

const setStatus = (ids, to) => api("PUT", "/events/status", { ids, status: to });

async function deleteEvents(ids) {
  const res = await api("POST", "/events/delete", { ids });
  const missed = ids.length - ((res && res.deleted) || []).length;
  if (missed > 0) throw new Error(`${plural(missed, "event")} could not be deleted (already gone).`);
}

/** Events per day (from the organization overview) and per severity. */
function Pictures({ version }) {
  const perDay = useLoad(async (signal) => {
    try {
      return await api("GET", `/api/meshcloud/orgs/${seg(session.orgId)}/overview?days=7`, undefined, { signal });
    } catch (err) {
      // The overview needs identity.organization.read; without it the log still works.
      if (err.status === 404 || err.status === 403) return null;
      throw err;
    }
  }, [version]);
  const perSeverity = useLoad((signal) => Promise.all(SEVERITIES.map(async (s) => {
    const page = await api("GET", `/api/events/list${query({ pagesize: 1, filter: JSON.stringify({ severity: s }) })}`, undefined, { signal });
    return { label: s, value: page.total_count };
  })), [version]);
  // On a phone the pictures fold away, so the list is what one sees first.
  const [wide] = useState(() => window.matchMedia("(min-width: 800px)").matches);
  return html`<details class="fold" open=${wide}>
    <summary>Events per day and by severity</summary>
    <div class="grid charts">
      ${perDay.data && html`<${Section} title="Events per day">
        <${DailyChart} label="Events in the last 7 days" days=${perDay.data.events} /><//>`}
      ${perSeverity.data && html`<${Section} title="Events by severity">
        <${BarChart} label="Events by severity"
          items=${perSeverity.data.map((i) => ({ ...i, label: i.label === "informational" ? "info" : i.label }))} /><//>`}
    </div>
  </details>`;
}

function Detail({ event, onChanged, onClose }) {
  const [busy, setBusy] = useState(false);
  const act = async (fn, text, patch) => {
    setBusy(true);
    try {
      await fn();
      toast(text);
      onChanged(patch);
    } catch (err) {
      toast(err.message, "error");
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!(await confirmAction({ title: "Delete event", message: "Delete this event? It leaves the log for everyone in the organization." }))) return;
    await act(() => deleteEvents([event.id]), "Event deleted.", null);
    onClose();
  };
  const e = event;
  const meta = e.metadata && Object.keys(e.metadata).length ? JSON.stringify(e.metadata, null, 2) : "";
  return html`<${Panel} title="Event" onClose=${onClose}>
    <dl class="facts">
      <dt>When</dt><dd>${when(e.created_at)}</dd>
      <dt>Who</dt><dd>${actor(e)}</dd>
      <dt>Category</dt><dd>${e.category}</dd>
      <dt>Action</dt><dd>${e.action}</dd>
      <dt>Severity</dt><dd>${severity(e.severity)}</dd>
      <dt>Status</dt><dd>${status(e.status)}</dd>
      <dt>Description</dt><dd>${e.description || html`<span class="muted">none</span>`}</dd>
      ${e.acted_upon && html`<dt>About</dt><dd><code>${e.acted_upon}</code></dd>`}
      <dt>Event id</dt><dd><code>${e.id}</code></dd>
    </dl>
    ${meta && html`<h3>Metadata</h3><pre class="json">${meta}</pre>`}
    <div class="buttons">
      ${can("events.events.update") && html`<button type="button" class="secondary" disabled=${busy}
        onClick=${() => act(() => setStatus([e.id], e.status === "unread" ? "read" : "unread"), e.status === "unread" ? "Marked read." : "Marked unread.", { status: e.status === "unread" ? "read" : "unread" })}>
        ${e.status === "unread" ? "Mark read" : "Mark unread"}</button>`}
      ${e.acted_upon && html`<button type="button" class="secondary" onClick=${() => { setQuery({ acted_upon: e.acted_upon, page: null }); onClose(); }}>Events about the same</button>`}
      ${can("events.events.delete") && html`<button type="button" class="danger" disabled=${busy} onClick=${remove}>Delete</button>`}
    </div>
  <//>`;
}

export default function EventsPage() {
  const { query: q } = useLocation();
  const [reload, setReload] = useState(0);
  const [detail, setDetail] = useState(null);
  const [live, setLive] = useState(localStorage.getItem("meshcloud.events.live") !== "off");
  const [dateError, setDateError] = useState("");
  const types = useLoad((signal) => api("GET", "/api/events/types", undefined, { signal }), [reload]);
  const counts = useLoad(async (signal) => {
    const [unread, all] = await Promise.all([api("GET", "/api/events", undefined, { signal }), api("GET", "/api/events?cumulative=true", undefined, { signal })]);
    return { unread: unread.audit, total: all.audit };
  }, [reload]);
  const from = q.get("from") || "";
  const to = q.get("to") || "";
  const about = q.get("acted_upon") || "";
  const again = () => setReload((n) => n + 1);

  // Live: the list follows new events (not while rows are selected or an event is open).
  useRefresh(REFRESH_MS, again, live);

  const category = q.get("category") || "";
  const all = Array.isArray(types.data) ? types.data : [];
  const choices = (xs, chosen) => {
    const set = [...new Set(xs)].sort();
    if (chosen && !set.includes(chosen)) set.push(chosen);
    return set.map((value) => ({ value }));
  };
  const filters = [
    { name: "category", label: "Category", options: choices(all.map((t) => t.category), category) },
    { name: "action", label: "Action", options: choices(all.filter((t) => !category || t.category === category).map((t) => t.action), q.get("action")) },
    { name: "severity", label: "Severity", options: SEVERITIES.map((value) => ({ value })) },
    { name: "status", label: "Status", options: [{ value: "unread" }, { value: "read" }] },
  ];
  const setTime = (key, value) => {
    const next = { from, to, [key]: fromLocalInput(value) };
    if (next.from && next.to && next.from >= next.to) {
      setDateError("“From” must be before “To”.");
      return;
    }
    setDateError("");
    setQuery({ [key]: next[key], page: null });
  };
  const mayUpdate = can("events.events.update");
  const mayDelete = can("events.events.delete");
  const bulk = [
    ...(mayUpdate ? [
      { label: "Mark read", confirm: false, run: (rows) => setStatus(rows.map((r) => r.id), "read").then(again) },
      { label: "Mark unread", confirm: false, run: (rows) => setStatus(rows.map((r) => r.id), "unread").then(again) },
    ] : []),
    ...(mayDelete ? [{ label: "Delete", danger: true, confirm: "Delete the selected events? They leave the log for everyone in the organization.", run: (rows) => deleteEvents(rows.map((r) => r.id)).then(again) }] : []),
  ];
  const removeOne = async (e) => {
    if (!(await confirmAction({ title: "Delete event", message: `Delete the event "${e.description || `${e.category} ${e.action}`}"? It leaves the log for everyone in the organization.` }))) return;
    try {
      await deleteEvents([e.id]);
      toast("Event deleted.");
    } catch (err) {
      toast(err.message, "error");
    }
    again();
  };
  const flip = async (e) => {
    try {
      await setStatus([e.id], e.status === "unread" ? "read" : "unread");
      toast(e.status === "unread" ? "Marked read." : "Marked unread.");
    } catch (err) {
      toast(err.message, "error");
    }
    again();
  };

  const toolbar = html`
    <label class="inline">From <input type="datetime-local" aria-label="From" value=${toLocalInput(from)} onChange=${(ev) => setTime("from", ev.target.value)} /></label>
    <label class="inline">To <input type="datetime-local" aria-label="To" value=${toLocalInput(to)} onChange=${(ev) => setTime("to", ev.target.value)} /></label>
    <label class="check"><input type="checkbox" checked=${live} onChange=${(ev) => { setLive(ev.target.checked); localStorage.setItem("meshcloud.events.live", ev.target.checked ? "on" : "off"); }} /> Live</label>
    <button type="button" class="secondary small" onClick=${again}>Refresh</button>`;

  return html`<${PageHead} title="Events"
      intro=${`Every change anyone makes in the organization is recorded here.${counts.data ? ` ${plural(counts.data.total, "event")}, ${counts.data.unread} unread.` : ""}`} />
    <${Pictures} version=${reload} />
    ${about && html`<p class="notice-bar" role="status">Only events about <code>${about}</code>.
      <button type="button" class="link" onClick=${() => setQuery({ acted_upon: null, page: null })}>Show all</button></p>`}
    ${dateError && html`<p class="error" role="alert">${dateError}</p>`}
    <${ListPage} label="Events" search="Search events" reload=${`${reload}|${from}|${to}|${about}`}
      load=${layer5List("/api/events/list", "data", filterParam)}
      defaults=${{ sort: "created_at", dir: "desc" }}
      filters=${filters} toolbar=${toolbar}
      rowClass=${(e) => (e.status === "unread" ? "unread" : "")}
      columns=${[
        { key: "created_at", label: "Time", sort: "created_at", render: (e) => html`<span title=${e.created_at}>${when(e.created_at)}</span>` },
        { key: "actor", label: "Who", render: actor },
        { key: "category", label: "Category", sort: "category" },
        { key: "action", label: "Action", sort: "action" },
        { key: "description", label: "Description", render: (e) => html`<button type="button" class="link" onClick=${() => setDetail(e)}>${e.description || `${e.category} ${e.action}`}</button>` },
        { key: "severity", label: "Severity", sort: "severity", render: (e) => severity(e.severity) },
        { key: "status", label: "Status", sort: "status", render: (e) => status(e.status) },
      ]}
      empty=${{ text: "No events yet. Changes made in this organization will appear here." }}
      bulk=${bulk}
      actions=${(e) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setDetail(e)}>Details</button>
        ${mayUpdate && html`<button type="button" class="secondary small" onClick=${() => flip(e)}>${e.status === "unread" ? "Mark read" : "Mark unread"}</button>`}
        ${mayDelete && html`<button type="button" class="danger small" onClick=${() => removeOne(e)}>Delete</button>`}
      <//>`} />
    ${detail && html`<${Detail} event=${detail} onClose=${() => setDetail(null)}
      onChanged=${(patch) => { if (patch) setDetail((d) => d && { ...d, ...patch }); again(); }} />`}`;
}
