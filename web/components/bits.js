// Small pieces most pages use.

import { html } from "../lib/html.js";

/** The page's title line with its main action. */
export function PageHead({ title, children, intro }) {
  return html`<div class="page-head">
    <h1 id="page-title" tabindex="-1">${title}</h1>
    <div class="page-actions">${children}</div>
  </div>
  ${intro && html`<p class="intro">${intro}</p>`}`;
}

/** A status word with a colour that says whether it is fine. */
export function Badge({ value, tone }) {
  const t = tone || ({ connected: "ok", enabled: "ok", active: "ok", registered: "ok", approved: "ok",
    discovered: "info", pending: "info", maintenance: "warn", ignored: "muted", disabled: "muted",
    deleted: "bad", disconnected: "bad", failed: "bad", error: "bad", denied: "bad", not_found: "bad" })[String(value).toLowerCase()] || "muted";
  return html`<span class=${`badge ${t}`}>${value}</span>`;
}

/** A labelled row of buttons for a table row. */
export function RowActions({ children }) {
  return html`<div class="row-actions">${children}</div>`;
}

/** A section inside a page, with its own heading. */
export function Section({ title, children, actions }) {
  return html`<section class="card">
    ${title && html`<div class="card-head"><h2>${title}</h2>${actions}</div>`}
    ${children}
  </section>`;
}

/** Tabs over the parts of a page: `tabs` [{id, label}], the shown `value`, `onChange(id)`. */
export function Tabs({ tabs, value, onChange, label }) {
  return html`<div class="tabs" role="tablist" aria-label=${label}>
    ${tabs.map((t) => html`<button type="button" role="tab" key=${t.id} aria-selected=${t.id === value ? "true" : "false"}
      onClick=${() => onChange(t.id)}>${t.label}</button>`)}
  </div>`;
}
