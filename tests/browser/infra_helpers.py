"""Helpers the infrastructure suites share."""

import re
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from conftest import panel


def seed(n, make):
    """Calls `make(i)` for i in 0..n on a few threads (seeding hundreds of rows one by one is slow)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(make, range(n)))


def search(page, label, text):
    """Types `text` into the list search labelled `label` and waits until the URL holds it."""
    page.get_by_label(label).fill(text)
    expect(page).to_have_url(re.compile(r"q=" + re.escape(text.replace(" ", "+"))) if text else re.compile(r"^(?!.*[?&]q=)"))


def pick(page, label, text, option):
    """Types into the picker labelled `label` and takes the option holding `option`."""
    panel(page).get_by_label(label).fill(text)
    panel(page).get_by_role("option", name=re.compile(re.escape(option))).first.click()
