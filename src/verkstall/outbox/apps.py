from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "verkstall.outbox"
    label = "outbox"
    verbose_name = "Utgående e-post"
