"""Webhook delivery as a django-tasks task, like deadlines/tasks.py: schedule it every minute
(or run `python -m verkstall deliver_webhooks --every 5` as a service)."""

from __future__ import annotations

from django_tasks import task

from .webhook_services import deliver_due


@task()
def deliver_webhooks() -> dict:
    return {str(pk): n for pk, n in deliver_due().items()}
