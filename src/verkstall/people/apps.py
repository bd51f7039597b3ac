from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "verkstall.people"
    label = "people"
    verbose_name = "Klienter"
