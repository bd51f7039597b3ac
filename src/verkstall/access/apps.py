from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "verkstall.access"
    label = "access"
    verbose_name = "Behörighet"
