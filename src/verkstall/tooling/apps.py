from django.apps import AppConfig


class ToolingConfig(AppConfig):
    name = "verkstall.tooling"
    label = "tooling"
    verbose_name = "Verktyg"
