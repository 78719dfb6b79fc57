// The signed-in user's own schedules (docs/ops.md, "Schedules"): cron
// triggers that write an event each time they fire. List, create, edit,
// enable or disable, delete; the cron field says how it reads what is typed,
// and the server's refusal (which names the field, the number and its range)
// is shown under it.

import { html, useState } from "../lib/html.js";
import { api, seg, query, layer5List } from "../lib/api.js";
import { session, can } from "../lib/session.js";
import { navigate } from "../lib/router.js";
import { when } from "../lib/format.js";
import { useRefresh } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, Badge, RowActions, Section } from "../components/bits.js";
import { toast } from "../components/toast.js";

// How the server reads an expression, by its number of fields.
const CRON_FIELDS = {
  5: "minute hour day-of-month month weekday",
  6: "second minute hour day-of-month month weekday",
  7: "second minute hour day-of-month month weekday year",
};

const EXAMPLES = [
  ["0 3 * * *", "every day at 03:00"],
  ["*/15 * * * *", "every 15 minutes"],
  ["0 9 * * MON-FRI", "weekdays at 09:00"],
  ["0 0 1 * *", "the first of every month"],
];

function cronHint(value) {
  const n = value.trim() ? value.trim().split(/\s+/).length : 0;
  if (!n) return "5 fields: minute (0–59) hour (0–23) day-of-month (1–31) month (1–12) weekday (0–7, 0 and 7 = Sunday, or MON–SUN). Times are UTC.";
  return CRON_FIELDS[n] ? `Read as ${n} fields: ${CRON_FIELDS[n]}. Times are UTC.` : `${n} field${n === 1 ? "" : "s"}: a cron expression has 5 (or 6–7 with seconds first).`;
}

/** The cron input with a hint that follows what is typed, and examples to pick. */
function CronInput({ value, set, error, ...common }) {
  return html`<input type="text" ...${common} value=${value} maxlength="200" placeholder="0 3 * * *" spellcheck=${false} autocomplete="off"
      class="mono" onInput=${(e) => set(e.target.value)} />
    ${!error && html`<small class="cron-hint" aria-live="polite">${cronHint(value || "")}</small>`}
    <ul class="cron-examples" aria-label="Examples">${EXAMPLES.map(([expr, text]) => html`<li key=${expr}><button type="button" class="link" onClick=${() => set(expr)}><code>${expr}</code></button> ${text}</li>`)}</ul>`;
}

const FIELDS = [
  { name: "name", label: "Name", required: true, maxlength: 255 },
  { name: "cron_expression", label: "Cron expression", required: true, aliases: ["cron"], render: (p) => html`<${CronInput} ...${p} />` },
  { name: "enabled", label: "Enabled (fires at the times above)", type: "checkbox" },
];

const save = (body) => api("POST", "/user/schedules", body);

export default function SchedulesPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null: no panel; {}: a new schedule; a schedule: editing it.
  const [panel, setPanel] = useState(null);
  const close = () => setPanel(null);
  const again = () => setReload((n) => n + 1);
  // Next and last runs move as schedules fire.
  useRefresh(15000, again);
  const saved = (s) => {
    close();
    setHighlight(s.id);
    again();
  };
  const setEnabled = async (s, enabled) => {
    try {
      await save({ id: s.id, name: s.name, cron_expression: s.cron_expression, enabled });
      toast(`Schedule ${s.name} ${enabled ? "enabled" : "disabled"}.`);
      setHighlight(s.id);
    } catch (err) {
      toast(err.message, "error");
    }
    again();
  };
  const remove = async (rows) => {
    for (const s of rows) await api("DELETE", `/user/schedules/${seg(s.id)}`);
  };
  const removeOne = async (s) => {
    if (!(await confirmAction({ title: "Delete schedule", message: `Delete the schedule "${s.name}"? It stops firing; its past events stay in the log.` }))) return;
    try {
      await remove([s]);
      toast(`Schedule ${s.name} deleted.`);
    } catch (err) {
      toast(err.message, "error");
    }
    again();
  };
  const bulkEnable = (enabled) => async (rows) => {
    for (const s of rows) await save({ id: s.id, name: s.name, cron_expression: s.cron_expression, enabled });
  };
  // Firings are events in the organization selected when the schedule was made.
  const mayReadEvents = session.orgId && can("events.events.read");
  const create = html`<button type="button" onClick=${() => setPanel({})}>New schedule</button>`;

  return html`<${PageHead} title="Schedules" intro="Your own cron triggers. Each firing is recorded as an event (category schedule, action fired) that tools can follow.">${create}<//>
    <${ListPage} label="Schedules" search="Search schedules" reload=${reload} highlight=${highlight}
      load=${layer5List("/user/schedules", "schedules")}
      defaults=${{ sort: "name" }}
      columns=${[
        { key: "name", label: "Name", sort: "name", render: (s) => html`<button type="button" class="link" onClick=${() => setPanel(s)}>${s.name}</button>` },
        { key: "cron_expression", label: "Cron", render: (s) => html`<code>${s.cron_expression}</code>` },
        { key: "enabled", label: "State", render: (s) => html`<${Badge} value=${s.enabled === false ? "disabled" : "enabled"} />` },
        { key: "next_run_at", label: "Upcoming run", sort: "next_run_at", render: (s) => html`<span title=${s.next_run_at || ""}>${when(s.next_run_at) || html`<span class="muted">never</span>`}</span>` },
        { key: "last_run_at", label: "Last run", sort: "last_run_at", render: (s) => html`<span title=${s.last_run_at || ""}>${when(s.last_run_at) || html`<span class="muted">not yet</span>`}</span>` },
      ]}
      empty=${{ text: "No schedules yet. A schedule fires at the times its cron expression names.", action: create }}
      bulk=${[
        { label: "Enable", confirm: false, run: bulkEnable(true) },
        { label: "Disable", confirm: false, run: bulkEnable(false) },
        { label: "Delete", danger: true, confirm: "Delete the selected schedules? They stop firing; their past events stay in the log.", run: remove },
      ]}
      actions=${(s) => html`<${RowActions}>
        ${mayReadEvents && html`<button type="button" class="secondary small" onClick=${() => navigate(`/event-log${query({ category: "schedule", acted_upon: s.id })}`)}>Events</button>`}
        <button type="button" class="secondary small" onClick=${() => setEnabled(s, s.enabled === false)}>${s.enabled === false ? "Enable" : "Disable"}</button>
        <button type="button" class="secondary small" onClick=${() => setPanel(s)}>Edit</button>
        <button type="button" class="danger small" onClick=${() => removeOne(s)}>Delete</button>
      <//>`} />
    ${panel && html`<${Panel} title=${panel.id ? `Edit ${panel.name}` : "New schedule"} onClose=${close}>
      <${Form} fields=${FIELDS}
        initial=${panel.id ? { name: panel.name, cron_expression: panel.cron_expression, enabled: panel.enabled !== false } : { enabled: true }}
        submitLabel=${panel.id ? "Save" : "Create schedule"}
        toastText=${(s, v) => (panel.id ? `Schedule ${v.name.trim()} saved.` : `Schedule ${v.name.trim()} created.`)}
        onSubmit=${(v) => save({ ...(panel.id ? { id: panel.id } : {}), name: v.name.trim(), cron_expression: v.cron_expression.trim(), enabled: Boolean(v.enabled) })}
        onSaved=${saved} onCancel=${close} />
      ${panel.id && html`<${Section} title="Runs">
        <dl class="facts">
          <dt>Next run</dt><dd>${when(panel.next_run_at) || "never"}</dd>
          <dt>Last run</dt><dd>${when(panel.last_run_at) || "not yet"}</dd>
          <dt>Created</dt><dd>${when(panel.created_at)}</dd>
        </dl>
      <//>`}
    <//>`}`;
}
