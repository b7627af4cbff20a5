"""Browser fixtures: the app on a real local port, and headless Debian Chromium via Playwright.

- `live_server`: the app (test database and Redis, emptied first) served by werkzeug on
  127.0.0.1 in a thread; yields its base URL.
- `browser`: one Chromium per session (`CHROMIUM_PATH`, default /usr/bin/chromium), headless,
  launched by Playwright with a fresh temporary profile (user-data-dir) of its own.
- `page`: a new context and page per test, `base_url` set, so `page.goto("/sign-in")` works.
  A full-page screenshot is saved to test-artifacts/screenshots/<test>.png when the test ends;
  call `shot(page, "step-name")` for one per step. Console errors (CSP violations and script errors;
  not HTTP error statuses) are collected in `page_errors`, so a test can assert there were none.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from webapp import create_app
from webapp.config import Settings
from webapp.services.outbox import links

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(db: object, settings: Settings) -> Iterator[Flask]:
    """The app a live server serves (its own engine, disposed afterwards)."""
    app = create_app({"TESTING": True}, settings=settings)
    yield app
    app.extensions["venturematch.engine"].dispose()


@pytest.fixture
def live_server(live_app: Flask, settings: Settings) -> Iterator[str]:
    """Serve the app on a free port of 127.0.0.1; yields e.g. http://127.0.0.1:43121.

    The port is only known once bound, so the links emails carry (PUBLIC_URL) are pointed at
    it here, and back afterwards.
    """
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    links.configure(url)
    try:
        yield url
    finally:
        links.configure(settings.site_url)
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver process, once per test session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps` (make test does)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; Playwright gives each launch a fresh temporary profile."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = _slug(os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0].split("::")[-1])
    path = ARTIFACTS / f"{test}--{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def page_errors() -> list[str]:
    """Console errors and uncaught page errors seen during the test."""
    return []


@pytest.fixture
def page(
    browser: Browser, live_server: str, page_errors: list[str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh context (no cookies) and page on the live server; a screenshot when it ends."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        # A 4xx answer (a refused form) is logged as "Failed to load resource": expected here.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        yield page
    finally:
        try:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{_slug(request.node.name)}.png"), full_page=True)
        finally:
            context.close()
