// Client-side routes: the path picks the page, the query string holds a
// page's state (list paging, search, sort, filters), so a reload or a shared
// link shows the same thing.

import { html, useState, useEffect } from "./html.js";

const listeners = new Set();
const notify = () => listeners.forEach((fn) => fn(location.pathname + location.search));

window.addEventListener("popstate", notify);

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  notify();
}

/** The current path and query; the component re-renders when either changes. */
export function useLocation() {
  const [seen, set] = useState(location.pathname + location.search);
  useEffect(() => {
    listeners.add(set);
    // A navigation between the render and this effect is not missed.
    if (location.pathname + location.search !== seen) set(location.pathname + location.search);
    return () => listeners.delete(set);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Sets (or, with "" / null, removes) query parameters without a new history entry. */
export function setQuery(patch) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || v === "") q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  navigate(location.pathname + (s ? `?${s}` : ""), { replace: true });
}

/** An in-app link: a plain click navigates without reloading; others keep the browser's behaviour. */
export function Link({ href, children, onNavigate, ...rest }) {
  const onClick = (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    navigate(href);
    onNavigate?.();
  };
  return html`<a href=${href} ...${rest} onClick=${onClick}>${children}</a>`;
}
