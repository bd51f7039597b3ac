from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "verkstall.journal"
    label = "journal"
    verbose_name = "Journaler och meddelanden"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks

        from . import services

        hooks.register(hooks.ORDER_MESSAGE, services.send_message)
