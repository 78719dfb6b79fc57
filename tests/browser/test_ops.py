"""Operations: the dashboard (an organization at a glance), the event log and
the user's own schedules."""

import re
import uuid

from playwright.sync_api import expect

from conftest import confirm, open_page, panel, page_through, row, row_action, shot, sign_in, toast


def report(api, org, action, description, severity="informational"):
    api.post("/events", {"category": "agent", "action": action, "description": description, "severity": severity}, org=org)


def connection(api, org, name, status):
    api.post("/api/integrations/connections",
             {"name": name, "type": "platform", "sub_type": "orchestration", "kind": "kubernetes", "status": status}, org=org)


def flt(page, name):
    """A filter of the list."""
    return page.locator(".list-tools").get_by_label(name)


def tick_all(page):
    """Ticks every row shown (on narrow screens the header's box is hidden)."""
    for box in page.locator("tbody td.select input").all():
        box.check()


def events_in(api, org, days):
    v = api.get(f"/api/meshcloud/orgs/{org}/overview?days={days}")
    return sum(d["count"] for d in v["events"])


def test_dashboard(page, api):
    org = api.org()
    for i in range(3):
        api.post(f"/api/identity/orgs/{org}/teams", {"name": f"team {i}", "description": ""})
    connection(api, org, "c1", "connected")
    connection(api, org, "c2", "connected")
    connection(api, org, "c3", "registered")
    for i in range(4):
        report(api, org, "probe", f"probe {i}")
    api.put(f"/api/v1/organizations/{org}/quotas", {"quotas": [{"kind": "clusters", "quantity": 5}]})
    sign_in(page, org)
    open_page(page, "/", "Dashboard")

    # Tiles: the seeded counts, each linking to its page.
    expect(page.locator(".stat", has_text="teams")).to_contain_text("3")
    expect(page.locator(".stat", has_text="connections")).to_contain_text("3")
    expect(page.locator("a.stat", has_text="teams")).to_have_attribute("href", "/teams")

    # Charts are drawn, and their captions carry the seeded numbers.
    expect(page.locator("figure.chart canvas")).to_have_count(2)
    week = events_in(api, org, 7)
    assert week >= 4 + 3
    expect(page.locator("figure.chart figcaption").first).to_have_text(f"Events in the last 7 days: {week} in 7 days")
    expect(page.locator("figcaption", has_text="Connections by status")).to_have_text("Connections by status: connected 2, registered 1")
    expect(page.locator(".usage", has_text="clusters")).to_contain_text("0 of 5")
    expect(page.locator("ul.recent li")).to_have_count(5)
    shot(page, "dashboard-org")

    # The window toggle is kept in the URL and survives a reload.
    page.get_by_role("button", name="30 days").click()
    expect(page).to_have_url(re.compile(r"days=30"))
    month = events_in(api, org, 30)
    expect(page.locator("figure.chart figcaption").first).to_have_text(f"Events in the last 30 days: {month} in 30 days")
    page.reload()
    expect(page.get_by_role("button", name="30 days")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("figure.chart canvas")).to_have_count(2)
    page.get_by_role("button", name="7 days").click()
    expect(page).not_to_have_url(re.compile(r"days="))

    # Recent events lead to the log.
    page.get_by_role("link", name="All events").click()
    expect(page.locator("#page-title")).to_have_text("Events")

    # Without identity.organization.read the overview is 404 (docs/ops.md): the
    # dashboard says why instead of failing, and still lists recent events.
    page.route(re.compile(r"/overview\?"), lambda r: r.fulfill(status=404, content_type="application/json",
                                                      body='{"error":"not_found","message":"not found"}'))
    open_page(page, "/", "Dashboard")
    expect(page.locator(".error-state")).to_contain_text("identity.organization.read")
    expect(page.locator(".error-state").get_by_role("button", name="Try again")).to_have_count(0)
    expect(page.locator("ul.recent li")).to_have_count(5)


def test_dashboard_without_an_organization(page, api):
    # A person in no organization yet: an approved sign-up request.
    email = f"lone-{uuid.uuid4().hex[:8]}@example.com"
    api.post("/api/identity/users/request", {"email": email, "password": "lone-password-1"})
    api.post(f"/api/identity/users/request/approve?email={email}")
    sign_in(page, email=email, password="lone-password-1")
    open_page(page, "/", "Dashboard")
    expect(page.get_by_role("heading", name="You are not in an organization yet")).to_be_visible()
    expect(page.get_by_role("link", name="your account page")).to_have_attribute("href", "/account")
    expect(page.get_by_role("link", name="Organizations page")).to_have_attribute("href", "/organizations")
    shot(page, "dashboard-welcome")


def test_events(page, api):
    org = api.org()
    for i in range(61):
        report(api, org, "probe", f"probe {i:02}", "warning")
    report(api, org, "alarm", "alarm one", "error")
    report(api, org, "alarm", "alarm two", "error")
    sign_in(page, org)
    page.goto("/")
    page.evaluate("localStorage.setItem('meshcloud.events.live', 'off')")
    open_page(page, "/event-log", "Events")

    # The pictures compare: per severity as seeded (folded away on phones).
    if page.viewport_size["width"] < 800:
        page.get_by_text("Events per day and by severity").click()
    expect(page.locator("figure.chart canvas")).to_have_count(2)
    expect(page.locator("figure.chart canvas").first).to_be_visible()
    expect(page.locator("figcaption", has_text="Events by severity")).to_contain_text("error 2, warning 61")
    shot(page, "events")

    # Filtered to the agent's events: 63, reachable 25 at a time; the filter is in the URL.
    flt(page, "Category").select_option("agent")
    expect(page).to_have_url(re.compile(r"category=agent"))
    page_through(page, 63)
    flt(page, "Severity").select_option("error")
    expect(page).to_have_url(re.compile(r"severity=error"))
    expect(page.locator("tbody tr")).to_have_count(2)
    # The Status column is there (a labelled cell on narrow screens).
    if page.viewport_size["width"] >= 800:
        expect(page.get_by_role("columnheader", name="Status")).to_be_visible()
    expect(row(page, "alarm one").locator("td[data-label=Status]")).to_have_text("unread")

    # Mark read from the row, unread again from the detail panel.
    row_action(page, "alarm one", "Mark read")
    toast(page, "Marked read.")
    expect(row(page, "alarm one").locator("td[data-label=Status]")).to_have_text("read")
    row_action(page, "alarm one", "Details")
    expect(panel(page)).to_contain_text("alarm one")
    panel(page).get_by_role("button", name="Mark unread").click()
    toast(page, "Marked unread.")
    expect(panel(page).locator("dd", has_text="unread")).to_be_visible()
    page.keyboard.press("Escape")
    expect(row(page, "alarm one").locator("td[data-label=Status]")).to_have_text("unread")

    # Status filter and search.
    flt(page, "Severity").select_option("")
    page.get_by_label("Search events").fill("probe 4")
    expect(page.locator("tbody tr")).to_have_count(10)
    expect(page).to_have_url(re.compile(r"q=probe\+4"))

    # Bulk: mark the ten read, then only unread ones remain visible under the status filter.
    tick_all(page)
    page.locator(".bulk").get_by_role("button", name="Mark read").click()
    toast(page, "Mark read: done for 10.")
    flt(page, "Status").select_option("unread")
    expect(page.locator(".empty-state")).to_contain_text("Nothing matches")
    flt(page, "Status").select_option("read")
    expect(page.locator("tbody tr")).to_have_count(10)

    # Delete one, and two in bulk.
    flt(page, "Status").select_option("")
    page.get_by_label("Search events").fill("probe 40")
    expect(page.locator("tbody tr")).to_have_count(1)
    row_action(page, "probe 40", "Delete")
    confirm(page)
    toast(page, "Event deleted.")
    expect(page.locator(".empty-state")).to_be_visible()
    page.get_by_label("Search events").fill("alarm")
    expect(page.locator("tbody tr")).to_have_count(2)
    tick_all(page)
    page.locator(".bulk").get_by_role("button", name="Delete").click()
    confirm(page)
    toast(page, "Delete: done for 2.")
    expect(page.locator(".empty-state")).to_be_visible()
    shot(page, "events-filtered")

    # Bad input: a time window that ends before it starts is refused.
    page.get_by_label("Search events").fill("")
    page.get_by_label("From", exact=True).fill("2030-01-02T00:00")
    expect(page).to_have_url(re.compile(r"from=2030"))
    page.get_by_label("To", exact=True).fill("2030-01-01T00:00")
    expect(page.locator("p.error")).to_have_text("“From” must be before “To”.")
    expect(page).not_to_have_url(re.compile(r"to=2030"))


def test_schedules(page, api):
    # Schedules are the user's own: a prefix keeps each view's apart.
    tag = uuid.uuid4().hex[:6]
    for i in range(61):
        api.post("/user/schedules", {"name": f"{tag} nightly {i:02}", "cron_expression": f"{i % 60} 2 * * *"})
    api.post("/user/schedules", {"name": f"{tag} paused", "cron_expression": "0 0 * * *", "enabled": False})
    sign_in(page, api.org())
    open_page(page, "/schedules", "Schedules")
    page.get_by_label("Search schedules").fill(f"{tag} nightly")
    expect(page).to_have_url(re.compile(r"q="))
    page_through(page, 61)
    page.get_by_label("Search schedules").fill(f"{tag} paused")
    expect(row(page, "paused")).to_contain_text("disabled")
    expect(row(page, "paused").locator("td[data-label='Upcoming run']")).to_have_text("never")
    shot(page, "schedules")

    # Create: a cron error the server makes true, shown under the field.
    page.get_by_role("button", name="New schedule").first.click()
    panel(page).get_by_label("Name").fill(f"{tag} backup")
    cron = panel(page).get_by_label("Cron expression")
    cron.fill("61 * * * *")
    expect(panel(page).locator(".cron-hint")).to_contain_text("Read as 5 fields: minute hour")
    panel(page).get_by_role("button", name="Create schedule").click()
    expect(panel(page).locator(".field-error")).to_contain_text("minute 61 is out of range 0–59")
    expect(cron).to_be_focused()
    shot(page, "schedules-cron-error")
    panel(page).get_by_role("button", name="0 3 * * *").click()
    expect(cron).to_have_value("0 3 * * *")
    panel(page).get_by_role("button", name="Create schedule").click()
    toast(page, f"Schedule {tag} backup created.")
    page.get_by_label("Search schedules").fill(f"{tag} backup")
    expect(row(page, "backup")).to_contain_text("0 3 * * *")
    expect(row(page, "backup")).to_contain_text("enabled")

    # Edit the expression.
    row_action(page, "backup", "Edit")
    panel(page).get_by_label("Cron expression").fill("*/15 * * * *")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, f"Schedule {tag} backup saved.")
    expect(row(page, "backup")).to_contain_text("*/15 * * * *")

    # Disable and enable again.
    row_action(page, "backup", "Disable")
    toast(page, f"Schedule {tag} backup disabled.")
    expect(row(page, "backup")).to_contain_text("disabled")
    expect(row(page, "backup").locator("td[data-label='Upcoming run']")).to_have_text("never")
    row_action(page, "backup", "Enable")
    toast(page, f"Schedule {tag} backup enabled.")
    expect(row(page, "backup").locator("td[data-label='Upcoming run']")).not_to_have_text("never")

    # Its firings are events in the organization.
    row_action(page, "backup", "Events")
    expect(page.locator("#page-title")).to_have_text("Events")
    expect(page).to_have_url(re.compile(r"acted_upon="))
    expect(page.get_by_text("Only events about")).to_be_visible()
    page.go_back()
    expect(page.locator("#page-title")).to_have_text("Schedules")

    # Delete.
    row_action(page, "backup", "Delete")
    confirm(page)
    toast(page, f"Schedule {tag} backup deleted.")
    expect(page.locator(".empty-state")).to_be_visible()
