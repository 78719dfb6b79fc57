"""Designs: list with paging and a visibility filter, create from a pasted
document, import from a file or a URL (Helm charts with values), the drawn
design with its components and versions, rename, clone, download, delete."""

import io
import os
import re
import tarfile
import uuid
from urllib.parse import quote

from playwright.sync_api import expect

from conftest import (ADMIN_EMAIL, ADMIN_PASSWORD, BASE, confirm, confirm_over_panel, new_account, open_page, page_through, panel, row, row_action,
                      served, shot, sign_in, sign_in_as, toast)

SHOP = """name: shop
components:
  - id: 1f0c2d4e-0000-4000-8000-000000000001
    displayName: shop
    component: {kind: Namespace, version: v1}
    model: {name: kubernetes}
    configuration: {metadata: {name: shop}}
  - id: 1f0c2d4e-0000-4000-8000-000000000002
    displayName: web
    component: {kind: Deployment, version: apps/v1}
    model: {name: kubernetes}
    configuration: {metadata: {name: web, namespace: shop}}
  - id: 1f0c2d4e-0000-4000-8000-000000000003
    displayName: web
    component: {kind: Service, version: v1}
    model: {name: kubernetes}
    configuration: {metadata: {name: web, namespace: shop}}
relationships:
  - id: 1f0c2d4e-0000-4000-8000-0000000000a1
    kind: edge
    type: non-binding
    subType: network
    selectors: [{allow: {from: [{id: 1f0c2d4e-0000-4000-8000-000000000003}], to: [{id: 1f0c2d4e-0000-4000-8000-000000000002}]}}]
"""


def test_designs(page, api):
    org = api.org()
    for i in range(61):
        api.post("/api/content/patterns", {"name": f"seeded {i:02}", "save": True,
                                           "visibility": "public" if i % 2 else "private",
                                           "patternData": {"components": [], "relationships": []}}, org=org)
    sign_in(page, org)
    open_page(page, "/designs", "Designs")
    shot(page, "designs")
    page_through(page, 61)
    page.get_by_label("Visibility").select_option("public")
    expect(page.locator(".pager .range")).to_have_text("1–25 of 30")
    expect(page).to_have_url(re.compile(r"visibility=public"))
    page.get_by_label("Visibility").select_option("")

    # Bad input: a document that is not YAML is refused by its field.
    page.get_by_role("button", name="New design").first.click()
    panel(page).get_by_label("Name").fill("broken")
    panel(page).get_by_label("Design document (YAML or JSON, optional)").fill("components: [unclosed")
    panel(page).get_by_role("button", name="Create design").click()
    expect(panel(page).locator(".field-error, .error").first).to_be_visible()
    page.keyboard.press("Escape")

    # Create from a document; the view draws it and lists its components.
    page.get_by_role("button", name="New design").first.click()
    panel(page).get_by_label("Name").fill("shop")
    panel(page).get_by_label("Design document (YAML or JSON, optional)").fill(SHOP)
    panel(page).get_by_role("button", name="Create design").click()
    toast(page, "Design shop created.")
    page.get_by_label("Search designs").fill("shop")
    row_action(page, "shop", "View")
    expect(panel(page).locator("figcaption")).to_have_text("3 components, 1 relationships")
    expect(panel(page).locator("canvas").first).to_be_attached()
    expect(panel(page).locator("tbody tr", has_text="Deployment")).to_be_visible()
    shot(page, "designs-view")
    page.keyboard.press("Escape")

    # Rename: a new version, kept with the first.
    row_action(page, "shop", "Edit")
    panel(page).get_by_label("Name").fill("shop v2")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Design shop v2 saved.")
    page.get_by_label("Search designs").fill("shop v2")
    row_action(page, "shop v2", "View")
    versions = panel(page).locator(".list[aria-label=Versions] tbody tr")
    expect(versions).to_have_count(2)
    versions.last.get_by_role("button", name="Show").click()
    expect(panel(page).get_by_role("heading", name=re.compile(r"^Version "))).to_be_visible()
    page.keyboard.press("Escape")

    # Download: the document as YAML.
    design = api.get("/api/content/patterns?search=shop%20v2", org=org)["patterns"][0]
    text = page.request.get(f"{BASE}/api/content/patterns/download/{design['id']}").text()
    assert "name: shop v2" in text and "Deployment" in text, text

    # Clone, then delete both.
    row_action(page, "shop v2", "Clone")
    toast(page, "cloned as")
    page.get_by_label("Search designs").fill("shop v2")
    expect(page.locator("tbody tr")).to_have_count(2)
    row_action(page, "(Copy)", "Delete")
    confirm(page)
    toast(page, "deleted")
    expect(page.locator("tbody tr")).to_have_count(1)
    row_action(page, "shop v2", "Delete")
    confirm(page)
    expect(page.locator(".empty-state")).to_be_visible()


DATA = os.path.join(os.path.dirname(__file__), "..", "..", "src", "content", "tests", "data")


def test_import_a_file(page, api):
    org = api.org()
    sign_in(page, org)
    open_page(page, "/designs", "Designs")

    # A file that is not YAML is refused, and nothing is stored.
    page.get_by_role("button", name="Import").first.click()
    panel(page).get_by_label(re.compile("^File")).set_input_files(
        files=[{"name": "broken.yaml", "mimeType": "application/yaml", "buffer": b"kind: [unclosed"}])
    panel(page).get_by_role("button", name="Import", exact=True).click()
    expect(panel(page).locator(".error, .field-error").first).to_contain_text("YAML")
    page.keyboard.press("Escape")
    assert api.get("/api/content/patterns", org=org)["total_count"] == 0

    # Real manifests become a design with one component per object.
    page.get_by_role("button", name="Import").first.click()
    panel(page).get_by_label(re.compile("^File")).set_input_files(os.path.join(DATA, "manifests.yaml"))
    panel(page).get_by_label(re.compile("^Name")).fill("shop from manifests")
    panel(page).get_by_role("button", name="Import", exact=True).click()
    toast(page, "Imported manifests.yaml.")
    page.get_by_label("Search designs").fill("shop from manifests")
    row_action(page, "shop from manifests", "View")
    expect(panel(page).locator("tbody tr", has_text="Ingress")).to_be_visible()
    shot(page, "designs-imported")

    # Evaluating finds the relationships the manifests describe; saving keeps them as a new version.
    expect(panel(page).locator("figcaption")).to_contain_text("0 relationships")
    panel(page).get_by_role("button", name="Evaluate relationships").click()
    expect(panel(page).get_by_role("status")).to_contain_text("added")
    expect(panel(page).locator("figcaption")).not_to_contain_text(" 0 relationships")
    shot(page, "designs-evaluated")
    panel(page).get_by_role("button", name="Save as the next version").click()
    toast(page, "saved as version 0.0.2")
    expect(panel(page).locator(".list[aria-label=Versions] tbody tr")).to_have_count(2)
    panel(page).get_by_role("button", name="Evaluate relationships").click()
    expect(panel(page).get_by_role("status")).to_contain_text("up to date")


def chart(values="replicaCount: 1\n"):
    """A tiny Helm chart as `helm package` makes it: mychart/ with Chart.yaml,
    values.yaml and one template."""
    files = {
        "mychart/Chart.yaml": "apiVersion: v2\nname: mychart\nversion: 0.1.0\n",
        "mychart/values.yaml": values,
        "mychart/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\n"
            "spec:\n  replicas: {{ .Values.replicaCount }}\n"
        ),
    }
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def document(api, org, name):
    found = api.get(f"/api/content/patterns?search={quote(name)}", org=org)["patterns"]
    assert len(found) == 1, found
    return api.get(f"/api/content/patterns/{found[0]['id']}", org=org)["patternFile"]


def test_import_a_helm_chart_with_values(page, api):
    org = api.org()
    sign_in(page, org)
    open_page(page, "/designs", "Designs")

    # Values that are not a mapping are refused under their field.
    page.get_by_role("button", name="Import").first.click()
    panel(page).get_by_label(re.compile("^File")).set_input_files(
        files=[{"name": "mychart-0.1.0.tgz", "mimeType": "application/gzip", "buffer": chart()}])
    panel(page).get_by_label(re.compile("^Helm values")).fill("- just\n- a list\n")
    panel(page).get_by_role("button", name="Import", exact=True).click()
    expect(panel(page).locator(".field.invalid label")).to_have_text("Helm values (YAML, optional)")
    assert api.get("/api/content/patterns", org=org)["total_count"] == 0

    # The chart rendered with the values given over its own.
    panel(page).get_by_label(re.compile("^Name")).fill("chart with values")
    panel(page).get_by_label(re.compile("^Helm values")).fill("replicaCount: 3\n")
    shot(page, "designs-import-chart")
    panel(page).get_by_role("button", name="Import", exact=True).click()
    toast(page, "Imported mychart-0.1.0.tgz.")
    deploy = [c for c in document(api, org, "chart with values")["components"] if c["component"]["kind"] == "Deployment"]
    assert [c["configuration"]["spec"]["replicas"] for c in deploy] == [3], deploy
    assert deploy[0]["displayName"] == "mychart-web"


def test_import_from_a_url(page, api):
    org = api.org()
    sign_in(page, org)
    open_page(page, "/designs", "Designs")
    with open(os.path.join(DATA, "manifests.yaml"), "rb") as f:
        manifests = f.read()
    with served({"/shop/manifests.yaml": manifests, "/mychart-0.1.0.tgz": chart()}) as base:
        page.get_by_role("button", name="Import").first.click()
        panel(page).get_by_role("button", name="From a URL").click()
        expect(panel(page).get_by_role("button", name="From a URL")).to_have_attribute("aria-pressed", "true")

        # A host the installation does not allow: refused under the URL field, nothing stored.
        panel(page).get_by_label(re.compile("^URL")).fill(base.replace("127.0.0.1", "localhost") + "/shop/manifests.yaml")
        panel(page).get_by_role("button", name="Import", exact=True).click()
        expect(panel(page).locator(".field.invalid label")).to_have_text(re.compile("^URL"))
        expect(panel(page).locator(".field.invalid")).to_contain_text("localhost is not on this installation's URL import allow-list")
        shot(page, "designs-import-url-refused")
        # A file the server does not find.
        panel(page).get_by_label(re.compile("^URL")).fill(base + "/nothing.yaml")
        panel(page).get_by_role("button", name="Import", exact=True).click()
        expect(panel(page).locator(".field.invalid")).to_contain_text("404")
        assert api.get("/api/content/patterns", org=org)["total_count"] == 0

        # An allowed host: the design named after the URL's file.
        panel(page).get_by_label(re.compile("^URL")).fill(base + "/shop/manifests.yaml")
        panel(page).get_by_role("button", name="Import", exact=True).click()
        toast(page, "/shop/manifests.yaml.")
        page.get_by_label("Search designs").fill("manifests")
        row_action(page, "manifests", "View")
        expect(panel(page).locator("tbody tr", has_text="Ingress")).to_be_visible()
        page.keyboard.press("Escape")

        # A Helm chart from a URL, with values.
        page.get_by_role("button", name="Import").first.click()
        panel(page).get_by_role("button", name="From a URL").click()
        panel(page).get_by_label(re.compile("^URL")).fill(base + "/mychart-0.1.0.tgz")
        panel(page).get_by_label(re.compile("^Name")).fill("chart from a url")
        panel(page).get_by_label(re.compile("^Helm values")).fill("replicaCount: 5\n")
        panel(page).get_by_role("button", name="Import", exact=True).click()
        toast(page, "/mychart-0.1.0.tgz.")
    deploy = [c for c in document(api, org, "chart from a url")["components"] if c["component"]["kind"] == "Deployment"]
    assert [c["configuration"]["spec"]["replicas"] for c in deploy] == [5], deploy


def test_share_and_publish(page, api):
    org, other = api.org(), api.org()
    # Unique: the catalog and its requests span every organization.
    name = f"blueprint {uuid.uuid4().hex[:6]}"
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    new_account(api, other, email, "reader-password-1", roles=("organization admin",))
    api.post("/api/content/patterns", {"name": name, "save": True,
                                       "patternData": {"components": [], "relationships": []}}, org=org)
    sign_in(page, org)
    open_page(page, "/designs", "Designs")

    # Share: an address without an account is refused by the field; a real one is listed.
    row_action(page, name, "Share")
    people = panel(page).get_by_label("People (e-mail addresses, comma-separated)")
    people.fill("nobody-here@example.com")
    panel(page).get_by_role("button", name="Share", exact=True).click()
    expect(panel(page).locator(".field-error")).to_contain_text("names no user")
    people.fill(email)
    panel(page).get_by_label("Access").select_option("edit")
    panel(page).get_by_role("button", name="Share", exact=True).click()
    toast(page, f"{name} shared.")
    shared = panel(page).locator("ul.share-list li", has_text=email)
    expect(shared).to_contain_text("edit")
    shot(page, "designs-share")
    page.keyboard.press("Escape")

    # Publish: a request with the catalog data; the design stays private until approved.
    row_action(page, name, "Publish to catalog")
    panel(page).get_by_label("Type").select_option("Deployment")
    panel(page).get_by_label("Class").select_option("official")
    panel(page).get_by_label("Screenshot URLs (optional; http(s) or oci, comma-separated)").fill("ftp://nope")
    panel(page).get_by_label("What it does").fill("A blueprint for shops.")
    panel(page).get_by_role("button", name="Request publication").click()
    expect(panel(page).locator(".field-error")).to_contain_text("snapshotURL")
    panel(page).get_by_label("Screenshot URLs (optional; http(s) or oci, comma-separated)").fill("")
    panel(page).get_by_role("button", name="Request publication").click()
    toast(page, f"Publication of {name} requested")
    expect(row(page, name)).to_contain_text("private")

    # The reader, in their own organization, finds it under "Shared with me";
    # without the approve key the visibility picker offers no "published".
    sign_in_as(page, other, email, "reader-password-1")
    open_page(page, "/designs", "Designs")
    expect(page.locator(".empty-state")).to_be_visible()
    page.get_by_label("Show").select_option("true")
    expect(row(page, name)).to_contain_text("shared with you")
    expect(row(page, name).get_by_role("button", name="Delete")).to_have_count(0)
    expect(row(page, name).get_by_role("checkbox")).to_have_count(0)
    shot(page, "designs-shared-with-me")
    page.get_by_label("Show").select_option("")
    page.get_by_role("button", name="New design").first.click()
    options = panel(page).get_by_label("Visibility").locator("option")
    expect(options).to_have_text(["private", "public"])
    page.keyboard.press("Escape")

    # The provider admin approves; the design is in the catalog, published.
    sign_in_as(page, org, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_page(page, "/catalog?tab=requests", "Catalog")
    row_action(page, name, "Approve")
    confirm(page)
    toast(page, f"{name} published.")
    expect(row(page, name)).to_contain_text("approved")
    page.get_by_role("tab", name="Designs").click()
    expect(row(page, name)).to_contain_text("official")
    open_page(page, "/designs", "Designs")
    expect(row(page, name)).to_contain_text("published")

    # Unpublish gives it back its visibility; the share can be taken back.
    row_action(page, name, "Unpublish")
    confirm(page)
    toast(page, f"{name} unpublished.")
    expect(row(page, name)).to_contain_text("private")
    row_action(page, name, "Share")
    panel(page).locator("ul.share-list li", has_text=email).get_by_role("button", name=f"Stop sharing with {email}").click()
    confirm_over_panel(page)
    toast(page, f"No longer shared with {email}.")
    expect(panel(page).locator("ul.share-list li")).to_have_count(0)
