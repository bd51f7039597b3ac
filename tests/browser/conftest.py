"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
`live_server` (ARCHITECTURE.md, "Browser tests").

Never `playwright install`: it downloads a browser, and the machines have no internet. The
browser is Debian's package (`apt-get install -y chromium`). Without it the browser tests
fail with a message saying so, unless VERKSTALL_SKIP_BROWSER=1 asks to skip them.

On a failing test the page is saved to /work/main/test-artifacts/ (git-ignored) as a
screenshot and as HTML, named after the test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread, so Django would refuse
# ORM calls from the test (SynchronousOnlyOperation). The calls are still synchronous here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SKIP_ENV = "VERKSTALL_SKIP_BROWSER"
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so `page` can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """One headless Chromium for the whole session; each test gets its own context.

    Depends on the test database so that it is set up before Playwright starts (see
    `_carry_serialized_contents`).
    """
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"browser tests skipped: {SKIP_ENV}=1")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}, which is missing. Install it "
            "with `apt-get install -y chromium` (never `playwright install`), or set "
            f"{SKIP_ENV}=1 to skip the browser tests.",
            pytrace=False,
        )
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    # The machines are shared and sometimes loaded: wait as long for an assertion as for an action.
    expect.set_options(timeout=TIMEOUT_MS)

    saved = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if getattr(connections[alias], "_test_serialized_contents", None)
    }
    with sync_playwright() as playwright:
        _carry_serialized_contents(connections, saved)
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _carry_serialized_contents(connections, saved: dict) -> None:
    """Give the connections of Playwright's context the data that serialized rollback restores.

    Django keeps its connections in context-local storage, and once Playwright's sync API has
    started, the rest of the session runs in another context: `connections[alias]` is then a
    new object without the `_test_serialized_contents` that the database setup left on the old
    one, and Django would silently skip the restore. Done here, before any browser test's
    database setup, so that it holds from the first browser test on, whatever ran before it.
    """
    for alias, contents in saved.items():
        if not getattr(connections[alias], "_test_serialized_contents", None):
            connections[alias]._test_serialized_contents = contents


@pytest.fixture
def page(request, browser, live_server, transactional_db, django_db_serialized_rollback):
    """A fresh page (own cookies) whose relative URLs go to the live server.

    The live server needs a transactional database, and flushing it after the test would also
    empty the tables that migrations seed (the service catalogue); the serialized rollback
    puts that data back before each browser test.
    """
    context = browser.new_context(
        base_url=live_server.url,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        _save_artifacts(tab, request.node.nodeid)
    context.close()


def _save_artifacts(tab, nodeid: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(tab.content(), encoding="utf-8")
    except Exception as exc:  # a broken page must not hide the test's own failure
        print(f"could not save browser artifacts for {nodeid}: {exc!r}")
    else:
        print(f"browser artifacts: {ARTIFACTS / stem}.png, .html (url {tab.url})")
