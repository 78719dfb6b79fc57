// The API client every page uses: the CSRF token and organization header the
// server expects, and failures turned into errors a person can act on.

import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// The wording each face puts before the detail of a refusal; the detail is
// what a person needs to read.
const PREFIXES = ["Invalid request body or request param: ", "Conflict: ", "invalid request: "];

function readable(status, text) {
  let message = text || "";
  let code;
  try {
    const body = JSON.parse(text);
    if (body.status && typeof body.status === "object" && "code" in body.status) {
      // The API7 face: {status: {code, message}, error}; `error` is the sentence.
      message = body.error || body.status.message || "";
      code = body.status.code;
    } else {
      // meshcloud's own face: {error, message}; the Identity face: {error, error_description}.
      message = body.message || body.error_description || body.error || "";
      code = body.error;
    }
  } catch (_) { /* the Layer5 face answers plain text */ }
  for (const p of PREFIXES) if (message.startsWith(p)) message = message.slice(p.length);
  if (status === 404 && (!message || /^(Result not found|not found|the requested resource does not exist)$/i.test(message))) {
    message = "Not found: it was deleted, or you cannot see it.";
  } else if (status === 429) {
    message = "Too many requests: wait a moment and try again.";
  } else if (status >= 500) {
    message = `The server failed to do this (${status}). Try again; if it keeps failing, the server log says why.`;
  } else if (status === 401 || status === 403) {
    message = "Not allowed: this needs a permission you do not hold.";
  } else if (/failed to parse|string_uuid|param\d/.test(message)) {
    // Text meant for programs, not people.
    message = "That value is not in the form expected.";
  }
  if (status === 400 && !message) message = "The server refused this input.";
  return new ApiError(status, message, code);
}

/** `method` `path` with an optional JSON `body`; resolves to the parsed answer (null for none). */
export async function api(method, path, body, { signal } = {}) {
  const headers = {};
  if (session.csrf && method !== "GET") headers["X-CSRF-Token"] = session.csrf;
  // Invitations and keychains have no org in their path; the header keeps
  // them in the organization the UI shows rather than the stored preference.
  if (session.orgId) headers["layer5-current-orgid"] = session.orgId;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: "same-origin", signal, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "Cannot reach the server: check the connection and try again.");
  }
  if (res.status === 204) return null;
  const text = await res.text();
  if (!res.ok) {
    const err = readable(res.status, text);
    if (res.status === 401) document.dispatchEvent(new CustomEvent("meshcloud:unauthorized"));
    throw err;
  }
  return text ? JSON.parse(text) : null;
}

// Path segments come from user input (e-mail addresses) as well as ids.
export const seg = encodeURIComponent;

/** A path under the selected organization on the Layer5 face (`/api/identity/orgs/{orgId}…`). */
export const orgPath = (rest = "") => `/api/identity/orgs/${seg(session.orgId)}${rest}`;

/** A path under the selected organization on the Identity face (`/api/v1/organizations/{orgId}…`). */
export const v1OrgPath = (rest = "") => `/api/v1/organizations/${seg(session.orgId)}${rest}`;

/** A query string of the set values of `params` ("" when none). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * The load function of a list page for a Layer5-style list: 0-based `page`,
 * `pagesize`, `search`, `order` ("<field> asc|desc"), answered by
 * `{<key>: [...], total_count}`. `extra` adds the list's own filters.
 */
export function layer5List(path, key, extra = () => ({})) {
  return async ({ page, size, search, sort, dir, filters, signal }) => {
    const q = query({
      page: page - 1,
      pagesize: size,
      search,
      order: sort ? `${sort} ${dir || "asc"}` : undefined,
      ...extra(filters || {}),
    });
    const base = typeof path === "function" ? path() : path;
    const url = base.includes("?") && q ? `${base}&${q.slice(1)}` : `${base}${q}`;
    const res = await api("GET", url, undefined, { signal });
    return { rows: res[key] || [], total: res.total_count ?? (res[key] || []).length };
  };
}

/**
 * POSTs `form` (a FormData) as multipart, reporting upload progress (0–1)
 * to `onProgress`; resolves to the parsed answer. fetch() has no upload
 * progress, so this one request goes through XMLHttpRequest.
 */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    if (session.csrf) xhr.setRequestHeader("X-CSRF-Token", session.csrf);
    if (session.orgId) xhr.setRequestHeader("layer5-current-orgid", session.orgId);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, "Cannot reach the server: check the connection and try again."));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null);
        return;
      }
      const err = readable(xhr.status, xhr.responseText);
      if (xhr.status === 401) document.dispatchEvent(new CustomEvent("meshcloud:unauthorized"));
      reject(err);
    };
    xhr.send(form);
  });
}

// ---- The API7 face (/api/v1/orgs…, /api/v1/controlplanes…, /api/v1/apps…) ----
// Its answers are an envelope {status, error, payload}; its ids are decimal
// strings; its organizations are known by their number, not the UUID the UI
// keeps: GET /api/v1/user/me maps one to the other.

/** `api` on the API7 face: resolves to the envelope's payload (undefined for none). */
export async function api7(method, path, body, opts) {
  const res = await api(method, path, body, opts);
  return res ? res.payload : undefined;
}

// organization UUID → its API7 id, for the signed-in user.
const api7Orgs = new Map();

/** The API7 id of the selected organization. */
export async function api7OrgId(signal) {
  const uuid = session.orgId;
  if (!api7Orgs.has(uuid)) {
    const me = await api7("GET", "/api/v1/user/me", undefined, { signal });
    for (const o of (me && me.organizations) || []) api7Orgs.set(o.uuid, String(o.id));
  }
  if (!api7Orgs.has(uuid)) throw new ApiError(404, "The gateways of this organization are for its members: you are not one.");
  return api7Orgs.get(uuid);
}

/**
 * The load function of a list page for an API7 list: 1-based `page`,
 * `page_size`, `order_by`, `direction` (ASC|DESC), `search`, answered by
 * `{list, count}`. `path` may be an async function (it may need the org id);
 * `extra(filters)` adds the list's own parameters (`labels`).
 */
export function api7List(path, extra = () => ({})) {
  return async ({ page, size, search, sort, dir, filters, signal }) => {
    const base = typeof path === "function" ? await path(signal) : path;
    const q = query({
      page,
      page_size: size,
      search,
      order_by: sort || undefined,
      direction: sort ? (dir === "desc" ? "DESC" : "ASC") : undefined,
      ...extra(filters || {}),
    });
    const res = await api7("GET", base.includes("?") && q ? `${base}&${q.slice(1)}` : `${base}${q}`, undefined, { signal });
    return { rows: (res && res.list) || [], total: (res && res.count) || 0 };
  };
}

/** Fetches `path` with the session and offers it as the file `filename`. */
export async function download(path, filename) {
  let res;
  try {
    res = await fetch(path, { credentials: "same-origin", headers: session.orgId ? { "layer5-current-orgid": session.orgId } : {} });
  } catch (_) {
    throw new ApiError(0, "Cannot reach the server: check the connection and try again.");
  }
  if (!res.ok) {
    const err = readable(res.status, await res.text());
    if (res.status === 401) document.dispatchEvent(new CustomEvent("meshcloud:unauthorized"));
    throw err;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
