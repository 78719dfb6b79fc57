// The signed-in session: who, in which organization, holding which keys.
// Components read it with useSession() and re-render when it changes.

import { useState, useEffect } from "./html.js";
import { api, orgPath } from "./api.js";

export const session = {
  ready: false,
  user: null,
  csrf: null,
  orgId: null,
  orgs: [],
  // "<category>.<subcategory>.<function>" keys the user holds in orgId.
  perms: new Set(),
  // Bumped on every change, so effects can depend on it.
  version: 0,
};

const listeners = new Set();

function changed() {
  session.version += 1;
  for (const fn of [...listeners]) fn(session.version);
}

export function useSession() {
  const [seen, setVersion] = useState(session.version);
  useEffect(() => {
    listeners.add(setVersion);
    // Effects run after the first paint: a change made in between (the
    // session answer arriving first) would otherwise never be drawn.
    if (session.version !== seen) setVersion(session.version);
    return () => listeners.delete(setVersion);
  }, []);
  return session;
}

export const can = (perm) => session.perms.has(perm);

// Provider admins run the installation (OAuth clients, global providers, users).
export const isProviderAdmin = () => Boolean(session.user && (session.user.role_names || []).includes("admin"));

export const currentOrg = () => session.orgs.find((o) => o.id === session.orgId) || null;

async function loadPerms() {
  if (!session.orgId) {
    session.perms = new Set();
    return;
  }
  // Replaced only once the answer is in: a render while it is on its way
  // (refreshPerms after an edit) still sees the keys held before.
  const page = await api("GET", orgPath("/users/keys?pagesize=all"));
  session.perms = new Set(page.keys.map((k) => `${k.category}.${k.subcategory}.${k.function}`));
}

export async function refreshOrgs() {
  const page = await api("GET", "/api/identity/orgs?pagesize=all");
  session.orgs = page ? page.organizations : [];
  if (session.orgId && !session.orgs.some((o) => o.id === session.orgId)) session.orgId = session.orgs[0]?.id || null;
  changed();
}

/** Makes `orgId` the organization every page works in (and, with `remember`, the stored preference). */
export async function selectOrg(orgId, remember = true) {
  if ((orgId || null) !== session.orgId) session.perms = new Set();
  session.orgId = orgId || null;
  if (remember && orgId) await api("PUT", "/api/identity/users/preferences", { selectedOrganization: orgId });
  await refreshOrgs();
  await loadPerms();
  changed();
}

/** After edits that may change what the user may do (roles, teams). */
export async function refreshPerms() {
  const before = [...session.perms].sort().join();
  await loadPerms();
  if ([...session.perms].sort().join() !== before) changed();
}

async function enter(s) {
  session.ended = false;
  session.csrf = s.csrf_token;
  session.user = s.user;
  session.orgId = s.current_organization ? s.current_organization.id : null;
  try {
    await refreshOrgs();
    // A link into one organization (`?org=<uuid>`: the API7 face's customer
    // portal) opens in it when the user belongs to it.
    const linked = new URLSearchParams(location.search).get("org");
    if (linked && session.orgs.some((o) => o.id === linked)) session.orgId = linked;
    if (!session.orgId && session.orgs.length) session.orgId = session.orgs[0].id;
    await loadPerms();
  } finally {
    session.ready = true;
    changed();
  }
}

/** The session the browser already has, if any. */
export async function resume() {
  try {
    await enter(await api("GET", "/api/meshcloud/session"));
  } catch (_) {
    session.ready = true;
    changed();
  }
}

export async function signIn(email, password) {
  await enter(await api("POST", "/api/meshcloud/login", { email, password }));
}

function forget() {
  Object.assign(session, { user: null, csrf: null, orgId: null, orgs: [], perms: new Set() });
  changed();
}

export async function signOut() {
  try { await api("POST", "/api/meshcloud/logout"); } finally { forget(); }
}

/** The profile changed (name, e-mail): show the new one. */
export function setUser(user) {
  session.user = { ...session.user, ...user };
  changed();
}

// A 401 means an ended session or (on the Layer5 face) a missing permission;
// only the first needs a new sign-in.
let checking = false;
document.addEventListener("meshcloud:unauthorized", async () => {
  if (checking || !session.user) return;
  checking = true;
  try {
    await api("GET", "/api/meshcloud/session");
  } catch (err) {
    if (err.status === 401) {
      session.ended = true;
      forget();
    }
  } finally {
    checking = false;
  }
});
