// Panels and confirmations, on the browser's own modal <dialog>: focus moves
// into it and back, Esc closes it, the page behind does not scroll.

import { html, render, useEffect, useRef } from "../lib/html.js";

/** A side panel holding a form or a detail view; `onClose` is called on Esc, the close button or a click outside. */
export function Panel({ title, onClose, children, wide = false }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    dialog.showModal();
    const first = dialog.querySelector("[autofocus], input:not([type=hidden]):not([disabled]), select, textarea, button:not(.close)");
    if (first) first.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);
  const onCancel = (ev) => {
    ev.preventDefault();
    onClose();
  };
  const onClick = (ev) => {
    if (ev.target === ref.current) onClose();
  };
  return html`<dialog ref=${ref} class=${`panel${wide ? " wide" : ""}`} aria-label=${title} onCancel=${onCancel} onClick=${onClick}>
    <div class="panel-body">
      <header class="panel-head">
        <h2>${title}</h2>
        <button type="button" class="close ghost" aria-label="Close" onClick=${onClose}>×</button>
      </header>
      ${children}
    </div>
  </dialog>`;
}

function ConfirmBox({ title, message, confirmLabel, danger, done }) {
  return html`<${Panel} title=${title} onClose=${() => done(false)}>
    <p>${message}</p>
    <div class="buttons">
      <button type="button" class=${danger ? "danger" : ""} autofocus onClick=${() => done(true)}>${confirmLabel}</button>
      <button type="button" class="secondary" onClick=${() => done(false)}>Cancel</button>
    </div>
  <//>`;
}

/** Asks before something that cannot be undone; resolves to true when confirmed. */
export function confirmAction({ title, message, confirmLabel = "Delete", danger = true }) {
  return new Promise((resolve) => {
    const host = document.body.appendChild(document.createElement("div"));
    const done = (ok) => {
      render(null, host);
      host.remove();
      resolve(ok);
    };
    render(html`<${ConfirmBox} title=${title} message=${message} confirmLabel=${confirmLabel} danger=${danger} done=${done} />`, host);
  });
}
