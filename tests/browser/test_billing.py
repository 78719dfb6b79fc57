"""Billing: an organization's plan and usage, subscribing and paying by bank
transfer (confirmed by the provider admin on Pending payments), changing plan
with the prorated invoice shown first, cancelling, the invoices with paging
and their printable view; the plans editor (create, edit, a refusal under the
price, delete and archive)."""

import re
import uuid

from playwright.sync_api import expect

from conftest import confirm, open_page, page_through, panel, row, row_action, shot, sign_in, toast

PLANS = "/api/entitlement/plans"


# The reference writes a year's cadence "annually"; meshcloud accepts "yearly" too.
CADENCES = {"monthly": ("monthly",), "yearly": ("yearly", "annually")}


def plan_id(api, name, cadence="monthly"):
    return next(p["id"] for p in api.get(PLANS) if p["name"] == name and p["cadence"] in CADENCES[cadence])


def without_trial(api, name, cadence="monthly"):
    """Sets the plan's trial to none (the seeded team plans have 14 days, in
    which nothing is due): its first invoice is then due at once. Idempotent."""
    plan = next(p for p in api.get(PLANS) if p["name"] == name and p["cadence"] == cadence)
    features = [{"name": f["name"], "quantity": f["quantity"]} for f in api.get("/api/entitlement/features") if f["plan_id"] == plan["id"]]
    body = {k: plan[k] for k in ("name", "cadence", "currency", "unit", "minimum_units", "price_per_unit")}
    api.put(f"{PLANS}/{plan['id']}", {**body, "trial_days": 0, "features": features})
    return plan["id"]


def current(page):
    return page.locator("section.card", has=page.get_by_role("heading", name="Current plan"))


def invoices(page):
    return page.locator("section.card", has=page.get_by_role("heading", name="Invoices"))


def test_subscribe_pay_change_and_cancel(page, api):
    name = f"billed {uuid.uuid4().hex[:8]}"
    org = api.org(name)
    designer = without_trial(api, "Team Designer")
    sign_in(page, org)
    open_page(page, "/billing", "Billing")

    # A new organization is on the free plan; its usage against the plan's limits as bars.
    expect(current(page)).to_contain_text("Free")
    members = page.get_by_role("meter", name="Members")
    expect(members).to_have_attribute("aria-valuenow", "1")
    expect(members).to_have_attribute("aria-valuemax", "10")
    expect(page.locator(".usage", has_text="Workspaces")).to_contain_text("0 of 10")
    expect(invoices(page).locator(".empty-state")).to_contain_text("No invoices yet.")
    shot(page, "billing")

    # Subscribe: the payment reference and how to pay are shown.
    page.get_by_role("button", name="Subscribe").click()
    panel(page).locator("select[name=planId]").select_option(designer)
    panel(page).get_by_label("Seats").fill("2")
    panel(page).get_by_role("button", name="Subscribe").click()
    toast(page, "Subscription created.")
    reference = panel(page).locator("#secret-value")
    expect(reference).not_to_be_empty()
    expect(panel(page)).to_contain_text("bank transfer")
    secret = reference.inner_text()
    shot(page, "billing-subscribed")
    panel(page).get_by_role("button", name="Done").click()
    expect(current(page)).to_contain_text("Waiting for the first payment")
    expect(invoices(page).locator("tbody tr")).to_have_count(1)
    expect(invoices(page).locator("tbody tr").first).to_contain_text("$30.00")
    # The open invoice keeps showing the reference its transfer quotes.
    expect(invoices(page).locator("tbody tr").first.locator(".payment-reference")).to_contain_text(secret)

    # The provider admin confirms the transfer on Pending payments.
    # Newest first, as other tests (and runs) leave payments waiting too.
    open_page(page, "/payments?sort=created_at&dir=desc", "Pending payments")
    expect(row(page, name)).to_contain_text("$30.00")
    shot(page, "payments")
    row_action(page, name, "Confirm")
    panel(page).get_by_label("Bank reference").fill("SEPA 2026-12-07 4711")
    panel(page).get_by_role("button", name="Confirm payment").click()
    toast(page, "confirmed")
    expect(row(page, name)).to_have_count(0)
    # The same reference cannot pay twice.
    page.get_by_role("button", name="Confirm by payment reference").click()
    panel(page).get_by_label("Payment reference").fill(secret)
    panel(page).get_by_label("Bank reference").fill("again")
    panel(page).get_by_role("button", name="Confirm payment").click()
    expect(panel(page).locator(".field-error, p.error").first).to_be_visible()
    page.keyboard.press("Escape")

    # The plan is in effect.
    open_page(page, "/billing", "Billing")
    expect(current(page)).to_contain_text("Team Designer")
    expect(current(page).locator(".badge", has_text="active")).to_be_visible()
    # Members are limited by the seats paid for on a per-user plan.
    expect(page.get_by_role("meter", name="Members")).to_have_attribute("aria-valuemax", "2")
    expect(invoices(page).locator("tbody tr").first).to_contain_text("paid")

    # Change plan: the prorated invoice first, then the change.
    page.get_by_role("button", name="Change plan").click()
    panel(page).locator("select[name=planId]").select_option(plan_id(api, "Team Operator"))
    panel(page).get_by_label("Seats").fill("3")
    panel(page).get_by_role("button", name="Preview").click()
    lines = panel(page).get_by_role("table", name="Invoice lines").locator("tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.first).to_contain_text("prorated")
    expect(panel(page)).to_contain_text("Amount due")
    shot(page, "billing-change")
    panel(page).get_by_role("button", name="Confirm change").click()
    toast(page, "Plan changed to Team Operator.")
    expect(current(page)).to_contain_text("Team Operator")
    expect(invoices(page).locator("tbody tr")).to_have_count(2)

    # A refusal: nothing to change.
    page.get_by_role("button", name="Change plan").click()
    panel(page).get_by_role("button", name="Preview").click()
    expect(panel(page).locator(".field-error, p.error").first).to_be_visible()
    page.keyboard.press("Escape")

    # Cancel: in effect until the period ends.
    current(page).get_by_role("button", name="Cancel subscription").click()
    confirm(page)
    toast(page, "Subscription cancelled.")
    expect(current(page)).to_contain_text("Cancelled: the subscription ends on")
    expect(current(page).get_by_role("button", name="Change plan")).to_be_visible()
    expect(current(page).get_by_role("button", name="Cancel subscription")).to_have_count(0)

    # The printable view of an invoice opens in a new tab.
    number = invoices(page).locator("tbody tr").first.locator("td").first.inner_text()
    with page.context.expect_page() as tab:
        invoices(page).locator("tbody tr").first.get_by_role("link", name="View").click()
    printable = tab.value
    printable.wait_for_load_state()
    expect(printable.locator("body")).to_contain_text(number)
    printable.close()


def test_a_trial_starts_at_once(page, api):
    org = api.org()
    sign_in(page, org)
    open_page(page, "/billing", "Billing")
    page.get_by_role("button", name="Subscribe").click()
    panel(page).locator("select[name=planId]").select_option(plan_id(api, "Team Operator", "yearly"))
    panel(page).get_by_role("button", name="Subscribe").click()
    expect(panel(page).get_by_role("status")).to_have_text("The plan is in effect now; nothing is due yet.")
    panel(page).get_by_role("button", name="Done").click()
    expect(current(page)).to_contain_text("Team Operator")
    expect(current(page).locator(".badge", has_text="trialing")).to_be_visible()
    expect(current(page)).to_contain_text("Trial ends")
    expect(invoices(page).locator(".empty-state")).to_be_visible()
    # Cancelling a trial ends it at once: back on the free plan.
    current(page).get_by_role("button", name="Cancel subscription").click()
    expect(page.locator("dialog[open]")).to_contain_text("It ends now.")
    confirm(page)
    expect(current(page)).to_contain_text("Free")
    expect(current(page).get_by_role("button", name="Subscribe")).to_be_visible()


def test_invoices_are_paged(page, api):
    org = api.org()
    # Each new subscription replaces the unpaid one before it, whose invoice is voided: 61 invoices.
    enterprise = plan_id(api, "Enterprise")
    for _ in range(61):
        api.post("/api/entitlement/subscriptions/create", {"orgId": org, "planId": enterprise, "userCount": 25}, org=org)
    sign_in(page, org)
    open_page(page, "/billing", "Billing")
    expect(current(page)).to_contain_text("Waiting for the first payment")
    shot(page, "billing-invoices")
    page_through(page, 61, within=invoices(page))
    expect(page).to_have_url(re.compile(r"ipage=3"))
    # Newest first; ordered by number, the first one issued leads.
    numbers = sorted(i["number"] for i in api.get(f"/api/entitlement/invoices?orgId={org}&pagesize=100", org=org)["invoices"])
    assert len(numbers) == 61, numbers
    open_page(page, "/billing?isort=number&idir=asc", "Billing")
    expect(invoices(page).locator("tbody tr").first).to_contain_text(numbers[0])
    expect(invoices(page).locator("tbody tr").first).to_contain_text("void")


def test_plans_editor(page, api):
    sign_in(page)
    open_page(page, "/plans", "Plans")
    expect(row(page, "Team Designer").first).to_be_visible()
    # The default plan saves as it is (it stays the default).
    row_action(page, "Free", "Edit")
    expect(panel(page).get_by_label("The default plan")).to_be_checked()
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Plan Free saved.")
    name = f"Studio {uuid.uuid4().hex[:6]}"

    # Create, with a price finer than cents refused under the price.
    page.get_by_role("button", name="New plan").click()
    panel(page).get_by_label(re.compile(r"^Name")).fill(name)
    panel(page).get_by_label(re.compile(r"^Price per unit")).fill("12.345")
    panel(page).get_by_label("Members", exact=True).fill("20")
    panel(page).get_by_label("Workspaces", exact=True).fill("5")
    shot(page, "plans-new")
    panel(page).get_by_role("button", name="Create plan").click()
    invalid = panel(page).locator(".field.invalid")
    expect(invalid.locator("label")).to_have_text("Price per unit *")
    panel(page).get_by_label(re.compile(r"^Price per unit")).fill("12.34")
    panel(page).get_by_role("button", name="Create plan").click()
    toast(page, f"Plan {name} created.")
    page.get_by_label("Search plans").fill(name)
    expect(row(page, name)).to_contain_text("$12.34 per user")
    created = next(p for p in api.get(PLANS) if p["name"] == name)
    features = {f["name"]: f["quantity"] for f in api.get("/api/entitlement/features") if f["plan_id"] == created["id"]}
    assert features["MembersInOrganization"] == 20 and features["WorkspacesInOrganization"] == 5, features

    # Edit: the form shows the plan's features; a new price and limit are saved.
    row_action(page, name, "Edit")
    expect(panel(page).get_by_label("Members", exact=True)).to_have_value("20")
    panel(page).get_by_label(re.compile(r"^Price per unit")).fill("14")
    panel(page).get_by_label("Members", exact=True).fill("30")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, f"Plan {name} saved.")
    expect(row(page, name)).to_contain_text("$14.00 per user")
    features = {f["name"]: f["quantity"] for f in api.get("/api/entitlement/features") if f["plan_id"] == created["id"]}
    assert features["MembersInOrganization"] == 30, features

    # A plan with a subscription is archived, not deleted.
    org = api.org()
    api.post("/api/entitlement/subscriptions/create", {"orgId": org, "planId": created["id"], "userCount": 1}, org=org)
    row_action(page, name, "Delete")
    confirm(page)
    toast(page, f"Plan {name}")
    expect(row(page, name).locator(".badge")).to_have_text("archived")
    expect(row(page, name).get_by_role("button")).to_have_count(0)

    # A plan never subscribed to is deleted.
    other = f"Spare {uuid.uuid4().hex[:6]}"
    api.post(PLANS, {"name": other, "cadence": "monthly", "currency": "USD", "unit": "user", "minimum_units": 1,
                     "price_per_unit": 3, "trial_days": 0, "features": []})
    page.get_by_label("Search plans").fill(other)
    row_action(page, other, "Delete")
    confirm(page)
    expect(page.locator(".empty-state")).to_be_visible()
