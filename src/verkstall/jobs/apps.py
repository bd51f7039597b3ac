from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "verkstall.jobs"
    label = "jobs"
    verbose_name = "Bakgrundsjobb"
