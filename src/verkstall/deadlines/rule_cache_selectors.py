"""The rules in force per profile, kept in the process (issue 19: "profiles cached per process
and invalidated on a rule change").

Every recompute needs the rules in force for the municipality's profile (R11.3): about fifty
rows read and made into model instances on every transition. Here they are read once per
process and profile and kept under the rules' generation, a token the database changes itself
whenever a rule, a profile or a profile's libraries change (generation_services.py). Each
recompute still asks the database, in one small query, for the municipality's profile and the
current token; a new token means new rules, read again. So a rule changed by any means (the
admin, an import, a migration, a bulk update) is in force for the next recompute in every
process, and a transaction sees its own uncommitted rule change as the engine always did.

Without the token row (a database migrated back before 0013) nothing is cached.
"""

from __future__ import annotations

import threading

from django.db import connection

from .generation_services import TABLE
from .models import Rule
from .profile_selectors import rules_in_force

#: At most this many (profile, token) entries; more and the cache starts again (a process
#: serves a few profiles; the tokens of a rule edited again and again would pile up).
LIMIT = 32

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[Rule, ...]] = {}


def _profile_and_token(municipality_id: int) -> tuple[str | None, str | None]:
    """The municipality's profile slug and the rules' generation, in one statement."""
    from verkstall.access.models import Municipality

    municipalities = Municipality._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.rule_profile, g.token FROM {municipalities} m "  # noqa: S608
            f"LEFT JOIN {TABLE} g ON g.id = 1 WHERE m.id = %s",
            [municipality_id],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (None, None)


def municipality_rules(municipality_id: int, subject: str | None) -> list[Rule]:
    """The rules in force for a municipality's profile for a subject (None: all)
    (`profile_selectors.rules_in_force`), from the process's cache while the rules'
    generation is unchanged. The instances are shared: read them, never change them."""
    slug, token = _profile_and_token(municipality_id)
    if slug is None:
        return []
    if token is None:
        rules = tuple(rules_in_force(slug))
    else:
        key = (slug, token)
        rules = _cache.get(key)
        if rules is None:
            rules = tuple(rules_in_force(slug))
            with _lock:
                if len(_cache) >= LIMIT:
                    _cache.clear()
                _cache[key] = rules
    if subject is None:
        return list(rules)
    return [r for r in rules if r.subject == subject]


def clear() -> None:
    """Forget every cached profile (tests that change the process's database)."""
    with _lock:
        _cache.clear()
