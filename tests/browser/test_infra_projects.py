"""Infrastructure pages: workspaces (with their environments, teams, designs
and views) and projects (with allocations and quotas)."""

import re

from playwright.sync_api import expect

from conftest import confirm, confirm_over_panel, open_page, page_through, panel, row, row_action, shot, sign_in, toast
from infra_helpers import pick, search, seed


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
