from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DeadlinesConfig(AppConfig):
    name = "verkstall.deadlines"
    label = "deadlines"
    verbose_name = "Bevakning och tidsfrister"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks
        from verkstall.outbox import registry as outbox

        from . import engine, generation_services, reminders, threshold_selectors

        hooks.register(hooks.DECISION_CHANGED, engine.recompute_decision_and_orders)
        hooks.register(hooks.ROUTINE_SETTINGS, threshold_selectors.routine_settings)
        # The daily reminder names clients: built when the outbox delivers it (R11).
        outbox.register(
            reminders.MAIL_KIND,
            build=reminders.build_queued_reminder,
            on_given_up=reminders.forget_given_up_reminder,
        )
        # The rules' generation triggers, again after every migrate (generation_services.py).
        post_migrate.connect(generation_services.on_post_migrate, sender=self)
