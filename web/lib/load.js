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
