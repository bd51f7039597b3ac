from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "verkstall.plans"
    verbose_name = "Genomförandeplaner"
