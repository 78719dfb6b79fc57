"""Teams: list with paging and search, create, rename, delete, members and roles."""

import re

from playwright.sync_api import expect

from conftest import confirm, open_page, panel, page_through, row, row_action, shot, sign_in, toast


def test_teams(page, api):
    org = api.org()
    for i in range(61):
        api.post(f"/api/identity/orgs/{org}/teams", {"name": f"seeded {i:02}", "description": ""})
    sign_in(page, org)
    open_page(page, "/teams", "Teams")
    shot(page, "teams")

    # All 61 are reachable, 25 at a time.
    page_through(page, 61)
    # Sorting: by the column head, or on narrow screens (cards, no heads) the sort picker.
    if page.view.startswith("narrow"):
        page.get_by_label("Sort by").select_option("name desc")
    else:
        page.get_by_role("button", name="Name").click()
    expect(page.locator("tbody tr").first).to_contain_text("seeded 60")
    expect(page).to_have_url(re.compile(r"sort=name&dir=desc"))
    page.get_by_label("Search teams").fill("seeded 4")
    expect(page.locator("tbody tr")).to_have_count(10)
    expect(page).to_have_url(re.compile(r"q=seeded\+4"))
    page.get_by_label("Search teams").fill("")

    # Create: the new row is highlighted in place.
    page.get_by_role("button", name="New team").first.click()
    panel(page).get_by_label("Name").fill("platform")
    panel(page).get_by_label("Description").fill("runs the clusters")
    panel(page).get_by_role("button", name="Create team").click()
    toast(page, "Team platform created.")
    page.get_by_label("Search teams").fill("platform")
    expect(row(page, "platform")).to_be_visible()

    # Bad input: a second team of that name is refused, and says so by the field.
    page.get_by_role("button", name="New team").first.click()
    panel(page).get_by_label("Name").fill("platform")
    panel(page).get_by_role("button", name="Create team").click()
    expect(panel(page).locator(".field-error, .error").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel(page)).to_have_count(0)

    # Rename.
    row_action(page, "platform", "Edit")
    panel(page).get_by_label("Name").fill("platform team")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Team platform team saved.")
    page.get_by_label("Search teams").fill("platform team")
    expect(row(page, "platform team")).to_be_visible()

    # Members and roles.
    row_action(page, "platform team", "Members")
    expect(panel(page).get_by_role("heading", name="Members")).to_be_visible()
    panel(page).get_by_label("Add a member").fill("admin")
    panel(page).get_by_role("listbox").get_by_role("option").first.click()
    panel(page).get_by_role("button", name="Add to team").click()
    expect(panel(page).locator("tbody tr", has_text="admin@example.com")).to_be_visible()
    panel(page).get_by_label("workspace admin").check()
    panel(page).get_by_role("button", name="Save roles").click()
    toast(page, "Roles of platform team saved.")
    shot(page, "teams-members")
    page.keyboard.press("Escape")

    # Delete.
    row_action(page, "platform team", "Delete")
    confirm(page)
    toast(page, "Team platform team deleted.")
    expect(page.locator(".empty-state")).to_be_visible()
