from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "verkstall.payments"
    label = "payments"
    verbose_name = "Ersättning till utförare"

    def ready(self) -> None:
        from . import job_kinds

        job_kinds.register()  # the basis' file and the month close as jobs (issue 17 item 8)
