from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "verkstall.integrations"
    label = "integrations"
    verbose_name = "Utförarnas egna system (API-klienter och webhooks)"
