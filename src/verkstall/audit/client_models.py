"""The one declaration of the models that hold client data (SPEC R10.4, R10.6).

Every model with a foreign key to a client (people.Person), directly or through an order, a
decision or a granted service, is declared here once: how it names its client, which of its
dates are entries about the client, and which of its rows belong to a client being removed.
The other lists are derived from this table:

- `audit.capture.CLIENT_MODELS` (what a request that loads a row reports to the access log);
- `audit.retention_selectors.LAST_ENTRY_SOURCES` (the client's last entry, R10.6);
- `audit.retention_services.REMOVAL_PLAN` (what retention deletes, children first).

tests/test_client_models.py walks every installed model and fails when one that reaches a
client is missing here.

A second, shorter table (UNLINKED_DATA) declares the models that hold personal data of someone
who is not (yet) a client: rows with no client to be removed with, which retention removes on
their own (R10.6, see `UnlinkedModel`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q


@dataclass(frozen=True)
class ClientIds:
    """One client's ids: the person, and the orders, decisions and granted services of it."""

    person: int
    orders: list[int]
    decisions: list[int]
    services: list[int]


#: How a loaded row is reported by the capture (audit/capture.py): its client directly
#: ("pk", "person_id"), its order or decision (resolved in one query per kind), or the row
#: itself ("row": resolved through `client` in one query per model).
DIRECT = {"id": "pk", "person_id": "person_id"}
THROUGH = {"order": "order_id", "decision": "decision_id"}


@dataclass(frozen=True)
class ClientModel:
    """A model holding client data.

    `label` "app.Model"; `client` the lookup from the model to the client's id;
    `dated` its date and date-time fields that are entries about the client (R10.6);
    `rows` which of its rows belong to a client (retention, R10.6); `noted` overrides what
    the capture notes when a cheaper field than the derived one names the client.
    """

    label: str
    client: str
    dated: tuple[str, ...]
    rows: Callable[[ClientIds], Q]
    noted: str = ""

    @property
    def model(self):
        return apps.get_model(self.label)

    @property
    def captured_as(self) -> str:
        """What the capture notes of a loaded row (see DIRECT, THROUGH)."""
        if self.noted:
            return self.noted
        if self.client in DIRECT:
            return DIRECT[self.client]
        head, _, rest = self.client.partition("__")
        if rest == "person_id" and head in THROUGH:
            return THROUGH[head]
        return "row"


# In the order retention deletes them: children before parents.
CLIENT_DATA: tuple[ClientModel, ...] = (
    ClientModel(
        "deadlines.Reminder",
        "due_item__person_id",
        ("sent_at",),
        lambda i: (
            Q(due_item__person_id=i.person)
            | Q(due_item__order_id__in=i.orders)
            | Q(due_item__decision_id__in=i.decisions)
        ),
    ),
    ClientModel(
        "deadlines.DueItem",
        "person_id",
        ("start_recorded_at", "met_at"),
        lambda i: Q(person_id=i.person) | Q(order_id__in=i.orders) | Q(decision_id__in=i.decisions),
    ),
    ClientModel(
        "fees.FeeNotice",
        "person_id",
        ("effective_from", "effective_to", "changed_at", "created_at", "handled_at"),
        lambda i: Q(person_id=i.person) | Q(order_id__in=i.orders),
    ),
    ClientModel(
        "journal.MessageReceipt",
        "message__person_id",
        ("read_at",),
        lambda i: Q(message__person_id=i.person) | Q(message__order_id__in=i.orders),
    ),
    ClientModel(
        "journal.Message",
        "person_id",
        ("sent_at",),
        lambda i: Q(person_id=i.person) | Q(order_id__in=i.orders),
    ),
    ClientModel(
        "journal.CaseDocument",
        "entry__person_id",
        (),
        lambda i: Q(entry__person_id=i.person) | Q(order_id__in=i.orders),
        noted="order_id",  # read with its journal entry, which reports the client itself
    ),
    ClientModel(
        "journal.CaseJournalEntry", "person_id", ("written_at",), lambda i: Q(person_id=i.person)
    ),
    ClientModel(
        "journal.ProviderJournalEntry",
        "person_id",
        ("written_at",),
        lambda i: Q(person_id=i.person) | Q(order_id__in=i.orders),
    ),
    ClientModel(
        "absences.NoticeReceipt",
        "notice__person_id",
        ("acknowledged_at",),
        lambda i: Q(notice__person_id=i.person) | Q(order_id__in=i.orders),
        noted="order_id",  # the receipt's order belongs to the notice's client
    ),
    ClientModel(
        "absences.HospitalNotice",
        "person_id",
        ("occurred_at", "received_at"),
        lambda i: Q(person_id=i.person),
    ),
    ClientModel(
        "absences.Absence",
        "order__person_id",
        ("from_date", "to_date", "registered_at", "long_flagged_at", "reported_at"),
        lambda i: Q(order_id__in=i.orders),
    ),
    # How the plan works toward each goal of the decision, and how the follow-up found each
    # met (seed 002): before the plans, follow-ups and goals they name.
    ClientModel(
        "plans.PlanGoal",
        "plan__order__person_id",
        (),
        lambda i: Q(plan__order_id__in=i.orders) | Q(goal__decision_id__in=i.decisions),
    ),
    ClientModel(
        "followups.GoalOutcome",
        "followup__order__person_id",
        (),
        lambda i: Q(followup__order_id__in=i.orders) | Q(goal__decision_id__in=i.decisions),
    ),
    ClientModel(
        "plans.ImplementationPlan",
        "order__person_id",
        ("created_at", "updated_at", "begun_at", "sent_at", "confirmed_at", "reviewed_at"),
        lambda i: Q(order_id__in=i.orders),
    ),
    ClientModel(
        "followups.FollowUp",
        "order__person_id",
        ("created_at", "updated_at", "requested_at", "answered_at", "done_at"),
        lambda i: Q(order_id__in=i.orders),
    ),
    # A case of the quarterly IVO report (R9.5): the reason for the delay is an entry.
    ClientModel(
        "ivo.IvoReportCase",
        "person_id",
        ("reason_at",),
        lambda i: Q(person_id=i.person) | Q(granted_service_id__in=i.services),
    ),
    ClientModel(
        "vouchers.VoucherReport",
        "order__person_id",
        ("occurred_on", "registered_at"),
        lambda i: Q(order_id__in=i.orders),
    ),
    ClientModel(
        "vouchers.Voucher",
        "order__person_id",
        ("issued_at",),
        lambda i: Q(order_id__in=i.orders),
    ),
    # Payments (R9.2, R9.4): performed time per day, and the lines a month close stored (as
    # paid, with the personnummer the finance system got; dated by the month paid for).
    ClientModel(
        "payments.PerformedTime",
        "order__person_id",
        ("day", "registered_at", "changed_at"),
        lambda i: Q(order_id__in=i.orders) | Q(granted_service_id__in=i.services),
    ),
    ClientModel(
        "payments.PaymentLine",
        "person_id",
        ("concerns",),
        lambda i: Q(person_id=i.person) | Q(order_id__in=i.orders),
    ),
    ClientModel(
        "placements.PlaceOffer",
        "entry__person_id",
        ("offered_at", "answered_at"),
        lambda i: Q(entry__person_id=i.person) | Q(entry__decision_id__in=i.decisions),
    ),
    ClientModel(
        "placements.QueueChoice",
        "entry__person_id",
        (),
        lambda i: Q(entry__person_id=i.person) | Q(entry__decision_id__in=i.decisions),
    ),
    ClientModel(
        "placements.StayIntake",
        "person_id",
        ("received_at", "handled_at"),
        lambda i: Q(person_id=i.person),
    ),
    ClientModel(
        "placements.QueueEntry",
        "person_id",
        ("queued_at", "discharge_ready_at", "accepted_at", "removed_at", "created_at"),
        lambda i: Q(person_id=i.person) | Q(decision_id__in=i.decisions),
    ),
    ClientModel(
        "people.OralBriefing",
        "person_id",
        ("told_at", "recorded_at"),
        lambda i: Q(person_id=i.person) | Q(order_id__in=i.orders),
    ),
    ClientModel(
        "orders.TemporaryChange",
        "order__person_id",
        ("created_at", "to_date"),
        lambda i: Q(order_id__in=i.orders),
    ),
    ClientModel(
        "orders.ProviderSwitch",
        "person_id",
        (
            "created_at",
            "requested_on",
            "old_provider_informed_at",
            "new_provider_informed_at",
            "providers_agreed_at",
            "agreed_date",
            "completed_at",
        ),
        lambda i: (
            Q(person_id=i.person) | Q(old_order_id__in=i.orders) | Q(new_order_id__in=i.orders)
        ),
    ),
    ClientModel(
        "alarms.AlarmContactMove",
        "order__person_id",
        ("from_date", "created_at", "confirmed_at"),
        lambda i: Q(order_id__in=i.orders),
    ),
    ClientModel(
        "orders.OrderEvent",
        "order__person_id",
        ("occurred_at", "recorded_at"),
        lambda i: Q(order_id__in=i.orders),
    ),
    # The transfer at an age between units (R1.4) and the orders it left running.
    ClientModel(
        "transfers.Transfer_orders",
        "transfer__person_id",
        (),
        lambda i: Q(transfer__person_id=i.person) | Q(order_id__in=i.orders),
    ),
    ClientModel(
        "transfers.Transfer",
        "person_id",
        ("turns_age_on", "transferred_at"),
        lambda i: Q(person_id=i.person),
    ),
    # The table between orders and their granted services (Order.services).
    ClientModel(
        "orders.Order_services",
        "order__person_id",
        (),
        lambda i: Q(order_id__in=i.orders) | Q(grantedservice_id__in=i.services),
    ),
    ClientModel(
        "orders.Order",
        "person_id",
        (
            "created_at",
            "updated_at",
            "written_on",
            "sent_at",
            "acknowledged_at",
            "start_date",
            "end_date",
        ),
        lambda i: Q(pk__in=i.orders),
    ),
    ClientModel(
        "providers.ProviderChoice",
        "person_id",
        ("registered_at", "form_received_on"),
        lambda i: Q(person_id=i.person) | Q(granted_service_id__in=i.services),
    ),
    ClientModel(
        "providers.RotationAssignment",
        "person_id",
        ("assigned_at",),
        lambda i: Q(person_id=i.person) | Q(granted_service_id__in=i.services),
    ),
    # A request for a service without needs assessment (R1.3), before the decision it led to.
    ClientModel(
        "decisions.IubRequest",
        "person_id",
        ("asked_on", "created_at"),
        lambda i: Q(person_id=i.person) | Q(decision_id__in=i.decisions),
    ),
    # A decision's goals and its corrections (seed 002, R1.1).
    ClientModel(
        "decisions.DecisionGoal",
        "decision__person_id",
        (),
        lambda i: Q(decision_id__in=i.decisions),
    ),
    ClientModel(
        "decisions.DecisionCorrection",
        "decision__person_id",
        ("corrected_at",),
        lambda i: Q(decision_id__in=i.decisions),
    ),
    ClientModel(
        "decisions.GrantedService",
        "decision__person_id",
        ("valid_from", "valid_to"),
        lambda i: Q(pk__in=i.services),
    ),
    ClientModel(
        "decisions.Decision",
        "person_id",
        ("decided_on", "created_at"),
        lambda i: Q(pk__in=i.decisions),
    ),
    # A draft of a long text field being typed about the client (issue 17 item 1), removed
    # with the client; its date counts as an entry, but the daily task purges it in 14 days.
    ClientModel("drafts.Draft", "person_id", ("updated_at",), lambda i: Q(person_id=i.person)),
    # The history of a client's data (R1.1); before the relatives it names.
    ClientModel(
        "people.PersonChange", "person_id", ("changed_at",), lambda i: Q(person_id=i.person)
    ),
    ClientModel("people.Relative", "person_id", (), lambda i: Q(person_id=i.person)),
    ClientModel(
        "people.ProtectedDataAccess",
        "person_id",
        ("granted_at", "revoked_at"),
        lambda i: Q(person_id=i.person),
    ),
    ClientModel(
        "people.ProtectionRequest",
        "person_id",
        ("requested_at", "decided_at"),
        lambda i: Q(person_id=i.person),
    ),
    ClientModel(
        "people.Person",
        "id",
        ("created_at", "updated_at", "protection_set_at"),
        lambda i: Q(pk=i.person),
    ),
)

BY_LABEL: dict[str, ClientModel] = {c.label: c for c in CLIENT_DATA}


@dataclass(frozen=True)
class UnlinkedModel:
    """A model whose rows hold personal data (a personnummer, a name, an address) of someone
    who is not, or not yet, a client, so that no client's removal takes them along (R10.6).

    `label` "app.Model"; `rows` the Q of its rows with no client (a row that has one is in
    CLIENT_DATA and goes with its client); `dated` the date and date-time fields the retention
    period is counted from (the latest of them that is set: the row's last entry);
    `municipality` the foreign key to the municipality that holds the row; `personal_number`
    the field with the personnummer or samordningsnummer (the research sample, R10.6).
    """

    label: str
    rows: Q
    dated: tuple[str, ...]
    municipality: str = "municipality"
    personal_number: str = "personal_number"

    @property
    def model(self):
        return apps.get_model(self.label)


UNLINKED_DATA: tuple[UnlinkedModel, ...] = (
    # A temporary stay posted by another municipality's e-service (R8.4) holds a personnummer,
    # a name, an address, a contact person and the help asked for. Registered, it has a client
    # and goes with it (CLIENT_DATA above). Declined, or left pending and never handled, it
    # has none. Decision: every intake without a client is counted from its last entry, the
    # later of `received_at` and `handled_at`: a declined intake from the day it was declined,
    # a pending one from the day it was received (still a received document, but once a whole
    # retention period has passed unhandled it is surely dead).
    UnlinkedModel(
        "placements.StayIntake",
        Q(person__isnull=True),
        ("received_at", "handled_at"),
    ),
)

UNLINKED_BY_LABEL: dict[str, UnlinkedModel] = {u.label: u for u in UNLINKED_DATA}
