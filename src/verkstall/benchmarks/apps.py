from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "verkstall.benchmarks"
    label = "benchmarks"
    verbose_name = "Prestandamätning"
