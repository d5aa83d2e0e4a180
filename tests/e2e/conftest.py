"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Playwright's sync API keeps an asyncio loop running in the test thread, and Django refuses ORM
# calls from a thread with a running loop; the test thread only sets up and checks data.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.conftest import PASSWORD, World

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path("/tmp/keepline-shots")
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest, django_db_setup: None) -> Iterator[Browser]:
    # Failing, not skipping: a missing browser would otherwise turn the whole suite silently green.
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
            "the e2e tests drive it instead of a Playwright-downloaded browser."
        )
    # While Playwright runs, asyncio reports a running loop in this thread, so Django hands out
    # new connection objects (asgiref keys them by context, not by thread). The test database
    # setup stored the migrated rows for serialized rollback on the old objects: carry them over,
    # or the second test starts with no regions and industries.
    serialized = {
        alias: connections[alias]._test_serialized_contents  # type: ignore[attr-defined]
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents  # type: ignore[attr-defined]
        # Started here, the server shares these connection objects (an in-memory SQLite database
        # must be one connection), and it stops only after the browser has closed its sockets.
        request.getfixturevalue("live_server")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Those connection objects become unreachable once the loop stops; PostgreSQL would
        # refuse to drop the test database while they stay open.
        connections.close_all()


@pytest.fixture
def e2e_world(transactional_db: None, django_db_serialized_rollback: None, world: World) -> World:
    """The shared world, committed so the live server's thread sees it.

    The live server needs real commits, so each test ends with a flush; serialized rollback puts
    back the regions and industries the migrations loaded, which the next test's world needs.
    """
    return world


PageFactory = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[PageFactory]:
    """Open a page in a fresh browser context (own cookies) at a given viewport size."""
    contexts = []

    def open_page(viewport: ViewportSize = DESKTOP, **options: Any) -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="zh-CN", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Submit the login form; the caller asserts where it lands."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form:has(#id_password) button[type=submit]").click()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
