from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "verkstall.audit"
    label = "audit"
    verbose_name = "Åtkomstlogg"

    def ready(self) -> None:
        from verkstall.core import hooks

        from . import capture, db_role_services, services

        capture.connect()
        # The database roles' grants again after every migrate (docs/database-roles.md).
        post_migrate.connect(db_role_services.on_post_migrate, sender=self)
        hooks.register(hooks.CLIENTS_READ, capture.saw)
        hooks.register(hooks.CALENDAR_FEED_READ, services.record_secret_url_read)
