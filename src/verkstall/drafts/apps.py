from django.apps import AppConfig


class DraftsConfig(AppConfig):
    name = "verkstall.drafts"
    label = "drafts"
    verbose_name = "Utkast"
