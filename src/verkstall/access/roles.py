"""Roles (SPEC "Actors"). Pure: no Django import, so rules can be tested without a database."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    PROVIDER_STAFF = "provider_staff"
    PROVIDER_MANAGER = "provider_manager"
    PLACEMENT_UNIT = "placement_unit"
    FEE_OFFICER = "fee_officer"
    LOV_ADMIN = "lov_admin"
    AIDS_CENTRE = "aids_centre"
    LOG_REVIEWER = "log_reviewer"
    SYSTEM_ADMIN = "system_admin"


ROLE_LABELS = {
    Role.OFFICER: "Biståndshandläggare",
    Role.PROVIDER_STAFF: "Utförare, personal",
    Role.PROVIDER_MANAGER: "Utförare, enhetschef",
    Role.PLACEMENT_UNIT: "Handläggningsenhet (kö och placering)",
    Role.FEE_OFFICER: "Avgiftshandläggare",
    Role.LOV_ADMIN: "LOV-administratör",
    Role.AIDS_CENTRE: "Hjälpmedelscentral",
    Role.LOG_REVIEWER: "Loggranskare",
    Role.SYSTEM_ADMIN: "Systemadministratör",
}

PROVIDER_ROLES = frozenset({Role.PROVIDER_STAFF, Role.PROVIDER_MANAGER})
# Roles on the municipality's side that may register acknowledgement and start on behalf of a
# provider that is not connected to the system (R3.3, seed 001: the fee officer does it for
# faxed orders).
ON_BEHALF_ROLES = frozenset({Role.OFFICER, Role.FEE_OFFICER})
