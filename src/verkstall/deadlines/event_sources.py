"""Which clock events the system records, and by what; and so which rules can never fire
(SPEC R11.1, R11.4; issue 13 §4).

A rule starts on one event and is met by others (`rules.EVENT_LABELS` names every event a rule
may use). Not every such event is recorded by some part of the system today: a rule whose
start event nobody records never starts; one whose stop events nobody records starts and can
never be met (until issue 14, every Gotland alarm order got an item nothing could meet:
"alarm.ordered" and "alarm.installed" had no screen, API or job that recorded them).

`RECORDED` says, in Swedish, who records each recorded event and names the modules whose code
writes it; `NOT_RECORDED` says why the others are not. Together they cover every event of
`EVENT_LABELS` exactly once, and a test scans the code (deadlines/tests/test_event_sources.py):
an order event counts as recorded where a service passes `kind=EventKind.<NAME>`, another clock
event where the engine builds `Event("name", ...)`; the table may claim neither more nor less.

`rule_reachability` answers for one rule (the admin's column "Kan starta / kan bli klar"),
`python -m verkstall check_profile SLUG` for a whole profile. Pure: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rules import EVENT_LABELS


@dataclass(frozen=True)
class EventSource:
    """Who records a clock event (`by`, Swedish) and the modules (under `verkstall`) whose
    code writes it."""

    by: str
    writers: tuple[str, ...]


RECORDED: dict[str, EventSource] = {
    "decision.granted": EventSource(
        "Handläggaren registrerar beslutet (räknas från beslutsdatum)", ("deadlines.engine",)
    ),
    "choice.registered": EventSource(
        "Handläggaren registrerar klientens val av utförare, eller utföraren tilldelas enligt "
        "turordning (bara beslutets frister)",
        ("deadlines.engine",),
    ),
    "order.oral_order": EventSource(
        "Handläggaren anger en akut muntlig beställning när beställningen skapas",
        ("orders.services",),
    ),
    "order.sent": EventSource("Handläggaren skickar beställningen", ("orders.services",)),
    "order.received": EventSource(
        "Skickas beställningen i systemet eller med e-post kommer den fram när den skickas; "
        "för post och fax registrerar handläggaren ankomstdagen",
        ("orders.receipt_services", "deadlines.facts"),
    ),
    "order.acknowledged": EventSource(
        "Utföraren kvitterar beställningen (handläggaren för en utförare som inte är ansluten)",
        ("orders.services",),
    ),
    "order.started": EventSource(
        "Utföraren registrerar startdatum (handläggaren för en utförare som inte är ansluten)",
        ("orders.services",),
    ),
    "order.ended": EventSource(
        "Utföraren eller handläggaren registrerar slutdatum (vid dödsfall: handläggaren på "
        "brukarens nuvarande enhet, för varje pågående beställning)",
        ("orders.services", "orders.death_services"),
    ),
    "order.cancelled": EventSource(
        "Handläggaren makulerar beställningen (vid dödsfall: varje beställning som inte påbörjats)",
        ("orders.services", "orders.death_services"),
    ),
    "switch.requested": EventSource(
        "Handläggaren registrerar klientens begäran om byte av utförare",
        ("orders.switch_services",),
    ),
    "switch.new_provider_informed": EventSource(
        "Handläggaren registrerar att den nya utföraren har informerats",
        ("orders.switch_services",),
    ),
    "switch.providers_agreed": EventSource(
        "Den nya utföraren (handläggaren för en utförare som inte är ansluten) registrerar "
        "datum för bytet",
        ("orders.switch_services",),
    ),
    "switch.completed": EventSource(
        "Handläggaren genomför bytet på det överenskomna datumet", ("orders.switch_services",)
    ),
    "plan.begun": EventSource("Utföraren påbörjar genomförandeplanen", ("plans.services",)),
    "plan.sent": EventSource(
        "Utföraren skickar genomförandeplanen till handläggaren", ("plans.services",)
    ),
    "plan.confirmed": EventSource("Handläggaren bekräftar genomförandeplanen", ("plans.services",)),
    "plan.reviewed": EventSource(
        "Utföraren registrerar att genomförandeplanen har följts upp", ("plans.services",)
    ),
    "plan.shared": EventSource(
        "Utföraren registrerar att genomförandeplanen delgivits den enskilde, hur och när, "
        "eller varför inte (handläggaren för en utförare som inte är ansluten)",
        ("plans.sharing_services",),
    ),
    "order.not_started": EventSource(
        "Utföraren rapporterar att insatsen inte påbörjats, och varför (handläggaren för en "
        "utförare som inte är ansluten)",
        ("orders.casework_services",),
    ),
    "order.new_client_notified": EventSource(
        "Handläggaren registrerar att utföraren informerats om att brukaren är ny",
        ("orders.casework_services",),
    ),
    "order.support_not_received": EventSource(
        "Utföraren rapporterar att stödet inte gavs enligt beställningen (handläggaren för en "
        "utförare som inte är ansluten)",
        ("orders.casework_services",),
    ),
    "journal.summary": EventSource(
        "Utföraren skriver en sammanfattning i verksamhetsjournalen", ("journal.services",)
    ),
    "followup.requested": EventSource(
        "Handläggaren efterfrågar läget inför uppföljning", ("followups.services",)
    ),
    "followup.answered": EventSource(
        "Utföraren svarar inför uppföljningen", ("followups.services",)
    ),
    "followup.done": EventSource("Handläggaren registrerar uppföljningen", ("followups.services",)),
    "iub.request_renewed": EventSource(
        "Handläggaren registrerar en ny förfrågan om IUB", ("followups.services",)
    ),
    "absence.began": EventSource(
        "Utföraren registrerar frånvaro (automatiskt vid beviljad korttidsvistelse)",
        ("absences.services",),
    ),
    "absence.long": EventSource(
        "Den dagliga körningen markerar frånvaro som passerat rutinens gräns för lång frånvaro",
        ("absences.services",),
    ),
    "absence.reported_to_officer": EventSource(
        "Utföraren rapporterar lång frånvaro till handläggaren", ("absences.services",)
    ),
    "hospital_notice.received": EventSource(
        "Handläggaren tar emot ett in- eller utskrivningsmeddelande", ("absences.services",)
    ),
    "hospital_notice.acknowledged": EventSource(
        "Utföraren kvitterar in- eller utskrivningsmeddelandet", ("absences.services",)
    ),
    "alarm.ordered": EventSource(
        "Utföraren av trygghetslarm registrerar att larmet beställts från hjälpmedelscentralen "
        "(handläggaren för en utförare som inte är ansluten); vid byte av utförare när bytet "
        "genomförs",
        ("alarms.services",),
    ),
    "alarm.installed": EventSource(
        "Hjälpmedelscentralen registrerar att larmet installerats, eller bekräftar att larmets "
        "kontaktuppgifter flyttats efter ett byte av utförare",
        ("alarms.services",),
    ),
    "meal.ordered": EventSource(
        "Utföraren registrerar att matdistributionen beställts (handläggaren för en utförare "
        "som inte är ansluten)",
        ("alarms.meal_services",),
    ),
    "placement.discharge_ready": EventSource(
        "Handläggaren ställer klienten i kö med skyndsam placering och anger när sjukhuset "
        "meddelade utskrivningsklar (bara beslutets frister)",
        ("deadlines.engine",),
    ),
    "placement.place_accepted": EventSource(
        "Handläggningsenheten registrerar att klienten tackat ja till erbjuden plats (bara "
        "beslutets frister)",
        ("deadlines.engine",),
    ),
    "fee.change": EventSource(
        "Ett meddelande till avgiftshandläggaren: en förändring som påverkar avgiften, hämtad "
        "ur beställningens händelser och frånvaron eller skickad av utföraren (varje "
        "meddelande sin egen frist)",
        ("fees.services",),
    ),
    "fee.handled": EventSource(
        "Avgiftshandläggaren markerar meddelandet som hanterat", ("fees.services",)
    ),
}

NOT_RECORDED: dict[str, str] = {}

#: Events only one subject's clocks see: a choice of provider and the queue's events are read
#: for the decision's clocks (engine.decision_events), not for an order's.
SUBJECT_OF: dict[str, str] = {
    "choice.registered": "decision",
    "placement.discharge_ready": "decision",
    "placement.place_accepted": "decision",
}
SUBJECT_LABELS = {"order": "beställningen", "decision": "beslutet"}


def is_recorded(event: str, subject: str | None = None) -> bool:
    """Whether some part of the system records `event` where a rule of `subject` ("order",
    "decision"; None: either) sees it."""
    if event not in RECORDED:
        return False
    return subject is None or SUBJECT_OF.get(event, subject) == subject


@dataclass(frozen=True)
class Reachability:
    """Whether a rule's clock can start and can be met, and by what (Swedish); `problem` is
    "" when both, else what is wrong, in Swedish."""

    starts: bool
    stops: bool
    start_by: str
    stop_by: tuple[str, ...]
    problem: str


def _label(event: str) -> str:
    return f"”{EVENT_LABELS.get(event, event)}”"


def _why_not(event: str, subject: str | None) -> str:
    if event in RECORDED:  # recorded, but only for the other subject's clocks
        other = SUBJECT_LABELS[SUBJECT_OF[event]]
        return f"{_label(event)} räknas bara för {other}s frister"
    reason = NOT_RECORDED.get(event)
    return f"ingen registrerar {_label(event)}" + (f" ({reason})" if reason else "")


def rule_reachability(spec_or_rule) -> Reachability:
    """Whether a rule (a `rules.RuleSpec` or a `models.Rule`: anything with `start_event`,
    `stop_events` and, for a Rule, `subject`) can start and be met, and by what."""
    subject = getattr(spec_or_rule, "subject", None) or None
    start = spec_or_rule.start_event
    stops = tuple(spec_or_rule.stop_events or ())
    starts = is_recorded(start, subject)
    recorded_stops = [e for e in stops if is_recorded(e, subject)]
    start_by = RECORDED[start].by if starts else ""
    stop_by = tuple(RECORDED[e].by for e in recorded_stops)
    if not starts:
        problem = f"Klockan kan aldrig starta: {_why_not(start, subject)}."
    elif not stops:
        problem = "Klockan kan starta men aldrig bli klar: regeln har ingen klar-händelse."
    elif not recorded_stops:
        why = "; ".join(_why_not(e, subject) for e in stops)
        problem = f"Klockan kan starta men aldrig bli klar: {why}."
    else:
        problem = ""
    return Reachability(
        starts=starts,
        stops=bool(recorded_stops),
        start_by=start_by,
        stop_by=stop_by,
        problem=problem,
    )
