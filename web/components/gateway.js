// Pieces the API gateway pages share: the control plane a page works in
// (kept in the query string as `cp`), labels, JSON fields and PEM text.

import { html, useState, useEffect } from "../lib/html.js";
import { api7, api7OrgId, seg } from "../lib/api.js";
import { useLocation, setQuery, Link } from "../lib/router.js";
import { useLoad } from "../lib/load.js";
import { Badge } from "./bits.js";

/** The reference's control plane states. */
export const CP_STATUS = {
  1: ["pending", "info"],
  2: ["creating", "info"],
  3: ["normal", "ok"],
  4: ["create failed", "bad"],
  5: ["deleting", "warn"],
  6: ["deleted", "muted"],
};

export const CpStatus = ({ value }) => {
  const [word, tone] = CP_STATUS[value] || [`status ${value}`, "muted"];
  return html`<${Badge} value=${word} tone=${tone} />`;
};

/** `active` 0 is published, 1 unpublished (the reference's inversion). */
export const Published = ({ active }) => (Number(active) === 0
  ? html`<${Badge} value="published" tone="ok" />`
  : html`<${Badge} value="unpublished" tone="muted" />`);

/** The path of the selected organization's control planes on the API7 face. */
export const cpsPath = async (signal, rest = "") => `/api/v1/orgs/${seg(await api7OrgId(signal))}/controlplanes${rest}`;

/** Every control plane of the selected organization (a few per organization; the list pages ask for 500). */
export async function allControlPlanes(signal) {
  const res = await api7("GET", `${await cpsPath(signal)}?page=1&page_size=500&order_by=created_at&direction=ASC`, undefined, { signal });
  return (res && res.list) || [];
}

/**
 * The control plane a page works in: a choice of the organization's control
 * planes, kept in the query string (`cp`); `children(cp)` draws the page's
 * part under it. Without control planes it points to the page creating them.
 */
export function ControlPlaneScope({ what, children }) {
  const { query } = useLocation();
  const cps = useLoad(allControlPlanes, []);
  const list = cps.data || [];
  const wanted = query.get("cp");
  const cp = list.find((c) => String(c.id) === wanted) || list[0];
  useEffect(() => {
    // The first one until the user picks another; the link stays shareable.
    if (cp && wanted !== String(cp.id)) setQuery({ cp: cp.id });
  }, [cp && cp.id, wanted]);
  if (cps.error) {
    return html`<div class="state error-state" role="alert"><p>Could not load the control planes: ${cps.error.message}</p>
      <button type="button" class="secondary" onClick=${cps.reload}>Try again</button></div>`;
  }
  if (!cps.data) return html`<p class="muted" aria-busy="true">Loading…</p>`;
  if (!cp) {
    return html`<div class="state empty-state"><p>No control planes yet. ${what} belong to a control plane:
      create one on the <${Link} href="/gateways">Control planes<//> page first.</p></div>`;
  }
  const choose = (id) => {
    // Another control plane starts its lists afresh.
    const drop = Object.fromEntries([...query.keys()].filter((k) => k !== "cp").map((k) => [k, null]));
    setQuery({ ...drop, cp: id });
  };
  return html`<div class="cp-scope">
      <label class="inline">Control plane
        <select aria-label="Control plane" value=${String(cp.id)} onChange=${(e) => choose(e.target.value)}>
          ${list.map((c) => html`<option key=${c.id} value=${String(c.id)}>${c.name}</option>`)}
        </select></label>
      <${CpStatus} value=${cp.status} />
      <span class="muted">config version ${cp.config_version}</span>
    </div>
    ${children(cp)}`;
}

/** Labels as typed ("a, b c") → the array the API takes. */
export const parseLabels = (text) => [...new Set(String(text || "").split(/[\s,]+/).map((x) => x.trim()).filter(Boolean))];

export const Labels = ({ labels }) => ((labels || []).length
  ? html`<span class="chips">${labels.map((l) => html`<${Badge} key=${l} value=${l} tone="info" />`)}</span>`
  : "");

/** A list filter: the resources holding all the labels typed (comma-separated). */
export function LabelsFilter({ value, set }) {
  // What is typed stays here while the list reloads.
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return html`<input type="text" class="filter-text" aria-label="Labels" placeholder="any, comma-separated" value=${text}
    onInput=${(e) => setText(e.target.value)} onChange=${(e) => set(parseLabels(e.target.value).join(","))} />`;
}

/** The `labels` list parameter of a labels filter's value. */
export const labelsParam = (f) => (f.labels ? { labels: f.labels.split(",") } : {});

/** The form field of a resource's labels. */
export const labelsField = { name: "labels", label: "Labels", maxlength: 1100, placeholder: "team-a, public",
  help: "Up to 32, separated by commas or spaces: letters, digits, - and _." };

/** A JSON object typed in a textarea: {value} or {error}; empty text is `empty`. */
export function parseObject(text, label, empty = {}) {
  if (!String(text || "").trim()) return { value: empty };
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `${label} is not valid JSON: ${err.message}` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { error: `${label} must be a JSON object ({…}).` };
  return { value };
}

/** A textarea for a document (PEM, OpenAPI) with a button loading it from a file. */
export function TextFileInput({ id, value, set, disabled, label, placeholder, accept, rows = 6, ...aria }) {
  const load = async (e) => {
    const file = e.target.files[0];
    if (file) set(await file.text());
    e.target.value = "";
  };
  return html`<div class="file-text">
    <textarea id=${id} rows=${rows} spellcheck="false" autocomplete="off" class="mono" disabled=${disabled} ...${aria}
      placeholder=${placeholder} value=${value || ""} onInput=${(e) => set(e.target.value)}></textarea>
    <label class="inline file-load">Or load a file <input type="file" accept=${accept} disabled=${disabled}
      aria-label=${`Load ${label} from a file`} onChange=${load} /></label>
  </div>`;
}
