"""Browser tests: the test app served over real HTTP, driven by Debian's headless chromium.

- ``live_server``: the session's app (its freshly migrated test database: SQLite, or PostgreSQL with
  TEST_DATABASE_URL) served by a threaded WSGI server on a free loopback port.
- ``page``: a Playwright page at 1366×768 (the offices' screens). It fails the test on any
  JavaScript error and on any request leaving the loopback address (the panel works offline).
- ``shot(page, name)``: a full-page screenshot kept as test-artifacts/<name>.png.

Chromium is Debian's (``make test`` installs it as root when missing); without it, or without the
``playwright`` package, browser tests skip with the reason. Playwright never downloads a browser.
"""
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
VIEWPORT = {"width": 1366, "height": 768}
LOOPBACK = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright missing: pip install -r requirements-dev.txt")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: `make test` installs Debian's chromium when run as "
                    "root (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=live_server,
                                   accept_downloads=True)
    errors, outside = [], []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname in LOOPBACK:
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    context.route("**/*", only_loopback)
    new_page = context.new_page()
    new_page.set_default_timeout(15_000)
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield new_page
    context.close()
    assert outside == [], "requests left the machine"
    assert errors == [], "JavaScript errors"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def open_menu(page, category: str, item: str) -> None:
    page.click(f".navbar a.dropdown-toggle:has-text('{category}')")
    page.click(f".navbar .dropdown-menu a:has-text('{item}')")


def choose(page, field_id: str, text: str, typed: str | None = None) -> None:
    """Picks ``text`` in the select2 box of field ``field_id``, typing ``typed`` first (ajax
    pickers search as you type)."""
    page.click(f"#{field_id} + .select2-container .select2-selection")
    if typed is not None:
        page.fill(".select2-container--open .select2-search__field", typed)
    page.locator(".select2-container--open .select2-results__option",
                 has_text=text).first.click()


def save(page) -> None:
    """Submits the form on the page with its 保存 button and waits for the answer."""
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('保存')")


def flash_text(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())
