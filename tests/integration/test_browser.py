"""The query page of ``nmdkg serve`` in a real browser: headless Chromium (Debian's ``chromium``, driven by
Playwright through its executable path; nothing downloads a browser) opens the page, runs a query of the
library, and the number of result rows shown is checked against the embedded store. A screenshot is
kept in tests/artifacts/ (ignored by git)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from nmdkg.store import Store
from tests.integration.cases import LIBRARY
from tests.integration.conftest import ARTIFACTS, LOOPBACK, broken, unavailable

#: A query of the library without parameters (the page cannot bind them), with a handful of rows.
QUERY = "22-symptom-groups"
#: Playwright adds --headless (headless=True) and --user-data-dir (a fresh folder) itself.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    """A page of headless Chromium with a fresh user-data folder; requests off this machine are blocked."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=executable, headless=True, args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 900})
        except Exception as exc:  # noqa: BLE001 - Playwright raises its own error types
            broken(f"Chromium is installed but did not start: {exc}")
        try:
            page = context.pages[0] if context.pages else context.new_page()
            # Loopback only: any other request is refused before it leaves the machine.
            page.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
            yield page
        finally:
            context.close()


def test_the_query_page_runs_a_library_query(served, browser_page, default_build):
    expected = len(LIBRARY[QUERY].run(Store.from_files([default_build / "nmdkg.nt"])).bindings)
    assert 0 < expected < 50, "pick a query whose rows fit on one page of the result table"
    assert served.page.startswith(f"http://{LOOPBACK}:")
    page = browser_page
    page.goto(served.page, wait_until="load")
    page.wait_for_selector(".CodeMirror", timeout=30_000)
    page.evaluate("text => document.querySelector('.CodeMirror').CodeMirror.setValue(text)", LIBRARY[QUERY].text)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr .dataTable tbody tr", timeout=60_000)
    page.wait_for_function(
        "n => document.querySelectorAll('.yasr .dataTable tbody tr').length === n", arg=expected, timeout=30_000)
    shown = page.locator(".yasr .dataTable tbody tr").count()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = Path(ARTIFACTS / "serve-query-page.png")
    page.screenshot(path=str(screenshot), full_page=True)
    assert shown == expected
    summary = page.locator(".yasr_response_chip").first.inner_text() if page.locator(".yasr_response_chip").count() \
        else ""
    if summary:
        assert str(expected) in summary, summary
    assert screenshot.stat().st_size > 10_000


def test_the_starter_link_opens_nmdkgs_query_and_it_runs(served, browser_page, default_build):
    """``nmdkg serve`` prints a link to the page opened on nmdkg's prefixes and a starter query (not an empty
    editor); in the browser the editor holds exactly that text and running it shows the embedded store's rows."""
    from nmdkg.publish.serve import starter_query

    deadline = time.monotonic() + 10
    while not (link := next((line.split(None, 2)[2] for line in list(served.output)
                             if line.startswith("Starter query:")), None)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert link and link.startswith(served.page + "?"), served.output
    expected = len(Store.from_files([default_build / "nmdkg.nt"]).query(starter_query()).bindings)
    assert 0 < expected < 50
    page = browser_page
    page.goto(link, wait_until="load")
    page.wait_for_selector(".CodeMirror", timeout=30_000)
    shown_text = page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert shown_text == starter_query()
    assert "PREFIX nmdkg: <https://w3id.org/nmdkg/ontology/>" in shown_text
    page.click(".yasqe_queryButton")
    page.wait_for_function(
        "n => document.querySelectorAll('.yasr .dataTable tbody tr').length === n", arg=expected, timeout=60_000)
    assert page.locator(".yasr .dataTable tbody tr").count() == expected
