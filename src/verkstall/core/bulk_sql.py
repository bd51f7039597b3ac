"""One UPDATE statement for many rows with different values (issue 19).

Django's `QuerySet.bulk_update` writes `SET col = CASE WHEN id = 1 THEN ... WHEN id = 2 ...`:
one statement too, but it builds a `Case`/`When`/`Value` expression per row and column and
resolves each through the ORM, which cost ~2.4 ms of Python per call on the transition path
(three to six due items with ten columns; bench/profiles). This writes the same rows as
`UPDATE t SET col = v.col FROM (VALUES (...), (...)) AS v (id, col) WHERE t.id = v.id`:
the values are adapted by each field as a save would (`get_db_prep_save`) and, on PostgreSQL,
cast to the column's type (a VALUES list has no column types of its own). SQLite has had
`UPDATE ... FROM` since 3.33.

No signals and no `auto_now` handling, like `bulk_update`: the caller sets every value.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router


def update_rows(model, objs: Sequence, fields: Sequence[str]) -> int:
    """Write `fields` of every object in `objs` (saved rows of `model`) in one statement;
    the number of rows updated."""
    if not objs or not fields:
        return 0
    conn = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = conn.ops.quote_name
    typed = conn.vendor == "postgresql"
    row = "(" + ", ".join(f"%s::{f.db_type(conn)}" if typed else "%s" for f in columns) + ")"
    params = [f.get_db_prep_save(getattr(obj, f.attname), conn) for obj in objs for f in columns]
    table = quote(meta.db_table)
    if typed:
        alias = {f: quote(f"v_{f.column}") for f in columns}
        named = f" ({', '.join(alias.values())})"
    else:  # SQLite names a VALUES list's columns column1, column2, ... and takes no list
        alias = {f: f"column{n}" for n, f in enumerate(columns, 1)}
        named = ""
    # Only quoted names and placeholders go into the text; every value is a parameter.
    values = ", ".join([row] * len(objs))
    sets = ", ".join(f"{quote(f.column)} = v.{alias[f]}" for f in columns[1:])
    match = f"{table}.{quote(meta.pk.column)} = v.{alias[meta.pk]}"
    sql = f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v{named} WHERE {match}"  # noqa: S608
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
