from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "verkstall.journal"
    label = "journal"
    verbose_name = "Journaler och meddelanden"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks

        from . import draft_text_selectors, services

        hooks.register(hooks.ORDER_MESSAGE, services.send_message)
        draft_text_selectors.register()  # journal notes' and messages' drafts (drafts/)
