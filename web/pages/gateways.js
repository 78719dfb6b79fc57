// API gateway control planes of the selected organization (the API7 face,
// docs/gateway.md): list, create, the settings and policies a gateway runs
// with, and the APISIX configuration a gateway loads.

import { html, useState } from "../lib/html.js";
import { api7, api7List, seg, download, query } from "../lib/api.js";
import { can } from "../lib/session.js";
import { navigate } from "../lib/router.js";
import { when } from "../lib/format.js";
import { useLoad, useRefresh } from "../lib/load.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel } from "../components/dialog.js";
import { PageHead, RowActions, Section } from "../components/bits.js";
import { toast } from "../components/toast.js";
import { CpStatus, cpsPath, parseObject } from "../components/gateway.js";

// Pending and creating control planes move on their own (the provisioning job).
const MOVING = [1, 2, 5];

const SERVER_HEADER_MODES = [{ value: "", label: "unchanged" }, { value: "Rewrite" }, { value: "Hide Version Token" }];

export async function downloadConfig(cp) {
  try {
    await download(`/api/v1/controlplanes/${seg(cp.id)}/config/apisix.yaml`, `apisix-${cp.name.replace(/[^A-Za-z0-9_.-]+/g, "-")}.yaml`);
    toast(`APISIX configuration of ${cp.name} downloaded.`);
  } catch (err) {
    toast(err.message, "error");
  }
}

// The settings as form values and back; fields the form does not show are kept.
const CS = "client_settings";
const OS = "observability_settings";
const PS = "api_proxy_settings";

function settingsValues(cp) {
  const s = cp.settings || {};
  const c = s[CS] || {};
  const ip = c.client_real_ip || {};
  const o = s[OS] || {};
  const rot = o.access_log_rotate || {};
  const p = s[PS] || {};
  const sh = p.server_header_customization || {};
  return {
    real_ip_enabled: Boolean(ip.enabled),
    real_ip_position: (ip.replace_from && ip.replace_from.position) || "header",
    real_ip_name: (ip.replace_from && ip.replace_from.name) || "",
    trusted_addresses: (ip.trusted_addresses || []).join("\n"),
    recursive_search: Boolean(ip.recursive_search),
    maximum_request_body_size: String(c.maximum_request_body_size ?? 0),
    metrics: Boolean(o.metrics && o.metrics.enabled),
    show_upstream_status: Boolean(o.show_upstream_status_in_response_header),
    rotate: Boolean(rot.enabled),
    rotate_interval: String(rot.interval ?? ""),
    rotate_kept: String(rot.maximum_kept_log_entries ?? ""),
    rotate_compression: Boolean(rot.enable_compression),
    request_buffering: Boolean(p.enable_request_buffering),
    server_header_mode: sh.mode || "",
    new_server_header: sh.new_server_header || "",
    delete_tail_slash: (p.url_handling_options || []).includes("Delete Tail Slash"),
    policies: JSON.stringify(cp.policies || {}, null, 2),
  };
}

const num = (x) => (String(x ?? "").trim() === "" ? 0 : Number(x));

function configBody(cp, v) {
  const s = cp.settings || {};
  const c = s[CS] || {};
  const ip = c.client_real_ip || {};
  const o = s[OS] || {};
  const p = s[PS] || {};
  const others = (p.url_handling_options || []).filter((x) => x !== "Delete Tail Slash");
  const sh = { ...(p.server_header_customization || {}), mode: v.server_header_mode };
  if (v.server_header_mode === "Rewrite") sh.new_server_header = v.new_server_header.trim();
  else delete sh.new_server_header;
  // Each settings object given replaces the stored one (docs/gateway.md).
  return {
    [CS]: {
      ...c,
      client_real_ip: {
        ...ip,
        enabled: v.real_ip_enabled,
        replace_from: { ...(ip.replace_from || {}), position: v.real_ip_position, name: v.real_ip_name.trim() },
        trusted_addresses: v.trusted_addresses.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean),
        recursive_search: v.recursive_search,
      },
      maximum_request_body_size: num(v.maximum_request_body_size),
    },
    [OS]: {
      ...o,
      metrics: { ...(o.metrics || {}), enabled: v.metrics },
      show_upstream_status_in_response_header: v.show_upstream_status,
      access_log_rotate: {
        ...(o.access_log_rotate || {}),
        enabled: v.rotate,
        interval: num(v.rotate_interval),
        maximum_kept_log_entries: num(v.rotate_kept),
        enable_compression: v.rotate_compression,
      },
    },
    [PS]: {
      ...p,
      enable_request_buffering: v.request_buffering,
      // No mode: the header is left as the gateway sends it.
      server_header_customization: v.server_header_mode ? sh : undefined,
      url_handling_options: v.delete_tail_slash ? [...others, "Delete Tail Slash"] : others,
    },
    policies: parseObject(v.policies, "Policies").value,
  };
}

const SETTINGS_FIELDS = [
  { name: "h_ip", type: "heading", label: "Client real IP" },
  { name: "real_ip_enabled", type: "checkbox", label: "Take the client's address from a header, query parameter or cookie", wide: true,
    aliases: [`${CS}.client_real_ip.enabled`, `${CS}.client_real_ip`] },
  { name: "real_ip_position", label: "Taken from", type: "select", options: [{ value: "header" }, { value: "query" }, { value: "cookie" }],
    aliases: [`${CS}.client_real_ip.replace_from.position`, "position"] },
  { name: "real_ip_name", label: "Its name", maxlength: 256, placeholder: "X-Forwarded-For",
    aliases: [`${CS}.client_real_ip.replace_from.name`, `${CS}.client_real_ip.replace_from`] },
  { name: "trusted_addresses", label: "Trusted proxy addresses", type: "textarea", rows: 3, wide: true, placeholder: "10.0.0.0/8",
    help: "IP addresses or CIDR ranges, one per line: only their word is taken.", aliases: [`${CS}.client_real_ip.trusted_addresses`, "trusted_addresses"] },
  { name: "recursive_search", type: "checkbox", label: "Search the addresses recursively (the last untrusted one)", wide: true,
    aliases: [`${CS}.client_real_ip.recursive_search`] },
  { name: "h_body", type: "heading", label: "Requests" },
  { name: "maximum_request_body_size", label: "Maximum request body size (bytes)", type: "number", min: 0,
    help: "0: unlimited.", aliases: [`${CS}.maximum_request_body_size`, "maximum_request_body_size"] },
  { name: "request_buffering", type: "checkbox", label: "Buffer request bodies before proxying", wide: true,
    aliases: [`${PS}.enable_request_buffering`] },
  { name: "server_header_mode", label: "Server header", type: "select", options: SERVER_HEADER_MODES,
    aliases: [`${PS}.server_header_customization.mode`, `${PS}.server_header_customization`] },
  { name: "new_server_header", label: "New Server header", maxlength: 256, help: "With Rewrite.",
    aliases: [`${PS}.server_header_customization.new_server_header`] },
  { name: "delete_tail_slash", type: "checkbox", label: "Delete a trailing slash from request paths", wide: true,
    aliases: [`${PS}.url_handling_options`] },
  { name: "h_obs", type: "heading", label: "Observability" },
  { name: "metrics", type: "checkbox", label: "Collect gateway metrics", wide: true, aliases: [`${OS}.metrics.enabled`, `${OS}.metrics`] },
  { name: "show_upstream_status", type: "checkbox", label: "Always show upstream statuses in X-APISIX-Upstream-Status", wide: true,
    aliases: [`${OS}.show_upstream_status_in_response_header`] },
  { name: "rotate", type: "checkbox", label: "Rotate access logs", wide: true, aliases: [`${OS}.access_log_rotate.enabled`, `${OS}.access_log_rotate`] },
  { name: "rotate_interval", label: "Rotation interval (seconds)", type: "number", min: 0, aliases: [`${OS}.access_log_rotate.interval`] },
  { name: "rotate_kept", label: "Log files kept", type: "number", min: 0, aliases: [`${OS}.access_log_rotate.maximum_kept_log_entries`] },
  { name: "rotate_compression", type: "checkbox", label: "Compress rotated logs", wide: true, aliases: [`${OS}.access_log_rotate.enable_compression`] },
  { name: "h_pol", type: "heading", label: "Policies" },
  { name: "policies", label: "Policies (plugin name → configuration, JSON)", type: "textarea", rows: 6, wide: true,
    help: "Plugins every route of this control plane runs, e.g. {\"cors\": {}}.", aliases: ["policies", "policy"] },
];

/** The settings as read, for those who may not change them. */
function SettingsFacts({ cp }) {
  const v = settingsValues(cp);
  const yes = (b) => (b ? "yes" : "no");
  return html`<dl class="facts">
    <dt>Client real IP</dt><dd>${v.real_ip_enabled ? `from the ${v.real_ip_position} ${v.real_ip_name}` : "off"}</dd>
    ${v.real_ip_enabled && html`<dt>Trusted addresses</dt><dd>${v.trusted_addresses.replace(/\n/g, ", ") || "none"}</dd>
      <dt>Recursive search</dt><dd>${yes(v.recursive_search)}</dd>`}
    <dt>Maximum request body size</dt><dd>${Number(v.maximum_request_body_size) ? `${Number(v.maximum_request_body_size).toLocaleString()} bytes` : "unlimited"}</dd>
    <dt>Request buffering</dt><dd>${yes(v.request_buffering)}</dd>
    <dt>Server header</dt><dd>${v.server_header_mode ? `${v.server_header_mode}${v.server_header_mode === "Rewrite" ? `: ${v.new_server_header}` : ""}` : "unchanged"}</dd>
    <dt>Delete trailing slash</dt><dd>${yes(v.delete_tail_slash)}</dd>
    <dt>Metrics</dt><dd>${yes(v.metrics)}</dd>
    <dt>Upstream statuses in header</dt><dd>${yes(v.show_upstream_status)}</dd>
    <dt>Access log rotation</dt><dd>${v.rotate ? `every ${v.rotate_interval} s, ${v.rotate_kept} kept${v.rotate_compression ? ", compressed" : ""}` : "off"}</dd>
  </dl>
  <h3>Policies</h3>
  <pre class="json">${v.policies}</pre>`;
}

function ControlPlanePanel({ id, onChanged, onClose }) {
  const cp = useLoad(async (signal) => api7("GET", await cpsPath(signal, `/${seg(id)}`), undefined, { signal }), [id]);
  const manage = can("gateway.controlplanes.manage");
  const d = cp.data;
  return html`<${Panel} wide title=${d ? `Control plane ${d.name}` : "Control plane"} onClose=${onClose}>
    ${cp.error ? html`<p class="error" role="alert">${cp.error.message}</p>`
    : !d ? html`<p class="muted" aria-busy="true">Loading…</p>`
    : html`<dl class="facts">
        <dt>ID</dt><dd>${d.id}</dd>
        <dt>Status</dt><dd><${CpStatus} value=${d.status} /></dd>
        <dt>Domain</dt><dd><code>${d.domain}</code></dd>
        <dt>Config version</dt><dd>${d.config_version}</dd>
        <dt>Created</dt><dd>${when(d.created_at)}</dd>
        <dt>Changed</dt><dd>${when(d.updated_at)}</dd>
      </dl>
      <div class="buttons">
        ${can("gateway.controlplanes.export") && html`<button type="button" class="secondary" onClick=${() => downloadConfig(d)}>Download APISIX config</button>`}
        ${["applications", "consumers", "certificates"].map((part) => html`<button type="button" class="secondary" key=${part}
          onClick=${() => navigate(`/gateways/${part}${query({ cp: d.id })}`)}>${part[0].toUpperCase()}${part.slice(1)}</button>`)}
      </div>
      <${Section} title="Settings">
        ${manage ? html`<${Form} key=${d.config_version} fields=${SETTINGS_FIELDS} initial=${settingsValues(d)} submitLabel="Save settings"
            validate=${(v) => ({ policies: parseObject(v.policies, "Policies").error })}
            onSubmit=${async (v) => {
              await api7("PATCH", await cpsPath(undefined, `/${seg(d.id)}/config`), configBody(d, v));
              return d;
            }}
            toastText=${`Settings of ${d.name} saved.`}
            onSaved=${() => { cp.reload(); onChanged(); }} onCancel=${onClose} />`
        : html`<${SettingsFacts} cp=${d} />`}
      <//>`}
  <//>`;
}

export default function ControlPlanesPage() {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  // null, {create: true}, {show: id}
  const [panel, setPanel] = useState(null);
  const [moving, setMoving] = useState(false);
  const again = () => setReload((n) => n + 1);
  useRefresh(2000, again, moving);
  const close = () => setPanel(null);
  const manage = can("gateway.controlplanes.manage");
  const create = manage && html`<button type="button" onClick=${() => setPanel({ create: true })}>New control plane</button>`;
  return html`<${PageHead} title="Control planes" intro="Each control plane configures a fleet of API gateways (Apache APISIX): its applications, consumers and certificates, and the settings every gateway runs with. A gateway loads the APISIX configuration it renders.">${create}<//>
    <${ListPage} label="Control planes" search=${false} reload=${reload} highlight=${highlight}
      load=${api7List((signal) => cpsPath(signal))}
      onRows=${(rows) => setMoving(rows.some((c) => MOVING.includes(c.status)))}
      defaults=${{ sort: "created_at", dir: "desc" }}
      columns=${[
        { key: "name", label: "Name", render: (c) => html`<button type="button" class="link" onClick=${() => setPanel({ show: c.id })}>${c.name}</button>` },
        { key: "status", label: "Status", render: (c) => html`<${CpStatus} value=${c.status} />` },
        { key: "config_version", label: "Config version" },
        { key: "domain", label: "Domain", render: (c) => html`<code>${c.domain}</code>` },
        { key: "created_at", label: "Created", sort: "created_at", render: (c) => when(c.created_at) },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (c) => when(c.updated_at) },
      ]}
      empty=${{ text: "No control planes yet. A control plane holds the applications, consumers and certificates its gateways serve.", action: create }}
      actions=${(c) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ show: c.id })}>${manage ? "Settings" : "Details"}</button>
        <button type="button" class="secondary small" onClick=${() => navigate(`/gateways/applications${query({ cp: c.id })}`)}>Applications</button>
        ${can("gateway.controlplanes.export") && html`<button type="button" class="secondary small" onClick=${() => downloadConfig(c)}>APISIX config</button>`}
      <//>`} />
    ${panel && panel.create && html`<${Panel} title="New control plane" onClose=${close}>
      <p class="muted">It starts pending and is ready (normal) within seconds.</p>
      <${Form} fields=${[{ name: "name", label: "Name", required: true, maxlength: 64 }]} submitLabel="Create control plane"
        onSubmit=${async (v) => api7("POST", await cpsPath(), { name: v.name.trim() })}
        toastText=${(c) => `Control plane ${c.name} created.`}
        onSaved=${(c) => { close(); setHighlight(c.id); again(); }} onCancel=${close} />
    <//>`}
    ${panel && panel.show && html`<${ControlPlanePanel} id=${panel.show} onChanged=${again} onClose=${close} />`}`;
}
