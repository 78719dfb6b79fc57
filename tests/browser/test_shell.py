"""The app shell: sign-in through the form, navigation, the organization
switcher, the theme, and every page opening without errors in all four views."""

import pytest
from playwright.sync_api import expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, VIEWS, open_page, shot, sign_in

# Every page of the navigation, with its title.
PAGES = {
    "/": "Dashboard",
    "/account": "Your account",
    "/organizations": "Organizations",
    "/members": "Members",
    "/teams": "Teams",
    "/roles": "Roles",
    "/invitations": "Invitations",
    "/sign-ups": "Sign-up requests",
    "/service-accounts": "Service accounts",
    "/users": "Users",
    "/sign-in": "Sign-in providers",
    "/oauth-clients": "OAuth clients",
    "/environments": "Environments",
    "/connections": "Connections",
    "/credentials": "Credentials",
    "/workspaces": "Workspaces",
    "/projects": "Projects",
    "/designs": "Designs",
    "/models": "Models",
    "/resources": "Resources",
    "/catalog": "Catalog",
    "/views": "Views",
    "/filters": "Filters",
    "/event-log": "Events",
    "/schedules": "Schedules",
    "/billing": "Billing",
    "/plans": "Plans",
    "/payments": "Pending payments",
    "/gateways": "Control planes",
    "/gateways/applications": "Applications",
    "/gateways/consumers": "Consumers",
    "/gateways/certificates": "Certificates",
}


def test_sign_in_form_and_sign_out(page):
    page.goto("/")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password.")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    shot(page, "dashboard")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    shot(page, "sign-in")


def test_navigation_groups_and_switcher(page, api):
    name = f"switch to me {page.view}"
    org = api.org(name)
    sign_in(page)
    open_page(page, "/")
    if VIEWS[page.view][0] < 800:
        page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Organization and access")).to_be_visible()
    nav.get_by_role("link", name="Teams").click()
    expect(page.locator("#page-title")).to_have_text("Teams")
    expect(nav).not_to_be_in_viewport() if VIEWS[page.view][0] < 800 else expect(nav.get_by_role("link", name="Teams")).to_have_attribute("aria-current", "page")
    page.get_by_label("Organization").select_option(label=name)
    expect(page.locator(".toast", has_text=f"Now working in {name}.")).to_be_visible()
    # The choice is remembered: a new page load opens in that organization.
    page.reload()
    expect(page.get_by_label("Organization")).to_have_value(org)


@pytest.mark.parametrize("view", list(VIEWS), indirect=True)
def test_every_page_opens(page, api):
    sign_in(page, api.org())
    for path, title in PAGES.items():
        open_page(page, path, title)
        shot(page, path.strip("/") or "dashboard")


def test_unknown_page_and_theme_toggle(page):
    sign_in(page)
    open_page(page, "/no-such-page", "Page not found")
    page.get_by_role("button", name="Theme: system. Change").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.get_by_role("button", name="Theme: light. Change").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def test_request_an_account_from_the_sign_in_page(page, api):
    page.goto("/")
    page.get_by_role("button", name="Request one").click()
    page.get_by_label("E-mail").fill("newcomer@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Request an account").click()
    expect(page.locator(".field-error")).to_contain_text("password")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_label("Message to the approver").fill("I joined the platform team")
    page.get_by_role("button", name="Request an account").click()
    expect(page.get_by_role("status").filter(has_text="Request sent")).to_be_visible()
    shot(page, "sign-in-requested")
    pending = api.get("/api/identity/users/request?search=newcomer")
    assert [r["email"] for r in pending["data"]] == ["newcomer@example.com"], pending


def test_many_organizations_are_switched_by_search(page, api):
    names = [f"many {page.view} {i:02}" for i in range(16)]
    for name in names:
        api.org(name)
    sign_in(page)
    open_page(page, "/")
    switcher = page.get_by_role("combobox", name="Organization")
    switcher.fill(names[13])
    page.get_by_role("listbox").get_by_role("option", name=names[13]).click()
    expect(page.locator(".toast", has_text=f"Now working in {names[13]}.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("combobox", name="Organization")).to_have_attribute("placeholder", names[13])


def test_navigation_groups_fold(page):
    sign_in(page)
    open_page(page, "/event-log", "Events")
    if VIEWS[page.view][0] < 800:
        page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Infrastructure").click()
    expect(nav.get_by_role("link", name="Environments")).to_have_count(0)
    # The group of the current page stays open, and the choice survives a reload.
    expect(nav.get_by_role("button", name="Operations")).to_have_attribute("aria-expanded", "true")
    page.reload()
    if VIEWS[page.view][0] < 800:
        page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("button", name="Infrastructure")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")


def test_the_session_answer_arriving_before_the_first_effects_is_drawn(page):
    # Effects run after the first paint; here they are held back (no animation
    # frames, the 35 ms fallback made long) so the session answer lands first.
    # The sign-in form must still appear rather than "Loading…" for ever.
    page.add_init_script(
        "window.requestAnimationFrame = () => 0;"
        "const later = window.setTimeout;"
        "window.setTimeout = (f, ms, ...a) => later(f, ms === 35 ? 400 : ms, ...a);"
    )
    page.goto("/")
    expect(page.get_by_label("E-mail")).to_be_visible()
