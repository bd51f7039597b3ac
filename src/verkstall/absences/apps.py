from django.apps import AppConfig


class AbsencesConfig(AppConfig):
    name = "verkstall.absences"
    label = "absences"
    verbose_name = "Frånvaro och sjukhusmeddelanden"
