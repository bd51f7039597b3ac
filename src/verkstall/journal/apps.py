from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "verkstall.journal"
    label = "journal"
    verbose_name = "Journaler och meddelanden"
