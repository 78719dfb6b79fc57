// A secret shown once (a new token, a client secret, a one-time password):
// copy it now, then it is cleared from the screen.

import { html, useState } from "../lib/html.js";

export function SecretBox({ label = "Copy it now: it is not shown again.", value, onDone }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch (_) {
      // No clipboard (plain http): select the text so Ctrl+C works.
      const node = document.getElementById("secret-value");
      if (node) window.getSelection().selectAllChildren(node);
    }
  };
  return html`<div class="secret" role="region" aria-label="Secret shown once">
    <p>${label}</p>
    <code id="secret-value" class="secret-value">${value}</code>
    <div class="buttons">
      <button type="button" class="secondary" onClick=${copy}>${copied ? "Copied" : "Copy"}</button>
      <button type="button" onClick=${onDone}>Done</button>
    </div>
  </div>`;
}
