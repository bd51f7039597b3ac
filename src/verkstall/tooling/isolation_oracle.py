"""The isolation proof's oracle: what each user may see, in plain Python from the generated
world (tooling/isolation_world.py), never from `access/scoping.py` or a selector."""

from __future__ import annotations

from verkstall.access.roles import PROVIDER_ROLES, Role
from verkstall.tooling import canaries
from verkstall.tooling.isolation_stats import DETAIL
from verkstall.tooling.isolation_world import World


class Oracle:
    """What each user may see, computed in plain Python from the world (never from scoping)."""

    def __init__(self, world: World):
        self.w = world
        self._cache: dict[tuple[int, str], frozenset[int]] = {}

    def clear(self) -> None:
        self._cache.clear()

    def _memo(self, user, kind, compute) -> frozenset[int]:
        key = (user.pk, kind)
        if key not in self._cache:
            self._cache[key] = frozenset(compute())
        return self._cache[key]

    def orders(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            for pk, o in self.w.orders.items():
                if o.muni != muni:
                    continue
                if (
                    (role == Role.OFFICER and o.unit == user.unit_id)
                    or role == Role.FEE_OFFICER
                    or (role in PROVIDER_ROLES and o.provider == user.provider_id and o.sent)
                ):
                    yield pk

        return self._memo(user, "orders", compute)

    def persons(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            if role == Role.OFFICER:
                return [
                    p for p, (m, u) in self.w.persons.items() if m == muni and u == user.unit_id
                ]
            if role == Role.FEE_OFFICER:
                return [p for p, (m, _u) in self.w.persons.items() if m == muni]
            return [self.w.orders[o].person for o in self.orders(user)]

        return self._memo(user, "persons", compute)

    def decisions(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            if role == Role.OFFICER:
                return [
                    d
                    for d, (m, u, _p) in self.w.decisions.items()
                    if (m, u) == (muni, user.unit_id)
                ]
            if role == Role.FEE_OFFICER:
                return [d for d, (m, _u, _p) in self.w.decisions.items() if m == muni]
            return [self.w.orders[o].decision for o in self.orders(user)]

        return self._memo(user, "decisions", compute)

    def relatives(self, user) -> frozenset[int]:
        """The relatives of the clients the user may see (R1.1: their correction screens)."""
        return self._memo(
            user,
            "relatives",
            lambda: [r for r, p in self.w.relatives.items() if p in self.persons(user)],
        )

    def plans(self, user) -> frozenset[int]:
        """Plans of the user's orders; a connected provider's draft is its own work (R5)."""

        def compute():
            orders = self.orders(user)
            for pk, (order, status) in self.w.plans.items():
                if order not in orders:
                    continue
                provider = self.w.orders[order].provider
                if status == "draft" and self.w.connected[provider] and not _provider(user):
                    continue
                yield pk

        return self._memo(user, "plans", compute)

    def messages(self, user) -> frozenset[int]:
        """Messages between the client's unit and the order's provider (R10.3)."""

        def compute():
            if user.role_enum not in (Role.OFFICER, *PROVIDER_ROLES):
                return []
            orders, persons = self.orders(user), self.persons(user)
            return [
                pk
                for pk, (person, order) in self.w.messages.items()
                if (order in orders if order is not None else person in persons)
            ]

        return self._memo(user, "messages", compute)

    def due_items(self, user) -> frozenset[int]:
        def compute():
            role, muni = user.role_enum, user.municipality_id
            orders, decisions = self.orders(user), self.decisions(user)
            for pk, (m, _person, order, decision) in self.w.due_items.items():
                if m != muni:
                    continue
                if role == Role.AIDS_CENTRE:
                    if order in self.alarm_orders(user):
                        yield pk  # its watchlist: the installations of its alarm orders
                elif role in (Role.PLACEMENT_UNIT, Role.FEE_OFFICER):
                    yield pk  # a role's own watchlist: at most its municipality's
                elif (order is not None and order in orders) or (
                    order is None and role == Role.OFFICER and decision in decisions
                ):
                    yield pk

        return self._memo(user, "due_items", compute)

    def alarm_orders(self, user) -> frozenset[int]:
        """Orders whose safety alarm the user may see (R4.1): the aids centre those of its
        municipality whose alarm was ordered from it (alarms/scoping.py); everyone else the
        orders of their own scope (the alarm screens and API filter these further)."""
        if user.role_enum != Role.AIDS_CENTRE:
            return self.orders(user)
        return self._memo(
            user,
            "alarm_orders",
            lambda: [
                o for o in self.w.alarm_orders if self.w.orders[o].muni == user.municipality_id
            ],
        )

    def queue_entries(self, user) -> frozenset[int]:
        """The care-home queue (R8.1, R8.2, R8.3, SPEC "Actors"): the placement unit its
        municipality's entries, the officer those of the unit that decided (the client's
        unit); nobody else any."""

        def compute():
            role, muni = user.role_enum, user.municipality_id
            for pk, (m, unit, _person) in self.w.queue_entries.items():
                if m != muni:
                    continue
                if role == Role.PLACEMENT_UNIT or (role == Role.OFFICER and unit == user.unit_id):
                    yield pk

        return self._memo(user, "queue_entries", compute)

    def stay_intakes(self, user) -> frozenset[int]:
        """Temporary stays from another municipality (R8.4): the receiving municipality's
        placement unit only."""
        if user.role_enum != Role.PLACEMENT_UNIT:
            return frozenset()
        return self._memo(
            user,
            "stay_intakes",
            lambda: [i for i, m in self.w.stay_intakes.items() if m == user.municipality_id],
        )

    def voucher_orders(self, user) -> frozenset[int]:
        """Orders of cleaning on voucher (R4.2) the user may see: as any order (the officer
        of the unit, the fee officer, the provider once it was sent)."""
        return self._memo(
            user,
            "voucher_orders",
            lambda: [
                o
                for o in self.orders(user)
                if self.w.orders[o].decision in self.w.voucher_decisions
            ],
        )

    def vouchers(self, user) -> frozenset[int]:
        """Vouchers of the orders the user may see (the letter itself is the officer's)."""
        return self._memo(
            user,
            "vouchers",
            lambda: [v for v, o in self.w.vouchers.items() if o in self.orders(user)],
        )

    def voucher_reports(self, user) -> frozenset[int]:
        """Report-form reports of the orders the user may see (R4.2)."""
        return self._memo(
            user,
            "voucher_reports",
            lambda: [r for r, o in self.w.voucher_reports.items() if o in self.orders(user)],
        )

    # -- switches, contact moves, meal orders (R2.6, R4.1, R3.6) --

    def switches(self, user) -> frozenset[int]:
        """Provider switches (R2.6): those of the orders the user sees (the old order), and a
        provider's the ones it takes over (orders/switch_selectors.py's docstring)."""

        def compute():
            orders, role = self.orders(user), user.role_enum
            for pk, (muni, old, new_provider) in self.w.switches.items():
                if old in orders or (
                    role in PROVIDER_ROLES
                    and muni == user.municipality_id
                    and new_provider == user.provider_id
                ):
                    yield pk

        return self._memo(user, "switches", compute)

    def contact_moves(self, user) -> frozenset[int]:
        """Moves of an alarm's contact after a switch (R2.6): those of the alarm orders the user
        may see (the aids centre's, or the new provider's order for everyone else)."""
        return self._memo(
            user,
            "contact_moves",
            lambda: [m for m, o in self.w.contact_moves.items() if o in self.alarm_orders(user)],
        )

    def meal_orders(self, user) -> frozenset[int]:
        """Orders with meal delivery (R3.6) of the user's orders."""
        return self._memo(
            user, "meal_orders", lambda: [o for o in self.orders(user) if o in self.w.meal_orders]
        )

    # -- the month's models (R9.2, R9.3, R9.4, R9.5) --

    def fee_notices(self, user) -> frozenset[int]:
        """Fee notices (R9.3): through their order, like the order itself (the fee officer the
        municipality's, the officer the unit's, a provider those of the orders it holds)."""
        return self._memo(
            user,
            "fee_notices",
            lambda: [n for n, o in self.w.fee_notices.items() if o in self.orders(user)],
        )

    def webhooks(self, user) -> frozenset[int]:
        """The webhooks of a provider's own systems (issue 20): its unit manager's only."""
        mine = user.role_enum == Role.PROVIDER_MANAGER
        return frozenset(w for w, p in self.w.webhooks.items() if mine and p == user.provider_id)

    def performed_time(self, user) -> frozenset[int]:
        """Performed time (R9.2): through its order."""
        return self._memo(
            user,
            "performed_time",
            lambda: [t for t, o in self.w.performed_time.items() if o in self.orders(user)],
        )

    def iub_requests(self, user) -> frozenset[int]:
        """Requests for a service without needs assessment (R1.3): the officers of the
        client's current unit (after a transfer the new unit's, R1.4), nobody else
        (decisions/iub_selectors.py)."""
        mine = (user.municipality_id, user.unit_id) if user.role_enum == Role.OFFICER else None
        return frozenset(
            pk for pk, (_m, _u, p) in self.w.iub_requests.items() if self.w.persons[p] == mine
        )

    def ivo_reports(self, user) -> frozenset[int]:
        """The IVO reports (R9.5): the municipality's, for its LOV administrator (the reporter)
        and its officers (who read their unit's cases in it)."""
        if user.role_enum not in (Role.LOV_ADMIN, Role.OFFICER):
            return frozenset()
        return self._memo(
            user,
            "ivo_reports",
            lambda: [r for r, m in self.w.ivo_reports.items() if m == user.municipality_id],
        )

    def ivo_cases(self, user) -> frozenset[int]:
        """The IVO report's cases: every case of the municipality for the LOV administrator
        (named by IVO number, never by name), those of the officer's unit for an officer."""

        def compute():
            role, muni = user.role_enum, user.municipality_id
            for pk, (m, unit, _decision) in self.w.ivo_cases.items():
                if m == muni and (
                    role == Role.LOV_ADMIN or (role == Role.OFFICER and unit == user.unit_id)
                ):
                    yield pk

        return self._memo(user, "ivo_cases", compute)

    # -- the month's registers: the payment basis (R9.4) and the national statistics (R9.6) --

    # Who opens each register, and who reads every client of the municipality in it (README
    # "Ersättning", "Individstatistik"): the payment basis, open or closed, names them to the
    # LOV administrator and the fee officer, and a provider's unit manager reads its own
    # provider's lines (the clients of its own orders); the national statistics give their
    # personnummer (and initials, never the name) to the LOV administrator alone.
    REGISTER_READERS = {
        "basis": frozenset({Role.LOV_ADMIN, Role.FEE_OFFICER, Role.PROVIDER_MANAGER}),
        "statistics": frozenset({Role.LOV_ADMIN}),
    }
    REGISTER_MUNICIPALITY = {
        "basis": frozenset({Role.LOV_ADMIN, Role.FEE_OFFICER}),
        "statistics": frozenset({Role.LOV_ADMIN}),
    }

    def reads_register(self, user, register: str) -> bool:
        """Whether the user may open the register at all (any other role: 403)."""
        return user.role_enum in self.REGISTER_READERS[register]

    def receipts(self, user) -> frozenset[int]:
        def compute():
            if not _provider(user):
                return []
            orders = self.orders(user)
            return [pk for pk, order in self.w.receipts.items() if order in orders]

        return self._memo(user, "receipts", compute)

    def journal(self, user) -> frozenset[int]:
        def compute():
            if not _provider(user):
                return []
            orders = self.orders(user)
            return [pk for pk, order in self.w.journal.items() if order in orders]

        return self._memo(user, "journal", compute)

    def providers(self, user) -> frozenset[int]:
        return self._memo(
            user,
            "providers",
            lambda: [p for p, m in self.w.providers.items() if m == user.municipality_id],
        )

    def units(self, user) -> frozenset[int]:
        return self._memo(
            user, "units", lambda: [u for u, m in self.w.units.items() if m == user.municipality_id]
        )

    # References inside a response: the roles whose watchlist is municipality-wide may see the
    # client, order and decision a due item names; the aids centre those of its alarm orders;
    # everyone else only their own.
    def _alarm_refs(self, user, kind: str) -> frozenset[int]:
        return self._memo(
            user,
            f"alarm_{kind}",
            lambda: [getattr(self.w.orders[o], kind) for o in self.alarm_orders(user)],
        )

    def ref_persons(self, user) -> frozenset[int]:
        if user.role_enum == Role.AIDS_CENTRE:
            return self._alarm_refs(user, "person")
        if user.role_enum == Role.PLACEMENT_UNIT:
            return self._memo(
                user,
                "ref_persons",
                lambda: [p for p, (m, _u) in self.w.persons.items() if m == user.municipality_id],
            )
        return self.persons(user)

    def ref_orders(self, user) -> frozenset[int]:
        if user.role_enum == Role.AIDS_CENTRE:
            return self.alarm_orders(user)
        if user.role_enum == Role.PLACEMENT_UNIT:
            return self._memo(
                user,
                "ref_orders",
                lambda: [o for o, r in self.w.orders.items() if r.muni == user.municipality_id],
            )
        return self.orders(user)

    def ref_decisions(self, user) -> frozenset[int]:
        if user.role_enum == Role.AIDS_CENTRE:
            return self._alarm_refs(user, "decision")
        if user.role_enum == Role.LOV_ADMIN:
            # The IVO report names each case's decision by its id (R9.5), nothing of it.
            return self._memo(
                user,
                "ref_decisions",
                lambda: [self.w.ivo_cases[c][2] for c in self.ivo_cases(user)],
            )
        if user.role_enum == Role.PLACEMENT_UNIT:
            return self._memo(
                user,
                "ref_decisions",
                lambda: [d for d, r in self.w.decisions.items() if r[0] == user.municipality_id],
            )
        return self.decisions(user)

    def forbidden(self, user, context: str = DETAIL, *, register: str = "") -> dict[str, str]:
        """Every canary the user must not find in a body read in `context` (DETAIL, LISTING or
        DOCUMENT), mapped to what it is: the canaries of every client, decision, order, plan,
        message, queue entry, temporary stay and IVO case outside the user's set; every
        personnummer form of a client or stay outside it (unless a visible one shares it); and
        a protected client's address, phone, whereabouts and relatives (and where it is now, in
        the queue) unless the user is named staff and reads a detail (R10.5). A canary planted
        in two places (an order's instructions, copied to the order a switch made) is allowed
        where either of them is. `register`: "basis", the payment basis and its files (open or
        closed), which name every client of the municipality (name and personnummer, nothing
        else) to its LOV administrator and fee officer (R9.4); "statistics", the national
        statistics and its files, which give every client's personnummer (and initials, never
        the name) to its LOV administrator (R9.6)."""
        key = (user.pk, f"forbidden-{context}-{register}")
        if key in self._cache:
            return self._cache[key]
        role = user.role_enum
        persons, orders = self.ref_persons(user), self.ref_orders(user)
        decisions, messages = self.ref_decisions(user), self.messages(user)
        named = persons  # whose name and personnummer the user may read
        municipality = {p for p, (m, _u) in self.w.persons.items() if m == user.municipality_id}
        if role == Role.LOG_REVIEWER or (
            register == "basis" and role in self.REGISTER_MUNICIPALITY["basis"]
        ):  # the municipality's access log (and payment basis) names them
            named = municipality
        numbered = named  # whose personnummer the user may read
        if register == "statistics" and role in self.REGISTER_MUNICIPALITY["statistics"]:
            numbered = municipality
        if role == Role.PLACEMENT_UNIT:
            # Its watchlist and queue name the municipality's clients (name, personnummer), but
            # it reads no client's address or journal, no decision's or order's text (R8.1).
            persons, orders, decisions = self.persons(user), self.orders(user), self.decisions(user)
        if role == Role.LOV_ADMIN:
            decisions = self.decisions(user)  # the IVO cases' decisions by id, never their text
        entries, intakes = self.queue_entries(user), self.stay_intakes(user)
        cases = self.ivo_cases(user)
        # The case journal (the officer's and fee officer's, of the clients they see) repeats
        # what the officer wrote when putting the client in the queue.
        journal = self.persons(user) if role in (Role.OFFICER, Role.FEE_OFFICER) else ()
        plan_of = {order: pk for pk, (order, _status) in self.w.plans.items()}
        plans = self.plans(user)
        found: dict[str, str] = {}
        allowed: set[str] = set()
        for rec in self.w.canaries:
            if rec.stay_intake is not None:
                outside = rec.stay_intake not in intakes
            elif rec.ivo_case is not None:
                outside = rec.ivo_case not in cases
            elif rec.queue_entry is not None:
                outside = rec.queue_entry not in entries and rec.person not in journal
            elif rec.message is not None:
                outside = rec.message not in messages
            elif rec.plan_order is not None:
                outside = plan_of.get(rec.plan_order) not in plans
            elif rec.order is not None:
                outside = rec.order not in orders
            elif rec.decision is not None:
                outside = rec.decision not in decisions
            elif rec.what in ("first name", "last name"):
                outside = rec.person not in named
            else:
                outside = rec.person not in persons
            protected = (
                rec.protected_field
                and rec.person in self.w.protected
                and (context != DETAIL or (rec.person, user.pk) not in self.w.grants)
            )
            if outside or protected:
                scope = "protected " if protected and not outside else ""
                owner = (
                    f"stay intake {rec.stay_intake}"
                    if rec.stay_intake is not None
                    else f"client {rec.person}"
                )
                found.setdefault(rec.token, f"{scope}{rec.what} of {owner}")
            else:
                allowed.add(rec.token)
        for token in allowed:
            found.pop(token, None)
        visible = {self.w.numbers[p] for p in numbered} | {
            self.w.intake_numbers[i] for i in intakes
        }
        for person, number in self.w.numbers.items():
            if person not in numbered and number not in visible:
                for form in canaries.number_forms(number):
                    found[form] = f"personnummer of client {person}"
        for intake, number in self.w.intake_numbers.items():
            if number not in visible:
                for form in canaries.number_forms(number):
                    found[form] = f"personnummer of stay intake {intake}"
        self._cache[key] = found
        return found

    def forbidden_numbers(self, user) -> list[bytes]:
        """Personnummer (12 digits, and 12 with the hyphen) that must never reach the user:
        those of every client and stay intake outside the user's set, unless a visible client
        or intake shares it."""
        key = (user.pk, "forbidden")
        if key not in self._cache:
            visible = {self.w.numbers[p] for p in self.ref_persons(user)} | {
                self.w.intake_numbers[i] for i in self.stay_intakes(user)
            }
            numbers = (set(self.w.numbers.values()) | set(self.w.intake_numbers.values())) - visible
            forms = set()
            for n in numbers:
                forms |= {n.encode(), f"{n[:8]}-{n[8:]}".encode()}
            self._cache[key] = frozenset(forms)
        return self._cache[key]


def _provider(user) -> bool:
    return user.role_enum in PROVIDER_ROLES
