from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "verkstall.decisions"
    label = "decisions"
    verbose_name = "Beslut"
