"""Models: the list with paging, search and order, the built-in model marked,
a model's components and relationship definitions, and registering by File
Import (CRD YAML), CSV Import, URL Import and Model Create, checking without
storing, and refusals shown under their field."""

import json
import os
import re
import uuid

from playwright.sync_api import expect

from conftest import BASE, open_page, page_through, panel, row, row_action, served, shot, sign_in, toast

MODELS = "/api/integrations/meshmodels/models"
REGISTER = "/api/meshmodels/register"
DATA = os.path.join(os.path.dirname(__file__), "..", "..", "src", "content", "tests", "data", "models")

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: pumps.pumps.example.org
spec:
  group: pumps.example.org
  scope: Namespaced
  names: {kind: Pump, plural: pumps, singular: pump}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {rate: {type: integer}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: valves.pumps.example.org
spec:
  group: pumps.example.org
  scope: Cluster
  names: {kind: Valve, plural: valves, singular: valve}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object}
"""


def create_model(api, org, body):
    """Model Create through the API (multipart, as the form sends it)."""
    r = api.s.post(BASE + REGISTER, headers={"layer5-current-orgid": org},
                   files={"uploadType": (None, "Model Create"), "register": (None, "true"),
                          "importBody": (None, json.dumps(body))}, timeout=30)
    assert r.status_code == 201, r.text


def total(api, org):
    return api.get(MODELS, org=org)["total_count"]


def choose(page, upload_type):
    page.get_by_role("button", name="Register model").first.click()
    panel(page).get_by_label("Upload type").select_option(upload_type)


def submit(page):
    panel(page).get_by_role("button", name="Register", exact=True).click()


def test_list_and_detail(page, api):
    org = api.org()
    for i in range(60):
        create_model(api, org, {"name": f"seeded-{i:02}", "displayName": f"Seeded {i:02}", "version": f"v1.{i % 3}.0"})
    sign_in(page, org)
    open_page(page, "/models", "Models")
    shot(page, "models")
    page_through(page, 61)

    # Ordered by display name, descending (through the URL the sort controls write).
    open_page(page, "/models?sort=displayName&dir=desc", "Models")
    expect(page.locator("tbody tr").first).to_contain_text("Seeded 59")
    open_page(page, "/models?sort=version&dir=desc", "Models")
    expect(page.locator("tbody tr").first).to_contain_text("v1.2.0")

    # The built-in model is marked, and its detail lists its components and relationships.
    open_page(page, "/models", "Models")
    page.get_by_label("Search models").fill("kube")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, "kubernetes")).to_contain_text("built-in")
    row_action(page, "kubernetes", "View")
    components = panel(page).get_by_role("table", name="Components")
    deploy = components.locator("tbody tr", has_text="Deployment")
    expect(deploy).to_contain_text("apps/v1")
    expect(deploy).to_contain_text("yes")
    expect(components.locator("tbody tr", has_text="ClusterRole").first).to_contain_text("no")
    expect(panel(page).get_by_role("table", name="Relationships").locator("tbody tr")).to_have_count(6)
    expect(panel(page).locator("dl.facts")).to_contain_text("Upstream versionv1.31.0")
    shot(page, "models-builtin")
    page.keyboard.press("Escape")

    # A registered model (no components) says so.
    page.get_by_label("Search models").fill("seeded-07")
    row_action(page, "seeded-07", "View")
    expect(panel(page).get_by_text("No components.")).to_be_visible()
    expect(panel(page)).not_to_contain_text("built-in")


def test_register(page, api, tmp_path):
    org = api.org()
    sign_in(page, org)
    open_page(page, "/models", "Models")

    # Model Create: a bad name is refused under the field, and nothing is stored.
    choose(page, "Model Create")
    panel(page).get_by_label(re.compile(r"^Name")).fill("Bad Name")
    submit(page)
    expect(panel(page).locator(".field.invalid")).to_contain_text("is not a model name")
    expect(panel(page).locator(".field.invalid label")).to_have_text("Name *")
    assert total(api, org) == 1
    panel(page).get_by_label(re.compile(r"^Name")).fill("gizmo")
    panel(page).get_by_label("Display name").fill("Gizmo")
    panel(page).get_by_label("Version").fill("v1.2.0")
    panel(page).get_by_label("Category").fill("Tools")
    submit(page)
    toast(page, "Registered model gizmo v1.2.0 with 0 components and 0 relationships")
    expect(row(page, "gizmo")).to_contain_text("Tools")

    # File Import: CRD YAML, the model named by the form.
    crd = tmp_path / "pumps-crd.yaml"
    crd.write_text(CRD)
    choose(page, "File Import")
    panel(page).get_by_label(re.compile(r"^File")).set_input_files(str(crd))
    panel(page).get_by_label("Model name (optional)").fill("pumps")
    shot(page, "models-register")
    submit(page)
    toast(page, "Registered model pumps v1.0.0 with 2 components and 0 relationships")
    row_action(page, "pumps", "View")
    components = panel(page).get_by_role("table", name="Components")
    pump = components.locator("tbody tr").filter(has_text=re.compile(r"^Pump"))
    expect(pump).to_contain_text("pumps.example.org/v1")
    expect(pump).to_contain_text("yes")
    expect(components.locator("tbody tr", has_text="Valve")).to_contain_text("no")
    page.keyboard.press("Escape")

    # A file that is no model is refused (the server's sentence names no field: above the buttons).
    choose(page, "File Import")
    panel(page).get_by_label(re.compile(r"^File")).set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"just some text"}])
    submit(page)
    expect(panel(page).locator("p.error")).to_contain_text("not a Meshery model package")
    page.keyboard.press("Escape")
    # A CSV sheet without its header is refused under that sheet.
    choose(page, "CSV Import")
    panel(page).get_by_label("Model sheet (CSV)").set_input_files(
        files=[{"name": "model.csv", "mimeType": "text/csv", "buffer": b"just,some\ntext,here\n"}])
    panel(page).get_by_label("Component sheet (CSV)").set_input_files(os.path.join(DATA, "components.csv"))
    submit(page)
    expect(panel(page).locator(".field.invalid label")).to_have_text("Model sheet (CSV) *")
    expect(panel(page).locator(".field.invalid")).to_contain_text("no header row")
    page.keyboard.press("Escape")

    # CSV Import, checked only: the server's message, nothing stored.
    choose(page, "CSV Import")
    panel(page).get_by_label("Model sheet (CSV)").set_input_files(os.path.join(DATA, "model.csv"))
    panel(page).get_by_label("Component sheet (CSV)").set_input_files(os.path.join(DATA, "components.csv"))
    panel(page).get_by_label("Relationship sheet (CSV, optional)").set_input_files(os.path.join(DATA, "relationships.csv"))
    panel(page).get_by_label("Check only").check()
    submit(page)
    expect(panel(page).get_by_role("status")).to_contain_text(
        "Nothing registered (register=false); would register model sprocket v0.2.0 with 2 components and 1 relationship")
    shot(page, "models-checked")
    assert total(api, org) == 3
    # …then registered for real.
    panel(page).get_by_label("Check only").uncheck()
    submit(page)
    toast(page, "Registered model sprocket v0.2.0 with 2 components and 1 relationship")
    assert total(api, org) == 4
    row_action(page, "sprocket", "View")
    rel = panel(page).get_by_role("table", name="Relationships").locator("tbody tr")
    expect(rel).to_have_count(1)
    for text in ["edge", "binding", "reference", "Sprocket", "Chain"]:
        expect(rel).to_contain_text(text)
    shot(page, "models-detail")
    page.keyboard.press("Escape")

    # URL Import: fetched from an allowed host; another host is refused under the URL field.
    with served({"/valves.yaml": CRD.encode()}) as base:
        choose(page, "URL Import")
        panel(page).get_by_label(re.compile(r"^URL")).fill(base.replace("127.0.0.1", "localhost") + "/valves.yaml")
        submit(page)
        expect(panel(page).locator(".field.invalid label")).to_have_text("URL *")
        expect(panel(page).locator(".field.invalid")).to_contain_text("localhost")
        panel(page).get_by_label(re.compile(r"^URL")).fill(base + "/valves.yaml")
        panel(page).get_by_label("Model name (optional)").fill("served-pumps")
        submit(page)
        toast(page, "Registered model served-pumps v1.0.0 with 2 components")
    assert total(api, org) == 5


def test_a_user_without_the_register_key_sees_no_register_button(page, api):
    org = api.org()
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    uid = api.post(f"/api/v1/organizations/{org}/users", {"spec": {"subject": email, "state": "active", "groupIDs": []}})["metadata"]["id"]
    api.put(f"/api/identity/orgs/{org}/roles", [{"user_id": uid, "roleNames": ["user"]}])
    api.put(f"/api/meshcloud/users/{uid}/password", {"newPassword": "reader-password-1"})
    sign_in(page, org, email=email, password="reader-password-1")
    open_page(page, "/models", "Models")
    expect(row(page, "kubernetes")).to_contain_text("built-in")
    expect(page.get_by_role("button", name="Register model")).to_have_count(0)
    row_action(page, "kubernetes", "View")
    expect(panel(page).get_by_role("table", name="Components")).to_be_visible()
