// A design drawn as a graph: components are nodes, hierarchical
// relationships nest a component inside its parent, edge relationships are
// arrows. Drawn by the vendored cytoscape; colours follow the theme.

import cytoscape from "cytoscape";
import { html, useEffect, useRef } from "../lib/html.js";

// Cytoscape adds an inline <style> for its container unless an element with
// this id exists; the CSP refuses inline styles, and style.css has the rule.
function markStylesheet() {
  const id = "__________cytoscape_stylesheet";
  if (!document.getElementById(id)) document.head.append(Object.assign(document.createElement("meta"), { id, name: "cytoscape-stylesheet", content: "/style.css" }));
}

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** The component ids a relationship joins, from its selectors' allow lists. */
export function ends(rel) {
  const from = new Set();
  const to = new Set();
  for (const sel of rel.selectors || []) {
    for (const f of sel?.allow?.from || []) if (f.id) from.add(f.id);
    for (const t of sel?.allow?.to || []) if (t.id) to.add(t.id);
  }
  return { from: [...from], to: [...to] };
}

/** Cytoscape elements for a design document. */
export function elements(design) {
  const ids = new Set((design.components || []).map((c) => c.id));
  const parent = new Map();
  const edges = [];
  for (const rel of design.relationships || []) {
    if (rel.status === "deleted") continue;
    const { from, to } = ends(rel);
    for (const f of from) {
      for (const t of to) {
        if (!ids.has(f) || !ids.has(t) || f === t) continue;
        // Hierarchical parent relationships: "from" sits inside "to".
        if (rel.kind === "hierarchical" && rel.type === "parent") parent.set(f, t);
        else edges.push({ data: { id: `${rel.id}:${f}:${t}`, source: f, target: t, label: rel.subType || rel.type || rel.kind, kind: rel.kind } });
      }
    }
  }
  const nodes = (design.components || []).map((c) => ({
    data: { id: c.id, label: `${c.displayName || c.id}\n${c.component?.kind || ""}`, parent: parent.get(c.id) },
  }));
  return [...nodes, ...edges];
}

export function DesignGraph({ design, height = 420 }) {
  const ref = useRef(null);
  useEffect(() => {
    markStylesheet();
    const draw = () => cytoscape({
      container: ref.current,
      elements: elements(design),
      style: [
        { selector: "node", style: { label: "data(label)", "text-wrap": "wrap", "text-valign": "bottom", "font-size": 10, color: css("--text"), "background-color": css("--accent"), width: 22, height: 22 } },
        { selector: ":parent", style: { "background-color": css("--surface-2"), "border-color": css("--line"), "border-width": 1, "text-valign": "top", shape: "round-rectangle", padding: 12 } },
        { selector: "edge", style: { label: "data(label)", "font-size": 9, color: css("--muted"), width: 1.5, "line-color": css("--muted"), "target-arrow-color": css("--muted"), "target-arrow-shape": "triangle", "curve-style": "bezier" } },
        { selector: "edge[kind = 'sibling']", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true },
    });
    let cy = draw();
    const redraw = () => { cy.destroy(); cy = draw(); };
    document.addEventListener("meshcloud:theme", redraw);
    return () => {
      document.removeEventListener("meshcloud:theme", redraw);
      cy.destroy();
    };
  }, [JSON.stringify(design.components?.map((c) => c.id)), JSON.stringify(design.relationships?.map((r) => r.id))]);
  const n = (design.components || []).length;
  const m = (design.relationships || []).filter((r) => r.status !== "deleted").length;
  return html`<figure class="chart graph">
    <div ref=${ref} class="graph-box" style=${{ height: `${height}px` }} role="img" aria-label=${`Design graph: ${n} components, ${m} relationships`}></div>
    <figcaption>${n} components, ${m} relationships</figcaption>
  </figure>`;
}
