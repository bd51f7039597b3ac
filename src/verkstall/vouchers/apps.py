from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "verkstall.vouchers"
    label = "vouchers"
    verbose_name = "Värdeintyg och redovisningsblankett"
