"""Catalog: published designs and filters of every organization (paging,
search, class filter, the detail, clone into the selected organization),
and the publication requests an approver approves or denies."""

import re
import uuid

from playwright.sync_api import expect

from conftest import confirm, new_account, open_page, page_through, panel, publish, row, row_action, shot, sign_in, sign_in_as, toast

EMPTY = {"components": [], "relationships": []}


def design(api, org, name):
    return api.post("/api/content/patterns", {"name": name, "save": True, "patternData": EMPTY}, org=org)["id"]


def test_catalog(page, api):
    # The catalog spans every organization: names are unique to this run.
    tag = uuid.uuid4().hex[:6]
    org = api.org()
    for i in range(61):
        data = {"type": "Workloads", "compatibility": ["kubernetes"], "pattern_info": f"seeded {i}", "pattern_caveats": ""}
        if i % 10 == 0:
            data["class"] = "verified"
        publish(api, org, "pattern", design(api, org, f"cat {tag} {i:02}"), data)
    flt = api.post("/api/content/filters", {"name": f"filter {tag}", "filter_file": "AGFzbQ=="}, org=org)["id"]
    publish(api, org, "filter", flt)

    mine = api.org()
    sign_in(page, mine)
    open_page(page, "/catalog", "Catalog")
    page.get_by_label("Search published designs").fill(f"cat {tag}")
    # The search applies after a pause (and from the first page); page only once it has.
    expect(page).to_have_url(re.compile(rf"dq=cat\+{tag}"))
    page_through(page, 61)
    shot(page, "catalog")

    # The class filter and search go to the server.
    page.get_by_label("Class").select_option("verified")
    expect(page.locator(".pager .range")).to_have_text("1–7 of 7")
    expect(page).to_have_url(re.compile(r"dclass=verified"))
    page.get_by_label("Class").select_option("")
    page.get_by_label("Search published designs").fill(f"cat {tag} 42")
    expect(page.locator("tbody tr")).to_have_count(1)

    # The detail draws the design; Clone copies it into the organization in use.
    row_action(page, f"cat {tag} 42", "View")
    expect(panel(page)).to_contain_text("seeded 42")
    expect(panel(page).locator("figcaption")).to_be_visible()
    panel(page).get_by_role("button", name="Clone into this organization").click()
    toast(page, "cloned into this organization")
    page.keyboard.press("Escape")
    copies = api.get("/api/content/patterns?search=42", org=mine)["patterns"]
    assert [c["name"] for c in copies] == [f"cat {tag} 42 (Copy)"], copies

    # Filters have a tab of their own.
    page.get_by_role("tab", name="Filters").click()
    page.get_by_label("Search published filters").fill(f"filter {tag}")
    expect(row(page, f"filter {tag}")).to_contain_text("Deployment")
    row_action(page, f"filter {tag}", "Clone")
    toast(page, "cloned into this organization")


def test_requests(page, api):
    tag = uuid.uuid4().hex[:6]
    org = api.org()
    email = f"author-{tag}@example.com"
    new_account(api, org, email, "author-password-1", roles=("organization admin",))
    for name in (f"ask {tag} yes", f"ask {tag} no"):
        publish(api, org, "pattern", design(api, org, name), approve=False)

    # Without the approve key, the tab holds only one's own requests (none here).
    sign_in_as(page, org, email, "author-password-1")
    open_page(page, "/catalog?tab=requests", "Catalog")
    expect(page.get_by_role("tab", name="Your requests")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".empty-state")).to_be_visible()

    # The provider admin decides: approve one, deny the other, each after a confirmation.
    page.context.clear_cookies()
    sign_in(page, org)
    open_page(page, "/catalog?tab=requests", "Catalog")
    page.get_by_label("Search requests").fill(f"ask {tag}")
    expect(page.locator("tbody tr")).to_have_count(2)
    shot(page, "catalog-requests")
    row_action(page, f"ask {tag} no", "Details")
    expect(panel(page)).to_contain_text("seeded")
    panel(page).get_by_role("button", name="Deny").click()
    page.locator("body > div:not(#app) > dialog[open] .buttons button").first.click()
    expect(panel(page)).to_have_count(0)
    toast(page, f"Request for ask {tag} no denied.")
    expect(row(page, f"ask {tag} no")).to_contain_text("denied")
    expect(row(page, f"ask {tag} no").get_by_role("button", name="Approve")).to_have_count(0)
    row_action(page, f"ask {tag} yes", "Approve")
    page.locator("dialog[open]").get_by_role("button", name="Cancel").click()
    expect(row(page, f"ask {tag} yes")).to_contain_text("pending")
    row_action(page, f"ask {tag} yes", "Approve")
    confirm(page)
    toast(page, f"ask {tag} yes published.")
    page.get_by_label("Status").select_option("approved")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("tab", name="Designs").click()
    page.get_by_label("Search published designs").fill(f"ask {tag}")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, f"ask {tag} yes")).to_be_visible()
