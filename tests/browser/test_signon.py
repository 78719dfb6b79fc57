"""Sign-on: the organization's sign-in providers and settings, and meshcloud's OAuth clients."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from conftest import confirm, open_page, panel, page_through, row, row_action, shot, sign_in, toast


def test_sign_in_providers(page, api):
    org = api.org()
    for i in range(61):
        api.post(f"/api/v1/organizations/{org}/oauth2providers",
                 {"metadata": {"name": f"seeded-{i:02}"}, "spec": {"issuer": f"https://idp{i:02}.example.com", "clientID": f"client-{i:02}"}})
    sign_in(page, org)
    open_page(page, "/sign-in", "Sign-in providers")
    shot(page, "sign-in")

    # All 61 are reachable, 25 at a time; the search is kept in the URL.
    page_through(page, 61)
    page.get_by_placeholder("Search providers").fill("seeded-4")
    expect(page.locator("tbody tr")).to_have_count(10)
    expect(page).to_have_url(re.compile(r"q=seeded-4"))
    page.get_by_placeholder("Search providers").fill("")

    # Bad input: the server's refusal of the name is shown under Name and says whose name it is.
    page.get_by_role("button", name="Add provider").first.click()
    panel(page).get_by_label("Name").fill("Corporate SSO")
    panel(page).get_by_label("Type").select_option("google")
    panel(page).get_by_label("Issuer").fill("https://accounts.google.com")
    panel(page).get_by_label("Client ID").fill("corp-client")
    panel(page).get_by_label("Client secret").fill("s3cret-value")
    panel(page).get_by_role("button", name="Add provider").click()
    error = panel(page).locator(".field.invalid", has=page.get_by_label("Name")).locator(".field-error")
    expect(error).to_contain_text("the provider's name")
    shot(page, "sign-in-error")

    # Create: corrected, saved, found.
    panel(page).get_by_label("Name").fill("corp-sso")
    panel(page).get_by_role("button", name="Add provider").click()
    toast(page, "Sign-in provider corp-sso added.")
    expect(panel(page)).to_have_count(0)
    page.get_by_placeholder("Search providers").fill("corp-sso")
    expect(row(page, "corp-sso")).to_contain_text("Google")

    # Edit: the secret field is write-only and empty; the issuer changes.
    row_action(page, "corp-sso", "Edit")
    expect(panel(page).get_by_label("Client secret")).to_have_value("")
    panel(page).get_by_label("Issuer").fill("https://login.example.com/tenant")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Sign-in provider corp-sso saved.")
    expect(row(page, "corp-sso")).to_contain_text("https://login.example.com/tenant")

    # Sign-in settings: members now sign in through it.
    page.get_by_label("Sign-in provider", exact=True).select_option(label="corp-sso (this organization)")
    page.get_by_role("button", name="Save sign-in settings").click()
    toast(page, "Sign-in settings saved.")
    expect(row(page, "corp-sso").locator(".badge", has_text="sign-in")).to_be_visible()
    shot(page, "sign-in-settings")

    # Delete, with a warning that members sign in through it.
    row_action(page, "corp-sso", "Delete")
    expect(panel(page)).to_contain_text("Members sign in through it now")
    confirm(page)
    toast(page, "Sign-in provider corp-sso deleted.")
    expect(page.locator(".empty-state")).to_be_visible()


def org_admin(api, org):
    """A new user who is an organization admin of `org` but no provider admin; (e-mail, password)."""
    email, password = f"admin-{uuid.uuid4().hex[:8]}@example.org", "org-admin-password-1"
    user = api.post(f"/api/v1/organizations/{org}/users", {"spec": {"subject": email, "state": "active", "groupIDs": []}})
    api.put(f"/api/meshcloud/users/{user['metadata']['id']}/password", {"newPassword": password})
    api.put(f"/api/identity/orgs/{org}/roles", [{"user_id": user["metadata"]["id"], "roleNames": ["organization admin"]}])
    return email, password


def test_domain_claim(page, api):
    org = api.org()
    email, password = org_admin(api, org)
    sign_in(page, org, email, password)
    open_page(page, "/sign-in", "Sign-in providers")
    expect(page.get_by_label("Domain", exact=True)).to_be_editable()

    # Bad input: refused under the field.
    page.get_by_label("Domain", exact=True).fill("not a domain")
    page.get_by_role("button", name="Save sign-in settings").click()
    expect(page.locator(".field.invalid .field-error")).to_contain_text("domain")

    # An organization admin claims a new domain; the DNS record to publish is shown.
    domain = f"claim-{uuid.uuid4().hex[:8]}.example.com"
    page.get_by_label("Domain", exact=True).fill(domain)
    page.get_by_role("button", name="Save sign-in settings").click()
    toast(page, f"{domain} is claimed.")
    claim = page.get_by_role("status", name="Domain claim")
    expect(claim).to_contain_text(f"_meshcloud-challenge.{domain}")
    expect(claim).to_contain_text("meshcloud-domain-verification=")
    shot(page, "sign-in-claim")
    claims = api.get(f"/api/meshcloud/orgs/{org}/domain-claims")
    assert domain in str(claims), claims
    claim.get_by_role("button", name="Done").click()
    expect(claim).to_have_count(0)


@pytest.fixture(scope="module")
def seeded_clients(api):
    """61 OAuth clients (installation-wide, so seeded once for both views); their name prefix."""
    prefix = f"seed-{uuid.uuid4().hex[:6]}"
    for i in range(61):
        api.post("/api/meshcloud/oauth/clients", {"name": f"{prefix}-{i:02}", "redirectUris": [f"https://app{i:02}.example.com/cb"]})
    return prefix


def test_oauth_clients(page, api, seeded_clients):
    prefix = seeded_clients
    org = api.org()
    api.post(f"/api/v1/organizations/{org}/serviceaccounts", {"metadata": {"name": "ci-bot"}, "spec": {"groupIDs": []}})
    sign_in(page, org)
    open_page(page, "/oauth-clients", "OAuth clients")

    # The API answers every client at once; the page pages them, 25 at a time.
    page.get_by_placeholder("Search clients").fill(prefix)
    expect(page).to_have_url(re.compile(f"q={prefix}"))
    page_through(page, 61)
    shot(page, "oauth-clients")

    # Bad input: a redirect URI that is not absolute is refused under its field.
    name = f"portal-{page.view}"
    page.get_by_role("button", name="Register client").first.click()
    panel(page).get_by_label("Name").fill(name)
    panel(page).get_by_label("Redirect URIs").fill("portal.example.com/cb")
    panel(page).get_by_role("button", name="Register client").click()
    error = panel(page).locator(".field.invalid", has=page.get_by_label("Redirect URIs")).locator(".field-error")
    expect(error).to_contain_text("absolute URL")

    # Create: the secret is shown once, then gone.
    panel(page).get_by_label("Redirect URIs").fill("https://portal.example.com/cb")
    panel(page).get_by_role("button", name="Register client").click()
    toast(page, f"OAuth client {name} registered.")
    expect(panel(page).locator(".secret-value")).to_have_text(re.compile(r"\S{20,}"))
    shot(page, "oauth-clients-secret")
    panel(page).get_by_role("button", name="Done").click()
    expect(panel(page)).to_have_count(0)
    page.get_by_placeholder("Search clients").fill(name)
    expect(row(page, name)).to_contain_text("https://portal.example.com/cb")

    # Edit: a second redirect URI, the organization's service account, and trusted.
    row_action(page, name, "Edit")
    panel(page).get_by_label("Service account").fill("ci")
    panel(page).get_by_role("option", name=re.compile("ci-bot")).click()
    expect(panel(page).get_by_label("Redirect URIs")).to_have_value("https://portal.example.com/cb")
    panel(page).get_by_label("Redirect URIs").fill("https://portal.example.com/cb\nhttps://portal.example.com/cb2")
    panel(page).get_by_label("Trusted", exact=False).check()
    panel(page).get_by_role("button", name="Save").click()
    toast(page, f"OAuth client {name} saved.")
    expect(row(page, name)).to_contain_text("https://portal.example.com/cb2")
    expect(row(page, name).locator(".badge", has_text="trusted")).to_be_visible()
    expect(row(page, name)).to_contain_text("ci-bot")

    # A new secret, after a confirmation; shown once.
    row_action(page, name, "New secret")
    panel(page).get_by_role("button", name="Replace secret").click()
    expect(panel(page).locator(".secret-value")).to_have_text(re.compile(r"\S{20,}"))
    panel(page).get_by_role("button", name="Done").click()
    expect(panel(page)).to_have_count(0)

    # Delete.
    row_action(page, name, "Delete")
    confirm(page)
    toast(page, f"OAuth client {name} deleted.")
    expect(page.locator(".empty-state")).to_be_visible()
