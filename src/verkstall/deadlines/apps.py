from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "verkstall.deadlines"
    label = "deadlines"
    verbose_name = "Bevakning och tidsfrister"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks
        from verkstall.outbox import registry as outbox

        from . import engine, reminders, threshold_selectors

        hooks.register(hooks.DECISION_CHANGED, engine.recompute_decision_and_orders)
        hooks.register(hooks.ROUTINE_SETTINGS, threshold_selectors.routine_settings)
        # The daily reminder names clients: built when the outbox delivers it (R11).
        outbox.register(reminders.MAIL_KIND, build=reminders.build_queued_reminder)
