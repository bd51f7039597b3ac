from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "verkstall.core"
    label = "core"
    verbose_name = "Verkställ"

    def ready(self):
        from django.conf import settings

        from . import metrics
        from .log_redaction import install

        install()  # no personnummer in Django's request log lines (SPEC R10)
        # Counters shared by gunicorn's workers through a directory, if one is set (issue 18).
        metrics.configure(getattr(settings, "VERKSTALL_METRICS_DIR", "") or None)
