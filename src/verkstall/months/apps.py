from django.apps import AppConfig


class MonthsConfig(AppConfig):
    name = "verkstall.months"
    label = "months"
    verbose_name = "Månadens registrering"
