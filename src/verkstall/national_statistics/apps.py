from django.apps import AppConfig


class NationalStatisticsConfig(AppConfig):
    name = "verkstall.national_statistics"
    label = "national_statistics"
    verbose_name = "Nationell individstatistik"
