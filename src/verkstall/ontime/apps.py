from django.apps import AppConfig


class OntimeConfig(AppConfig):
    name = "verkstall.ontime"
    label = "ontime"
    verbose_name = "Statistik: frister i tid per utförare"

    def ready(self) -> None:
        from . import job_kinds

        job_kinds.register()  # a large report as a background job (issue 17 item 8)
