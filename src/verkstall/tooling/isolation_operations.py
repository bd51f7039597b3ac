"""The isolation proof's API operations: list, read, search and transition requests across
organisations, and the check that a refused write changed no row (mixed into
tooling/isolation_checker.Checker)."""

from __future__ import annotations

from django.db.models import Count, Max

from verkstall.access.roles import Role
from verkstall.tooling.isolation_stats import LISTING
from verkstall.tooling.isolation_world import OrderRec

READ_KINDS = {
    "persons": "persons",
    "decisions": "decisions",
    "orders": "orders",
    "plans": "plans",
    "messages": "messages",
    "due-items": "due_items",
    "notice-receipts": "receipts",
    "providers": "providers",
    # The queue, temporary stays and vouchers (issue 14; tooling/isolation_placements.py).
    "queue-entries": "queue_entries",
    "stay-intakes": "stay_intakes",
    "vouchers": "vouchers",
    "voucher-reports": "voucher_reports",
    # The alarm's contact moves (R2.6) and the month's models (issue 15; isolation_months.py).
    "alarm-contact-moves": "contact_moves",
    "fee-notices": "fee_notices",
    "performed-time": "performed_time",
    "ivo-reports": "ivo_reports",
    "iub-requests": "iub_requests",  # R1.3 (tooling/isolation_iub_transfer.py)
}
# Reads that must answer 200 for a declared role whose set holds the id (so the oracle is not
# vacuous); the others are only checked for not crossing.
STRICT_READS = {
    "persons": "verkstall.people.api.PersonViewSet",
    "decisions": "verkstall.decisions.api.DecisionViewSet",
    "orders": "verkstall.orders.api.OrderViewSet",
    "queue-entries": "verkstall.placements.api.QueueEntryViewSet",
    "stay-intakes": "verkstall.placements.stay_api.StayIntakeViewSet",
    "vouchers": "verkstall.vouchers.api.VoucherViewSet",
    "voucher-reports": "verkstall.vouchers.api.VoucherReportViewSet",
    "alarm-contact-moves": "verkstall.alarms.api.ContactMoveViewSet",
    "fee-notices": "verkstall.fees.api.FeeNoticeViewSet",
    "performed-time": "verkstall.payments.api.PerformedTimeViewSet",
    "ivo-reports": "verkstall.ivo.api.IvoReportViewSet",
    "iub-requests": "verkstall.decisions.iub_api.IubRequestViewSet",
}
ORDER_ACTIONS = {
    "send": lambda today: {},
    "acknowledge": lambda today: {"channel": "phone"},
    "start": lambda today: {"start_date": today, "channel": "phone"},
    "end": lambda today: {"end_date": today, "end_reason": "other", "channel": "phone"},
    "cancel": lambda today: {"reason": "Provning"},
}
#: The plan shared with the person (R5.2), as a provider registers it (with the day).
SHARED_PLAN = {"shared": True, "method": "in_person", "channel": "phone"}


def _fingerprint() -> tuple:
    """Every row an API write can touch, summarised: a refused write must leave it as it was."""
    from verkstall.absences.models import NoticeReceipt
    from verkstall.alarms.models import AlarmContactMove
    from verkstall.decisions.models import Decision, DecisionCorrection
    from verkstall.fees.models import FeeNotice
    from verkstall.ivo.models import IvoReportCase
    from verkstall.journal.models import Message, MessageReceipt, ProviderJournalEntry
    from verkstall.orders.models import Order, OrderEvent
    from verkstall.payments.models import PerformedTime
    from verkstall.people.models import OralBriefing, Person, PersonChange, ProtectedDataAccess
    from verkstall.placements.models import PlaceOffer, QueueEntry, StayIntake
    from verkstall.plans.models import ImplementationPlan
    from verkstall.vouchers.models import Voucher, VoucherReport

    return (
        tuple(QueueEntry.objects.values_list("state").annotate(n=Count("pk")).order_by("state")),
        PlaceOffer.objects.exclude(outcome="").count(),
        tuple(StayIntake.objects.values_list("state").annotate(n=Count("pk")).order_by("state")),
        Voucher.objects.count(),
        VoucherReport.objects.count(),
        OrderEvent.objects.count(),
        tuple(Order.objects.values_list("state").annotate(n=Count("pk")).order_by("state")),
        Decision.objects.count(),
        DecisionCorrection.objects.count(),
        tuple(Person.objects.aggregate(n=Count("pk"), t=Max("updated_at")).values()),
        Message.objects.count(),
        MessageReceipt.objects.count(),
        ProviderJournalEntry.objects.count(),
        tuple(
            ImplementationPlan.objects.values_list("status")
            .annotate(n=Count("pk"))
            .order_by("status")
        ),
        NoticeReceipt.objects.filter(acknowledged_at__isnull=False).count(),
        OralBriefing.objects.count(),
        ProtectedDataAccess.objects.count(),
        PersonChange.objects.count(),
        AlarmContactMove.objects.filter(confirmed_at__isnull=False).count(),
        FeeNotice.objects.count(),
        FeeNotice.objects.filter(handled_at__isnull=False).count(),
        PerformedTime.objects.count(),
        tuple(IvoReportCase.objects.order_by("pk").values_list("pk", "reason")),
    )


class ApiOperations:
    """The checker's operations on the API (mixed into isolation_checker.Checker)."""

    def op_list(self, user) -> None:
        any_person = self._pick(self.w.persons, self.oracle.persons(user))
        any_order = self._pick(self.w.orders, self.oracle.orders(user))
        choices = [
            ("persons", "/api/persons/", {}),
            ("decisions", "/api/decisions/", {}),
            ("decisions", "/api/decisions/", {"person": any_person}),
            ("orders", "/api/orders/", {}),
            ("orders", "/api/orders/", {"state": self.rng.choice(["sent", "started", "draft"])}),
            ("plans", "/api/plans/", {}),
            ("plans", "/api/plans/", {"order": any_order}),
            ("messages", "/api/messages/", {}),
            ("messages", "/api/messages/", {"box": "out"}),
            ("due-items", "/api/due-items/", {}),
            (
                "due-items",
                "/api/due-items/",
                {"scope": self.rng.choice(["mine", "unit", "provider", "provider_unit", "role"])},
            ),
            ("due-items", "/api/due-items/", {"person": any_person}),
            ("notice-receipts", "/api/notice-receipts/", {}),
            ("providers", "/api/providers/", {}),
            ("journal", "/api/provider-journal/", {"order": any_order}),
            ("contracts", "/api/providers/contracts/", {}),
            ("alarm_orders", "/api/alarm-orders/", {}),  # R4.1: oracle.alarm_orders
            ("alarm_orders", "/api/alarm-orders/", {"awaiting": "installation"}),
            ("queue-entries", "/api/queue-entries/", {}),  # R8.1, R8.2, R8.3
            ("queue-entries", "/api/queue-entries/", {"urgent": "true"}),
            ("stay-intakes", "/api/stay-intakes/", {}),  # R8.4
            ("vouchers", "/api/vouchers/", {"order": any_order}),  # R4.2
            ("voucher-reports", "/api/voucher-reports/", {}),
            ("alarm-contact-moves", "/api/alarm-contact-moves/", {}),  # R2.6
            ("alarm-contact-moves", "/api/alarm-contact-moves/", {"open": "true"}),
            ("fee-notices", "/api/fee-notices/", {}),  # R9.3
            ("fee-notices", "/api/fee-notices/", {"order": any_order}),
            ("fee-notices", "/api/fee-notices/", {"handled": "false"}),
            ("performed-time", "/api/performed-time/", {}),  # R9.2
            ("performed-time", "/api/performed-time/", {"order": any_order}),
            ("ivo-reports", "/api/ivo-reports/", {}),  # R9.5
            ("iub-requests", "/api/iub-requests/", {}),  # R1.3
            ("iub-requests", "/api/iub-requests/", {"person": any_person, "open": "true"}),
            ("events", "/api/events/", {}),  # issue 20: the event feed
        ]
        kind, url, params = self.rng.choice(choices)
        params = {**params, "limit": 500 if kind == "events" else 1000}
        fmt = self._fmt()
        response = self._call(user, "get", url, params, endpoint=url, fmt=fmt, context=LISTING)
        if response is None or response.status_code != 200 or fmt:
            return
        what = f"GET {url}?{params}"
        if kind == "events":
            self._check_events(user, response, what)
        elif kind != "contracts":
            self._check_rows(user, response, kind, what)
        self._check_body(user, response, what)

    def op_read(self, user) -> None:
        kinds = [*READ_KINDS, "oral-briefings", "protected-access", "protection-requests"]
        kinds.append("changes")  # a client's change history (R1.1)
        kinds.append("corrections")  # a decision's corrections (R1.1)
        if user.role_enum == Role.OFFICER:
            kinds.append("nearest-units")
        kind = self.rng.choice(kinds)
        fmt = self._fmt()
        if kind == "nearest-units":
            self._nearest_units(user, fmt)
            return
        if kind == "oral-briefings":
            visible = self.oracle.orders(user)
            pk = self._pick(self.w.orders, visible)
            url, endpoint = f"/api/orders/{pk}/oral-briefings/", "/api/orders/{id}/oral-briefings/"
        elif kind == "corrections":
            visible = self.oracle.decisions(user)
            pk = self._pick(self.w.decisions, visible)
            url, endpoint = f"/api/decisions/{pk}/corrections/", "/api/decisions/{id}/corrections/"
        elif kind in ("protected-access", "protection-requests", "changes"):
            visible = self.oracle.persons(user)
            pk = self._pick(self.w.persons, visible)
            url = f"/api/persons/{pk}/{kind}/"
            endpoint = f"/api/persons/{{id}}/{kind}/"
        else:
            source = {
                "persons": self.w.persons,
                "decisions": self.w.decisions,
                "orders": self.w.orders,
                "plans": self.w.plans,
                "messages": self.w.messages,
                "due-items": self.w.due_items,
                "notice-receipts": self.w.receipts,
                "providers": self.w.providers,
                "queue-entries": self.w.queue_entries,
                "stay-intakes": self.w.stay_intakes,
                "vouchers": self.w.vouchers,
                "voucher-reports": self.w.voucher_reports,
                "alarm-contact-moves": self.w.contact_moves,
                "fee-notices": self.w.fee_notices,
                "performed-time": self.w.performed_time,
                "ivo-reports": self.w.ivo_reports,
                "iub-requests": self.w.iub_requests,
            }[kind]
            visible = getattr(self.oracle, READ_KINDS[kind])(user)
            pk = self._pick(source, visible)
            url, endpoint = f"/api/{kind}/{pk}/", f"/api/{kind}/{{id}}/"
        response = self._call(user, "get", url, endpoint=endpoint, fmt=fmt)
        if response is None:
            return
        what = f"GET {url}" + (f" ({fmt})" if fmt else "")
        if pk not in visible:
            if response.status_code in (403, 404):
                self.stats.outside_refused += 1
            else:
                self._crossing(user, f"{what}: {response.status_code} for an id outside the set")
            return
        if response.status_code == 200:
            if fmt:
                return
            if kind in READ_KINDS and response.json().get("id") != pk:
                self._crossing(user, f"{what}: answered another object")
            self._check_body(user, response, what)
        elif (
            kind in STRICT_READS
            and response.status_code != 403
            and self._declared(STRICT_READS[kind], "retrieve", user)
        ):
            self._crossing(user, f"{what}: {response.status_code} for its own {kind}")

    def op_search(self, user) -> None:
        pk = self._pick(self.w.persons, self.oracle.persons(user))
        number = self.w.numbers.get(pk, "191212121212")
        first, last = (f"Förnamn{pk}", f"Efternamn{pk}")
        from verkstall.people.models import Person

        row = Person.objects.filter(pk=pk).values("first_name", "last_name").first()
        if row:
            first, last = row["first_name"], row["last_name"]
        forms = [
            ("12", number),
            ("12-", f"{number[:8]}-{number[8:]}"),
            ("10", number[2:]),
            ("10-", f"{number[2:8]}-{number[8:]}"),
            ("birth", number[:8]),
            ("last4", number[-4:]),
            ("part", number[4:10]),
            ("last", last),
            ("first", first),
            ("full", f"{first} {last}"),
            ("partname", last[:6]),
        ]
        form, q = self.rng.choice(forms)
        # The search goes in a header: a personnummer never travels in the address (issue 11).
        response = self._call(
            user,
            "get",
            "/api/persons/",
            {"limit": 1000},
            endpoint="/api/persons/ X-Search-Query",
            headers={"X-Search-Query": q},
            context=LISTING,
        )
        if response is None or response.status_code != 200:
            return
        what = f"GET /api/persons/ X-Search-Query=<{form} of person {pk}>"
        self._check_rows(user, response, "persons", what)
        self._check_body(user, response, what)
        if form in ("12", "12-") and pk in self.oracle.persons(user):
            found = {row["id"] for row in self._rows(response.json())}
            if pk not in found:
                self._crossing(user, f"{what}: its own client not found (search is vacuous)")

    def op_transition(self, user) -> None:
        if self.rng.random() < 0.3:
            self._alarm_or_month_write(user)
            return
        choice = self.rng.random()
        if choice < 0.5:
            pk = self._pick(self.w.orders, self.oracle.orders(user))
            action = self.rng.choice(list(ORDER_ACTIONS))
            body = ORDER_ACTIONS[action](self.today)
            order = self.w.orders.get(pk)
            if order is None or self.w.connected[order.provider]:
                body.pop("channel", None)
            self._write(
                user,
                f"/api/orders/{pk}/{action}/",
                body,
                visible=pk in self.oracle.orders(user),
                endpoint=f"/api/orders/{{id}}/{action}/",
                on_success=lambda response: self._after_order_action(pk, action),
            )
        elif choice < 0.6:
            pk = self._pick(self.w.persons, self.oracle.persons(user))
            self._write(
                user,
                f"/api/persons/{pk}/",
                {"phone": f"070-{self.rng.randint(100000, 999999)}", "reason": "Nytt nummer"},
                method="patch",
                visible=pk in self.oracle.persons(user),
                endpoint="/api/persons/{id}/",
            )
        elif choice < 0.67:
            pk = self._pick(self.w.plans, self.oracle.plans(user))
            # Confirm the plan, or (R5.2) register it shared; by the id, so that the random
            # stream of the other operations stays as it was.
            step, body = ("share", SHARED_PLAN) if pk and pk % 2 else ("confirm", {})
            self._write(
                user,
                f"/api/plans/{pk}/{step}/",
                dict(body, shared_on=self.today) if body else {},
                visible=pk in self.oracle.plans(user),
                endpoint=f"/api/plans/{{id}}/{step}/",
            )
        elif choice < 0.74:
            pk = self._pick(self.w.messages, self.oracle.messages(user))
            self._write(
                user,
                f"/api/messages/{pk}/read/",
                {},
                visible=pk in self.oracle.messages(user),
                endpoint="/api/messages/{id}/read/",
            )
        elif choice < 0.8:
            pk = self._pick(self.w.receipts, self.oracle.receipts(user))
            self._write(
                user,
                f"/api/notice-receipts/{pk}/acknowledge/",
                {"channel": "phone"},
                visible=pk in self.oracle.receipts(user),
                endpoint="/api/notice-receipts/{id}/acknowledge/",
            )
        elif choice < 0.87:
            pk = self._pick(self.w.orders, self.oracle.orders(user))
            self._write(
                user,
                "/api/messages/",
                {"order": pk, "subject": "Fråga", "body": "Hur går det?"},
                visible=pk in self.oracle.orders(user),
                endpoint="/api/messages/",
                body_ref=True,
            )
        elif choice < 0.93:
            pk = self._pick(self.w.orders, self.oracle.orders(user))
            self._write(
                user,
                "/api/provider-journal/",
                {"order": pk, "text": "Besök gjort."},
                visible=pk in self.oracle.orders(user),
                endpoint="/api/provider-journal/",
                body_ref=True,
            )
        elif choice < 0.96:  # a decision corrected (R1.1)
            pk = self._pick(self.w.decisions, self.oracle.decisions(user))
            self._write(
                user,
                f"/api/decisions/{pk}/correct/",
                {"reason": "Skrivfel", "goals": [f"Mål {self.rng.randint(1, 999)}"]},
                visible=pk in self.oracle.decisions(user),
                endpoint="/api/decisions/{id}/correct/",
            )
        else:
            pk = self._pick(self.w.decisions, self.oracle.decisions(user))
            provider = self._pick(self.w.providers, self.oracle.providers(user))
            self._write(
                user,
                "/api/orders/",
                {"decision": pk, "provider": provider},
                visible=pk in self.oracle.decisions(user),
                endpoint="/api/orders/",
                body_ref=True,
                on_success=lambda response: self._after_order_create(user, response, provider),
            )

    def _alarm_or_month_write(self, user) -> None:
        """A write on a meal order or contact move (R3.6, R2.6), a fee notice (R9.3) or an IVO
        case (R9.5), inside or outside the user's set."""
        o = self.oracle
        choice = self.rng.random()
        if choice < 0.25:
            pk = self._pick(self.w.orders, o.meal_orders(user))
            self._write(
                user,
                f"/api/meal-orders/{pk}/ordered/",
                self._on_behalf(pk, {}),
                visible=pk in o.meal_orders(user),
                endpoint="/api/meal-orders/{id}/ordered/",
            )
        elif choice < 0.45:
            pk = self._pick(self.w.contact_moves, o.contact_moves(user))
            self._write(
                user,
                f"/api/alarm-contact-moves/{pk}/confirm/",
                {},
                visible=pk in o.contact_moves(user),
                endpoint="/api/alarm-contact-moves/{id}/confirm/",
            )
        elif choice < 0.7:
            pk = self._pick(self.w.orders, o.orders(user))
            body = {"order": pk, "text": "Avbokade besök.", "effective_from": self.today}
            self._write(
                user,
                "/api/fee-notices/",
                self._on_behalf(pk, body),
                visible=pk in o.orders(user),
                endpoint="/api/fee-notices/",
                body_ref=True,
            )
        elif choice < 0.85:
            pk = self._pick(self.w.fee_notices, o.fee_notices(user))
            self._write(
                user,
                f"/api/fee-notices/{pk}/handle/",
                {"note": "Avgiften justerad."},
                visible=pk in o.fee_notices(user),
                endpoint="/api/fee-notices/{id}/handle/",
            )
        else:
            pk = self._pick(self.w.ivo_reports, o.ivo_reports(user))
            case = self._pick(self.w.ivo_cases, o.ivo_cases(user))
            self._write(
                user,
                f"/api/ivo-reports/{pk}/reason/",
                {"case": case, "reason": "Ingen ledig plats."},
                visible=pk in o.ivo_reports(user) and case in o.ivo_cases(user),
                endpoint="/api/ivo-reports/{id}/reason/",
                body_ref=True,
            )

    def _on_behalf(self, order_pk: int, body: dict) -> dict:
        """How the report came in, for an order of a provider not connected (R3.3)."""
        order = self.w.orders.get(order_pk)
        if order is not None and not self.w.connected[order.provider]:
            return {**body, "channel": "phone"}
        return body

    def _write(
        self, user, url, body, *, visible, endpoint, method="post", body_ref=False, on_success=None
    ):
        before = _fingerprint()
        response = self._call(user, method, url, body, endpoint=endpoint)
        if response is None:
            return
        what = f"{method.upper()} {url}"
        if not visible:
            refused = (400, 403, 404) if body_ref else (403, 404)
            if response.status_code in refused:
                self.stats.outside_refused += 1
            else:
                self._crossing(user, f"{what}: {response.status_code} for an id outside the set")
            if _fingerprint() != before:
                self._crossing(user, f"{what}: a refused write changed rows")
            return
        if response.status_code in (200, 201):
            self.stats.writes_done += 1
            self._check_body(user, response, what)
            if on_success is not None:
                on_success(response)
            self.w.refresh_derived()
            self.oracle.clear()
        elif _fingerprint() != before:
            self._crossing(user, f"{what}: {response.status_code} but rows changed")

    def _after_order_action(self, pk: int, action: str) -> None:
        if action == "send":
            self.w.orders[pk].sent = True

    def _after_order_create(self, user, response, provider: int) -> None:
        data = response.json()
        decision = self.w.decisions[data["decision"]]
        if self.w.providers.get(provider) != decision[0]:
            self._crossing(
                user, f"POST /api/orders/: order to provider {provider} of another municipality"
            )
        self.w.orders[data["id"]] = OrderRec(
            decision[0], decision[1], provider, decision[2], data["decision"], False
        )

    # -- canaries: numbers derived from protected data, and the screens --
