// TLS certificates of a control plane (the API7 face, docs/gateway.md):
// list by expiry with a timeline of each one's validity against today,
// upload, replace, delete. Private keys are write-only: never shown.

import { html, useState } from "../lib/html.js";
import { api7, api7List, seg } from "../lib/api.js";
import { can } from "../lib/session.js";
import { when } from "../lib/format.js";
import { ListPage } from "../components/list.js";
import { Form } from "../components/form.js";
import { Panel, confirmAction } from "../components/dialog.js";
import { PageHead, RowActions, Badge, Section } from "../components/bits.js";
import { Timeline } from "../components/chart.js";
import { toast } from "../components/toast.js";
import { ControlPlaneScope, Labels, LabelsFilter, labelsParam, labelsField, parseLabels, TextFileInput } from "../components/gateway.js";

const certsPath = (cp) => `/api/v1/controlplanes/${seg(cp.id)}/certificates`;
const DAY = 86400000;
// The expiry job warns this long before (docs/gateway.md).
const SOON_DAYS = 30;

/** How a certificate stands today: [word, tone, days left]. */
function standing(c, now = Date.now()) {
  const left = Math.floor((new Date(c.not_after).getTime() - now) / DAY);
  if (left < 0) return ["expired", "bad", left];
  if (new Date(c.not_before).getTime() > now) return ["not yet valid", "warn", left];
  if (left <= SOON_DAYS) return [`expires in ${left === 1 ? "1 day" : `${left} days`}`, "warn", left];
  return [`${left} days left`, "ok", left];
}

const Standing = ({ cert }) => {
  const [word, tone] = standing(cert);
  return html`<${Badge} value=${word} tone=${tone} />`;
};

const names = (c) => ((c.snis || []).length ? c.snis.join(", ") : c.subject || `certificate ${c.id}`);

const pem = (name, label, required, help, aliases = []) => ({
  name, label, required, wide: true, help, aliases: [name, ...aliases],
  render: (p) => html`<${TextFileInput} ...${p} label=${label.toLowerCase()} accept=".pem,.crt,.cer,.key,.txt" placeholder="-----BEGIN …-----" />`,
});

const FIELDS = [
  pem("certificate", "Certificate", true, "PEM: the server's certificate first, then its chain.", ["cert", "leaf", "the certificate"]),
  pem("private_key", "Private key", true, "PEM (PKCS#8, PKCS#1 or SEC1). Stored sealed; it is never shown again.", ["private key", "the private key"]),
  pem("client_ca_certificate", "Client CA certificate", false, "Optional: clients must present a certificate this CA signed (mutual TLS).", ["ca_certificate", "the client ca certificate"]),
  { name: "type", label: "Type", type: "select", options: [{ value: "server" }, { value: "client", label: "client (for upstream mTLS)" }] },
  labelsField,
];

function CertificatePanel({ cp, cert, onSaved, onClose }) {
  return html`<${Panel} wide title=${cert ? `Replace ${names(cert)}` : "Upload a certificate"} onClose=${onClose}>
    ${cert && html`<p class="muted">The new certificate and key replace the stored ones; the key must be given again.</p>`}
    <${Form} fields=${FIELDS} submitLabel=${cert ? "Replace" : "Upload"}
      initial=${{ type: cert ? cert.type || "server" : "server", labels: cert ? (cert.labels || []).join(", ") : "" }}
      onSubmit=${(v) => {
        const body = { certificate: v.certificate.trim(), private_key: v.private_key.trim(), type: v.type, labels: parseLabels(v.labels) };
        if (v.client_ca_certificate.trim()) body.client_ca_certificate = v.client_ca_certificate.trim();
        return cert ? api7("PUT", `${certsPath(cp)}/${seg(cert.id)}`, body) : api7("POST", certsPath(cp), body);
      }}
      toastText=${(c) => `Certificate for ${names(c)} ${cert ? "replaced" : "uploaded"}.`}
      onSaved=${onSaved} onCancel=${onClose} />
  <//>`;
}

function Details({ cert, onClose }) {
  return html`<${Panel} wide title=${`Certificate ${names(cert)}`} onClose=${onClose}>
    <dl class="facts">
      <dt>Standing</dt><dd><${Standing} cert=${cert} /></dd>
      <dt>Names (SNI)</dt><dd>${(cert.snis || []).map((s) => html`<code key=${s}>${s}</code> `)}</dd>
      <dt>Subject</dt><dd>${cert.subject}</dd>
      <dt>Issuer</dt><dd>${cert.issuer}</dd>
      <dt>Valid from</dt><dd>${when(cert.not_before)}</dd>
      <dt>Valid until</dt><dd>${when(cert.not_after)}</dd>
      <dt>Serial number</dt><dd><code>${cert.serial_number}</code></dd>
      <dt>Signature</dt><dd>${cert.signature_algorithm}</dd>
      <dt>Type</dt><dd>${cert.type}</dd>
      <dt>Client CA</dt><dd>${cert.client_ca_certificate ? "yes: clients must present a certificate it signed" : "none"}</dd>
      ${(cert.labels || []).length > 0 && html`<dt>Labels</dt><dd><${Labels} labels=${cert.labels} /></dd>`}
      <dt>Uploaded</dt><dd>${when(cert.created_at)}</dd>
      <dt>Changed</dt><dd>${when(cert.updated_at)}</dd>
    </dl>
    <h3>Certificate</h3>
    <pre class="json">${cert.certificate}</pre>
  <//>`;
}

function Certificates({ cp }) {
  const [reload, setReload] = useState(0);
  const [highlight, setHighlight] = useState(null);
  const [rows, setRows] = useState([]);
  // null, {create: true}, {replace: cert}, {show: cert}
  const [panel, setPanel] = useState(null);
  const manage = can("gateway.certificates.manage");
  const close = () => setPanel(null);
  const saved = (c) => {
    close();
    if (c && c.id) setHighlight(c.id);
    setReload((n) => n + 1);
  };
  const remove = async (c) => {
    if (!(await confirmAction({ title: "Delete certificate", message: `Delete the certificate for ${names(c)}? The gateways stop serving TLS with it.` }))) return;
    try {
      await api7("DELETE", `${certsPath(cp)}/${seg(c.id)}`);
      toast(`Certificate for ${names(c)} deleted.`);
      setReload((n) => n + 1);
    } catch (err) {
      toast(err.message, "error");
    }
  };
  const create = manage && html`<button type="button" onClick=${() => setPanel({ create: true })}>Upload certificate</button>`;
  return html`${rows.length > 0 && html`<${Section} title="Validity">
      <${Timeline} label="Validity of the certificates on this page" items=${rows.map((c) => {
        const [word, tone] = standing(c);
        return { key: c.id, label: names(c), start: c.not_before, end: c.not_after, tone, note: word };
      })} />
    <//>`}
    <${ListPage} label="Certificates" search=${false} reload=${reload} highlight=${highlight} onRows=${setRows}
      load=${api7List(certsPath(cp), labelsParam)}
      filters=${[{ name: "labels", label: "Labels", render: (p) => html`<${LabelsFilter} ...${p} />` }]}
      defaults=${{ sort: "expiry_time", dir: "asc" }}
      toolbar=${create}
      rowClass=${(c) => `standing-${standing(c)[1]}`}
      columns=${[
        { key: "snis", label: "Names", render: (c) => html`<button type="button" class="link" onClick=${() => setPanel({ show: c })}>${names(c)}</button>` },
        { key: "issuer", label: "Issuer" },
        { key: "type", label: "Type" },
        { key: "not_before", label: "Valid from", render: (c) => when(c.not_before) },
        { key: "not_after", label: "Expires", sort: "expiry_time", render: (c) => html`${when(c.not_after)} <${Standing} cert=${c} />` },
        { key: "labels", label: "Labels", render: (c) => html`<${Labels} labels=${c.labels} />` },
        { key: "updated_at", label: "Changed", sort: "updated_at", render: (c) => when(c.updated_at) },
      ]}
      empty=${{ text: "No certificates yet. A certificate lets the gateways serve its names over TLS.", action: create }}
      actions=${(c) => html`<${RowActions}>
        <button type="button" class="secondary small" onClick=${() => setPanel({ show: c })}>Details</button>
        ${manage && html`<button type="button" class="secondary small" onClick=${() => setPanel({ replace: c })}>Replace</button>
          <button type="button" class="danger small" onClick=${() => remove(c)}>Delete</button>`}
      <//>`} />
    ${panel && (panel.create || panel.replace) && html`<${CertificatePanel} cp=${cp} cert=${panel.replace} onSaved=${saved} onClose=${close} />`}
    ${panel && panel.show && html`<${Details} cert=${panel.show} onClose=${close} />`}`;
}

export default function CertificatesPage() {
  return html`<${PageHead} title="Certificates" intro="The TLS certificates a control plane's gateways serve, soonest to expire first. Private keys are write-only: stored sealed, never shown." />
    <${ControlPlaneScope} what="Certificates">${(cp) => html`<${Certificates} key=${cp.id} cp=${cp} />`}<//>`;
}
