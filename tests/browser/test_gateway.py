"""API gateways (the API7 face): a control plane created and provisioned,
its settings edited, an application with an upstream and an API, published
and unpublished, an OpenAPI import, consumers with write-only credentials and
a JSON Web Token shown once, certificates with their validity timeline, the
APISIX configuration downloaded; a member sees it all read-only."""

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from playwright.sync_api import expect

from conftest import BASE, confirm, new_account, open_page, panel, row, row_action, shot, sign_in, sign_in_as, toast

PETSTORE = {
    "openapi": "3.0.3",
    "info": {"title": "Petstore", "description": "Pets to buy", "version": "1.0.0"},
    "servers": [{"url": "http://petstore.example.com:8080/v1"}],
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "responses": {"200": {"description": "pets"}}},
            "post": {"operationId": "createPet", "responses": {"201": {"description": "created"}}},
        },
        "/pets/{petId}": {"get": {"operationId": "showPetById", "responses": {"200": {"description": "a pet"}}}},
    },
}


MEMBER_PASSWORD = "gateway-member-1"


def payload(answer):
    assert answer["status"]["code"] == 0, answer
    return answer.get("payload")


def org_num(api, org):
    """The API7 id of the organization with UUID `org`."""
    me = payload(api.get("/api/v1/user/me"))
    return next(str(o["id"]) for o in me["organizations"] if o["uuid"] == org)


def control_plane(api, org, name="edge"):
    """A control plane of `org`, made through the API; its payload."""
    return payload(api.post(f"/api/v1/orgs/{org_num(api, org)}/controlplanes", {"name": name}))


def cert_pair(cn, days_left, days_old=1):
    """A self-signed P-256 certificate for `cn` and its key, in PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=days_old))
        .not_valid_after(now + timedelta(days=days_left, hours=12))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode(), key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def b64url(data):
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def scope(page):
    """The control plane choice the gateway pages share."""
    return page.get_by_role("combobox", name="Control plane")


def test_control_plane_application_import_and_config(page, api, tmp_path):
    org = api.org(f"gw {uuid.uuid4().hex[:8]}")
    sign_in(page, org)
    open_page(page, "/gateways", "Control planes")
    expect(page.locator(".empty-state")).to_contain_text("No control planes yet")
    # The other pages point to this one while there is none.
    open_page(page, "/gateways/applications", "Applications")
    expect(page.locator(".empty-state")).to_contain_text("create one on the Control planes page")
    page.get_by_role("link", name="Control planes", exact=True).last.click()
    expect(page.locator("#page-title")).to_have_text("Control planes")

    # Create: pending at first, normal within seconds (the provisioning job), the page following it.
    page.get_by_role("button", name="New control plane").first.click()
    panel(page).get_by_label(re.compile(r"^Name")).fill("edge")
    panel(page).get_by_role("button", name="Create control plane").click()
    toast(page, "Control plane edge created.")
    expect(row(page, "edge").locator(".badge")).to_have_text(re.compile("pending|creating|normal"))
    expect(row(page, "edge").locator(".badge")).to_have_text("normal", timeout=30_000)
    shot(page, "gateways")
    cp = payload(api.get(f"/api/v1/orgs/{org_num(api, org)}/controlplanes"))["list"][0]
    version = cp["config_version"]

    # Settings: the client's real IP from a header, a body size limit, a policy.
    row_action(page, "edge", "Settings")
    expect(panel(page).get_by_role("button", name="Download APISIX config")).to_be_visible()
    panel(page).get_by_label("Take the client's address").check()
    panel(page).get_by_label("Its name").fill("X-Real-IP")
    panel(page).get_by_label("Trusted proxy addresses").fill("10.0.0.0/8\n192.168.1.1")
    panel(page).get_by_label("Maximum request body size").fill("1048576")
    panel(page).get_by_label("Delete a trailing slash").check()
    panel(page).get_by_label(re.compile(r"^Policies")).fill("not json")
    panel(page).get_by_role("button", name="Save settings").click()
    expect(panel(page).locator(".field-error")).to_contain_text("not valid JSON")
    panel(page).get_by_label(re.compile(r"^Policies")).fill('{"cors": {"allow_origins": "*"}}')
    shot(page, "gateways-settings")
    panel(page).get_by_role("button", name="Save settings").click()
    toast(page, "Settings of edge saved.")
    got = payload(api.get(f"/api/v1/orgs/{org_num(api, org)}/controlplanes/{cp['id']}"))
    ip = got["settings"]["client_settings"]["client_real_ip"]
    assert ip["enabled"] is True and ip["replace_from"]["name"] == "X-Real-IP", got
    assert ip["trusted_addresses"] == ["10.0.0.0/8", "192.168.1.1"], got
    assert got["settings"]["client_settings"]["maximum_request_body_size"] == 1048576, got
    assert "Delete Tail Slash" in got["settings"]["api_proxy_settings"]["url_handling_options"], got
    assert got["policies"] == {"cors": {"allow_origins": "*"}}, got
    assert got["config_version"] > version, got
    # The form shows what was saved.
    expect(panel(page).get_by_label("Its name")).to_have_value("X-Real-IP")
    page.keyboard.press("Escape")

    # An application with an upstream of two weighted targets.
    row_action(page, "edge", "Applications")
    expect(page.locator("#page-title")).to_have_text("Applications")
    expect(scope(page)).to_have_value(str(cp["id"]))
    page.get_by_role("button", name="New application").first.click()
    form = panel(page)
    form.get_by_label(re.compile(r"^Name")).fill("shop")
    form.get_by_label(re.compile(r"^Path prefix")).fill("/shop")
    form.get_by_label(re.compile(r"^Hosts")).fill("shop.example.com\napi.example.com")
    form.get_by_label("Target host").fill("10.0.0.5")
    form.get_by_label("Target port").fill("8080")
    form.get_by_label("Target weight").fill("70")
    form.get_by_role("button", name="Add target").click()
    form.get_by_label("Target host").nth(1).fill("10.0.0.6")
    form.get_by_label("Target port").nth(1).fill("8080")
    form.get_by_label("Target weight").nth(1).fill("30")
    form.get_by_label("Labels").fill("team-a, public")
    shot(page, "gateway-application-new")
    form.get_by_role("button", name="Create application").click()
    toast(page, "Application shop created.")
    expect(row(page, "shop")).to_contain_text("published")
    app = payload(api.get(f"/api/v1/controlplanes/{cp['id']}/apps"))["list"][0]
    targets = app["upstreams"][0]["upstream"]["targets"]
    assert [(t["host"], t["port"], t["weight"]) for t in targets] == [("10.0.0.5", 8080, 70), ("10.0.0.6", 8080, 30)], app
    assert app["default_upstream_version"] == "default" and sorted(app["labels"]) == ["public", "team-a"], app

    # The labels filter and the search narrow the list.
    page.get_by_label("Labels", exact=True).fill("nobody")
    page.get_by_label("Labels", exact=True).press("Enter")
    expect(page.locator(".empty-state")).to_contain_text("Nothing matches")
    page.get_by_role("button", name="Clear search and filters").click()
    expect(row(page, "shop")).to_be_visible()

    # Unpublish and publish again.
    row_action(page, "shop", "Unpublish")
    toast(page, "Application shop unpublished.")
    expect(row(page, "shop")).to_contain_text("unpublished")
    assert payload(api.get(f"/api/v1/controlplanes/{cp['id']}/apps/{app['id']}"))["active"] == 1
    row_action(page, "shop", "Publish")
    toast(page, "Application shop published.")
    expect(row(page, "shop").locator(".badge", has_text="published")).to_have_text("published")

    # Its page: the routing and its APIs.
    row(page, "shop").get_by_role("button", name="shop", exact=True).click()
    expect(page.locator("#page-title")).to_have_text("Application shop")
    expect(page.locator("section.card", has_text="Routing")).to_contain_text("10.0.0.5:8080")
    expect(page.locator(".empty-state")).to_contain_text("No APIs yet")
    page.get_by_role("button", name="New API").first.click()
    form = panel(page)
    form.get_by_label(re.compile(r"^Name")).fill("list pets")
    form.get_by_label("Path", exact=True).fill("/pets")
    form.get_by_label("Path match").select_option("Exact")
    form.get_by_label("GET", exact=True).check()
    form.get_by_label("Strip the application's path prefix").check()
    form.get_by_role("button", name="Create API").click()
    toast(page, "API list pets created.")
    expect(row(page, "list pets")).to_contain_text("/pets")
    expect(row(page, "list pets")).to_contain_text("GET")
    apis = payload(api.get(f"/api/v1/apps/{app['id']}/apis"))["list"]
    assert apis[0]["paths"] == [{"path": "/pets", "path_type": "Exact"}] and apis[0]["methods"] == ["GET"], apis
    assert apis[0]["strip_path_prefix"] is True, apis
    # A refusal shows under the field it is about: a path must start with "/".
    page.get_by_role("button", name="New API").first.click()
    panel(page).get_by_label(re.compile(r"^Name")).fill("broken")
    panel(page).get_by_label("Path", exact=True).fill("no-slash")
    panel(page).get_by_role("button", name="Create API").click()
    expect(panel(page).locator(".field-error, p.error").first).to_be_visible()
    page.keyboard.press("Escape")
    # Edit: all methods again.
    row_action(page, "list pets", "Edit")
    panel(page).get_by_label("GET", exact=True).uncheck()
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "API list pets saved.")
    expect(row(page, "list pets")).to_contain_text("all")
    row_action(page, "list pets", "Unpublish")
    expect(row(page, "list pets")).to_contain_text("unpublished")
    assert payload(api.get(f"/api/v1/apps/{app['id']}/apis/{apis[0]['id']}"))["active"] == 1
    shot(page, "gateway-application")
    row_action(page, "list pets", "Publish")
    expect(row(page, "list pets").locator(".badge", has_text="published")).to_have_text("published")

    # Import from OpenAPI: a refusal first, then the Petstore document as a file.
    page.get_by_role("link", name="← All applications").click()
    expect(page.locator("#page-title")).to_have_text("Applications")
    page.get_by_role("button", name="Import OpenAPI").click()
    panel(page).get_by_label(re.compile(r"^OpenAPI document")).fill('{"swagger": "2.0", "info": {"title": "old"}, "paths": {}}')
    panel(page).get_by_role("button", name="Import").click()
    expect(panel(page).locator(".field-error, p.error").first).to_be_visible()
    doc = tmp_path / "petstore.json"
    doc.write_text(json.dumps(PETSTORE))
    panel(page).get_by_label("Load the OpenAPI document from a file").set_input_files(str(doc))
    expect(panel(page).get_by_label(re.compile(r"^OpenAPI document"))).to_have_value(re.compile("Petstore"))
    panel(page).get_by_role("button", name="Import").click()
    expect(panel(page).get_by_role("status")).to_contain_text("Petstore")
    imported = panel(page).get_by_role("table", name="Imported APIs").locator("tbody tr")
    expect(imported).to_have_count(3)
    shot(page, "gateway-import")
    panel(page).get_by_role("button", name="Open the application").click()
    expect(page.locator("#page-title")).to_have_text("Application Petstore")
    expect(page.locator("tbody tr")).to_have_count(3)
    # Delete all of its APIs, then the application.
    page.get_by_role("button", name="Delete all APIs").click()
    confirm(page)
    toast(page, "All APIs of Petstore deleted.")
    expect(page.locator(".empty-state")).to_contain_text("No APIs yet")
    page.get_by_role("button", name="Delete", exact=True).click()
    confirm(page)
    toast(page, "Application Petstore deleted.")
    expect(page.locator("#page-title")).to_have_text("Applications")
    expect(row(page, "Petstore")).to_have_count(0)

    # The APISIX configuration, fetched with the session and offered as a file.
    open_page(page, "/gateways", "Control planes")
    with page.expect_download() as download:
        row_action(page, "edge", "APISIX config")
    assert download.value.suggested_filename == "apisix-edge.yaml"
    text = open(download.value.path()).read()
    assert "shop.example.com" in text and "10.0.0.5" in text, text
    assert text.rstrip().endswith("#END"), text


def test_consumers_credentials_and_jwt(page, api):
    org = api.org(f"gw {uuid.uuid4().hex[:8]}")
    cp = control_plane(api, org)
    sign_in(page, org)
    open_page(page, "/gateways/consumers", "Consumers")
    expect(page.locator(".empty-state")).to_contain_text("No consumers yet")

    page.get_by_role("button", name="New consumer").first.click()
    form = panel(page)
    form.get_by_label(re.compile(r"^Name")).fill("mobile app")
    form.get_by_label("API key (key-auth)").check()
    form.get_by_label("key-auth key", exact=True).fill("k-secret-123")
    form.get_by_label("JSON Web Token (jwt-auth)").check()
    form.get_by_label("jwt-auth key", exact=True).fill("mobile-jwt")
    form.get_by_label("jwt-auth secret", exact=True).fill("jwt-secret-456")
    shot(page, "gateway-consumer-new")
    form.get_by_role("button", name="Create consumer").click()
    # The name's rule, under the name.
    expect(form.locator(".field.invalid .field-error")).to_be_visible()
    form.get_by_label(re.compile(r"^Name")).fill("mobile_app")
    form.get_by_role("button", name="Create consumer").click()
    toast(page, "Consumer mobile_app created.")
    expect(row(page, "mobile_app")).to_contain_text("key-auth")
    expect(row(page, "mobile_app")).to_contain_text("jwt-auth")
    listed = api.s.get(f"{BASE}/api/v1/controlplanes/{cp['id']}/consumers", timeout=30).text
    assert "k-secret-123" not in listed and "jwt-secret-456" not in listed, listed

    # Edit: the secret inputs start empty; leaving them so keeps the stored secrets.
    row_action(page, "mobile_app", "Edit")
    form = panel(page)
    expect(form.get_by_label("key-auth key", exact=True)).to_have_value("")
    expect(form.get_by_label("jwt-auth secret", exact=True)).to_have_value("")
    expect(form.get_by_label("jwt-auth key", exact=True)).to_have_value("mobile-jwt")
    form.get_by_label(re.compile(r"^Description")).fill("the phone app")
    form.get_by_role("button", name="Save").click()
    toast(page, "Consumer mobile_app saved.")
    expect(row(page, "mobile_app")).to_contain_text("the phone app")

    # A token, shown once, signed with the kept secret.
    row_action(page, "mobile_app", "Create JWT")
    panel(page).get_by_label(re.compile(r"^Valid for")).fill("3600")
    panel(page).get_by_label(re.compile(r"^Custom claims")).fill('{"role": "reader"}')
    panel(page).get_by_role("button", name="Create token").click()
    secret = panel(page).locator("#secret-value")
    expect(secret).not_to_be_empty()
    token = secret.inner_text().strip()
    shot(page, "gateway-jwt")
    head, claims, sig = token.split(".")
    assert json.loads(b64url(head))["alg"] == "HS256", token
    expected = hmac.new(b"jwt-secret-456", f"{head}.{claims}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(b64url(sig), expected), "the token is not signed with the stored secret"
    body = json.loads(b64url(claims))
    assert body["key"] == "mobile-jwt" and body["role"] == "reader", body
    assert abs(body["exp"] - (time.time() + 3600)) < 600, body
    panel(page).get_by_role("button", name="Done").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.locator("#secret-value")).to_have_count(0)

    # Delete.
    row_action(page, "mobile_app", "Delete")
    confirm(page)
    toast(page, "Consumer mobile_app deleted.")
    expect(page.locator(".empty-state")).to_be_visible()


def test_certificates_and_their_timeline(page, api, tmp_path):
    org = api.org(f"gw {uuid.uuid4().hex[:8]}")
    cp = control_plane(api, org)
    sign_in(page, org)
    open_page(page, "/gateways/certificates", "Certificates")
    expect(page.locator(".empty-state")).to_contain_text("No certificates yet")

    # Upload through the form: the certificate from a file, the key pasted.
    cert, key = cert_pair("shop.example.com", 365)
    (tmp_path / "shop.pem").write_text(cert)
    page.get_by_role("button", name="Upload certificate").first.click()
    form = panel(page)
    form.get_by_label("Load certificate from a file").set_input_files(str(tmp_path / "shop.pem"))
    expect(form.get_by_label(re.compile(r"^Certificate"))).to_have_value(re.compile("BEGIN CERTIFICATE"))
    # Another certificate's key is refused.
    form.get_by_label(re.compile(r"^Private key")).fill(cert_pair("other.example.com", 30)[1])
    form.get_by_role("button", name="Upload").click()
    expect(form.locator(".field-error, p.error").first).to_contain_text(re.compile("private key", re.I))
    form.get_by_label(re.compile(r"^Private key")).fill(key)
    form.get_by_role("button", name="Upload").click()
    toast(page, "Certificate for shop.example.com uploaded.")
    expect(row(page, "shop.example.com")).to_contain_text("days left")

    # One expiring soon comes first, highlighted on the timeline.
    soon, soon_key = cert_pair("soon.example.com", 10)
    payload(api.post(f"/api/v1/controlplanes/{cp['id']}/certificates", {"certificate": soon, "private_key": soon_key}))
    page.reload()
    expect(page.locator("tbody tr").first).to_contain_text("soon.example.com")
    expect(page.locator("tbody tr").first).to_contain_text("expires in 10 days")
    timeline = page.locator("figure.timeline")
    expect(timeline.locator(".timeline-row")).to_have_count(2)
    expect(timeline.locator(".timeline-row.warn")).to_contain_text("soon.example.com")
    expect(timeline.locator(".timeline-row.ok")).to_contain_text("shop.example.com")
    shot(page, "gateway-certificates")

    # Details: the parsed fields, never the key.
    row_action(page, "shop.example.com", "Details")
    expect(panel(page)).to_contain_text("ecdsa")
    expect(panel(page)).to_contain_text("BEGIN CERTIFICATE")
    expect(panel(page)).not_to_contain_text("PRIVATE KEY")
    page.keyboard.press("Escape")

    # Replace the soon one with a long-lived one: no longer highlighted.
    longer, longer_key = cert_pair("soon.example.com", 730)
    row_action(page, "soon.example.com", "Replace")
    panel(page).get_by_label(re.compile(r"^Certificate")).fill(longer)
    panel(page).get_by_label(re.compile(r"^Private key")).fill(longer_key)
    panel(page).get_by_role("button", name="Replace").click()
    toast(page, "Certificate for soon.example.com replaced.")
    expect(timeline.locator(".timeline-row.warn")).to_have_count(0)
    expect(page.locator("tbody tr").first).to_contain_text("shop.example.com")

    row_action(page, "shop.example.com", "Delete")
    confirm(page)
    toast(page, "Certificate for shop.example.com deleted.")
    expect(page.locator("tbody tr")).to_have_count(1)


def test_a_member_sees_the_gateways_read_only(page, api):
    org = api.org(f"gw {uuid.uuid4().hex[:8]}")
    cp = control_plane(api, org, "ro-edge")
    app = payload(api.post(f"/api/v1/controlplanes/{cp['id']}/apps", {
        "name": "catalog", "hosts": ["catalog.example.com"], "path_prefix": "/",
        "upstreams": [{"version": "default", "upstream": {"scheme": "http", "targets": [{"host": "10.1.1.1", "port": 80, "weight": 100}]}}],
    }))
    payload(api.post(f"/api/v1/apps/{app['id']}/apis", {"name": "all", "paths": [{"path": "/", "path_type": "Prefix"}]}))
    payload(api.post(f"/api/v1/controlplanes/{cp['id']}/consumers", {"name": "reader", "credentials": {"key-auth": {"key": "member-cannot-see"}}}))
    cert, key = cert_pair("ro.example.com", 90)
    payload(api.post(f"/api/v1/controlplanes/{cp['id']}/certificates", {"certificate": cert, "private_key": key}))
    email = f"member-{uuid.uuid4().hex[:8]}@example.com"
    new_account(api, org, email, MEMBER_PASSWORD)
    sign_in_as(page, org, email, MEMBER_PASSWORD)

    open_page(page, "/gateways", "Control planes")
    expect(row(page, "ro-edge")).to_be_visible()
    expect(page.get_by_role("button", name="New control plane")).to_have_count(0)
    row_action(page, "ro-edge", "Details")
    expect(panel(page)).to_contain_text("Client real IP")
    expect(panel(page).get_by_role("button", name="Save settings")).to_have_count(0)
    # The export holds the secrets the member may not see: no download for them.
    expect(panel(page).get_by_role("button", name="Download APISIX config")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="APISIX config", exact=True)).to_have_count(0)

    open_page(page, "/gateways/applications", "Applications")
    expect(row(page, "catalog")).to_be_visible()
    for name in ("New application", "Import OpenAPI", "Edit", "Delete", "Unpublish"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    row_action(page, "catalog", "APIs")
    expect(page.locator("#page-title")).to_have_text("Application catalog")
    expect(row(page, "all")).to_be_visible()
    for name in ("New API", "Delete all APIs", "Edit", "Delete"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    shot(page, "gateway-application-member")

    open_page(page, "/gateways/consumers", "Consumers")
    expect(row(page, "reader")).to_contain_text("key-auth")
    expect(page.locator("body")).not_to_contain_text("member-cannot-see")
    for name in ("New consumer", "Edit", "Delete", "Create JWT"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)

    open_page(page, "/gateways/certificates", "Certificates")
    expect(row(page, "ro.example.com")).to_be_visible()
    for name in ("Upload certificate", "Replace", "Delete"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    row_action(page, "ro.example.com", "Details")
    expect(panel(page)).to_contain_text("ro.example.com")
