// Forms: declared fields, the submit button disabled while the request is in
// flight, a refusal shown under the field it is about, a toast on success.

import { html, useState, useRef } from "../lib/html.js";
import { toast } from "./toast.js";

let ids = 0;

const emptyOf = (f) => (f.type === "checkbox" ? false : f.type === "heading" ? undefined : f.type === "choices" ? [] : f.type === "file" ? null : "");

/**
 * The field a server message is about: messages start with the field's name
 * ("name must not be empty"), its label, one of its `aliases`, or a path into
 * one of them ("upstreams[0].scheme …").
 */
export function fieldFor(message, fields) {
  const m = (message || "").toLowerCase();
  let best = null;
  let bestLen = 0;
  for (const f of fields) {
    const words = [f.name, f.name.replace(/_/g, " "), (f.label || "").toLowerCase(), ...(f.aliases || [])];
    for (const w of words.filter(Boolean).map((x) => x.toLowerCase())) {
      // A path into the field ("upstreams[0].scheme", "credentials.key-auth") names it too.
      const hit = m.startsWith(`${w} `) || m.startsWith(`${w}:`) || m.startsWith(`${w}.`) || m.startsWith(`${w}[`)
        || m.includes(`'${w}'`) || m.includes(`\`${w}\``);
      if (hit && w.length > bestLen) {
        best = f.name;
        bestLen = w.length;
      }
    }
  }
  return best;
}

function Input({ f, id, value, set, error, disabled }) {
  const common = {
    id,
    name: f.name,
    required: f.required,
    disabled: disabled || f.disabled,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": error ? `${id}-err` : f.help ? `${id}-help` : undefined,
  };
  if (f.render) return f.render({ ...common, value, set, error });
  if (f.type === "textarea") {
    return html`<textarea ...${common} rows=${f.rows || 4} maxlength=${f.maxlength} placeholder=${f.placeholder}
      value=${value ?? ""} onInput=${(e) => set(e.target.value)}></textarea>`;
  }
  if (f.type === "select") {
    return html`<select ...${common} value=${value ?? ""} onChange=${(e) => set(e.target.value)}>
      ${f.placeholder !== undefined && html`<option value="">${f.placeholder}</option>`}
      ${f.options.map((o) => html`<option value=${o.value}>${o.label ?? o.value}</option>`)}
    </select>`;
  }
  if (f.type === "choices") {
    // Several of a short list (roles, teams): a checkbox each; the value is the ticked values.
    const ticked = value || [];
    const flip = (v) => set(ticked.includes(v) ? ticked.filter((x) => x !== v) : [...ticked, v]);
    return html`<div class="options" id=${id} role="group" aria-describedby=${common["aria-describedby"]}>
      ${f.options.length === 0 && html`<span class="muted">none available</span>`}
      ${f.options.map((o) => html`<label class="check" key=${o.value}><input type="checkbox" name=${f.name} value=${o.value}
        checked=${ticked.includes(o.value)} disabled=${common.disabled || o.disabled} onChange=${() => flip(o.value)} /> ${o.label ?? o.value}</label>`)}
    </div>`;
  }
  if (f.type === "file") {
    // The value is the chosen File (or null).
    return html`<input type="file" ...${common} accept=${f.accept} onChange=${(e) => set(e.target.files[0] || null)} />`;
  }
  if (f.type === "checkbox") {
    return html`<input type="checkbox" ...${common} checked=${Boolean(value)} onChange=${(e) => set(e.target.checked)} />`;
  }
  return html`<input type=${f.type || "text"} ...${common} maxlength=${f.maxlength} min=${f.min} max=${f.max}
    placeholder=${f.placeholder} autocomplete=${f.autocomplete || "off"} value=${value ?? ""}
    onInput=${(e) => set(e.target.value)} />`;
}

/**
 * A form of `fields` ({name, label, type, required, maxlength, options,
 * help, placeholder, aliases, render}; type "heading" is a heading over the fields after it). `onSubmit(values)` does the request
 * and resolves to what was saved; `onSaved(saved, values)` follows it.
 * `validate(values)` may return {field: message} before anything is sent.
 * `clearOnSave` empties the form for the next entry.
 */
export function Form({ fields, initial = {}, submitLabel = "Save", onSubmit, onSaved, onCancel, toastText, validate, clearOnSave = false, inline = false, children }) {
  const [values, setValues] = useState(() => ({ ...Object.fromEntries(fields.map((f) => [f.name, emptyOf(f)])), ...initial }));
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState("");
  const [busy, setBusy] = useState(false);
  const base = useRef(`f${++ids}`);
  const formRef = useRef(null);
  const visible = fields.filter((f) => !f.hidden);

  const set = (name) => (v) => {
    setValues((old) => ({ ...old, [name]: v }));
    if (errors[name]) setErrors((old) => ({ ...old, [name]: undefined }));
  };

  const focusField = (name) => {
    const node = formRef.current?.querySelector(`[name="${CSS.escape(name)}"]`);
    if (node) node.focus();
  };

  const submit = async (ev) => {
    ev.preventDefault();
    if (busy) return;
    setFormError("");
    const local = validate ? validate(values) || {} : {};
    if (Object.values(local).some(Boolean)) {
      setErrors(local);
      focusField(Object.keys(local).find((k) => local[k]));
      return;
    }
    setErrors({});
    setBusy(true);
    let saved;
    try {
      saved = await onSubmit(values);
    } catch (err) {
      setBusy(false);
      const field = err.status && err.status < 500 ? fieldFor(err.message, visible) : null;
      if (field) {
        setErrors({ [field]: err.message });
        // After the re-render that enables the fields again (a disabled one takes no focus).
        setTimeout(() => focusField(field));
      } else {
        setFormError(err.message || String(err));
      }
      return;
    }
    setBusy(false);
    if (clearOnSave) setValues({ ...Object.fromEntries(fields.map((f) => [f.name, emptyOf(f)])), ...initial });
    const text = typeof toastText === "function" ? toastText(saved, values) : toastText;
    if (text) toast(text);
    if (onSaved) onSaved(saved, values);
  };

  return html`<form ref=${formRef} class=${inline ? "form inline" : "form"} onSubmit=${submit} aria-busy=${busy ? "true" : "false"}>
    ${visible.map((f) => {
      // A heading between groups of fields (a long settings form).
      if (f.type === "heading") return html`<h3 class="form-heading" key=${f.name}>${f.label}</h3>`;
      const id = `${base.current}-${f.name}`;
      const error = errors[f.name];
      const input = html`<${Input} f=${f} id=${id} value=${values[f.name]} set=${set(f.name)} error=${error} disabled=${busy} />`;
      return html`<div class=${`field${f.type === "checkbox" ? " check" : ""}${error ? " invalid" : ""}${f.wide ? " wide" : ""}`} key=${f.name}>
        ${f.type === "checkbox"
          ? html`<label for=${id}>${input} ${f.label}</label>`
          : f.type === "choices"
          ? html`<fieldset class="choices"><legend>${f.label}</legend>${input}</fieldset>`
          : html`<label for=${id}>${f.label}${f.required ? html`<span class="req" aria-hidden="true"> *</span>` : ""}</label>${input}`}
        ${f.help && !error && html`<small class="help" id=${`${id}-help`}>${f.help}</small>`}
        ${error && html`<small class="field-error" id=${`${id}-err`} role="alert">${error}</small>`}
      </div>`;
    })}
    ${children}
    ${formError && html`<p class="error" role="alert">${formError}</p>`}
    <div class="buttons">
      <button type="submit" disabled=${busy}>${busy ? "Saving…" : submitLabel}</button>
      ${onCancel && html`<button type="button" class="secondary" onClick=${onCancel} disabled=${busy}>Cancel</button>`}
    </div>
  </form>`;
}
