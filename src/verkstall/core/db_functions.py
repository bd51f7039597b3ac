"""Database expressions the apps share (no app imports).

`TransactionId` and `SettledBelow` give an append-only table a feed order that never skips a
row (issue 20, the event feed): rows are read in the order of the transaction that wrote them,
and only from transactions that can no longer commit anything new. A sequence alone cannot do
that on PostgreSQL: two transactions take ids 100 and 101, 101 commits first, a reader moves
past 101, and 100 appears behind it. On SQLite one writer at a time holds the database until
it commits, so ids follow commits and both expressions are 0.
"""

from __future__ import annotations

from django.db import models


class TransactionId(models.Func):
    """The id of the transaction writing the row (PostgreSQL's `pg_current_xact_id()`, a
    64-bit number that never wraps); 0 on SQLite."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return "0", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


class SettledBelow(models.Func):
    """The oldest transaction still running as the reader's snapshot sees it: every row with
    a `TransactionId` below it is committed (or rolled back) for good, and no transaction can
    write one below it any more (PostgreSQL's `pg_snapshot_xmin(pg_current_snapshot())`). On
    SQLite, 1: every row written there has transaction 0 and is committed once seen."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return "1", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_snapshot_xmin(pg_current_snapshot())::text::bigint)", []


def feed_position(previous):
    """The feed position of a row that follows `previous` (an expression for the position of
    the row before it in the same sequence, or NULL for none): its writing transaction, but
    never below the row before it, so that one order's events keep their order in the feed
    even when a transaction that began earlier writes after a later one committed."""
    return models.functions.Greatest(
        TransactionId(), models.functions.Coalesce(previous, models.Value(0))
    )
