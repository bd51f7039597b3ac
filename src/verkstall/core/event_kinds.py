"""The one vocabulary of order event kinds and of the clock events they drive (SPEC R3, R11).

Pure Python, no Django import, so the pure deadline rules (deadlines/rules.py) can use it as
well as the order model. Every other list is derived from the tables here:

- `orders.models.EventKind` (the stored codes and their history labels) from ORDER_EVENT_KINDS;
- the deadline engine's map from a stored code to its clock event (CLOCK_EVENT_OF_KIND);
- `deadlines.rules.EVENT_LABELS` (every event a rule may start or stop on) from the clock
  labels here plus the clock events that are not order events (OTHER_CLOCK_EVENTS).

The fixture of rule profiles may name only events in CLOCK_EVENT_LABELS (tested).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrderEventKind:
    """One kind of order event.

    `name` is the enum member name, `code` what is stored in OrderEvent.kind, `label` the
    order history's label; `clock_event` the event name the deadline rules use for it and
    `clock_label` that event's label on the watchlists ("" when no rule may use it).
    """

    name: str
    code: str
    label: str
    clock_event: str
    clock_label: str = ""


def _kind(name: str, label: str, clock_event: str = "", clock_label: str = "") -> OrderEventKind:
    code = name.lower()
    return OrderEventKind(name, code, label, clock_event or f"order.{code}", clock_label)


# Stored order (the order of the model's choices) is the order of this tuple.
ORDER_EVENT_KINDS: tuple[OrderEventKind, ...] = (
    _kind("CREATED", "Beställning skapad"),
    _kind("ORAL_ORDER", "Muntlig beställning (akut)", "", "Muntlig beställning gavs"),
    _kind("SENT", "Skickad", "", "Beställningen skickades"),
    # When the order reached the provider: at once for one sent in the system or by e-mail, the
    # registered arrival date for post and fax (SPEC R11.4 "clocks from receipt").
    _kind("RECEIVED", "Mottagen av utföraren", "", "Beställningen kom fram till utföraren"),
    _kind("ACKNOWLEDGED", "Kvitterad", "", "Beställningen kvitterades"),
    _kind("STARTED", "Verkställd", "", "Insatsen verkställdes"),
    _kind("ENDED", "Avslutad", "", "Insatsen avslutades"),
    _kind("CANCELLED", "Makulerad", "", "Beställningen makulerades"),
    _kind(
        "SWITCH_REQUESTED",
        "Byte av utförare begärt",
        "switch.requested",
        "Byte av utförare begärdes",
    ),
    _kind(
        "SWITCH_NEW_PROVIDER_INFORMED",
        "Ny utförare informerad",
        "switch.new_provider_informed",
        "Ny utförare informerades om bytet",
    ),
    _kind(
        "SWITCH_PROVIDERS_AGREED",
        "Utförarna överens om datum",
        "switch.providers_agreed",
        "Utförarna kom överens om datum för bytet",
    ),
    _kind("SWITCH_COMPLETED", "Byte genomfört", "switch.completed", "Bytet genomfördes"),
    # After the start (SPEC R3.8, R3.9, R3.10, R5, R6, R7): recorded by the plans, follow-ups,
    # absence and hospital-notice services; each drives the profile's clocks.
    _kind(
        "PLAN_BEGUN",
        "Genomförandeplan påbörjad",
        "plan.begun",
        "Genomförandeplanen påbörjades",
    ),
    _kind("PLAN_SENT", "Genomförandeplan skickad", "plan.sent", "Genomförandeplanen skickades"),
    _kind(
        "PLAN_CONFIRMED",
        "Genomförandeplan bekräftad av handläggaren",
        "plan.confirmed",
        "Handläggaren bekräftade genomförandeplanen",
    ),
    _kind(
        "PLAN_REVIEWED",
        "Genomförandeplan uppföljd",
        "plan.reviewed",
        "Genomförandeplanen följdes upp",
    ),
    _kind(
        "JOURNAL_SUMMARY",
        "Sammanfattning i verksamhetsjournalen",
        "journal.summary",
        "Sammanfattning i verksamhetsjournalen",
    ),
    _kind(
        "FOLLOWUP_REQUESTED",
        "Läget efterfrågat inför uppföljning",
        "followup.requested",
        "Handläggaren efterfrågade läget inför uppföljning",
    ),
    _kind(
        "FOLLOWUP_ANSWERED",
        "Utföraren svarade inför uppföljning",
        "followup.answered",
        "Utföraren svarade inför uppföljning",
    ),
    _kind("FOLLOWUP_DONE", "Uppföljning gjord", "followup.done", "Uppföljning gjordes"),
    _kind(
        "IUB_REQUEST_RENEWED",
        "Ny förfrågan om IUB",
        "iub.request_renewed",
        "Ny förfrågan om IUB",
    ),
    _kind("CHANGE_REPORTED", "Förändrat behov rapporterat"),
    _kind("ABSENCE_REGISTERED", "Frånvaro registrerad", "absence.began", "Frånvaro började"),
    # How many days make an absence long is the municipality's routine (its rule profile's
    # `long_absence_days`, R7.2 and R11.4): the labels name no number; the event's text does.
    _kind(
        "ABSENCE_LONG",
        "Lång frånvaro i följd",
        "absence.long",
        "Frånvaron blev längre än rutinens gräns för lång frånvaro",
    ),
    _kind(
        "ABSENCE_REPORTED",
        "Frånvaro rapporterad till handläggaren",
        "absence.reported_to_officer",
        "Frånvaron rapporterades till handläggaren",
    ),
    _kind(
        "HOSPITAL_NOTICE",
        "In- eller utskrivningsmeddelande",
        "hospital_notice.received",
        "In- eller utskrivningsmeddelande kom",
    ),
    _kind(
        "HOSPITAL_NOTICE_ACKNOWLEDGED",
        "Meddelandet kvitterat",
        "hospital_notice.acknowledged",
        "Meddelandet kvitterades",
    ),
    _kind(
        "ALARM_ORDERED",
        "Larm beställt från hjälpmedelscentralen",
        "alarm.ordered",
        "Larmet beställdes från hjälpmedelscentralen",
    ),
    _kind("ALARM_INSTALLED", "Larm installerat", "alarm.installed", "Larmet installerades"),
    # R3.6, seed 002: "Beställning av matdistribution görs snarast dock inom 3 vardagar".
    _kind(
        "MEAL_ORDERED",
        "Matdistribution beställd",
        "meal.ordered",
        "Matdistributionen beställdes",
    ),
    _kind("DOCUMENT_RECEIVED", "Handling inkommen"),
    # A registered start or end date corrected with a reason (SPEC R9.1, seed 002 "Utföraren
    # korrigerar datum snarast ... senast den 5:e i nästkommande månad"): the history keeps
    # both dates. No rule names them: the clocks move with the corrected date instead
    # (deadlines/facts.py `corrected_rows`).
    _kind("START_CORRECTED", "Startdatum korrigerat"),
    _kind("END_CORRECTED", "Slutdatum korrigerat"),
    # Case work without gaps (issue 16). R3.7, seed 004 "Start av insats": a service not
    # started is documented, with why, and the officer sees it.
    _kind(
        "NOT_STARTED",
        "Ej påbörjad (orsak rapporterad)",
        "",
        "Utföraren rapporterade att insatsen inte påbörjats",
    ),
    # R3.4, seed 003: the provider is told that the order is for a new client.
    _kind(
        "NEW_CLIENT_NOTIFIED",
        "Utföraren informerad om ny brukare",
        "",
        "Utföraren informerades om att brukaren är ny",
    ),
    # R5.2, seed 002: the plan is shared with the person.
    _kind(
        "PLAN_SHARED",
        "Genomförandeplan delgiven den enskilde",
        "plan.shared",
        "Genomförandeplanen delgavs den enskilde",
    ),
    # R7.2, seed 003: support not received as ordered, reported to the officer.
    _kind(
        "SUPPORT_NOT_RECEIVED",
        "Stöd inte givet enligt beställningen",
        "",
        "Utföraren rapporterade att stödet inte gavs enligt beställningen",
    ),
    # Seed 002 "Utföraren fördelar": the provider routes the order to one of its own units.
    _kind("ROUTED_TO_UNIT", "Fördelad till enhet"),
    # R1.1: a draft order corrected with a reason before it was sent (who, what, why).
    _kind("DRAFT_CORRECTED", "Utkast rättat"),
    # R1.4: the client's case handed over to another myndighet unit (at 65, or a move).
    _kind("TRANSFERRED", "Överlämnad till annan enhet"),
    # R10.3: a message about the order between the officer and the provider (the event
    # carries the message's id and direction only; its text stays in the message).
    _kind("MESSAGE_SENT", "Meddelande skickat"),
)

#: Clock events that are not order events: the decision, the choice of provider, placement,
#: and a fee notice to the fee officer (R9.3; fees.services, each notice its own clock).
OTHER_CLOCK_EVENTS: dict[str, str] = {
    "decision.granted": "Insatsen beviljades",
    "choice.registered": "Val av utförare registrerades",
    "placement.discharge_ready": "Sjukhuset meddelade utskrivningsklar",
    "placement.place_accepted": "Erbjuden plats accepterades",
    "fee.change": "En förändring som påverkar avgiften meddelades avgiftshandläggaren",
    "fee.handled": "Avgiftshandläggaren hanterade meddelandet",
}

#: The kind that opens an order's history; it drives no clock (the decision does).
CREATED = "created"

#: Kinds that only note something on the order's history: no rule can name them (they have
#: no clock label), they correct no date, and the services that record them change nothing
#: on the order. Recording one moves no clock, so the order's clocks are not recomputed
#: (issue 19: a start's message to the officer cost a second recompute).
HISTORY_NOTES = frozenset({"message_sent", "document_received"})

KIND_BY_CODE: dict[str, OrderEventKind] = {k.code: k for k in ORDER_EVENT_KINDS}

#: Stored code -> the clock event the deadline rules name.
CLOCK_EVENT_OF_KIND: dict[str, str] = {k.code: k.clock_event for k in ORDER_EVENT_KINDS}

#: Every event a deadline rule may start or stop on, with its label on the watchlists.
CLOCK_EVENT_LABELS: dict[str, str] = {
    **OTHER_CLOCK_EVENTS,
    **{k.clock_event: k.clock_label for k in ORDER_EVENT_KINDS if k.clock_label},
}


def clock_event(kind: str) -> str:
    """The clock event of a stored order event code (an unknown code: "order.<code>")."""
    kind = str(getattr(kind, "value", kind))
    return CLOCK_EVENT_OF_KIND.get(kind, f"order.{kind}")
