"""Access pages: members, roles, invitations, sign-up requests, service accounts."""

import re
import uuid

from playwright.sync_api import expect

from conftest import BASE, confirm, open_page, panel, page_through, row, row_action, shot, sign_in, toast

PASSWORD = "member-password-1"


def account(api, org, email, roles=("user",), password=None):
    """A new account in `org` (the Identity face creates it) holding `roles`,
    with `password` to sign in with if given; its id."""
    uid = api.post(f"/api/v1/organizations/{org}/users", {"spec": {"subject": email, "state": "active", "groupIDs": []}})["metadata"]["id"]
    if roles:
        api.put(f"/api/identity/orgs/{org}/roles", [{"user_id": uid, "roleNames": list(roles)}])
    if password:
        api.put(f"/api/meshcloud/users/{uid}/password", {"newPassword": password})
    return uid


def role_with_keys(api, org, name, keys):
    """A custom role of `org` holding exactly `keys` (through a keychain of its own)."""
    role = api.post(f"/api/identity/orgs/{org}/roles", {"role_name": name, "description": ""})["id"]
    chain = api.post("/api/auth/keychains", {"name": f"{name} keys"}, org=org)["id"]
    for key in keys:
        category, sub, function = key.split(".")
        found = api.get(f"/api/auth/keys?pagesize=all&search={sub}")["keys"]
        kid = [k["id"] for k in found if (k["category"], k["subcategory"], k["function"]) == (category, sub, function)][0]
        api.post(f"/api/auth/keychains/{chain}/{kid}", org=org)
    api.post(f"/api/identity/orgs/{org}/roles/{role}/keychains/{chain}")
    return name


def confirm_over_panel(page):
    """Confirms the confirmation dialog opened over a panel."""
    # Confirmations live outside the app's root, beside it.
    box = page.locator("body > div:not(#app) > dialog[open]")
    box.locator(".buttons button").first.click()
    expect(box).to_have_count(0)


def switch_user(page, org, email):
    """Signs the browser out and in again as `email`."""
    page.context.clear_cookies()
    sign_in(page, org, email=email, password=PASSWORD)


def test_members(page, api):
    org = api.org()
    # After admin@ in e-mail order.
    tag = "zz" + uuid.uuid4().hex[:6]
    for i in range(61):
        account(api, org, f"{tag}-m{i:02}@example.com")
    chief = f"{tag}-chief@example.com"
    account(api, org, chief, roles=("organization admin",), password=PASSWORD)
    plain = f"{tag}-plain@example.com"
    account(api, org, plain, password=PASSWORD)
    total = api.get(f"/api/identity/orgs/{org}/users?pagesize=1")["total_count"]
    assert total == 64
    sign_in(page, org)
    open_page(page, "/members", "Members")
    shot(page, "members")

    # Every member is reachable, 25 at a time; sorting and filtering go to the server.
    page_through(page, total)
    if page.view.startswith("wide"):
        page.get_by_role("button", name="E-mail").click()
    else:
        # Cards have no column heads to sort by; the order lives in the URL.
        open_page(page, "/members?sort=email&dir=desc", "Members")
    expect(page).to_have_url(re.compile(r"sort=email&dir=desc"))
    expect(page.locator("tbody tr").first).to_contain_text(f"{tag}-plain@example.com")
    page.get_by_label("Status").select_option("inactive")
    expect(page.locator(".empty-state")).to_contain_text("Nothing matches")
    page.get_by_label("Status").select_option("")
    page.get_by_label("Search members").fill(f"{tag}-m0")
    expect(page.locator("tbody tr")).to_have_count(10)

    # Direct roles: the provider admin may hand out every role.
    row_action(page, f"{tag}-m01@", "Roles")
    expect(panel(page).get_by_label("admin", exact=True)).to_be_visible()
    panel(page).get_by_label("workspace admin").check()
    panel(page).get_by_role("button", name="Save roles").click()
    toast(page, "Roles of")
    expect(row(page, f"{tag}-m01@")).to_contain_text("workspace admin")

    # Remove, behind a confirmation.
    row_action(page, f"{tag}-m02@", "Remove")
    confirm(page)
    toast(page, "removed")
    expect(row(page, f"{tag}-m02@")).to_have_count(0)

    # Add an existing account by e-mail; an unknown one is refused by the field.
    other = api.org()
    account(api, other, f"{tag}-outside@example.com")
    page.get_by_role("button", name="Add existing user").click()
    panel(page).get_by_label("E-mail or user id").fill(f"{tag}-nobody@example.com")
    panel(page).get_by_role("button", name="Add to organization").click()
    expect(panel(page).locator(".field-error, .error").first).to_contain_text("no account has this e-mail address or id")
    panel(page).get_by_label("E-mail or user id").fill(f"{tag}-outside@example.com")
    panel(page).get_by_role("button", name="Add to organization").click()
    toast(page, "added")
    page.get_by_label("Search members").fill(f"{tag}-outside")
    expect(row(page, f"{tag}-outside@")).to_be_visible()

    # Invite people: the code to share is shown with a copy button.
    page.get_by_role("button", name="Invite people").click()
    panel(page).get_by_label("E-mail addresses").fill(" , ")
    panel(page).get_by_role("button", name="Create invitation").click()
    expect(panel(page).locator(".field-error").first).to_be_visible()
    panel(page).get_by_label("E-mail addresses").fill(f"{tag}-new@example.com, {tag}-new2@example.com")
    panel(page).get_by_label("workspace admin").check()
    panel(page).get_by_role("button", name="Create invitation").click()
    code = panel(page).locator(".secret-value")
    expect(code).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    invitations = api.get("/api/organizations/invitations", org=org)["data"]
    assert [i["id"] for i in invitations] == [code.inner_text()]
    assert invitations[0]["roles"] == ["workspace admin"]
    shot(page, "members-invite")
    panel(page).get_by_role("button", name="Done").click()
    expect(panel(page)).to_have_count(0)

    # An organization admin who is not a provider admin is not offered the provider admin role.
    switch_user(page, org, chief)
    open_page(page, "/members", "Members")
    page.get_by_label("Search members").fill(f"{tag}-m03")
    row_action(page, f"{tag}-m03@", "Roles")
    expect(panel(page).get_by_label("workspace admin")).to_be_visible()
    expect(panel(page).get_by_label("admin", exact=True)).to_have_count(0)
    page.keyboard.press("Escape")

    # A plain member sees the list but none of the controls.
    switch_user(page, org, plain)
    open_page(page, "/members", "Members")
    expect(page.locator(".pager .range")).to_contain_text(f"of {total}")
    expect(page.get_by_role("button", name="Invite people")).to_have_count(0)
    expect(page.get_by_role("button", name="Roles")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)


def test_roles(page, api):
    org = api.org()
    for i in range(61):
        api.post(f"/api/identity/orgs/{org}/roles", {"role_name": f"seeded {i:02}", "description": ""})
    total = api.get(f"/api/identity/orgs/{org}/roles?pagesize=1")["total_count"]
    sign_in(page, org)
    open_page(page, "/roles", "Roles")
    shot(page, "roles")
    page_through(page, total)

    # Built-in roles are read-only.
    page.get_by_label("Search roles").fill("workspace admin")
    expect(row(page, "workspace admin")).to_be_visible()
    expect(row(page, "workspace admin").get_by_role("button", name="Edit")).to_have_count(0)
    expect(row(page, "workspace admin").get_by_role("button", name="Delete")).to_have_count(0)

    # Create; a built-in name is refused under the name field.
    page.get_by_role("button", name="New role").first.click()
    panel(page).get_by_label("Name").fill("Organization-Admin")
    panel(page).get_by_role("button", name="Create role").click()
    expect(panel(page).locator(".field-error")).to_contain_text("taken by a built-in role")
    panel(page).get_by_label("Name").fill("auditor")
    panel(page).get_by_label("Description").fill("reads everything")
    panel(page).get_by_role("button", name="Create role").click()
    toast(page, "Role auditor created.")
    page.get_by_label("Search roles").fill("auditor")
    expect(row(page, "reads everything")).to_be_visible()

    # Edit.
    row_action(page, "auditor", "Edit")
    panel(page).get_by_label("Description").fill("reads the books")
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Role auditor saved.")
    expect(row(page, "reads the books")).to_be_visible()

    # Keychains: assign a built-in one, look at its keys, then a new keychain with a key of its own.
    row_action(page, "auditor", "Keychains")
    p = panel(page)
    expect(p.locator(".empty-state")).to_contain_text("grants nothing")
    p.get_by_label("Assign a keychain").fill("Member")
    p.get_by_role("option", name=re.compile("^Member")).click()
    p.get_by_role("button", name="Assign keychain").click()
    toast(page, "Keychain Member assigned to auditor.")
    p.locator("tbody tr", has_text="Member").get_by_role("button", name="Keys").click()
    expect(p.get_by_role("heading", name="Keys of Member")).to_be_visible()
    expect(p.locator("tbody tr", has_text="identity.members.read")).to_be_visible()
    expect(p.get_by_label("Add a key")).to_have_count(0)
    p.get_by_role("button", name="Back to keychains").click()
    p.locator("summary", has_text="New keychain").click()
    p.get_by_label("Keychain name").fill("auditing")
    p.get_by_role("button", name="Create and assign").click()
    toast(page, "Keychain auditing assigned to auditor.")
    p.locator("tbody tr", has_text="auditing").get_by_role("button", name="Keys").click()
    expect(p.locator(".empty-state")).to_be_visible()
    p.get_by_label("Add a key").fill("events")
    p.get_by_role("option", name=re.compile("^events.events.read")).click()
    p.get_by_role("button", name="Add key").click()
    expect(p.locator("tbody tr", has_text="events.events.read")).to_be_visible()
    shot(page, "roles-keychains")
    p.locator("tbody tr", has_text="events.events.read").get_by_role("button", name="Take out").click()
    confirm_over_panel(page)
    expect(p.locator(".empty-state")).to_be_visible()
    # Rename the organization's keychain, then delete it.
    p.locator("summary", has_text="Rename or delete").click()
    p.get_by_label("Keychain name").fill("auditing books")
    p.get_by_role("button", name="Rename").click()
    toast(page, "Keychain renamed to auditing books.")
    expect(p.get_by_role("heading", name="Keys of auditing books")).to_be_visible()
    p.get_by_role("button", name="Delete keychain").click()
    confirm_over_panel(page)
    toast(page, "Keychain auditing books deleted.")
    expect(p.locator("tbody tr", has_text="auditing")).to_have_count(0)
    p.locator("tbody tr", has_text="Member").get_by_role("button", name="Unassign").click()
    confirm_over_panel(page)
    toast(page, "Keychain Member unassigned.")
    expect(p.locator("tbody tr", has_text="Member")).to_have_count(0)
    page.keyboard.press("Escape")

    # Delete.
    row_action(page, "auditor", "Delete")
    confirm(page)
    toast(page, "Role auditor deleted.")
    expect(page.locator(".empty-state")).to_be_visible()


def test_invitations(page, api):
    org = api.org()
    api.post(f"/api/identity/orgs/{org}/teams", {"name": "blue", "description": ""})
    for i in range(61):
        api.post("/api/organizations/invitations", {"name": f"seeded {i:02}", "description": "", "emails": [], "roles": [], "teams": [],
                                                    "status": "enabled", "org_id": org}, org=org)
    sign_in(page, org)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=BASE)
    open_page(page, "/invitations", "Invitations")
    shot(page, "invitations")
    page_through(page, 61)
    page.get_by_label("Search invitations").fill("seeded 5")
    expect(page.locator("tbody tr")).to_have_count(10)
    page.get_by_label("Search invitations").fill("")

    # Create with roles, a team, addresses, a limit and an expiry.
    page.get_by_role("button", name="New invitation").first.click()
    p = panel(page)
    p.get_by_label("Name").fill("contractors")
    p.get_by_label("Only for these e-mail addresses").fill("a@example.com b@example.com")
    p.get_by_label("workspace admin").check()
    p.get_by_label("blue").check()
    p.get_by_label("Expires").fill("2031-05-01T12:00")
    p.get_by_label("Uses").fill("3")
    p.get_by_label("Default invitation").check()
    p.get_by_role("button", name="Create invitation").click()
    toast(page, "Invitation contractors created.")
    page.get_by_label("Search invitations").fill("contractors")
    r = row(page, "contractors")
    expect(r).to_contain_text("a@example.com, b@example.com")
    expect(r).to_contain_text("workspace admin, team blue")
    expect(r).to_contain_text("0 of 3")
    expect(r).to_contain_text("default")
    saved = [i for i in api.get("/api/organizations/invitations", org=org)["data"] if i["name"] == "contractors"][0]
    assert saved["expires_at"].startswith("2031-05-01")

    # Copy the code.
    r.get_by_role("button", name="Copy code").click()
    toast(page, "Invitation code copied.")
    assert page.evaluate("navigator.clipboard.readText()") == saved["id"]

    # A second default invitation is refused, and says why.
    page.get_by_role("button", name="New invitation").first.click()
    panel(page).get_by_label("Name").fill("another default")
    panel(page).get_by_label("Default invitation").check()
    panel(page).get_by_role("button", name="Create invitation").click()
    expect(panel(page).locator(".field-error, .error").first).to_contain_text("default")
    page.keyboard.press("Escape")

    # Edit: disable it and lift the limit.
    row_action(page, "contractors", "Edit")
    p = panel(page)
    expect(p.get_by_label("Uses")).to_have_value("3")
    expect(p.get_by_label("blue")).to_be_checked()
    p.get_by_label("Status").select_option("disabled")
    p.get_by_label("Uses").fill("")
    p.get_by_role("button", name="Save").click()
    toast(page, "Invitation contractors saved.")
    expect(row(page, "contractors")).to_contain_text("disabled")
    expect(row(page, "contractors")).not_to_contain_text("of 3")

    # Delete.
    row_action(page, "contractors", "Delete")
    confirm(page)
    toast(page, "Invitation contractors deleted.")
    expect(page.locator(".empty-state")).to_be_visible()


def test_signups(page, api):
    # Anonymous requests are throttled per client address; the suite's server
    # trusts X-Forwarded-For, so each comes from an address of its own.
    org = api.org()
    tag = uuid.uuid4().hex[:6]
    names = ["a", "b", "c", "d"] + [f"x{i:02}" for i in range(58)]
    for i, n in enumerate(names):
        r = page.request.post(f"{BASE}/api/identity/users/request",
                              headers={"X-Forwarded-For": f"10.{1 if page.view == 'wide-light' else 2}.0.{i + 1}"},
                              data={"email": f"{tag}-{n}@example.com", "first_name": n.upper(), "message": f"please, {n}", "org_id": org})
        assert r.status == 201, r.text()
    sign_in(page, org)
    open_page(page, "/sign-ups", "Sign-up requests")
    page.get_by_label("Search sign-up requests").fill(tag)
    # The search applies after a pause; page only once it has.
    expect(page).to_have_url(re.compile(f"q={tag}"))
    page_through(page, len(names))
    shot(page, "signups")
    search = page.get_by_label("Search sign-up requests")

    # Approve one: the account joins the organization.
    search.fill(f"{tag}-a")
    expect(page.locator("tbody tr")).to_have_count(1)
    row_action(page, f"{tag}-a@", "Approve")
    confirm(page)
    toast(page, "approved")
    expect(row(page, f"{tag}-a@")).to_contain_text("approved")
    members = api.get(f"/api/identity/orgs/{org}/users?search={tag}-a")["data"]
    assert [u["email"] for u in members] == [f"{tag}-a@example.com"]

    # Deny one, from its details.
    search.fill(f"{tag}-b")
    expect(page.locator("tbody tr")).to_have_count(1)
    row_action(page, f"{tag}-b@", "Details")
    expect(panel(page)).to_contain_text("please, b")
    panel(page).get_by_role("button", name="Deny").click()
    confirm_over_panel(page)
    toast(page, "denied")
    expect(row(page, f"{tag}-b@")).to_contain_text("denied")

    # A request decided elsewhere meanwhile: the refusal is shown.
    search.fill(f"{tag}-c")
    expect(row(page, f"{tag}-c@")).to_contain_text("pending")
    c = [x for x in api.get(f"/api/identity/users/request?search={tag}-c")["data"]][0]
    api.post(f"/api/identity/users/request/deny?id={c['id']}")
    row_action(page, f"{tag}-c@", "Approve")
    confirm(page)
    toast(page, "the request has already been denied")

    # Bulk: the pending ones of a filtered list.
    search.fill(f"{tag}-x0")
    page.get_by_label("Status").select_option("pending")
    expect(page.locator("tbody tr")).to_have_count(10)
    if page.view.startswith("narrow"):
        page.get_by_label("Select all", exact=True).check()
    else:
        page.get_by_label("Select all on this page").check()
    page.locator(".bulk").get_by_role("button", name="Approve").click()
    confirm(page)
    toast(page, "Approve: done for 10.")
    expect(page.locator(".empty-state")).to_contain_text("Nothing matches")


def test_service_accounts(page, api):
    org = api.org()
    team = api.post(f"/api/identity/orgs/{org}/teams", {"name": "deployers", "description": ""})["id"]
    for i in range(61):
        api.post(f"/api/v1/organizations/{org}/serviceaccounts", {"metadata": {"name": f"seeded-{i:02}"}, "spec": {"groupIDs": []}})
    viewer = f"{uuid.uuid4().hex[:6]}-viewer@example.com"
    account(api, org, viewer, roles=("user", role_with_keys(api, org, "account viewer", ["identity.serviceaccounts.read"])), password=PASSWORD)
    sign_in(page, org)
    open_page(page, "/service-accounts", "Service accounts")
    shot(page, "service-accounts")
    page_through(page, 61)

    # Create: the token is shown once.
    page.get_by_role("button", name="New service account").first.click()
    panel(page).get_by_label("Name").fill("ci-runner")
    panel(page).get_by_label("Description").fill("pipelines")
    panel(page).get_by_role("button", name="Create service account").click()
    toast(page, "Service account ci-runner created.")
    secret = panel(page).locator(".secret-value")
    expect(secret).not_to_be_empty()
    token = secret.inner_text()
    shot(page, "service-accounts-token")
    panel(page).get_by_role("button", name="Done").click()
    expect(panel(page)).to_have_count(0)

    # The same name again is refused under the field.
    page.get_by_role("button", name="New service account").first.click()
    panel(page).get_by_label("Name").fill("ci-runner")
    panel(page).get_by_role("button", name="Create service account").click()
    expect(panel(page).locator(".field-error, .error").first).to_contain_text("already exists")
    page.keyboard.press("Escape")

    # Edit its teams.
    page.get_by_label("Search service accounts").fill("ci-runner")
    row_action(page, "ci-runner", "Edit")
    panel(page).get_by_label("Name").fill("ci-runner-1")
    panel(page).get_by_label("deployers").check()
    panel(page).get_by_role("button", name="Save").click()
    toast(page, "Service account ci-runner-1 saved.")
    expect(row(page, "ci-runner-1")).to_contain_text("deployers")
    acc = [a for a in api.get(f"/api/v1/organizations/{org}/serviceaccounts") if a["metadata"]["name"] == "ci-runner-1"][0]
    assert acc["spec"]["groupIDs"] == [team]

    # Rotate: a new token, shown once.
    row_action(page, "ci-runner", "Rotate token")
    confirm(page, closes_all=False)
    expect(panel(page).locator(".secret-value")).not_to_have_text(token)
    panel(page).get_by_role("button", name="Done").click()

    # Delete.
    row_action(page, "ci-runner", "Delete")
    confirm(page)
    toast(page, "Service account ci-runner-1 deleted.")
    expect(page.locator(".empty-state")).to_be_visible()

    # A member who may read but not manage service accounts sees the list only.
    switch_user(page, org, viewer)
    open_page(page, "/service-accounts", "Service accounts")
    expect(page.locator(".pager .range")).to_contain_text("of 61")
    expect(page.get_by_role("button", name="New service account")).to_have_count(0)
    expect(page.get_by_role("button", name="Rotate token")).to_have_count(0)
