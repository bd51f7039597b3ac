from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "verkstall.placements"
    label = "placements"
    verbose_name = "Kö och placering"
