"""`python -m verkstall create_api_token <user> [--days N] [--revoke-others]`: a new API key
for a provider's system (issue 11). The key is printed once, on its own line; only its hash is
stored. `--revoke PREFIX` instead revokes the key(s) of the user that start with PREFIX.
`--list` shows the user's keys by prefix.
`drf_create_token` is the same command under its old name (`-r` = `--revoke-others`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from verkstall.access import selectors, token_selectors, token_services
from verkstall.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create an API key for a user (printed once), or revoke one by its prefix."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days the key is valid (default: VERKSTALL_API_TOKEN_DAYS, 90).",
        )
        parser.add_argument(
            "-r",
            "--revoke-others",
            "--reset",
            action="store_true",
            dest="revoke_others",
            help="Revoke the user's other keys first.",
        )
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke this key instead.")
        parser.add_argument(
            "--list", action="store_true", dest="list_keys", help="List the user's keys."
        )

    def handle(self, *args, username, days, revoke_others, revoke, list_keys, **options):
        user = selectors.first_user(username=username)
        if user is None:
            raise CommandError(f"Ingen användare heter {username!r}.")
        try:
            if list_keys:
                for token in token_selectors.tokens_of(username):
                    state = (
                        "återkallad" if token.revoked_at else f"till {token.expires_at:%Y-%m-%d}"
                    )
                    used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-"
                    self.stdout.write(f"{token.prefix}  {state}  senast använd {used}")
                return
            if revoke:
                count = token_services.revoke_token(prefix=revoke, username=username)
                self.stderr.write(f"{count} nyckel/nycklar återkallade.")
                return
            token, key = token_services.issue_token(
                user=user, days=days, revoke_others=revoke_others
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Nyckel {token.prefix}… för {username}, giltig till {token.expires_at:%Y-%m-%d}. "
            "Den visas bara nu:"
        )
        self.stdout.write(key)
