"""Resources: the pattern resources of the organization's designs — paging,
order, filters by design, kind and namespace, the design linked; adding,
changing and deleting one through the UI moves its design's version; refusals
under their field."""

import json
import re
import uuid

from playwright.sync_api import expect

from conftest import BASE, open_page, page_through, panel, row, row_action, shot, sign_in, toast, confirm

RESOURCES = "/api/content/patterns/resource"


def manifests(n):
    """`n` ConfigMaps in namespace `shop` and one Deployment in `web`."""
    docs = [f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings-{i:02}, namespace: shop}}\ndata: {{k: v{i}}}\n" for i in range(n)]
    docs.append("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: storefront, namespace: web}\n"
                "spec: {replicas: 1, selector: {matchLabels: {app: s}}, template: {metadata: {labels: {app: s}}, spec: {containers: [{name: s, image: nginx}]}}}\n")
    return "---\n".join(docs)


def import_design(api, org, name, text):
    r = api.s.post(BASE + "/api/pattern/import", headers={"layer5-current-orgid": org},
                   files={"file": (f"{name}.yaml", text.encode(), "application/yaml"), "fileName": (None, f"{name}.yaml"),
                          "name": (None, name)}, timeout=30)
    assert r.status_code < 300, r.text
    return r.json()["id"]


def version(api, org, design):
    return api.get(f"/api/content/patterns/{design}", org=org)["patternFile"]["version"]


def test_list_filter_and_page(page, api):
    org = api.org()
    shop = import_design(api, org, "shop", manifests(60))
    import_design(api, org, "tiny", "apiVersion: v1\nkind: Namespace\nmetadata: {name: tiny-ns}\n")
    sign_in(page, org)
    open_page(page, "/resources", "Resources")
    shot(page, "resources")
    page_through(page, 62)

    # Ordered by name through the URL the sort controls write.
    open_page(page, "/resources?sort=name&dir=asc", "Resources")
    expect(page.locator("tbody tr").first).to_contain_text("settings-00")
    open_page(page, "/resources?sort=kind&dir=desc", "Resources")
    expect(page.locator("tbody tr").first).to_contain_text("Namespace")

    # Filter by kind (exact, applied on Enter), then by namespace.
    open_page(page, "/resources", "Resources")
    page.get_by_label("Kind", exact=True).fill("Deployment")
    page.get_by_label("Kind", exact=True).press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, "storefront")).to_contain_text("apps/v1")
    expect(row(page, "storefront")).to_contain_text("web")
    expect(page).to_have_url(re.compile(r"kind=Deployment"))
    page.get_by_label("Kind", exact=True).fill("")
    page.get_by_label("Kind", exact=True).press("Enter")
    expect(page.locator(".pager .range")).to_have_text("1–25 of 62")
    page.get_by_label("Namespace", exact=True).fill("shop")
    page.get_by_label("Namespace", exact=True).press("Enter")
    expect(page.locator(".pager .range")).to_have_text("1–25 of 60")
    page.get_by_label("Namespace", exact=True).fill("")
    page.get_by_label("Namespace", exact=True).press("Enter")

    # Filter by design through the picker: only the small design's resource.
    page.get_by_label("Design", exact=True).fill("tin")
    page.get_by_role("option", name="tiny").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, "tiny-ns")).to_contain_text("Namespace")
    shot(page, "resources-filtered")

    # Search, and the design's link opens the designs list at that design.
    open_page(page, "/resources?q=storefront", "Resources")
    expect(page.locator("tbody tr")).to_have_count(1)
    link = row(page, "storefront").get_by_role("link", name="shop")
    expect(link).to_have_attribute("href", "/designs?q=shop")
    link.click()
    expect(page.locator("#page-title")).to_have_text("Designs")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, "shop")).to_be_visible()
    assert shop


def test_add_edit_delete(page, api):
    org = api.org()
    shop = import_design(api, org, "shop", manifests(2))
    start = version(api, org, shop)
    sign_in(page, org)
    open_page(page, "/resources", "Resources")

    # Add: a namespace on a cluster-scoped kind is refused under the namespace field; nothing changes.
    page.get_by_role("button", name="Add resource").first.click()
    panel(page).get_by_label(re.compile(r"^Design")).fill("sho")
    page.get_by_role("option", name="shop").click()
    panel(page).get_by_label(re.compile(r"^Kind")).fill("ClusterRole")
    panel(page).get_by_label(re.compile(r"^Name(?!space)")).fill("reader")
    panel(page).get_by_label(re.compile(r"^Namespace")).fill("shop")
    shot(page, "resources-add")
    panel(page).get_by_role("button", name="Add resource").click()
    invalid = panel(page).locator(".field.invalid")
    expect(invalid).to_contain_text("namespace: a ClusterRole is not namespaced")
    expect(invalid.locator("label")).to_have_text("Namespace")
    assert version(api, org, shop) == start

    # A configuration that is not JSON is refused before anything is sent.
    panel(page).get_by_label(re.compile(r"^Namespace")).fill("")
    panel(page).get_by_label(re.compile(r"^Configuration")).fill("rules: []")
    panel(page).get_by_role("button", name="Add resource").click()
    expect(panel(page).locator(".field.invalid")).to_contain_text("configuration is not valid JSON")
    # An unknown kind: under the kind field.
    panel(page).get_by_label(re.compile(r"^Configuration")).fill('{"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}')
    panel(page).get_by_label(re.compile(r"^Kind")).fill("Gadget")
    panel(page).get_by_role("button", name="Add resource").click()
    expect(panel(page).locator(".field.invalid label")).to_have_text("Kind *")
    panel(page).get_by_label(re.compile(r"^Kind")).fill("ClusterRole")
    panel(page).get_by_role("button", name="Add resource").click()
    toast(page, "Resource reader added")
    added = version(api, org, shop)
    assert added != start
    expect(row(page, "reader")).to_contain_text("ClusterRole")
    expect(row(page, "reader")).to_contain_text("rbac.authorization.k8s.io/v1")
    expect(row(page, "reader")).to_contain_text(added)
    expect(page.locator("tbody tr.flash")).to_contain_text("reader")

    # Edit: prefilled with the configuration; rename and change it.
    row_action(page, "settings-01", "Edit")
    expect(panel(page).get_by_label("Design", exact=True)).to_have_value("shop")
    expect(panel(page).get_by_label(re.compile(r"^Kind"))).to_have_value("ConfigMap")
    expect(panel(page).get_by_label(re.compile(r"^Namespace"))).to_have_value("shop")
    conf = panel(page).get_by_label(re.compile(r"^Configuration"))
    expect(conf).to_have_value(re.compile(r'"k": "v1"'))
    shot(page, "resources-edit")
    panel(page).get_by_label(re.compile(r"^Name(?!space)")).fill("settings-renamed")
    conf.fill(json.dumps({"data": {"k": "changed"}}))
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Resource settings-renamed saved")
    edited = version(api, org, shop)
    assert edited != added
    expect(row(page, "settings-renamed")).to_contain_text(edited)
    found = api.get(f"{RESOURCES}?search=settings-renamed", org=org)["resources"]
    assert len(found) == 1
    assert api.get(f"{RESOURCES}/{found[0]['id']}", org=org)["configuration"]["data"] == {"k": "changed"}

    # Delete behind a confirmation.
    row_action(page, "storefront", "Delete")
    confirm(page)
    toast(page, "Resource storefront deleted")
    expect(row(page, "storefront")).to_have_count(0)
    assert version(api, org, shop) != edited
    assert api.get(f"{RESOURCES}?search=storefront", org=org)["total_count"] == 0


def test_a_reader_sees_resources_without_changing_them(page, api):
    org = api.org()
    shop = import_design(api, org, "shop", manifests(1))
    full = api.get(f"/api/content/patterns/{shop}", org=org)
    api.post("/api/content/patterns", {"id": shop, "name": "shop", "visibility": "public", "save": True,
                                       "patternData": full["patternFile"]}, org=org)
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    uid = api.post(f"/api/v1/organizations/{org}/users", {"spec": {"subject": email, "state": "active", "groupIDs": []}})["metadata"]["id"]
    api.put(f"/api/identity/orgs/{org}/roles", [{"user_id": uid, "roleNames": ["user"]}])
    api.put(f"/api/meshcloud/users/{uid}/password", {"newPassword": "reader-password-1"})
    sign_in(page, org, email=email, password="reader-password-1")
    open_page(page, "/resources", "Resources")
    expect(row(page, "storefront")).to_contain_text("Deployment")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="Add resource")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
