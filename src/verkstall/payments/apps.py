from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "verkstall.payments"
    label = "payments"
    verbose_name = "Ersättning till utförare"
