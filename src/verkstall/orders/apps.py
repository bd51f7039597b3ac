from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "verkstall.orders"
    label = "orders"
    verbose_name = "Beställningar"

    def ready(self):
        # Hooks that lower layers call (core/hooks.py); see docs/architecture.md.
        from verkstall.core import hooks

        from . import selectors, views

        hooks.register(hooks.DECISION_ORDER_EVENTS, selectors.decision_clock_event_rows)
        hooks.register(hooks.OFFICER_START_PAGE, views.officer_start)
