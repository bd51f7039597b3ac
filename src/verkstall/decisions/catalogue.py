"""The service catalogue seeded from SPEC's glossary ("insats"). Pure data, loaded by a migration.

Each entry: code, Swedish name, kind, law, whether LOV (free choice) applies, whether it goes
through a queue (R8), and whether it is granted without needs assessment (IUB, seed 002).
"""

from __future__ import annotations

from enum import StrEnum


class ServiceKind(StrEnum):
    SERVICE = "service"
    PERSONAL_CARE = "personal_care"
    CLEANING = "cleaning"
    HOUSING_SUPPORT = "housing_support"
    DAY_ACTIVITY = "day_activity"
    DAILY_ACTIVITY_LSS = "daily_activity_lss"
    SAFETY_ALARM = "safety_alarm"
    MEAL_DELIVERY = "meal_delivery"
    ESCORT = "escort"
    RESPITE = "respite"
    SPECIAL_CARE = "special_care"
    CARE_HOME = "care_home"
    SHORT_TERM_STAY = "short_term_stay"
    PROFILE_HOME = "profile_home"


KIND_LABELS = {
    ServiceKind.SERVICE: "Service",
    ServiceKind.PERSONAL_CARE: "Personlig omvårdnad",
    ServiceKind.CLEANING: "Städ",
    ServiceKind.HOUSING_SUPPORT: "Boendestöd",
    ServiceKind.DAY_ACTIVITY: "Dagverksamhet",
    ServiceKind.DAILY_ACTIVITY_LSS: "Daglig verksamhet",
    ServiceKind.SAFETY_ALARM: "Trygghetslarm",
    ServiceKind.MEAL_DELIVERY: "Matdistribution",
    ServiceKind.ESCORT: "Ledsagning",
    ServiceKind.RESPITE: "Avlösning",
    ServiceKind.SPECIAL_CARE: "Särskild omvårdnad",
    ServiceKind.CARE_HOME: "Vård- och omsorgsboende",
    ServiceKind.SHORT_TERM_STAY: "Korttidsboende",
    ServiceKind.PROFILE_HOME: "Profilboende",
}

SOL = "SoL"
LSS = "LSS"

# code, name, kind, law, lov, queued, unassessed
CATALOGUE: list[tuple[str, str, ServiceKind, str, bool, bool, bool]] = [
    (
        "hemtjanst-service",
        "Hemtjänst – serviceinsatser",
        ServiceKind.SERVICE,
        SOL,
        True,
        False,
        False,
    ),
    (
        "hemtjanst-omvardnad",
        "Hemtjänst – personlig omvårdnad",
        ServiceKind.PERSONAL_CARE,
        SOL,
        True,
        False,
        False,
    ),
    ("hemtjanst-stad", "Hemtjänst – städ", ServiceKind.CLEANING, SOL, True, False, False),
    ("boendestod", "Boendestöd", ServiceKind.HOUSING_SUPPORT, SOL, True, False, False),
    (
        "dagverksamhet",
        "Dagverksamhet (äldreomsorg)",
        ServiceKind.DAY_ACTIVITY,
        SOL,
        False,
        True,
        False,
    ),
    (
        "dagverksamhet-sol",
        "Dagverksamhet SoL (funktionsnedsättning)",
        ServiceKind.DAY_ACTIVITY,
        SOL,
        True,
        False,
        False,
    ),
    (
        "daglig-verksamhet-lss",
        "Daglig verksamhet LSS",
        ServiceKind.DAILY_ACTIVITY_LSS,
        LSS,
        True,
        False,
        False,
    ),
    ("trygghetslarm", "Trygghetslarm", ServiceKind.SAFETY_ALARM, SOL, False, False, False),
    ("matdistribution", "Matdistribution", ServiceKind.MEAL_DELIVERY, SOL, False, False, False),
    ("ledsagning", "Ledsagning", ServiceKind.ESCORT, SOL, False, False, False),
    ("avlosning", "Avlösning", ServiceKind.RESPITE, SOL, False, False, False),
    # Seed 002 §Verkställighetsdatum/ersättning: the provider registers performed time for
    # "avgiftsfri avlösning, tillfällig ledsagning samt särskild omvårdnad" (R9.2).
    (
        "sarskild-omvardnad",
        "Särskild omvårdnad",
        ServiceKind.SPECIAL_CARE,
        SOL,
        False,
        False,
        False,
    ),
    (
        "vard-och-omsorgsboende",
        "Vård- och omsorgsboende",
        ServiceKind.CARE_HOME,
        SOL,
        False,
        True,
        False,
    ),
    ("korttidsboende", "Korttidsboende", ServiceKind.SHORT_TERM_STAY, SOL, False, False, False),
    ("profilboende", "Profilboende", ServiceKind.PROFILE_HOME, SOL, False, False, False),
    (
        "iub-service",
        "Serviceinsats utan behovsprövning (IUB)",
        ServiceKind.SERVICE,
        SOL,
        True,
        False,
        True,
    ),
]
