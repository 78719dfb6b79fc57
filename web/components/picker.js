// A searchable picker for sets too large for a <select>: the server is asked
// as one types, the choices show in a list under the input, arrow keys move
// through them and Enter takes one.

import { html, useState, useEffect, useRef } from "../lib/html.js";

let ids = 0;

/**
 * `search(text, signal)` resolves to [{value, label, detail}]; `value` is the
 * chosen value and `valueLabel` how to show it; `onChange(value, option)`.
 */
export function Picker({ id, name, value, valueLabel, onChange, search, placeholder = "Type to search", required, disabled, ...rest }) {
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState([]);
  const [active, setActive] = useState(0);
  const [loading, setLoading] = useState(false);
  const listId = useRef(`picker-${++ids}`);
  const wrap = useRef(null);

  useEffect(() => {
    if (!open) return undefined;
    const ctrl = new AbortController();
    setLoading(true);
    const t = setTimeout(() => {
      search(text.trim(), ctrl.signal).then((opts) => {
        setOptions(opts);
        setActive(0);
        setLoading(false);
      }, (err) => {
        if (err.name !== "AbortError") {
          setOptions([]);
          setLoading(false);
        }
      });
    }, 200);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [text, open]);

  useEffect(() => {
    const away = (ev) => { if (wrap.current && !wrap.current.contains(ev.target)) setOpen(false); };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, []);

  const choose = (o) => {
    onChange(o.value, o);
    setText("");
    setOpen(false);
  };
  const onKey = (ev) => {
    if (ev.key === "ArrowDown") { ev.preventDefault(); setOpen(true); setActive((a) => Math.min(options.length - 1, a + 1)); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive((a) => Math.max(0, a - 1)); }
    else if (ev.key === "Enter" && open) { ev.preventDefault(); if (options[active]) choose(options[active]); }
    else if (ev.key === "Escape" && open) { ev.preventDefault(); ev.stopPropagation(); setOpen(false); }
  };

  return html`<div class="picker" ref=${wrap}>
    <input id=${id} type="text" role="combobox" aria-expanded=${open ? "true" : "false"} aria-controls=${listId.current}
      aria-autocomplete="list" autocomplete="off" disabled=${disabled} ...${rest}
      placeholder=${value ? valueLabel || value : placeholder} value=${text}
      required=${required && !value}
      onFocus=${() => setOpen(true)} onInput=${(e) => { setText(e.target.value); setOpen(true); }} onKeyDown=${onKey} />
    ${name && html`<input type="hidden" name=${name} value=${value || ""} />`}
    ${value && html`<span class="picked">${valueLabel || value}${!required && html` <button type="button" class="ghost small" aria-label="Clear" onClick=${() => onChange("", null)}>×</button>`}</span>`}
    ${open && html`<ul class="picker-list" role="listbox" id=${listId.current}>
      ${loading && options.length === 0 ? html`<li class="muted">Searching…</li>`
        : options.length === 0 ? html`<li class="muted">No matches</li>`
        : options.map((o, i) => html`<li role="option" key=${o.value} aria-selected=${i === active ? "true" : "false"}
            class=${i === active ? "active" : ""} onMouseDown=${(e) => { e.preventDefault(); choose(o); }}>
            ${o.label}${o.detail && html` <span class="muted">${o.detail}</span>`}</li>`)}
    </ul>`}
  </div>`;
}
