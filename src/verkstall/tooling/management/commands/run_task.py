"""`python -m verkstall run_task DOTTED.PATH [--enqueue]`: run one of the application's tasks
that take no arguments, now or queued for the task worker (issue 18 item 3).

For the scheduled jobs that have no command of their own, started by a systemd timer
(deploy/verkstall-daily.service, docs/production.md): `verkstall.audit.tasks.
purge_idempotent_responses` (the answers kept for Idempotency-Key retries) and
`verkstall.outbox.tasks.purge_sent_mail` (when no `deliver_mail --every` service runs). Only a
django-tasks task under `verkstall.` is run; anything else is refused with exit code 1. The
task's result is printed when it is a number (how many rows it removed), else "done": a
report can name clients and goes to the journal.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django_tasks.base import Task


def task_named(path: str) -> Task:
    if not path.startswith("verkstall.") or ".tasks." not in path:
        raise CommandError(f"{path!r}: name a task as verkstall.<app>.tasks.<name>")
    try:
        found = import_string(path)
    except ImportError:
        raise CommandError(f"{path!r}: no such task") from None
    if not isinstance(found, Task):
        raise CommandError(f"{path!r} is not a task")
    return found


class Command(BaseCommand):
    help = (
        "Run an application task that takes no arguments (e.g. "
        "verkstall.audit.tasks.purge_idempotent_responses) now, or with --enqueue queue it for "
        "`python -m verkstall db_worker`. For systemd timers and cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("task", help="The task's dotted path, verkstall.<app>.tasks.<name>.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue it for the task worker instead."
        )

    def handle(self, *args, task: str, enqueue: bool = False, **options):
        found = task_named(task)
        if enqueue:
            result = found.enqueue()
            self.stdout.write(f"Queued {task} (task {result.id}).")
            return
        outcome = found.call()
        # A count is printed; anything else (a report may name clients) only as done.
        shown = outcome if isinstance(outcome, int | float) else "done"
        self.stdout.write(f"{task}: {shown}")
