"""The vocabulary of the access declarations (access/declarations.py): the scoping rules, what
reaching a view does to client data, and one declaration. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .roles import Role


class Scope(StrEnum):
    PUBLIC = "public"  # the login and logout pages; nothing else
    NONE = "none"  # no rows of any organisation (the start page, the API schema)
    ORDER = "order_scope"  # access.scoping.order_scope and what hangs on an order
    PERSON = "person_scope"  # people.scoping.person_scope
    DECISION = "decision_scope"  # decisions.scoping.decision_scope
    DUE_ITEM = "due_item_scope"  # deadlines.selectors: the watchlist scopes of the role
    MESSAGE = "message_scope"  # journal.selectors: messages the user's side sent or received
    SWITCH = "switch_scope"  # orders.switch_selectors: switches of orders the user may see
    MUNICIPALITY = "municipality"  # reference data of the user's own municipality
    ACCESS_LOG = "access_log"  # audit.selectors: the log of the reviewer's own municipality
    QUEUE = "queue_scope"  # placements.selectors.entry_scope: placement unit / officer's unit
    # placements.stay_selectors.intake_scope: the placement unit's own municipality (R8.4)
    STAY_INTAKE = "stay_intake_scope"
    ALARM = "alarm_scope"  # alarms.scoping.alarm_order_scope: the aids centre's alarm orders
    ADMIN = "admin_site"  # Django's admin: staff, role and municipality (access/admin.py)
    # payments.selectors.basis_scope: the municipality's payment basis (its LOV administrator
    # and fee officer), or a provider's own (its unit manager) (R9.4)
    PAYMENT = "payment_scope"
    # ivo.selectors.case_scope: the LOV administrator's municipality, an officer's unit (R9.5)
    IVO = "ivo_scope"
    # ontime.selectors.item_scope: a provider its own figures and the municipality's average,
    # an officer its unit's clients, the LOV administrator the municipality (R9.4)
    ONTIME = "ontime_scope"
    # national_statistics.selectors.statistics_scope: the LOV administrator's municipality (R9.6)
    STATISTICS = "statistics_scope"
    # decisions.iub_selectors: the requests of the officer's unit's clients (R1.3; after a
    # transfer the client's new unit's, R1.4)
    IUB_REQUEST = "iub_request_scope"
    # integrations.selectors: the API clients and webhooks of the unit manager's own provider
    INTEGRATION = "integration_scope"
    # drafts.selectors: the user's own drafts only, of an object the screen's own selectors let
    # the user see (drafts/registry.py; issue 17 item 1)
    DRAFT = "draft_scope"
    # jobs.selectors: the user's own background jobs, of a kind the user may still start
    # (jobs/registry.py; issue 17 item 8)
    JOB = "job_scope"


class AuditAction(StrEnum):
    VIEW = "view"
    LIST = "list"
    EXPORT = "export"
    CHANGE = "change"
    REMOVE = "remove"  # retention (R10.6), by the system


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role]
    scope: Scope
    audit: AuditAction | None
    public: bool = False
    # A search posted so that a personnummer stays out of the address: its POST only reads.
    reads_on_post: bool = False
    # Authenticated by a secret in its URL, not by a session (the calendar feed): the
    # middleware lets it through; its view finds the secret's user, checks that user against
    # `roles` (declarations.permits) and writes the access log as that user.
    url_token: bool = False
