from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "verkstall.orders"
    label = "orders"
    verbose_name = "Beställningar"
