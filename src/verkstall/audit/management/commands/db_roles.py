"""`python -m verkstall db_roles [--app-role NAME] [--retention-role NAME] [--login app|retention]
[--database-url URL]`: the application's database roles on PostgreSQL (issue 18, SPEC R10.4,
R10.6; docs/database-roles.md).

Run as the owner of the tables (the role that runs `migrate`). Creates the app role and the
retention role where missing (NOLOGIN unless --login names them), grants the app role what the
application needs on every table and sequence except that the access log and the order events
only take SELECT and INSERT, gives the retention role the app role's rights and DELETE on the
order events, and prints what it did. Idempotent. Every `migrate` runs it again when
VERKSTALL_DB_APP_ROLE names the app role.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from verkstall.audit import db_role_services as services
from verkstall.audit.db_roles import DEFAULT_APP_ROLE


class Command(BaseCommand):
    help = (
        "PostgreSQL: create the app role and the retention role and grant them their "
        "privileges; the app role may insert and read the access log but never change, "
        "delete or truncate it (docs/database-roles.md). Run as the tables' owner."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-role",
            default=None,
            help="The role the application connects as (default: VERKSTALL_DB_APP_ROLE, "
            f"else {DEFAULT_APP_ROLE}).",
        )
        parser.add_argument(
            "--retention-role",
            default=None,
            help="The role retention removes as (default: VERKSTALL_DB_RETENTION_ROLE).",
        )
        parser.add_argument(
            "--login",
            action="append",
            choices=services.LOGIN_CHOICES,
            default=[],
            help="Create this role with LOGIN (or give it LOGIN); repeatable. Default NOLOGIN: "
            "log in as another role that is granted membership.",
        )
        parser.add_argument(
            "--database-url",
            help="Database to set up (applied before the settings load, see "
            "verkstall/__main__.py); its user must own the tables.",
        )

    def handle(self, *args, app_role=None, retention_role=None, login=(), **options):
        try:
            lines = services.apply_roles(
                app_role=app_role or services.configured_app_role() or DEFAULT_APP_ROLE,
                retention_role=retention_role or services.configured_retention_role(),
                login=login,
            )
        except (services.RolesError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"Databasen vägrade: {exc}. Ingenting är ändrat.") from None
        for line in lines:
            self.stdout.write(line)
