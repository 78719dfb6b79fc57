// Paging for APIs that answer a whole list at once (the Identity face's
// /api/v1 lists, meshcloud's OAuth clients): the adapter fetches the list and
// searches, sorts and pages it here, so ListPage sees what a paged API gives.
// Use it only where the API has no paging of its own.

import { api } from "./api.js";

/**
 * The load function of a list page for `path` (a string or a function giving
 * one), answered by a bare array (or `pick(answer)` of it). `text(row)` is what
 * the search looks in; `sorts` maps a column's sort key to the row's value.
 */
export function clientList(path, { text = (r) => r.name || "", sorts = {}, pick = (a) => a || [] } = {}) {
  return async ({ page, size, search, sort, dir, signal }) => {
    let rows = pick(await api("GET", typeof path === "function" ? path() : path, undefined, { signal }));
    const q = (search || "").trim().toLowerCase();
    if (q) rows = rows.filter((r) => text(r).toLowerCase().includes(q));
    const key = sorts[sort];
    if (key) {
      const sign = dir === "desc" ? -1 : 1;
      rows = [...rows].sort((a, b) => sign * String(key(a) ?? "").localeCompare(String(key(b) ?? ""), undefined, { numeric: true }));
    }
    return { rows: rows.slice((page - 1) * size, page * size), total: rows.length };
  };
}
