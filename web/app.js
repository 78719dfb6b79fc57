// meshcloud web UI: sign-in, your organizations, your security tokens.
// Plain ES module; talks only to the server's own APIs.

const $ = (sel) => document.querySelector(sel);
let csrf = null;

async function api(method, path, body) {
  const headers = {};
  if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try { msg = JSON.parse(text).message || text; } catch (_) { /* plain text error */ }
    const err = new Error(msg || res.statusText);
    err.status = res.status;
    throw err;
  }
  return text ? JSON.parse(text) : null;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function show(section) {
  $("#login").hidden = section !== "login";
  $("#home").hidden = section !== "home";
  $("#who").hidden = section !== "home";
}

async function loadOrgs() {
  const body = $("#orgs tbody");
  body.replaceChildren();
  const page = await api("GET", "/api/identity/orgs?pagesize=100");
  for (const org of page ? page.organizations : []) {
    const tr = document.createElement("tr");
    tr.append(cell(org.name), cell(org.description), cell(org.id));
    body.append(tr);
  }
}

async function loadTokens() {
  const body = $("#tokens tbody");
  body.replaceChildren();
  const page = await api("GET", "/api/identity/tokens?pagesize=100");
  for (const t of page.tokens) {
    const tr = document.createElement("tr");
    const revoke = document.createElement("button");
    revoke.textContent = "Revoke";
    revoke.className = "danger";
    revoke.addEventListener("click", async () => {
      if (!confirm(`Revoke token "${t.name}"? Tools using it stop working at once.`)) return;
      await api("DELETE", `/api/identity/tokens?tokenId=${encodeURIComponent(t.id)}`);
      await loadTokens();
    });
    const action = document.createElement("td");
    action.append(revoke);
    tr.append(cell(t.name), cell(t.purpose), cell(new Date(t.created_at).toLocaleString()), action);
    body.append(tr);
  }
}

async function enter(session) {
  csrf = session.csrf_token;
  $("#who-email").textContent = session.user.email;
  show("home");
  await Promise.all([loadOrgs(), loadTokens()]);
}

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  $("#login-error").textContent = "";
  try {
    const session = await api("POST", "/api/meshcloud/login", { email: form.get("email"), password: form.get("password") });
    ev.target.reset();
    await enter(session);
  } catch (err) {
    $("#login-error").textContent = err.status === 429 ? "Too many attempts; wait a few minutes." : "Wrong e-mail or password.";
  }
});

$("#token-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const q = new URLSearchParams({ name: form.get("name") });
  if (form.get("purpose")) q.set("purpose", form.get("purpose"));
  $("#token-error").textContent = "";
  try {
    const page = await api("POST", `/api/identity/tokens?${q}`);
    $("#new-token-value").textContent = page.tokens[0].access_token;
    $("#new-token").hidden = false;
    ev.target.reset();
    await loadTokens();
  } catch (err) {
    $("#token-error").textContent = err.message;
  }
});

$("#logout").addEventListener("click", async () => {
  try { await api("POST", "/api/meshcloud/logout"); } finally {
    csrf = null;
    $("#new-token").hidden = true;
    show("login");
  }
});

(async () => {
  try {
    await enter(await api("GET", "/api/meshcloud/session"));
  } catch (_) {
    show("login");
  }
})();
