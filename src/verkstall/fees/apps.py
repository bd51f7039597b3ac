from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "verkstall.fees"
    label = "fees"
    verbose_name = "Avgiftsmeddelanden"
