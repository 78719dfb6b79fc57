"""Onboarding from the UI: Your account (password, tokens, sessions, joining
by code), Organizations (create, edit, delete, switch, domains) and Users
(create with a one-time password, reset), and a colleague brought in end to
end through the sign-in form."""

import json
import re
import uuid

import requests
from playwright.sync_api import expect

from conftest import BASE, VIEWS, _watch, confirm, open_page, page_through, panel, row, row_action, shot, sign_in, toast


def new_user(api, **extra):
    """An account made through the API the Users page uses; (email, password)."""
    email = f"u{uuid.uuid4().hex[:10]}@example.com"
    made = api.post("/api/meshcloud/users", {"email": email, **extra}, expect_status=201)
    return email, made["password"]


def as_user(email, password):
    """A requests session signed in as `email`, sending the CSRF header."""
    s = requests.Session()
    r = s.post(f"{BASE}/api/meshcloud/login", json={"email": email, "password": password}, timeout=30)
    assert r.ok, r.text
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return s


def fresh_page(browser, view):
    """A second browser (no cookies), watched like the fixture's."""
    width, height, scheme = VIEWS[view]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme, base_url=BASE)
    p = context.new_page()
    p.view = view
    problems = []
    _watch(p, problems)
    return context, p, problems


def section(page, label):
    return page.locator(f'.list[aria-label="{label}"]')


def test_account(page, api):
    org = api.org()
    email, password = new_user(api, orgId=org)
    csrf = sign_in(page, org, email, password)
    open_page(page, "/account", "Your account")
    expect(page.locator("#main").get_by_text(email).first).to_be_visible()
    shot(page, "account")

    # A wrong current password is shown under that field; the right one changes it.
    page.get_by_label("Current password").fill("not-my-password")
    page.locator('input[name="newPassword"]').fill("brand-new-password-1")
    page.get_by_label("New password again").fill("brand-new-password-1")
    page.get_by_role("button", name="Change password").click()
    err = page.locator(".field.invalid", has=page.get_by_label("Current password"))
    expect(err.locator(".field-error")).to_contain_text("oldPassword is not the current password")
    page.get_by_label("Current password").fill(password)
    page.get_by_role("button", name="Change password").click()
    toast(page, "Password changed. Your other sessions were ended.")
    assert requests.post(f"{BASE}/api/meshcloud/login", json={"email": email, "password": "brand-new-password-1"}, timeout=30).ok

    # A token is shown once; revoking it clears the secret from the screen.
    page.get_by_label("Token name").fill("ci pipeline")
    page.get_by_label("Purpose").fill("deploys")
    page.get_by_role("button", name="Create token").click()
    toast(page, "Token ci pipeline created.")
    secret = page.locator("#secret-value")
    expect(secret).to_contain_text("mc_")
    value = secret.inner_text().strip()
    assert requests.get(f"{BASE}/api/identity/users/profile", headers={"Authorization": f"Bearer {value}"}, timeout=30).ok
    tokens = section(page, "Security tokens")
    expect(tokens.locator("tbody tr", has_text="ci pipeline")).to_be_visible()
    tokens.locator("tbody tr", has_text="ci pipeline").get_by_role("button", name="Revoke").click()
    confirm(page)
    toast(page, "Token ci pipeline revoked.")
    expect(secret).to_have_count(0)
    assert requests.get(f"{BASE}/api/identity/users/profile", headers={"Authorization": f"Bearer {value}"}, timeout=30).status_code == 401

    # Many tokens: all reachable, page by page.
    for i in range(61):
        r = page.request.post(f"{BASE}/api/identity/tokens?name=seeded-{i:02}", headers={"X-CSRF-Token": csrf})
        assert r.ok, r.text()
    page.reload()
    page_through(page, 61, size=10, within=section(page, "Security tokens"))

    # This browser's session is listed.
    expect(section(page, "Sessions").locator("tbody tr").first).to_be_visible()

    # Joining by code: a bad code is refused, a good one joins and switches.
    name = f"joined {uuid.uuid4().hex[:6]}"
    other = api.post("/api/identity/orgs", {"name": name})["organizations"][0]["id"]
    code = api.post(f"/api/identity/orgs/{other}/users/invite", {"emails": [email]})["invitation"]["id"]
    page.get_by_label("Invitation code").fill("no-such-code")
    page.get_by_role("button", name="Join").click()
    expect(page.locator(".field-error, form .error").first).to_be_visible()
    page.get_by_label("Invitation code").fill(code)
    page.get_by_role("button", name="Join").click()
    toast(page, f"You joined {name}")
    expect(page.get_by_label("Organization", exact=True)).to_have_value(other)
    shot(page, "account-after")


def test_organizations(page, api):
    email, password = new_user(api)
    me = as_user(email, password)
    tag = uuid.uuid4().hex[:6]
    for i in range(61):
        r = me.post(f"{BASE}/api/identity/orgs", json={"name": f"seeded {tag} {i:02}"}, timeout=30)
        assert r.status_code == 201, r.text
    sign_in(page, None, email, password)
    open_page(page, "/organizations", "Organizations")
    shot(page, "organizations")
    page_through(page, 61)

    # Create; bad input is refused by the field.
    page.get_by_role("button", name="New organization").first.click()
    panel(page).get_by_label("Name").fill("bad\u200bname")
    panel(page).get_by_role("button", name="Create organization").click()
    expect(panel(page).locator(".field-error")).to_be_visible()
    panel(page).get_by_label("Name").fill(f"acme {tag}")
    panel(page).get_by_label("Country").fill("DE")
    panel(page).get_by_role("button", name="Create organization").click()
    toast(page, f"Organization acme {tag} created.")
    page.get_by_label("Search organizations").fill(f"acme {tag}")
    expect(row(page, f"acme {tag}")).to_be_visible()

    # Rename; the switcher follows.
    row_action(page, f"acme {tag}", "Edit")
    panel(page).get_by_label("Name").fill(f"acme works {tag}")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, f"Organization acme works {tag} saved.")
    page.get_by_label("Search organizations").fill(f"acme works {tag}")
    expect(row(page, f"acme works {tag}")).to_be_visible()

    # Switch to it.
    row_action(page, f"acme works {tag}", "Switch to")
    toast(page, f"Now working in acme works {tag}.")
    expect(row(page, f"acme works {tag}").locator(".badge", has_text="current")).to_be_visible()

    # An organization admin claims a domain and is shown the record to publish.
    domain = f"d{tag}.example.org"
    row_action(page, f"acme works {tag}", "Domain")
    panel(page).get_by_label("Domain").fill(domain)
    panel(page).get_by_role("button", name="Claim domain").click()
    toast(page, f"{domain} claimed")
    expect(panel(page).locator(".notice")).to_contain_text(f"_meshcloud-challenge.{domain}")
    expect(panel(page).locator(".notice")).to_contain_text("meshcloud-domain-verification=")
    shot(page, "organizations-domain")
    page.keyboard.press("Escape")

    # Delete, after a confirmation saying what happens.
    row_action(page, f"acme works {tag}", "Delete")
    expect(panel(page)).to_contain_text("disappears for every member")
    confirm(page)
    toast(page, f"Organization acme works {tag} deleted.")
    expect(page.locator(".empty-state")).to_be_visible()
    orgs = me.get(f"{BASE}/api/identity/orgs?search=acme", timeout=30)
    assert orgs.status_code in (200, 204) and (orgs.status_code == 204 or orgs.json()["total_count"] == 0), orgs.text


def test_provider_admin_approves_a_claim_and_binds_a_domain(page, api):
    tag = uuid.uuid4().hex[:6]
    org = api.org(f"claimed {tag}")
    email, password = new_user(api, orgId=org, orgAdmin=True)
    claim = as_user(email, password).post(f"{BASE}/api/meshcloud/orgs/{org}/domain-claims", json={"domain": f"c{tag}.example.org"}, timeout=30)
    assert claim.status_code == 201, claim.text
    sign_in(page, org)
    open_page(page, "/organizations", "Organizations")
    pending = section(page, "Pending domain claims")
    while pending.locator("tbody tr", has_text=f"c{tag}.example.org").count() == 0:
        page.locator(".list[aria-label='Pending domain claims'] .pager").get_by_role("button", name="Next").click()
    pending.locator("tbody tr", has_text=f"c{tag}.example.org").get_by_role("button", name="Approve").click()
    confirm(page)
    toast(page, f"c{tag}.example.org approved.")
    assert api.get(f"/api/identity/orgs/{org}")["organizations"][0]["domain"] == f"c{tag}.example.org"

    # A provider admin binds one directly.
    page.get_by_label("Search organizations").fill(f"claimed {tag}")
    row_action(page, f"claimed {tag}", "Domain")
    panel(page).get_by_label("Domain").fill(f"b{tag}.example.org")
    panel(page).get_by_role("button", name="Save domain").click()
    toast(page, f"b{tag}.example.org bound to claimed {tag}.")
    assert api.get(f"/api/identity/orgs/{org}")["organizations"][0]["domain"] == f"b{tag}.example.org"


def sign_in_with_form(p, email, password, load=True):
    if load:
        p.goto("/")
    p.get_by_label("E-mail").fill(email)
    p.get_by_label("Password").fill(password)
    p.get_by_role("button", name="Sign in").click()


def test_users(page, api, browser):
    tag = uuid.uuid4().hex[:6]
    for i in range(61):
        api.post("/api/meshcloud/users", {"email": f"seed{i:02}-{tag}@example.com"}, expect_status=201)
    sign_in(page)
    open_page(page, "/users", "Users")
    shot(page, "users")
    page.get_by_label("Search by name or e-mail").fill(tag)
    expect(page).to_have_url(re.compile(f"q={tag}"))
    page_through(page, 61)
    page.get_by_label("Search by name or e-mail").fill("")

    # Create: a taken address is refused by the field; a new one shows its password once.
    page.get_by_role("button", name="Create user").first.click()
    panel(page).get_by_label("E-mail").fill(f"seed00-{tag}@example.com")
    panel(page).get_by_role("button", name="Create user").click()
    expect(panel(page).locator(".field-error")).to_contain_text("email is taken")
    email = f"new-{tag}@example.com"
    panel(page).get_by_label("E-mail").fill(email)
    panel(page).get_by_label("First name").fill("Grace")
    panel(page).get_by_role("button", name="Create user").click()
    toast(page, f"User {email} created.")
    password = panel(page).locator("#secret-value").inner_text().strip()
    assert len(password) >= 16
    shot(page, "users-created")
    panel(page).get_by_role("button", name="Done").click()
    expect(panel(page)).to_have_count(0)

    # The colleague signs in with it in a browser of their own and changes it.
    context, p, problems = fresh_page(browser, page.view)
    try:
        sign_in_with_form(p, email, password)
        expect(p.get_by_role("button", name="Sign out")).to_be_visible()
        open_page(p, "/account", "Your account")
        p.get_by_label("Current password").fill(password)
        p.locator('input[name="newPassword"]').fill("graces-own-password")
        p.get_by_label("New password again").fill("graces-own-password")
        p.get_by_role("button", name="Change password").click()
        toast(p, "Password changed.")
    finally:
        context.close()
    assert not problems, "\n".join(problems)

    # Reset: a generated password, shown once, works.
    page.get_by_label("Search by name or e-mail").fill(email)
    row_action(page, email, "Reset password")
    panel(page).get_by_role("button", name="Set password").click()
    toast(page, f"Password of {email} set")
    reset = panel(page).locator("#secret-value").inner_text().strip()
    panel(page).get_by_role("button", name="Done").click()
    assert requests.post(f"{BASE}/api/meshcloud/login", json={"email": email, "password": reset}, timeout=30).ok


def test_a_colleague_is_onboarded_from_the_ui_alone(page, api, browser):
    tag = uuid.uuid4().hex[:6]
    org_name = f"team {tag}"
    org = api.org(org_name)
    sign_in(page, org)

    # The admin creates the account in the organization, on the Users page.
    open_page(page, "/users", "Users")
    page.get_by_role("button", name="Create user").first.click()
    email = f"colleague-{tag}@example.com"
    panel(page).get_by_label("E-mail").fill(email)
    panel(page).get_by_label("First name").fill("Col")
    panel(page).get_by_label("Last name").fill("League")
    panel(page).get_by_label("Organization", exact=True).fill(org_name)
    panel(page).get_by_role("option", name=org_name).click()
    panel(page).get_by_label("as its organization admin").check()
    panel(page).get_by_role("button", name="Create user").click()
    secret = panel(page).locator("#secret-value")
    expect(secret).to_be_visible()
    expect(panel(page)).to_contain_text(f"in {org_name}")
    password = secret.inner_text().strip()
    panel(page).get_by_role("button", name="Done").click()

    # The colleague signs in through the form, lands in the organization and changes the password.
    context, p, problems = fresh_page(browser, page.view)
    try:
        sign_in_with_form(p, email, password)
        expect(p.get_by_role("button", name="Sign out")).to_be_visible()
        expect(p.get_by_label("Organization", exact=True)).to_have_value(org)
        open_page(p, "/account", "Your account")
        p.get_by_label("Current password").fill(password)
        p.locator('input[name="newPassword"]').fill("colleagues-password")
        p.get_by_label("New password again").fill("colleagues-password")
        p.get_by_role("button", name="Change password").click()
        toast(p, "Password changed.")
        open_page(p, "/organizations", "Organizations")
        expect(row(p, org_name)).to_be_visible()
        shot(p, "onboarded-colleague")
        p.get_by_role("button", name="Sign out").click()
        expect(p.get_by_role("heading", name="Sign in")).to_be_visible()
        sign_in_with_form(p, email, "colleagues-password", load=False)
        expect(p.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()
    assert not problems, "\n".join(problems)

    # The admin sees them in the organization, as its admin.
    users = api.get(f"/api/identity/orgs/{org}/users?search={email}")["data"]
    assert [u["email"] for u in users] == [email]
    assert "organization admin" in users[0]["role_names"]
