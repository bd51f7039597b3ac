from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "verkstall.core"
    label = "core"
    verbose_name = "Verkställ"
