"""`python -m verkstall retention [--apply] [--municipality CODE_OR_ID] [--today YYYY-MM-DD]`:
retention (gallring, SPEC R10.6).

Without --apply it is a dry run: it lists the clients whose records are due for removal
(client id, initials, birth year, last entry, due since, remove by, overdue) and, apart, how
many are kept for research, and removes nothing. Apart from the clients it lists the rows of
personal data with no client that are due (a declined or never-handled temporary stay from
another municipality, R8.4): per model, a count and the ids. With --apply it removes them,
one transaction per client or row, each with a REMOVE row in the access log, and prints the
counts.
Never prints a personnummer or a full name. Exit status 0, or 1 if a client's removal failed
(that client is left whole; the others are removed).

On PostgreSQL --apply must run as a database role that may become the retention role
(VERKSTALL_DB_RETENTION_ROLE; docs/database-roles.md): `--database-url` points the command at
a URL whose user is that role (or a member of it) instead of the application's own role, which
cannot remove order events. Without it nothing is removed and the command says why.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from verkstall.audit import retention_selectors as selectors
from verkstall.audit import retention_services as services
from verkstall.audit.tasks import review_retention
from verkstall.core import clock


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--today: ange datumet som ÅÅÅÅ-MM-DD, inte %s.") % value) from None


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nej")


class Command(BaseCommand):
    help = (
        "Retention (gallring, SPEC R10.6): list the clients whose records are due for removal "
        "under the rule (settings VERKSTALL_RETENTION_*), and with --apply remove them, each "
        "removal written to the access log. Dry run by default. Run the dry run, have it "
        "reviewed, then run with --apply (typically once a year)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Remove the clients listed (default: a dry run that removes nothing).",
        )
        parser.add_argument(
            "--municipality",
            metavar="CODE_OR_ID",
            help="Only this municipality: its code (kommunkod, e.g. 0180) or its id.",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            type=_day,
            default=None,
            help="Judge as of this day (default: today). With --apply it may not be later "
            "than today.",
        )
        parser.add_argument(
            "--database-url",
            help="Connect with this URL (applied before the settings load, see "
            "verkstall/__main__.py): on PostgreSQL --apply needs the retention role's own.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the task review_retention for `python -m verkstall db_worker` "
            "instead of running now.",
        )

    def handle(self, *args, apply=False, municipality=None, today=None, enqueue=False, **opts):
        real_today = clock.today()
        day = today or real_today
        if apply and day > real_today:
            raise CommandError(_("--apply gallrar aldrig per ett datum i framtiden."))
        muni = None
        if municipality:
            muni = selectors.find_municipality(municipality)
            if muni is None:
                raise CommandError(_("Kommunen %s finns inte.") % municipality)
        if enqueue:
            result = review_retention.enqueue(
                today.isoformat() if today else None, muni.code if muni else None, apply
            )
            self.stdout.write(
                _(
                    "Köade review_retention (uppgift %(id)s); "
                    "`python -m verkstall db_worker` kör den."
                )
                % {"id": result.id}
            )
            return

        review = selectors.review(day, municipality=muni)
        self._print_review(review, apply)
        if not apply:
            return
        try:
            outcome = services.apply(review, actor=_("gallring (kommando)"))
        except services.RetentionRoleUnavailable as exc:
            raise CommandError(
                (
                    _(
                        "Databasrollen %(role)s finns inte: kör `python -m verkstall db_roles` "
                        "som tabellernas ägare. Ingenting är raderat."
                    )
                    if not exc.exists
                    else _(
                        "Den här databasanslutningen får inte bli gallringsrollen %(role)s: kör "
                        "--apply med --database-url för gallringsrollen (docs/database-roles.md)."
                        " Ingenting är raderat."
                    )
                )
                % {"role": exc.role}
            ) from None
        self._print_outcome(outcome)
        if outcome.failed or outcome.unlinked_failed:
            failed = [str(pid) for pid in outcome.failed]
            failed += [f"{label} {pk}" for label, pk in outcome.unlinked_failed]
            raise CommandError(
                _(
                    "Gallringen misslyckades för %(n)d klient(er) eller handling(ar): %(ids)s. "
                    "De är orörda."
                )
                % {"n": len(failed), "ids": ", ".join(failed)},
                returncode=1,
            )

    def _print_review(self, review: selectors.Review, apply: bool) -> None:
        w = self.stdout.write
        w(_("Gallring enligt R10.6 per %s") % review.today.isoformat())
        w(_("Regel: %s") % review.rule.describe())
        if review.municipality is not None:
            w(
                _("Kommun: %(name)s (%(code)s)")
                % {"name": review.municipality.name, "code": review.municipality.code}
            )
        else:
            w(_("Kommun: alla"))
        if not apply:
            w(_("Torrkörning: ingenting raderas. Granska listan och kör sedan med --apply."))
        w("")
        headers = [
            _("kommun"),
            _("klient-id"),
            _("initialer"),
            _("födelseår"),
            _("sista anteckning"),
            _("gallringsbar från"),
            _("gallras senast"),
            _("försenad"),
        ]
        rows = [
            [
                c.municipality_code,
                str(c.person_id),
                c.initials,
                str(c.birth_year),
                c.last_entry.isoformat(),
                c.due_since.isoformat(),
                c.remove_by.isoformat(),
                _yes_no(c.overdue),
            ]
            for c in review.due
        ]
        self._print_table(headers, rows)
        w(
            _("Att gallra: %(n)d klient(er), varav %(late)d försenade.")
            % {"n": len(review.due), "late": review.overdue}
        )
        if review.rule.research_days:
            per_day = ", ".join(
                _("dag %(day)d: %(n)d") % {"day": day, "n": n}
                for day, n in sorted(review.research_kept.items())
            )
            w(
                _(
                    "Sparas för forskning (tiden har gått ut men födda dag %(days)s): "
                    "%(n)d (%(per_day)s)."
                )
                % {
                    "days": ", ".join(str(d) for d in review.rule.research_days),
                    "n": review.research_total,
                    "per_day": per_day,
                }
            )
        w(
            _(
                "Ännu inte gallringsbara: %(later)d. Med pågående beställning eller gällande "
                "beslut: %(ongoing)d."
            )
            % {"later": review.not_yet_due, "ongoing": review.ongoing}
        )
        self._print_unlinked(review)

    def _print_unlinked(self, review: selectors.Review) -> None:
        """The rows with no client (R8.4): per model a count and the ids, no personal data."""
        w = self.stdout.write
        for tally in review.unlinked:
            w("")
            w(
                _("Uppgifter utan klientakt, %(name)s (%(label)s):")
                % {"name": tally.name, "label": tally.label}
            )
            headers = [
                _("kommun"),
                _("id"),
                _("räknat från"),
                _("gallringsbar från"),
                _("gallras senast"),
                _("försenad"),
            ]
            rows = [
                [
                    u.municipality_code,
                    str(u.pk),
                    u.counted_from.isoformat(),
                    u.due_since.isoformat(),
                    u.remove_by.isoformat(),
                    _yes_no(u.overdue),
                ]
                for u in tally.due
            ]
            self._print_table(headers, rows)
            w(
                _(
                    "Att gallra: %(n)d, varav %(late)d försenade (id: %(ids)s). Sparas för "
                    "forskning: %(research)d. Ännu inte gallringsbara: %(later)d."
                )
                % {
                    "n": len(tally.due),
                    "late": sum(1 for u in tally.due if u.overdue),
                    "ids": ", ".join(str(u.pk) for u in tally.due) or "-",
                    "research": tally.research_kept,
                    "later": tally.not_yet_due,
                }
            )

    def _print_table(self, headers: list[str], rows: list[list[str]]) -> None:
        if not rows:
            return
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
        self.stdout.write("")

    def _print_outcome(self, outcome: services.Outcome) -> None:
        w = self.stdout.write
        w("")
        w(
            _("Gallrat: %(n)d klient(er), %(rows)d rader, %(files)d filer.")
            % {
                "n": len(outcome.removed),
                "rows": sum(outcome.rows.values()),
                "files": outcome.files,
            }
        )
        for table, count in sorted(outcome.rows.items()):
            w(f"  {table}: {count}")
        if outcome.skipped:
            w(
                _("Inte längre gallringsbara, orörda: %s")
                % ", ".join(str(pid) for pid in outcome.skipped)
            )
        unlinked: dict[str, list[str]] = {}
        for removal in outcome.unlinked_removed:
            unlinked.setdefault(removal.label, []).append(str(removal.pk))
        w(
            _("Gallrat utan klientakt: %(n)d handling(ar), %(rows)d rader.")
            % {
                "n": len(outcome.unlinked_removed),
                "rows": sum(outcome.unlinked_rows.values()),
            }
        )
        for label, ids in sorted(unlinked.items()):
            w(f"  {label}: {len(ids)} (id: {', '.join(ids)})")
        if outcome.unlinked_skipped:
            w(
                _("Inte längre gallringsbara utan klientakt, orörda: %s")
                % ", ".join(f"{label} {pk}" for label, pk in outcome.unlinked_skipped)
            )
        w(
            _(
                "Åtkomstloggen har fått en rad per gallrad klient och en rad (utan klient-id) "
                "per gallrad handling utan klientakt."
            )
        )
