"""Infrastructure pages: environments, connections, credentials, workspaces
and projects. Each test seeds its lists through the API, pages through them,
and creates, edits and deletes through the UI."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from conftest import confirm, confirm_over_panel, open_page, page_through, panel, row, row_action, shot, sign_in, toast


def seed(n, make):
    """Calls `make(i)` for i in 0..n on a few threads (seeding hundreds of rows one by one is slow)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(make, range(n)))


def search(page, label, text):
    page.get_by_label(label).fill(text)
    expect(page).to_have_url(re.compile(r"q=" + re.escape(text.replace(" ", "+"))) if text else re.compile(r"^(?!.*[?&]q=)"))


def pick(page, label, text, option):
    """Types into the picker labelled `label` and takes the option holding `option`."""
    panel(page).get_by_label(label).fill(text)
    panel(page).get_by_role("option", name=re.compile(re.escape(option))).first.click()


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
    p.get_by_role("button", name="Create connection").click()
    toast(page, "Connection main cluster created.")
    search(page, "Search connections", "main cluster")
    expect(row(page, "main cluster")).to_contain_text("discovered")

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


def test_workspaces(page, api):
    org = api.org()
    seed(61, lambda i: api.post("/api/workspaces", {"name": f"ws {i:02}", "description": "seeded", "organization_id": org}))
    seed(40, lambda i: api.post("/api/environments", {"name": f"env {i:02}", "organization_id": org}))
    sign_in(page, org)
    open_page(page, "/workspaces", "Workspaces")
    shot(page, "workspaces")
    page_through(page, 61)

    page.get_by_role("button", name="New workspace").first.click()
    panel(page).get_by_label("Name").fill(" ")
    panel(page).get_by_role("button", name="Create workspace").click()
    expect(panel(page).locator(".field-error")).to_contain_text("name must not be empty")
    panel(page).get_by_label("Name").fill("payments")
    panel(page).get_by_role("button", name="Create workspace").click()
    toast(page, "Workspace payments created.")
    search(page, "Search workspaces", "payments")
    row_action(page, "payments", "Edit")
    panel(page).get_by_label("Description").fill("card processing")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Workspace payments saved.")
    expect(row(page, "payments")).to_contain_text("card processing")

    # Its environments, chosen by a server-side search (not a list of 40).
    row_action(page, "payments", "Details")
    panel(page).get_by_label("Assign an environment").fill("env 37")
    expect(panel(page).get_by_role("listbox").get_by_role("option")).to_have_count(1)
    pick(page, "Assign an environment", "env 37", "env 37")
    panel(page).locator("form", has=page.get_by_label("Assign an environment")).get_by_role("button", name="Assign").click()
    toast(page, "env 37 assigned to payments.")
    envs = panel(page).locator(".list[aria-label='Environments of the workspace']")
    expect(envs.locator("tbody tr", has_text="env 37")).to_be_visible()
    # Already assigned: no longer offered.
    panel(page).get_by_label("Assign an environment").fill("env 37")
    expect(panel(page).get_by_role("listbox")).to_contain_text("No matches")
    panel(page).get_by_label("Assign an environment").fill("")
    # A design is linked by id; anything else is refused with a reason.
    panel(page).get_by_label("Link a design by id").fill("not-an-id")
    panel(page).locator("form", has=page.get_by_label("Link a design by id")).get_by_role("button", name="Link").click()
    expect(panel(page).locator(".error", has_text="The design id must be a UUID")).to_be_visible()
    shot(page, "workspaces-details")
    envs.locator("tbody tr", has_text="env 37").get_by_role("button", name="Unassign").click()
    confirm_over_panel(page)
    toast(page, "env 37 unassigned from payments.")
    expect(panel(page).locator(".list[aria-label='Events of the workspace'] tbody tr").first).to_be_visible()
    page.keyboard.press("Escape")

    row_action(page, "payments", "Delete")
    confirm(page)
    toast(page, "Workspace payments deleted.")
    expect(page.locator(".empty-state")).to_be_visible()


def test_projects(page, api):
    org = api.org()
    seed(61, lambda i: api.post(f"/api/v1/organizations/{org}/projects", {"metadata": {"name": f"proj-{i:02}"}, "spec": {"groupIDs": []}}))
    team = api.post(f"/api/identity/orgs/{org}/teams", {"name": "operators", "description": ""})
    sign_in(page, org)
    open_page(page, "/projects", "Projects")
    expect(page.get_by_role("meter", name=re.compile("Clusters"))).to_have_attribute("aria-valuemax", "5")
    shot(page, "projects")
    page_through(page, 61)

    # Create: the server's naming rule is shown by the field.
    page.get_by_role("button", name="New project").first.click()
    panel(page).get_by_label("Name").fill("bad name!")
    panel(page).get_by_role("button", name="Create project").click()
    expect(panel(page).locator(".field-error")).to_contain_text("metadata.name must be 1-63 characters")
    panel(page).get_by_label("Name").fill("checkout")
    panel(page).get_by_label("operators").check()
    panel(page).get_by_role("button", name="Create project").click()
    toast(page, "Project checkout created")
    search(page, "Search projects", "checkout")
    expect(row(page, "checkout")).to_contain_text("provisioned")
    expect(row(page, "checkout")).to_contain_text("operators")

    # Edit.
    row_action(page, "checkout", "Edit")
    panel(page).get_by_label("Description").fill("the shop's checkout")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Project checkout saved.")
    expect(row(page, "checkout")).to_contain_text("the shop's checkout")

    # Allocations: going over a quota says which kind, by how much, and the limit.
    row_action(page, "checkout", "Allocations")
    p = panel(page)
    p.get_by_role("button", name="New allocation").click()
    p.get_by_label("Name").fill("eu-cluster")
    p.get_by_label("Owned by (kind)").fill("kubernetescluster")
    p.get_by_label("Owner id").fill("a4e7f6a2-8c1d-4c55-9f3b-0c2b3c1d2e3f")
    p.get_by_label(re.compile(r"^Kind")).fill("clusters")
    p.get_by_label("Committed").fill("4")
    p.get_by_label("Reserved").fill("2")
    p.get_by_role("button", name="Create allocation").click()
    expect(p.locator(".field-error")).to_have_text(
        "allocation exceeded quota: clusters would use 6 (4 committed + 2 reserved), over the quota of 5")
    p.get_by_label("Reserved").fill("0")
    p.get_by_role("button", name="Create allocation").click()
    toast(page, "Allocation eu-cluster saved.")
    expect(p.locator("tbody tr", has_text="eu-cluster")).to_contain_text("Clusters: 4 / 0")
    shot(page, "projects-allocations")
    page.keyboard.press("Escape")
    expect(page.get_by_role("meter", name=re.compile("Clusters"))).to_have_attribute("aria-valuenow", "4")
    expect(row(page, "checkout")).to_contain_text("1")

    # Lowering the quota below what is allocated is refused, and says why.
    page.get_by_label("Clusters quota").fill("3")
    page.get_by_role("button", name="Save quotas").click()
    expect(page.locator(".error", has_text="clusters would use 4")).to_be_visible()
    page.get_by_label("Clusters quota").fill("8")
    page.get_by_role("button", name="Save quotas").click()
    toast(page, "Quotas saved.")
    expect(page.get_by_role("meter", name=re.compile("Clusters"))).to_have_attribute("aria-valuemax", "8")
    api.put(f"/api/v1/organizations/{org}/quotas", {"quotas": [{"kind": "clusters", "quantity": 5}]})

    row_action(page, "checkout", "Delete")
    expect(panel(page)).to_contain_text("Its allocation goes with it.")
    confirm(page)
    expect(page.locator(".empty-state")).to_be_visible(timeout=15_000)
    assert team["id"]
