// meshcloud web UI shell: sign-in, organization context, navigation, and the
// overview page (your organizations, joining one, your security tokens and sessions).
// Plain ES modules; talks only to the server's own APIs.

import { $, state, can, isProviderAdmin, api, seg, el, cell, button, actions, attempt } from "./lib.js";
import { pages as accessPages } from "./access.js";
import { pages as infraPages } from "./infra.js";
import { pages as opsPages } from "./ops.js";
import { pages as identityPages } from "./identity.js";
import { pages as projectPages } from "./projects.js";

const pages = { ...accessPages, ...infraPages, ...opsPages, ...identityPages, ...projectPages };

let orgs = [];

function show(section) {
  $("#login").hidden = section !== "login";
  $("#who").hidden = section === "login";
  $("#nav").hidden = section === "login";
  for (const page of document.querySelectorAll("section.page")) page.hidden = page.id !== section;
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("current", link.dataset.page === section);
  }
}

// The page a path names, if the user may see it in the current organization.
function pageFor(path) {
  const name = path.replace(/^\/+|\/+$/g, "");
  const link = document.querySelector(`#nav a[data-page="${CSS.escape(name)}"]`);
  if (!link || name === "home" || !pages[name]) return "home";
  // The user's own pages (schedules) need no organization.
  if (link.dataset.scope === "user") return name;
  // The installation's own pages (OAuth clients) are for provider admins only.
  if (link.dataset.scope === "admin") return isProviderAdmin() ? name : "home";
  return state.orgId && (!link.dataset.perm || can(link.dataset.perm)) ? name : "home";
}

async function render() {
  const page = pageFor(location.pathname);
  if (page === "home") {
    if (location.pathname !== "/") history.replaceState(null, "", "/");
    show("home");
    renderOrgs();
    await attempt($("#token-error"), loadTokens);
    await attempt($("#session-error"), loadSessions);
  } else {
    show(page);
    await pages[page]();
  }
}

function navigate(path) {
  $("#app-error").textContent = "";
  if (path !== location.pathname) history.pushState(null, "", path);
  render();
}

async function loadPerms() {
  state.perms = new Set();
  try {
    if (state.orgId) {
      const page = await api("GET", `/api/identity/orgs/${seg(state.orgId)}/users/keys?pagesize=all`);
      state.perms = new Set(page.keys.map((k) => `${k.category}.${k.subcategory}.${k.function}`));
    }
  } finally {
    for (const link of document.querySelectorAll("#nav a[data-perm]")) {
      link.hidden = !state.orgId || !can(link.dataset.perm);
    }
    for (const link of document.querySelectorAll("#nav a[data-scope=admin]")) link.hidden = !isProviderAdmin();
  }
}

async function fetchOrgs() {
  const page = await api("GET", "/api/identity/orgs?pagesize=all");
  orgs = page ? page.organizations : [];
  const select = $("#org-select");
  select.replaceChildren(...orgs.map((o) => el("option", { value: o.id, textContent: o.name, selected: o.id === state.orgId })));
  $("#org-picker").hidden = orgs.length === 0;
}

function renderOrgs() {
  const body = $("#orgs tbody");
  body.replaceChildren();
  for (const org of orgs) {
    body.append(el("tr", {}, cell(org.name), cell(org.description), cell(org.id)));
  }
}

async function loadTokens() {
  const body = $("#tokens tbody");
  body.replaceChildren();
  const page = await api("GET", "/api/identity/tokens?pagesize=100");
  for (const t of page.tokens) {
    const revoke = button("Revoke", async () => {
      if (!confirm(`Revoke token "${t.name}"? Tools using it stop working at once.`)) return;
      await attempt($("#token-error"), async () => {
        await api("DELETE", `/api/identity/tokens?tokenId=${seg(t.id)}`);
        await loadTokens();
      });
    }, "danger");
    body.append(el("tr", {}, cell(t.name), cell(t.purpose), cell(new Date(t.created_at).toLocaleString()), actions(revoke)));
  }
}

// Web sessions and OIDC sessions (one per application signed in to).
async function loadSessions() {
  const body = $("#sessions tbody");
  body.replaceChildren();
  const page = await api("GET", "/api/identity/tokens?isOAuth=true&pagesize=100");
  for (const t of page.tokens) {
    const revoke = button("Revoke", async () => {
      if (!confirm(`End the session "${t.name}"? It stops working at once.`)) return;
      await attempt($("#session-error"), async () => {
        await api("DELETE", `/api/identity/tokens?tokenId=${seg(t.id)}`);
        await loadSessions();
      });
    }, "danger");
    body.append(el("tr", {}, cell(t.name), cell(t.purpose), cell(new Date(t.created_at).toLocaleString()), actions(revoke)));
  }
}

// Makes `orgId` the organization every page works in, here and (through the
// preference) for API clients that send no org header.
async function selectOrg(orgId, remember) {
  state.orgId = orgId;
  if (remember && orgId) await api("PUT", "/api/identity/users/preferences", { selectedOrganization: orgId });
  await fetchOrgs();
  await loadPerms();
}

async function enter(session) {
  state.csrf = session.csrf_token;
  state.user = session.user;
  $("#who-email").textContent = session.user.email;
  // Without permissions the overview still works: tokens, joining an org.
  await attempt($("#app-error"), () => selectOrg(session.current_organization ? session.current_organization.id : null, false));
  await render();
}

function signedOut() {
  state.csrf = null;
  state.user = null;
  state.orgId = null;
  state.perms = new Set();
  $("#new-token").hidden = true;
  show("login");
}

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  $("#login-error").textContent = "";
  let session;
  try {
    session = await api("POST", "/api/meshcloud/login", { email: form.get("email"), password: form.get("password") });
  } catch (err) {
    $("#login-error").textContent = err.status === 429 ? "Too many attempts; wait a few minutes." : "Wrong e-mail or password.";
    return;
  }
  ev.target.reset();
  await attempt($("#login-error"), () => enter(session));
});

$("#token-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const q = new URLSearchParams({ name: form.get("name") });
  if (form.get("purpose")) q.set("purpose", form.get("purpose"));
  await attempt($("#token-error"), async () => {
    const page = await api("POST", `/api/identity/tokens?${q}`);
    $("#new-token-value").textContent = page.tokens[0].access_token;
    $("#new-token").hidden = false;
    ev.target.reset();
    await loadTokens();
  });
});

$("#accept-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const code = new FormData(ev.target).get("code").trim();
  $("#accept-done").hidden = true;
  await attempt($("#accept-error"), async () => {
    const invitation = await api("POST", `/api/organizations/invitations/${seg(code)}/accept`);
    ev.target.reset();
    // The new organization is most likely where the user wants to go next.
    await selectOrg(invitation.org_id, true);
    const org = orgs.find((o) => o.id === invitation.org_id);
    $("#accept-done").textContent = `You joined ${org ? org.name : "the organization"}.`;
    $("#accept-done").hidden = false;
    await render();
  });
});

$("#org-select").addEventListener("change", async (ev) => {
  await attempt($("#app-error"), async () => {
    await selectOrg(ev.target.value, true);
    await render();
  });
});

$("#nav").addEventListener("click", (ev) => {
  const link = ev.target.closest("a[data-page]");
  if (!link || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  navigate(link.getAttribute("href"));
});

window.addEventListener("popstate", () => render());

// An API call answered 401, which the Layer5 face uses both for an ended
// session and for a missing permission; only the first needs a new sign-in.
document.addEventListener("meshcloud:unauthorized", async (ev) => {
  try {
    await api("GET", "/api/meshcloud/session");
  } catch (err) {
    if (err.status === 401) {
      signedOut();
      $("#login-error").textContent = "Your session has ended; sign in again.";
    }
    return;
  }
  ev.detail.errorEl.textContent = "Not allowed: this needs a permission you do not hold (and you can only hand out permissions you hold yourself).";
});

// The access pages ask for this after edits that may change what the
// signed-in user may do; the page is redrawn only if that really changed, so
// open panels stay open otherwise.
document.addEventListener("meshcloud:perms-changed", async () => {
  const before = [...state.perms].sort().join();
  await attempt($("#app-error"), loadPerms);
  if ([...state.perms].sort().join() !== before) await render();
});

$("#logout").addEventListener("click", async () => {
  try { await api("POST", "/api/meshcloud/logout"); } finally {
    signedOut();
  }
});

(async () => {
  let session;
  try {
    session = await api("GET", "/api/meshcloud/session");
  } catch (_) {
    show("login");
    return;
  }
  await attempt($("#login-error"), () => enter(session));
})();
