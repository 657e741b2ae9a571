"""Playwright on Debian's Chromium (``apt-get install chromium``); `playwright install` is not used.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse database
access from it: DJANGO_ALLOW_ASYNC_UNSAFE is set here, for the browser tests only.
"""

import os
from collections.abc import Callable, Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import CHROMIUM

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Pages in their own browser contexts (one per person), all closed before the live server
    stops: an open keep-alive connection would outlive it."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def demo(settings) -> None:
    """The demo department with a few people; DEBUG on while seeding, for the demo passwords."""
    settings.DEBUG = True
    call_command("seed_demo", "--people", "6", stdout=StringIO())
    settings.DEBUG = False
