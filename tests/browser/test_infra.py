"""Infrastructure pages: environments, connections, credentials (workspaces
and projects are in test_infra_projects.py). Each test seeds its lists
through the API, pages through them, and creates, edits and deletes through
the UI."""

import re

import pytest
from playwright.sync_api import expect

from conftest import confirm, confirm_over_panel, open_page, page_through, panel, row, row_action, shot, sign_in, toast
from infra_helpers import pick, search, seed


@pytest.fixture(scope="module")
def env_org(api):
    """An organization with 521 environments (every one must be reachable) and two connections."""
    org = api.org()
    seed(521, lambda i: api.post("/api/environments", {"name": f"env {i:03}", "description": "seeded", "organization_id": org}))
    for name in ["db cluster", "edge cluster"]:
        api.post("/api/integrations/connections", {"name": name, "kind": "kubernetes", "type": "platform", "sub_type": "orchestration", "status": "connected"}, org=org)
    return org


def test_environments(page, api, env_org):
    sign_in(page, env_org)
    open_page(page, "/environments", "Environments")
    shot(page, "environments")

    # All 521 are reachable: page by page to the last, and the last one by search.
    page_through(page, 521)
    expect(row(page, "env 520")).to_be_visible()
    search(page, "Search environments", "env 520")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, "env 520")).to_be_visible()

    # Sorting by name (ascending at first), descending brings the last one first.
    search(page, "Search environments", "")
    if page.view == "wide-light":
        page.get_by_role("button", name="Name").click()
        expect(page).to_have_url(re.compile(r"dir=desc"))
        expect(page.locator("tbody tr").first).to_contain_text("env 520")

    # Create; bad input is refused by the field.
    name = f"staging {page.view}"
    page.get_by_role("button", name="New environment").first.click()
    panel(page).get_by_label("Name").fill("   ")
    panel(page).get_by_role("button", name="Create environment").click()
    expect(panel(page).locator(".field-error")).to_contain_text("name must not be empty")
    panel(page).get_by_label("Name").fill(name)
    panel(page).get_by_label("Description").fill("pre-production")
    panel(page).get_by_role("button", name="Create environment").click()
    toast(page, f"Environment {name} created.")
    search(page, "Search environments", name)
    expect(row(page, name)).to_be_visible()

    # Edit.
    row_action(page, name, "Edit")
    panel(page).get_by_label("Description").fill("the last stop before production")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, f"Environment {name} saved.")
    expect(row(page, name)).to_contain_text("the last stop before production")

    # Its connections: assign with the picker, unassign.
    row_action(page, name, "Connections")
    pick(page, "Assign a connection", "db", "db cluster")
    panel(page).get_by_role("button", name="Assign", exact=True).click()
    toast(page, f"db cluster assigned to {name}.")
    expect(panel(page).locator("tbody tr", has_text="db cluster")).to_be_visible()
    shot(page, "environments-connections")
    panel(page).locator("tbody tr", has_text="db cluster").get_by_role("button", name="Unassign").click()
    confirm_over_panel(page)
    toast(page, f"db cluster unassigned from {name}.")
    expect(panel(page).locator(".empty-state")).to_be_visible()
    page.keyboard.press("Escape")

    # Delete one, then two at once.
    row_action(page, name, "Delete")
    confirm(page)
    toast(page, f"Environment {name} deleted.")
    for extra in ["a", "b"]:
        api.post("/api/environments", {"name": f"bulk {extra} {page.view}", "organization_id": env_org})
    search(page, "Search environments", f"bulk")
    expect(page.locator("tbody tr")).to_have_count(2)
    for i in range(2):
        page.locator("tbody tr").nth(i).get_by_label("Select", exact=True).check()
    page.locator(".bulk").get_by_role("button", name="Delete").click()
    confirm(page)
    toast(page, "Delete: done for 2.")
    expect(page.locator(".empty-state")).to_be_visible()
    assert api.get("/api/environments?pagesize=1", org=env_org)["total_count"] == 521


def test_connections(page, api):
    org = api.org()
    statuses = ["discovered", "registered", "connected", "ignored", "maintenance"]
    seed(61, lambda i: api.post("/api/integrations/connections", {
        "name": f"conn {i:02}", "kind": "prometheus" if i % 4 == 0 else "kubernetes", "type": "platform",
        "sub_type": "orchestration", "status": statuses[i % 5]}, org=org))
    api.post("/api/integrations/credentials", {"name": "kube token", "type": "token", "secret": {"token": "t"}}, org=org)
    sign_in(page, org)
    open_page(page, "/connections", "Connections")
    # The chart compares the counts by status, from the server's summary.
    expect(page.locator("figure.chart [role=img]")).to_have_attribute("aria-label", re.compile(r"discovered 13, registered 12, connected 12, ignored 12, maintenance 12"))
    shot(page, "connections")
    page_through(page, 61)

    # Filters live in the URL; the chart still compares every status.
    page.locator("label.filter", has_text="Status").locator("select").select_option("connected")
    expect(page).to_have_url(re.compile(r"status=connected"))
    expect(page.locator(".pager .range")).to_have_text("1–12 of 12")
    page.locator("label.filter", has_text="Kind").locator("select").select_option("prometheus")
    expect(page).to_have_url(re.compile(r"kind=prometheus"))
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("figure.chart [role=img]")).to_have_attribute("aria-label", re.compile(r"connected 3"))
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(3)
    page.goto("/connections")

    # Create: metadata must be a JSON object; the server's refusal shows by its field.
    page.get_by_role("button", name="New connection").first.click()
    p = panel(page)
    p.get_by_label("Name").fill("  ")
    p.get_by_label("Kind").fill("kubernetes")
    p.get_by_label(re.compile(r"^Type")).fill("platform")
    p.get_by_label("Sub type").fill("orchestration")
    p.get_by_label("Metadata (a JSON object)").fill("[1, 2")
    p.get_by_role("button", name="Create connection").click()
    expect(p.locator(".field-error")).to_contain_text("Metadata is not valid JSON")
    p.get_by_label("Metadata (a JSON object)").fill('{"server": "https://k8s.example.com"}')
    p.get_by_role("button", name="Create connection").click()
    expect(p.locator(".field-error")).to_contain_text("name must not be empty")
    p.get_by_label("Name").fill("main cluster")
    expect(p.get_by_label("Status").locator("option")).to_have_text(statuses)
    pick(page, "Credential", "kube", "kube token")
    p.get_by_role("button", name="Create connection").click()
    toast(page, "Connection main cluster created.")
    search(page, "Search connections", "main cluster")
    expect(row(page, "main cluster")).to_contain_text("discovered")
    expect(row(page, "main cluster")).to_contain_text("kube token")

    # A status change offers only what the life cycle allows from here.
    row_action(page, "main cluster", "Status")
    expect(panel(page).get_by_label("New status").locator("option")).to_have_text(["registered", "ignored", "not found"])
    panel(page).get_by_label("New status").select_option("registered")
    panel(page).get_by_role("button", name="Change status").click()
    toast(page, "Connection main cluster is now registered.")
    expect(row(page, "main cluster")).to_contain_text("registered")
    row_action(page, "main cluster", "Status")
    expect(panel(page).get_by_label("New status").locator("option")).to_have_text(["connected", "ignored", "disconnected", "not found", "deleted"])
    page.keyboard.press("Escape")

    # Edit keeps the metadata.
    row_action(page, "main cluster", "Edit")
    expect(panel(page).get_by_label("Metadata (a JSON object)")).to_have_value(re.compile("k8s.example.com"))
    expect(panel(page).get_by_label("Status").locator("option")).to_have_text(["registered", "connected", "ignored", "disconnected", "not found"])
    panel(page).get_by_label("Name").fill("main cluster eu")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Connection main cluster eu saved.")
    search(page, "Search connections", "main cluster eu")
    expect(row(page, "main cluster eu")).to_be_visible()
    shot(page, "connections-edited")

    row_action(page, "main cluster eu", "Delete")
    confirm(page)
    toast(page, "Connection main cluster eu deleted.")
    expect(page.locator(".empty-state")).to_be_visible()


def test_credentials(page, api):
    org = api.org()
    seed(61, lambda i: api.post("/api/integrations/credentials", {"name": f"cred {i:02}", "type": "token", "secret": {"token": f"s3cret-{i}"}}, org=org))
    sign_in(page, org)
    open_page(page, "/credentials", "Credentials")
    shot(page, "credentials")
    page_through(page, 61)
    expect(page.locator("body")).not_to_contain_text("s3cret")

    # Create: a secret is required; the name is checked by the server.
    page.get_by_role("button", name="New credential").first.click()
    p = panel(page)
    p.get_by_label(re.compile(r"^Name")).fill("registry")
    p.get_by_label("Type").fill("basic")
    p.get_by_role("button", name="Create credential").click()
    expect(p.locator(".field-error")).to_contain_text("Secret needs at least one field")
    p.get_by_label("Secret field name").fill("password")
    p.get_by_label("Secret field value").fill("hunter2-very-secret")
    p.get_by_role("button", name="Add field").click()
    p.get_by_label("Secret field name").nth(1).fill("user")
    p.get_by_label("Secret field value").nth(1).fill("robot")
    p.get_by_label(re.compile(r"^Name")).fill(" ")
    p.get_by_role("button", name="Create credential").click()
    expect(p.locator(".field-error")).to_contain_text("name must not be empty")
    p.get_by_label(re.compile(r"^Name")).fill("registry")
    p.get_by_role("button", name="Create credential").click()
    toast(page, "Credential registry saved. Its secret is stored sealed")
    search(page, "Search credentials", "registry")
    expect(row(page, "registry")).to_contain_text("basic")

    # Edit: the secret is never shown back, and is kept unless replaced.
    row_action(page, "registry", "Edit")
    expect(panel(page).get_by_label("Secret field value")).to_have_count(0)
    expect(panel(page)).not_to_contain_text("hunter2")
    panel(page).get_by_label("Type").fill("docker")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Credential registry saved. Its stored secret was kept.")
    expect(row(page, "registry")).to_contain_text("docker")
    expect(page.locator("body")).not_to_contain_text("hunter2")
    creds = api.get("/api/integrations/credentials?search=registry", org=org)["credentials"]
    assert len(creds) == 1 and "secret" not in creds[0]
    kept = api.get(f"/api/integrations/credentials/{creds[0]['id']}", org=org)
    assert kept["secret"] == {"password": "hunter2-very-secret", "user": "robot"}
    shot(page, "credentials-edited")

    row_action(page, "registry", "Delete")
    confirm(page)
    toast(page, "Credential registry deleted.")
    expect(page.locator(".empty-state")).to_be_visible()
