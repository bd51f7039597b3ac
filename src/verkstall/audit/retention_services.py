"""Removing a client's records when the retention rule says so (gallring, SPEC R10.6).

One transaction per client: the client's row is locked, the rule is checked again inside the
transaction (a new order or entry since the review keeps the client), every row of the
client's data in every app is deleted children first (REMOVAL_PLAN), one access-log row with
action REMOVE is written (audit.services.record_system), and the stored files of the client's
implementation plans and received case documents are deleted once the transaction has
committed (a rolled-back removal keeps its files). The access log itself is never removed:
its rows carry the client's id as a number, not a foreign key, so they outlive the client.

Rows of personal data with no client (client_models.UNLINKED_DATA: a declined or never-handled
temporary stay, R8.4) are removed after the clients, one transaction per row
(`remove_unlinked`): the row is locked, checked again (still without a client, still due),
deleted, and one access-log row with action REMOVE and no client id is written, whose detail
names the model and the id (audit.services.record_system_no_client).

Order events are append-only, and on PostgreSQL a trigger refuses to delete them. Retention
is the one exception, and only for the retention role (setting VERKSTALL_DB_RETENTION_ROLE,
audit/db_roles.py, docs/database-roles.md): around its DELETEs the removal says
`SET LOCAL ROLE <retention role>` and afterwards switches back to the role it had, so the
access-log row is written as before. Only a session whose login role may become the retention
role can do that (the retention command run with its own database URL, or the owner); the
application's own role cannot, and `apply` says so before it starts (`check_retention_role`).
The trigger function verkstall_refuse_change() accepts the role for DELETE only (audit
migration 0007). The access log's own trigger has no exception.

Rows are deleted with one DELETE per table (QuerySet._raw_delete), not through Django's
collector: journals and orders point at themselves with PROTECT (corrections, superseded
orders), which the collector refuses even when both rows go, and the plan below already
names every table in the right order. Django's foreign keys are deferred to the commit, so a
table missing from the plan makes the whole client's removal fail rather than leave orphans.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, QuerySet

from verkstall.access.declarations import AuditAction
from verkstall.deadlines.models import DueItem
from verkstall.decisions.models import Decision, GrantedService
from verkstall.journal.case_services import documents_dir
from verkstall.journal.models import (
    CaseDocument,
)
from verkstall.orders.models import Order
from verkstall.people.models import (
    Person,
)
from verkstall.plans.models import ImplementationPlan
from verkstall.plans.storage import document_storage

from . import retention_selectors as selectors
from .client_models import CLIENT_DATA, UNLINKED_BY_LABEL, ClientIds
from .db_role_services import configured_retention_role
from .retention import Assessment, RetentionRule, assess, birth_date_of
from .services import record_system, record_system_no_client

logger = logging.getLogger(__name__)

DEFAULT_ACTOR = "gallring"


# The order of deletion, children before parents: (model, which of its rows belong to the
# client). Derived from the one declaration (client_models.py), which a test checks against
# the model graph.
REMOVAL_PLAN: tuple[tuple[type, Callable[[ClientIds], Q]], ...] = tuple(
    (c.model, c.rows) for c in CLIENT_DATA
)


def _rows_of(model) -> Callable[[ClientIds], Q]:
    return dict(REMOVAL_PLAN)[model]


@dataclass
class Removal:
    """What was removed for one client."""

    person_id: int
    last_entry: date
    rows: Counter = field(default_factory=Counter)
    files: int = 0


@dataclass
class UnlinkedRemoval:
    """What was removed of one row of personal data with no client (R10.6, R8.4)."""

    label: str
    pk: int
    counted_from: date
    rows: Counter = field(default_factory=Counter)


@dataclass
class Outcome:
    """What an --apply run removed (and what it did not)."""

    removed: list[Removal] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # no longer due when locked
    failed: list[int] = field(default_factory=list)  # a database error; nothing removed
    # Rows with no client, named (label, id).
    unlinked_removed: list[UnlinkedRemoval] = field(default_factory=list)
    unlinked_skipped: list[tuple[str, int]] = field(default_factory=list)
    unlinked_failed: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows(self) -> Counter:
        total: Counter = Counter()
        for removal in self.removed:
            total.update(removal.rows)
        return total

    @property
    def files(self) -> int:
        return sum(r.files for r in self.removed)

    def as_dict(self) -> dict:
        return {
            "removed": [r.person_id for r in self.removed],
            "removed_count": len(self.removed),
            "skipped": self.skipped,
            "failed": self.failed,
            "rows": dict(sorted(self.rows.items())),
            "files": self.files,
            "unlinked_removed": [{"model": r.label, "id": r.pk} for r in self.unlinked_removed],
            "unlinked_skipped": [{"model": m, "id": pk} for m, pk in self.unlinked_skipped],
            "unlinked_failed": [{"model": m, "id": pk} for m, pk in self.unlinked_failed],
            "unlinked_rows": dict(sorted(self.unlinked_rows.items())),
        }

    @property
    def unlinked_rows(self) -> Counter:
        total: Counter = Counter()
        for removal in self.unlinked_removed:
            total.update(removal.rows)
        return total


def _label(model) -> str:
    return model._meta.label_lower


class RetentionRoleUnavailable(Exception):
    """This database session cannot act as the retention role, so it cannot remove order
    events (PostgreSQL; docs/database-roles.md)."""

    def __init__(self, role: str, *, exists: bool):
        self.role = role
        self.exists = exists
        why = "may not become it" if exists else "does not exist (run db_roles)"
        super().__init__(f"the retention role {role} {why}")


def check_retention_role() -> None:
    """On PostgreSQL: raise RetentionRoleUnavailable unless this session's login role may
    become the retention role (is it, is a member of it, or is a superuser)."""
    if connection.vendor != "postgresql":
        return
    role = configured_retention_role()
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s)", [role])
        if not cur.fetchone()[0]:
            raise RetentionRoleUnavailable(role, exists=False)
        cur.execute("SELECT pg_catalog.pg_has_role(session_user, %s, 'MEMBER')", [role])
        if not cur.fetchone()[0]:
            raise RetentionRoleUnavailable(role, exists=True)


def _as_retention_role() -> str | None:
    """PostgreSQL: switch this transaction to the retention role, the only one the trigger on
    orders_orderevent lets delete (audit migration 0007); returns the role to switch back to."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT current_user")
        previous = cur.fetchone()[0]
        cur.execute(connection.ops.compose_sql("SET LOCAL ROLE %s", [configured_retention_role()]))
    return previous


def _back_to(previous: str | None) -> None:
    """Switch back to the role the transaction had before `_as_retention_role` (SET LOCAL:
    a rolled-back removal switches back by itself)."""
    if previous is not None:
        with connection.cursor() as cur:
            cur.execute(connection.ops.compose_sql("SET LOCAL ROLE %s", [previous]))


def _admin_log(ids: ClientIds, due_items: list[int]) -> QuerySet:
    """The Django admin's history of the client's rows (its change messages may name them)."""
    types = ContentType.objects.get_for_models(Person, Order, Decision, DueItem)
    wanted = Q(content_type=types[Person], object_id=str(ids.person))
    for model, pks in ((Order, ids.orders), (Decision, ids.decisions), (DueItem, due_items)):
        if pks:
            wanted |= Q(content_type=types[model], object_id__in=[str(pk) for pk in pks])
    return LogEntry.objects.filter(wanted)


def _delete_files(plan_documents: list[str], case_documents: list[str]) -> None:
    """After the commit: the stored files of the removed plans and case documents."""
    for name in plan_documents:
        try:
            document_storage.delete(name)
        except OSError:
            logger.warning("Retention: could not delete plan document %s", name)
    root = documents_dir().resolve()
    for name in case_documents:
        path = (root / name).resolve()
        if root not in path.parents:
            logger.warning("Retention: case document path outside the store: %s", name)
            continue
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("Retention: could not delete case document %s", name)


def _detail(
    rule: RetentionRule,
    verdict: Assessment,
    counted_from: date,
    rows: int,
    files: int = 0,
    *,
    unlinked: str = "",
) -> str:
    """The access log's account of the removal: the rule and the dates, never a personnummer
    or a name (Swedish: the log reviewer reads it). A client's records are counted from their
    last entry and may have files; a row with no client (`unlinked`: its model and id) from
    its own last entry, and has none."""
    if unlinked:
        what = f" av uppgifter utan klientakt: {unlinked}. Räknat från"
        removed = f"{rows} rader raderade."
    else:
        what = ". Sista anteckning"
        removed = f"{rows} rader och {files} filer raderade."
    return (
        f"Gallring enligt R10.6 ({rule.describe()}){what} {counted_from:%Y-%m-%d}, "
        f"gallringsbar från {verdict.due_since:%Y-%m-%d}, senast {verdict.remove_by:%Y-%m-%d}. "
        f"{removed}"
    )[:300]


def remove_client(
    person_id: int,
    *,
    today: date,
    rule: RetentionRule | None = None,
    actor: str = DEFAULT_ACTOR,
) -> Removal | None:
    """Remove every record of one client if the rule makes them due on `today` (R10.6);
    None, and nothing removed, if the client is not (or no longer) due."""
    rule = rule or selectors.configured_rule()
    with transaction.atomic():
        person = (
            Person.objects.select_for_update()
            .filter(pk=person_id)
            .values("pk", "municipality_id", "personal_number")
            .first()
        )
        if person is None or selectors.is_ongoing(person_id, today):
            return None
        last_entry = selectors.last_entries([person_id])[person_id]
        verdict = assess(last_entry, birth_date_of(person["personal_number"]), today, rule)
        if not verdict.due:
            return None

        orders = list(Order.objects.filter(person_id=person_id).values_list("pk", flat=True))
        decisions = list(Decision.objects.filter(person_id=person_id).values_list("pk", flat=True))
        ids = ClientIds(
            person=person_id,
            orders=orders,
            decisions=decisions,
            services=list(
                GrantedService.objects.filter(decision_id__in=decisions).values_list(
                    "pk", flat=True
                )
            ),
        )
        due_items = list(
            DueItem.objects.filter(_rows_of(DueItem)(ids)).values_list("pk", flat=True)
        )
        plan_documents = list(
            ImplementationPlan.objects.filter(order_id__in=orders)
            .exclude(document="")
            .values_list("document", flat=True)
        )
        case_documents = list(
            CaseDocument.objects.filter(_rows_of(CaseDocument)(ids))
            .exclude(storage_name="")
            .values_list("storage_name", flat=True)
        )

        removal = Removal(person_id=person_id, last_entry=last_entry)
        admin_log = _admin_log(ids, due_items)
        removal.rows[_label(LogEntry)] = admin_log._raw_delete(admin_log.db)
        previous_role = _as_retention_role()
        for model, rows_of in REMOVAL_PLAN:
            qs = model._default_manager.filter(rows_of(ids))
            removal.rows[_label(model)] = qs._raw_delete(qs.db)
        _back_to(previous_role)
        removal.rows = +removal.rows  # drop the tables with nothing to remove
        removal.files = len(plan_documents) + len(case_documents)

        record_system(
            action=AuditAction.REMOVE,
            person_ids=[person_id],
            municipality_id=person["municipality_id"],
            detail=_detail(rule, verdict, last_entry, sum(removal.rows.values()), removal.files),
            actor=actor,
        )
        if plan_documents or case_documents:
            transaction.on_commit(lambda: _delete_files(plan_documents, case_documents))
    return removal


def remove_unlinked(
    label: str,
    pk: int,
    *,
    today: date,
    rule: RetentionRule | None = None,
    actor: str = DEFAULT_ACTOR,
) -> UnlinkedRemoval | None:
    """Remove one row of personal data with no client (client_models.UNLINKED_DATA) if the rule
    makes it due on `today` (R10.6, retention.assess); None, and nothing removed, if
    it is gone, has got a client since the review (it then goes with that client), or is not
    due."""
    declared = UNLINKED_BY_LABEL[label]
    rule = rule or selectors.configured_rule()
    model = declared.model
    with transaction.atomic():
        row = (
            selectors.unlinked_rows(declared)
            .select_for_update(of=("self",))
            .filter(pk=pk)
            .values(*selectors.unlinked_values(declared))
            .first()
        )
        if row is None:
            return None
        counted_from = selectors.unlinked_counted_from(declared, row)
        born = birth_date_of(row[declared.personal_number])
        verdict = assess(counted_from, born, today, rule)
        if not verdict.due:
            return None

        removal = UnlinkedRemoval(label=declared.label, pk=pk, counted_from=counted_from)
        admin_log = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
        )
        removal.rows[_label(LogEntry)] = admin_log._raw_delete(admin_log.db)
        _, per_model = model._default_manager.filter(pk=pk).delete()
        removal.rows.update({name.lower(): n for name, n in per_model.items()})
        removal.rows = +removal.rows

        record_system_no_client(
            action=AuditAction.REMOVE,
            municipality_id=row[f"{declared.municipality}_id"],
            detail=_detail(
                rule,
                verdict,
                counted_from,
                sum(removal.rows.values()),
                unlinked=f"{removal.label} {pk}",
            ),
            actor=actor,
        )
    return removal


def apply(review: selectors.Review, *, actor: str = DEFAULT_ACTOR) -> Outcome:
    """Remove every client on the review's due list, then every row with no client on it
    (R8.4), one transaction each. A client or row that is no longer due when locked is
    skipped; one whose removal fails is left whole and listed. On PostgreSQL a session that
    cannot act as the retention role removes nothing (RetentionRoleUnavailable)."""
    if review.due:
        check_retention_role()
    outcome = Outcome()
    for client in review.due:
        try:
            removal = remove_client(
                client.person_id, today=review.today, rule=review.rule, actor=actor
            )
        except DatabaseError:
            logger.exception("Retention: removing client %s failed", client.person_id)
            outcome.failed.append(client.person_id)
            continue
        if removal is None:
            outcome.skipped.append(client.person_id)
        else:
            outcome.removed.append(removal)
    for row in review.unlinked_due:
        try:
            gone = remove_unlinked(
                row.label, row.pk, today=review.today, rule=review.rule, actor=actor
            )
        except DatabaseError:
            logger.exception("Retention: removing %s %s failed", row.label, row.pk)
            outcome.unlinked_failed.append((row.label, row.pk))
            continue
        if gone is None:
            outcome.unlinked_skipped.append((row.label, row.pk))
        else:
            outcome.unlinked_removed.append(gone)
    return outcome
