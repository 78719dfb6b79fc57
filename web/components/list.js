// The list page every resource uses: server-side paging, search, sort by
// column, filters, all kept in the URL; a loading skeleton, an error state
// with retry, an empty state with a call to action, bulk actions, and the
// row just saved highlighted where it is.

import { html, useState, useEffect, useRef } from "../lib/html.js";
import { useLocation, setQuery } from "../lib/router.js";
import { confirmAction } from "./dialog.js";
import { toast } from "./toast.js";

const SIZES = [10, 25, 50, 100];

/** The list's state as kept in the query string (keys prefixed by `prefix`). */
function readState(query, prefix, defaults) {
  const get = (k) => query.get(prefix + k);
  const page = Math.max(1, parseInt(get("page"), 10) || 1);
  const size = SIZES.includes(parseInt(get("size"), 10)) ? parseInt(get("size"), 10) : defaults.size || 25;
  return { page, size, search: get("q") || "", sort: get("sort") || defaults.sort || "", dir: get("dir") === "desc" ? "desc" : get("sort") ? "asc" : defaults.dir || "asc" };
}

function Skeleton({ cols }) {
  return [0, 1, 2, 3, 4].map((i) => html`<tr class="skeleton" key=${`s${i}`} aria-hidden="true">
    ${Array.from({ length: cols }, (_, j) => html`<td key=${j}><span></span></td>`)}
  </tr>`);
}

function Pager({ page, size, total, shown, onPage, onSize }) {
  const pages = Math.max(1, Math.ceil(total / size));
  const first = total === 0 ? 0 : (page - 1) * size + 1;
  return html`<nav class="pager" aria-label="Pages">
    <span class="range">${first}–${(page - 1) * size + shown} of ${total}</span>
    <button type="button" class="secondary small" disabled=${page <= 1} onClick=${() => onPage(1)} aria-label="First page">«</button>
    <button type="button" class="secondary small" disabled=${page <= 1} onClick=${() => onPage(page - 1)}>Previous</button>
    <label class="inline">Page <input type="number" class="page-input" min="1" max=${pages} value=${page}
      onChange=${(e) => onPage(Math.min(pages, Math.max(1, parseInt(e.target.value, 10) || 1)))} /> of ${pages}</label>
    <button type="button" class="secondary small" disabled=${page >= pages} onClick=${() => onPage(page + 1)}>Next</button>
    <button type="button" class="secondary small" disabled=${page >= pages} onClick=${() => onPage(pages)} aria-label="Last page">»</button>
    <label class="inline">Per page <select value=${size} onChange=${(e) => onSize(e.target.value)}>
      ${SIZES.map((n) => html`<option value=${n}>${n}</option>`)}
    </select></label>
  </nav>`;
}

/**
 * `columns`: [{key, label, sort (the server's order field), render(row), class}].
 * `load({page (1-based), size, search, sort, dir, filters, signal})` resolves to {rows, total}.
 * `filters`: [{name, label, options: [{value, label}]}], kept in the URL; a filter with
 *   `render({value, set})` draws its own control instead of a select (a Picker, a text field).
 * `actions(row)`: the row's buttons. `bulk`: [{label, run(rows), danger, confirm}].
 * `empty`: {text, action} when the list (unsearched, unfiltered) has no rows.
 * `reload`: change it to load again; `highlight`: the key of the row to mark.
 * `rowClass(row)`: extra classes of a row (e.g. "unread").
 */
export function ListPage({ label, columns, load, rowKey = (r) => r.id, search = true, filters = [], actions, bulk = [],
  empty = {}, toolbar, reload = 0, highlight, prefix = "", defaults = {}, onRows, rowClass }) {
  const { query } = useLocation();
  const st = readState(query, prefix, defaults);
  const filterValues = Object.fromEntries(filters.map((f) => [f.name, query.get(prefix + f.name) || ""]));
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState(new Set());
  const [retry, setRetry] = useState(0);
  const [text, setText] = useState(st.search);
  const tableRef = useRef(null);
  const key = JSON.stringify([st, filterValues, reload, retry]);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    load({ ...st, filters: filterValues, signal: ctrl.signal }).then((res) => {
      // A page past the end (rows deleted meanwhile): go to the last one.
      if (res.rows.length === 0 && res.total > 0 && st.page > 1) {
        setQuery({ [`${prefix}page`]: Math.max(1, Math.ceil(res.total / st.size)) });
        return;
      }
      setData({ ...res, page: st.page, size: st.size });
      setLoading(false);
      setSelected(new Set());
      if (onRows) onRows(res.rows);
    }, (err) => {
      if (err.name === "AbortError") return;
      setError(err);
      setLoading(false);
    });
    return () => ctrl.abort();
  }, [key]);

  // Searching as one types, after a pause, from the first page.
  useEffect(() => {
    if (text === st.search) return undefined;
    const t = setTimeout(() => setQuery({ [`${prefix}q`]: text.trim(), [`${prefix}page`]: null }), 300);
    return () => clearTimeout(t);
  }, [text]);

  useEffect(() => {
    if (highlight === undefined || highlight === null || !tableRef.current) return;
    const row = tableRef.current.querySelector(`tr[data-key="${CSS.escape(String(highlight))}"]`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }, [highlight, data]);

  const rows = data ? data.rows : [];
  const total = data ? data.total : 0;
  const narrowed = st.search || Object.values(filterValues).some(Boolean);
  const sortBy = (col) => {
    const dir = st.sort === col.sort && st.dir === "asc" ? "desc" : "asc";
    setQuery({ [`${prefix}sort`]: col.sort, [`${prefix}dir`]: dir, [`${prefix}page`]: null });
  };
  const toggle = (k) => {
    const next = new Set(selected);
    if (next.has(k)) next.delete(k); else next.add(k);
    setSelected(next);
  };
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(rowKey(r)));
  const runBulk = async (b) => {
    const chosen = rows.filter((r) => selected.has(rowKey(r)));
    if (b.confirm !== false && !(await confirmAction({ title: `${b.label}: ${chosen.length} selected`, message: b.confirm || `${b.label} ${chosen.length} selected item(s)? This cannot be undone.`, confirmLabel: b.label, danger: b.danger }))) return;
    try {
      await b.run(chosen);
      toast(`${b.label}: done for ${chosen.length}.`);
    } catch (err) {
      toast(err.message, "error");
    }
    setRetry((n) => n + 1);
  };
  // Cards on narrow screens have no column heads: sorting and select-all move to the tools.
  const sortable = columns.filter((c) => c.sort);
  const cols = columns.length + (bulk.length ? 1 : 0) + (actions ? 1 : 0);

  return html`<div class="list" aria-label=${label}>
    <div class="list-tools">
      ${search && html`<input type="search" class="search" placeholder=${typeof search === "string" ? search : "Search"} aria-label=${typeof search === "string" ? search : `Search ${label || ""}`.trim()}
        value=${text} onInput=${(e) => setText(e.target.value)} />`}
      ${filters.map((f) => f.render ? html`<label class="inline filter" key=${f.name}>${f.label}
        ${f.render({ value: filterValues[f.name], set: (v) => setQuery({ [prefix + f.name]: v, [`${prefix}page`]: null }) })}</label>`
      : html`<label class="inline filter" key=${f.name}>${f.label}
        <select aria-label=${f.label} value=${filterValues[f.name]} onChange=${(e) => setQuery({ [prefix + f.name]: e.target.value, [`${prefix}page`]: null })}>
          <option value="">All</option>
          ${f.options.map((o) => html`<option value=${o.value}>${o.label ?? o.value}</option>`)}
        </select></label>`)}
      ${sortable.length > 0 && html`<label class="inline narrow-only">Sort
        <select aria-label="Sort by" value=${st.sort ? `${st.sort} ${st.dir}` : ""}
          onChange=${(e) => { const [f, d] = e.target.value.split(" "); setQuery({ [`${prefix}sort`]: f || null, [`${prefix}dir`]: d || null, [`${prefix}page`]: null }); }}>
          ${!st.sort && html`<option value="">Default</option>`}
          ${sortable.flatMap((c) => [
            html`<option value=${`${c.sort} asc`}>${c.label} ↑</option>`,
            html`<option value=${`${c.sort} desc`}>${c.label} ↓</option>`,
          ])}
        </select></label>`}
      ${bulk.length > 0 && rows.length > 0 && html`<label class="check narrow-only"><input type="checkbox" checked=${allOnPage}
        onChange=${() => setSelected(allOnPage ? new Set() : new Set(rows.map(rowKey)))} /> Select all</label>`}
      <span class="spacer"></span>
      ${toolbar}
    </div>
    ${selected.size > 0 && html`<div class="bulk" role="region" aria-label="Selected items">
      <span>${selected.size} selected</span>
      ${bulk.map((b) => html`<button type="button" class=${b.danger ? "danger small" : "small"} onClick=${() => runBulk(b)}>${b.label}</button>`)}
      <button type="button" class="ghost small" onClick=${() => setSelected(new Set())}>Clear selection</button>
    </div>`}
    ${error ? html`<div class="state error-state" role="alert">
        <p>Could not load this list: ${error.message}</p>
        <button type="button" class="secondary" onClick=${() => setRetry((n) => n + 1)}>Try again</button>
      </div>`
    : !loading && rows.length === 0 ? html`<div class="state empty-state">
        <p>${narrowed ? "Nothing matches this search or filter." : empty.text || "Nothing here yet."}</p>
        ${narrowed ? html`<button type="button" class="secondary" onClick=${() => { setText(""); setQuery({ [`${prefix}q`]: null, [`${prefix}page`]: null, ...Object.fromEntries(filters.map((f) => [prefix + f.name, null])) }); }}>Clear search and filters</button>` : empty.action}
      </div>`
    : html`<div class="table-wrap"><table ref=${tableRef} aria-busy=${loading ? "true" : "false"} class=${loading && data ? "reloading" : ""}>
        <thead><tr>
          ${bulk.length > 0 && html`<th class="select"><input type="checkbox" aria-label="Select all on this page" checked=${allOnPage}
            onChange=${() => setSelected(allOnPage ? new Set() : new Set(rows.map(rowKey)))} /></th>`}
          ${columns.map((c) => html`<th key=${c.key} class=${c.class || ""} aria-sort=${c.sort && st.sort === c.sort ? (st.dir === "desc" ? "descending" : "ascending") : undefined}>
            ${c.sort ? html`<button type="button" class="sort" onClick=${() => sortBy(c)}>${c.label}<span class="arrow" aria-hidden="true">${st.sort === c.sort ? (st.dir === "desc" ? " ▼" : " ▲") : ""}</span></button>` : c.label}
          </th>`)}
          ${actions && html`<th class="actions"><span class="sr-only">Actions</span></th>`}
        </tr></thead>
        <tbody>
          ${loading && !data ? html`<${Skeleton} cols=${cols} />` : rows.map((r) => {
            const k = rowKey(r);
            return html`<tr key=${k} data-key=${k} class=${[String(k) === String(highlight) ? "flash" : "", rowClass ? rowClass(r) : ""].filter(Boolean).join(" ")}>
              ${bulk.length > 0 && html`<td class="select"><input type="checkbox" aria-label="Select" checked=${selected.has(k)} onChange=${() => toggle(k)} /></td>`}
              ${columns.map((c) => html`<td key=${c.key} class=${c.class || ""} data-label=${c.label}>${c.render ? c.render(r) : r[c.key]}</td>`)}
              ${actions && html`<td class="actions">${actions(r)}</td>`}
            </tr>`;
          })}
        </tbody>
      </table></div>`}
    ${data && total > 0 && html`<${Pager} page=${data.page} size=${data.size} total=${total} shown=${rows.length}
      onPage=${(p) => setQuery({ [`${prefix}page`]: p > 1 ? p : null })}
      onSize=${(n) => setQuery({ [`${prefix}size`]: n, [`${prefix}page`]: null })} />`}
  </div>`;
}
