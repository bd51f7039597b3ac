from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "verkstall.deadlines"
    label = "deadlines"
    verbose_name = "Bevakning och tidsfrister"
