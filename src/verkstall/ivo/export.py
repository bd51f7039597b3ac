"""The IVO report's rows as IVO's individual report asks for them (SPEC R9.5). Pure.

Per case, IVO's individrapport (ivo.se, "Individrapport", "Frågor och svar om ej verkställda
beslut"; SoL 16 kap. 6 f §, LSS 28 f §) asks: who (the birth date with a T-number whose middle
digit gives the sex, identity.py; and whether the person has protected personal data), which
decision (law, kind of service, decision date), the interruption date for an interrupted
service, when the person was offered the service, the reason for the delay, and the day the
decision was carried out or ended for another reason. The personnummer is not asked for and
never exported; neither is the name.

What the system cannot fill (NOT_FILLED, said on the screen and in the PDF): the date of an
interruption (an order ended by the provider and a decision that ended are not told apart in
the system, so interruptions are not reported here), whether the person got other help while
waiting, and a planned date of carrying out.
"""

from __future__ import annotations

from .identity import SEX_LABELS, birth_date_of, ivo_number, sex_of
from .waits import KIND_LABELS, Kind

COLUMNS = (
    "Kvartal",
    "Ärendetyp",
    "IVO-id (födelsedatum och T-nummer)",
    "Födelseår",
    "Kön",
    "Skyddade personuppgifter",
    "Lag",
    "Insats",
    "Beslutsdatum",
    "Tre månader gick ut",
    "Dagar från beslut",
    "Senaste erbjudande",
    "Erbjudandet avböjt",
    "Verkställt",
    "Avslutat utan att verkställas",
    "Skäl till dröjsmålet",
    "Handläggande enhet",
    "Ärende-id",
)

NOT_FILLED = (
    "datum för avbrott i verkställigheten (systemet skiljer inte ett avbrott från ett avslut)",
    "om den enskilde fått annan insats i väntan på verkställighet",
    "planerat datum för verkställighet",
)


def _day(value) -> str:
    return value.isoformat() if value else ""


def case_row(case, quarter_code: str, *, protected: bool) -> list[str]:
    """One case (an ivo.models.IvoReportCase with its person, decision unit and service type
    loaded) as the export's cells, in COLUMNS' order."""
    number = case.person.personal_number
    service_type = case.granted_service.service_type
    return [
        quarter_code,
        KIND_LABELS[Kind(case.kind)],
        ivo_number(number, case.serial),
        str(birth_date_of(number).year),
        SEX_LABELS[sex_of(number)],
        "Ja" if protected else "Nej",
        service_type.law,
        service_type.name,
        _day(case.decided_on),
        _day(case.due_on),
        str(case.days_waited),
        _day(case.offered_on),
        ("Ja" if case.offer_declined else "Nej") if case.offered_on else "",
        _day(case.carried_out_on),
        _day(case.ended_on),
        case.reason,
        case.decision.unit.name,
        str(case.pk),
    ]
