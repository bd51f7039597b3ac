from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "verkstall.transfers"
    verbose_name = "Överlämning mellan enheter"
