"""The isolation proof's records of what the generator made (tooling/isolation_world.py): an
order, a canary and a protected home's distances, as plain data for the oracle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class OrderRec:
    muni: int
    unit: int
    provider: int
    person: int
    decision: int
    sent: bool


@dataclass
class CanaryRec:
    """A canary planted in the world: where it is (the narrowest object that holds it), and
    whether it is a protected field of a client (R10.5: address, phone, relatives...)."""

    token: str
    what: str
    person: int
    order: int | None = None
    decision: int | None = None
    plan_order: int | None = None  # a plan's text: the plan is found from its order
    message: int | None = None
    queue_entry: int | None = None  # a queue entry's notes, where the client is now (R8.1)
    stay_intake: int | None = None  # a temporary stay's intake (R8.4); `person` is 0
    ivo_case: int | None = None  # a case of the IVO report: its reason for the delay (R9.5)
    protected_field: bool = False


@dataclass
class ProximityRec:
    person: int
    unit: int
    distances: list[float]  # to every provider unit that offers the service (the oracle's)
