// Pictures of numbers: uPlot for time series and category bars, plain
// <meter>-style bars for usage against a limit. Colours come from the theme's
// CSS variables so charts follow light and dark mode.

import uPlot from "uplot";
import { html, useEffect, useRef } from "../lib/html.js";

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function axes(values) {
  const stroke = css("--muted");
  const grid = { stroke: css("--line"), width: 1 };
  return [
    { stroke, grid, ticks: grid, ...(values ? { values } : {}) },
    { stroke, grid, ticks: grid, size: 44 },
  ];
}

/** Draws a uPlot chart into the element and keeps it as wide as its box. */
function useUplot(ref, make, deps) {
  useEffect(() => {
    const box = ref.current;
    if (!box) return undefined;
    let plot = make(box.clientWidth || 300);
    box.append(plot.root);
    const ro = new ResizeObserver(() => plot.setSize({ width: box.clientWidth || 300, height: plot.height }));
    ro.observe(box);
    // A theme change redraws with the new colours.
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const redraw = () => {
      plot.destroy();
      plot = make(box.clientWidth || 300);
      box.append(plot.root);
    };
    mq.addEventListener("change", redraw);
    document.addEventListener("meshcloud:theme", redraw);
    return () => {
      ro.disconnect();
      mq.removeEventListener("change", redraw);
      document.removeEventListener("meshcloud:theme", redraw);
      plot.destroy();
    };
  }, deps);
}

/** `days`: [{day: "YYYY-MM-DD", count}] as one series over time. */
export function DailyChart({ label, days, height = 180 }) {
  const ref = useRef(null);
  useUplot(ref, (width) => {
    const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    const ys = days.map((d) => d.count);
    return new uPlot({
      width, height,
      legend: { show: false },
      cursor: { points: { show: true } },
      // Half a day either side, so the first and last bars are whole.
      scales: { x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] }, y: { range: (u, min, max) => [0, Math.max(4, max)] } },
      axes: axes(),
      series: [{}, { label, stroke: css("--accent"), fill: css("--accent-soft"), width: 2, paths: uPlot.paths.bars({ size: [0.7, 40] }) }],
    }, [xs, ys]);
  }, [JSON.stringify(days)]);
  const total = days.reduce((n, d) => n + d.count, 0);
  return html`<figure class="chart">
    <div ref=${ref} class="chart-box" role="img" aria-label=${`${label}: ${total} over ${days.length} days`}></div>
    <figcaption>${label}: ${total} in ${days.length} days</figcaption>
  </figure>`;
}

/** `items`: [{label, value}] as bars, one per category; the caption lists the numbers. */
export function BarChart({ label, items, height = 180 }) {
  const ref = useRef(null);
  useUplot(ref, (width) => new uPlot({
    width, height,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, items.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(4, max)] } },
    axes: axes((u, splits) => splits.map((i) => (Number.isInteger(i) && items[i] ? items[i].label : ""))),
    series: [{}, { label, stroke: css("--accent"), fill: css("--accent-soft"), width: 2, paths: uPlot.paths.bars({ size: [0.6, 80] }) }],
  }, [items.map((_, i) => i), items.map((it) => it.value)]), [JSON.stringify(items)]);
  return html`<figure class="chart">
    <div ref=${ref} class="chart-box" role="img" aria-label=${`${label}: ${items.map((i) => `${i.label} ${i.value}`).join(", ")}`}></div>
    <figcaption>${label}: ${items.map((i) => `${i.label} ${i.value}`).join(", ")}</figcaption>
  </figure>`;
}

/** Usage against a limit (no limit: just the number, or "of `limitLabel`" such as "unlimited"). */
export function UsageBar({ label, used, limit, limitLabel }) {
  const pct = limit ? Math.min(100, Math.round((used / limit) * 100)) : 0;
  const tone = pct >= 90 ? "bad" : pct >= 70 ? "warn" : "ok";
  return html`<div class="usage">
    <div class="usage-label"><span>${label}</span><span>${used}${limit ? ` of ${limit}` : limitLabel ? ` of ${limitLabel}` : ""}</span></div>
    ${limit ? html`<div class=${`usage-track ${tone}`} role="meter" aria-label=${label} aria-valuemin="0" aria-valuemax=${limit} aria-valuenow=${used}>
      <div class="usage-fill" style=${{ width: `${pct}%` }}></div></div>` : html`<div class="usage-track none"><div class="usage-fill"></div></div>`}
  </div>`;
}

const DAY = 86400000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * Spans of time against today, one row each: `items` [{key, label, start,
 * end (dates or ISO text), tone ("ok" | "warn" | "bad"), note}]. The bars
 * share one axis from the earliest start to the latest end (today always in
 * it); a line marks today. Each row says its dates in text too.
 */
export function Timeline({ label, items, now = Date.now() }) {
  const spans = items.map((it) => ({ ...it, s: new Date(it.start).getTime(), e: new Date(it.end).getTime() }))
    .filter((it) => Number.isFinite(it.s) && Number.isFinite(it.e));
  if (!spans.length) return null;
  const lo = Math.min(now, ...spans.map((it) => it.s));
  const hi = Math.max(now + DAY, ...spans.map((it) => it.e));
  const pad = (hi - lo) * 0.02;
  const min = lo - pad;
  const width = hi + pad - min;
  const pct = (t) => `${((t - min) / width) * 100}%`;
  return html`<figure class="timeline" aria-label=${label}>
    <div class="timeline-axis" aria-hidden="true"><span>${isoDay(lo)}</span><span>${isoDay(hi)}</span></div>
    <ul>
      ${spans.map((it) => html`<li key=${it.key} class=${`timeline-row ${it.tone || "ok"}`}>
        <span class="timeline-label">${it.label}</span>
        <span class="timeline-track">
          <span class="timeline-bar" style=${{ left: pct(it.s), width: `max(2px, ${((it.e - it.s) / width) * 100}%)` }}></span>
          <span class="timeline-today" style=${{ left: pct(now) }}></span>
        </span>
        <span class="timeline-note">${isoDay(it.s)} – ${isoDay(it.e)}${it.note ? ` · ${it.note}` : ""}</span>
      </li>`)}
    </ul>
    <figcaption>${label}. The line marks today, ${isoDay(now)}.</figcaption>
  </figure>`;
}
