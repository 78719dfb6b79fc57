// Loading data for a component that is not a list page: the answer, the
// error, and a way to load again.

import { useState, useEffect } from "./html.js";

/** `fn(signal)` is called on mount and whenever `deps` change or `reload()` is called. */
export function useLoad(fn, deps = []) {
  const [st, set] = useState({ data: undefined, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    set((old) => ({ ...old, loading: true, error: null }));
    fn(ctrl.signal).then((data) => set({ data, error: null, loading: false }), (error) => {
      if (error.name !== "AbortError") set({ data: undefined, error, loading: false });
    });
    return () => ctrl.abort();
  }, [...deps, n]);
  return { ...st, reload: () => setN((x) => x + 1) };
}

/**
 * Calls `fn` every `ms` while `on`, except while the tab is hidden, a panel
 * is open or rows are selected (a reload would drop the selection).
 */
export function useRefresh(ms, fn, on = true) {
  useEffect(() => {
    if (!on) return undefined;
    const t = setInterval(() => {
      if (document.hidden || document.querySelector("dialog[open], .list .bulk")) return;
      fn();
    }, ms);
    return () => clearInterval(t);
  }, [on, ms]);
}
