from django.apps import AppConfig


class OntimeConfig(AppConfig):
    name = "verkstall.ontime"
    label = "ontime"
    verbose_name = "Statistik: frister i tid per utförare"
