from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "verkstall.core"
    label = "core"
    verbose_name = "Verkställ"

    def ready(self):
        from .log_redaction import install

        install()  # no personnummer in Django's request log lines (SPEC R10)
