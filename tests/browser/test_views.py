"""Views and filters: lists with paging and search, create and edit in a
panel, refusals shown by their field, filters cloned and deleted, both
shared."""

import re
import uuid

from playwright.sync_api import expect

from conftest import (confirm, confirm_over_panel, new_account, open_page, page_through, panel, row, row_action, shot,
                      sign_in, sign_in_as, toast)


def test_views(page, api):
    org = api.org()
    for i in range(61):
        api.put(f"/api/content/views/{uuid.uuid4()}", {"name": f"seeded {i:02}", "filters": {"kinds": ["Pod"]}}, org=org)
    sign_in(page, org)
    open_page(page, "/views", "Views")
    shot(page, "views")
    page_through(page, 61)
    page.get_by_label("Search views").fill("seeded 4")
    expect(page.locator("tbody tr")).to_have_count(10)
    expect(page).to_have_url(re.compile(r"q=seeded\+4"))
    page.get_by_label("Search views").fill("")

    # Filters that are not a JSON object are refused by their field, before anything is sent.
    page.get_by_role("button", name="New view").first.click()
    panel(page).get_by_label("Name").fill("shop pods")
    panel(page).get_by_label("Filters (JSON object)").fill("[1, 2]")
    panel(page).get_by_role("button", name="Create view").click()
    expect(panel(page).locator(".field-error")).to_contain_text("must be a JSON object")
    # A name the server refuses says so under the name.
    panel(page).get_by_label("Filters (JSON object)").fill('{"kinds": ["Pod"], "namespaces": ["shop"]}')
    panel(page).get_by_label("Name").fill("shop\u200bpods")
    panel(page).get_by_role("button", name="Create view").click()
    expect(panel(page).locator(".field.invalid")).to_contain_text("name must not contain invisible")
    panel(page).get_by_label("Name").fill("shop pods")
    panel(page).get_by_role("button", name="Create view").click()
    toast(page, "View shop pods created.")
    expect(row(page, "shop pods")).to_contain_text("namespaces")

    # Edit: rename and make it public.
    row_action(page, "shop pods", "Edit")
    expect(panel(page).get_by_label("Filters (JSON object)")).to_have_value(re.compile(r'"shop"'))
    panel(page).get_by_label("Name").fill("shop workloads")
    panel(page).get_by_label("Visibility").select_option("public")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "View shop workloads saved.")
    expect(row(page, "shop workloads")).to_contain_text("public")

    # Share it with someone of another organization, who finds it under "Shared with me".
    other = api.org()
    email = f"viewer-{uuid.uuid4().hex[:8]}@example.com"
    new_account(api, other, email, "viewer-password-1")
    row_action(page, "shop workloads", "Share")
    panel(page).get_by_label("People (e-mail addresses, comma-separated)").fill(email)
    panel(page).get_by_role("button", name="Share", exact=True).click()
    toast(page, "shop workloads shared.")
    expect(panel(page).locator("ul.share-list li", has_text=email)).to_contain_text("read")
    shot(page, "views-share")
    page.keyboard.press("Escape")
    sign_in_as(page, other, email, "viewer-password-1")
    open_page(page, "/views", "Views")
    page.get_by_label("Show").select_option("true")
    expect(row(page, "shop workloads")).to_contain_text("shared with you")
    expect(row(page, "shop workloads").get_by_role("button", name="Edit")).to_have_count(0)


def test_filters(page, api):
    org = api.org()
    for i in range(61):
        api.post("/api/content/filters", {"name": f"seeded {i:02}", "filter_file": "AGFzbQ=="}, org=org)
    sign_in(page, org)
    open_page(page, "/filters", "Filters")
    shot(page, "filters")
    page_through(page, 61)
    page.get_by_label("Search filters").fill("seeded 5")
    expect(page.locator("tbody tr")).to_have_count(10)
    page.get_by_label("Search filters").fill("")

    # A refusal by the server is shown under its field.
    page.get_by_role("button", name="New filter").first.click()
    panel(page).get_by_label("Name").fill("rate\u200blimit")
    panel(page).get_by_role("button", name="Create filter").click()
    expect(panel(page).locator(".field.invalid")).to_contain_text("name must not contain invisible")

    # Create from a WASM module picked from disk (sent in base64).
    panel(page).get_by_label("Name").fill("rate limit")
    panel(page).get_by_label("WASM module (replaces the text below)").set_input_files(
        files=[{"name": "rate.wasm", "mimeType": "application/wasm", "buffer": b"\x00asm\x01\x00\x00\x00"}])
    panel(page).get_by_label("Configuration").fill("rps: 10")
    panel(page).get_by_role("button", name="Create filter").click()
    toast(page, "Filter rate limit created.")
    made = api.get("/api/content/filters?search=rate", org=org)["filters"][0]
    assert made["filter_file"] == "AGFzbQEAAAA=" and made["filter_resource"] == "rps: 10", made

    # Edit.
    page.get_by_label("Search filters").fill("rate")
    row_action(page, "rate limit", "Edit")
    expect(panel(page).get_by_label("Configuration")).to_have_value("rps: 10")
    panel(page).get_by_label("Name").fill("rate limiter")
    panel(page).get_by_label("Configuration").fill("rps: 20")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Filter rate limiter saved.")
    expect(row(page, "rate limiter")).to_be_visible()

    # Share with a team of the organization.
    api.post(f"/api/identity/orgs/{org}/teams", {"name": "edge", "description": ""})
    row_action(page, "rate limiter", "Share")
    panel(page).get_by_label("Team of this organization").fill("edge")
    panel(page).get_by_role("listbox").get_by_role("option", name="edge").click()
    panel(page).get_by_label("Access").select_option("edit")
    panel(page).get_by_role("button", name="Share", exact=True).click()
    toast(page, "rate limiter shared.")
    team = panel(page).locator("ul.share-list li", has_text="edge")
    expect(team).to_contain_text("edit")
    team.get_by_role("button", name="Stop sharing with edge").click()
    confirm_over_panel(page)
    toast(page, "No longer shared with edge.")
    expect(panel(page).locator("ul.share-list li")).to_have_count(0)
    page.keyboard.press("Escape")

    # Publish: a request with the catalog data; once approved, Unpublish takes it back.
    row_action(page, "rate limiter", "Publish to catalog")
    panel(page).get_by_label("Type").select_option("Security")
    panel(page).get_by_label("Compatible models (comma-separated)").fill("istio, envoy")
    panel(page).get_by_label("What it does").fill("Limits requests per second.")
    panel(page).get_by_role("button", name="Request publication").click()
    toast(page, "Publication of rate limiter requested")
    req = [r for r in api.get("/api/catalog/requests?filter=pending&pagesize=all")["catalogRequests"] if r["content_id"] == made["id"]]
    assert req and req[0]["catalog_data"]["compatibility"] == ["istio", "envoy"], req
    api.post("/api/catalog/requests/approve", {"id": req[0]["id"]})
    page.reload()
    row_action(page, "rate limiter", "Unpublish")
    confirm(page)
    toast(page, "rate limiter unpublished.")
    expect(row(page, "rate limiter")).to_contain_text("private")

    # Clone, then delete both.
    row_action(page, "rate limiter", "Clone")
    toast(page, "cloned as rate limiter (Copy)")
    expect(page.locator("tbody tr")).to_have_count(2)
    row_action(page, "(Copy)", "Delete")
    confirm(page)
    toast(page, "Filter rate limiter (Copy) deleted.")
    expect(page.locator("tbody tr")).to_have_count(1)
    row_action(page, "rate limiter", "Delete")
    confirm(page)
    expect(page.locator(".empty-state")).to_be_visible()
