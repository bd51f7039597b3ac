from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "verkstall.audit"
    label = "audit"
    verbose_name = "Åtkomstlogg"

    def ready(self) -> None:
        from . import capture

        capture.connect()
