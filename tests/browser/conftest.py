"""Browser tests of the web UI: Playwright drives Debian's Chromium against a
real server that tests/it/browser.rs starts (its address and admin account
come in the environment). Every test fails on a console error or a failed
script, and on any 5xx answer.

Each test runs in the two views below; test_shell.py also walks every page
in all four (both widths, light and dark). Screenshots go to
$MESHCLOUD_SCREENSHOTS (target/screenshots), one per page and view.
"""

import json
import os
import re
import uuid

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

BASE = os.environ.get("MESHCLOUD_BASE", "http://127.0.0.1:9876")
ADMIN_EMAIL = os.environ.get("MESHCLOUD_ADMIN_EMAIL", "admin@example.com")
ADMIN_PASSWORD = os.environ.get("MESHCLOUD_ADMIN_PASSWORD", "")
TOKEN = os.environ.get("MESHCLOUD_TOKEN", "")
SHOTS = os.environ.get("MESHCLOUD_SCREENSHOTS", "")
CHROMIUM = os.environ.get("MESHCLOUD_CHROMIUM", "/usr/bin/chromium")

# Width, height, colour scheme.
VIEWS = {
    "wide-light": (1400, 900, "light"),
    "narrow-dark": (390, 844, "dark"),
    "wide-dark": (1400, 900, "dark"),
    "narrow-light": (390, 844, "light"),
}
MAIN_VIEWS = ["wide-light", "narrow-dark"]

# Chromium logs every 4xx answer as a console error; the UI shows those to
# the user on purpose (bad input), so they are not failures. 5xx answers are
# caught from the responses themselves.
EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


class Api:
    """The provider admin's API, for setting up what a test needs."""

    def __init__(self, token=TOKEN):
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, body=None, org=None, expect_status=None):
        headers = {"layer5-current-orgid": org} if org else {}
        r = self.s.request(method, BASE + path, json=body, headers=headers, timeout=30)
        if expect_status is not None:
            assert r.status_code == expect_status, f"{method} {path}: {r.status_code} {r.text}"
        elif r.status_code >= 400:
            raise AssertionError(f"{method} {path}: {r.status_code} {r.text}")
        return r.json() if r.text else None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def org(self, name=None):
        """A fresh organization of the admin; its id."""
        name = name or f"org {uuid.uuid4().hex[:8]}"
        return self.post("/api/identity/orgs", {"name": name})["organizations"][0]["id"]


@pytest.fixture(scope="session")
def api():
    return Api()


@pytest.fixture(params=MAIN_VIEWS)
def view(request):
    return request.param


def _watch(page, problems):
    page.on("console", lambda m: m.type == "error" and not EXPECTED_CONSOLE.search(m.text) and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} from {r.request.method} {r.url}"))


@pytest.fixture
def page(browser, view):
    width, height, scheme = VIEWS[view]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme, base_url=BASE)
    p = context.new_page()
    problems = []
    _watch(p, problems)
    p.view = view
    yield p
    context.close()
    assert not problems, "\n".join(problems)


def sign_in(page, org=None, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
    """Signs the page's browser in through the API (the form has its own
    test) and makes `org` the organization the UI opens in."""
    r = page.request.post(f"{BASE}/api/meshcloud/login", data=json.dumps({"email": email, "password": password}),
                          headers={"Content-Type": "application/json"})
    assert r.ok, r.text()
    csrf = r.json()["csrf_token"]
    if org:
        r = page.request.put(f"{BASE}/api/identity/users/preferences", data=json.dumps({"selectedOrganization": org}),
                             headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
        assert r.ok, r.text()
    return csrf


def open_page(page, path, title=None):
    """Loads `path` and waits for its title (the page's h1)."""
    page.goto(path)
    heading = page.locator("#page-title")
    expect(heading).to_be_visible()
    if title:
        expect(heading).to_have_text(title)
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def shot(page, name):
    """A full-page screenshot for people to look at, and a check that nothing
    is wider than the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner + 1, f"{name} is {width}px wide in a {inner}px window ({page.view})"
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{page.view}.png"), full_page=True)


def row(page, text):
    """The table row (or card, on narrow screens) holding `text`."""
    return page.locator("tbody tr", has_text=text)


def panel(page):
    return page.locator("dialog[open]")


def toast(page, text):
    expect(page.locator(".toast", has_text=text).first).to_be_visible()


def confirm(page, closes_all=True):
    """Confirms the open confirmation dialog. `closes_all=False` when the
    action opens a panel of its own (a rotated secret), which may already be
    open by the time one looks."""
    page.locator("dialog[open] .buttons button").first.click()
    if closes_all:
        expect(page.locator("dialog[open]")).to_have_count(0)


def row_action(page, text, action):
    row(page, text).get_by_role("button", name=action, exact=True).click()


def page_through(page, total, size=25, within=None):
    """Walks a list of `total` rows page by page and checks every row is
    reachable; `within` names the list when a page has several."""
    scope = within or page
    pages = -(-total // size)
    seen = 0
    for n in range(1, pages + 1):
        expect(scope.locator(".pager .range")).to_have_text(f"{(n - 1) * size + 1}–{min(n * size, total)} of {total}")
        seen += scope.locator("tbody tr").count()
        if n < pages:
            scope.get_by_role("button", name="Next", exact=True).click()
    assert seen == total, f"{seen} rows seen of {total}"


def confirm_over_panel(page):
    """Confirms the confirmation dialog opened over a panel (the panel stays open)."""
    expect(page.locator("dialog[open]")).to_have_count(2)
    page.locator("dialog[open]").last.locator(".buttons button").first.click()
    expect(page.locator("dialog[open]")).to_have_count(1)


import contextlib  # noqa: E402  (helpers added below keep their imports with them)
import http.server  # noqa: E402
import threading  # noqa: E402


@contextlib.contextmanager
def served(files):
    """A plain HTTP server on 127.0.0.1 in this process serving `files`
    ({"/path": bytes}) for URL imports; yields its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def new_account(api, org, email, password, roles=("user",)):
    """A new account in `org` holding `roles`, signing in with `password`; its id."""
    uid = api.post(f"/api/v1/organizations/{org}/users", {"spec": {"subject": email, "state": "active", "groupIDs": []}})["metadata"]["id"]
    if roles:
        api.put(f"/api/identity/orgs/{org}/roles", [{"user_id": uid, "roleNames": list(roles)}])
    api.put(f"/api/meshcloud/users/{uid}/password", {"newPassword": password})
    return uid


def sign_in_as(page, org, email, password):
    """Signs the browser out and in again as `email`, working in `org`."""
    page.context.clear_cookies()
    return sign_in(page, org, email=email, password=password)


def publish(api, org, kind, item, catalog_data=None, approve=True):
    """Asks for `item` (a design or filter id; `kind` pattern or filter) to be
    published, and approves it as the provider admin; the request."""
    data = catalog_data or {"type": "Deployment", "compatibility": ["kubernetes"], "pattern_info": "seeded", "pattern_caveats": ""}
    req = api.post(f"/api/catalog/content/{kind}", {"id": item, "catalog_data": data}, org=org)
    if approve:
        api.post("/api/catalog/requests/approve", {"id": req["id"]})
    return req
