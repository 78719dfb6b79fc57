// Short confirmations ("Team created") that do not move the page.

import { html, useState, useEffect, useRef } from "../lib/html.js";

let next = 1;
let items = [];
const listeners = new Set();
const changed = () => listeners.forEach((fn) => fn([...items]));

/** Shows `text` for a few seconds; `kind` is "ok" or "error". */
export function toast(text, kind = "ok") {
  const id = next++;
  items = [...items, { id, text, kind }];
  changed();
  setTimeout(() => {
    items = items.filter((t) => t.id !== id);
    changed();
  }, kind === "error" ? 8000 : 4000);
}

export function Toasts() {
  const [list, set] = useState(items);
  const ref = useRef(null);
  useEffect(() => {
    listeners.add(set);
    if (items !== list) set([...items]);
    return () => listeners.delete(set);
  }, []);
  // A modal panel sits in the browser's top layer; showing the toasts as a
  // popover again puts them above whatever opened last.
  useEffect(() => {
    const box = ref.current;
    if (!box || !box.showPopover) return;
    if (box.matches(":popover-open")) box.hidePopover();
    if (list.length) box.showPopover();
  }, [list]);
  return html`<div class="toasts" ref=${ref} popover="manual" role="status" aria-live="polite">
    ${list.map((t) => html`<div key=${t.id} class=${`toast ${t.kind}`}>${t.text}</div>`)}
  </div>`;
}
