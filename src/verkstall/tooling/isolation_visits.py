"""The isolation proof's fixed visits in each world's tour (tooling/isolation_screens.py): the
month's list screens on the month and quarter of the world's objects (issue 15), and probes
across the providers and units of one municipality (an order outside the reader's set, the
provider switches of R2.6). Mixed into tooling/isolation_checker.Checker."""

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

    # The month's list screens (issue 15) and who reads them in the tour, on the month and
    # quarter of the world's objects: the payment basis and its files (R9.4), the month screen
    # (R9.1), the IVO report (the case is the second unit's: its officer reads the reason, the
    # first unit's must not) and its file (R9.5), the fee officer's inbox (R9.3) and the aids
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
