from django.apps import AppConfig


class AlarmsConfig(AppConfig):
    name = "verkstall.alarms"
    label = "alarms"
    verbose_name = "Trygghetslarm och matdistribution"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks

        from . import services

        hooks.register(hooks.SWITCH_COMPLETED, services.on_switch_completed)
