// meshcloud web UI: the app shell (sign-in, navigation, organization
// switcher, theme) and the page the route names. Pages live in pages/, one
// module each, built from the shared components in components/.

import { html, render, useState, useEffect, useRef } from "./lib/html.js";
import { session, useSession, can, isProviderAdmin, currentOrg, selectOrg, resume, signIn, signOut } from "./lib/session.js";
import { useLocation, navigate, Link } from "./lib/router.js";
import { api } from "./lib/api.js";
import { AREAS, ROUTES } from "./routes.js";
import { Toasts, toast } from "./components/toast.js";
import { Form } from "./components/form.js";
import { Picker } from "./components/picker.js";

/** Whether the signed-in user may open `route` now; else why not. */
export function access(route) {
  if (route.scope === "user") return null;
  if (route.scope === "admin") return isProviderAdmin() ? null : "This page is for provider admins.";
  if (!session.orgId) return "Choose an organization first (or join one on the Organizations page).";
  if (route.perm && !can(route.perm)) return `This page needs the permission ${route.perm} in this organization.`;
  return null;
}

// ---- theme ----

const THEMES = ["system", "light", "dark"];

function applyTheme(theme) {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  document.dispatchEvent(new CustomEvent("meshcloud:theme"));
}

function ThemeToggle() {
  const [theme, setTheme] = useState(localStorage.getItem("meshcloud.theme") || "system");
  const next = () => {
    const t = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    localStorage.setItem("meshcloud.theme", t);
    setTheme(t);
    applyTheme(t);
  };
  return html`<button type="button" class="ghost theme" onClick=${next} title="Colour theme" aria-label=${`Theme: ${theme}. Change`}>
    ${theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}<span class="theme-name"> ${theme}</span>
  </button>`;
}

applyTheme(localStorage.getItem("meshcloud.theme") || "system");

// ---- sign-in ----

function RequestAccount({ onDone }) {
  return html`<${Form}
    fields=${[
      { name: "email", label: "E-mail", type: "email", required: true, maxlength: 320, autocomplete: "email" },
      { name: "first_name", label: "First name", maxlength: 200, autocomplete: "given-name" },
      { name: "last_name", label: "Last name", maxlength: 300, autocomplete: "family-name" },
      { name: "password", label: "Password", type: "password", maxlength: 1024, autocomplete: "new-password", help: "At least 8 characters. Used once your request is approved." },
      { name: "org_id", label: "Organization ID", maxlength: 64, help: "From the colleague who asked you to join (optional).", aliases: ["org", "org_id"] },
      { name: "message", label: "Message to the approver", type: "textarea", maxlength: 2000 },
    ]}
    submitLabel="Request an account"
    onSubmit=${(v) => api("POST", "/api/identity/users/request", Object.fromEntries(Object.entries(v).filter(([, x]) => x !== "")))}
    onSaved=${onDone}
    onCancel=${onDone} />`;
}

function SignIn() {
  const [mode, setMode] = useState("signin");
  const [notice, setNotice] = useState(session.ended ? "Your session has ended; sign in again." : "");
  return html`<main class="signin" id="main">
    <div class="card signin-card">
      <h1 class="brand-big">meshcloud</h1>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      ${mode === "signin" ? html`
        <h2>Sign in</h2>
        <${Form}
          fields=${[
            { name: "email", label: "E-mail", type: "email", required: true, autocomplete: "username" },
            { name: "password", label: "Password", type: "password", required: true, autocomplete: "current-password" },
          ]}
          submitLabel="Sign in"
          onSubmit=${async (v) => {
            try {
              await signIn(v.email, v.password);
            } catch (err) {
              throw new Error(err.status === 429 ? "Too many attempts: wait a few minutes." : err.status === 0 ? err.message : "Wrong e-mail or password.");
            }
          }} />
        <p class="muted">No account yet? <button type="button" class="link" onClick=${() => setMode("request")}>Request one</button>, or ask an administrator to create it.</p>`
      : html`
        <h2>Request an account</h2>
        <p class="muted">An administrator approves the request; then sign in here.</p>
        <${RequestAccount} onDone=${(saved) => { setMode("signin"); if (saved !== undefined) setNotice("Request sent. You can sign in once it is approved."); }} />`}
    </div>
  </main>`;
}

// ---- shell ----

function OrgSwitcher() {
  const s = useSession();
  if (!s.orgs.length) return null;
  const change = async (id) => {
    if (!id || id === s.orgId) return;
    try {
      await selectOrg(id, true);
      toast(`Now working in ${currentOrg()?.name || "the organization"}.`);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  if (s.orgs.length <= 15) {
    return html`<label class="inline org-switch"><span class="sr-only">Organization</span>
      <select aria-label="Organization" value=${s.orgId || ""} onChange=${(e) => change(e.target.value)}>
        ${s.orgs.map((o) => html`<option value=${o.id}>${o.name}</option>`)}
      </select></label>`;
  }
  // Many organizations (a provider admin sees them all): ask the server.
  const search = async (text, signal) => {
    const page = await api("GET", `/api/identity/orgs?pagesize=20&order=name&search=${encodeURIComponent(text)}`, undefined, { signal });
    return page.organizations.map((o) => ({ value: o.id, label: o.name }));
  };
  return html`<div class="org-switch"><${Picker} aria-label="Organization" value=${s.orgId} valueLabel=${currentOrg()?.name} search=${search} onChange=${change} required /></div>`;
}

function Nav({ path, onNavigate }) {
  useSession();
  const [closed, setClosed] = useState(() => new Set(JSON.parse(localStorage.getItem("meshcloud.nav.closed") || "[]")));
  const toggle = (id) => {
    const next = new Set(closed);
    if (next.has(id)) next.delete(id); else next.add(id);
    localStorage.setItem("meshcloud.nav.closed", JSON.stringify([...next]));
    setClosed(next);
  };
  const link = (r) => html`<li key=${r.path}><${Link} href=${r.path} onNavigate=${onNavigate}
    class=${path === r.path ? "current" : ""} aria-current=${path === r.path ? "page" : undefined}>${r.title}<//></li>`;
  const top = ROUTES.filter((r) => !r.area && !r.hidden && !access(r));
  return html`<ul class="nav-top">${top.map(link)}</ul>
    ${AREAS.map((a) => {
      const routes = ROUTES.filter((r) => r.area === a.id && !r.hidden && !access(r));
      if (!routes.length) return null;
      const open = !closed.has(a.id) || routes.some((r) => r.path === path);
      return html`<div class="nav-group" key=${a.id}>
        <button type="button" class="nav-head" aria-expanded=${open ? "true" : "false"} onClick=${() => toggle(a.id)}>
          <span>${a.label}</span><span aria-hidden="true" class="chev">${open ? "▾" : "▸"}</span></button>
        ${open && html`<ul>${routes.map(link)}</ul>`}
      </div>`;
    })}`;
}

const loaded = new Map();

function RouteView({ path }) {
  const s = useSession();
  const route = ROUTES.find((r) => r.path === path);
  const [Page, setPage] = useState(() => (route && loaded.get(route.path)) || null);
  const [failed, setFailed] = useState(null);
  const first = useRef(true);
  useEffect(() => {
    setFailed(null);
    if (!route) return;
    if (loaded.has(route.path)) {
      setPage(() => loaded.get(route.path));
      return;
    }
    setPage(null);
    route.load().then((m) => {
      loaded.set(route.path, m.default);
      setPage(() => m.default);
    }, (err) => setFailed(err));
  }, [path]);
  useEffect(() => {
    document.title = route ? `${route.title} · meshcloud` : "meshcloud";
    // Moving to another page puts the focus on its title, for keyboards and screen readers.
    if (first.current) { first.current = false; return; }
    requestAnimationFrame(() => document.getElementById("page-title")?.focus({ preventScroll: false }));
  }, [path, Page]);
  if (!route) {
    return html`<div class="state"><h1 id="page-title" tabindex="-1">Page not found</h1><p>There is no page at ${path}.</p><${Link} href="/">Go to the dashboard<//></div>`;
  }
  const why = access(route);
  if (why) return html`<div class="state"><h1 id="page-title" tabindex="-1">${route.title}</h1><p>${why}</p></div>`;
  if (failed) return html`<div class="state error-state" role="alert"><p>This page failed to load: ${failed.message}</p></div>`;
  if (!Page) return html`<div class="state" aria-busy="true"><p class="muted">Loading…</p></div>`;
  // A new organization starts the page afresh.
  return html`<${Page} key=${s.orgId || "none"} route=${route} />`;
}

function Shell() {
  const s = useSession();
  const { path } = useLocation();
  const [menu, setMenu] = useState(false);
  useEffect(() => {
    if (!menu) return undefined;
    const esc = (e) => { if (e.key === "Escape") setMenu(false); };
    document.addEventListener("keydown", esc);
    return () => document.removeEventListener("keydown", esc);
  }, [menu]);
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <button type="button" class="ghost menu" aria-label="Menu" aria-expanded=${menu ? "true" : "false"} aria-controls="sidebar" onClick=${() => setMenu(!menu)}>☰</button>
      <${Link} href="/" class="brand">meshcloud<//>
      <${OrgSwitcher} />
      <span class="spacer"></span>
      <${ThemeToggle} />
      <${Link} href="/account" class="who" title="Your account">${s.user.email}<//>
      <button type="button" class="ghost signout" onClick=${() => signOut()}>Sign out</button>
    </header>
    <div class="layout">
      <nav id="sidebar" aria-label="Main" class=${menu ? "open" : ""}><${Nav} path=${path} onNavigate=${() => setMenu(false)} /></nav>
      ${menu && html`<div class="scrim" onClick=${() => setMenu(false)}></div>`}
      <main id="main" tabindex="-1"><${RouteView} path=${path} /></main>
    </div>`;
}

function App() {
  const s = useSession();
  if (!s.ready) return html`<p class="muted boot">Loading…</p>`;
  return html`${s.user ? html`<${Shell} />` : html`<${SignIn} />`}<${Toasts} />`;
}

render(html`<${App} />`, document.getElementById("app"));
resume();
