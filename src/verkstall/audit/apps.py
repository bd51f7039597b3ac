from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "verkstall.audit"
    label = "audit"
    verbose_name = "Åtkomstlogg"

    def ready(self) -> None:
        from verkstall.core import hooks

        from . import capture

        capture.connect()
        hooks.register(hooks.CLIENTS_READ, capture.saw)
