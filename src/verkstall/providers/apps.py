from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "verkstall.providers"
    label = "providers"
    verbose_name = "Utförare"
