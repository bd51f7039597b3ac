"""Reads of absences and hospital notices, scoped through the order they belong to
(verkstall.access.scoping): a provider sees only its own orders' absences and receipts."""

from __future__ import annotations

from django.db.models import QuerySet

from verkstall.access.scoping import order_scope
from verkstall.core.errors import NotFound
from verkstall.core.personal_number import InvalidPersonalNumber, parse_personal_number
from verkstall.people.models import Person
from verkstall.people.selectors import persons_for

from .models import Absence, NoticeReceipt


def absences_for(user) -> QuerySet[Absence]:
    return (
        Absence.objects.filter(order_scope(user, prefix="order__"))
        .select_related("order", "order__person", "order__provider", "registered_by")
        .order_by("-from_date", "-id")
    )


def order_absences(user, order) -> QuerySet[Absence]:
    """Absences of an order already fetched through `orders.selectors.get_order`."""
    return absences_for(user).filter(order_id=order.pk)


def get_absence(user, pk) -> Absence:
    try:
        return absences_for(user).get(pk=pk)
    except (Absence.DoesNotExist, ValueError, TypeError):
        raise NotFound("Frånvaron finns inte eller så saknar du behörighet.") from None


def receipts_for(user) -> QuerySet[NoticeReceipt]:
    return (
        NoticeReceipt.objects.filter(order_scope(user, prefix="order__"))
        .select_related("notice", "order", "order__person", "order__provider", "acknowledged_by")
        .order_by("-notice__occurred_at", "-id")
    )


def unacknowledged_receipts(user) -> QuerySet[NoticeReceipt]:
    return receipts_for(user).filter(acknowledged_at__isnull=True)


def get_receipt(user, pk) -> NoticeReceipt:
    try:
        return receipts_for(user).get(pk=pk)
    except (NoticeReceipt.DoesNotExist, ValueError, TypeError):
        raise NotFound("Meddelandet finns inte eller så saknar du behörighet.") from None


def person_for_notice(user, personal_number: str) -> Person | None:
    """The client a hospital notice names, among the clients the poster may see; None when
    the number is invalid or unknown to this user (the caller says nothing more)."""
    try:
        number = parse_personal_number(personal_number)
    except InvalidPersonalNumber:
        return None
    return persons_for(user).filter(personal_number=number.value).first()
