from django.apps import AppConfig


class AbsencesConfig(AppConfig):
    name = "verkstall.absences"
    label = "absences"
    verbose_name = "Frånvaro och sjukhusmeddelanden"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks

        from . import services

        hooks.register(hooks.DECISION_GRANTED, services.on_decision_granted)
