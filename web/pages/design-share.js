// Sharing and publishing of designs, views and filters: the panels the
// designs, views and filters pages open (docs/content.md, Sharing and Catalog).

import { html, useState } from "../lib/html.js";
import { api, seg, orgPath, query } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { when, userLabel } from "../lib/format.js";
import { useLoad } from "../lib/load.js";
import { Form } from "../components/form.js";
import { Picker } from "../components/picker.js";
import { confirmAction } from "../components/dialog.js";
import { Section, Badge } from "../components/bits.js";
import { toast } from "../components/toast.js";

const ACCESS = [
  { value: "read", label: "Read" },
  { value: "edit", label: "Read and save changes" },
];

// The catalog schema's types (docs/content.md, Catalog).
export const CATALOG_TYPES = ["Deployment", "Observability", "Resiliency", "Scaling", "Security",
  "Traffic-management", "Troubleshooting", "Workloads"].map((value) => ({ value }));

/** The visibilities a save may set: `published` only for approvers (the catalog gives it otherwise). */
export function visibilityOptions(current) {
  const opts = [{ value: "private" }, { value: "public" }];
  if (can("content.catalog.approve") || current === "published") opts.push({ value: "published" });
  return opts;
}

/** May the user change `item`'s visibility to something else? A published one only with the approve key. */
export const visibilityLocked = (item) => item && item.visibility === "published" && !can("content.catalog.approve");

const teamSearch = async (text, signal) => {
  if (!session.orgId) return [];
  const page = await api("GET", orgPath(`/teams${query({ pagesize: 20, search: text })}`), undefined, { signal });
  return (page.teams || []).map((t) => ({ value: t.id, label: t.name }));
};

const orgSearch = async (text, signal) => {
  const page = await api("GET", `/api/identity/orgs${query({ pagesize: 20, search: text })}`, undefined, { signal });
  return (page.organizations || []).map((o) => ({ value: o.id, label: o.name }));
};

// "emails[2] names no user": a refusal about the i-th address is about the field.
const EMAIL_ALIASES = Array.from({ length: 50 }, (_, i) => `emails[${i}]`);

function ActorList({ title, rows, label, onRemove }) {
  return html`<div class="share-group">
    <h3>${title}</h3>
    ${rows.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="share-list">
      ${rows.map((a) => html`<li key=${a.id}>
        <span class="who">${label(a)}</span>
        <${Badge} value=${a.access} tone=${a.access === "edit" ? "info" : "muted"} />
        <span class="muted">${when(a.shared_at)}</span>
        <button type="button" class="danger small" aria-label=${`Stop sharing with ${label(a)}`} onClick=${() => onRemove(a)}>Remove</button>
      </li>`)}
    </ul>`}
  </div>`;
}

/**
 * Who `item` (a design, view or filter: `kind` "design", "view", "filter")
 * is shared with, and a form to share it with people, a team or an
 * organization.
 */
export function SharePanel({ kind, item }) {
  const base = `/api/resource/${kind}/share/${seg(item.id)}`;
  const [team, setTeam] = useState({ id: "", label: "" });
  const [org, setOrg] = useState({ id: "", label: "" });
  const shares = useLoad(async (signal) => {
    const [u, t, o] = await Promise.all(["users", "teams", "organizations"].map((a) => api("GET", `${base}/${a}`, undefined, { signal })));
    return { users: u.users || [], teams: t.teams || [], organizations: o.organizations || [] };
  }, [item.id]);
  const remove = (type, label) => async (a) => {
    if (!(await confirmAction({ title: "Stop sharing", message: `Stop sharing "${item.name}" with ${label(a)}?`, confirmLabel: "Remove" }))) return;
    try {
      await api("POST", base, { [type]: [a.id], share: false });
      toast(`No longer shared with ${label(a)}.`);
      shares.reload();
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const fields = [
    { name: "emails", label: "People (e-mail addresses, comma-separated)", wide: true, aliases: ["emails", "users", ...EMAIL_ALIASES],
      placeholder: "ana@example.com, bo@example.com" },
    { name: "team", label: "Team of this organization", aliases: ["teams[0]", "teams"],
      render: (p) => html`<${Picker} id=${p.id} value=${team.id} valueLabel=${team.label} search=${teamSearch}
        onChange=${(id, o) => setTeam({ id, label: o ? o.label : "" })} />` },
    { name: "organization", label: "Organization (all its members)", aliases: ["organizations[0]", "organizations"],
      render: (p) => html`<${Picker} id=${p.id} value=${org.id} valueLabel=${org.label} search=${orgSearch}
        onChange=${(id, o) => setOrg({ id, label: o ? o.label : "" })} />` },
    { name: "access", label: "Access", type: "select", options: ACCESS,
      help: "Sharing with someone again sets their access. No share lets anyone delete or publish." },
  ];
  const label = {
    users: (u) => userLabel(u),
    teams: (t) => t.name,
    organizations: (o) => o.name,
  };
  return html`
    <${Section} title="Share with">
      <${Form} fields=${fields} initial=${{ access: "read" }} submitLabel="Share"
        validate=${(v) => (!v.emails.trim() && !team.id && !org.id ? { emails: "Name at least one person, a team or an organization." } : {})}
        toastText=${() => `${item.name} shared.`}
        onSubmit=${(v) => {
          const emails = v.emails.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
          const body = { access: v.access, share: true };
          if (emails.length) body.emails = emails;
          if (team.id) body.teams = [team.id];
          if (org.id) body.organizations = [org.id];
          return api("POST", base, body);
        }}
        onSaved=${() => {
          setTeam({ id: "", label: "" });
          setOrg({ id: "", label: "" });
          shares.reload();
        }}
        clearOnSave />
    <//>
    <${Section} title="Shared with">
      ${shares.error ? html`<p class="error" role="alert">${shares.error.message}</p>`
        : !shares.data ? html`<p class="muted">Loading…</p>`
        : html`<div class="share-groups">
          <${ActorList} title="People" rows=${shares.data.users} label=${label.users} onRemove=${remove("users", label.users)} />
          <${ActorList} title="Teams" rows=${shares.data.teams} label=${label.teams} onRemove=${remove("teams", label.teams)} />
          <${ActorList} title="Organizations" rows=${shares.data.organizations} label=${label.organizations} onRemove=${remove("organizations", label.organizations)} />
        </div>`}
    <//>`;
}

const list = (s) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

/**
 * A request to publish `item` (`type` "pattern" or "filter") in the catalog,
 * with the catalog data an approver publishes it with.
 */
export function PublishForm({ type, item, version, models = [], onSaved, onCancel }) {
  const classes = useLoad((signal) => api("GET", "/api/catalog/content/classes", undefined, { signal }), []);
  if (!classes.data && !classes.error) return html`<p class="muted">Loading…</p>`;
  const prior = item.catalogData || item.catalog_data || {};
  const fields = [
    { name: "type", label: "Type", type: "select", required: true, options: CATALOG_TYPES, placeholder: "Choose a type", aliases: ["catalog_data.type"] },
    { name: "class", label: "Class", type: "select", placeholder: "None",
      options: (classes.data || []).map((c) => ({ value: c.class, label: `${c.class}: ${c.description}` })), aliases: ["catalog_data.class"] },
    { name: "compatibility", label: "Compatible models (comma-separated)", required: true, aliases: ["catalog_data.compatibility"],
      help: "The models whose components it uses, e.g. kubernetes." },
    { name: "publishedVersion", label: "Version to publish", placeholder: version || "", aliases: ["catalog_data.publishedVersion"] },
    { name: "pattern_info", label: "What it does", type: "textarea", rows: 4, required: true, wide: true, maxlength: 10000, aliases: ["catalog_data.pattern_info"] },
    { name: "pattern_caveats", label: "Caveats and considerations", type: "textarea", rows: 3, wide: true, maxlength: 10000, aliases: ["catalog_data.pattern_caveats"] },
    { name: "snapshotURL", label: "Screenshot URLs (optional; http(s) or oci, comma-separated)", wide: true, aliases: ["catalog_data.snapshoturl"] },
  ];
  const initial = {
    type: prior.type || "",
    class: prior.class || "",
    compatibility: (prior.compatibility || models).join(", "),
    publishedVersion: "",
    pattern_info: prior.pattern_info || "",
    pattern_caveats: prior.pattern_caveats || "",
    snapshotURL: (prior.snapshotURL || []).join(", "),
  };
  return html`<p class="muted">An approver decides the request; until then ${item.name} keeps its visibility.</p>
    <${Form} fields=${fields} initial=${initial} submitLabel="Request publication"
      toastText=${() => `Publication of ${item.name} requested: an approver decides.`}
      onSubmit=${(v) => {
        const data = {
          type: v.type,
          compatibility: list(v.compatibility),
          pattern_info: v.pattern_info.trim(),
          pattern_caveats: v.pattern_caveats.trim(),
        };
        if (v.class) data.class = v.class;
        if (v.publishedVersion.trim()) data.publishedVersion = v.publishedVersion.trim();
        if (v.snapshotURL.trim()) data.snapshotURL = list(v.snapshotURL);
        return api("POST", `/api/catalog/content/${type}`, { id: item.id, catalog_data: data });
      }}
      onSaved=${onSaved} onCancel=${onCancel} />`;
}

/** May the user ask for `item` to be published (or unpublish it)? The server decides. */
export const mayPublish = (item) => (session.user && item.user_id === session.user.id)
  || can("content.catalog.publish") || can("content.catalog.approve");

/** Takes `item` out of the catalog after a confirmation; resolves to true when done. */
export async function unpublish(type, item) {
  if (!(await confirmAction({ title: "Unpublish", message: `Take "${item.name}" out of the catalog? It gets back the visibility it had before.`, confirmLabel: "Unpublish" }))) return false;
  try {
    await api("POST", `/api/catalog/content/${type}/unpublish`, { id: item.id });
    toast(`${item.name} unpublished.`);
    return true;
  } catch (err) {
    toast(err.message, "error");
    return false;
  }
}
