// The dashboard: the selected organization at a glance (docs/ops.md,
// "Organization overview"), or, for someone in no organization yet, how to
// get into one. Each number links to its page when the user may open it.

import { html } from "../lib/html.js";
import { api, seg, query } from "../lib/api.js";
import { useSession, can, currentOrg } from "../lib/session.js";
import { useLocation, setQuery, Link } from "../lib/router.js";
import { useLoad } from "../lib/load.js";
import { when } from "../lib/format.js";
import { ROUTES } from "../routes.js";
import { PageHead, Section, Badge } from "../components/bits.js";
import { DailyChart, BarChart, UsageBar } from "../components/chart.js";

/** Whether the user may open the page at `path` in this organization (as the shell decides). */
function mayOpen(path) {
  const r = ROUTES.find((x) => x.path === path);
  return Boolean(r) && (!r.perm || can(r.perm));
}

function Welcome() {
  return html`<${PageHead} title="Dashboard" intro="Welcome to meshcloud." />
    <${Section} title="You are not in an organization yet">
      <p>Everything here (teams, workspaces, environments, connections, events) belongs to an organization. To get into one:</p>
      <ul class="steps">
        <li><strong>Join one</strong> with the invitation code a colleague sent you: enter it on <${Link} href="/account">your account page<//>.</li>
        <li><strong>Create one</strong> of your own on the <${Link} href="/organizations">Organizations page<//>; you become its admin.</li>
      </ul>
      <p class="muted">Your own <${Link} href="/schedules">schedules<//> work without an organization.</p>
    <//>`;
}

function Stat({ n, label, href }) {
  const inner = html`<span class="n">${n}</span><span class="l">${label}</span>`;
  return href && mayOpen(href)
    ? html`<${Link} class="stat link" href=${href}>${inner}<//>`
    : html`<div class="stat">${inner}</div>`;
}

function RecentEvents() {
  const recent = useLoad((signal) => api("GET", `/api/events/list${query({ pagesize: 5, order: "created_at desc" })}`, undefined, { signal }), []);
  return html`<${Section} title="Recent events" actions=${html`<${Link} href="/event-log">All events<//>`}>
    ${recent.error ? html`<p class="error">${recent.error.message}</p>`
    : !recent.data ? html`<p class="muted">Loading…</p>`
    : recent.data.data.length === 0 ? html`<p class="muted">No events yet.</p>`
    : html`<ul class="recent">${recent.data.data.map((e) => html`<li key=${e.id}>
        <${Link} href=${`/event-log${query({ category: e.category, action: e.action })}`}>${e.description || `${e.category} ${e.action}`}<//>
        <span class="muted"> · ${e.category}/${e.action} · ${when(e.created_at)}</span>
        ${e.status === "unread" && html` <${Badge} value="unread" tone="info" />`}
      </li>`)}</ul>`}
  <//>`;
}

function Overview({ orgId }) {
  const { query: q } = useLocation();
  const days = q.get("days") === "30" ? 30 : 7;
  const ov = useLoad((signal) => api("GET", `/api/meshcloud/orgs/${seg(orgId)}/overview?days=${days}`, undefined, { signal }), [orgId, days]);
  const org = currentOrg();
  const head = html`<${PageHead} title="Dashboard" intro=${org ? `${org.name} at a glance.` : undefined} />`;
  if (ov.error) {
    // 404: the user's roles here do not include reading the organization.
    const text = ov.error.status === 404
      ? "Your roles in this organization do not let you read its overview (it needs identity.organization.read). The pages in the menu are the ones you may open."
      : `Could not load the overview: ${ov.error.message}`;
    return html`${head}<div class="state error-state" role="alert"><p>${text}</p>
      ${ov.error.status !== 404 && html`<button type="button" class="secondary" onClick=${ov.reload}>Try again</button>`}</div>
      ${can("events.events.read") && html`<${RecentEvents} />`}`;
  }
  if (!ov.data) return html`${head}<div class="state" aria-busy="true"><p class="muted">Loading…</p></div>`;
  const d = ov.data;
  const statuses = Object.entries(d.connections).sort((a, b) => b[1] - a[1]);
  const connections = statuses.reduce((n, [, c]) => n + c, 0);
  const toggle = html`<div class="segmented" role="group" aria-label="Days shown">
    ${[7, 30].map((n) => html`<button type="button" class=${n === days ? "" : "secondary"} aria-pressed=${n === days ? "true" : "false"}
      onClick=${() => setQuery({ days: n === 7 ? null : n })}>${n} days</button>`)}
  </div>`;
  return html`${head}
    <div class="stats">
      <${Stat} n=${d.members} label=${d.members === 1 ? "member" : "members"} href="/members" />
      <${Stat} n=${d.teams} label=${d.teams === 1 ? "team" : "teams"} href="/teams" />
      <${Stat} n=${d.workspaces} label=${d.workspaces === 1 ? "workspace" : "workspaces"} href="/workspaces" />
      <${Stat} n=${d.environments} label=${d.environments === 1 ? "environment" : "environments"} href="/environments" />
      <${Stat} n=${connections} label=${connections === 1 ? "connection" : "connections"} href="/connections" />
    </div>
    <div class="grid charts">
      <${Section} title="Events per day" actions=${toggle}>
        <${DailyChart} label=${`Events in the last ${d.days} days`} days=${d.events} />
      <//>
      <${Section} title="Connections by status">
        ${statuses.length
          ? html`<${BarChart} label="Connections by status"
              items=${statuses.map(([label, value]) => ({ label, value }))} />`
          : html`<p class="muted">No connections yet.${mayOpen("/connections") ? html` See <${Link} href="/connections">Connections<//>.` : ""}</p>`}
      <//>
    </div>
    <div class="grid">
      <${Section} title="Quotas">
        ${!d.quotas ? html`<p class="muted">Quotas need the permission to read them in this organization.</p>`
        : d.quotas.length === 0 ? html`<p class="muted">No quotas are set for this organization.</p>`
        : d.quotas.map((x) => html`<${UsageBar} key=${x.kind} label=${x.displayName || x.kind} used=${x.used} limit=${x.quantity} />`)}
      <//>
      ${can("events.events.read")
        ? html`<${RecentEvents} />`
        : html`<${Section} title="Recent events"><p class="muted">The event log needs events.events.read in this organization.</p><//>`}
    </div>`;
}

export default function DashboardPage() {
  const s = useSession();
  if (!s.orgId) return html`<${Welcome} />`;
  return html`<${Overview} orgId=${s.orgId} />`;
}
