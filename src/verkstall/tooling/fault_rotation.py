"""The rotation across two application servers (issue 18 item 5: "rotation turns happen exactly
once"): officers assign granted services by the no-choice rotation through the screens, from
threads spread over both servers, some services twice at the same moment (a double submit, or
two officers). Each service gets one assignment, and the turns go round the providers evenly.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections import Counter
from datetime import timedelta
from html import unescape
from http.cookies import SimpleCookie

from django.conf import settings
from django.test import Client
from django.urls import reverse

from verkstall.core import clock
from verkstall.core.confirm_views import CONFIRM_FIELD, CONFIRM_VALUE
from verkstall.tooling import fault_selectors as checks
from verkstall.tooling import generator_services as generator
from verkstall.tooling import generator_world

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>', re.I)
ATTR = re.compile(r'(name|value)="([^"]*)"')


def _hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in HIDDEN.findall(html):
        attrs = dict(ATTR.findall(tag))
        if "name" in attrs:
            fields[attrs["name"]] = unescape(attrs.get("value", ""))
    return fields


class Screen:
    """A signed-in officer's browser, as plain HTTP against one server."""

    def __init__(self, port: int, session: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {settings.SESSION_COOKIE_NAME: session}

    def _headers(self) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Host": "127.0.0.1", "Cookie": cookie}

    def _keep(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def get(self, path: str) -> tuple[int, str]:
        self.conn.request("GET", path, headers=self._headers())
        response = self.conn.getresponse()
        self._keep(response)
        return response.status, response.read().decode(errors="replace")

    def post(self, path: str, fields: dict) -> int:
        from urllib.parse import urlencode

        headers = {
            **self._headers(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1{path}",
        }
        self.conn.request("POST", path, urlencode(fields), headers)
        response = self.conn.getresponse()
        self._keep(response)
        response.read()
        return response.status


def rotation_twice_at_once(cluster, *, services: int) -> dict:
    """`services` granted services assigned by rotation through both servers at once; every
    fourth one posted twice at the same moment (once on each server)."""
    subjects = cluster.subjects
    officer = subjects["officer"]
    providers = checks.connected_providers(subjects["municipality"], count=3)
    code = generator_world.PROFILE_SERVICES[subjects["municipality"].rule_profile][0]
    area = generator_world.rotation_area(
        officer, code, providers, valid_from=clock.today() - timedelta(days=30)
    )
    decisions = generator.make_draft_orders(
        services, officer=officer, provider=providers[0], seed=7000 + cluster.serial[0],
        with_orders=False, area=area,
    )  # fmt: skip
    cluster.serial[0] += 1
    granted = checks.granted_services(decisions)
    client = Client()
    client.force_login(officer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    answers: list[tuple[int, int]] = []
    lock = threading.Lock()

    def assign(pk: int, port: int, barrier: threading.Barrier | None):
        screen = Screen(port, session)
        path = reverse("rotation-assign", kwargs={"granted_service_pk": pk})
        status, html = screen.get(path)
        fields = {**_hidden_fields(html), CONFIRM_FIELD: CONFIRM_VALUE}
        if barrier is not None:
            barrier.wait(timeout=60)
        status = screen.post(path, fields) if status == 200 else status
        with lock:
            answers.append((pk, status))

    # One unit per service: one thread, or two posting at the same moment on both servers.
    units = []
    for n, pk in enumerate(granted):
        if n % 4 == 0:
            barrier = threading.Barrier(2)
            units.append(
                [threading.Thread(target=assign, args=(pk, p, barrier)) for p in cluster.ports[:2]]
            )
        else:
            port = cluster.ports[n % len(cluster.ports)]
            units.append([threading.Thread(target=assign, args=(pk, port, None))])
    for start in range(0, len(units), 4):  # four officers at a time
        batch = [t for unit in units[start : start + 4] for t in unit]
        for t in batch:
            t.start()
        for t in batch:
            t.join()
    made = checks.rotation_assignments(granted)
    statuses = Counter(status for _, status in answers)
    lost = [f"granted service {pk}: no assignment" for pk in granted if not made.get(pk)]
    duplicated = [
        f"granted service {pk}: {len(v)} assignments" for pk, v in made.items() if len(v) > 1
    ]
    # Every provider of the rotation counts, also one that never got a turn.
    per_provider = Counter({p.pk: 0 for p in providers})
    per_provider.update(v[0] for v in made.values() if v)
    uneven = []
    if per_provider and max(per_provider.values()) - min(per_provider.values()) > 1:
        uneven.append(f"turns not even: {dict(per_provider)}")
    return {
        "scenario": "rotation through two servers",
        "sent": len(answers),
        "succeeded": statuses.get(302, 0),
        "failed_cleanly": sum(n for s, n in statuses.items() if 400 <= s < 500 or s == 200),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "no_answer": 0,
        "lost": lost,
        "duplicated": duplicated,
        "half_written": uneven,
        "assignments": sum(len(v) for v in made.values()),
        "per_provider": sorted(per_provider.values()),
        "statuses": dict(statuses),
    }
