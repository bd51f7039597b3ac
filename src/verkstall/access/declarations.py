"""Which roles may reach each screen and endpoint, and which scoping rule filters what they see.

The one table a security review reads (issue 6, SPEC "Actors", R10.4). Deny by default: a view
that is not declared here is refused by `access.middleware.DeclaredAccessMiddleware` (screens)
and `access.permissions.DeclaredAccess` (the API), and `tests/test_access_declarations.py`
walks every URL pattern and fails on any view or API action missing from the table.

Each entry names:
- `roles`: who may reach it at all (anyone else gets 403; nobody logged in goes to the login);
- `scope`: the row-level rule that decides what those roles see (a `Scope`, each naming the
  function in `access/scoping.py` or the selector that applies it);
- `audit`: what reaching it does to client data, for the access log (`AuditAction`): `None`
  only where no client data can be read or written. A write method (POST, PUT, PATCH, DELETE)
  is always logged as a change.

The roles are only the outer gate: services still check each write (`access/policies.py`) and
selectors still filter each read; a role listed here that has no scoping rule sees nothing.
"""

from __future__ import annotations

from .access_types import Access as Access
from .access_types import AuditAction as AuditAction
from .access_types import Scope as Scope
from .roles import PROVIDER_ROLES, Role

ALL_ROLES = frozenset(Role)
OFFICER = frozenset({Role.OFFICER})
PROVIDERS = frozenset(PROVIDER_ROLES)
# Roles whose scoping rules give them clients and orders (access/scoping.py).
CLIENT_ROLES = frozenset({Role.OFFICER, Role.FEE_OFFICER}) | PROVIDERS
# Registering for a provider that is not connected (R3.3) is done by the officer or fee officer.
ORDER_ACTORS = CLIENT_ROLES
ON_BEHALF = frozenset({Role.OFFICER, Role.FEE_OFFICER})
WATCHLIST_ROLES = CLIENT_ROLES | {Role.PLACEMENT_UNIT, Role.AIDS_CENTRE}
MESSAGE_ROLES = frozenset({Role.OFFICER}) | PROVIDERS
LOV = frozenset({Role.LOV_ADMIN})
ROTATION_READERS = frozenset({Role.OFFICER, Role.LOV_ADMIN}) | PROVIDERS
LOG_REVIEWERS = frozenset({Role.LOG_REVIEWER})
PLACEMENT = frozenset({Role.PLACEMENT_UNIT})
QUEUE_ROLES = OFFICER | PLACEMENT
ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.LOV_ADMIN})
AIDS_CENTRE = frozenset({Role.AIDS_CENTRE})
# The safety alarm (R4.1): the order's own side, and the aids centre once the alarm is ordered
# from it (alarms.scoping); it reads only what an installer needs.
ALARM_ROLES = CLIENT_ROLES | AIDS_CENTRE
# Fee notices (R9.3): the fee officer's inbox and its handling.
FEE_OFFICERS = frozenset({Role.FEE_OFFICER})
# The IVO report (R9.5): the LOV administrator reports for the municipality (no role for the
# officer units' heads exists); the officer gives the reasons for the unit's cases.
IVO_ROLES = LOV | OFFICER
# On-time statistics per provider and rule (R9.4, issue 15): providers, officers, LOV admin.
ONTIME_ROLES = LOV | OFFICER | PROVIDERS

# Payment (R9.4): the municipality's prices and basis; a provider's unit manager its own basis.
PRICE_READERS = frozenset({Role.LOV_ADMIN, Role.FEE_OFFICER})
BASIS_READERS = PRICE_READERS | {Role.PROVIDER_MANAGER}
PROVIDER_MANAGERS = frozenset({Role.PROVIDER_MANAGER})
# Background jobs (issue 17 item 8): whoever may start one of the kinds (jobs/registry.py).
JOB_ROLES = BASIS_READERS | ONTIME_ROLES

V, L, X, C = AuditAction.VIEW, AuditAction.LIST, AuditAction.EXPORT, AuditAction.CHANGE


def _a(roles, scope, audit=None) -> Access:
    return Access(frozenset(roles), scope, audit)


PUBLIC = Access(frozenset(), Scope.PUBLIC, None, public=True)
ADMIN_SITE = _a(ADMINS, Scope.ADMIN, V)

# Screens: keyed by the view function's dotted path.
VIEWS: dict[str, Access] = {
    "django.contrib.auth.views.LoginView": PUBLIC,
    "django.contrib.auth.views.LogoutView": PUBLIC,
    # Liveness and readiness: counts and ages only, for the load balancer (issue 18).
    "verkstall.health.healthz": PUBLIC,
    "verkstall.health.readyz": PUBLIC,
    # Prometheus metrics: no role, the view allows listed addresses or a token, else 404
    # (monitoring.py; figures only, no personal data).
    "verkstall.monitoring.metrics_view": PUBLIC,
    "verkstall.core.views.home": _a(ALL_ROLES, Scope.ORDER, L),
    # people
    "verkstall.orders.person_views.person_list": Access(
        CLIENT_ROLES, Scope.PERSON, L, reads_on_post=True
    ),
    # the header's client search (posted, then its results page) and the clients opened last
    # (issue 17 item 5): the client list's scope
    "verkstall.orders.client_search_views.client_search": Access(
        CLIENT_ROLES, Scope.PERSON, L, reads_on_post=True
    ),
    "verkstall.orders.client_search_views.recent_clients": _a(CLIENT_ROLES, Scope.PERSON, L),
    "verkstall.orders.person_views.person_create": _a(OFFICER, Scope.PERSON, C),
    "verkstall.orders.person_views.person_detail": _a(CLIENT_ROLES, Scope.PERSON, V),
    "verkstall.orders.person_views.person_protection": _a(OFFICER, Scope.PERSON, C),
    "verkstall.orders.person_views.protected_access_grant": _a(OFFICER, Scope.PERSON, C),
    "verkstall.orders.person_views.protected_access_revoke": _a(OFFICER, Scope.PERSON, C),
    "verkstall.orders.person_views.protection_request_decide": _a(OFFICER, Scope.PERSON, C),
    "verkstall.orders.person_views.oral_briefing_create": _a(OFFICER, Scope.ORDER, C),
    # corrections of a client's data and relatives, and its change history (R1.1): the
    # client's officer and provider correct, whoever sees the client reads the history
    "verkstall.people.views.person_edit": _a(OFFICER | PROVIDERS, Scope.PERSON, C),
    "verkstall.people.views.person_history": _a(CLIENT_ROLES, Scope.PERSON, V),
    "verkstall.people.views.relative_add": _a(OFFICER | PROVIDERS, Scope.PERSON, C),
    "verkstall.people.views.relative_edit": _a(OFFICER | PROVIDERS, Scope.PERSON, C),
    "verkstall.people.views.relative_remove": _a(OFFICER | PROVIDERS, Scope.PERSON, C),
    # decisions
    "verkstall.decisions.views.decision_create": _a(OFFICER, Scope.PERSON, C),
    # the decision with its goals (seed 002) and corrections (R1.1): the officers of its unit
    "verkstall.decisions.views.decision_detail": _a(OFFICER, Scope.DECISION, V),
    "verkstall.decisions.views.decision_correct": _a(OFFICER, Scope.DECISION, C),
    "verkstall.decisions.document_views.decision_letter_pdf": _a(OFFICER, Scope.DECISION, X),
    "verkstall.decisions.iub_views.iub_request_create": _a(OFFICER, Scope.PERSON, C),  # R1.3
    "verkstall.decisions.iub_views.iub_request_list": _a(OFFICER, Scope.IUB_REQUEST, L),
    # orders
    "verkstall.orders.views.provider_inbox": _a(PROVIDERS, Scope.ORDER, L),
    "verkstall.orders.views.order_list": _a(CLIENT_ROLES, Scope.ORDER, L),
    "verkstall.orders.views.order_create": _a(OFFICER, Scope.DECISION, C),
    "verkstall.orders.views.order_detail": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.orders.views.order_action": _a(ORDER_ACTORS, Scope.ORDER, C),
    "verkstall.orders.views.order_receipt": _a(OFFICER, Scope.ORDER, C),
    "verkstall.orders.views.order_correct_date": _a(ORDER_ACTORS, Scope.ORDER, C),
    # issue 16: not started (R3.7), support not received (R7.2), a new client told (R3.4),
    # routing to a unit (seed 002), the list to register for providers not connected (seed
    # 001) and a client's death (seed 004)
    "verkstall.orders.views.order_not_started": _a(ORDER_ACTORS, Scope.ORDER, C),
    "verkstall.orders.views.order_support_not_received": _a(ORDER_ACTORS, Scope.ORDER, C),
    "verkstall.orders.views.order_new_client_told": _a(OFFICER, Scope.ORDER, C),
    "verkstall.orders.views.order_route": _a(PROVIDERS, Scope.ORDER, C),
    "verkstall.orders.views.on_behalf_list": _a(ON_BEHALF, Scope.ORDER, L),
    "verkstall.orders.death_views.client_death": _a(OFFICER, Scope.PERSON, C),
    "verkstall.orders.draft_views.draft_edit": _a(OFFICER, Scope.ORDER, C),  # R1.1
    "verkstall.orders.change_views.change_report": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.orders.change_views.change_reissue": _a(OFFICER, Scope.ORDER, V),
    "verkstall.orders.document_views.order_pdf": _a(CLIENT_ROLES, Scope.ORDER, X),
    "verkstall.orders.document_views.order_print": _a(CLIENT_ROLES, Scope.ORDER, X),
    "verkstall.orders.document_views.order_delivery": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.orders.document_views.order_email_again": _a(CLIENT_ROLES, Scope.ORDER, X),
    "verkstall.orders.switch_views.switch_list": _a(CLIENT_ROLES, Scope.SWITCH, L),
    "verkstall.orders.switch_views.switch_request": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.orders.switch_views.switch_detail": _a(CLIENT_ROLES, Scope.SWITCH, V),
    "verkstall.orders.switch_views.switch_action": _a(CLIENT_ROLES, Scope.SWITCH, C),
    # plans, follow-ups, absences
    "verkstall.plans.views.plan_page": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.plans.views.plan_start": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.plans.views.plan_save": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.plans.views.plan_confirm": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.plans.views.plan_review": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.plans.views.plan_share": _a(CLIENT_ROLES, Scope.ORDER, C),  # R5.2
    "verkstall.plans.views.plan_document": _a(CLIENT_ROLES, Scope.ORDER, X),
    "verkstall.followups.views.followup_page": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.followups.views.followup_request": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.followups.views.followup_answer": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.followups.views.followup_record": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.followups.views.iub_request": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.transfers.views.transfer_list": _a(OFFICER, Scope.PERSON, L),  # R1.4
    "verkstall.transfers.views.transfer_person": _a(OFFICER, Scope.PERSON, C),
    "verkstall.absences.views.order_absences": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.absences.views.end_absence": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.absences.views.report_absence": _a(CLIENT_ROLES, Scope.ORDER, C),
    "verkstall.absences.views.short_term_stay": _a(OFFICER, Scope.PERSON, C),
    "verkstall.absences.views.notice_list": _a(PROVIDERS, Scope.ORDER, L),
    "verkstall.absences.views.acknowledge_notice": _a(PROVIDERS, Scope.ORDER, C),
    # journals and messages
    "verkstall.journal.views.case_journal": _a(CLIENT_ROLES, Scope.PERSON, V),
    "verkstall.journal.views.case_document": _a(CLIENT_ROLES, Scope.PERSON, X),
    "verkstall.journal.views.provider_journal": _a(PROVIDERS, Scope.ORDER, V),
    "verkstall.journal.views.message_list": _a(MESSAGE_ROLES, Scope.MESSAGE, L),
    "verkstall.journal.views.message_create": _a(MESSAGE_ROLES, Scope.MESSAGE, C),
    "verkstall.journal.views.message_detail": _a(MESSAGE_ROLES, Scope.MESSAGE, V),
    # drafts of long text fields while typing (issue 17 item 1): the author's own, of an
    # object the screen's selectors let the author see; storing one is a change of that client
    "verkstall.drafts.views.draft_save": _a(OFFICER | PROVIDERS, Scope.DRAFT, C),
    "verkstall.drafts.views.draft_discard": _a(OFFICER | PROVIDERS, Scope.DRAFT, C),
    # deadlines
    "verkstall.deadlines.views.watchlist": _a(WATCHLIST_ROLES, Scope.DUE_ITEM, L),
    "verkstall.deadlines.views.due_item_detail": _a(WATCHLIST_ROLES, Scope.DUE_ITEM, V),
    # one's own due items as a calendar subscription (issue 17 item 7): the screen shows and
    # changes only the user's own subscription; the feed is authenticated by the secret in its
    # URL, not a session, and read as the secret's user (its items leave for a calendar: X)
    **{
        f"verkstall.deadlines.calendar_views.{view}": _a(WATCHLIST_ROLES, Scope.NONE)
        for view in ("calendar_subscription", "calendar_feed_create", "calendar_feed_revoke")
    },
    "verkstall.deadlines.calendar_views.calendar_feed": Access(
        WATCHLIST_ROLES, Scope.DUE_ITEM, X, url_token=True
    ),
    # LOV: contracts, choice, rotation
    "verkstall.providers.views.choice": _a(OFFICER, Scope.PERSON, V),
    "verkstall.providers.views.proximity": _a(OFFICER, Scope.PERSON, V),
    "verkstall.providers.views.contract_list": _a(LOV, Scope.MUNICIPALITY),
    "verkstall.providers.views.contract_capacity": _a(LOV, Scope.MUNICIPALITY),
    "verkstall.providers.views.contract_import": _a(LOV, Scope.MUNICIPALITY),
    # a large import's progress and report (issue 17 item 8): contract data, no client data
    "verkstall.providers.import_views.import_job": _a(LOV, Scope.MUNICIPALITY),
    "verkstall.providers.rotation_views.rotation_report": _a(ROTATION_READERS, Scope.PERSON, L),
    "verkstall.providers.rotation_views.rotation_history_csv": _a(
        ROTATION_READERS, Scope.PERSON, X
    ),
    "verkstall.providers.rotation_views.rotation_assign": _a(OFFICER, Scope.PERSON, C),
    "verkstall.providers.rotation_views.rotation_assignment": _a(OFFICER, Scope.PERSON, V),
    # the care-home and day-activity queue (R8)
    "verkstall.placements.views.queue_page": _a(QUEUE_ROLES, Scope.QUEUE, L),
    "verkstall.placements.views.entry_new": _a(OFFICER, Scope.PERSON, C),
    "verkstall.placements.views.entry_detail": _a(QUEUE_ROLES, Scope.QUEUE, V),
    "verkstall.placements.views.entry_offer": _a(PLACEMENT, Scope.QUEUE, C),
    "verkstall.placements.views.offer_answer": _a(PLACEMENT, Scope.QUEUE, C),
    "verkstall.placements.views.entry_order": _a(OFFICER, Scope.QUEUE, C),
    "verkstall.placements.views.entry_withdraw": _a(QUEUE_ROLES, Scope.QUEUE, C),
    # temporary stays from another municipality (R8.4): the placement unit's intakes
    "verkstall.placements.stay_views.stay_list": _a(PLACEMENT, Scope.STAY_INTAKE, L),
    "verkstall.placements.stay_views.stay_detail": _a(PLACEMENT, Scope.STAY_INTAKE, V),
    "verkstall.placements.stay_views.stay_register": _a(PLACEMENT, Scope.STAY_INTAKE, C),
    "verkstall.placements.stay_views.stay_decline": _a(PLACEMENT, Scope.STAY_INTAKE, C),
    # safety alarm and meal delivery (R4.1, R2.6, R3.6)
    "verkstall.alarms.views.alarm_inbox": _a(AIDS_CENTRE, Scope.ALARM, L),
    "verkstall.alarms.views.order_alarm": _a(ALARM_ROLES, Scope.ALARM, V),
    "verkstall.alarms.views.confirm_contact_move": _a(AIDS_CENTRE, Scope.ALARM, C),
    "verkstall.alarms.views.order_meal": _a(CLIENT_ROLES, Scope.ORDER, V),
    # cleaning and service on voucher: the voucher letter and the report form (R4.2)
    "verkstall.vouchers.views.order_vouchers": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.vouchers.views.voucher_issue": _a(OFFICER, Scope.ORDER, C),
    "verkstall.vouchers.views.voucher_pdf": _a(OFFICER, Scope.ORDER, X),
    "verkstall.vouchers.views.report_create": _a(ORDER_ACTORS, Scope.ORDER, C),
    "verkstall.vouchers.views.report_form_pdf": _a(CLIENT_ROLES, Scope.ORDER, X),
    # fee notices to the fee officer (R9.3): its inbox, and an order's fee page and form
    "verkstall.fees.views.inbox": _a(FEE_OFFICERS, Scope.ORDER, L),
    "verkstall.fees.views.handle": _a(FEE_OFFICERS, Scope.ORDER, C),
    "verkstall.fees.views.order_fee_notices": _a(CLIENT_ROLES, Scope.ORDER, V),
    # the month: what is missing before the 5th, and its reminder days (R9.1)
    "verkstall.months.views.month_page": _a(OFFICER | PROVIDERS, Scope.ORDER, L),
    "verkstall.months.views.month_settings": _a(LOV, Scope.MUNICIPALITY),
    # the quarterly report of decisions not carried out, to IVO (R9.5)
    "verkstall.ivo.views.quarter_page": _a(IVO_ROLES, Scope.IVO, L),
    "verkstall.ivo.views.report_create": _a(LOV, Scope.IVO, C),
    "verkstall.ivo.views.report_refresh": _a(LOV, Scope.IVO, C),
    "verkstall.ivo.views.report_submit": _a(LOV, Scope.IVO, C),
    "verkstall.ivo.views.case_reason": _a(IVO_ROLES, Scope.IVO, C),
    "verkstall.ivo.views.report_csv": _a(LOV, Scope.IVO, X),
    "verkstall.ivo.views.report_pdf": _a(LOV, Scope.IVO, X),
    # on-time statistics per provider, rule and month (R9.4)
    "verkstall.ontime.views.ontime_page": _a(ONTIME_ROLES, Scope.ONTIME, L),
    "verkstall.ontime.views.ontime_csv": _a(ONTIME_ROLES, Scope.ONTIME, X),
    # a large report counted as a background job (issue 17 item 8)
    "verkstall.ontime.views.ontime_job": _a(ONTIME_ROLES, Scope.ONTIME, C),
    # payments: prices, performed time, the payment basis and the month close (R9.2, R9.4)
    "verkstall.payments.views.price_list": _a(PRICE_READERS, Scope.MUNICIPALITY),
    "verkstall.payments.views.price_add": _a(LOV, Scope.MUNICIPALITY),
    "verkstall.payments.views.price_end": _a(LOV, Scope.MUNICIPALITY),
    "verkstall.payments.views.order_time": _a(CLIENT_ROLES, Scope.ORDER, V),
    "verkstall.payments.views.time_add": _a(ORDER_ACTORS, Scope.ORDER, C),
    "verkstall.payments.views.time_change": _a(ORDER_ACTORS, Scope.ORDER, C),
    "verkstall.payments.views.time_remove": _a(ORDER_ACTORS, Scope.ORDER, C),
    # The provider's own systems: API clients, keys and webhooks (issue 20).
    **{
        f"verkstall.integrations.views.{view}": _a(PROVIDER_MANAGERS, Scope.INTEGRATION, audit)
        for view, audit in [("client_list", V), ("webhook_detail", V)]
        + [(w, C) for w in ("client_create", "client_key_create", "client_key_revoke")]
        + [(w, C) for w in ("client_end", "webhook_create", "webhook_replay", "webhook_active")]
    },
    "verkstall.payments.views.basis_page": _a(BASIS_READERS, Scope.PAYMENT, L),
    "verkstall.payments.views.basis_export": _a(BASIS_READERS, Scope.PAYMENT, X),
    # a large month's file started as a background job (issue 17 item 8)
    "verkstall.payments.views.basis_export_job": _a(BASIS_READERS, Scope.PAYMENT, C),
    "verkstall.payments.views.month_close": _a(LOV, Scope.PAYMENT, C),
    # long work run as a task (issue 17 item 8): the starter's own job; its page shows figures
    # and no client (the basis' totals, the on-time table), its file may name every client
    # paid for in a month (logged as exported when downloaded)
    "verkstall.jobs.views.job_page": _a(JOB_ROLES, Scope.JOB),
    "verkstall.jobs.views.job_file": _a(JOB_ROLES, Scope.JOB, X),
    # the national individual statistics to the National Board of Health and Welfare (R9.6)
    "verkstall.national_statistics.views.statistics_page": _a(LOV, Scope.STATISTICS, L),
    "verkstall.national_statistics.views.statistics_export": _a(LOV, Scope.STATISTICS, X),
    # the access log
    "verkstall.audit.views.log_review": Access(
        LOG_REVIEWERS, Scope.ACCESS_LOG, V, reads_on_post=True
    ),
    "verkstall.audit.views.log_export": _a(LOG_REVIEWERS, Scope.ACCESS_LOG, X),
}

# The API: keyed by the viewset's dotted path, then by action ("*" for every action).
API: dict[str, dict[str, Access]] = {
    "drf_spectacular.views.SpectacularAPIView": {"*": _a(ALL_ROLES, Scope.NONE)},
    "drf_spectacular.views.SpectacularSwaggerView": {"*": _a(ALL_ROLES, Scope.NONE)},
    "drf_spectacular.views.SpectacularRedocView": {"*": _a(ALL_ROLES, Scope.NONE)},
    "rest_framework.routers.APIRootView": {"*": _a(ALL_ROLES, Scope.NONE)},
    "verkstall.people.api.PersonViewSet": {
        "list": _a(CLIENT_ROLES, Scope.PERSON, L),
        "retrieve": _a(CLIENT_ROLES, Scope.PERSON, V),
        "create": _a(OFFICER, Scope.PERSON, C),
        "partial_update": _a(CLIENT_ROLES, Scope.PERSON, C),
        "protection": _a(OFFICER, Scope.PERSON, C),
        "protected_access": _a(OFFICER, Scope.PERSON, C),
        "revoke_protected_access": _a(OFFICER, Scope.PERSON, C),
        "protection_requests": _a(OFFICER, Scope.PERSON, V),
        "approve_protection_request": _a(OFFICER, Scope.PERSON, C),
        "reject_protection_request": _a(OFFICER, Scope.PERSON, C),
        "changes": _a(CLIENT_ROLES, Scope.PERSON, V),  # R1.1
        "relatives": _a(OFFICER | PROVIDERS, Scope.PERSON, C),
        "relative": _a(OFFICER | PROVIDERS, Scope.PERSON, C),
        "remove_relative": _a(OFFICER | PROVIDERS, Scope.PERSON, C),
    },
    "verkstall.decisions.api.DecisionViewSet": {
        "list": _a(CLIENT_ROLES, Scope.DECISION, L),
        "retrieve": _a(CLIENT_ROLES, Scope.DECISION, V),
        "create": _a(OFFICER, Scope.DECISION, C),
        "corrections": _a(OFFICER, Scope.DECISION, V),  # R1.1
        "correct": _a(OFFICER, Scope.DECISION, C),  # R1.1
    },
    "verkstall.decisions.api.ServiceTypeViewSet": {"*": _a(ALL_ROLES, Scope.NONE)},
    "verkstall.decisions.iub_api.IubRequestViewSet": {
        "list": _a(OFFICER, Scope.IUB_REQUEST, L),
        "retrieve": _a(OFFICER, Scope.IUB_REQUEST, V),
        "create": _a(OFFICER, Scope.PERSON, C),
    },
    "verkstall.providers.api.ProviderViewSet": {
        "list": _a(ALL_ROLES - LOG_REVIEWERS, Scope.MUNICIPALITY),
        "retrieve": _a(ALL_ROLES - LOG_REVIEWERS, Scope.MUNICIPALITY),
        "contracts": _a(ALL_ROLES - LOG_REVIEWERS, Scope.MUNICIPALITY),
        "choice_options": _a(OFFICER, Scope.PERSON, V),
        "register_choice": _a(OFFICER, Scope.PERSON, C),
        "nearest_units": _a(OFFICER, Scope.PERSON, V),
    },
    "verkstall.orders.api.OrderViewSet": {
        "list": _a(CLIENT_ROLES, Scope.ORDER, L),
        "retrieve": _a(CLIENT_ROLES, Scope.ORDER, V),
        "create": _a(OFFICER, Scope.DECISION, C),
        "send": _a(OFFICER, Scope.ORDER, C),
        "acknowledge": _a(ORDER_ACTORS, Scope.ORDER, C),
        "start": _a(ORDER_ACTORS, Scope.ORDER, C),
        "end": _a(ORDER_ACTORS, Scope.ORDER, C),
        "cancel": _a(OFFICER, Scope.ORDER, C),
        "receipt": _a(OFFICER, Scope.ORDER, C),
        "correct_date": _a(ORDER_ACTORS, Scope.ORDER, C),
        "not_started": _a(ORDER_ACTORS, Scope.ORDER, C),  # R3.7
        "support_not_received": _a(ORDER_ACTORS, Scope.ORDER, C),  # R7.2
        "new_client_told": _a(OFFICER, Scope.ORDER, C),  # R3.4
        "route": _a(PROVIDERS, Scope.ORDER, C),  # seed 002
        "correct_draft": _a(OFFICER, Scope.ORDER, C),  # R1.1
        "oral_briefings": _a(OFFICER, Scope.ORDER, C),
    },
    "verkstall.deadlines.api.DueItemViewSet": {
        "list": _a(WATCHLIST_ROLES, Scope.DUE_ITEM, L),
        "retrieve": _a(WATCHLIST_ROLES, Scope.DUE_ITEM, V),
    },
    "verkstall.plans.api.PlanViewSet": {
        "list": _a(CLIENT_ROLES, Scope.ORDER, L),
        "retrieve": _a(CLIENT_ROLES, Scope.ORDER, V),
        "create": _a(PROVIDERS | OFFICER, Scope.ORDER, C),
        "confirm": _a(OFFICER, Scope.ORDER, C),
        "share": _a(PROVIDERS | OFFICER, Scope.ORDER, C),  # R5.2 (officer: not connected)
    },
    "verkstall.journal.api.MessageViewSet": {
        "list": _a(MESSAGE_ROLES, Scope.MESSAGE, L),
        "retrieve": _a(MESSAGE_ROLES, Scope.MESSAGE, V),
        "create": _a(MESSAGE_ROLES, Scope.MESSAGE, C),
        "read": _a(MESSAGE_ROLES, Scope.MESSAGE, C),
    },
    "verkstall.journal.api.ProviderJournalViewSet": {
        "list": _a(PROVIDERS, Scope.ORDER, L),
        "create": _a(PROVIDERS, Scope.ORDER, C),
    },
    "verkstall.absences.api.HospitalNoticeViewSet": {
        "create": _a(OFFICER, Scope.PERSON, C),
    },
    # A client's death ends or withdraws every order in one step (seed 004).
    "verkstall.orders.death_api.ClientDeathViewSet": {
        "create": _a(OFFICER, Scope.PERSON, C),
    },
    # The event feed (issue 20): the events of the orders the order list shows.
    "verkstall.orders.feed_api.EventFeedViewSet": {
        "list": _a(CLIENT_ROLES, Scope.ORDER, L),
    },
    "verkstall.alarms.api.AlarmOrderViewSet": {
        "list": _a(ALARM_ROLES, Scope.ALARM, L),
        "retrieve": _a(ALARM_ROLES, Scope.ALARM, V),
        "ordered": _a(ORDER_ACTORS, Scope.ALARM, C),
        "installed": _a(AIDS_CENTRE, Scope.ALARM, C),
    },
    "verkstall.alarms.api.ContactMoveViewSet": {
        "list": _a(ALARM_ROLES, Scope.ALARM, L),
        "retrieve": _a(ALARM_ROLES, Scope.ALARM, V),
        "confirm": _a(AIDS_CENTRE, Scope.ALARM, C),
    },
    "verkstall.alarms.api.MealOrderViewSet": {
        "ordered": _a(ORDER_ACTORS, Scope.ORDER, C),
    },
    # What another municipality's e-service posts (R8.4), with the receiving municipality's
    # placement-unit account.
    "verkstall.placements.stay_api.StayIntakeViewSet": {
        "create": _a(PLACEMENT, Scope.STAY_INTAKE, C),
        "list": _a(PLACEMENT, Scope.STAY_INTAKE, L),
        "retrieve": _a(PLACEMENT, Scope.STAY_INTAKE, V),
        "register": _a(PLACEMENT, Scope.STAY_INTAKE, C),
        "decline": _a(PLACEMENT, Scope.STAY_INTAKE, C),
    },
    # The care-home and day-activity queue (R8.1, R8.2, R8.3), as its screens.
    "verkstall.placements.api.QueueEntryViewSet": {
        "list": _a(QUEUE_ROLES, Scope.QUEUE, L),
        "retrieve": _a(QUEUE_ROLES, Scope.QUEUE, V),
        "create": _a(OFFICER, Scope.DECISION, C),
        "offer": _a(PLACEMENT, Scope.QUEUE, C),
        "answer": _a(PLACEMENT, Scope.QUEUE, C),
        "order": _a(OFFICER, Scope.QUEUE, C),
        "withdraw": _a(QUEUE_ROLES, Scope.QUEUE, C),
    },
    # Cleaning and service on voucher (R4.2), as the order's voucher page.
    "verkstall.vouchers.api.VoucherViewSet": {
        "list": _a(CLIENT_ROLES, Scope.ORDER, L),
        "retrieve": _a(CLIENT_ROLES, Scope.ORDER, V),
        "create": _a(OFFICER, Scope.ORDER, C),
    },
    "verkstall.vouchers.api.VoucherReportViewSet": {
        "list": _a(CLIENT_ROLES, Scope.ORDER, L),
        "retrieve": _a(CLIENT_ROLES, Scope.ORDER, V),
        "create": _a(ORDER_ACTORS, Scope.ORDER, C),
    },
    # Fee notices (R9.3), as the fee officer's inbox and an order's fee page.
    "verkstall.fees.api.FeeNoticeViewSet": {
        "list": _a(CLIENT_ROLES, Scope.ORDER, L),
        "retrieve": _a(CLIENT_ROLES, Scope.ORDER, V),
        "create": _a(ORDER_ACTORS, Scope.ORDER, C),
        "handle": _a(FEE_OFFICERS, Scope.ORDER, C),
    },
    # The quarterly IVO report (R9.5), the municipality's reporter's.
    "verkstall.ivo.api.IvoReportViewSet": {
        "list": _a(LOV, Scope.IVO, L),
        "retrieve": _a(LOV, Scope.IVO, V),
        "create": _a(LOV, Scope.IVO, C),
        "refresh": _a(LOV, Scope.IVO, C),
        "submit": _a(LOV, Scope.IVO, C),
        "reason": _a(LOV, Scope.IVO, C),
    },
    # Performed time (R9.2, R3.2), as an order's time page.
    "verkstall.payments.api.PerformedTimeViewSet": {
        "list": _a(CLIENT_ROLES, Scope.ORDER, L),
        "retrieve": _a(CLIENT_ROLES, Scope.ORDER, V),
        "create": _a(ORDER_ACTORS, Scope.ORDER, C),
        "update": _a(ORDER_ACTORS, Scope.ORDER, C),
        "partial_update": _a(ORDER_ACTORS, Scope.ORDER, C),
        "destroy": _a(ORDER_ACTORS, Scope.ORDER, C),
    },
    "verkstall.absences.api.NoticeReceiptViewSet": {
        "list": _a(PROVIDERS, Scope.ORDER, L),
        "retrieve": _a(PROVIDERS, Scope.ORDER, V),
        "acknowledge": _a(PROVIDERS, Scope.ORDER, C),
    },
}


def walk_urls(resolver=None, prefix: str = "", namespaces: tuple = ()):
    """(pattern text, view callback, namespaces, name) for every URL pattern of the project:
    what the deny-by-default and IDOR tests walk."""
    from django.urls import URLPattern, URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from walk_urls(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback, namespaces, p.name


def dotted(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def for_api(viewset_class, action: str | None) -> Access | None:
    """The declaration of one API action, or None: not declared, so refused."""
    actions = API.get(dotted(viewset_class))
    if actions is None:
        return None
    if action in actions:
        return actions[action]
    return actions.get("*")


def for_view(view_func, resolver_match=None) -> Access | None:
    """The declaration of a screen (or None: not declared, so refused). API views are declared
    per action in `API` and checked by the API's permission class instead."""
    if resolver_match is not None and "admin" in resolver_match.namespaces:
        return ADMIN_SITE
    target = getattr(view_func, "view_class", None) or view_func
    return VIEWS.get(dotted(target))


def is_api_view(view_func) -> bool:
    return hasattr(view_func, "cls") and hasattr(view_func, "initkwargs")


def permits(access: Access, user) -> bool:
    if access.public:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role_enum in access.roles
