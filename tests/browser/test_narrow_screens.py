"""Narrow screens (issue 17 item 11): at 320 x 640 CSS pixels every role's main screens (its
start page, each entry of its menu, and the first order, client and decision page they link
to) fit the width: the page itself never scrolls sideways (a wide table scrolls inside its
own box), every menu entry and the logout button can be seen and reached, and axe-core still
finds no violation at that size. On the demo data, one browser context per role.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from .crawl import (
    MENU,
    ROLE_USERS,
    axe_violations,
    demo_site,
    log_in_demo,
    menu_names,
    screen_key,
)

WIDTH, HEIGHT = 320, 640
#: Besides the menu, the first of these screens (details and forms) that the screens visited
#: link to.
DETAILS = (
    "order-detail",
    "person-detail",
    "decision-detail",
    "person-create",
    "person-edit",
    "decision-create",
    "order-create",
    "message-create",
    "plan-page",
    "order-absences",
)


@pytest.fixture
def site(browser, live_server, transactional_db, django_db_serialized_rollback, settings, tmp_path):
    with demo_site(browser, live_server, settings, tmp_path) as new_page:
        yield new_page


def overflow(page: Page) -> list[str]:
    """What is wrong with the page at this width: a sideways scroll of the page, and the
    elements that stick out to the right of the screen (the likely cause)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width <= WIDTH:
        return []
    culprits = page.evaluate(
        """(limit) => Array.from(document.querySelectorAll("body *"))
            .filter(el => el.getBoundingClientRect().right > limit + 1)
            .filter(el => !el.parentElement
                || el.parentElement.getBoundingClientRect().right <= limit + 1)
            .slice(0, 6)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                + (el.className && typeof el.className === "string" ? "." + el.className : "")
                + " right=" + Math.round(el.getBoundingClientRect().right))""",
        WIDTH,
    )
    return [f"scrollWidth {width} > {WIDTH}: {culprits}"]


def unreachable_menu(page: Page) -> list[str]:
    """Menu entries and the logout button that are hidden or stick out of the screen's width
    once the menu, folded behind its toggle "Meny" at this width, is opened."""
    found = []
    if page.locator(MENU).count():
        toggle = page.locator("details.menu > summary")
        if not toggle.is_visible() or page.locator("details.menu[open]").count():
            found.append("the menu is not folded behind its toggle")
        else:
            toggle.click()
    return found + page.evaluate(
        """([menu, limit]) => {
            const logout = Array.from(document.querySelectorAll("header button"))
                .filter(b => b.textContent.trim() === "Logga ut");
            return Array.from(document.querySelectorAll(menu)).concat(logout)
                .filter(el => {
                    const box = el.getBoundingClientRect();
                    const left = box.left + window.scrollX;
                    return !el.checkVisibility({visibilityProperty: true})
                        || box.width === 0 || left < 0 || left + box.width > limit + 0.5;
                })
                .map(el => el.textContent.trim()
                    + " at x=" + Math.round(el.getBoundingClientRect().left));
        }""",
        [MENU, WIDTH],
    )


@pytest.mark.browser
def test_every_role_s_main_screens_fit_320_pixels(site):
    problems: list[str] = []
    for role, username in sorted(ROLE_USERS.items()):
        page = site(WIDTH, HEIGHT)
        page.goto("/login/")
        problems += [f"/login/: {p}" for p in overflow(page)]
        log_in_demo(page, username)
        page.goto("/")
        menu = page.eval_on_selector_all(MENU, "links => links.map(a => a.pathname)")
        assert len(menu) == len(menu_names(page))
        urls, details = list(dict.fromkeys(["/", *menu])), {}
        checked = 0
        while checked < len(urls):
            url = urls[checked]
            checked += 1
            response = page.goto(url)
            assert response is not None, f"{role}: {url}"
            if response.status >= 400 and url not in details.values():
                problems.append(f"[{role}] {url}: {response.status}")
            if response.status >= 400:  # a link to a refusal: see test_accessibility.py
                continue
            where = f"[{role}] {url}"
            problems += [f"{where}: {p}" for p in overflow(page)]
            problems += [f"{where}: menu entry out of reach: {p}" for p in unreachable_menu(page)]
            problems += [f"{where}: axe {v['id']}: {v['nodes']}" for v in axe_violations(page)]
            for href in page.eval_on_selector_all("main a[href]", "as => as.map(a => a.pathname)"):
                key = screen_key(href)
                if key and key[0] in DETAILS and key[0] not in details:
                    details[key[0]] = href
                    urls.append(href)
        print(f"\n{role}: {checked} screens at {WIDTH}px: {[urlsplit(u).path for u in urls]}")
        expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
        page.context.close()
    assert not problems, "\n".join(problems)
