"""WCAG 2.1 AA on every screen (issue 17): each demo role logs in and walks, breadth first,
every screen it can reach by a link from its start page, and axe-core (wcag2a, wcag2aa,
wcag21a, wcag21aa) finds no violation on any of them.

The demo data is made once and each role gets its own browser context. The Django admin and
the API's schema viewers are not the project's own screens and are left out, as are downloads
and logging out (see crawl.py). A screen is a route (and its text arguments), so a list of 50
orders gives one order page; the screens a role visits must cover at least the entries of its
menu. A link to a refusal (403) is printed and its error page checked; a server error fails.
"""

from __future__ import annotations

import pytest

from .crawl import MENU, ROLE_USERS, axe_violations, demo_site, log_in_demo, menu_names, walk


@pytest.fixture
def site(browser, live_server, transactional_db, django_db_serialized_rollback, settings, tmp_path):
    with demo_site(browser, live_server, settings, tmp_path) as new_page:
        yield new_page


@pytest.mark.browser
def test_every_screen_every_role_reaches_has_no_axe_violations(site, record_property):
    problems: list[str] = []
    for role, username in sorted(ROLE_USERS.items()):
        page = site()
        log_in_demo(page, username)
        page.goto("/")
        menu = menu_names(page)
        # On a wide screen the menu is open, without its narrow-screen toggle "Meny".
        folded = page.eval_on_selector_all(
            MENU, "links => links.filter(a => !a.checkVisibility()).map(a => a.textContent)"
        )
        if folded or page.locator("details.menu > summary").is_visible():
            problems.append(f"{role}: the menu is folded on a wide screen: {folded}")
        tour = walk(page, role)
        page.context.close()

        record_property(f"screens[{role}]", len(tour.screens))
        seconds = round(sum(tour.seconds.values()))
        print(f"\n{role} ({username}): {len(tour.screens)} screens in {seconds} s:")
        print(f"  {sorted(tour.names)}")
        if tour.errors:
            print(f"{role}: links to a refusal: {tour.errors}")
        if tour.capped:
            problems.append(f"{role}: the walk stopped at its cap of screens")
        if tour.server_errors:
            problems.append(f"{role}: links to screens that fail: {tour.server_errors}")
        if not menu <= tour.names:
            problems.append(f"{role}: menu entries not reached: {sorted(menu - tour.names)}")
        problems += tour.violations
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_pages_before_login_and_the_error_pages_have_no_axe_violations(page):
    found = []
    for url in ("/login/", "/no-such-page/"):
        page.goto(url)
        found += [f"{url}: {v['id']}: {v['help']} {v['nodes']}" for v in axe_violations(page)]
    assert not found, "\n".join(found)
