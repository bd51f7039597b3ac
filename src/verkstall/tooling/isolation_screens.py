"""The screens the isolation proof walks (issue 11: canaries in HTML, htmx partials, PDF and
CSV too): which object of the world fills each screen's path, the screens it does not walk
and why, and the checker's screen operations (tooling/isolation_checker.py)."""

from __future__ import annotations

import re

from verkstall.access.roles import Role
from verkstall.tooling import canaries
from verkstall.tooling.isolation_operations import ORDER_ACTIONS
from verkstall.tooling.isolation_stats import DETAIL, LISTING
from verkstall.tooling.isolation_unwalked import SCREENS_NOT_WALKED

# Screens with an object in their path, and which object of the world fills each parameter.
SCREEN_OBJECTS: dict[str, dict[str, str]] = {
    "clients/{pk}/": {"pk": "person"},
    "clients/{pk}/protection/": {"pk": "person"},
    "clients/{pk}/protected-access/": {"pk": "person"},
    "clients/{pk}/death/": {"pk": "person"},  # seed 004: the client's orders, listed
    # Corrections of a client's data and its history (R1.1; tooling/isolation_changes.py).
    **{f"clients/{{pk}}/{t}": {"pk": "person"} for t in ("edit/", "history/", "relatives/new/")},
    "clients/{pk}/relatives/{relative_pk}/edit/": {"relative_pk": "relative"},
    "orders/{pk}/edit/": {"pk": "order"},  # a draft's correction (R1.1)
    "clients/orders/{order_pk}/oral-briefing/": {"order_pk": "order"},
    "clients/{person_pk}/decisions/new/": {"person_pk": "person"},
    "decisions/{pk}/letter.pdf": {"pk": "decision"},
    **{f"decisions/{{pk}}/{t}": {"pk": "decision"} for t in ("", "correct/")},  # R1.1, 002
    "clients/{person_pk}/journal/": {"person_pk": "person"},
    "orders/{order_pk}/provider-journal/": {"order_pk": "order"},
    "messages/{pk}/": {"pk": "message"},
    **{
        f"orders/{{pk}}/{tail}": {"pk": "order"}
        for tail in (
            "",
            "document.pdf",
            "print/",
            "delivery/",
            "delivery/email/",
            "plan/",
            "plan/start/",
            "followups/",
            "followups/request/",
            "followups/record/",
            "followups/iub-request/",
            "absences/",
            "change/report/",
            "change/reissue/",
            "receipt/",
            # issue 16 (orders.casework_services): POSTs; a GET is refused
            "not-started/",
            "support-not-received/",
            "new-client-told/",
            "route/",
        )
    },
    **{
        f"orders/{{pk}}/plan/{{plan_pk}}/{step}/": {"plan_pk": "plan"}
        for step in ("save", "confirm", "review", "share", "document")
    },
    "orders/{pk}/{action}/": {"pk": "order", "action": "action"},
    "switches/new/{order_pk}/": {"order_pk": "order"},
    "decisions/{decision_pk}/orders/new/": {"decision_pk": "decision"},
    "watchlist/{pk}/": {"pk": "due_item"},
    "notices/{pk}/acknowledge/": {"pk": "receipt"},
    "absences/short-term-stay/{person_pk}/": {"person_pk": "person"},
    "clients/{person_pk}/services/{granted_service_pk}/choice/": {
        "granted_service_pk": "granted_service"
    },
    "clients/{person_pk}/services/{granted_service_pk}/proximity/": {
        "granted_service_pk": "granted_service"
    },
    "rotation/assign/{granted_service_pk}/": {"granted_service_pk": "granted_service"},
    "orders/{pk}/alarm/": {"pk": "alarm_order"},
    "orders/{pk}/meal/": {"pk": "order"},
    "queue/new/{person_pk}/": {"person_pk": "person"},
    "queue/{pk}/": {"pk": "queue_entry"},  # R8.1, R8.2, R8.3 (tooling/isolation_placements.py)
    "stays/{pk}/": {"pk": "stay_intake"},  # R8.4
    "vouchers/orders/{pk}/": {"pk": "voucher_order"},  # R4.2
    "vouchers/orders/{pk}/report-form.pdf": {"pk": "voucher_order"},
    "vouchers/{pk}.pdf": {"pk": "voucher"},
    "orders/{pk}/fee-notices/": {"pk": "order"},  # R9.3
    "payments/orders/{pk}/time/": {"pk": "order"},  # R9.2: any order the user may see
    # The month's models (issue 15; tooling/isolation_months.py) and the switch (R2.6).
    "payments/time/{pk}/change/": {"pk": "performed_time"},  # R9.2: its GET shows the note
    "payments/basis/export.{fmt}": {"fmt": "fmt"},  # R9.4: the basis as CSV and XLSX
    "switches/{pk}/": {"pk": "switch"},  # R2.6 (tooling/isolation_alarms.py)
    "clients/{person_pk}/iub-requests/new/": {"person_pk": "person"},  # R1.3, R1.4:
    "clients/{pk}/transfer/": {"pk": "person"},  # tooling/isolation_iub_transfer.py
    "integrationer/webhooks/{pk}/": {"pk": "webhook"},  # issue 20: the delivery log
}


def _register(template: str) -> str:
    """The register a screen reads (`Oracle.REGISTER_READERS`), if any."""
    if template.startswith("payments/basis/"):
        return "basis"
    if template.startswith("statistics/national/"):
        return "statistics"
    return ""


def _template(pattern: str) -> str:
    """`orders/<int:pk>/` -> `orders/{pk}/` (as tests/test_idor.py writes routes)."""
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("^", "").replace("$", "").replace("\\.", ".")


_SCREEN_ROUTES: list = []


def screen_routes() -> list[tuple[str, object]]:
    """(template, view) of every screen in the URL conf: not the API, not Django's admin."""
    from verkstall.access import declarations

    if not _SCREEN_ROUTES:
        for pattern, callback, namespaces, _name in declarations.walk_urls():
            if "admin" in namespaces or declarations.is_api_view(callback):
                continue
            _SCREEN_ROUTES.append((_template(pattern), callback))
    return _SCREEN_ROUTES


def unwalked_screens() -> list[str]:
    """Screens with an object in their path that neither SCREEN_OBJECTS nor
    SCREENS_NOT_WALKED names: a new screen cannot be left out silently."""
    return sorted(
        t
        for t, _cb in screen_routes()
        if "{" in t and t not in SCREEN_OBJECTS and t not in SCREENS_NOT_WALKED
    )


class ScreenOperations:
    """The checker's operations on the HTML screens (mixed into isolation_checker.Checker)."""

    def _nearest_units(self, user, fmt) -> None:
        """`GET /api/providers/nearest-units/`: no distance to a protected client's home for a
        reader who is not named staff (the distances give the home away, R10.5, R2.5)."""
        own = [g for g, r in self.w.proximity.items() if r.person in self.oracle.persons(user)]
        granted = self._pick(self.w.proximity, own)
        rec = self.w.proximity.get(granted)
        hidden = rec is not None and (
            rec.person in self.w.protected and (rec.person, user.pk) not in self.w.grants
        )
        extra = self._distance_forms(rec) if hidden else None
        response = self._call(
            user,
            "get",
            "/api/providers/nearest-units/",
            {"granted_service": granted},
            endpoint="/api/providers/nearest-units/",
            fmt=fmt,
            extra=extra,
        )
        if response is None or rec is None:
            return
        what = f"GET /api/providers/nearest-units/?granted_service={granted}"
        if rec.person not in self.oracle.persons(user):
            if response.status_code == 200:
                self._crossing(user, f"{what}: 200 for another unit's client")
            return
        if hidden and response.status_code == 200 and not fmt:
            self.stats.distance_checks += 1
            shown = [r.get("distance_km") for r in response.json() if r.get("distance_km")]
            if shown:
                self.stats.scanner.hits.append(
                    f"{user.username} ({user.role}): {what} [json]: distances {shown} to the "
                    f"home of protected client {rec.person}"
                )

    def _distance_forms(self, rec) -> dict[str, str]:
        return {
            form: f"distance to the home of protected client {rec.person}"
            for km in rec.distances
            for form in canaries.distance_forms(km)
        }

    def screen_kwargs(self, template: str, user, own: bool = True) -> dict | None:
        """Path parameters for a screen, of the user's own objects (`own`) or of anyone's."""
        spec = SCREEN_OBJECTS.get(template)
        if spec is None:
            return None
        o = self.oracle
        pools = {
            "person": (self.w.persons, o.persons(user)),
            "order": (self.w.orders, o.orders(user)),
            "alarm_order": (self.w.orders, o.alarm_orders(user)),
            "decision": (self.w.decisions, o.decisions(user)),
            "message": (self.w.messages, o.messages(user)),
            "due_item": (self.w.due_items, o.due_items(user)),
            "receipt": (self.w.receipts, o.receipts(user)),
            "plan": (self.w.plans, o.plans(user)),
            "queue_entry": (self.w.queue_entries, o.queue_entries(user)),
            "stay_intake": (self.w.stay_intakes, o.stay_intakes(user)),
            "voucher_order": (
                [k for k, r in self.w.orders.items() if r.decision in self.w.voucher_decisions],
                o.voucher_orders(user),
            ),
            "voucher": (self.w.vouchers, o.vouchers(user)),
            "performed_time": (self.w.performed_time, o.performed_time(user)),
            "switch": (self.w.switches, o.switches(user)),
            "relative": (self.w.relatives, o.relatives(user)),
            "webhook": (self.w.webhooks, o.webhooks(user)),
            "granted_service": (
                self.w.proximity,
                [g for g, r in self.w.proximity.items() if r.person in o.persons(user)],
            ),
        }
        kwargs = {}
        for name, kind in spec.items():
            if kind == "action":
                kwargs[name] = self.rng.choice(list(ORDER_ACTIONS))
                continue
            if kind == "fmt":
                kwargs[name] = self.rng.choice(["csv", "xlsx"])
                continue
            every, mine = pools[kind]
            if own:
                if not mine:
                    return None
                kwargs[name] = self.rng.choice(sorted(mine))
            else:
                kwargs[name] = self._pick(every, mine)
        # A plan is asked for under its own order; a granted service under its own client.
        if "plan_pk" in kwargs and kwargs["plan_pk"] in self.w.plans:
            kwargs["pk"] = self.w.plans[kwargs["plan_pk"]][0]
        if "relative_pk" in kwargs and kwargs["relative_pk"] in self.w.relatives:
            kwargs["pk"] = self.w.relatives[kwargs["relative_pk"]]
        if "granted_service_pk" in kwargs and kwargs["granted_service_pk"] in self.w.proximity:
            kwargs["person_pk"] = self.w.proximity[kwargs["granted_service_pk"]].person
        kwargs.setdefault("pk", kwargs.get("plan_pk", 0))
        kwargs.setdefault("person_pk", 0)
        return kwargs

    def screen(
        self, user, template: str, *, own: bool = True, htmx: bool = False, kwargs=None, data=None
    ):
        """One screen, its path filled with the user's own objects (`own`), anyone's, or the
        `kwargs` given, its query `data` (or one drawn for it); returns the response (None if
        it was not requested or failed)."""
        if kwargs is None:
            kwargs = self.screen_kwargs(template, user, own) if "{" in template else {}
        if kwargs is None:
            return None
        url = "/" + template.format(**kwargs)
        if data is None:
            data = self._screen_query(template, user)
        if template == "clients/search/" and "q" in data:  # posted, then its page (issue 17)
            self._call(user, "post", url, {"q": data.pop("q")}, endpoint=template, screen=True)
        register = _register(template)
        extra = None
        rec = self.w.proximity.get(kwargs.get("granted_service_pk"))
        if rec and rec.person in self.w.protected and (rec.person, user.pk) not in self.w.grants:
            extra = self._distance_forms(rec)
            self.stats.distance_checks += 1
        response = self._call(
            user,
            "get",
            url,
            data,
            endpoint=template,
            screen=True,
            htmx=htmx,
            context=DETAIL if kwargs else LISTING,
            extra=extra,
            register=register,
        )
        if register and response is not None and not self.oracle.reads_register(user, register):
            # The payment basis and the national statistics: a role that may not read them is
            # refused whatever the month or provider asked for.
            if response.status_code == 200:
                self._crossing(user, f"SCREEN {url}: 200 for a role that may not read it")
            elif response.status_code in (403, 404):
                self.stats.outside_refused += 1
        elif register == "basis" and response is not None and "provider" in data:
            # Another provider's basis: the unit manager only its own, the others only their
            # municipality's (payments.selectors.basis_scope).
            asked = data["provider"]
            mine = (
                {user.provider_id}
                if user.role_enum == Role.PROVIDER_MANAGER
                else self.oracle.providers(user)
            )
            if asked not in mine and response.status_code == 200:
                self._crossing(user, f"SCREEN {url}?provider={asked}: 200 for another provider")
            elif asked not in mine and response.status_code in (403, 404):
                self.stats.outside_refused += 1
        return response

    def _screen_query(self, template: str, user) -> dict:
        """A list screen's query: a search, or the month the world's objects are in (the
        payment basis, the month screen and the national statistics open on the previous
        month by default), or the previous month (closed in the first municipality), and now
        and then another provider's basis; one of the national statistics' two files."""
        month = self.rng.choice([self.today[:7], self.last_month])
        if template in ("clients/", "clients/search/"):
            pk = self._pick(self.w.persons, self.oracle.persons(user))
            return {"q": self.rng.choice([self.w.numbers.get(pk, "1"), "KANARIE"])}
        if template.startswith("payments/basis/"):
            data = {"period": month} if self.rng.random() < 0.8 else {}
            if self.rng.random() < 0.3:
                data["provider"] = self._pick(self.w.providers, self.oracle.providers(user))
            return data
        if template == "months/" and self.rng.random() < 0.7:
            return {"month": month}
        if template.startswith("statistics/national/"):
            data = {"period": month} if self.rng.random() < 0.8 else {}
            if template.endswith("export/") and self.rng.random() < 0.9:
                data["file"] = self.rng.choice(["1", "2"])
            return data
        if template == "watchlist/" and self.rng.random() < 0.7:
            # Any list, the unit's among them, over a horizon offered or not (issue 17 item 6).
            return {
                "scope": self.rng.choice(["mine", "unit", "provider", "provider_unit", "role"]),
                "horizon": self.rng.choice(["7", "14", "30", "99"]),
            }
        return {}

    def declared_screens(self, user) -> list[str]:
        from verkstall.access import declarations

        return [
            template
            for template, callback in screen_routes()
            if template not in SCREENS_NOT_WALKED
            and user.role_enum in declarations.for_view(callback).roles
        ]

    def op_screen(self, user) -> None:
        templates = self.declared_screens(user)
        if self.rng.random() < 0.9:  # a PDF takes a second to render: a tenth as often
            templates = [t for t in templates if not t.endswith(".pdf")]
        if not templates:
            return
        self.screen(
            user,
            self.rng.choice(templates),
            own=self.rng.random() < 0.7,
            htmx=self.rng.random() < 0.3,
        )

    def tour(self, budget: int) -> int:
        """Every screen of one user of each role of the first municipality, with their own
        objects, documents (PDF, CSV) first, lists again as htmx partials; at most `budget`
        requests; then the walk of the queue, stays and vouchers (`walk`). Returns how many
        were made."""
        muni = self.w.users[0].municipality_id
        seen_roles, visits = set(), []
        for user in self.w.users:
            if user.municipality_id != muni or user.role_enum in seen_roles:
                continue
            seen_roles.add(user.role_enum)
            for template in self.declared_screens(user):
                visits.append((user, template, False))
                if "{" not in template:
                    visits.append((user, template, True))
        self.rng.shuffle(visits)
        # Documents first, once each; PDFs (a second each to render) only until a few are.
        documents, others, done = [], [], set()
        for visit in visits:
            template = visit[1]
            if template.endswith((".csv", ".pdf")):
                if template not in done and not (
                    template.endswith(".pdf") and self.stats.scanner.scanned["pdf"] >= 4
                ):
                    documents.append(visit)
                done.add(template)
            else:
                others.append(visit)
        # The walk and the registers' visits come on top (the operations left to the random
        # ones pay for them).
        # The month's list screens on the world's month, and the probes across providers and
        # units (an order, the switches), take part of the tour's budget.
        users = [u for u in self.w.users if u.municipality_id == muni]
        month = (
            self.month_visits(users)
            + self.probe_visits(muni, users)
            + self.unit_watchlist_visits(users)
        )
        visits = (
            (documents + others)[: max(budget - len(month), 0)]
            + month
            + self.register_visits(muni, users)
            + self.walk(muni, budget // 4)
        )
        for user, template, htmx, *kwargs in visits:
            if kwargs and kwargs[0] is not None:
                self._walked(user, template, kwargs[0])
            else:  # a list screen, with the query of a month screen (`month_visits`) if any
                self.screen(user, template, htmx=htmx, data=kwargs[1] if kwargs else None)
        return len(visits)

    # The screens the walk requests with every object of the municipality (and one of
    # another's), by every user declared for them (the queue, stays and vouchers of issue 14),
    # or with every protected client that has something to hide on them, by every officer and
    # the fee officer; and which of the oracle's sets holds the object.
    WALKED = {
        "queue/{pk}/": ("pk", "queue_entries"),
        "stays/{pk}/": ("pk", "stay_intakes"),
        "vouchers/orders/{pk}/": ("pk", "voucher_orders"),
        "switches/{pk}/": ("pk", "switches"),  # R2.6: the switch's sides (`probe_visits`)
        "orders/{pk}/": ("pk", "orders"),  # another provider's or unit's (`probe_visits`)
        "clients/{pk}/": ("pk", "persons"),
        "clients/{person_pk}/journal/": ("person_pk", "persons"),
        "clients/{person_pk}/services/{granted_service_pk}/proximity/": ("person_pk", "persons"),
        "clients/{pk}/history/": ("pk", "persons"),  # R1.1: a protected client's corrections
    }

    def walk(self, muni: int, budget: int) -> list[tuple]:
        """Visits (user, template, htmx, kwargs) of the WALKED screens: every user of the
        municipality declared for a screen of the queue, stays or vouchers, with each of the
        municipality's objects and one of another municipality's, at most `budget` of them
        drawn at random; and always, by every officer and the fee officer, the page and case
        journal of each protected client in the queue (where the client is now) and the
        nearest units of each protected client with a home position (the distances), and, by
        the providers too, the history of each protected client whose data was corrected:
        these must reach no one who is not named (R10.5)."""
        from verkstall.access import declarations

        w = self.w
        objects = {
            "queue/{pk}/": {e: r[0] for e, r in w.queue_entries.items()},
            "stays/{pk}/": dict(w.stay_intakes),
            "vouchers/orders/{pk}/": {
                o: r.muni for o, r in w.orders.items() if r.decision in w.voucher_decisions
            },
        }
        queued = sorted({p for (m, _u, p) in w.queue_entries.values() if m == muni} & w.protected)
        homes = [
            {"person_pk": r.person, "granted_service_pk": g}
            for g, r in sorted(w.proximity.items())
            if r.person in w.protected and w.persons[r.person][0] == muni
        ]
        # The protected clients whose data was corrected (tooling/isolation_changes.py).
        changed = sorted(p for p in w.changed_persons & w.protected if w.persons[p][0] == muni)
        protected = {
            "clients/{pk}/history/": [{"pk": p} for p in changed],
            "clients/{pk}/": [{"pk": p} for p in queued],
            "clients/{person_pk}/journal/": [{"person_pk": p} for p in queued],
            "clients/{person_pk}/services/{granted_service_pk}/proximity/": homes,
        }
        callbacks = dict(screen_routes())
        users = [u for u in w.users if u.municipality_id == muni]
        always, visits = [], []
        for template, (param, _kind) in self.WALKED.items():
            roles = declarations.for_view(callbacks[template]).roles
            readers = [u for u in users if u.role_enum in roles]
            if template in objects:
                mine = sorted(pk for pk, m in objects[template].items() if m == muni)
                others = sorted(pk for pk, m in objects[template].items() if m != muni)
                for user in readers:
                    pks = mine + ([self.rng.choice(others)] if others else [])
                    visits += [(user, template, False, {param: pk}) for pk in pks]
                if others and readers:  # and always once across the municipality's border
                    across = {param: self.rng.choice(others)}
                    always.append((self.rng.choice(readers), template, False, across))
            elif template in protected:
                clerks = [
                    u
                    for u in readers
                    # the history of corrections: the providers read it too (R1.1)
                    if u.role_enum in (Role.OFFICER, Role.FEE_OFFICER) or "history" in template
                ]
                always += [(u, template, False, kw) for u in clerks for kw in protected[template]]
        self.rng.shuffle(visits)
        return always + visits[:budget]

    def _walked(self, user, template: str, kwargs: dict) -> None:
        """A walked screen: an object outside the user's set is refused (403/404)."""
        param, kind = self.WALKED[template]
        response = self.screen(user, template, kwargs={"pk": 0, "person_pk": 0, **kwargs})
        if response is None or kwargs[param] in getattr(self.oracle, kind)(user):
            return
        if response.status_code in (403, 404):
            self.stats.outside_refused += 1
        else:
            self._crossing(
                user,
                f"SCREEN /{template.format(**kwargs)}: {response.status_code} for an object "
                "outside the set",
            )
