from django.apps import AppConfig


class IvoConfig(AppConfig):
    name = "verkstall.ivo"
    label = "ivo"
    verbose_name = "Rapportering av ej verkställda beslut till IVO"
