"""A role's tour of the screens it can reach, for the accessibility and narrow-screen tests
(issue 17): the demo data, a demo user per role, a breadth-first walk over the same-origin
links, and axe-core run on each page.

axe-core comes from the PyPI package axe-playwright-python (its axe.min.js, pinned in
pyproject.toml's dev dependencies): nothing is downloaded at run time.
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from time import perf_counter
from urllib.parse import urldefrag, urlsplit

import axe_playwright_python
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from verkstall.tooling.demo_catalogue import DEMO_PASSWORD, USERS

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MENU = 'nav[aria-label="Huvudmeny"] a'
TIMEOUT_MS = 10_000  # as conftest.py's pages

#: One demo user per role: the first of each role in the demo catalogue.
ROLE_USERS: dict[str, str] = {}
for _username, _role, *_rest in USERS:
    ROLE_USERS.setdefault(str(_role), _username)

#: Routes the tour never opens: logging out ends it, the rest are downloads (PDF, CSV,
#: calendar, attachments) and not screens. The Django admin and the API (with its
#: third-party schema viewers) are outside the project's own screens and not visited.
SKIPPED_NAMES = frozenset(
    {
        "logout",
        "calendar-feed",
        "case-document",
        "plan-document",
        "national-statistics-export",
        "payment-basis-export",
    }
)
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/")
DOWNLOAD_SUFFIXES = (".pdf", ".csv", ".ics", ".xlsx", ".json", ".xml", ".zip")

#: At most this many distinct screens per role. Screens are told apart by route name (and a
#: route's text arguments, such as an order action), so a list of 50 orders gives one order
#: page: every route the project has fits well under the cap.
MAX_SCREENS = 200


@contextmanager
def demo_site(browser, live_server, settings, tmp_path):
    """The demo data (tooling/demo.py, made once: it takes seconds) and a maker of pages, each
    in its own browser context (own cookies), so that every role has its own."""
    settings.DATA_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from verkstall.tooling.demo import seed

    seed()
    contexts = []

    def new_page(width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield new_page
    finally:
        for context in contexts:
            context.close()


def log_in_demo(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_attached()


def screen_key(path: str) -> tuple | None:
    """The screen a path shows: its route name and any text arguments; None for a path the
    tour leaves alone."""
    if path.startswith(SKIPPED_PREFIXES) or path.lower().endswith(DOWNLOAD_SUFFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if not match.url_name or match.url_name in SKIPPED_NAMES or match.namespace:
        return None
    words = tuple(sorted((k, v) for k, v in match.kwargs.items() if isinstance(v, str)))
    return (match.url_name, *words)


def menu_names(page: Page) -> set[str]:
    hrefs = page.eval_on_selector_all(MENU, "links => links.map(a => a.pathname)")
    return {resolve(href).url_name for href in hrefs}


@cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now.

    axe.min.js is evaluated in the page rather than added as a <script> tag: the site's
    Content-Security-Policy refuses inline scripts, and evaluation is not subject to it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({
                    target: n.target.join(" "), html: n.html.slice(0, 160),
                    summary: (n.failureSummary || "").slice(0, 300),
                })),
                count: v.nodes.length,
            }));
        }""",
        AXE_TAGS,
    )


@dataclass
class Tour:
    """What a role's walk saw: the screens with their URL, and what went wrong on them."""

    role: str
    screens: dict[tuple, str] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_downloads: list[str] = field(default_factory=list)
    capped: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        return {key[0] for key in self.screens if key[0] != "error-page"}

    @property
    def server_errors(self) -> list[str]:
        return [error for error in self.errors if int(error.rsplit(" ", 1)[1]) >= 500]


def walk(page: Page, role: str, *, check=axe_violations) -> Tour:
    """Breadth-first over the same-origin links from the start page, GET only, one page per
    screen; `check` runs on each screen and returns its violations."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    tour = Tour(role=role)
    queued: set[tuple] = set()
    todo: deque[str] = deque(["/"])
    queued.add(screen_key("/"))
    while todo:
        if len(tour.screens) >= MAX_SCREENS:
            tour.capped = True
            break
        url = todo.popleft()
        started = perf_counter()
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                tour.skipped_downloads.append(url)
                continue
            raise
        path = urlsplit(page.url).path
        key = screen_key(path)
        if response is None or key is None or key in tour.screens:
            continue  # a redirect to a screen already seen
        queued.add(key)
        if response.status >= 400:
            # A link to a refusal is reported by the test; the error page is checked once.
            tour.errors.append(f"{url} -> {response.status}")
            key = ("error-page", str(response.status))
            if key in tour.screens:
                continue
        elif "text/html" not in (response.headers.get("content-type") or ""):
            continue
        tour.screens[key] = page.url
        for found in check(page):
            nodes = "\n".join(
                f"      {n['target']}: {n['html']}\n        {n['summary']}" for n in found["nodes"]
            )
            tour.violations.append(
                f"[{role}] {key[0]} {page.url}\n  {found['id']} ({found['impact']}, "
                f"{found['count']} nodes): {found['help']}\n{nodes}"
            )
        tour.seconds[key[0]] = round(perf_counter() - started, 2)
        if response.status >= 400:
            continue
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            href = urldefrag(href).url
            if not href.startswith(origin + "/"):
                continue
            link_key = screen_key(urlsplit(href).path)
            if link_key is None or link_key in queued:
                continue
            queued.add(link_key)
            todo.append(href[len(origin) :])
    return tour
