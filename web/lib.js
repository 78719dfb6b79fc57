// Shared by the UI modules: the API client, the session state, small DOM helpers.

export const $ = (sel, root = document) => root.querySelector(sel);

// What every request needs to know about the signed-in session.
export const state = {
  csrf: null,
  user: null,
  orgId: null,
  // "<category>.<subcategory>.<function>" keys the user holds in orgId.
  perms: new Set(),
};

export const can = (perm) => state.perms.has(perm);

// Provider admins run the installation (OAuth clients, global providers).
export const isProviderAdmin = () => Boolean(state.user && (state.user.role_names || []).includes("admin"));

export async function api(method, path, body) {
  const headers = {};
  if (state.csrf && method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  // Invitations and keychains have no org in their path; the header keeps
  // them in the organization the UI shows rather than the stored preference.
  if (state.orgId) headers["layer5-current-orgid"] = state.orgId;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    // meshcloud's own face says {error, message}; the Identity face {error, error_description}.
    try {
      const parsed = JSON.parse(text);
      msg = parsed.message || parsed.error_description || parsed.error || text;
    } catch (_) { /* plain text error */ }
    const err = new Error(msg || res.statusText);
    err.status = res.status;
    throw err;
  }
  return text ? JSON.parse(text) : null;
}

// Path segments come from user input (e-mail addresses) as well as ids.
export const seg = encodeURIComponent;

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "onclick") node.addEventListener("click", v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function cell(text) {
  return el("td", { textContent: text ?? "" });
}

export function button(label, onclick, cls = "") {
  return el("button", { type: "button", textContent: label, class: cls, onclick });
}

export function actions(...buttons) {
  return el("td", { class: "actions" }, ...buttons);
}

export function when(ts) {
  return ts && !ts.startsWith("0001-") ? new Date(ts).toLocaleString() : "";
}

export function userLabel(u) {
  const name = [u.first_name, u.last_name].filter(Boolean).join(" ");
  return name ? `${name} <${u.email}>` : u.email || u.id;
}

// Runs an action, showing its failure in `errorEl` instead of throwing; a 401
// whose session is gone sends the user back to the sign-in form.
export async function attempt(errorEl, fn) {
  errorEl.textContent = "";
  try {
    return await fn();
  } catch (err) {
    errorEl.textContent = err.message;
    if (err.status === 401) document.dispatchEvent(new CustomEvent("meshcloud:unauthorized", { detail: { errorEl } }));
    return undefined;
  }
}

// A checkbox per option inside `container`; returns a getter for the ticked values.
export function checkboxes(container, options, ticked = [], disabled = []) {
  container.replaceChildren();
  const boxes = options.map(({ value, label }) => {
    const input = el("input", { type: "checkbox", value, checked: ticked.includes(value), disabled: disabled.includes(value) });
    container.append(el("label", { class: "check" }, input, label));
    return input;
  });
  if (!options.length) container.append(el("span", { class: "muted", textContent: "none available" }));
  return () => boxes.filter((b) => b.checked && !b.disabled).map((b) => b.value);
}

// A create form that doubles as the editor of one existing item. `submit`
// gets the form data and the item being edited (null: create) and resolves to
// undefined when it failed, which keeps the user's input in place. `clear`
// (optional) puts back what `form.reset()` does not: options, extra rows.
export function editForm(form, { createLabel, canCreate, fill, submit, clear }) {
  const ok = $("button[type=submit]", form);
  const cancel = $("button.cancel", form);
  let editing = null;
  const reset = () => {
    editing = null;
    form.reset();
    if (clear) clear(form);
    ok.textContent = createLabel;
    cancel.hidden = true;
    form.hidden = !canCreate();
  };
  cancel.addEventListener("click", reset);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (await submit(new FormData(form), editing) !== undefined) reset();
  });
  return {
    reset,
    edit(item) {
      reset();
      editing = item;
      fill(form, item);
      ok.textContent = "Save";
      cancel.hidden = false;
      form.hidden = false;
      form.scrollIntoView({ block: "nearest" });
      form.elements[0].focus();
    },
  };
}

// Lists ask for everything the server hands out in one page; say so when
// that is not the whole list.
export function truncation(note, shown, total) {
  note.hidden = !(total > shown);
  note.textContent = `Showing ${shown} of ${total}.`;
}
