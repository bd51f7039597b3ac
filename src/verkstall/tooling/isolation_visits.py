"""The isolation proof's fixed visits in each world's tour (tooling/isolation_screens.py): the
month's list screens on the month and quarter of the world's objects (issue 15), probes
across the providers and units of one municipality (an order outside the reader's set, the
provider switches of R2.6), and the unit managers' watchlists (issue 17 item 6). Mixed into
tooling/isolation_checker.Checker."""

from __future__ import annotations

from verkstall.access.roles import Role


class TourVisits:
    """Visits (user, template, htmx, kwargs or None, query) the tour always makes."""

    def probe_visits(self, muni: int, users) -> list[tuple]:
        """Across the organisations of one municipality, by the staff of each provider and an
        officer of each unit: an order outside the reader's set (another provider's, another
        unit's), and the municipality's provider switches (R2.6; the old provider and the new
        one see a switch, no other provider; the officers of the client's unit)."""
        readers = {}
        for user in users:
            if user.role_enum in (Role.PROVIDER_STAFF, Role.OFFICER):
                readers.setdefault(user.provider_id or -user.unit_id, user)
        visits = []
        for user in readers.values():
            outside = sorted(o for o, r in self.w.orders.items() if r.muni == muni)
            outside = [o for o in outside if o not in self.oracle.orders(user)]
            if outside:
                visits.append((user, "orders/{pk}/", False, {"pk": self.rng.choice(outside)}))
            visits += [
                (user, "switches/{pk}/", False, {"pk": pk})
                for pk in sorted(s for s, r in self.w.switches.items() if r[0] == muni)
            ]
        return visits

    def unit_watchlist_visits(self, users) -> list[tuple]:
        """The watchlist of every user of a provider unit (the unit manager's), on its unit's
        list and the provider's, over the longest horizon (issue 17 item 6)."""
        return [
            (user, "watchlist/", False, None, {"scope": scope, "horizon": "30"})
            for user in users
            if user.provider_unit_id is not None
            for scope in ("provider_unit", "provider")
        ]

    # The month's list screens (issue 15) and who reads them in the tour, on the month and
    # quarter of the world's objects: the payment basis and its files (R9.4), the month screen
    # (R9.1), the IVO report (the case is the second unit's: its officer reads the reason, the
    # first unit's must not) and its files (R9.5), the fee officer's inbox (R9.3) and the aids
    # centre's (R2.6). The other roles read them in the tour and the random operations.
    MONTH_SCREENS = (
        ("payments/basis/", Role.LOV_ADMIN, 0, "period"),
        ("payments/basis/", Role.PROVIDER_MANAGER, 0, "period"),
        ("payments/basis/export.csv", Role.FEE_OFFICER, 0, "period"),
        ("payments/basis/export.xlsx", Role.LOV_ADMIN, 0, "period"),
        ("months/", Role.OFFICER, 1, "month"),
        ("ivo/", Role.LOV_ADMIN, 0, None),
        ("ivo/", Role.OFFICER, 0, None),
        ("ivo/", Role.OFFICER, 1, None),
        ("ivo/report.csv", Role.LOV_ADMIN, 0, None),
        ("ivo/report.pdf", Role.LOV_ADMIN, 0, None),
        ("fee-notices/", Role.FEE_OFFICER, 0, None),
        ("alarms/", Role.AIDS_CENTRE, 0, None),
    )

    def month_visits(self, users) -> list[tuple]:
        """Visits (user, template, htmx, None, query) of MONTH_SCREENS by `users` (of one
        municipality)."""
        units = sorted({u.unit_id for u in users if u.role_enum == Role.OFFICER})
        visits = []
        for template, role, unit, param in self.MONTH_SCREENS:
            reader = next(
                u
                for u in users
                if u.role_enum == role and (role != Role.OFFICER or u.unit_id == units[unit])
            )
            query = {param: self.today[:7]} if param else {}
            visits.append((reader, template, False, None, query))
        return visits

    # The registers that name the municipality's clients (`Oracle.REGISTER_READERS`), on last month:
    # the payment basis of the closed month, its stored lines (R9.4), and the national
    # statistics (R9.6), each screen and file with the query it takes.
    REGISTER_SCREENS = {
        "basis": (
            ("payments/basis/", {}),
            ("payments/basis/export.csv", {}),
            ("payments/basis/export.xlsx", {}),
        ),
        "statistics": (
            ("statistics/national/", {}),
            ("statistics/national/export/", {"file": "1"}),
            ("statistics/national/export/", {"file": "2"}),
        ),
    }

    def register_visits(self, muni: int, users) -> list[tuple]:
        """Visits (user, template, htmx, None, query) of REGISTER_SCREENS on the month the
        municipality closed (last month if it closed none) by every user of the municipality:
        those who may read the register each screen and file of it (the statistics of this
        month too), everyone else one of them in turn (to be refused)."""
        closed = sorted(p for m, p in self.w.month_closes.values() if m == muni)
        period = closed[-1] if closed else self.last_month
        months = {"basis": (period,), "statistics": (period, self.today[:7])}
        visits = []
        for register, screens in self.REGISTER_SCREENS.items():
            for i, user in enumerate(users):
                if self.oracle.reads_register(user, register):
                    chosen = [(t, {"period": p, **q}) for p in months[register] for t, q in screens]
                else:
                    template, query = screens[i % len(screens)]
                    chosen = [(template, {"period": period, **query})]
                visits += [(user, template, False, None, query) for template, query in chosen]
        return visits
